package io.tapswitch.switching.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

import io.tapswitch.formats.Queues;
import io.tapswitch.switching.journal.JournalRetention;
import io.tapswitch.switching.snapshot.SnapshotFiles;
import io.tapswitch.switching.snapshot.SnapshotInput;
import io.tapswitch.switching.snapshot.SnapshotOutput;

/**
 * The engine's state in snapshot files ({@link SnapshotFiles}): what a snapshot holds (tables, idempotency results,
 * nonces and the positions of the sequence, the command queue and the journal), when one is due, and the journal
 * retention that follows each one. Not thread-safe; engine thread.
 */
final class EngineSnapshots
{
    private final EngineConfig config;
    private final EngineState state;
    private final DecisionJournal journal;
    private final CommandIntake commands;
    private final EngineCounters counters;
    private final SnapshotFiles files;
    private final SnapshotFiles.Body body = new SnapshotFiles.Body()
    {
        @Override
        public void save(final SnapshotOutput out) throws IOException
        {
            state.tables.save(out);
            state.idempotency.save(out);
            state.nonces.save(out);
        }

        @Override
        public void load(final SnapshotInput in, final int version) throws IOException
        {
            state.tables.load(in, version);
            state.idempotency.load(in);
            state.nonces.load(in);
        }
    };
    /** Sequence of the last snapshot written or loaded, -1 if none. */
    long lastSnapshotSequence = -1;
    private long lastSnapshotMs = Long.MIN_VALUE;

    EngineSnapshots(
        final EngineConfig config, final EngineState state, final DecisionJournal journal,
        final CommandIntake commands, final EngineCounters counters)
    {
        this.config = config;
        this.state = state;
        this.journal = journal;
        this.commands = commands;
        this.counters = counters;
        this.files = new SnapshotFiles(Queues.snapshotsDir(config.dataDir()));
    }

    /** The tables' part of a snapshot ({@link Engine#saveState}). */
    SnapshotFiles.Body body()
    {
        return body;
    }

    /** The snapshot files, newest first. */
    List<Path> newestFirst()
    {
        return files.newestFirst();
    }

    /** Loads a snapshot file into the (empty) state and the positions it records. */
    void load(final Path file) throws IOException
    {
        final SnapshotFiles.Header header = SnapshotFiles.load(file, body);
        journal.sequence = header.sequence();
        commands.lastCommandId = header.lastCommandId();
        commands.lastCommandQueueIndex = header.lastCommandQueueIndex();
        journal.lastJournalIndex = header.lastJournalIndex();
        final Tables tables = state.tables;
        for (int slot = 1; slot <= tables.programs.size(); slot++)
        {
            counters.programSlot(slot, (int)tables.programs.key(slot - 1));
        }
    }

    /** Takes the interval snapshot when it is due (engine time). */
    void maybeSnapshot(final long nowMs)
    {
        if (config.snapshotIntervalMs() <= 0)
        {
            return;
        }
        if (lastSnapshotMs == Long.MIN_VALUE)
        {
            lastSnapshotMs = nowMs;
            return;
        }
        if (nowMs - lastSnapshotMs >= config.snapshotIntervalMs())
        {
            lastSnapshotMs = nowMs;
            snapshot();
        }
    }

    /** See {@link Engine#snapshot()}. */
    void snapshot()
    {
        journal.flushPending();
        final long sequence = journal.sequence;
        if (sequence == lastSnapshotSequence)
        {
            return;
        }
        try
        {
            final long bytes = files.write(sequence, commands.lastCommandId, commands.lastCommandQueueIndex,
                journal.lastJournalIndex, body);
            lastSnapshotSequence = sequence;
            counters.snapshotBytes = bytes;
            counters.snapshotsWritten++;
            final List<Path> retained = files.prune(config.snapshotsRetained());
            if (config.retentionEnabled())
            {
                // the oldest retained snapshot must still find its journal index if the newer ones are damaged
                final int oldest = Math.min(retained.size(), config.snapshotsRetained()) - 1;
                applyRetention(Math.min(journal.lastJournalIndex, SnapshotFiles.journalIndexOf(retained.get(oldest))));
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write snapshot of sequence " + sequence + " in " + files.dir(),
                ex);
        }
    }

    /** See {@link Engine#applyRetention}. */
    int applyRetention(final long snapshotIndex)
    {
        return JournalRetention.apply(config.dataDir(), journal.writer(), snapshotIndex);
    }
}
