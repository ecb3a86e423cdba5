package io.tapswitch.switching.engine;

import java.nio.file.Path;
import java.time.ZoneId;

import io.tapswitch.switching.journal.JournalAppendObserver;
import io.tapswitch.switching.journal.JournalReserver;

/**
 * Settings of an {@link Engine}, each with a default; validated once by {@link #validate()} when the engine opens.
 * Fluent setters; not thread-safe (build it, then hand it to {@link Engine#open}).
 */
public final class EngineConfig
{
    /** City time zone of periods and serving windows. */
    public static final String DEFAULT_ZONE_ID = "Europe/Kyiv";
    /** Heartbeat interval given to terminals in LOGON_RESULT. */
    public static final int DEFAULT_HEARTBEAT_MS = 15_000;
    /** A reversal must arrive within this time of the original's decision. */
    public static final long DEFAULT_REVERSAL_WINDOW_MS = 15 * 60_000L;
    /** How long a (terminal, correlation) result is kept for idempotent retries. */
    public static final long DEFAULT_IDEMPOTENCY_WINDOW_MS = 24 * 3_600_000L;
    /** How long a nonce with a valid mac is remembered per terminal. */
    public static final long DEFAULT_NONCE_WINDOW_MS = 10 * 60_000L;
    /** LOGON timestamp may differ from the switch time by at most this. */
    public static final long DEFAULT_LOGON_SKEW_MS = 300_000L;
    /** Oldest accepted offline advice. */
    public static final long DEFAULT_ADVICE_MAX_AGE_MS = 30 * 24 * 3_600_000L;
    /** Offline advice may be at most this far ahead of the switch time. */
    public static final long DEFAULT_ADVICE_MAX_AHEAD_MS = 300_000L;
    /** Largest capacity of any table. */
    public static final int MAX_TABLE_CAPACITY = 1 << 29;
    public static final int DEFAULT_CARD_CAPACITY = 1 << 16;
    public static final int DEFAULT_HOLDER_CAPACITY = 1 << 16;
    public static final int DEFAULT_HOUSEHOLD_CAPACITY = 1 << 15;
    public static final int DEFAULT_TERMINAL_CAPACITY = 1 << 12;
    public static final int DEFAULT_OUTLET_CAPACITY = 1 << 10;
    /** Programs defined at once (BALANCE lists at most 64): {@link io.tapswitch.formats.Limits#MAX_PROGRAMS}. */
    public static final int MAX_PROGRAMS = io.tapswitch.formats.Limits.MAX_PROGRAMS;
    public static final int DEFAULT_IDEMPOTENCY_CAPACITY = 1 << 16;
    /** About 100 bytes per result when full: 8 M results ≈ 800 MB, a day of 100 decisions/s with room to spare. */
    public static final int DEFAULT_IDEMPOTENCY_MAX_CAPACITY = 1 << 23;
    public static final int DEFAULT_NONCE_CAPACITY = 1 << 16;
    /** Background snapshot interval of engine time; 0 disables interval snapshots. */
    public static final long DEFAULT_SNAPSHOT_INTERVAL_MS = 10 * 60_000L;
    /** Snapshot files kept (the newest ones). */
    public static final int DEFAULT_SNAPSHOTS_RETAINED = 2;

    private Path dataDir;
    private ZoneId zoneId = ZoneId.of(DEFAULT_ZONE_ID);
    private int heartbeatMs = DEFAULT_HEARTBEAT_MS;
    private long reversalWindowMs = DEFAULT_REVERSAL_WINDOW_MS;
    private long idempotencyWindowMs = DEFAULT_IDEMPOTENCY_WINDOW_MS;
    private long nonceWindowMs = DEFAULT_NONCE_WINDOW_MS;
    private long logonSkewMs = DEFAULT_LOGON_SKEW_MS;
    private long adviceMaxAgeMs = DEFAULT_ADVICE_MAX_AGE_MS;
    private long adviceMaxAheadMs = DEFAULT_ADVICE_MAX_AHEAD_MS;
    private int cardCapacity = DEFAULT_CARD_CAPACITY;
    private int holderCapacity = DEFAULT_HOLDER_CAPACITY;
    private int householdCapacity = DEFAULT_HOUSEHOLD_CAPACITY;
    private int terminalCapacity = DEFAULT_TERMINAL_CAPACITY;
    private int outletCapacity = DEFAULT_OUTLET_CAPACITY;
    private int idempotencyCapacity = DEFAULT_IDEMPOTENCY_CAPACITY;
    private int idempotencyMaxCapacity = DEFAULT_IDEMPOTENCY_MAX_CAPACITY;
    private int nonceCapacity = DEFAULT_NONCE_CAPACITY;
    private long snapshotIntervalMs = DEFAULT_SNAPSHOT_INTERVAL_MS;
    private int snapshotsRetained = DEFAULT_SNAPSHOTS_RETAINED;
    private boolean loadSnapshot = true;
    private boolean replayVerify;
    private boolean retentionEnabled = true;
    private boolean journalSyncToDisk = true;
    private long journalPretouchBytes;
    private long journalReserveBytes = JournalReserver.DEFAULT_AHEAD_BYTES;
    private JournalAppendObserver journalAppendObserver;
    private ReplayProgress replayProgress = new ReplayProgress();

