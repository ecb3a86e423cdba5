package io.tapswitch.switching.engine;

import java.nio.file.Path;
import java.time.LocalDate;

import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.formats.command.CommandEncoder;
import io.tapswitch.formats.command.Commands;
import io.tapswitch.formats.command.PeriodRule;
import io.tapswitch.formats.command.ProgramKind;
import io.tapswitch.formats.command.ProgramUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.tapswitch.switching.engine.Harness.kyiv;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * PROTOCOL.md rules 1, 5–9, 12, 13 against the demo dataset (DEMO-DATA.md) and hand-made programs, on a real
 * journal and command queue in a temporary directory.
 */
class EngineRulesTest
{
    /** Monday 23 November 2026, 12:00 in Kyiv. */
    private static final long NOON = kyiv(2026, 11, 23, 12, 0);
    private static final long MINUTE = 60_000L;

    @TempDir
    Path dir;
    private Harness h;
    private int correlation = 1000;

    @BeforeEach
    void setUp()
    {
        h = new Harness(dir).demo(1_000, 20);
    }

    @AfterEach
    void tearDown()
    {
        h.close();
    }

    private Harness.Result tap(final long nowMs, final long terminal, final long card, final int program)
    {
        return h.tap(nowMs, terminal, ++correlation, card, program, 1);
    }

    private static void assertResult(
        final Harness.Result result, final int decision, final int reason, final int remaining)
    {
        assertThat(result.decision()).as("decision of %s", result).isEqualTo(decision);
        assertThat(result.reason()).as("reason of %s", result).isEqualTo(reason);
        assertThat(result.remaining()).as("remaining of %s", result).isEqualTo(remaining);
        assertThat(result.receipt()).as("receipt of %s", result).isPositive();
    }

    @Test
    void shouldApproveFoodKitAndDeclineHouseholdMemberWhenQuotaExhausted()
    {
        assertResult(tap(NOON, 1, 1000001, 1), Decision.APPROVED, ReasonCode.OK, 0);
        assertResult(tap(NOON, 1, 1000002, 1), Decision.DECLINED, ReasonCode.QUOTA_EXHAUSTED, 0);
        assertResult(tap(NOON, 2, 1000004, 1), Decision.APPROVED, ReasonCode.OK, 0);
    }

    @Test
    void shouldDeclineEachDemoExampleWithItsReason()
    {
        assertResult(tap(NOON, 6, 1000001, 1), Decision.DECLINED, ReasonCode.OUTLET_NOT_ALLOWED, 1);
        assertResult(tap(NOON, 1, 1000099, 1), Decision.DECLINED, ReasonCode.CARD_BLOCKED, -1);
        assertResult(tap(NOON, 1, 1000098, 1), Decision.DECLINED, ReasonCode.CARD_EXPIRED, -1);
        assertResult(tap(NOON, 1, 1000097, 1), Decision.DECLINED, ReasonCode.NO_ENTITLEMENT, -1);
        assertResult(tap(NOON, 1, 999, 1), Decision.DECLINED, ReasonCode.UNKNOWN_CARD, -1);
        assertResult(tap(NOON, 1, 1000001, 5), Decision.DECLINED, ReasonCode.OUTSIDE_WINDOW, 1);
    }

