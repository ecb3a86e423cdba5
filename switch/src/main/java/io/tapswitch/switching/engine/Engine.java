package io.tapswitch.switching.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.tapswitch.formats.journal.JournalEncoder;
import io.tapswitch.protocol.BalanceResultEncoder;
import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.ErrorEncoder;
import io.tapswitch.protocol.FrameHeader;
import io.tapswitch.protocol.HeartbeatResultEncoder;
import io.tapswitch.protocol.LogonResultEncoder;
import io.tapswitch.protocol.Messages;
import io.tapswitch.protocol.MessageType;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.formats.command.CardStatus;
import io.tapswitch.formats.command.CommandDecoder;
import io.tapswitch.formats.command.CommandRejectReason;
import io.tapswitch.formats.command.Commands;
import io.tapswitch.formats.journal.JournalDecoder;
import io.tapswitch.protocol.ReversalResultEncoder;
import io.tapswitch.protocol.TapResultEncoder;
import io.tapswitch.switching.journal.CommandQueueTailer;
import io.tapswitch.switching.journal.JournalPretoucher;
import io.tapswitch.switching.journal.JournalReplay;
import io.tapswitch.switching.journal.JournalReserver;
import io.tapswitch.switching.journal.JournalRetention;
import io.tapswitch.formats.journal.JournalRecord;
import io.tapswitch.switching.journal.JournalWriter;
import io.tapswitch.formats.Queues;
import io.tapswitch.switching.snapshot.SnapshotFiles;
import io.tapswitch.switching.snapshot.SnapshotInput;
import io.tapswitch.switching.snapshot.SnapshotOutput;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Why this file is long: the four request rules (LOGON, TAP, REVERSAL, BALANCE), their replay at recovery and the
 * journal records they write share the per-decision result registers ({@code r*} fields) and the sequence, plain
 * fields so that the hot path allocates nothing. The command rules ({@link CommandRules}), snapshot files
 * ({@link io.tapswitch.switching.snapshot.SnapshotFiles}), the journal read at recovery
 * ({@link io.tapswitch.switching.journal.JournalReplay}) and retention are already out of it.
 * <p>
 * The authorization engine: decides LOGON, TAP, REVERSAL and BALANCE requests against in-memory tables and appends
 * every decision to the journal before returning the response; applies admin commands from the command queue.
 * <p>
 * Not thread-safe; owned by the engine thread (single writer). It may be opened on another thread and handed to the
 * engine thread (with a happens-before edge, e.g. a thread start or a queue), never used by two threads at once. The engine reads no clock: every input carries the
 * time it was stamped with on entry ({@code nowMs}), which is journaled so a replay decides the same. State is a
 * pure function of the journal: {@link #open} loads the newest snapshot and decides the journal after it again.
 * <p>
 * Effects are applied only after the journal append succeeded: if an append throws, nothing was decided.
 * <p>
 * Group commit: between {@link #beginJournalBatch()} and {@link #flushJournal()} the records of the decisions are
 * appended to one pending journal excerpt, written by the flush; a decision of the batch must not be answered before
 * that flush returned (the network layer holds the batch's responses until then). {@link #syncJournal()},
 * {@link #snapshot()}, {@link #pollCommands} and {@link #close()} flush pending records first.
 */
public final class Engine implements AutoCloseable
{
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final long UNSIGNED_INT_MASK = 0xFFFF_FFFFL;

    private final EngineConfig config;
    private final SnapshotFiles snapshots;
    private final SnapshotFiles.Body snapshotBody = new SnapshotFiles.Body()
    {
        @Override
        public void save(final SnapshotOutput out) throws IOException
        {
            tables.save(out);
            idempotency.save(out);
            nonces.save(out);
        }

        @Override
        public void load(final SnapshotInput in, final int version) throws IOException
        {
            tables.load(in, version);
            idempotency.load(in);
            nonces.load(in);
        }
    };
    private Tables tables;
    private IdempotencyTable idempotency;
    private NonceTable nonces;
    private final CityClock nowClock;
    private final CityClock judgeClock;
    private final HmacSha256 hmac = new HmacSha256();
    private final EngineCounters counters = new EngineCounters();
    private final JournalWriter journal;
    private final JournalPretoucher pretoucher;
    private final CommandQueueTailer commands;
    private final UnsafeBuffer commandBuffer = new UnsafeBuffer(new byte[Commands.MAX_COMMAND_BYTES]);
    private final CommandDecoder command = new CommandDecoder();
    private final TapResultEncoder tapResult = new TapResultEncoder();
    private final ReversalResultEncoder reversalResult = new ReversalResultEncoder();
    private final BalanceResultEncoder balanceResult = new BalanceResultEncoder();
    private final LogonResultEncoder logonResult = new LogonResultEncoder();
    private final HeartbeatResultEncoder heartbeatResult = new HeartbeatResultEncoder();
    private final ErrorEncoder error = new ErrorEncoder();
    private final CommandRules commandRules = new CommandRules(counters);

    private long sequence;
    private long lastCommandId;
    private long lastCommandQueueIndex = -1;
    private long lastJournalIndex = -1;
    private long lastSnapshotSequence = -1;
    private long lastSnapshotMs = Long.MIN_VALUE;
    private boolean replaying;
    private long replaySequence;
    private long replayIndex;
    private long replayMismatches;
    private long replayedRecords;
    private long replayExcerpts;
    private long replayExcerptIndex = -1;
    private long replayNanos;
    private JournalDecoder replayed;
    private int replayedOutcome;
    private boolean closed;
    /** A replica (issue 15, {@link #openReplica}): state from the cluster, the journal an output only. */
    private boolean replica;
    /** A replica's journal holds every record up to this sequence already: deciding them again appends nothing. */
    private long journalHeldThrough;

    /** Most requests {@link #prepare} stages for one {@link #warm()}. */
    public static final int WARM_CAPACITY = 256;
    private final long[] warmCardIds = new long[WARM_CAPACITY];
    private final int[] warmProgramSlots = new int[WARM_CAPACITY];
    private final long[] warmKeys = new long[WARM_CAPACITY];
    private final int[] warmScratch = new int[WARM_CAPACITY];
    private int warmCount;
    private int warmKeyCount;
    private long warmSink;

    private int rDecision;
    private int rReason;
    private int rRemaining;
    private int rTaken;
    private int rProgramId;
    private int rProgramSlot;
    private int rUnit;
    private int rPeriod;
    private int rOutletId;
    private long rHolderId;
    private long rReceipt;
    private int rOriginalSlot;

    private Engine(final EngineConfig config)
    {
        Queues.disableAnalytics();
        this.config = config;
        this.tables = new Tables(config);
        this.commandRules.tables = tables;
        this.idempotency = new IdempotencyTable(config.idempotencyCapacity(), config.idempotencyMaxCapacity());
        this.nonces = new NonceTable(config.nonceCapacity());
        this.nowClock = new CityClock(config.zoneId());
        this.judgeClock = new CityClock(config.zoneId());
        this.snapshots = new SnapshotFiles(Queues.snapshotsDir(config.dataDir()));
        this.journal = JournalWriter.open(config.dataDir(), config.journalSyncToDisk(), config.journalAppendObserver());
        this.pretoucher = config.journalPretouchBytes() > 0 ?
            new JournalPretoucher(Queues.journalDir(config.dataDir()), config.journalPretouchBytes()) : null;
        journal.pretoucher(pretoucher);
        journal.reserveAhead(config.journalReserveBytes());
        // the engine may be opened on one thread and handed to its engine thread (one thread at a time)
        this.commands = new CommandQueueTailer(config.dataDir());
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
            engine.recover();
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
            engine.counters.journalTornExcerpts = JournalReplay.read(engine.journal, -1, (index, buffer, offset, length) ->
            {
                record.wrap(buffer, offset, length);
                last[0] = record.sequence();
                engine.lastJournalIndex = index;
            });
            engine.journalHeldThrough = last[0];
        }
        catch (final RuntimeException ex)
        {
            engine.releaseResources();
            throw ex;
        }
        return engine;
    }

    /**
     * @return the last sequence a replica's journal held when it was opened (0 when empty).
     */
    public long journalHeldThrough()
    {
        return journalHeldThrough;
    }

    /**
     * Writes the whole state (the snapshot file layout of {@link SnapshotFiles}) into a new file in {@code dir}.
     *
     * @return the file.
     */
    public Path saveState(final Path dir) throws IOException
    {
        ensureOpen();
        flushPendingJournal();
        new SnapshotFiles(dir).write(sequence, lastCommandId, lastCommandQueueIndex, lastJournalIndex, snapshotBody);
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
        final long journalIndex = lastJournalIndex;
        resetState();
        loadSnapshot(file);
        if (replica)
        {
            lastJournalIndex = journalIndex;
        }
        updateTableCounters();
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
        final int copied = Math.min(length, commandBuffer.capacity());
        commandBuffer.putBytes(0, buffer, offset, copied);
        command.wrap(commandBuffer, 0, copied);
        if (copied >= Commands.HEADER_BYTES && command.commandId() <= lastCommandId)
        {
            counters.commandsDuplicate++;
            return false;
        }
        handleCommand(nowMs, queueIndex);
        return true;
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
        switch (type)
        {
            case MessageType.TAP:
            {
                tap(nowMs, sessionTerminalId, correlation,
                    frame.getLong(body + Messages.Tap.CARD_ID_OFFSET, LE),
                    frame.getInt(body + Messages.Tap.PROGRAM_ID_OFFSET, LE),
                    frame.getShort(body + Messages.Tap.QUANTITY_OFFSET, LE) & 0xFFFF,
                    frame.getShort(body + Messages.Tap.FLAGS_OFFSET, LE) & 0xFFFF,
                    frame.getLong(body + Messages.Tap.TERMINAL_TIME_MS_OFFSET, LE));
                return tapResult.wrap(out, outOffset).correlation(correlation).decision(rDecision).reason(rReason)
                    .remaining(rRemaining).receipt(rReceipt).encodedLength();
            }
            case MessageType.REVERSAL:
            {
                reversal(nowMs, sessionTerminalId, correlation,
                    frame.getInt(body + Messages.Reversal.ORIGINAL_CORRELATION_OFFSET, LE),
                    frame.getLong(body + Messages.Reversal.CARD_ID_OFFSET, LE));
                return reversalResult.wrap(out, outOffset).correlation(correlation).decision(rDecision)
                    .reason(rReason).remaining(rRemaining).receipt(rReceipt).encodedLength();
            }
            case MessageType.BALANCE:
                return balance(nowMs, correlation, frame.getLong(body + Messages.Balance.CARD_ID_OFFSET, LE),
                    out, outOffset);
            case MessageType.LOGON:
            {
                final int result = logon(nowMs, sessionTerminalId, frame, body);
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
        if (warmCount == WARM_CAPACITY)
        {
            return;
        }
        final int type = frame.getByte(frameOffset + FrameHeader.TYPE_OFFSET) & 0xFF;
        final int body = frameOffset + FrameHeader.BODY_OFFSET;
        final long cardId;
        int programId = 0;
        if (type == MessageType.TAP)
        {
            cardId = frame.getLong(body + Messages.Tap.CARD_ID_OFFSET, LE);
            programId = frame.getInt(body + Messages.Tap.PROGRAM_ID_OFFSET, LE);
        }
        else if (type == MessageType.REVERSAL)
        {
            cardId = frame.getLong(body + Messages.Reversal.CARD_ID_OFFSET, LE);
        }
        else if (type == MessageType.BALANCE)
        {
            cardId = frame.getLong(body + Messages.Balance.CARD_ID_OFFSET, LE);
        }
        else
        {
            return;
        }
        stage(sessionTerminalId, type != MessageType.BALANCE, frame.getInt(frameOffset + FrameHeader.CORRELATION_OFFSET, LE),
            cardId, programId);
    }

    private void stage(
        final long terminalId, final boolean keyed, final int correlation, final long cardId, final int requestedProgramId)
    {
        if (warmCount == WARM_CAPACITY)
        {
            return;
        }
        final Tables t = tables;
        int programId = requestedProgramId;
        final int terminal = terminalId == 0 ? LongIndex.MISSING : t.terminals.get(terminalId);
        if (terminal != LongIndex.MISSING && keyed)
        {
            if (programId == 0)
            {
                programId = t.outletDefaultProgram[(int)t.terminalOutlet[terminal]];
            }
            warmKeys[warmKeyCount++] = IdempotencyTable.key(terminal, correlation);
        }
        warmCardIds[warmCount] = cardId;
        warmProgramSlots[warmCount] = programId == 0 ? 0 : t.programSlot(programId & UNSIGNED_INT_MASK);
        warmCount++;
    }

    /**
     * Loads into the cache, level by level over all the requests staged by {@link #prepare} since the last call,
     * what their decisions will read (card, holder, usage counter, idempotency entry), then forgets them. With
     * millions of cards each decision otherwise waits for several cache misses in a row; staged together, the misses
     * of many requests overlap. Changes no state: deciding without it gives the same results, only slower.
     */
    public void warm()
    {
        long sink = tables.warm(warmCardIds, warmProgramSlots, warmCount, warmScratch);
        final IdempotencyTable idempotency = this.idempotency;
        for (int i = 0; i < warmKeyCount; i++)
        {
            sink += idempotency.touch(warmKeys[i]);
        }
        warmSink += sink;
        warmCount = 0;
        warmKeyCount = 0;
    }

    private long nextSequence()
    {
        if (replaying)
        {
            sequence = replaySequence;
        }
        else
        {
            sequence++;
        }
        return sequence;
    }

    private void resetResult()
    {
        rDecision = Decision.DECLINED;
        rReason = ReasonCode.OK;
        rRemaining = -1;
        rTaken = 0;
        rProgramId = 0;
        rProgramSlot = 0;
        rUnit = -1;
        rPeriod = 0;
        rOutletId = 0;
        rHolderId = 0;
        rReceipt = 0;
        rOriginalSlot = -1;
    }

    // ---------------------------------------------------------------------------------------------------- TAP

    private void tap(
        final long nowMs, final long terminalId, final int correlation, final long cardId, final int requestedProgramId,
        final int quantity, final int flags, final long terminalTimeMs)
    {
        resetResult();
        final long cutoffMs = nowMs - config.idempotencyWindowMs();
        idempotency.expire(cutoffMs);
        final int terminal = terminalId == 0 ? LongIndex.MISSING : tables.terminals.get(terminalId);
        final long b1 = (requestedProgramId & UNSIGNED_INT_MASK) | ((long)quantity << 32) | ((long)flags << 48);
        long key = 0;
        if (terminal != LongIndex.MISSING)
        {
            rOutletId = (int)tables.outlets.key((int)tables.terminalOutlet[terminal]);
            key = IdempotencyTable.key(terminal, correlation);
            final int slot = idempotency.find(key, cutoffMs);
            if (slot >= 0)
            {
                if (idempotency.sameBody(slot, IdempotencyTable.TYPE_TAP, cardId, b1, terminalTimeMs))
                {
                    repeat(slot);
                    return;
                }
                duplicate(cardId);
                rReceipt = nextSequence();
                journalTap(nowMs, terminalId, correlation, cardId, requestedProgramId, quantity, flags, terminalTimeMs);
                countDecision(EngineCounters.TYPE_TAP);
                return;
            }
        }
        evaluateTap(nowMs, terminal, cardId, requestedProgramId, quantity, flags, terminalTimeMs);
        rReceipt = nextSequence();
        journalTap(nowMs, terminalId, correlation, cardId, requestedProgramId, quantity, flags, terminalTimeMs);
        if (rTaken > 0)
        {
            tables.take(rProgramSlot, rUnit, rPeriod, rTaken);
        }
        if (terminal != LongIndex.MISSING)
        {
            idempotency.add(key, nowMs, rReceipt, IdempotencyTable.TYPE_TAP, cardId, b1, terminalTimeMs, rDecision,
                rReason, rProgramSlot, rRemaining, rTaken, rUnit, rPeriod);
        }
        countDecision(EngineCounters.TYPE_TAP);
    }

    private void repeat(final int slot)
    {
        rDecision = idempotency.decision(slot);
        rReason = idempotency.reason(slot);
        rRemaining = idempotency.remaining(slot);
        rReceipt = idempotency.receipt(slot);
    }

    private void duplicate(final long cardId)
    {
        rDecision = Decision.DECLINED;
        rReason = ReasonCode.DUPLICATE_CORRELATION;
        rRemaining = -1;
        final int card = tables.cards.get(cardId);
        rHolderId = card == LongIndex.MISSING ? 0 : tables.holders.key(tables.cardHolder(card));
    }

    private void evaluateTap(
        final long nowMs, final int terminal, final long cardId, final int requestedProgramId, final int quantity,
        final int flags, final long terminalTimeMs)
    {
        final Tables t = tables;
        final boolean offline = (flags & Messages.Tap.FLAG_OFFLINE_ADVICE) != 0;
        final int outlet = terminal == LongIndex.MISSING ? -1 : (int)t.terminalOutlet[terminal];
        int programId = requestedProgramId;
        if (programId == 0 && outlet >= 0)
        {
            programId = t.outletDefaultProgram[outlet];
        }
        final int slot = programId == 0 ? 0 : t.programSlot(programId & UNSIGNED_INT_MASK);
        final int card = t.cards.get(cardId);
        final int holder = card == LongIndex.MISSING ? -1 : t.cardHolder(card);
        rHolderId = holder < 0 ? 0 : t.holders.key(holder);

        if (outlet < 0 || quantity == 0 || (flags & ~Messages.Tap.KNOWN_FLAGS) != 0 || slot == 0 ||
            (offline && (nowMs - terminalTimeMs > config.adviceMaxAgeMs() ||
            terminalTimeMs - nowMs > config.adviceMaxAheadMs())))
        {
            rDecision = Decision.DECLINED;
            rReason = ReasonCode.INVALID_REQUEST;
            rRemaining = -1;
            rProgramId = slot == 0 ? 0 : programId;
            rProgramSlot = slot;
            return;
        }
        rProgramId = programId;
        rProgramSlot = slot;

        nowClock.select(nowMs);
        final CityClock judge = offline ? judgeClock.select(terminalTimeMs) : nowClock;
        int reason = ReasonCode.OK;
        boolean enrolled = false;
        if (card == LongIndex.MISSING)
        {
            reason = ReasonCode.UNKNOWN_CARD;
        }
        else
        {
            enrolled = Tables.isEnrolled(t.holderEnrol(holder), slot);
            // CARD_BLOCKED or CARD_EXPIRED come before any program rule
            reason = cardState(card, judge);
            if (reason == ReasonCode.OK)
            {
                if (!Tables.isAllowed(t.outletAllowed[outlet], slot))
                {
                    reason = ReasonCode.OUTLET_NOT_ALLOWED;
                }
                else if (!enrolled)
                {
                    reason = ReasonCode.NO_ENTITLEMENT;
                }
                else if (!inWindow(slot, judge))
                {
                    reason = ReasonCode.OUTSIDE_WINDOW;
                }
            }
        }

        int used = 0;
        boolean inCurrentPeriod = true;
        if (enrolled)
        {
            rUnit = t.unitOf(holder, slot);
            rPeriod = periodOf(slot, nowClock);
            if (offline)
            {
                inCurrentPeriod = rPeriod ==
                    periodOf(slot, judge);
            }
            used = t.used(slot, rUnit, rPeriod);
            if (reason == ReasonCode.OK && inCurrentPeriod && (long)used + quantity > t.programQuota[slot])
            {
                reason = ReasonCode.QUOTA_EXHAUSTED;
            }
        }

        rReason = reason;
        if (offline)
        {
            rDecision = reason == ReasonCode.OK ? Decision.APPROVED : Decision.RECORDED;
            rTaken = enrolled && inCurrentPeriod ? quantity : 0;
        }
        else
        {
            rDecision = reason == ReasonCode.OK ? Decision.APPROVED : Decision.DECLINED;
            rTaken = reason == ReasonCode.OK ? quantity : 0;
        }
        if (!enrolled || reason == ReasonCode.CARD_BLOCKED || reason == ReasonCode.CARD_EXPIRED)
        {
            rRemaining = -1;
        }
        else
        {
            rRemaining = (int)Math.max(0, t.programQuota[slot] - Math.min(Integer.MAX_VALUE, (long)used + rTaken));
        }
    }

    /**
     * The card's own state on the city day of {@code clock} (PROTOCOL.md rule 6), the same for TAP and BALANCE:
     * CARD_BLOCKED unless ACTIVE or EXPIRED; CARD_EXPIRED when EXPIRED or after its expiry day (the expiry day
     * itself is still served); otherwise OK.
     */
    private int cardState(final int card, final CityClock clock)
    {
        final Tables t = tables;
        final int status = t.cardStatus(card);
        if (status != CardStatus.ACTIVE && status != CardStatus.EXPIRED)
        {
            return ReasonCode.CARD_BLOCKED;
        }
        if (status == CardStatus.EXPIRED || clock.epochDay() > t.cardExpiryDay(card))
        {
            return ReasonCode.CARD_EXPIRED;
        }
        return ReasonCode.OK;
    }

    /**
     * @return the key of the program's period (day, week, month, once, cycle) holding the city time of {@code clock}.
     */
    private int periodOf(final int slot, final CityClock clock)
    {
        final Tables t = tables;
        return clock.periodKey(t.programPeriod[slot], t.programCycleDays[slot], t.programValidFrom[slot]);
    }

    private boolean inWindow(final int slot, final CityClock clock)
    {
        final Tables t = tables;
        final int day = clock.epochDay();
        if (day < t.programValidFrom[slot] || day > t.programValidTo[slot])
        {
            return false;
        }
        final int start = t.programWindowStart[slot];
        final int end = t.programWindowEnd[slot];
        if (start == 0 && end >= Commands.MINUTES_PER_DAY)
        {
            return true;
        }
        final int minute = clock.minuteOfDay();
        return start <= end ? minute >= start && minute < end : minute >= start || minute < end;
    }

    private void journalTap(
        final long nowMs, final long terminalId, final int correlation, final long cardId, final int requestedProgramId,
        final int quantity, final int flags, final long terminalTimeMs)
    {
        if (replaying)
        {
            checkReplayed();
            return;
        }
        append(JournalEncoder.tap(journal.buffer(), rReceipt, nowMs, terminalId, correlation, rOutletId, cardId,
            rHolderId, requestedProgramId, rProgramId, quantity, flags, rDecision, rReason, rRemaining, rTaken,
            terminalTimeMs));
    }

    private void append(final int length)
    {
        if (replica && journal.buffer().getLong(JournalRecord.SEQUENCE_OFFSET, LE) <= journalHeldThrough)
        {
            // decided again from the cluster log: the journal holds this record already
            return;
        }
        journal.append(length);
        onJournalWritten();
    }

    /** Takes note of the excerpts the writer wrote (none while a batch is pending). */
    private void onJournalWritten()
    {
        final long index = journal.lastIndexAppended();
        if (index != JournalWriter.NO_INDEX)
        {
            lastJournalIndex = index;
        }
        counters.journalBytes = journal.bytesAppended();
        counters.journalRecords = journal.recordsAppended();
        counters.journalExcerpts = journal.excerptsAppended();
    }

    /** Writes the records pending in the journal batch, if any; the batch stays open. */
    private void flushPendingJournal()
    {
        if (journal.pendingRecords() > 0)
        {
            journal.flush();
            onJournalWritten();
        }
    }

    private void countDecision(final int type)
    {
        if (!replaying)
        {
            counters.decision(type, rDecision, rReason, rProgramSlot);
        }
        counters.lastReceipt = sequence;
        counters.idempotencyEntries = idempotency.size();
        counters.idempotencyEvictedEarly = idempotency.evictedEarly();
    }

    // ----------------------------------------------------------------------------------------------- REVERSAL

    private void reversal(
        final long nowMs, final long terminalId, final int correlation, final int originalCorrelation,
        final long cardId)
    {
        resetResult();
        final long cutoffMs = nowMs - config.idempotencyWindowMs();
        idempotency.expire(cutoffMs);
        final int terminal = terminalId == 0 ? LongIndex.MISSING : tables.terminals.get(terminalId);
        final long b1 = originalCorrelation & UNSIGNED_INT_MASK;
        long key = 0;
        if (terminal != LongIndex.MISSING)
        {
            rOutletId = (int)tables.outlets.key((int)tables.terminalOutlet[terminal]);
            key = IdempotencyTable.key(terminal, correlation);
            final int slot = idempotency.find(key, cutoffMs);
            if (slot >= 0)
            {
                if (idempotency.sameBody(slot, IdempotencyTable.TYPE_REVERSAL, cardId, b1, 0))
                {
                    repeat(slot);
                    return;
                }
                duplicate(cardId);
                rReceipt = nextSequence();
                journalReversal(nowMs, terminalId, correlation, originalCorrelation, cardId, 0, 0);
                countDecision(EngineCounters.TYPE_REVERSAL);
                return;
            }
        }

        final Tables t = tables;
        final int card = t.cards.get(cardId);
        final int holder = card == LongIndex.MISSING ? -1 : t.cardHolder(card);
        rHolderId = holder < 0 ? 0 : t.holders.key(holder);
        int original = -1;
        if (terminal != LongIndex.MISSING)
        {
            original = idempotency.find(IdempotencyTable.key(terminal, originalCorrelation), cutoffMs);
        }
        int restored = 0;
        long originalReceipt = 0;
        if (original < 0 || idempotency.type(original) != IdempotencyTable.TYPE_TAP ||
            (idempotency.decision(original) != Decision.APPROVED &&
            idempotency.decision(original) != Decision.RECORDED) || idempotency.body0(original) != cardId)
        {
            rReason = ReasonCode.ORIGINAL_NOT_FOUND;
        }
        else
        {
            originalReceipt = idempotency.receipt(original);
            rProgramSlot = idempotency.programSlot(original);
            rProgramId = (int)t.programs.key(rProgramSlot - 1);
            if (idempotency.reversed(original))
            {
                rReason = ReasonCode.ALREADY_REVERSED;
            }
            else if (nowMs - idempotency.timeMs(original) > config.reversalWindowMs())
            {
                rReason = ReasonCode.REVERSAL_WINDOW_EXPIRED;
            }
            else
            {
                rReason = ReasonCode.OK;
                rOriginalSlot = original;
                final int slot = rProgramSlot;
                final int takenUnit = idempotency.takenUnit(original);
                final int takenPeriod = idempotency.takenPeriod(original);
                final int taken = idempotency.taken(original);
                if (taken > 0)
                {
                    restored = Math.min(taken, t.used(slot, takenUnit, takenPeriod));
                }
                rTaken = restored;
                rUnit = takenUnit;
                rPeriod = takenPeriod;
                if (holder >= 0 && Tables.isEnrolled(t.holderEnrol(holder), slot))
                {
                    final int unitNow = t.unitOf(holder, slot);
                    nowClock.select(nowMs);
                    final int periodNow =
                        periodOf(slot, nowClock);
                    int usedNow = t.used(slot, unitNow, periodNow);
                    if (unitNow == takenUnit && periodNow == takenPeriod)
                    {
                        usedNow -= restored;
                    }
                    rRemaining = Math.max(0, t.programQuota[slot] - usedNow);
                }
            }
        }
        rDecision = rReason == ReasonCode.OK ? Decision.APPROVED : Decision.DECLINED;
        if (rReason != ReasonCode.OK)
        {
            rRemaining = -1;
        }
        rReceipt = nextSequence();
        journalReversal(nowMs, terminalId, correlation, originalCorrelation, cardId, restored, originalReceipt);
        if (rReason == ReasonCode.OK)
        {
            if (restored > 0)
            {
                t.restore(rProgramSlot, rUnit, rPeriod, restored);
            }
            idempotency.markReversed(rOriginalSlot);
        }
        if (terminal != LongIndex.MISSING)
        {
            idempotency.add(key, nowMs, rReceipt, IdempotencyTable.TYPE_REVERSAL, cardId, b1, 0, rDecision, rReason,
                rProgramSlot, rRemaining, 0, -1, 0);
        }
        countDecision(EngineCounters.TYPE_REVERSAL);
    }

    private void journalReversal(
        final long nowMs, final long terminalId, final int correlation, final int originalCorrelation,
        final long cardId, final int restored, final long originalReceipt)
    {
        if (replaying)
        {
            checkReplayed();
            return;
        }
        append(JournalEncoder.reversal(journal.buffer(), rReceipt, nowMs, terminalId, correlation, rOutletId, cardId,
            rHolderId, originalCorrelation, rProgramId, restored, rDecision, rReason, rRemaining, originalReceipt));
    }

    // ------------------------------------------------------------------------------------------------ BALANCE

    private int balance(
        final long nowMs, final int correlation, final long cardId, final MutableDirectBuffer out, final int offset)
    {
        final Tables t = tables;
        final BalanceResultEncoder result = balanceResult.wrap(out, offset);
        final int card = t.cards.get(cardId);
        int reason = ReasonCode.OK;
        nowClock.select(nowMs);
        if (card == LongIndex.MISSING)
        {
            reason = ReasonCode.UNKNOWN_CARD;
        }
        else
        {
            reason = cardState(card, nowClock);
        }
        int count = 0;
        if (reason == ReasonCode.OK)
        {
            final int holder = t.cardHolder(card);
            final long enrol = t.holderEnrol(holder);
            for (int slot = 1; slot <= t.programs.size() && count < Messages.BalanceResult.MAX_COUNT; slot++)
            {
                if (Tables.isEnrolled(enrol, slot))
                {
                    final int period =
                        periodOf(slot, nowClock);
                    final int used = t.used(slot, t.unitOf(holder, slot), period);
                    result.entry(count, (int)t.programs.key(slot - 1), Math.max(0, t.programQuota[slot] - used),
                        t.programQuota[slot]);
                    count++;
                }
            }
        }
        final int decision = reason == ReasonCode.OK ? Decision.APPROVED : Decision.DECLINED;
        result.correlation(correlation).decision(decision).reason(reason).count(count);
        counters.decision(EngineCounters.TYPE_BALANCE, decision, reason, 0);
        return result.encodedLength();
    }

    // -------------------------------------------------------------------------------------------------- LOGON

    private int logon(final long nowMs, final long sessionTerminalId, final DirectBuffer frame, final int body)
    {
        final long terminalId = frame.getLong(body + Messages.Logon.TERMINAL_ID_OFFSET, LE);
        final long timestampMs = frame.getLong(body + Messages.Logon.TIMESTAMP_MS_OFFSET, LE);
        final long nonceHi = frame.getLong(body + Messages.Logon.NONCE_OFFSET, LE);
        final long nonceLo = frame.getLong(body + Messages.Logon.NONCE_OFFSET + 8, LE);
        nonces.expire(nowMs - config.nonceWindowMs());
        int result;
        boolean macValid = false;
        final int terminal = tables.terminals.get(terminalId);
        if (sessionTerminalId != 0)
        {
            result = ReasonCode.INVALID_REQUEST;
        }
        else if (terminal == LongIndex.MISSING)
        {
            result = ReasonCode.BAD_CREDENTIALS;
        }
        else
        {
            macValid = hmac.verify(tables.terminalKeys, terminal * Tables.KEY_BYTES, frame,
                body + Messages.Logon.TERMINAL_ID_OFFSET, Messages.Logon.MAC_INPUT_BYTES, frame,
                body + Messages.Logon.MAC_OFFSET);
            if (!macValid && nowMs < tables.terminalGraceUntilMs[terminal])
            {
                // Rotated with a grace period: the replaced key is still valid until the deadline.
                macValid = hmac.verify(tables.terminalPreviousKeys, terminal * Tables.KEY_BYTES, frame,
                    body + Messages.Logon.TERMINAL_ID_OFFSET, Messages.Logon.MAC_INPUT_BYTES, frame,
                    body + Messages.Logon.MAC_OFFSET);
            }
            if (!macValid || tables.terminalEnabled[terminal] == 0)
            {
                result = ReasonCode.BAD_CREDENTIALS;
            }
            else if (Math.abs(timestampMs - nowMs) > config.logonSkewMs() ||
                nonces.contains(terminal, nonceHi, nonceLo, nowMs - config.nonceWindowMs()))
            {
                result = ReasonCode.STALE_LOGON;
            }
            else
            {
                result = ReasonCode.OK;
            }
        }
        final long seq = nextSequence();
        append(JournalEncoder.logon(journal.buffer(), seq, nowMs, terminalId, timestampMs, nonceHi, nonceLo, result,
            macValid));
        if (macValid)
        {
            nonces.remember(terminal, nonceHi, nonceLo, nowMs);
        }
        counters.logon(result);
        counters.nonceEvictedEarly = nonces.evictedEarly();
        return result;
    }

    private void replayLogon(final JournalDecoder record)
    {
        final long nowMs = record.timeMs();
        nonces.expire(nowMs - config.nonceWindowMs());
        sequence = record.sequence();
        if (record.logonMacValid())
        {
            final int terminal = tables.terminals.get(record.terminalId());
            final DirectBuffer b = record.buffer();
            final int offset = record.offset();
            nonces.remember(terminal, b.getLong(offset + JournalRecord.LOGON_NONCE_OFFSET, LE),
                b.getLong(offset + JournalRecord.LOGON_NONCE_OFFSET + 8, LE), nowMs);
        }
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
        flushPendingJournal();
        maybeSnapshot(nowMs);
        int read = 0;
        while (read < limit)
        {
            final long available = commands.next(commandBuffer);
            if (available < 0)
            {
                break;
            }
            final long queueIndex = commands.index();
            final int length = (int)Math.min(available, commandBuffer.capacity());
            if (available > commandBuffer.capacity())
            {
                // too long for any layout: keep only the header so it is rejected as MALFORMED
                commandBuffer.putInt(Commands.BODY_LENGTH_OFFSET, -1, LE);
            }
            read++;
            command.wrap(commandBuffer, 0, length);
            final long commandId = command.commandId();
            if (length >= Commands.HEADER_BYTES && commandId <= lastCommandId)
            {
                counters.commandsDuplicate++;
                lastCommandQueueIndex = queueIndex;
                continue;
            }
            handleCommand(nowMs, queueIndex);
        }
        return read;
    }

    private void maybeSnapshot(final long nowMs)
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

    private void handleCommand(final long nowMs, final long queueIndex)
    {
        int reject = command.check();
        if (reject == CommandRejectReason.NONE)
        {
            reject = commandRules.validate(command);
        }
        final long commandId = command.commandId();
        final long seq = nextSequence();
        final int length = command.length();
        if (replaying)
        {
            final int journaledOutcome = replayedOutcome;
            if ((journaledOutcome == JournalRecord.OUTCOME_APPLIED) != (reject == CommandRejectReason.NONE))
            {
                replayMismatches++;
            }
        }
        else
        {
            append(JournalEncoder.command(journal.buffer(), seq, nowMs, commandId, command.type(),
                reject == CommandRejectReason.NONE ? JournalRecord.OUTCOME_APPLIED : JournalRecord.OUTCOME_REJECTED,
                reject, queueIndex, command.buffer(), command.offset(), length));
        }
        if (reject == CommandRejectReason.NONE)
        {
            try
            {
                commandRules.apply(command);
            }
            catch (final RuntimeException ex)
            {
                // a validated command should never fail; if it does, it fails the same way on replay, so the
                // state stays a function of the journal, and the engine goes on with the next command
                counters.commandErrors++;
            }
            if (!replaying)
            {
                counters.commandsApplied++;
            }
        }
        else if (!replaying)
        {
            counters.commandsRejected++;
        }
        if (commandId > lastCommandId && length >= Commands.HEADER_BYTES)
        {
            lastCommandId = commandId;
        }
        lastCommandQueueIndex = queueIndex;
        updateTableCounters();
    }

    private void updateTableCounters()
    {
        counters.cards = tables.cards.size();
        counters.holders = tables.holders.size();
        counters.entitlements = tables.entitlements;
        counters.terminals = tables.terminals.size();
        counters.programs = tables.programs.size();
        counters.outlets = tables.outlets.size();
        counters.lastReceipt = sequence;
    }

    // ------------------------------------------------------------------------------------------------ recovery

    private void recover()
    {
        long fromIndex = -1;
        long snapshotSequence = 0;
        if (config.loadSnapshot())
        {
            for (final Path file : snapshots.newestFirst())
            {
                try
                {
                    if (SnapshotInput.verifyChecksum(file))
                    {
                        loadSnapshot(file);
                        fromIndex = lastJournalIndex;
                        snapshotSequence = sequence;
                        lastSnapshotSequence = sequence;
                        counters.snapshotBytes = Files.size(file);
                        break;
                    }
                }
                catch (final IOException | RuntimeException ex)
                {
                    resetState();
                }
            }
        }
        final JournalDecoder record = new JournalDecoder();
        final ReplayChunk chunk = new ReplayChunk(WARM_CAPACITY, 2 * JournalWriter.MAX_EXCERPT_BYTES);
        final JournalDecoder chunkRecord = new JournalDecoder();
        final long afterSequence = snapshotSequence;
        final long replayStartNs = System.nanoTime();
        config.replayProgress().replaying(JournalReplay.excerptsFrom(journal, fromIndex));
        replaying = true;
        try
        {
            counters.journalTornExcerpts = JournalReplay.read(journal, fromIndex, (index, buffer, offset, length) ->
            {
                if (index != replayExcerptIndex)
                {
                    // the records of one excerpt (a whole batch) share its index
                    replayExcerptIndex = index;
                    replayExcerpts++;
                }
                record.wrap(buffer, offset, length);
                if (record.sequence() > afterSequence)
                {
                    if (!chunk.add(buffer, offset, length, index))
                    {
                        replayChunk(chunk, chunkRecord);
                        chunk.add(buffer, offset, length, index);
                    }
                    stageReplayed(record);
                }
            });
            replayChunk(chunk, chunkRecord);
            config.replayProgress().progress(replayExcerpts, replayedRecords);
        }
        finally
        {
            replaying = false;
            replayNanos = System.nanoTime() - replayStartNs;
        }
        commands.positionAfter(lastCommandQueueIndex);
        updateTableCounters();
        counters.lastReceipt = sequence;
    }

    /**
     * Stages a journaled TAP or REVERSAL for {@link #warm()}, as {@link #prepare} stages a request.
     */
    private void stageReplayed(final JournalDecoder record)
    {
        final int type = record.type();
        if (type == JournalRecord.TYPE_TAP)
        {
            stage(record.terminalId(), true, record.correlation(), record.cardId(), record.requestedProgramId());
        }
        else if (type == JournalRecord.TYPE_REVERSAL)
        {
            stage(record.terminalId(), true, record.correlation(), record.cardId(), 0);
        }
    }

    /**
     * Replays the records gathered in the chunk, after loading what their decisions read ({@link #warm()}): the
     * cache misses of a chunk's records overlap, as those of a batch of live requests do.
     */
    private void replayChunk(final ReplayChunk chunk, final JournalDecoder record)
    {
        warm();
        for (int i = 0, count = chunk.count(); i < count; i++)
        {
            record.wrap(chunk.buffer(), chunk.offset(i), chunk.length(i));
            replayIndex = chunk.index(i);
            replay(record);
            lastJournalIndex = replayIndex;
            replayedRecords++;
        }
        chunk.clear();
        config.replayProgress().progress(replayExcerpts, replayedRecords);
    }

    private void resetState()
    {
        tables = new Tables(config);
        commandRules.tables = tables;
        idempotency = new IdempotencyTable(config.idempotencyCapacity(), config.idempotencyMaxCapacity());
        nonces = new NonceTable(config.nonceCapacity());
        sequence = 0;
        lastCommandId = 0;
        lastCommandQueueIndex = -1;
        lastJournalIndex = -1;
    }

    private void replay(final JournalDecoder record)
    {
        replaySequence = record.sequence();
        final long nowMs = record.timeMs();
        replayed = record;
        switch (record.type())
        {
            case JournalRecord.TYPE_TAP:
                tap(nowMs, record.terminalId(), record.correlation(), record.cardId(), record.requestedProgramId(),
                    record.quantity(), record.flags(), record.terminalTimeMs());
                break;
            case JournalRecord.TYPE_REVERSAL:
                reversal(nowMs, record.terminalId(), record.correlation(), record.originalCorrelation(),
                    record.cardId());
                break;
            case JournalRecord.TYPE_LOGON:
                replayLogon(record);
                break;
            case JournalRecord.TYPE_COMMAND:
            {
                final int length = record.commandLength();
                command.wrap(record.buffer(), record.commandBytesOffset(), length);
                replayedOutcome = record.commandOutcome();
                handleCommand(nowMs, record.commandQueueIndex());
                break;
            }
            default:
                replayMismatches++;
                sequence = replaySequence;
                break;
        }
    }

    private void checkReplayed()
    {
        final JournalDecoder r = replayed;
        if (r.decision() != rDecision || r.reason() != rReason || r.remaining() != rRemaining)
        {
            replayMismatches++;
        }
    }

    private void loadSnapshot(final Path file) throws IOException
    {
        final SnapshotFiles.Header header = SnapshotFiles.load(file, snapshotBody);
        sequence = header.sequence();
        lastCommandId = header.lastCommandId();
        lastCommandQueueIndex = header.lastCommandQueueIndex();
        lastJournalIndex = header.lastJournalIndex();
        for (int slot = 1; slot <= tables.programs.size(); slot++)
        {
            counters.programSlot(slot, (int)tables.programs.key(slot - 1));
        }
    }

    // ------------------------------------------------------------------------------------------------ snapshots

    /**
     * Writes a snapshot of all tables now (engine thread); then applies journal retention. Records pending in a
     * journal batch are flushed first, so the snapshot names the index of a written excerpt holding its last record.
     */
    public void snapshot()
    {
        ensureOpen();
        flushPendingJournal();
        if (sequence == lastSnapshotSequence || replica)
        {
            return;
        }
        try
        {
            final long bytes = snapshots.write(sequence, lastCommandId, lastCommandQueueIndex, lastJournalIndex,
                snapshotBody);
            lastSnapshotSequence = sequence;
            counters.snapshotBytes = bytes;
            counters.snapshotsWritten++;
            final List<Path> files = snapshots.prune(config.snapshotsRetained());
            if (config.retentionEnabled())
            {
                // the oldest retained snapshot must still find its journal index if the newer ones are damaged
                final int oldest = Math.min(files.size(), config.snapshotsRetained()) - 1;
                applyRetention(Math.min(lastJournalIndex, SnapshotFiles.journalIndexOf(files.get(oldest))));
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write snapshot of sequence " + sequence + " in " + snapshots.dir(),
                ex);
        }
    }

    /**
     * Deletes journal cycle files whose records are all covered by the snapshot and by the admin's ingested position.
     *
     * @return the number of files deleted.
     */
    int applyRetention(final long snapshotIndex)
    {
        return JournalRetention.apply(config.dataDir(), journal, snapshotIndex);
    }

    // ------------------------------------------------------------------------------------------------- accessors

    /**
     * @return the roll cycle of the journal file appends go to now (for a {@link
     * io.tapswitch.switching.journal.JournalSyncer} on another thread).
     */
    public int journalCycle()
    {
        return journal.cycle();
    }

    /**
     * @return bytes the journal can take before it meets a full filesystem ({@link JournalWriter#headroom()}); the
     * caller decides nothing that could need more (engine thread).
     */
    public long journalHeadroom()
    {
        return journal.headroom();
    }

    /**
     * @return the journal space reserver (its failures are metrics), or null.
     */
    public JournalReserver journalReserver()
    {
        return journal.reserver();
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
        flushPendingJournal();
        journal.sync();
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
        journal.beginBatch();
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
        journal.endBatch();
        onJournalWritten();
        return lastJournalIndex;
    }

    /**
     * @return the journal index up to which records were forced to the disk by {@link #syncJournal()}, -1 if none.
     */
    public long lastSyncedJournalIndex()
    {
        return journal.lastIndexSynced();
    }

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
        return sequence;
    }

    /** Id of the last command applied or rejected. */
    public long lastCommandId()
    {
        return lastCommandId;
    }

    /**
     * Queue index of the last journal excerpt written (flushed) or replayed, -1 if none. Records pending in a journal
     * batch are not covered until {@link #flushJournal()}.
     */
    public long lastJournalIndex()
    {
        return lastJournalIndex;
    }

    /** Journal records decided again by {@link #open} (after the snapshot, if one was loaded). */
    public long replayedRecords()
    {
        return replayedRecords;
    }

    /**
     * @return nanoseconds {@link #open} spent reading and replaying the journal (after loading the snapshot, if any).
     */
    public long replayNanos()
    {
        return replayNanos;
    }

    /**
     * Replayed records whose outcome differs from the journaled one (a bug or a changed rule); 0 in a healthy
     * switch.
     */
    public long replayMismatches()
    {
        return replayMismatches;
    }

    /** Digest of every table, for comparing two engines' state (allocates; not for the hot path). */
    public TableDigest digest()
    {
        return new TableDigest(sequence, lastCommandId, tables.digestCards(), tables.digestHolders(),
            tables.digestHouseholds(), tables.digestUsage(), tables.digestPrograms(), tables.digestOutlets(),
            tables.digestTerminals(), idempotency.digest(), nonces.digest());
    }

    private void ensureOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("engine is closed");
        }
    }

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
        journal.close();
    }
}
