package io.tapswitch.switching.engine;

import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.ReasonCode;

/**
 * The result registers of the decision being made (TAP or REVERSAL): what the answer says, what the journal record
 * holds and what the decision takes from or gives back to a usage counter. Plain fields of one reused object, so the
 * hot path allocates nothing; {@link #reset()} before each decision.
 * <p>
 * Not thread-safe; engine thread.
 */
final class Outcome
{
    int decision;
    int reason;
    int remaining;
    /** Units taken from (TAP) or given back to (REVERSAL) the usage counter of {@link #unit} and {@link #period}. */
    int taken;
    int programId;
    int programSlot;
    int unit;
    int period;
    int outletId;
    long holderId;
    long receipt;
    /** The idempotency slot of the TAP a REVERSAL reverses, -1 if none. */
    int originalSlot;

    void reset()
    {
        decision = Decision.DECLINED;
        reason = ReasonCode.OK;
        remaining = -1;
        taken = 0;
        programId = 0;
        programSlot = 0;
        unit = -1;
        period = 0;
        outletId = 0;
        holderId = 0;
        receipt = 0;
        originalSlot = -1;
    }
}