    @Test
    void shouldCheckRulesInProtocolOrder()
    {
        // INVALID_REQUEST before UNKNOWN_CARD
        assertResult(h.tap(NOON, 1, 1, 999, 1, 0), Decision.DECLINED, ReasonCode.INVALID_REQUEST, -1);
        // CARD_BLOCKED before OUTLET_NOT_ALLOWED
        assertResult(tap(NOON, 6, 1000099, 1), Decision.DECLINED, ReasonCode.CARD_BLOCKED, -1);
        // CARD_EXPIRED before OUTLET_NOT_ALLOWED
        assertResult(tap(NOON, 6, 1000098, 1), Decision.DECLINED, ReasonCode.CARD_EXPIRED, -1);
        // OUTLET_NOT_ALLOWED before NO_ENTITLEMENT (holder enrolled in nothing: remaining -1)
        assertResult(tap(NOON, 6, 1000097, 1), Decision.DECLINED, ReasonCode.OUTLET_NOT_ALLOWED, -1);
        // NO_ENTITLEMENT before OUTSIDE_WINDOW (the winter kit is outside its dates)
        assertResult(tap(NOON, 6, 1000097, 5), Decision.DECLINED, ReasonCode.OUTLET_NOT_ALLOWED, -1);
        assertResult(tap(NOON, 1, 1000097, 5), Decision.DECLINED, ReasonCode.NO_ENTITLEMENT, -1);
        // OUTSIDE_WINDOW before QUOTA_EXHAUSTED: breakfast taken at 08:00, asked again at 10:00
        assertResult(tap(kyiv(2026, 11, 23, 7, 0), 6, 1000010, 4), Decision.DECLINED, ReasonCode.OUTSIDE_WINDOW, 1);
        assertResult(tap(kyiv(2026, 11, 23, 8, 0), 6, 1000010, 4), Decision.APPROVED, ReasonCode.OK, 0);
        assertResult(tap(kyiv(2026, 11, 23, 10, 0), 6, 1000010, 4), Decision.DECLINED, ReasonCode.OUTSIDE_WINDOW, 0);
        assertResult(tap(kyiv(2026, 11, 23, 8, 30), 6, 1000010, 4), Decision.DECLINED,
            ReasonCode.QUOTA_EXHAUSTED, 0);
        // OUTLET_NOT_ALLOWED before QUOTA_EXHAUSTED
        assertResult(tap(kyiv(2026, 11, 23, 8, 30), 1, 1000010, 4), Decision.DECLINED,
            ReasonCode.OUTLET_NOT_ALLOWED, 0);
    }

    @Test
    void shouldDeclineInvalidRequests()
    {
        assertResult(h.tap(NOON, 1, 1, 1000001, 1, 0), Decision.DECLINED, ReasonCode.INVALID_REQUEST, -1);
        assertResult(h.tap(NOON, 1, 2, 1000001, 1, 1, 0x0002, NOON), Decision.DECLINED,
            ReasonCode.INVALID_REQUEST, -1);
        assertResult(tap(NOON, 1, 1000001, 77), Decision.DECLINED, ReasonCode.INVALID_REQUEST, -1);
        final long tooOld = NOON - 30L * 24 * 3_600_000 - 1;
        assertResult(h.advice(NOON, 1, 3, 1000001, 1, 1, tooOld), Decision.DECLINED, ReasonCode.INVALID_REQUEST, -1);
        assertResult(h.advice(NOON, 1, 4, 1000001, 1, 1, NOON + 300_001), Decision.DECLINED,
            ReasonCode.INVALID_REQUEST, -1);
        // nothing was taken by any of them
        assertResult(tap(NOON, 1, 1000001, 1), Decision.APPROVED, ReasonCode.OK, 0);
    }

    @Test
    void shouldUseOutletDefaultProgramForProgramZero()
    {
        assertResult(tap(NOON, 1, 1000001, 0), Decision.APPROVED, ReasonCode.OK, 0);
        assertResult(tap(NOON, 1, 1000001, 1), Decision.DECLINED, ReasonCode.QUOTA_EXHAUSTED, 0);
        assertResult(tap(NOON, 6, 1000001, 0), Decision.APPROVED, ReasonCode.OK, 0);
        assertResult(tap(NOON, 6, 1000001, 3), Decision.DECLINED, ReasonCode.QUOTA_EXHAUSTED, 0);
    }

    @Test
    void shouldResetDailyQuotaAtCityMidnightNotUtcMidnight()
    {
        // 23:30 and 00:30 Kyiv are both 21:30 / 22:30 on the same UTC day in winter
        assertResult(tap(kyiv(2026, 11, 23, 23, 30), 6, 1000001, 3), Decision.APPROVED, ReasonCode.OK, 0);
        assertResult(tap(kyiv(2026, 11, 23, 23, 59), 6, 1000001, 3), Decision.DECLINED,
            ReasonCode.QUOTA_EXHAUSTED, 0);
        assertResult(tap(kyiv(2026, 11, 24, 0, 30), 6, 1000001, 3), Decision.APPROVED, ReasonCode.OK, 0);
    }

