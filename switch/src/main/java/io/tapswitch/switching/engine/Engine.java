package io.tapswitch.switching.engine;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;

import io.tapswitch.formats.Queues;
import io.tapswitch.formats.journal.JournalDecoder;
import io.tapswitch.protocol.ErrorEncoder;
import io.tapswitch.protocol.FrameHeader;
import io.tapswitch.protocol.HeartbeatResultEncoder;
import io.tapswitch.protocol.LogonResultEncoder;
import io.tapswitch.protocol.MessageType;
import io.tapswitch.protocol.Messages;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.protocol.ReversalResultEncoder;
import io.tapswitch.protocol.TapResultEncoder;
import io.tapswitch.switching.journal.CommandQueueTailer;
import io.tapswitch.switching.journal.JournalPretoucher;
import io.tapswitch.switching.journal.JournalReplay;
import io.tapswitch.switching.journal.JournalReserver;
import io.tapswitch.switching.journal.JournalWriter;
import io.tapswitch.switching.snapshot.SnapshotFiles;
import io.tapswitch.switching.snapshot.SnapshotInput;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The authorization engine: decides LOGON, TAP, REVERSAL and BALANCE requests against in-memory tables and appends
 * every decision to the journal before returning the response; applies admin commands from the command queue.
 * <p>
 * This class opens the engine, hands each request to its rule and writes the response frame with the protocol
 * module's encoders; each rule is read in one place: {@link TapRule}, {@link ReversalRule}, {@link BalanceRule},
 * {@link LogonRule}, with what they share in {@link Eligibility} (card state, program window and period) and
 * {@link RetryRule} (idempotent retries), and the admin commands in {@link CommandRules} (fed by
 * {@link CommandIntake}). The journal records and their replay check are in {@link DecisionJournal}, recovery in
 * {@link EngineRecovery}, snapshots and retention in {@link EngineSnapshots}, cache warming in {@link CacheWarmer}.
 * <p>
 * Not thread-safe; owned by the engine thread (single writer). It may be opened on another thread and handed to the
 * engine thread (with a happens-before edge, e.g. a thread start or a queue), never used by two threads at once. The
 * engine reads no clock: every input carries the time it was stamped with on entry ({@code nowMs}), which is
 * journaled so a replay decides the same. State is a pure function of the journal: {@link #open} loads the newest
 * snapshot and decides the journal after it again.
 * <p>
 * Effects are applied only after the journal append succeeded: if an append throws, nothing was decided.
 * <p>
 * Group commit: between {@link #beginJournalBatch()} and {@link #flushJournal()} the records of the decisions are
 * appended to one pending journal excerpt, written by the flush; a decision of the batch must not be answered before
 * that flush returned (the pipeline holds the batch's responses until then). {@link #syncJournal()},
 * {@link #snapshot()}, {@link #pollCommands} and {@link #close()} flush pending records first.
 */
public final class Engine implements AutoCloseable
{
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /** Most requests {@link #prepare} stages for one {@link #warm()}. */
    public static final int WARM_CAPACITY = 256;

    private final EngineConfig config;
    private final EngineCounters counters = new EngineCounters();
    private final EngineState state;
    private final Outcome outcome = new Outcome();
    private final JournalWriter journalWriter;
    private final JournalPretoucher pretoucher;
    private final DecisionJournal journal;
    private final CommandIntake commands;
    private final EngineSnapshots snapshots;
    private final CacheWarmer warmer;
    private final TapRule tapRule;
    private final ReversalRule reversalRule;
    private final BalanceRule balanceRule;
    private final LogonRule logonRule;
    private final EngineRecovery recovery;
    private final TapResultEncoder tapResult = new TapResultEncoder();
    private final ReversalResultEncoder reversalResult = new ReversalResultEncoder();
    private final LogonResultEncoder logonResult = new LogonResultEncoder();
    private final HeartbeatResultEncoder heartbeatResult = new HeartbeatResultEncoder();
    private final ErrorEncoder error = new ErrorEncoder();
    private boolean closed;
    /** A replica (issue 15, {@link #openReplica}): state from the cluster, the journal an output only. */
    private boolean replica;

    private Engine(final EngineConfig config)
    {
        Queues.disableAnalytics();
        this.config = config;
        this.state = new EngineState(config);
        final CityClock nowClock = new CityClock(config.zoneId());
        final CityClock judgeClock = new CityClock(config.zoneId());
        this.journalWriter = JournalWriter.open(config.dataDir(), config.journalSyncToDisk(),
            config.journalAppendObserver());
        counters.journalHeaderRepairs = null == journalWriter.repair() ? 0 : 1;
        this.pretoucher = config.journalPretouchBytes() > 0 ?
            new JournalPretoucher(Queues.journalDir(config.dataDir()), config.journalPretouchBytes()) : null;
        journalWriter.pretoucher(pretoucher);
        journalWriter.reserveAhead(config.journalReserveBytes());
        this.journal = new DecisionJournal(journalWriter, counters);
        // the engine may be opened on one thread and handed to its engine thread (one thread at a time)
        this.commands = new CommandIntake(state, journal, counters, new CommandQueueTailer(config.dataDir()));
        this.snapshots = new EngineSnapshots(config, state, journal, commands, counters);
        this.warmer = new CacheWarmer(state);
        this.tapRule = new TapRule(config, state, outcome, journal, nowClock, judgeClock);
        this.reversalRule = new ReversalRule(config, state, outcome, journal, nowClock);
        this.balanceRule = new BalanceRule(state, counters, nowClock);
        this.logonRule = new LogonRule(config, state, journal, counters);
        this.recovery = new EngineRecovery(config, state, journal, commands, snapshots, warmer, tapRule, reversalRule,
            logonRule, counters);
    }

    /** Opens the engine on a data directory: loads the latest snapshot, replays the journal after it. */
    public static Engine open(final EngineConfig config)
    {
        config.validate();
        final ReplayProgress progress = config.replayProgress();
        progress.start();
        final Engine engine;
        try
        {
            engine = new Engine(config);
        }
        catch (final RuntimeException ex)
        {
            progress.failed();
            throw ex;
        }
        try
        {
            engine.recovery.recover();
        }
        catch (final RuntimeException ex)
        {
            progress.failed();
            engine.releaseResources();
            throw ex;
        }
        progress.finish();
        return engine;
    }

    // ============================================================================ replication (issue 15)

    /**
     * Opens the engine as the state machine of a replicated switch ({@code io.tapswitch.switching.cluster}): the
     * tables start empty and are rebuilt by the cluster (its snapshot, {@link #loadState}, and its log, decided again
     * in log order); nothing is read from the local snapshots. The journal is an output: its torn tail is cut, and a
     * decision whose record (by sequence) the journal already holds is not appended again, so the journal stays
     * gap-free and identical on every member. {@link #snapshot()} writes no file (the cluster snapshots
     * {@link #saveState}).
     */
    public static Engine openReplica(final EngineConfig config)
    {
        config.validate();
        final Engine engine = new Engine(config);
        try
        {
            engine.replica = true;
            final JournalDecoder record = new JournalDecoder();
            final long[] last = {0};
            engine.counters.journalTornExcerpts = JournalReplay.read(engine.journalWriter, -1,
                (index, buffer, offset, length) ->
                {
                    record.wrap(buffer, offset, length);
                    last[0] = record.sequence();
                    engine.journal.lastJournalIndex = index;
                });
            engine.journal.heldThrough = last[0];
        }
        catch (final RuntimeException ex)
        {
            engine.releaseResources();
            throw ex;
        }
        return engine;
    }

    /**
     * @return the last sequence a replica's journal held when it was opened (0 when empty or not a replica).
     */
    public long journalHeldThrough()
    {
        return journal.heldThrough;
    }

    /**
     * Writes the whole state (the snapshot file layout of {@link SnapshotFiles}) into a new file in {@code dir}.
     *
     * @return the file.
     */
    public Path saveState(final Path dir) throws IOException
    {
        ensureOpen();
        journal.flushPending();
        final long sequence = journal.sequence;
        new SnapshotFiles(dir).write(sequence, commands.lastCommandId, commands.lastCommandQueueIndex,
            journal.lastJournalIndex, snapshots.body());
        return dir.resolve(String.format("%s%020d%s", SnapshotFiles.PREFIX, sequence, SnapshotFiles.SUFFIX));
    }

    /**
     * Replaces the state with the one {@link #saveState} wrote (checksum verified).
     */
    public void loadState(final Path file) throws IOException
    {
        ensureOpen();
        if (!SnapshotInput.verifyChecksum(file))
        {
            throw new IOException("state file damaged: " + file);
        }
        final long journalIndex = journal.lastJournalIndex;
        recovery.resetState();
        snapshots.load(file);
        if (replica)
        {
            journal.lastJournalIndex = journalIndex;
        }
        commands.updateTableCounters();
    }

    /**
     * Applies one admin command handed in by the caller (a replica gets them from the cluster log, not from its
     * command queue): one already applied (its id not above the last) is skipped; otherwise applied or rejected and
     * journaled as {@link #pollCommands} does.
     *
     * @param queueIndex the command's index in the command queue it was read from.
     * @return true when it was applied or rejected, false when skipped.
     */
    public boolean applyCommand(
        final long nowMs, final DirectBuffer buffer, final int offset, final int length, final long queueIndex)
    {
        ensureOpen();
        return commands.apply(nowMs, buffer, offset, length, queueIndex);
    }

    // ============================================================================================== requests

    /**
     * Decides one request frame (header included, already validated for length/version/type/body size
     * by the network layer) received on a session. sessionTerminalId is 0 before a successful LOGON.
     * Handles LOGON (credentials, freshness, nonce; INVALID_REQUEST if sessionTerminalId != 0),
     * TAP, REVERSAL, BALANCE. The decision is appended to the journal before this method returns.
     * Writes the complete response frame (header included) at out[outOffset] and returns its length; out needs room
     * for {@link FrameHeader#MAX_FRAME_BYTES} (a BALANCE_RESULT is at most 1 036 bytes).
     * A HEARTBEAT is echoed; any other type gets ERROR MALFORMED_FRAME (the network layer filters those first).
     */
    public int onRequest(
        final long nowMs, final long sessionTerminalId, final DirectBuffer frame, final int frameOffset,
        final MutableDirectBuffer out, final int outOffset)
    {
        ensureOpen();
        final int type = frame.getByte(frameOffset + FrameHeader.TYPE_OFFSET) & 0xFF;
        final int correlation = frame.getInt(frameOffset + FrameHeader.CORRELATION_OFFSET, LE);
        final int body = frameOffset + FrameHeader.BODY_OFFSET;
        final Outcome r = outcome;
        switch (type)
        {
            case MessageType.TAP:
            {
                tapRule.decide(nowMs, sessionTerminalId, correlation,
                    frame.getLong(body + Messages.Tap.CARD_ID_OFFSET, LE),
                    frame.getInt(body + Messages.Tap.PROGRAM_ID_OFFSET, LE),
                    frame.getShort(body + Messages.Tap.QUANTITY_OFFSET, LE) & 0xFFFF,
                    frame.getShort(body + Messages.Tap.FLAGS_OFFSET, LE) & 0xFFFF,
                    frame.getLong(body + Messages.Tap.TERMINAL_TIME_MS_OFFSET, LE));
                return tapResult.wrap(out, outOffset).correlation(correlation).decision(r.decision).reason(r.reason)
                    .remaining(r.remaining).receipt(r.receipt).encodedLength();
            }
            case MessageType.REVERSAL:
            {
                reversalRule.decide(nowMs, sessionTerminalId, correlation,
                    frame.getInt(body + Messages.Reversal.ORIGINAL_CORRELATION_OFFSET, LE),
                    frame.getLong(body + Messages.Reversal.CARD_ID_OFFSET, LE));
                return reversalResult.wrap(out, outOffset).correlation(correlation).decision(r.decision)
                    .reason(r.reason).remaining(r.remaining).receipt(r.receipt).encodedLength();
            }
            case MessageType.BALANCE:
                return balanceRule.decide(nowMs, correlation, frame.getLong(body + Messages.Balance.CARD_ID_OFFSET, LE),
                    out, outOffset);
            case MessageType.LOGON:
            {
                final int result = logonRule.decide(nowMs, sessionTerminalId, frame, body);
                return logonResult.wrap(out, outOffset).correlation(correlation).result(result)
                    .heartbeatMs(result == ReasonCode.OK ? config.heartbeatMs() : 0).serverTimeMs(nowMs)
                    .encodedLength();
            }
            case MessageType.HEARTBEAT:
            {
                return heartbeatResult.wrap(out, outOffset).correlation(correlation)
                    .timestampMs(frame.getLong(body + Messages.Heartbeat.TIMESTAMP_MS_OFFSET, LE)).encodedLength();
            }
            default:
            {
                return error.wrap(out, outOffset).correlation(correlation).code(ReasonCode.MALFORMED_FRAME)
                    .encodedLength();
            }
        }
    }

    /**
     * Stages a request that {@link #onRequest} will decide soon, so that {@link #warm()} can bring what its decision
     * reads into the cache together with the other staged requests. Reads the frame and the tables only; changes
     * nothing, decides nothing, and may be skipped or called for requests that are never decided. A TAP, REVERSAL
     * or BALANCE is staged (up to {@link #WARM_CAPACITY}; more are ignored); any other type is ignored.
     *
     * @param sessionTerminalId the terminal of the request's session, 0 before LOGON.
     */
    public void prepare(final long sessionTerminalId, final DirectBuffer frame, final int frameOffset)
    {
        warmer.prepare(sessionTerminalId, frame, frameOffset);
    }

    /**
     * Loads into the cache, level by level over all the requests staged by {@link #prepare} since the last call,
     * what their decisions will read (card, holder, usage counter, idempotency entry), then forgets them. With
     * millions of cards each decision otherwise waits for several cache misses in a row; staged together, the misses
     * of many requests overlap. Changes no state: deciding without it gives the same results, only slower.
     */
    public void warm()
    {
        warmer.warm();
    }

    // ----------------------------------------------------------------------------------------------- commands

    /**
     * Applies up to limit pending admin commands from the command queue; returns how many were read (applied,
     * rejected or skipped as already applied). Also takes the interval snapshot when it is due.
     * <p>
     * Records pending in a journal batch are flushed first. Called inside a batch, the commands' records join it
     * (written by the caller's {@link #flushJournal()}); outside a batch each is written as its own excerpt.
     */
    public int pollCommands(final long nowMs, final int limit)
    {
        ensureOpen();
        // the decisions before these commands are written first (the journal keeps the decision order)
        journal.flushPending();
        snapshots.maybeSnapshot(nowMs);
        return commands.poll(nowMs, limit);
    }

    // ------------------------------------------------------------------------------------------------ snapshots

    /**
     * Writes a snapshot of all tables now (engine thread); then applies journal retention. Records pending in a
     * journal batch are flushed first, so the snapshot names the index of a written excerpt holding its last record.
     */
    public void snapshot()
    {
        ensureOpen();
        if (replica)
        {
            // the cluster takes the snapshots (saveState)
            journal.flushPending();
            return;
        }
        snapshots.snapshot();
    }

    /**
     * Deletes journal cycle files whose records are all covered by the snapshot and by the admin's ingested position.
     *
     * @return the number of files deleted.
     */
    int applyRetention(final long snapshotIndex)
    {
        return snapshots.applyRetention(snapshotIndex);
    }

    // ------------------------------------------------------------------------------------------------- journal

    /**
     * @return the roll cycle of the journal file appends go to now (for a {@link
     * io.tapswitch.switching.journal.JournalSyncer} on another thread).
     */
    public int journalCycle()
    {
        return journalWriter.cycle();
    }

    /**
     * @return bytes the journal can take before it meets a full filesystem ({@link JournalWriter#headroom()}); the
     * caller decides nothing that could need more (engine thread).
     */
    public long journalHeadroom()
    {
        return journalWriter.headroom();
    }

    /**
     * @return the journal space reserver (its failures are metrics), or null.
     */
    public JournalReserver journalReserver()
    {
        return journalWriter.reserver();
    }

    /**
     * @return the directory of the journal queue.
     */
    public Path journalDir()
    {
        return Queues.journalDir(config.dataDir());
    }

    /**
     * Forces every journal record appended so far to the disk (msync), so the decisions already returned survive a
     * power loss, not only a crash of the process. Costs a disk flush: call it once per batch of requests, before
     * releasing the batch's responses (group commit). Engine thread.
     */
    public void syncJournal()
    {
        ensureOpen();
        journal.flushPending();
        journalWriter.sync();
    }

    /**
     * Starts a journal batch (group commit): the records of the decisions from now on are appended to one pending
     * excerpt instead of one excerpt each, and written by {@link #flushJournal()}. The responses of the batch must
     * be held until that flush returned: an unflushed decision is lost by a crash. Engine thread; does nothing if a
     * batch is already open.
     */
    public void beginJournalBatch()
    {
        ensureOpen();
        journalWriter.beginBatch();
    }

    /**
     * Writes the records of the journal batch as one excerpt (or more, if they exceed
     * {@link JournalWriter#MAX_EXCERPT_BYTES}) and closes the batch: the batch's decisions may now be answered
     * (after {@link #syncJournal()} too, for power-loss durability). Does nothing to the journal when no record is
     * pending. If the write throws, the records stay pending and the batch open; the next flush writes them.
     *
     * @return {@link #lastJournalIndex()}.
     */
    public long flushJournal()
    {
        ensureOpen();
        return journal.endBatch();
    }

    /**
     * @return the journal index up to which records were forced to the disk by {@link #syncJournal()}, -1 if none.
     */
    public long lastSyncedJournalIndex()
    {
        return journalWriter.lastIndexSynced();
    }

    // ------------------------------------------------------------------------------------------------- accessors

    /** Heartbeat interval given to terminals in LOGON_RESULT. */
    public int heartbeatMs()
    {
        return config.heartbeatMs();
    }

    /** Counters for the metrics layer (read at scrape time). */
    public EngineCounters counters()
    {
        return counters;
    }

    /** Sequence of the last journal record (the last receipt issued or the last command / logon journaled). */
    public long lastSequence()
    {
        return journal.sequence;
    }

    /** Id of the last command applied or rejected. */
    public long lastCommandId()
    {
        return commands.lastCommandId;
    }

    /**
     * Queue index of the last journal excerpt written (flushed) or replayed, -1 if none. Records pending in a journal
     * batch are not covered until {@link #flushJournal()}.
     */
    public long lastJournalIndex()
    {
        return journal.lastJournalIndex;
    }

    /** Journal records decided again by {@link #open} (after the snapshot, if one was loaded). */
    public long replayedRecords()
    {
        return recovery.replayedRecords();
    }

    /**
     * @return nanoseconds {@link #open} spent reading and replaying the journal (after loading the snapshot, if any).
     */
    public long replayNanos()
    {
        return recovery.replayNanos();
    }

    /**
     * Replayed records whose outcome differs from the journaled one (a bug or a changed rule); 0 in a healthy
     * switch.
     */
    public long replayMismatches()
    {
        return journal.replayMismatches;
    }

    /** Digest of every table, for comparing two engines' state (allocates; not for the hot path). */
    public TableDigest digest()
    {
        final Tables tables = state.tables;
        return new TableDigest(journal.sequence, commands.lastCommandId, tables.digestCards(), tables.digestHolders(),
            tables.digestHouseholds(), tables.digestUsage(), tables.digestPrograms(), tables.digestOutlets(),
            tables.digestTerminals(), state.idempotency.digest(), state.nonces.digest());
    }

    private void ensureOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("engine is closed");
        }
    }

    // ------------------------------------------------------------------------------------------------- closing

    /**
     * Flushes records pending in a journal batch, writes a final snapshot (if anything changed since the last) and
     * closes the queues.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        try
        {
            snapshot();
        }
        finally
        {
            releaseResources();
        }
    }

    /**
     * Releases the queues without a snapshot and without writing a pending journal batch: after a journal fault, when
     * the tables may hold decisions the journal does not (they must not reach a snapshot or the journal).
     */
    public void closeWithoutFlush()
    {
        releaseResources();
    }

    /**
     * Releases the queues without a snapshot and without flushing a pending journal batch, as if the process had
     * stopped here: for crash tests.
     */
    void abandon()
    {
        releaseResources();
    }

    private void releaseResources()
    {
        closed = true;
        if (null != pretoucher)
        {
            pretoucher.close();
        }
        commands.close();
        journalWriter.close();
    }
}