    /** The data directory: {@code journal/}, {@code commands/}, {@code snapshots/} live in it. Required. */
    public EngineConfig dataDir(final Path dataDir)
    {
        this.dataDir = dataDir;
        return this;
    }

    public Path dataDir()
    {
        return dataDir;
    }

    /** City time zone (default Europe/Kyiv). */
    public EngineConfig zoneId(final ZoneId zoneId)
    {
        this.zoneId = zoneId;
        return this;
    }

    public ZoneId zoneId()
    {
        return zoneId;
    }

    /** Heartbeat interval given to terminals (default 15 000 ms). */
    public EngineConfig heartbeatMs(final int heartbeatMs)
    {
        this.heartbeatMs = heartbeatMs;
        return this;
    }

    public int heartbeatMs()
    {
        return heartbeatMs;
    }

    /** Reversal window counted from the original decision (default 15 min). */
    public EngineConfig reversalWindowMs(final long reversalWindowMs)
    {
        this.reversalWindowMs = reversalWindowMs;
        return this;
    }

    public long reversalWindowMs()
    {
        return reversalWindowMs;
    }

    /** Idempotency window per (terminal, correlation) (default 24 h). */
    public EngineConfig idempotencyWindowMs(final long idempotencyWindowMs)
    {
        this.idempotencyWindowMs = idempotencyWindowMs;
        return this;
    }

    public long idempotencyWindowMs()
    {
        return idempotencyWindowMs;
    }

    /** Nonce memory per terminal (default 10 min). */
    public EngineConfig nonceWindowMs(final long nonceWindowMs)
    {
        this.nonceWindowMs = nonceWindowMs;
        return this;
    }

    public long nonceWindowMs()
    {
        return nonceWindowMs;
    }

    /** Largest |LOGON timestamp − switch time| (default 300 000 ms). */
    public EngineConfig logonSkewMs(final long logonSkewMs)
    {
        this.logonSkewMs = logonSkewMs;
        return this;
    }

    public long logonSkewMs()
    {
        return logonSkewMs;
    }

    /** Oldest offline advice accepted (default 30 × 24 h). */
    public EngineConfig adviceMaxAgeMs(final long adviceMaxAgeMs)
    {
        this.adviceMaxAgeMs = adviceMaxAgeMs;
        return this;
    }

    public long adviceMaxAgeMs()
    {
        return adviceMaxAgeMs;
    }

    /** Offline advice at most this far ahead of the switch time (default 300 000 ms). */
    public EngineConfig adviceMaxAheadMs(final long adviceMaxAheadMs)
    {
        this.adviceMaxAheadMs = adviceMaxAheadMs;
        return this;
    }

    public long adviceMaxAheadMs()
    {
        return adviceMaxAheadMs;
    }

    /** Initial card table capacity; the table grows past it (a pause on the command path). */
    public EngineConfig cardCapacity(final int cardCapacity)
    {
        this.cardCapacity = cardCapacity;
        return this;
    }

    public int cardCapacity()
    {
        return cardCapacity;
    }

    /** Initial holder table capacity; grows past it. */
    public EngineConfig holderCapacity(final int holderCapacity)
    {
        this.holderCapacity = holderCapacity;
        return this;
    }

    public int holderCapacity()
    {
        return holderCapacity;
    }