    @Test
    void shouldResetMonthlyQuotaOnTheFirstOfTheMonth()
    {
        assertResult(tap(kyiv(2026, 11, 30, 23, 0), 1, 1000005, 2), Decision.APPROVED, ReasonCode.OK, 1);
        assertResult(tap(kyiv(2026, 11, 30, 23, 10), 1, 1000005, 2), Decision.APPROVED, ReasonCode.OK, 0);
        assertResult(tap(kyiv(2026, 11, 30, 23, 20), 1, 1000005, 2), Decision.DECLINED,
            ReasonCode.QUOTA_EXHAUSTED, 0);
        assertResult(tap(kyiv(2026, 12, 1, 0, 5), 1, 1000005, 2), Decision.APPROVED, ReasonCode.OK, 1);
    }

    @Test
    void shouldServeBreakfastOnlyInsideItsCityWindowIncludingSummerTime()
    {
        assertResult(tap(kyiv(2026, 7, 1, 7, 29), 6, 1000010, 4), Decision.DECLINED, ReasonCode.OUTSIDE_WINDOW, 1);
        assertResult(tap(kyiv(2026, 7, 1, 7, 30), 6, 1000010, 4), Decision.APPROVED, ReasonCode.OK, 0);
        assertResult(tap(kyiv(2026, 7, 1, 9, 29), 6, 1000011, 4), Decision.APPROVED, ReasonCode.OK, 0);
        assertResult(tap(kyiv(2026, 7, 1, 9, 30), 6, 1000013, 4), Decision.DECLINED, ReasonCode.OUTSIDE_WINDOW, 1);
    }

    @Test
    void shouldShareHouseholdQuotaOnlyWithEnrolledMembers()
    {
        // household 33 = cards 1000097 (enrolled in nothing), 1000098 (expired), 1000099 (blocked)
        assertResult(tap(NOON, 1, 1000097, 1), Decision.DECLINED, ReasonCode.NO_ENTITLEMENT, -1);
        // household 2 = cards 1000004..1000006
        assertResult(tap(NOON, 1, 1000006, 1), Decision.APPROVED, ReasonCode.OK, 0);
        assertResult(tap(NOON, 1, 1000005, 1), Decision.DECLINED, ReasonCode.QUOTA_EXHAUSTED, 0);
        final Harness.Balance balance = h.balance(NOON, 1, 1000004);
        assertThat(balance.entries()[0]).containsExactly(1, 0, 1);
        assertThat(balance.entries()[1]).containsExactly(2, 2, 2);
    }

    @Test
    void shouldRecordOfflineAdvicePastQuotaAndStillTakeIt()
    {
        assertResult(tap(NOON, 1, 1000001, 1), Decision.APPROVED, ReasonCode.OK, 0);
        assertResult(h.advice(NOON, 1, 50, 1000002, 1, 1, NOON - 10 * MINUTE), Decision.RECORDED,
            ReasonCode.QUOTA_EXHAUSTED, 0);
        assertResult(h.advice(NOON, 1, 51, 1000001, 2, 3, NOON - 10 * MINUTE), Decision.RECORDED,
            ReasonCode.QUOTA_EXHAUSTED, 0);
        // the hygiene kit advice took 3 of a quota of 2: nothing left, an online tap is declined
        assertResult(tap(NOON, 1, 1000001, 2), Decision.DECLINED, ReasonCode.QUOTA_EXHAUSTED, 0);
        assertThat(h.balance(NOON, 1, 1000001).entries()[1]).containsExactly(2, 0, 2);
    }

    @Test
    void shouldRecordOfflineAdviceWithFirstBrokenRuleAndTakeWhenHolderEnrolled()
    {
        assertResult(h.advice(NOON, 1, 60, 1000099, 2, 1, NOON - MINUTE), Decision.RECORDED,
            ReasonCode.CARD_BLOCKED, -1);
        assertResult(h.advice(NOON, 1, 61, 999, 2, 1, NOON - MINUTE), Decision.RECORDED, ReasonCode.UNKNOWN_CARD, -1);
        assertResult(h.advice(NOON, 6, 62, 1000001, 2, 1, NOON - MINUTE), Decision.RECORDED,
            ReasonCode.OUTLET_NOT_ALLOWED, 1);
        // the blocked card's holder is enrolled, so its advice took one hygiene kit
        assertThat(h.balance(NOON, 1, 1000099).reason()).isEqualTo(ReasonCode.CARD_BLOCKED);
        assertResult(tap(NOON, 1, 1000001, 2), Decision.APPROVED, ReasonCode.OK, 0);
    }

