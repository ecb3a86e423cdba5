package io.tapswitch.switching.pipeline;

import java.util.concurrent.locks.LockSupport;

import io.tapswitch.switching.engine.Engine;
import io.tapswitch.switching.journal.JournalSyncer;

/**
 * {@code journal-sync=batch}: group commit on this machine. A written batch is committed once the journal's cycle
 * file was forced to the disk ({@code fdatasync}) by the {@link JournalSyncer} thread, off the engine thread; under
 * a light load the engine thread syncs itself ({@link Engine#syncJournal()}), except while the syncer is paused
 * (tests hold answers that way).
 */
final class LocalGroupCommit implements LocalCommit
{
    private final Engine engine;
    private final JournalSyncer syncer;

    /**
     * Starts the sync thread.
     *
     * @param engine       the open engine (its journal directory and current cycle).
     * @param engineThread unparked after each sync that committed new tokens.
     */
    LocalGroupCommit(final Engine engine, final Thread engineThread)
    {
        this.engine = engine;
        this.syncer = new JournalSyncer(engine.journalDir(), () -> LockSupport.unpark(engineThread));
    }

    @Override
    public boolean committedOnWrite()
    {
        return false;
    }

    @Override
    public boolean mayCommitOnEngineThread()
    {
        return !syncer.paused();
    }

    @Override
    public void commitOnEngineThread()
    {
        engine.syncJournal();
    }

    @Override
    public void request(final long token)
    {
        syncer.request(engine.journalCycle(), token);
    }

    @Override
    public long committedToken()
    {
        return syncer.durableToken();
    }

    @Override
    public boolean failing()
    {
        return syncer.failing();
    }

    @Override
    public long failedToken()
    {
        return syncer.failedToken();
    }

    /**
     * @return the sync thread (its counters for the metrics, pause/resume for tests).
     */
    public JournalSyncer syncer()
    {
        return syncer;
    }

    @Override
    public void close()
    {
        syncer.close();
    }
}
