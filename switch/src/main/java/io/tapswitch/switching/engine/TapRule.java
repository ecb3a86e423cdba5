package io.tapswitch.switching.engine;

import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.Messages;
import io.tapswitch.protocol.ReasonCode;

/**
 * The TAP rule (PROTOCOL.md rules 1, 5, 7, 8, 12, 13): a retry is answered again ({@link RetryRule}); otherwise the
 * terminal's outlet, the program (requested, or the outlet's default), the card's state, the outlet's allowed programs,
 * the holder's enrolment, the program's window ({@link Eligibility}) and its quota in the current period decide; an
 * offline advice is judged at the terminal's time and RECORDED when refused. The decision is journaled before it takes
 * anything from the usage counter or is remembered for retries.
 * <p>
 * Not thread-safe; engine thread. Allocates nothing.
 */
final class TapRule
{
    private static final long UNSIGNED_INT_MASK = 0xFFFF_FFFFL;

    private final EngineConfig config;
    private final EngineState state;
    private final Outcome r;
    private final DecisionJournal journal;
    private final CityClock nowClock;
    private final CityClock judgeClock;

    TapRule(
        final EngineConfig config, final EngineState state, final Outcome r, final DecisionJournal journal,
        final CityClock nowClock, final CityClock judgeClock)
    {
        this.config = config;
        this.state = state;
        this.r = r;
        this.journal = journal;
        this.nowClock = nowClock;
        this.judgeClock = judgeClock;
    }

    /** Decides a TAP into the {@link Outcome} (journaled, or checked during a replay). */
    void decide(
        final long nowMs, final long terminalId, final int correlation, final long cardId, final int requestedProgramId,
        final int quantity, final int flags, final long terminalTimeMs)
    {
        final Tables tables = state.tables;
        final IdempotencyTable idempotency = state.idempotency;
        r.reset();
        final long cutoffMs = nowMs - config.idempotencyWindowMs();
        final int terminal = terminalId == 0 ? LongIndex.MISSING : tables.terminals.get(terminalId);
        // the retry fingerprint: a retry must ask for the same program, quantity and flags
        final long b1 = (requestedProgramId & UNSIGNED_INT_MASK) | ((long)quantity << 32) | ((long)flags << 48);
        long key = 0;
        int found = -1;
        if (terminal != LongIndex.MISSING)
        {
            r.outletId = (int)tables.outlets.key((int)tables.terminalOutlet[terminal]);
            key = IdempotencyTable.key(terminal, correlation);
            found = idempotency.find(key, cutoffMs);
            if (found >= 0 && idempotency.sameBody(found, IdempotencyTable.TYPE_TAP, cardId, b1, terminalTimeMs))
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
            RetryRule.duplicate(r, tables, cardId);
            r.receipt = journal.nextSequence();
            journal.tap(r, nowMs, terminalId, correlation, cardId, requestedProgramId, quantity, flags,
                terminalTimeMs);
            journal.countDecision(EngineCounters.TYPE_TAP, r, idempotency);
            return;
        }
        evaluate(tables, nowMs, terminal, cardId, requestedProgramId, quantity, flags, terminalTimeMs);
        r.receipt = journal.nextSequence();
        journal.tap(r, nowMs, terminalId, correlation, cardId, requestedProgramId, quantity, flags, terminalTimeMs);
        if (r.taken > 0)
        {
            tables.take(r.programSlot, r.unit, r.period, r.taken);
        }
        if (terminal != LongIndex.MISSING)
        {
            idempotency.add(key, nowMs, r.receipt, IdempotencyTable.TYPE_TAP, cardId, b1, terminalTimeMs, r.decision,
                r.reason, r.programSlot, r.remaining, r.taken, r.unit, r.period);
        }
        journal.countDecision(EngineCounters.TYPE_TAP, r, idempotency);
    }

    /**
     * Replay by effects: applies a journaled TAP decision to the tables without deciding it again — the usage it took
     * and the result remembered for retries and reversals, exactly as {@link #decide} left them: the usage unit and
     * period from the record (version 3), or, for a record of an earlier version that does not hold them, looked up as
     * the decision did (the card, its holder's enrolment, the period of the time). A retry was never journaled; a
     * DUPLICATE_CORRELATION decided nothing and changes nothing.
     */
    void apply(final io.tapswitch.formats.journal.JournalDecoder j)
    {
        apply(j, CacheWarmer.NOT_STAGED);
    }

