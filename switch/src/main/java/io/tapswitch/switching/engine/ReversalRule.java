package io.tapswitch.switching.engine;

import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.ReasonCode;

/**
 * The REVERSAL rule (PROTOCOL.md rules 1, 5, 6, 8): a retry is answered again ({@link RetryRule}); otherwise the
 * original must be an APPROVED or RECORDED TAP of the same card on the same terminal within the idempotency window
 * (ORIGINAL_NOT_FOUND), not reversed yet (ALREADY_REVERSED) and within the reversal window (REVERSAL_WINDOW_EXPIRED).
 * An approved reversal gives back what the TAP took, at most what its usage counter still holds, to the period the TAP
 * counted in; remaining is the program's balance now. Journaled before it takes effect.
 * <p>
 * Not thread-safe; engine thread. Allocates nothing.
 */
final class ReversalRule
{
    private static final long UNSIGNED_INT_MASK = 0xFFFF_FFFFL;

    private final EngineConfig config;
    private final EngineState state;
    private final Outcome r;
    private final DecisionJournal journal;
    private final CityClock nowClock;

    ReversalRule(
        final EngineConfig config, final EngineState state, final Outcome r, final DecisionJournal journal,
        final CityClock nowClock)
    {
        this.config = config;
        this.state = state;
        this.r = r;
        this.journal = journal;
        this.nowClock = nowClock;
    }