    @Test
    void shouldJudgeAdviceAtTerminalTimeForWindowAndPeriod()
    {
        // breakfast served at 08:00, advised at noon: inside the window at terminal time
        assertResult(h.advice(NOON, 6, 70, 1000010, 4, 1, kyiv(2026, 11, 23, 8, 0)), Decision.APPROVED,
            ReasonCode.OK, 0);
        // breakfast advised for 10:00: outside the window, recorded, still taken (same day)
        assertResult(h.advice(NOON, 6, 71, 1000011, 4, 1, kyiv(2026, 11, 23, 10, 0)), Decision.RECORDED,
            ReasonCode.OUTSIDE_WINDOW, 0);
        assertResult(tap(kyiv(2026, 11, 23, 12, 1), 6, 1000011, 4), Decision.DECLINED,
            ReasonCode.OUTSIDE_WINDOW, 0);
    }

    @Test
    void shouldNotTakeAdviceDatedInEarlierPeriodAndSkipItsQuotaCheck()
    {
        final long lastMonth = kyiv(2026, 10, 30, 12, 0);
        assertResult(tap(NOON, 1, 1000001, 1), Decision.APPROVED, ReasonCode.OK, 0);
        // earlier period: quota not checked, nothing taken, remaining concerns the current period
        assertResult(h.advice(NOON, 1, 80, 1000001, 1, 1, lastMonth), Decision.APPROVED, ReasonCode.OK, 0);
        assertResult(h.advice(NOON, 1, 81, 1000007, 2, 1, lastMonth), Decision.APPROVED, ReasonCode.OK, 2);
        assertThat(h.balance(NOON, 1, 1000007).entries()[1]).containsExactly(2, 2, 2);
        // still checked against the other rules
        assertResult(h.advice(NOON, 6, 82, 1000007, 2, 1, lastMonth), Decision.RECORDED,
            ReasonCode.OUTLET_NOT_ALLOWED, 2);
    }

    @Test
    void shouldReverseExactlyOnceWithinWindowFromOriginalDecision()
    {
        final Harness.Result original = h.tap(NOON, 1, 500, 1000001, 2, 2);
        assertResult(original, Decision.APPROVED, ReasonCode.OK, 0);
        final Harness.Result reversal = h.reversal(NOON + 15 * MINUTE, 1, 501, 500, 1000001);
        assertResult(reversal, Decision.APPROVED, ReasonCode.OK, 2);
        assertThat(reversal.receipt()).isGreaterThan(original.receipt());
        assertResult(h.reversal(NOON + 15 * MINUTE, 1, 502, 500, 1000001), Decision.DECLINED,
            ReasonCode.ALREADY_REVERSED, -1);
        assertThat(h.balance(NOON, 1, 1000001).entries()[1]).containsExactly(2, 2, 2);

        h.tap(NOON, 1, 503, 1000004, 2, 1);
        assertResult(h.reversal(NOON + 15 * MINUTE + 1, 1, 504, 503, 1000004), Decision.DECLINED,
            ReasonCode.REVERSAL_WINDOW_EXPIRED, -1);
    }

    @Test
    void shouldDeclineReversalOfUnknownDeclinedForeignOrOtherCardTap()
    {
        h.tap(NOON, 1, 600, 1000001, 2, 1);
        h.tap(NOON, 1, 601, 1000099, 2, 1);
        assertResult(h.reversal(NOON, 1, 602, 999_999, 1000001), Decision.DECLINED, ReasonCode.ORIGINAL_NOT_FOUND, -1);
        assertResult(h.reversal(NOON, 1, 603, 600, 1000004), Decision.DECLINED, ReasonCode.ORIGINAL_NOT_FOUND, -1);
        assertResult(h.reversal(NOON, 1, 604, 601, 1000099), Decision.DECLINED, ReasonCode.ORIGINAL_NOT_FOUND, -1);
        assertResult(h.reversal(NOON, 2, 605, 600, 1000001), Decision.DECLINED, ReasonCode.ORIGINAL_NOT_FOUND, -1);
        assertResult(h.reversal(NOON, 1, 606, 600, 1000001), Decision.APPROVED, ReasonCode.OK, 2);
    }

