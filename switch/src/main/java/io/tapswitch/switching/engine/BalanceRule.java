package io.tapswitch.switching.engine;

import io.tapswitch.protocol.BalanceResultEncoder;
import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.Messages;
import io.tapswitch.protocol.ReasonCode;
import org.agrona.MutableDirectBuffer;

/**
 * The BALANCE rule (PROTOCOL.md rule 9): an unknown card is UNKNOWN_CARD, a blocked or expired one is refused as a
 * TAP would be ({@link Eligibility#cardState}); otherwise APPROVED with each program the holder is enrolled in (up to
 * {@link Messages.BalanceResult#MAX_COUNT}, in program order): what is left of its quota in the current period, never
 * below 0, and the quota. Changes nothing and journals nothing.
 * <p>
 * Not thread-safe; engine thread. Allocates nothing.
 */
final class BalanceRule
{
    private final EngineState state;
    private final EngineCounters counters;
    private final CityClock nowClock;
    private final BalanceResultEncoder balanceResult = new BalanceResultEncoder();

    BalanceRule(final EngineState state, final EngineCounters counters, final CityClock nowClock)
    {
        this.state = state;
        this.counters = counters;
        this.nowClock = nowClock;
    }

    /** Writes the BALANCE_RESULT frame at out[offset] and returns its length. */
    int decide(
        final long nowMs, final int correlation, final long cardId, final MutableDirectBuffer out, final int offset)
    {
        final Tables t = state.tables;
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
            reason = Eligibility.cardState(t, card, nowClock);
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
                    final int period = Eligibility.periodOf(t, slot, nowClock);
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
}
