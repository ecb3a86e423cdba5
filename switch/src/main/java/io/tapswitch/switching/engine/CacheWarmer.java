package io.tapswitch.switching.engine;

import java.nio.ByteOrder;

import io.tapswitch.formats.journal.JournalDecoder;
import io.tapswitch.protocol.FrameHeader;
import io.tapswitch.protocol.MessageType;
import io.tapswitch.protocol.Messages;
import org.agrona.DirectBuffer;

/**
 * Brings into the cache what the decisions of a batch of requests will read, before they are decided
 * ({@link Engine#prepare}, {@link Engine#warm()}): staged together, the cache misses of many requests overlap. Reads
 * the frames and the tables only; deciding without it gives the same results, only slower.
 * <p>
 * Not thread-safe; engine thread. Allocates nothing.
 */
final class CacheWarmer
{
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final long UNSIGNED_INT_MASK = 0xFFFF_FFFFL;

    private final EngineState state;
    private final long[] warmCardIds = new long[Engine.WARM_CAPACITY];
    private final int[] warmProgramSlots = new int[Engine.WARM_CAPACITY];
    private final long[] warmKeys = new long[Engine.WARM_CAPACITY];
    private final int[] warmScratch = new int[Engine.WARM_CAPACITY];
    private final int[] warmUsageSlots = new int[Engine.WARM_CAPACITY];
    private final int[] warmUsageUnits = new int[Engine.WARM_CAPACITY];
    private int warmCount;
    private int warmKeyCount;
    private int warmUsageCount;
    private long warmSink;

    CacheWarmer(final EngineState state)
    {
        this.state = state;
    }

    /** See {@link Engine#prepare}. */
    void prepare(final long sessionTerminalId, final DirectBuffer frame, final int frameOffset)
    {
        if (warmCount == Engine.WARM_CAPACITY)
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

    /**
     * Stages one request (or, at recovery, one journaled TAP or REVERSAL): its card, its program and — when keyed by
     * a known terminal — its idempotency entry. Up to {@link Engine#WARM_CAPACITY}; more are ignored.
     */
    void stage(
        final long terminalId, final boolean keyed, final int correlation, final long cardId, final int requestedProgramId)
    {
        if (warmCount == Engine.WARM_CAPACITY)
        {
            return;
        }
        final Tables t = state.tables;
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
     * Stages, at recovery, a journaled TAP whose effects are applied from its record (version 3: it holds its usage
     * counter): only what applying it reads — its idempotency entry and its usage counter, not the card and its
     * holder. Up to {@link Engine#WARM_CAPACITY} between two {@link #warm()}s; more are ignored.
     *
     * @return the lookups made on the way, for {@link TapRule#apply(JournalDecoder, long)} to use instead of making
     * them again ({@link #staged}), or {@link #NOT_STAGED} when the record was ignored.
     */
    long stageApplied(final long terminalId, final int correlation, final int programId, final int unit)
    {
        if (warmKeyCount == Engine.WARM_CAPACITY || warmUsageCount == Engine.WARM_CAPACITY)
        {
            return NOT_STAGED;
        }
        final Tables t = state.tables;
        final int terminal = terminalId == 0 ? LongIndex.MISSING : t.terminals.get(terminalId);
        if (terminal != LongIndex.MISSING)
        {
            warmKeys[warmKeyCount++] = IdempotencyTable.key(terminal, correlation);
        }
        final int slot = programId == 0 ? 0 : t.programSlot(programId & UNSIGNED_INT_MASK);
        if (slot > 0 && unit >= 0)
        {
            warmUsageSlots[warmUsageCount] = slot;
            warmUsageUnits[warmUsageCount] = unit;
            warmUsageCount++;
        }
        return staged(terminal, slot);
    }

    /** {@link #stageApplied}'s answer when it looked nothing up: the applying looks up for itself. */
    static final long NOT_STAGED = Long.MIN_VALUE;

    /**
     * @return a terminal's dense index (or {@link LongIndex#MISSING}) and a program slot (at least 0), packed as
     * {@link #stageApplied} returns them: never {@link #NOT_STAGED}.
     */
    static long staged(final int terminal, final int slot)
    {
        return ((long)slot << 32) | (terminal & 0xFFFF_FFFFL);
    }

    static int stagedTerminal(final long staged)
    {
        return (int)staged;
    }

    static int stagedSlot(final long staged)
    {
        return (int)(staged >>> 32);
    }

    /** See {@link Engine#warm()}. */
    void warm()
    {
        long sink = warmCount == 0 ? 0 : state.tables.warm(warmCardIds, warmProgramSlots, warmCount, warmScratch);
        final Tables tables = state.tables;
        for (int i = 0; i < warmUsageCount; i++)
        {
            sink += tables.touchCounter(warmUsageSlots[i], warmUsageUnits[i]);
        }
        final IdempotencyTable idempotency = state.idempotency;
        for (int i = 0; i < warmKeyCount; i++)
        {
            sink += idempotency.touch(warmKeys[i]);
        }
        for (int i = 0; i < warmKeyCount; i++)
        {
            sink += idempotency.touchFirst(warmKeys[i]);
        }
        warmSink += sink;
        warmCount = 0;
        warmKeyCount = 0;
        warmUsageCount = 0;
    }
}
