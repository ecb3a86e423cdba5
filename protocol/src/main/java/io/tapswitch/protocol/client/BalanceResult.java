package io.tapswitch.protocol.client;

import java.util.List;

import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.ReasonCode;

/**
 * A BALANCE_RESULT: {@link Decision}, {@link ReasonCode} and one entry per program the holder is enrolled in.
 * Immutable.
 */
public record BalanceResult(int correlation, int decision, int reason, List<Entry> entries)
{
    /**
     * One program of the holder: what is left in the current period and the quota.
     */
    public record Entry(long programId, int remaining, int quota)
    {
    }

    /**
     * @return the entry of the program, or null when the holder is not enrolled in it.
     */
    public Entry entry(final long programId)
    {
        for (final Entry entry : entries)
        {
            if (entry.programId() == programId)
            {
                return entry;
            }
        }
        return null;
    }

    @Override
    public String toString()
    {
        return "BalanceResult{" + Decision.name(decision) + " " + ReasonCode.name(reason) + ", " + entries + "}";
    }
}