    @Test
    void shouldReverseRecordedAdviceAndRestoreWhatItTook()
    {
        h.tap(NOON, 1, 700, 1000001, 2, 2);
        assertResult(h.advice(NOON, 1, 701, 1000001, 2, 1, NOON - MINUTE), Decision.RECORDED,
            ReasonCode.QUOTA_EXHAUSTED, 0);
        assertResult(h.reversal(NOON, 1, 702, 701, 1000001), Decision.APPROVED, ReasonCode.OK, 0);
        assertResult(h.reversal(NOON, 1, 703, 700, 1000001), Decision.APPROVED, ReasonCode.OK, 2);
    }

    @Test
    void shouldReturnOriginalResultForRetriedCorrelationAndChangeNothing()
    {
        final Harness.Result first = h.tap(NOON, 1, 800, 1000001, 2, 1);
        final long sequence = h.engine.lastSequence();
        final Harness.Result retry = h.tap(NOON + 60 * MINUTE, 1, 800, 1000001, 2, 1, 0, NOON);
        assertThat(retry).isEqualTo(first);
        assertThat(h.engine.lastSequence()).isEqualTo(sequence);
        assertThat(h.balance(NOON, 1, 1000001).entries()[1]).containsExactly(2, 1, 2);

        final Harness.Result changed = h.tap(NOON, 1, 800, 1000001, 2, 2);
        assertResult(changed, Decision.DECLINED, ReasonCode.DUPLICATE_CORRELATION, -1);
        final Harness.Result changedAgain = h.tap(NOON, 1, 800, 1000001, 2, 2);
        assertResult(changedAgain, Decision.DECLINED, ReasonCode.DUPLICATE_CORRELATION, -1);
        assertThat(changedAgain.receipt()).isGreaterThan(changed.receipt()).isGreaterThan(first.receipt());

        // a reversal shares the correlation space: reusing 800 for a reversal is a changed body
        assertResult(h.reversal(NOON, 1, 800, 800, 1000001), Decision.DECLINED, ReasonCode.DUPLICATE_CORRELATION, -1);
        // the same correlation on another terminal is another request
        assertResult(h.tap(NOON, 2, 800, 1000001, 2, 1), Decision.APPROVED, ReasonCode.OK, 0);

        final Harness.Result reversal = h.reversal(NOON, 1, 801, 800, 1000001);
        assertThat(h.reversal(NOON + MINUTE, 1, 801, 800, 1000001)).isEqualTo(reversal);
    }

    @Test
    void shouldForgetCorrelationAfterTwentyFourHours()
    {
        final Harness.Result first = h.tap(NOON, 1, 900, 1000001, 2, 1);
        final long day = 24 * 60 * MINUTE;
        assertThat(h.tap(NOON + day - 1, 1, 900, 1000001, 2, 1, 0, NOON)).isEqualTo(first);
        final Harness.Result later = h.tap(NOON + day, 1, 900, 1000001, 2, 1, 0, NOON);
        assertThat(later.receipt()).isGreaterThan(first.receipt());
        assertResult(later, Decision.APPROVED, ReasonCode.OK, 0);
    }

    @Test
    void shouldGrowIdempotencyTableAndForgetOldestOnlyAtItsLargestSize()
    {
        try (Harness small = new Harness(new EngineConfig().dataDir(dir.resolve("small")).snapshotIntervalMs(0)
            .idempotencyCapacity(4).idempotencyMaxCapacity(16)).demo(100, 2))
        {
            final Harness.Result[] results = new Harness.Result[40];
            for (int i = 0; i < results.length; i++)
            {
                results[i] = small.tap(NOON, 1, 10_000 + i, 999, 1, 1);
            }
            assertThat(small.engine.counters().idempotencyEntries()).isEqualTo(16);
            assertThat(small.engine.counters().idempotencyEvictedEarly()).isEqualTo(24);
            for (int i = 24; i < results.length; i++)
            {
                assertThat(small.tap(NOON, 1, 10_000 + i, 999, 1, 1)).isEqualTo(results[i]);
            }
            assertThat(small.tap(NOON, 1, 10_000, 999, 1, 1).receipt()).isGreaterThan(results[39].receipt());
        }
    }

