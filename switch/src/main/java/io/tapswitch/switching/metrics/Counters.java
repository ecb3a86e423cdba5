package io.tapswitch.switching.metrics;

import java.util.concurrent.atomic.AtomicLongArray;

import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.MessageType;
import io.tapswitch.protocol.ReasonCode;

/**
 * Counters with one writer each: the engine thread has one set, every event loop has its own. The writer
 * increments with an ordered store (no lock, no CAS, no allocation); the metrics layer reads any set from
 * the scrape thread and sums the sets.
 * <p>
 * Single writer; readable from any thread.
 */
public final class Counters
{
    /** Result types counted in {@code tapswitch_taps_total}: TAP, REVERSAL, BALANCE. */
    public static final int RESULT_TYPES = 3;
    /** Decisions: APPROVED, DECLINED, RECORDED, then BUSY as its own outcome. */
    public static final int DECISIONS = 4;
    public static final int DECISION_BUSY = 3;

    private static final int TAPS_BASE = 0;
    private static final int TAPS_SLOTS = RESULT_TYPES * DECISIONS * ReasonCode.COUNT;
    private static final int LOGONS_BASE = TAPS_BASE + TAPS_SLOTS;

    public static final int CONNECTIONS_ACCEPTED = LOGONS_BASE + ReasonCode.COUNT;
    public static final int CONNECTIONS_REJECTED_MAX = CONNECTIONS_ACCEPTED + 1;
    public static final int MALFORMED_FRAMES = CONNECTIONS_REJECTED_MAX + 1;
    public static final int BUSY = MALFORMED_FRAMES + 1;
    public static final int SESSIONS_OPENED = BUSY + 1;
    public static final int SESSIONS_CLOSED = SESSIONS_OPENED + 1;
    public static final int IDLE_TIMEOUTS = SESSIONS_CLOSED + 1;
    public static final int SESSIONS_REPLACED = IDLE_TIMEOUTS + 1;
    public static final int RESPONSE_RING_FULL = SESSIONS_REPLACED + 1;
    public static final int ENGINE_ERRORS = RESPONSE_RING_FULL + 1;
    public static final int SNAPSHOTS = ENGINE_ERRORS + 1;
    public static final int REQUESTS_DECIDED = SNAPSHOTS + 1;
    public static final int REQUESTS_QUEUED = REQUESTS_DECIDED + 1;
    public static final int CONNECTIONS_CLOSED = REQUESTS_QUEUED + 1;
    public static final int LOGONS_THROTTLED = CONNECTIONS_CLOSED + 1;
    /** Batches the engine thread synced itself (light load) instead of handing them to the journal sync thread. */
    public static final int INLINE_SYNCS = LOGONS_THROTTLED + 1;
    /** Response drains started by the event loop's periodic check because no wake-up had scheduled one. */
    public static final int DRAINS_RESCUED = INLINE_SYNCS + 1;
    /** Times the journal stopped being writable (full filesystem, failed sync, failed write). */
    public static final int JOURNAL_FAULTS = DRAINS_RESCUED + 1;
    /** Requests answered ERROR SYSTEM_ERROR (LOGON_RESULT 18) because the journal could not make them durable. */
    public static final int JOURNAL_UNWRITABLE_ANSWERS = JOURNAL_FAULTS + 1;
    /** Answers that waited more than 10 ms in the response ring after the engine thread released them. */
    public static final int RESPONSES_HELD = JOURNAL_UNWRITABLE_ANSWERS + 1;
    public static final int LENGTH = RESPONSES_HELD + 1;

    private final AtomicLongArray values = new AtomicLongArray(LENGTH);

    /**
     * @param resultType a response type: TAP_RESULT, REVERSAL_RESULT or BALANCE_RESULT.
     * @return 0..2, or -1 for any other type.
     */
    public static int resultTypeIndex(final int resultType)
    {
        switch (resultType)
        {
            case MessageType.TAP_RESULT: return 0;
            case MessageType.REVERSAL_RESULT: return 1;
            case MessageType.BALANCE_RESULT: return 2;
            default: return -1;
        }
    }

    /**
     * @param typeIndex     0..2 from {@link #resultTypeIndex(int)}.
     * @param decisionIndex a {@link Decision} or {@link #DECISION_BUSY}.
     * @param reason        a {@link ReasonCode}.
     * @return the counter id.
     */
    public static int tapsId(final int typeIndex, final int decisionIndex, final int reason)
    {
        return TAPS_BASE + (typeIndex * DECISIONS + decisionIndex) * ReasonCode.COUNT + reason;
    }

    public static int logonsId(final int result)
    {
        return LOGONS_BASE + result;
    }

    /**
     * Counts one result by its type, decision and reason; out-of-range values are ignored.
     */
    public void onResult(final int resultType, final int decision, final int reason)
    {
        final int typeIndex = resultTypeIndex(resultType);
        if (typeIndex >= 0 && decision >= Decision.APPROVED && decision <= Decision.RECORDED &&
            reason >= 0 && reason < ReasonCode.COUNT)
        {
            increment(tapsId(typeIndex, decision, reason));
        }
    }

    public void onBusy(final int resultType)
    {
        final int typeIndex = resultTypeIndex(resultType);
        if (typeIndex >= 0)
        {
            increment(tapsId(typeIndex, DECISION_BUSY, ReasonCode.BUSY));
        }
        increment(BUSY);
    }

    public void onLogon(final int result)
    {
        if (result >= 0 && result < ReasonCode.COUNT)
        {
            increment(logonsId(result));
        }
    }

    public void increment(final int id)
    {
        values.lazySet(id, values.get(id) + 1);
    }

    public void set(final int id, final long value)
    {
        values.lazySet(id, value);
    }

    public long get(final int id)
    {
        return values.get(id);
    }
}