    /**
     * As {@link #apply(io.tapswitch.formats.journal.JournalDecoder)}, with the terminal's index and the program's
     * slot that {@link CacheWarmer#stageApplied} looked up for this record when it was staged (issue 14: each replayed
     * TAP looked the terminal up twice), or {@link CacheWarmer#NOT_STAGED} to look them up here. The caller passes
     * staged lookups only while no command could have changed the terminals or programs since they were made.
     */
    void apply(final io.tapswitch.formats.journal.JournalDecoder j, final long staged)
    {
        final Tables tables = state.tables;
        final IdempotencyTable idempotency = state.idempotency;
        final long nowMs = j.timeMs();
        final long cutoffMs = nowMs - config.idempotencyWindowMs();
        idempotency.expire(cutoffMs);
        r.reset();
        r.receipt = journal.nextSequence();
        r.decision = j.decision();
        r.reason = j.reason();
        r.remaining = j.remaining();
        r.taken = j.taken();
        final long terminalId = j.terminalId();
        final boolean known = staged != CacheWarmer.NOT_STAGED;
        final int terminal = known ? CacheWarmer.stagedTerminal(staged) :
            terminalId == 0 ? LongIndex.MISSING : tables.terminals.get(terminalId);
        if (r.reason != ReasonCode.DUPLICATE_CORRELATION)
        {
            final int programId = j.programId();
            final int slot = known ? CacheWarmer.stagedSlot(staged) :
                programId == 0 ? 0 : tables.programSlot(programId & UNSIGNED_INT_MASK);
            r.programSlot = slot;
            if (j.hasUsage())
            {
                // version 3: the record holds the counter the decision read; the card and its holder stay untouched
                r.unit = j.usageUnit();
                r.period = j.usagePeriod();
            }
            else if (r.reason != ReasonCode.INVALID_REQUEST)
            {
                // decide() read the unit and period of an enrolled card's holder (even when nothing was taken)
                final int card = tables.cards.get(j.cardId());
                if (card != LongIndex.MISSING)
                {
                    final int holder = tables.cardHolder(card);
                    if (Tables.isEnrolled(tables.holderEnrol(holder), slot))
                    {
                        r.unit = tables.unitOf(holder, slot);
                        nowClock.select(nowMs);
                        r.period = Eligibility.periodOf(tables, slot, nowClock);
                    }
                }
            }
            if (r.taken > 0)
            {
                tables.take(slot, r.unit, r.period, r.taken);
            }
            if (terminal != LongIndex.MISSING)
            {
                final long b1 = (j.requestedProgramId() & UNSIGNED_INT_MASK) | ((long)j.quantity() << 32) |
                    ((long)j.flags() << 48);
                idempotency.add(IdempotencyTable.key(terminal, j.correlation()), nowMs, r.receipt,
                    IdempotencyTable.TYPE_TAP, j.cardId(), b1, j.terminalTimeMs(), r.decision, r.reason, slot,
                    r.remaining, r.taken, r.unit, r.period);
            }
        }
        journal.countDecision(EngineCounters.TYPE_TAP, r, idempotency);
    }

    private void evaluate(
        final Tables t, final long nowMs, final int terminal, final long cardId, final int requestedProgramId,
        final int quantity, final int flags, final long terminalTimeMs)
    {
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
        r.holderId = holder < 0 ? 0 : t.holderKey(holder);

        if (outlet < 0 || quantity == 0 || (flags & ~Messages.Tap.KNOWN_FLAGS) != 0 || slot == 0 ||
            (offline && (nowMs - terminalTimeMs > config.adviceMaxAgeMs() ||
            terminalTimeMs - nowMs > config.adviceMaxAheadMs())))
        {
            r.decision = Decision.DECLINED;
            r.reason = ReasonCode.INVALID_REQUEST;
            r.remaining = -1;
            r.programId = slot == 0 ? 0 : programId;
            r.programSlot = slot;
            return;
        }
        r.programId = programId;
        r.programSlot = slot;

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
            reason = Eligibility.cardState(t, card, judge);
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
                else if (!Eligibility.inWindow(t, slot, judge))
                {
                    reason = ReasonCode.OUTSIDE_WINDOW;
                }
            }
        }

        int used = 0;
        boolean inCurrentPeriod = true;
        if (enrolled)
        {
            r.unit = t.unitOf(holder, slot);
            r.period = Eligibility.periodOf(t, slot, nowClock);
            if (offline)
            {
                // an advice from an earlier period is recorded but takes nothing from this period's quota
                inCurrentPeriod = r.period == Eligibility.periodOf(t, slot, judge);
            }
            used = t.used(slot, r.unit, r.period);
            if (reason == ReasonCode.OK && inCurrentPeriod && (long)used + quantity > t.programQuota[slot])
            {
                reason = ReasonCode.QUOTA_EXHAUSTED;
            }
        }

        r.reason = reason;
        if (offline)
        {
            r.decision = reason == ReasonCode.OK ? Decision.APPROVED : Decision.RECORDED;
            r.taken = enrolled && inCurrentPeriod ? quantity : 0;
        }
        else
        {
            r.decision = reason == ReasonCode.OK ? Decision.APPROVED : Decision.DECLINED;
            r.taken = reason == ReasonCode.OK ? quantity : 0;
        }
        if (!enrolled || reason == ReasonCode.CARD_BLOCKED || reason == ReasonCode.CARD_EXPIRED)
        {
            r.remaining = -1;
        }
        else
        {
            r.remaining = (int)Math.max(0, t.programQuota[slot] - Math.min(Integer.MAX_VALUE, (long)used + r.taken));
        }
    }
}