    /** Initial household table capacity; grows past it. */
    public EngineConfig householdCapacity(final int householdCapacity)
    {
        this.householdCapacity = householdCapacity;
        return this;
    }

    public int householdCapacity()
    {
        return householdCapacity;
    }

    /** Initial terminal table capacity; grows past it. */
    public EngineConfig terminalCapacity(final int terminalCapacity)
    {
        this.terminalCapacity = terminalCapacity;
        return this;
    }

    public int terminalCapacity()
    {
        return terminalCapacity;
    }

    /** Initial outlet table capacity; grows past it. */
    public EngineConfig outletCapacity(final int outletCapacity)
    {
        this.outletCapacity = outletCapacity;
        return this;
    }

    public int outletCapacity()
    {
        return outletCapacity;
    }

    /**
     * Initial capacity of the idempotency table (TAP / REVERSAL results kept for retries); it doubles when full up to
     * {@link #idempotencyMaxCapacity(int)}.
     */
    public EngineConfig idempotencyCapacity(final int idempotencyCapacity)
    {
        this.idempotencyCapacity = idempotencyCapacity;
        return this;
    }

    public int idempotencyCapacity()
    {
        return idempotencyCapacity;
    }

    /**
     * Largest idempotency table: size it to the TAP / REVERSAL decisions of a busy 24 h. When full at this size the
     * oldest result is forgotten before its window ends (counted in
     * {@link EngineCounters#idempotencyEvictedEarly()}).
     */
    public EngineConfig idempotencyMaxCapacity(final int idempotencyMaxCapacity)
    {
        this.idempotencyMaxCapacity = idempotencyMaxCapacity;
        return this;
    }

    public int idempotencyMaxCapacity()
    {
        return idempotencyMaxCapacity;
    }

    /** Fixed capacity of the nonce memory; when full the oldest nonce is forgotten early (counted). */
    public EngineConfig nonceCapacity(final int nonceCapacity)
    {
        this.nonceCapacity = nonceCapacity;
        return this;
    }

    public int nonceCapacity()
    {
        return nonceCapacity;
    }

    /** Snapshot interval of engine time, checked in {@link Engine#pollCommands}; 0 disables (default 10 min). */
    public EngineConfig snapshotIntervalMs(final long snapshotIntervalMs)
    {
        this.snapshotIntervalMs = snapshotIntervalMs;
        return this;
    }

    public long snapshotIntervalMs()
    {
        return snapshotIntervalMs;
    }

    /** Newest snapshot files kept (default 2, at least 1). */
    public EngineConfig snapshotsRetained(final int snapshotsRetained)
    {
        this.snapshotsRetained = snapshotsRetained;
        return this;
    }

    public int snapshotsRetained()
    {
        return snapshotsRetained;
    }

    /**
     * Whether {@link Engine#syncJournal()} waits until the journal pages are on the disk ({@code msync(MS_SYNC)},
     * the default, for {@code journal-sync=batch}) or the journal is never forced by the engine
     * ({@code journal-sync=none}: the pages reach the disk when the OS writes them back).
     */
    public EngineConfig journalSyncToDisk(final boolean journalSyncToDisk)
    {
        this.journalSyncToDisk = journalSyncToDisk;
        return this;
    }

    public boolean journalSyncToDisk()
    {
        return journalSyncToDisk;
    }

    /**
     * Bytes of the journal file kept faulted in ahead of the writer by a background thread
     * ({@link io.tapswitch.switching.journal.JournalPretoucher}); 0 (the default here, the switch's setting
     * {@code journal-pretouch} turns it on) starts no thread and lets each append fault its pages in itself.
     */
    public EngineConfig journalPretouchBytes(final long journalPretouchBytes)
    {
        this.journalPretouchBytes = journalPretouchBytes;
        return this;
    }

    public long journalPretouchBytes()
    {
        return journalPretouchBytes;
    }

    /**
     * Disk space kept allocated ahead of the journal writer by a {@link JournalReserver} (default 32 MiB; 0 starts
     * none: a full filesystem then meets the writer itself, as a SIGBUS on a mapped page).
     */
    public EngineConfig journalReserveBytes(final long journalReserveBytes)
    {
        this.journalReserveBytes = journalReserveBytes;
        return this;
    }

