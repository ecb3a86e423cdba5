package io.tapswitch.protocol.client;

import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.ReasonCode;

/**
 * A TAP_RESULT or REVERSAL_RESULT: {@link Decision}, {@link ReasonCode}, what is left in the current period
 * (-1 when no entitlement is concerned) and the journal receipt (0 only for BUSY). Immutable.
 */
public record TapResult(int correlation, int decision, int reason, int remaining, long receipt)
{
    public boolean approved()
    {
        return Decision.APPROVED == decision;
    }

    @Override
    public String toString()
    {
        return "TapResult{correlation=" + correlation + ", " + Decision.name(decision) + " " + ReasonCode.name(reason) +
            ", remaining=" + remaining + ", receipt=" + receipt + "}";
    }
}
