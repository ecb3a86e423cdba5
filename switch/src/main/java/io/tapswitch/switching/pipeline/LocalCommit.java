package io.tapswitch.switching.pipeline;

import io.tapswitch.switching.engine.Engine;

/**
 * The local commit of the single-node {@link CommitStage} ({@link EngineAgent}): what must happen to a batch of
 * journal records, once the engine thread wrote them ({@link Engine#flushJournal()}), before the answers of that
 * batch may leave. The engine thread asks for each written batch to be committed with a token that grows by one per
 * batch ({@link #request}) and releases a batch's answers once {@link #committedToken()} reached its token, in
 * decision order; it decides the next batches meanwhile ({@link BatchCommits}). The answers wait in the pipeline's
 * held-answer stage ({@link HeldAnswers}); a local commit never sees them, only tokens.
 * <p>
 * Implementations, selected by the {@code journal-sync} setting ({@link #of}):
 * <ul>
 *   <li>{@code none} — {@link #WRITTEN}: a written batch counts as committed (the records are in the memory-mapped
 *       journal: they survive a crash of the process, not a power loss);</li>
 *   <li>{@code batch} (the default) — {@link LocalGroupCommit}: group commit on this machine, {@code fdatasync} of
 *       the journal on a thread of its own ({@link io.tapswitch.switching.journal.JournalSyncer}).</li>
 * </ul>
 * The replicated switch does not commit decided batches: it commits the requests before they are decided (a
 * {@link CommitStage} of its own, {@code cluster.ClusterFrontEnd}).
 * <p>
 * Threads: {@link #request}, {@link #mayCommitOnEngineThread()}, {@link #commitOnEngineThread()} and
 * {@link #close()} on the engine thread; {@link #committedToken()} from any thread.
 */
interface LocalCommit extends AutoCloseable
{
    /** {@code journal-sync=none}: nothing beyond the write. */
    LocalCommit WRITTEN = new LocalCommit()
    {
        @Override
        public boolean committedOnWrite()
        {
            return true;
        }

        @Override
        public boolean mayCommitOnEngineThread()
        {
            return false;
        }

        @Override
        public void commitOnEngineThread()
        {
        }

        @Override
        public void request(final long token)
        {
        }

        @Override
        public long committedToken()
        {
            return Long.MAX_VALUE;
        }

        @Override
        public boolean failing()
        {
            return false;
        }

        @Override
        public long failedToken()
        {
            return 0;
        }

        @Override
        public void close()
        {
        }
    };

    /**
     * The local commit the {@code journal-sync} setting names.
     *
     * @param journalSync  {@code journal-sync=batch}.
     * @param engine       the open engine (engine thread).
     * @param engineThread unparked whenever new tokens are committed.
     * @return the local commit; the caller closes it.
     */
    static LocalCommit of(final boolean journalSync, final Engine engine, final Thread engineThread)
    {
        return journalSync ? new LocalGroupCommit(engine, engineThread) : WRITTEN;
    }

    /**
     * @return true when a written batch is committed already: its answers may leave at once, no token is requested.
     */
    boolean committedOnWrite();

    /**
     * @return true when the engine thread may commit a batch itself ({@link #commitOnEngineThread()}) instead of
     * handing it over, when nothing waits and nothing else is to be decided (a light load saves two thread
     * hand-offs per answer).
     */
    boolean mayCommitOnEngineThread();

    /**
     * Commits everything written so far on the engine thread; returns once it is committed.
     */
    void commitOnEngineThread();

    /**
     * Asks for everything written so far to be committed.
     *
     * @param token greater than every token requested before.
     */
    void request(long token);

    /**
     * @return the highest token whose batch, and every batch before it, is committed.
     */
    long committedToken();

    /**
     * @return true while the last attempt to commit failed (the answers waiting for it are held; the engine thread
     * stops deciding and gives up on them after a bound).
     */
    boolean failing();

    /**
     * @return the largest token a failed commit covered, 0 while none failed: it and every later token never become
     * committed (the switch answers their requests SYSTEM_ERROR and exits for its supervisor).
     */
    long failedToken();

    @Override
    void close();
}