    public long journalReserveBytes()
    {
        return journalReserveBytes;
    }

    /**
     * Whether {@link Engine#open} replays the journal by deciding every TAP and REVERSAL again and comparing each
     * result with the journaled one ({@link Engine#replayMismatches()}), instead of applying the journaled effects
     * (default false: effects, several times faster; both leave the same tables).
     */
    public EngineConfig replayVerify(final boolean replayVerify)
    {
        this.replayVerify = replayVerify;
        return this;
    }

    public boolean replayVerify()
    {
        return replayVerify;
    }

    /** Whether {@link Engine#open} starts from the latest snapshot (default) or replays the whole journal. */
    public EngineConfig loadSnapshot(final boolean loadSnapshot)
    {
        this.loadSnapshot = loadSnapshot;
        return this;
    }

    public boolean loadSnapshot()
    {
        return loadSnapshot;
    }

    /**
     * Whether a snapshot deletes journal cycles older than both itself and the admin's ingested position
     * ({@link io.tapswitch.formats.journal.IngestedPosition}); default true.
     */
    public EngineConfig retentionEnabled(final boolean retentionEnabled)
    {
        this.retentionEnabled = retentionEnabled;
        return this;
    }

    public boolean retentionEnabled()
    {
        return retentionEnabled;
    }

    /**
     * Observer of every journal excerpt written (duration and size: one record outside a journal batch, the whole
     * batch with group commit, see {@link JournalAppendObserver}), called on the engine thread; null (default) for
     * none, in which case no time is read around writes.
     */
    public EngineConfig journalAppendObserver(final JournalAppendObserver journalAppendObserver)
    {
        this.journalAppendObserver = journalAppendObserver;
        return this;
    }

    public JournalAppendObserver journalAppendObserver()
    {
        return journalAppendObserver;
    }

    /**
     * Where {@link Engine#open} publishes how far its recovery (snapshot load, journal replay) has come, for the
     * replay progress gauge, the progress log and {@code /ready}.
     */
    public EngineConfig replayProgress(final ReplayProgress replayProgress)
    {
        this.replayProgress = replayProgress;
        return this;
    }

    public ReplayProgress replayProgress()
    {
        return replayProgress;
    }

    /**
     * Checks every setting.
     *
     * @throws IllegalArgumentException naming the first bad setting and its value.
     */
    public EngineConfig validate()
    {
        if (dataDir == null)
        {
            throw new IllegalArgumentException("dataDir is required");
        }
        if (zoneId == null)
        {
            throw new IllegalArgumentException("zoneId is required");
        }
        positive("heartbeatMs", heartbeatMs);
        positive("reversalWindowMs", reversalWindowMs);
        positive("idempotencyWindowMs", idempotencyWindowMs);
        positive("nonceWindowMs", nonceWindowMs);
        positive("logonSkewMs", logonSkewMs);
        positive("adviceMaxAgeMs", adviceMaxAgeMs);
        positive("adviceMaxAheadMs", adviceMaxAheadMs);
        positive("cardCapacity", cardCapacity);
        positive("holderCapacity", holderCapacity);
        positive("householdCapacity", householdCapacity);
        positive("terminalCapacity", terminalCapacity);
        positive("outletCapacity", outletCapacity);
        positive("idempotencyCapacity", idempotencyCapacity);
        positive("idempotencyMaxCapacity", idempotencyMaxCapacity);
        positive("nonceCapacity", nonceCapacity);
        positive("snapshotsRetained", snapshotsRetained);
        if (snapshotIntervalMs < 0)
        {
            throw new IllegalArgumentException("snapshotIntervalMs must be >= 0: " + snapshotIntervalMs);
        }
        final long maxTableCapacity = MAX_TABLE_CAPACITY;
        if (cardCapacity > maxTableCapacity || holderCapacity > maxTableCapacity ||
            householdCapacity > maxTableCapacity || idempotencyCapacity > maxTableCapacity ||
            idempotencyMaxCapacity > maxTableCapacity)
        {
            throw new IllegalArgumentException("table capacities must be <= " + maxTableCapacity);
        }
        return this;
    }

    private static void positive(final String name, final long value)
    {
        if (value <= 0)
        {
            throw new IllegalArgumentException(name + " must be > 0: " + value);
        }
    }
}