    /** Decides a REVERSAL into the {@link Outcome} (journaled, or checked during a replay). */
    void decide(
        final long nowMs, final long terminalId, final int correlation, final int originalCorrelation,
        final long cardId)
    {
        final Tables t = state.tables;
        final IdempotencyTable idempotency = state.idempotency;
        r.reset();
        final long cutoffMs = nowMs - config.idempotencyWindowMs();
        final int terminal = terminalId == 0 ? LongIndex.MISSING : t.terminals.get(terminalId);
        final long b1 = originalCorrelation & UNSIGNED_INT_MASK;
        long key = 0;
        int found = -1;
        if (terminal != LongIndex.MISSING)
        {
            r.outletId = (int)t.outlets.key((int)t.terminalOutlet[terminal]);
            key = IdempotencyTable.key(terminal, correlation);
            found = idempotency.find(key, cutoffMs);
            if (found >= 0 && idempotency.sameBody(found, IdempotencyTable.TYPE_REVERSAL, cardId, b1, 0))
            {
                // a retry: answered again, never journaled, so it changes nothing (not even what has expired)
                RetryRule.repeat(r, idempotency, found);
                return;
            }
        }
        // every journaled decision, and only those, forgets what the window has passed, exactly as the replay of its
        // record does: the table stays a function of the journal
        idempotency.expire(cutoffMs);
        if (found >= 0)
        {
            RetryRule.duplicate(r, t, cardId);
            r.receipt = journal.nextSequence();
            journal.reversal(r, nowMs, terminalId, correlation, originalCorrelation, cardId, 0, 0);
            journal.countDecision(EngineCounters.TYPE_REVERSAL, r, idempotency);
            return;
        }

        final int card = t.cards.get(cardId);
        final int holder = card == LongIndex.MISSING ? -1 : t.cardHolder(card);
        r.holderId = holder < 0 ? 0 : t.holderKey(holder);
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
            r.reason = ReasonCode.ORIGINAL_NOT_FOUND;
        }
        else
        {
            originalReceipt = idempotency.receipt(original);
            r.programSlot = idempotency.programSlot(original);
            r.programId = (int)t.programs.key(r.programSlot - 1);
            if (idempotency.reversed(original))
            {
                r.reason = ReasonCode.ALREADY_REVERSED;
            }
            else if (nowMs - idempotency.timeMs(original) > config.reversalWindowMs())
            {
                r.reason = ReasonCode.REVERSAL_WINDOW_EXPIRED;
            }
            else
            {
                r.reason = ReasonCode.OK;
                r.originalSlot = original;
                final int slot = r.programSlot;
                final int takenUnit = idempotency.takenUnit(original);
                final int takenPeriod = idempotency.takenPeriod(original);
                final int taken = idempotency.taken(original);
                if (taken > 0)
                {
                    restored = Math.min(taken, t.used(slot, takenUnit, takenPeriod));
                }
                r.taken = restored;
                r.unit = takenUnit;
                r.period = takenPeriod;
                if (holder >= 0 && Tables.isEnrolled(t.holderEnrol(holder), slot))
                {
                    final int unitNow = t.unitOf(holder, slot);
                    nowClock.select(nowMs);
                    final int periodNow = Eligibility.periodOf(t, slot, nowClock);
                    int usedNow = t.used(slot, unitNow, periodNow);
                    if (unitNow == takenUnit && periodNow == takenPeriod)
                    {
                        usedNow -= restored;
                    }
                    r.remaining = Math.max(0, t.programQuota[slot] - usedNow);
                }
            }
        }
        r.decision = r.reason == ReasonCode.OK ? Decision.APPROVED : Decision.DECLINED;
        if (r.reason != ReasonCode.OK)
        {
            r.remaining = -1;
        }
        r.receipt = journal.nextSequence();
        journal.reversal(r, nowMs, terminalId, correlation, originalCorrelation, cardId, restored, originalReceipt);
        if (r.reason == ReasonCode.OK)
        {
            if (restored > 0)
            {
                t.restore(r.programSlot, r.unit, r.period, restored);
            }
            idempotency.markReversed(r.originalSlot);
        }
        if (terminal != LongIndex.MISSING)
        {
            idempotency.add(key, nowMs, r.receipt, IdempotencyTable.TYPE_REVERSAL, cardId, b1, 0, r.decision,
                r.reason, r.programSlot, r.remaining, 0, -1, 0);
        }
        journal.countDecision(EngineCounters.TYPE_REVERSAL, r, idempotency);
    }

    /**
     * Replay by effects: applies a journaled REVERSAL decision without deciding it again — the usage given back to
     * the original TAP's counter, the original marked reversed, the result remembered for retries — exactly as
     * {@link #decide} left them. A DUPLICATE_CORRELATION decided nothing and changes nothing.
     */
    void apply(final io.tapswitch.formats.journal.JournalDecoder j)
    {
        final Tables t = state.tables;
        final IdempotencyTable idempotency = state.idempotency;
        final long nowMs = j.timeMs();
        final long cutoffMs = nowMs - config.idempotencyWindowMs();
        idempotency.expire(cutoffMs);
        r.reset();
        r.receipt = journal.nextSequence();
        r.decision = j.decision();
        r.reason = j.reason();
        r.remaining = j.remaining();
        final long terminalId = j.terminalId();
        final int terminal = terminalId == 0 ? LongIndex.MISSING : t.terminals.get(terminalId);
        if (r.reason != ReasonCode.DUPLICATE_CORRELATION)
        {
            final int programId = j.programId();
            r.programSlot = programId == 0 ? 0 : t.programSlot(programId & UNSIGNED_INT_MASK);
            if (r.reason == ReasonCode.OK && terminal != LongIndex.MISSING)
            {
                final int original = idempotency.find(IdempotencyTable.key(terminal, j.originalCorrelation()), cutoffMs);
                if (original >= 0)
                {
                    final int restored = j.restored();
                    if (restored > 0)
                    {
                        t.restore(r.programSlot, idempotency.takenUnit(original), idempotency.takenPeriod(original),
                            restored);
                    }
                    idempotency.markReversed(original);
                }
                else
                {
                    journal.replayMismatches++;
                }
            }
            if (terminal != LongIndex.MISSING)
            {
                idempotency.add(IdempotencyTable.key(terminal, j.correlation()), nowMs, r.receipt,
                    IdempotencyTable.TYPE_REVERSAL, j.cardId(), j.originalCorrelation() & UNSIGNED_INT_MASK, 0,
                    r.decision, r.reason, r.programSlot, r.remaining, 0, -1, 0);
            }
        }
        journal.countDecision(EngineCounters.TYPE_REVERSAL, r, idempotency);
    }
}
