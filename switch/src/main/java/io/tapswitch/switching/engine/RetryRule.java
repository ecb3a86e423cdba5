package io.tapswitch.switching.engine;

import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.ReasonCode;

/**
 * PROTOCOL.md's idempotency rule (rule 5), the same for TAP and REVERSAL: a request whose (terminal, correlation) was
 * decided within the idempotency window gets that decision again — the same decision, reason, remaining and receipt,
 * nothing taken twice ({@link #repeat}) — when its body is the same; with another body it is DECLINED
 * DUPLICATE_CORRELATION and decides nothing ({@link #duplicate}).
 */
final class RetryRule
{
    private RetryRule()
    {
    }

    /** The answer of the earlier decision in idempotency slot {@code slot}, again. */
    static void repeat(final Outcome r, final IdempotencyTable idempotency, final int slot)
    {
        r.decision = idempotency.decision(slot);
        r.reason = idempotency.reason(slot);
        r.remaining = idempotency.remaining(slot);
        r.receipt = idempotency.receipt(slot);
    }

    /** A reused correlation with another body: DECLINED DUPLICATE_CORRELATION (the holder is journaled). */
    static void duplicate(final Outcome r, final Tables tables, final long cardId)
    {
        r.decision = Decision.DECLINED;
        r.reason = ReasonCode.DUPLICATE_CORRELATION;
        r.remaining = -1;
        final int card = tables.cards.get(cardId);
        r.holderId = card == LongIndex.MISSING ? 0 : tables.holderKey(tables.cardHolder(card));
    }
}
