package io.tapswitch.switching.net;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.BooleanSupplier;

import io.tapswitch.switching.engine.ReplayProgress;
import io.tapswitch.switching.journal.JournalSyncer;

/**
 * What {@code GET /ready} on the metrics port answers: ready (200) once the journal is replayed, the journal is
 * writable and the terminal listener serves; 503 with the failing checks otherwise (while it replays, while it
 * stops, when the journal cannot be written). {@code GET /health} is 200 as long as the process answers.
 * <p>
 * The journal check combines the journal's own accessor, plugged in with {@link #journalWritable(BooleanSupplier)}
 * ({@link SwitchServer#journalWritable()}: false while the disk is full or after a failed sync or write), with a
 * check of its own: the journal directory is writable and, with {@code journal-sync=batch}, a requested sync has not
 * waited more than {@link #SYNC_STALL_NS} without progress (a sync that hangs instead of failing). Thread-safe.
 */
public final class SwitchReadiness
{
    /** A requested journal sync that has not completed for this long makes the switch not ready. */
    public static final long SYNC_STALL_NS = 5_000_000_000L;

    private final ReplayProgress replay;
    private final Path journalDir;
    private volatile boolean serving;
    private volatile JournalSyncer syncer;
    private volatile BooleanSupplier journalWritable = () -> true;
    private long lastDurable = -1;
    private long lastDurableChangeNs = System.nanoTime();

    public SwitchReadiness(final ReplayProgress replay, final Path journalDir)
    {
        this.replay = replay;
        this.journalDir = journalDir;
    }

    /**
     * The hook for the journal's own "writable" accessor (the disk-full and failed-sync state kept by the engine).
     *
     * @param journalWritable true while the journal accepts and syncs appends.
     * @return this.
     */
    public SwitchReadiness journalWritable(final BooleanSupplier journalWritable)
    {
        this.journalWritable = journalWritable;
        return this;
    }

    void syncer(final JournalSyncer syncer)
    {
        this.syncer = syncer;
    }

    void serving(final boolean serving)
    {
        this.serving = serving;
    }

    public ReplayProgress replay()
    {
        return replay;
    }

    public boolean ready()
    {
        return replay.done() && serving && journalWritable();
    }

    /**
     * @return the checks as a JSON object: {@code {"status":"ready"|"not ready","checks":{...},"replay":{...}}}.
     */
    public String json()
    {
        final boolean replayed = replay.done();
        final boolean writable = journalWritable();
        final boolean ready = replayed && serving && writable;
        return String.format(Locale.ROOT,
            "{\"status\":\"%s\",\"checks\":{\"replayed\":%b,\"journalWritable\":%b,\"serving\":%b}," +
            "\"replay\":{\"phase\":\"%s\",\"ratio\":%.4f,\"excerpts\":%d,\"excerptsTotal\":%d,\"records\":%d," +
            "\"seconds\":%.1f}}",
            ready ? "ready" : "not ready", replayed, writable, serving, replay.phaseName(), replay.ratio(),
            replay.excerptsRead(), replay.excerptsTotal(), replay.recordsReplayed(), replay.elapsedSeconds());
    }

    private boolean journalWritable()
    {
        return journalWritable.getAsBoolean() && builtInJournalWritable();
    }

    private synchronized boolean builtInJournalWritable()
    {
        if (Files.isDirectory(journalDir) && !Files.isWritable(journalDir))
        {
            return false;
        }
        final JournalSyncer current = syncer;
        if (null == current)
        {
            return true;
        }
        final long durable = current.durableToken();
        final long now = System.nanoTime();
        if (durable != lastDurable)
        {
            lastDurable = durable;
            lastDurableChangeNs = now;
        }
        final boolean waiting = current.requestedToken() > durable;
        return !waiting || now - lastDurableChangeNs < SYNC_STALL_NS;
    }
}
