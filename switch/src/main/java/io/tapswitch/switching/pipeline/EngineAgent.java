package io.tapswitch.switching.pipeline;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.tapswitch.protocol.FrameHeader;
import io.tapswitch.protocol.MessageType;
import io.tapswitch.protocol.Messages;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.switching.engine.Engine;
import io.tapswitch.switching.journal.JournalSyncer;
import io.tapswitch.switching.journal.JournalWriter;
import io.tapswitch.switching.metrics.Counters;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single-node {@link CommitStage}, decide then commit: {@link Durability#WRITTEN} or {@link Durability#LOCAL_SYNC}
 * by {@code journal-sync}.
 * <p>
 * The engine thread: owns the {@link Engine} and the session table (which connection is logged on as which
 * terminal). Each duty cycle it decides a batch of requests from the request ring (copied out in chunks whose
 * table reads are warmed together, {@link Engine#warm()}) inside a journal batch
 * ({@link Engine#beginJournalBatch()}: the batch's records are written as one journal excerpt), flushes that
 * excerpt and hands it to its {@link LocalCommit}; the batch's answers wait in the {@link HeldAnswers} stage until
 * it is committed, then go to the rings of their event loops, which are woken once per release ({@link BatchCommits}:
 * the batches from written to answered, and the journal's faults on the way — late, failed or stuck commits); then
 * it applies admin commands (outside the batch, after it was flushed, so the journal keeps the decision order) and,
 * when due, writes a snapshot. The session table is a {@link SessionTable}.
 * <p>
 * Invariant: a response is released only after the journal record of its decision was written (flushed) and, with
 * {@code syncJournal}, synced; a crash before that loses only decisions nobody was told about.
 * <p>
 * Not thread-safe; runs on one thread under an {@link AgentRunner}. {@link #pause}
 * and {@link #resume} may be called from any thread (operations and tests).
 */
public final class EngineAgent implements CommitStage
{
    private static final int OUT_CAPACITY = 8192;
    private static final long NO_SESSION = SessionTable.NONE;
    private static final Logger LOGGER = LoggerFactory.getLogger(EngineAgent.class);

    private static final int STARTUP_COMMAND_BATCH = 65_536;
    /** Requests copied out of the ring, warmed together ({@link Engine#warm()}) and then decided, at a time. */
    private static final int WARM_CHUNK = 64;
    /** Allocated journal bytes ahead of the writer needed to decide a batch of requests (a batch writes far less). */
    static final long DECIDE_HEADROOM_BYTES = 1L << 20;
    /**
     * Answers held this long for a commit (journal sync) that has not come are released as ERROR SYSTEM_ERROR, and
     * nothing is decided until the commit stage has caught up with them (PROTOCOL.md rule 14: within a second; the
     * rest of the second is left to the time a request waited to be decided and to its event loop).
     */
    static final long COMMIT_ANSWER_NS = TimeUnit.MILLISECONDS.toNanos(800);
    /** A journal sync that neither succeeds nor fails for this long is given up: the switch exits. */
    static final long SYNC_STUCK_NS = TimeUnit.SECONDS.toNanos(10);
    /** Exit status of the switch after a journal fault it cannot heal while running (EX_IOERR). */
    public static final int EXIT_JOURNAL_FAULT = 74;
    private static final int MAX_REQUEST_RECORD =
        BitUtil.align(HandoffRecords.REQUEST_FRAME_OFFSET + FrameHeader.MAX_FRAME_BYTES, BitUtil.SIZE_OF_LONG);

    private final Supplier<Engine> engineFactory;
    private final CompletableFuture<Long> started = new CompletableFuture<>();
    private Engine engine;
    private final ManyToOneRingBuffer requests;
    private final EpochClock clock;
    private final IdleStrategy responseFullIdle;
    private final int batchSize;
    private final int commandPollLimit;
    private final long snapshotIntervalMs;
    private final Counters counters;

    private final UnsafeBuffer out = new UnsafeBuffer(ByteBuffer.allocateDirect(OUT_CAPACITY));
    private final LocalAnswers localAnswers = new LocalAnswers();
    private final HeldAnswers held;
    private final UnsafeBuffer chunk = new UnsafeBuffer(ByteBuffer.allocateDirect(WARM_CHUNK * MAX_REQUEST_RECORD));
    private final int[] chunkTypes = new int[WARM_CHUNK];
    private final int[] chunkOffsets = new int[WARM_CHUNK];
    private final int[] chunkLengths = new int[WARM_CHUNK];
    private final MessageHandler collector = this::collect;
    private int chunkCount;
    private int chunkBytes;
    private final boolean syncJournal;
    private final BatchCommits commits;
    private final UnsafeBuffer control = new UnsafeBuffer(ByteBuffer.allocateDirect(HandoffRecords.CONTROL_LENGTH));
    private final SessionTable sessions = new SessionTable();
    private final Set<String> loggedErrors = new HashSet<>();
    private final long commandHeadroomBytes;
    private volatile boolean paused;
    private long nowMs;
    private long nextSnapshotMs;

    /**
     * @param engineFactory      opens the engine; called on the engine thread, which owns the engine from then on
     *                           (Chronicle queues check that one thread uses them).
     * @param requests           the ring the event loops write requests to.
     * @param responses          one response ring per event loop, by loop index.
     * @param wakers             one task per event loop that schedules its response drain (idempotent).
     * @param clock              epoch clock for command and snapshot timing.
     * @param batchSize          requests decided before the responses are released.
     * @param commandPollLimit   admin commands applied per duty cycle.
     * @param snapshotIntervalMs 0 to disable periodic snapshots.
     * @param counters           counters this agent writes and the metrics read.
     * @param syncJournal        force each batch's journal records to disk before releasing its responses
     *                           (group commit: decisions survive a power loss, not only a process crash).
     */
    public EngineAgent(
        final Supplier<Engine> engineFactory,
        final ManyToOneRingBuffer requests,
        final OneToOneRingBuffer[] responses,
        final Runnable[] wakers,
        final EpochClock clock,
        final int batchSize,
        final int commandPollLimit,
        final long snapshotIntervalMs,
        final Counters counters,
        final boolean syncJournal)
    {
        this.syncJournal = syncJournal;
        this.engineFactory = engineFactory;
        this.requests = requests;
        this.clock = clock;
        this.batchSize = batchSize;
        this.commandPollLimit = commandPollLimit;
        this.snapshotIntervalMs = snapshotIntervalMs;
        this.counters = counters;
        this.responseFullIdle = new BackoffIdleStrategy(10, 10, 1_000, 100_000);
        this.held = new HeldAnswers(responses, wakers, counters, responseFullIdle);
        this.commits = new BatchCommits(held, requests, counters, responseFullIdle);
        this.commandHeadroomBytes = DECIDE_HEADROOM_BYTES + (long)commandPollLimit * JournalWriter.MAX_RECORD_BYTES;
    }

    /**
     * @param onFatal run once on the engine thread after a journal fault this process cannot heal (a failed journal
     *                write or sync): every answer not yet durable has been released as SYSTEM_ERROR; it should stop
     *                the process with a non-zero status ({@link #EXIT_JOURNAL_FAULT}) for its supervisor to restart
     *                it. Must not block.
     */
    public void onFatal(final Runnable onFatal)
    {
        commits.onFatal(onFatal);
    }

    /**
     * @param boundNs how long answers wait for their commit (journal sync) before they are released as SYSTEM_ERROR
     *                and deciding stops until the commit comes ({@code journal-sync-answer-ms}, default
     *                {@link #COMMIT_ANSWER_NS}); before the engine thread starts.
     */
    public void commitAnswerBound(final long boundNs)
    {
        commits.commitAnswerBound(boundNs);
    }

    /**
     * The one "journal writable" signal ({@code tapswitch_journal_writable}, and the switch's readiness): true while
     * the engine decides requests; false while the journal cannot make a decision durable (no space allocated ahead,
     * a failed or stuck sync, a failed write), when requests are answered ERROR SYSTEM_ERROR with their correlation
     * (LOGON_RESULT 18 for a LOGON) and the connection stays open. Any thread.
     */
    public boolean journalWritable()
    {
        return commits.journalWritable();
    }

    /**
     * @return true after a journal fault this process cannot heal (it exits).
     */
    public boolean failed()
    {
        return commits.failed();
    }

    public Durability durability()
    {
        return syncJournal ? Durability.LOCAL_SYNC : Durability.WRITTEN;
    }

    public String roleName()
    {
        return "tapswitch-engine";
    }

    public void onStart()
    {
        try
        {
            engine = engineFactory.get();
            // Commands queued while the switch was down (and the demo data) are applied before the first request.
            long applied = 0;
            int count;
            while ((count = engine.pollCommands(clock.time(), STARTUP_COMMAND_BATCH)) > 0)
            {
                applied += count;
            }
            nowMs = clock.time();
            commits.now(nowMs);
            nextSnapshotMs = snapshotIntervalMs > 0 ? nowMs + snapshotIntervalMs : Long.MAX_VALUE;
            commits.start(engine, LocalCommit.of(syncJournal, engine, Thread.currentThread()));
            started.complete(applied);
        }
        catch (final RuntimeException | Error ex)
        {
            started.completeExceptionally(ex);
            throw ex;
        }
    }

    /**
     * @return completes once the engine is open and the queued commands are applied, with their count.
     */
    public CompletableFuture<Long> started()
    {
        return started;
    }

    /**
     * @return the engine, once {@link #started()} completed; only its thread-safe counters may be read elsewhere.
     */
    public Engine engine()
    {
        return engine;
    }

    public int doWork()
    {
        if (commits.failed())
        {
            return answerFailed();
        }
        if (paused)
        {
            // Deciding stops; answers already decided still leave once their batch is durable.
            final int released = commits.releaseCommitted();
            commits.checkSync();
            held.wakeTouchedLoops();
            return released;
        }

        nowMs = clock.time();
        commits.now(nowMs);
        int workCount = commits.releaseCommitted();
        if (commits.checkSync())
        {
            return workCount + 1;
        }
        if (commits.abandonIfLate())
        {
            workCount++;
        }
        commits.startCycle();
        int decided = 0;
        engine.beginJournalBatch();
        while (decided < batchSize)
        {
            // Copied out of the ring in chunks: the engine stages each chunk's requests and loads what their
            // decisions read in one overlapped pass before deciding them one by one (and the ring space is freed
            // early).
            chunkCount = 0;
            chunkBytes = 0;
            final int read = requests.read(collector, Math.min(WARM_CHUNK, batchSize - decided));
            if (read == 0)
            {
                break;
            }
            if (commits.decides())
            {
                engine.warm();
            }
            for (int i = 0; i < chunkCount; i++)
            {
                onRecord(chunkTypes[i], chunk, chunkOffsets[i], chunkLengths[i]);
            }
            decided += read;
        }
        // always: ends the journal batch, even when the ring held no request
        commits.commitBatch();
        if (commits.failed())
        {
            return workCount + decided;
        }
        if (decided > 0)
        {
            workCount += decided;
            workCount += commits.releaseCommitted();
        }
        held.wakeTouchedLoops();

        final int commandLimit = commits.decides() ? commandLimit() : 0;
        if (commandLimit > 0)
        {
            // commands journal too (up to the largest record each): applied only while their space is allocated
            try
            {
                workCount += engine.pollCommands(nowMs, commandLimit);
            }
            catch (final Throwable ex)
            {
                commits.fatal("journal write of an admin command failed", ex);
                return workCount + 1;
            }
        }

        if (commits.decides() && nowMs - nextSnapshotMs >= 0)
        {
            nextSnapshotMs = nowMs + snapshotIntervalMs;
            engine.snapshot();
            counters.increment(Counters.SNAPSHOTS);
            workCount++;
        }

        return workCount;
    }

    /**
     * @return admin commands this duty cycle may apply: each may journal a record of up to
     * {@link JournalWriter#MAX_RECORD_BYTES}, all within the space allocated ahead.
     */
    private int commandLimit()
    {
        final long headroom = engine.journalHeadroom();
        if (headroom >= commandHeadroomBytes)
        {
            return commandPollLimit;
        }
        return (int)Math.max(0, (headroom - DECIDE_HEADROOM_BYTES) / JournalWriter.MAX_RECORD_BYTES);
    }

    /**
     * After a fatal journal fault: every request is answered SYSTEM_ERROR at once until the process exits.
     */
    private int answerFailed()
    {
        chunkCount = 0;
        chunkBytes = 0;
        final int read = requests.read(collector, WARM_CHUNK);
        for (int i = 0; i < chunkCount; i++)
        {
            onRecord(chunkTypes[i], chunk, chunkOffsets[i], chunkLengths[i]);
        }
        commits.releaseAllAsSystemError();
        return read;
    }

    public void onClose()
    {
        if (null == engine)
        {
            held.stopWaiting();
            return;
        }
        if (commits.failed())
        {
            // After a journal fault nothing more is written: no flush of a pending batch, no snapshot of tables that
            // may hold decisions the journal does not.
            held.stopWaiting();
            try
            {
                commits.stage().close();
            }
            finally
            {
                engine.closeWithoutFlush();
            }
            return;
        }
        try
        {
            // Answers decided before the stop leave once durable (bounded: a dead disk must not hang the stop).
            final boolean snapshot = commits.finish(TimeUnit.SECONDS.toNanos(10));
            held.stopWaiting();
            if (snapshot)
            {
                // (not after a fault, nor while batches answered SYSTEM_ERROR for a late sync are still not durable)
                engine.snapshot();
            }
        }
        finally
        {
            held.stopWaiting();
            commits.stage().close();
            if (commits.failed())
            {
                engine.closeWithoutFlush();
            }
            else
            {
                engine.close();
            }
        }
    }

    /**
     * @return the journal syncer (with journal sync on, once started), or null.
     */
    public JournalSyncer syncer()
    {
        return commits.stage() instanceof LocalGroupCommit local ? local.syncer() : null;
    }

    /**
     * Stops deciding until {@link #resume()}: requests wait in the ring (which then fills and sheds BUSY).
     */
    public void pause()
    {
        paused = true;
    }

    public void resume()
    {
        paused = false;
    }

    /**
     * Lets a response offer that waits for a full response ring give up (at shutdown).
     */
    public void stopWaiting()
    {
        held.stopWaiting();
    }

    private void collect(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final int offset = chunkBytes;
        chunk.putBytes(offset, buffer, index, length);
        chunkTypes[chunkCount] = msgTypeId;
        chunkOffsets[chunkCount] = offset;
        chunkLengths[chunkCount] = length;
        chunkCount++;
        chunkBytes = BitUtil.align(offset + length, BitUtil.SIZE_OF_LONG);
        if (HandoffRecords.REQUEST == msgTypeId)
        {
            final long connectionId = chunk.getLong(offset + HandoffRecords.CONNECTION_ID_OFFSET);
            engine.prepare(sessions.terminalOf(connectionId), chunk, offset + HandoffRecords.REQUEST_FRAME_OFFSET);
        }
    }

    private void onRecord(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        if (HandoffRecords.REQUEST == msgTypeId)
        {
            onRequest(buffer, index, length);
        }
        else if (HandoffRecords.DISCONNECT == msgTypeId)
        {
            onDisconnect(buffer.getLong(index + HandoffRecords.CONNECTION_ID_OFFSET));
        }
    }

    private void onRequest(final DirectBuffer buffer, final int index, final int length)
    {
        final long connectionId = buffer.getLong(index + HandoffRecords.CONNECTION_ID_OFFSET);
        final long receivedNs = buffer.getLong(index + HandoffRecords.RECEIVED_NS_OFFSET);
        final long requestNowMs = buffer.getLong(index + HandoffRecords.REQUEST_NOW_MS_OFFSET);
        final int seq = buffer.getInt(index + HandoffRecords.REQUEST_SEQ_OFFSET);
        final int frameOffset = index + HandoffRecords.REQUEST_FRAME_OFFSET;
        final int type = FrameHeader.type(buffer, frameOffset);
        final long sessionTerminalId = sessions.terminalOf(connectionId);
        final int outOffset = HandoffRecords.RESPONSE_FRAME_OFFSET;

        int responseLength;
        if (MessageType.LOGON != type && NO_SESSION == sessionTerminalId)
        {
            // The LOGON before this request failed (its connection is closing) or the connection is gone.
            responseLength = localAnswers.error(out, outOffset, FrameHeader.correlation(buffer, frameOffset),
                ReasonCode.NOT_LOGGED_ON);
        }
        else if ((!commits.decides() || commits.failed()) && MessageType.BALANCE != type)
        {
            // PROTOCOL.md rule 14: the journal cannot make a decision durable now; nothing is decided or recorded,
            // the terminal may retry the same request later. A BALANCE journals nothing and is still answered.
            counters.increment(Counters.JOURNAL_UNWRITABLE_ANSWERS);
            final int correlation = FrameHeader.correlation(buffer, frameOffset);
            responseLength = MessageType.LOGON == type ?
                localAnswers.logonFailed(out, outOffset, correlation, ReasonCode.SYSTEM_ERROR, requestNowMs) :
                localAnswers.error(out, outOffset, correlation, ReasonCode.SYSTEM_ERROR);
        }
        else
        {
            try
            {
                responseLength = engine.onRequest(requestNowMs, sessionTerminalId, buffer, frameOffset, out, outOffset);
            }
            catch (final RuntimeException ex)
            {
                counters.increment(Counters.ENGINE_ERRORS);
                onEngineError(ex);
                responseLength = localAnswers.error(out, outOffset, FrameHeader.correlation(buffer, frameOffset),
                    ReasonCode.SYSTEM_ERROR);
            }
        }

        final int responseType = out.getByte(outOffset + FrameHeader.TYPE_OFFSET) & 0xFF;
        if (MessageType.LOGON_RESULT == responseType)
        {
            onLogonResult(connectionId, sessionTerminalId, buffer, frameOffset);
        }
        else if (MessageType.ERROR != responseType)
        {
            counters.onResult(responseType, out.getByte(outOffset + FrameHeader.BODY_OFFSET) & 0xFF,
                out.getByte(outOffset + FrameHeader.BODY_OFFSET + 1) & 0xFF);
        }

        out.putLong(HandoffRecords.CONNECTION_ID_OFFSET, connectionId);
        out.putLong(HandoffRecords.RECEIVED_NS_OFFSET, receivedNs);
        out.putInt(HandoffRecords.RESPONSE_SEQ_OFFSET, seq);
        out.putInt(HandoffRecords.RESPONSE_SEQ_OFFSET + BitUtil.SIZE_OF_INT, 0);
        stage(HandoffRecords.RESPONSE, HandoffRecords.loopIndex(connectionId), out, outOffset + responseLength);
        counters.increment(Counters.REQUESTS_DECIDED);
    }

    private void onLogonResult(
        final long connectionId, final long sessionTerminalId, final DirectBuffer frame, final int frameOffset)
    {
        final int result = out.getByte(HandoffRecords.RESPONSE_FRAME_OFFSET + FrameHeader.BODY_OFFSET +
            Messages.LogonResult.RESULT_OFFSET) & 0xFF;
        counters.onLogon(result);
        if (ReasonCode.OK != result && NO_SESSION != sessionTerminalId)
        {
            // A failed second LOGON on a logged-on connection: the connection closes (PROTOCOL.md rule 2), so
            // requests pipelined behind it decide nothing (NOT_LOGGED_ON, never delivered).
            onDisconnect(connectionId);
            return;
        }
        if (ReasonCode.OK != result || NO_SESSION != sessionTerminalId)
        {
            return;
        }

        final long terminalId = frame.getLong(
            frameOffset + FrameHeader.BODY_OFFSET + Messages.Logon.TERMINAL_ID_OFFSET, LITTLE_ENDIAN);
        final long olderConnectionId = sessions.logOn(connectionId, terminalId);
        if (NO_SESSION != olderConnectionId)
        {
            // One session per terminal: the older connection decides nothing more and is closed at once.
            control.putLong(HandoffRecords.CONNECTION_ID_OFFSET, olderConnectionId);
            stage(HandoffRecords.CLOSE, HandoffRecords.loopIndex(olderConnectionId), control,
                HandoffRecords.CONTROL_LENGTH);
            counters.increment(Counters.SESSIONS_REPLACED);
        }
    }

    private void onDisconnect(final long connectionId)
    {
        sessions.disconnect(connectionId);
    }

    /**
     * Holds a response of the current batch until the batch is committed ({@link HeldAnswers}); when the stage is
     * full, the records decided so far are flushed (their responses staged for release) and the rest of the batch
     * goes on in a new journal batch.
     */
    private void stage(final int msgTypeId, final int loopIndex, final DirectBuffer buffer, final int length)
    {
        boolean abandonedMeanwhile = false;
        if (!held.fits(length))
        {
            abandonedMeanwhile = commits.makeRoom(length);
            engine.beginJournalBatch();
        }
        held.hold(msgTypeId, loopIndex, buffer, length);
        if (abandonedMeanwhile)
        {
            // decided (and flushed by makeRoom) before the late commit was given up: answered like the held ones
            commits.releaseAllAsSystemError();
        }
    }

    private void onEngineError(final RuntimeException ex)
    {
        // A bug, not an expected outcome: logged once per exception class, counted every time.
        if (loggedErrors.add(ex.getClass().getName()))
        {
            LOGGER.error("engine failed on a request; answered SYSTEM_ERROR (logged once per exception type)", ex);
        }
    }

    /**
     * @return sessions logged on, as the engine thread last saw them (for tests on the engine thread only).
     */
    int sessionCount()
    {
        return sessions.size();
    }
}