    @Test
    void shouldListEnrolledProgramsInBalanceWhateverTheOutlet()
    {
        final Harness.Balance balance = h.balance(NOON, 6, 1000001);
        assertThat(balance.decision()).isEqualTo(Decision.APPROVED);
        assertThat(balance.entries()).hasNumberOfRows(5);
        assertThat(balance.entries()[0]).containsExactly(1, 1, 1);
        assertThat(balance.entries()[1]).containsExactly(2, 2, 2);
        assertThat(balance.entries()[2]).containsExactly(3, 1, 1);
        assertThat(balance.entries()[3]).containsExactly(4, 1, 1);
        assertThat(balance.entries()[4]).containsExactly(5, 1, 1);

        final Harness.Balance none = h.balance(NOON, 1, 1000097);
        assertThat(none.decision()).isEqualTo(Decision.APPROVED);
        assertThat(none.entries()).isEmpty();
        assertThat(h.balance(NOON, 1, 1000099).reason()).isEqualTo(ReasonCode.CARD_BLOCKED);
        assertThat(h.balance(NOON, 1, 1000098).reason()).isEqualTo(ReasonCode.CARD_EXPIRED);
        final Harness.Balance unknown = h.balance(NOON, 1, 999);
        assertThat(unknown.decision()).isEqualTo(Decision.DECLINED);
        assertThat(unknown.reason()).isEqualTo(ReasonCode.UNKNOWN_CARD);
        assertThat(unknown.entries()).isEmpty();
    }

    @Test
    void shouldApplyWeekOnceAndCyclePeriods()
    {
        final int[] outlets = {1};
        final int open = Commands.OPEN_FROM_DAY;
        final int close = Commands.OPEN_TO_DAY;
        final int cycleStart = (int)LocalDate.of(2026, 11, 1).toEpochDay();
        h.command(CommandEncoder.defineProgram(h.commandBuffer, 0, h.nextCommandId(), 10, ProgramKind.AID,
            ProgramUnit.PERSON, PeriodRule.WEEK, 1, 0, open, close, 0, 1440, outlets));
        h.command(CommandEncoder.defineProgram(h.commandBuffer, 0, h.nextCommandId(), 11, ProgramKind.AID,
            ProgramUnit.PERSON, PeriodRule.ONCE, 1, 0, open, close, 0, 1440, outlets));
        h.command(CommandEncoder.defineProgram(h.commandBuffer, 0, h.nextCommandId(), 12, ProgramKind.AID,
            ProgramUnit.HOUSEHOLD, PeriodRule.CYCLE, 1, 14, cycleStart, close, 0, 1440, outlets));
        for (final int program : new int[] {10, 11, 12})
        {
            h.command(CommandEncoder.grantEntitlement(h.commandBuffer, 0, h.nextCommandId(), 1000001, program));
        }
        // week from Monday: Sunday 29 Nov 23:50 is the week of Monday 23 Nov
        assertResult(tap(kyiv(2026, 11, 23, 0, 10), 1, 1000001, 10), Decision.APPROVED, ReasonCode.OK, 0);
        assertResult(tap(kyiv(2026, 11, 29, 23, 50), 1, 1000001, 10), Decision.DECLINED,
            ReasonCode.QUOTA_EXHAUSTED, 0);
        assertResult(tap(kyiv(2026, 11, 30, 0, 10), 1, 1000001, 10), Decision.APPROVED, ReasonCode.OK, 0);
        // once: never again
        assertResult(tap(kyiv(2026, 11, 23, 10, 0), 1, 1000001, 11), Decision.APPROVED, ReasonCode.OK, 0);
        assertResult(tap(kyiv(2027, 6, 1, 10, 0), 1, 1000001, 11), Decision.DECLINED, ReasonCode.QUOTA_EXHAUSTED, 0);
        // 14-day cycles from 1 Nov: 1–14, 15–28, 29 Nov–12 Dec
        assertResult(tap(kyiv(2026, 11, 15, 10, 0), 1, 1000001, 12), Decision.APPROVED, ReasonCode.OK, 0);
        assertResult(tap(kyiv(2026, 11, 28, 23, 0), 1, 1000001, 12), Decision.DECLINED,
            ReasonCode.QUOTA_EXHAUSTED, 0);
        assertResult(tap(kyiv(2026, 11, 29, 0, 30), 1, 1000001, 12), Decision.APPROVED, ReasonCode.OK, 0);
        // a member of the household not granted the program
        assertResult(tap(kyiv(2026, 11, 29, 1, 0), 1, 1000002, 12), Decision.DECLINED, ReasonCode.NO_ENTITLEMENT, -1);
    }
}
