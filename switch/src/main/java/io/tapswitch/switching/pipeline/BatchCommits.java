package io.tapswitch.switching.pipeline;

import java.util.concurrent.TimeUnit;

import io.tapswitch.switching.engine.Engine;
import io.tapswitch.switching.journal.JournalSyncer;
import io.tapswitch.switching.metrics.Counters;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine thread's batches from written to answered, and the journal's faults on the way: each written batch is
 * handed to the {@link LocalCommit} with a token, its answers wait in the {@link HeldAnswers} and are released once
 * the token is committed; a commit that is late (answers held longer than {@code journal-sync-answer-ms}), failed or
 * stuck is handled here — held answers released as SYSTEM_ERROR, deciding stopped until the commit catches up, or a
 * fatal fault (exit {@link EngineAgent#EXIT_JOURNAL_FAULT}). The {@link EngineAgent}'s duty cycle asks it, between
 * its steps, whether to decide ({@link #decides()}, {@link #updateWritable()}), to release ({@link #releaseCommitted()})
 * and to end a batch ({@link #commitBatch}).
 * <p>
 * All of the batch state of the engine thread lives here (commit tokens, the decide flag, the late and failed
 * marks), so that the duty cycle reads in one place and the fault rules in another. Not thread-safe: the engine
 * thread; {@link #journalWritable()}, {@link #failed()} and {@link #onFatal} from any thread. Allocates nothing.
 */
final class BatchCommits
{
    /** The engine thread's logger: these are its messages. */
    private static final Logger LOGGER = LoggerFactory.getLogger(EngineAgent.class);

    private final HeldAnswers held;
    private final ManyToOneRingBuffer requests;
    private final Counters counters;
    private final IdleStrategy waitIdle;
    private Engine engine;
    private LocalCommit commit = LocalCommit.WRITTEN;
    private long commitAnswerNs = EngineAgent.COMMIT_ANSWER_NS;
    private long nowMs;
    private long nextToken;
    private long syncRequestedJournalIndex = Long.MIN_VALUE;
    /**
     * The highest token whose answers were released as SYSTEM_ERROR because its commit did not come within
     * {@link #commitAnswerNs}; nothing is decided while the commit stage is behind it ({@link #abandoned()}).
     */
    private long abandonedToken;
    /** When the oldest batch answered SYSTEM_ERROR for a late commit asked for its commit (the exit bound). */
    private long abandonedSinceNs;
    private boolean decide = true;

    /** Whether requests are decided now (false: answered SYSTEM_ERROR, PROTOCOL.md rule 14); read by metrics. */
    private volatile boolean journalWritable = true;
    /** A journal fault that cannot heal in this process: nothing is decided any more, the switch exits. */
    private volatile boolean failed;
    private volatile Runnable onFatal = () -> { };

    /**
     * @param held     the answers of the batches, held until committed.
     * @param requests the request ring (a batch is committed on the engine thread only while it is empty).
     * @param counters journal faults, fault answers and inline syncs are counted here.
     * @param waitIdle how the engine thread waits for a commit.
     */
    BatchCommits(
        final HeldAnswers held, final ManyToOneRingBuffer requests, final Counters counters, final IdleStrategy waitIdle)
    {
        this.held = held;
        this.requests = requests;
        this.counters = counters;
        this.waitIdle = waitIdle;
    }

    /**
     * Starts committing the batches of the open engine through the given stage (engine thread).
     */
    void start(final Engine engine, final LocalCommit commit)
    {
        this.engine = engine;
        this.commit = commit;
    }

    void onFatal(final Runnable onFatal)
    {
        this.onFatal = onFatal;
    }

    void commitAnswerBound(final long boundNs)
    {
        this.commitAnswerNs = boundNs;
    }

    /**
     * @param nowMs the duty cycle's time, given to the SYSTEM_ERROR answers of a LOGON.
     */
    void now(final long nowMs)
    {
        this.nowMs = nowMs;
    }

    LocalCommit stage()
    {
        return commit;
    }

    boolean journalWritable()
    {
        return journalWritable;
    }

    boolean failed()
    {
        return failed;
    }

    /**
     * @return whether this duty cycle decides requests (false: they are answered SYSTEM_ERROR at once); see also
     * {@link #failed()}.
     */
    boolean decides()
    {
        return decide;
    }

    /**
     * Sets whether this duty cycle decides requests: see {@link #updateWritable()}.
     *
     * @return true when it does.
     */
    boolean startCycle()
    {
        decide = updateWritable();
        return decide;
    }

    /**
     * Releases the answers of every batch whose commit token is committed.
     *
     * @return batches released.
     */
    int releaseCommitted()
    {
        if (0 == held.pendingBatches())
        {
            return 0;
        }
        return held.releaseCommitted(commit.committedToken());
    }

    /**
     * Releases the held answers as SYSTEM_ERROR and wakes their loops.
     */
    void releaseAllAsSystemError()
    {
        held.releaseAllAsSystemError(nowMs);
        held.wakeTouchedLoops();
    }

    /**
     * The oldest batch has waited longer than {@code journal-sync-answer-ms}: see {@link #abandonHeld()}.
     *
     * @return true when the held answers were given up.
     */
    boolean abandonIfLate()
    {
        if (0 != held.pendingBatches() && System.nanoTime() - held.oldestSinceNs() > commitAnswerNs)
        {
            abandonHeld();
            return true;
        }
        return false;
    }

    /**
     * @return whether this duty cycle decides requests: the journal has space allocated ahead for a batch and no
     * sync is failing or late. Logs and counts each change.
     */
    private boolean updateWritable()
    {
        final boolean writable = engine.journalHeadroom() >= EngineAgent.DECIDE_HEADROOM_BYTES &&
            !commit.failing() && !abandoned();
        if (writable != journalWritable)
        {
            journalWritable = writable;
            if (writable)
            {
                LOGGER.warn("journal writable again: deciding requests (answered SYSTEM_ERROR meanwhile: {})",
                    counters.get(Counters.JOURNAL_UNWRITABLE_ANSWERS));
            }
            else
            {
                counters.increment(Counters.JOURNAL_FAULTS);
                LOGGER.error("journal not writable (space allocated ahead: {} bytes, sync failing: {}, sync late: {}): " +
                    "requests are answered ERROR SYSTEM_ERROR until it is; probing", Math.max(0, engine.journalHeadroom()),
                    commit.failing(), abandoned());
            }
        }
        return writable;
    }

    /**
     * A failed sync (its batches can never be known durable) or one stuck past {@link EngineAgent#SYNC_STUCK_NS}:
     * fatal.
     *
     * @return true when it was.
     */
    boolean checkSync()
    {
        final boolean abandoned = abandoned();
        if ((0 == held.pendingBatches() && !abandoned) || failed)
        {
            return false;
        }
        final long failedToken = commit.failedToken();
        if (0 != failedToken)
        {
            fatal("journal sync failed (fdatasync); the records of the batches waiting for it may not be on the disk",
                null);
            return true;
        }
        final long sinceNs = abandoned ? abandonedSinceNs : held.oldestSinceNs();
        if (System.nanoTime() - sinceNs > EngineAgent.SYNC_STUCK_NS)
        {
            fatal("journal sync has not returned for " + TimeUnit.NANOSECONDS.toSeconds(EngineAgent.SYNC_STUCK_NS) +
                " s", null);
            return true;
        }
        return false;
    }

    /**
     * @return true while the commit stage has not caught up with a batch whose answers were released as SYSTEM_ERROR
     * for a late commit ({@link #abandonHeld()}): nothing is decided meanwhile.
     */
    boolean abandoned()
    {
        return abandonedToken > commit.committedToken();
    }

    /**
     * Ends the current batch: writes its journal records as one excerpt and closes the journal batch, then hands it
     * to the {@link LocalCommit}. When the stage counts a written batch as committed ({@code journal-sync=none}) its
     * responses are released at once (the records are in the memory-mapped journal: they survive a crash of the
     * process). Otherwise the batch asks the stage to commit it ({@code journal-sync=batch}: a sync by the
     * {@link JournalSyncer}) and its responses wait in the {@link HeldAnswers}, in decision order, until its token is
     * committed ({@link #releaseCommitted()}): the engine thread decides the next batch meanwhile (group commit off
     * the engine thread), and no response leaves before the journal records of its batch are committed. A failed
     * flush is a fatal journal fault: everything held is answered SYSTEM_ERROR.
     */
    void commitBatch()
    {
        if (failed)
        {
            held.releaseAllAsSystemError(nowMs);
            return;
        }
        try
        {
            engine.flushJournal();
        }
        catch (final Throwable ex)
        {
            // The space was allocated ahead, so this is no full disk we can wait out: an I/O error, or a SIGBUS on a
            // mapped page (InternalError) that may have left the excerpt half written.
            fatal("journal write failed", ex);
            return;
        }
        if (held.batchEmpty())
        {
            return;
        }
        if (commit.committedOnWrite())
        {
            held.releaseAll();
            return;
        }
        if (held.pendingBatches() == HeldAnswers.MAX_PENDING_BATCHES)
        {
            awaitCommitted(held.oldestToken(), Long.MAX_VALUE);
            if (failed)
            {
                held.releaseAllAsSystemError(nowMs);
                return;
            }
            releaseCommitted();
        }
        // A batch that journaled nothing (BALANCEs, BUSY-free errors) needs no sync of its own: its answers leave
        // with those of the batch before it (order kept), or at once when that one is durable already.
        final long journalIndex = engine.lastJournalIndex();
        final boolean journaled = journalIndex != syncRequestedJournalIndex;
        if (0 == held.pendingBatches() && (!journaled || (0 == requests.size() && commit.mayCommitOnEngineThread())))
        {
            // Nothing waits for a sync and no request waits to be decided: syncing here costs the engine nothing
            // (it would idle), and spares a light load two thread hand-offs per answer (to the sync thread and back).
            if (journaled)
            {
                try
                {
                    commit.commitOnEngineThread();
                }
                catch (final Throwable ex)
                {
                    fatal("journal sync failed (msync)", ex);
                    return;
                }
                syncRequestedJournalIndex = journalIndex;
                counters.increment(Counters.INLINE_SYNCS);
            }
            held.releaseAll();
            return;
        }
        final long token = journaled ? ++nextToken : nextToken;
        held.holdUntil(token);
        if (journaled)
        {
            syncRequestedJournalIndex = journalIndex;
            commit.request(token);
        }
    }

    /**
     * The held-answer stage is full: ends the current batch and waits for the oldest waiting batches to be committed
     * until there is room (the request ring fills meanwhile and sheds BUSY).
     *
     * @return true when the held answers were given up meanwhile for a late commit ({@link #abandonHeld()}): the
     * caller answers what it adds next the same way.
     */
    boolean makeRoom(final int length)
    {
        final long abandonedBefore = abandonedToken;
        commitBatch();
        held.compact();
        while (!held.fits(length) && held.pendingBatches() > 0 && held.running() && !failed)
        {
            awaitCommitted(held.oldestToken(), Long.MAX_VALUE);
            releaseCommitted();
        }
        return abandonedToken != abandonedBefore;
    }

    /**
     * At a clean stop: ends the current batch and releases every batch once committed, waiting at most
     * {@code timeoutNs} (a dead disk must not hang the stop).
     *
     * @return true when the tables may be snapshotted: no fault, and no batch answered SYSTEM_ERROR for a late sync
     * is still not durable.
     */
    boolean finish(final long timeoutNs)
    {
        commitBatch();
        awaitCommitted(nextToken, timeoutNs);
        releaseCommitted();
        held.wakeTouchedLoops();
        return !failed && !abandoned();
    }

    private void awaitCommitted(final long token, final long timeoutNs)
    {
        if (commit.committedOnWrite())
        {
            return;
        }
        final long startNs = System.nanoTime();
        waitIdle.reset();
        while (commit.committedToken() < token && held.running() && !failed && System.nanoTime() - startNs < timeoutNs)
        {
            if (0 != held.pendingBatches() && System.nanoTime() - held.oldestSinceNs() > commitAnswerNs &&
                0 == commit.failedToken())
            {
                // the engine thread must not wait longer than the answers may: they leave as SYSTEM_ERROR now
                abandonHeld();
                return;
            }
            if (0 != commit.failedToken() || System.nanoTime() - startNs > EngineAgent.SYNC_STUCK_NS)
            {
                checkSync();
                if (!failed)
                {
                    fatal("journal sync has not returned for " +
                        TimeUnit.NANOSECONDS.toSeconds(EngineAgent.SYNC_STUCK_NS) + " s", null);
                }
                return;
            }
            waitIdle.idle();
        }
    }

    /**
     * The oldest batch has waited {@link #commitAnswerNs} for its commit (a journal sync that has not returned):
     * every answer held is released as ERROR SYSTEM_ERROR (LOGON_RESULT 18) at once (PROTOCOL.md rule 14), and nothing
     * is decided — every request is answered SYSTEM_ERROR at once, no command applied, no snapshot written — until the
     * commit stage has committed every batch written so far ({@link #abandoned()}); then the engine decides again by
     * itself. A commit that fails meanwhile, or has not come {@link EngineAgent#SYNC_STUCK_NS} after the oldest of
     * these batches asked for it, is fatal (exit {@link EngineAgent#EXIT_JOURNAL_FAULT}). The records of the batches
     * answered SYSTEM_ERROR stay in the journal and in the tables: once the sync returns they are decisions like any
     * other, and a terminal that retries the same request gets that decision and its receipt (idempotency,
     * switch/JOURNAL.md "Faults").
     */
    private void abandonHeld()
    {
        final long journalIndex = engine.lastJournalIndex();
        if (journalIndex != syncRequestedJournalIndex)
        {
            // records written but not handed to the commit stage yet (the batch being committed): covered too
            syncRequestedJournalIndex = journalIndex;
            commit.request(++nextToken);
        }
        if (!abandoned())
        {
            abandonedSinceNs = 0 == held.pendingBatches() ? System.nanoTime() : held.oldestSinceNs();
            LOGGER.error("journal sync has not returned for {} ms: answering SYSTEM_ERROR to the {} batch(es) waiting " +
                "for it and to every request until it does (exit after {} s)",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - abandonedSinceNs), held.pendingBatches(),
                TimeUnit.NANOSECONDS.toSeconds(EngineAgent.SYNC_STUCK_NS));
        }
        abandonedToken = nextToken;
        decide = false;
        releaseAllAsSystemError();
        updateWritable();
    }

    /**
     * A journal fault this process cannot heal: the engine's tables may hold decisions whose records are not (known
     * to be) on the disk. Every answer not yet released becomes SYSTEM_ERROR (LOGON_RESULT 18), nothing more is
     * decided, nothing more is journaled or snapshotted, and {@link #onFatal} stops the process (non-zero) so that
     * its supervisor restarts it from what the journal holds.
     */
    void fatal(final String what, final Throwable cause)
    {
        if (failed)
        {
            return;
        }
        failed = true;
        journalWritable = false;
        counters.increment(Counters.JOURNAL_FAULTS);
        LOGGER.error("journal fault this process cannot heal: {}; answering SYSTEM_ERROR to every request not " +
            "answered yet and exiting with status {} for the supervisor to restart the switch", what,
            EngineAgent.EXIT_JOURNAL_FAULT, cause);
        releaseAllAsSystemError();
        try
        {
            onFatal.run();
        }
        catch (final RuntimeException ex)
        {
            LOGGER.error("stopping after the journal fault failed", ex);
        }
    }
}
