package io.tapswitch.switching.engine;

/**
 * How far the engine's recovery has come, published by the thread that opens the engine and read by the
 * metrics listener and the progress log: the phase, the journal excerpts to replay (when Chronicle Queue can
 * count them), those read and the records replayed. Written once per replay chunk (up to 256 records), never per
 * live request. Thread-safe: single writer, volatile fields.
 */
public final class ReplayProgress
{
    /** Not started. */
    public static final int NOT_STARTED = 0;
    /** Loading the latest snapshot. */
    public static final int LOADING_SNAPSHOT = 1;
    /** Replaying the journal after the snapshot. */
    public static final int REPLAYING = 2;
    /** Recovered: the engine holds the state of its whole journal. */
    public static final int DONE = 3;
    /** Recovery failed. */
    public static final int FAILED = 4;

    private static final String[] PHASE_NAMES = {"not started", "loading snapshot", "replaying journal", "done", "failed"};

    private volatile int phase = NOT_STARTED;
    private volatile long excerptsTotal = -1;
    private volatile long excerptsRead;
    private volatile long recordsReplayed;
    private volatile long startedNs;
    private volatile long finishedNs;

    void start()
    {
        startedNs = System.nanoTime();
        phase = LOADING_SNAPSHOT;
    }

    void replaying(final long excerptsToReplay)
    {
        excerptsTotal = excerptsToReplay;
        phase = REPLAYING;
    }

    void progress(final long excerpts, final long records)
    {
        excerptsRead = excerpts;
        recordsReplayed = records;
    }

    void finish()
    {
        finishedNs = System.nanoTime();
        phase = DONE;
    }

    void failed()
    {
        finishedNs = System.nanoTime();
        phase = FAILED;
    }

    public int phase()
    {
        return phase;
    }

    public String phaseName()
    {
        return PHASE_NAMES[phase];
    }

    /**
     * @return true once the engine has recovered.
     */
    public boolean done()
    {
        return phase == DONE;
    }

    /**
     * @return journal excerpts after the snapshot to replay, or -1 when unknown.
     */
    public long excerptsTotal()
    {
        return excerptsTotal;
    }

    public long excerptsRead()
    {
        return excerptsRead;
    }

    public long recordsReplayed()
    {
        return recordsReplayed;
    }

    /**
     * @return 0 .. 1: the share of the journal's excerpts replayed (1 once done; 0 before the replay or when the
     * total is unknown).
     */
    public double ratio()
    {
        if (phase == DONE)
        {
            return 1.0;
        }
        final long total = excerptsTotal;
        if (phase != REPLAYING || total <= 0)
        {
            return 0.0;
        }
        return Math.min(1.0, (double)excerptsRead / total);
    }

    /**
     * @return seconds since the recovery started (until it finished, once it has).
     */
    public double elapsedSeconds()
    {
        final long started = startedNs;
        if (started == 0)
        {
            return 0;
        }
        final long end = phase >= DONE ? finishedNs : System.nanoTime();
        return (end - started) / 1e9;
    }
}
