package io.tapswitch.switching.engine;

import static io.tapswitch.switching.engine.Harness.kyiv;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.LocalDate;

import io.tapswitch.formats.command.CardKind;
import io.tapswitch.formats.command.CardStatus;
import io.tapswitch.formats.command.CommandEncoder;
import io.tapswitch.formats.command.Commands;
import io.tapswitch.formats.command.PeriodRule;
import io.tapswitch.formats.command.ProgramKind;
import io.tapswitch.formats.command.ProgramUnit;
import io.tapswitch.formats.demo.DemoDataset;
import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.Messages;
import io.tapswitch.protocol.ReasonCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The edges of the request rules a terminal relies on, each on the exact boundary and one step past it: the last
 * day of a card, a program's first and last valid day, a serving window's first and last minute (also across
 * midnight), a quota reached exactly, what a REVERSAL gives back and shows as remaining (also across a period
 * boundary), BALANCE when usage went past the quota, the age and lead of an offline advice, and LOGON freshness and
 * key grace to the millisecond. On a real engine, journal and command queue (PROTOCOL.md rules 2, 5–9, 12, 13).
 */
class EngineEdgesTest
{
    /** Monday 23 November 2026 in Kyiv. */
    private static final int DAY = (int)LocalDate.of(2026, 11, 23).toEpochDay();
    private static final long NOON = kyiv(2026, 11, 23, 12, 0);
    private static final long MINUTE = 60_000L;
    private static final long TERMINAL = 1;
    private static final int OUTLET = DemoDataset.outletOf(TERMINAL);
    private static final long CARD = 7_000_001L;

    @TempDir
    Path dir;
    private Harness h;
    private int correlation = 5000;

    @BeforeEach
    void setUp()
    {
        h = new Harness(dir).demo(100, 20);
        h.command(CommandEncoder.issueCard(h.commandBuffer, 0, h.nextCommandId(), CARD, CARD,
            DemoDataset.ACTIVE_EXPIRY_DAY, CardKind.RESIDENT, CardStatus.ACTIVE));
    }

    @AfterEach
    void tearDown()
    {
        h.close();
    }

    private void program(
        final int programId, final int period, final int quota, final int validFrom, final int validTo,
        final int windowStart, final int windowEnd)
    {
        h.command(CommandEncoder.defineProgram(h.commandBuffer, 0, h.nextCommandId(), programId, ProgramKind.AID,
            ProgramUnit.PERSON, period, quota, 0, validFrom, validTo, windowStart, windowEnd, new int[] {OUTLET}));
        h.command(CommandEncoder.grantEntitlement(h.commandBuffer, 0, h.nextCommandId(), CARD, programId));
    }

    private Harness.Result tap(final long nowMs, final int programId, final int quantity)
    {
        return h.tap(nowMs, TERMINAL, ++correlation, CARD, programId, quantity);
    }

    private static void assertResult(
        final Harness.Result result, final int decision, final int reason, final int remaining)
    {
        assertThat(result.decision()).as("decision of %s", result).isEqualTo(decision);
        assertThat(result.reason()).as("reason of %s", result).isEqualTo(reason);
        assertThat(result.remaining()).as("remaining of %s", result).isEqualTo(remaining);
    }

    @Test
    void shouldServeACardOnItsLastDayAndCallItExpiredTheNextCityDay()
    {
        program(20, PeriodRule.DAY, 5, Commands.OPEN_FROM_DAY, Commands.OPEN_TO_DAY, 0, 1440);
        h.command(CommandEncoder.issueCard(h.commandBuffer, 0, h.nextCommandId(), CARD, CARD, DAY,
            CardKind.RESIDENT, CardStatus.ACTIVE));
        assertResult(tap(kyiv(2026, 11, 23, 23, 59), 20, 1), Decision.APPROVED, ReasonCode.OK, 4);
        assertResult(tap(kyiv(2026, 11, 24, 0, 0), 20, 1), Decision.DECLINED, ReasonCode.CARD_EXPIRED, -1);
        // BALANCE follows the same day
        assertThat(h.balance(kyiv(2026, 11, 23, 23, 59), TERMINAL, CARD).reason()).isEqualTo(ReasonCode.OK);
        assertThat(h.balance(kyiv(2026, 11, 24, 0, 0), TERMINAL, CARD).reason()).isEqualTo(ReasonCode.CARD_EXPIRED);
    }

    @Test
    void shouldServeAProgramFromItsFirstValidDayToItsLastOnly()
    {
        program(21, PeriodRule.DAY, 5, DAY, DAY + 1, 0, 1440);
        assertResult(tap(kyiv(2026, 11, 22, 23, 59), 21, 1), Decision.DECLINED, ReasonCode.OUTSIDE_WINDOW, 5);
        assertResult(tap(kyiv(2026, 11, 23, 0, 0), 21, 1), Decision.APPROVED, ReasonCode.OK, 4);
        assertResult(tap(kyiv(2026, 11, 24, 23, 59), 21, 1), Decision.APPROVED, ReasonCode.OK, 4);
        assertResult(tap(kyiv(2026, 11, 25, 0, 0), 21, 1), Decision.DECLINED, ReasonCode.OUTSIDE_WINDOW, 5);
    }

    @Test
    void shouldOpenAWindowOnItsFirstMinuteAndCloseItOnItsLast()
    {
        program(22, PeriodRule.DAY, 10, Commands.OPEN_FROM_DAY, Commands.OPEN_TO_DAY, 600, 660);
        assertResult(tap(kyiv(2026, 11, 23, 9, 59), 22, 1), Decision.DECLINED, ReasonCode.OUTSIDE_WINDOW, 10);
        assertResult(tap(kyiv(2026, 11, 23, 10, 0), 22, 1), Decision.APPROVED, ReasonCode.OK, 9);
        assertResult(tap(kyiv(2026, 11, 23, 10, 59), 22, 1), Decision.APPROVED, ReasonCode.OK, 8);
        assertResult(tap(kyiv(2026, 11, 23, 11, 0), 22, 1), Decision.DECLINED, ReasonCode.OUTSIDE_WINDOW, 8);
    }

    @Test
    void shouldServeAWindowThatSpansMidnightOnBothSides()
    {
        program(23, PeriodRule.MONTH, 10, Commands.OPEN_FROM_DAY, Commands.OPEN_TO_DAY, 1380, 60);
        assertResult(tap(kyiv(2026, 11, 23, 22, 59), 23, 1), Decision.DECLINED, ReasonCode.OUTSIDE_WINDOW, 10);
        assertResult(tap(kyiv(2026, 11, 23, 23, 0), 23, 1), Decision.APPROVED, ReasonCode.OK, 9);
        assertResult(tap(kyiv(2026, 11, 24, 0, 59), 23, 1), Decision.APPROVED, ReasonCode.OK, 8);
        assertResult(tap(kyiv(2026, 11, 24, 1, 0), 23, 1), Decision.DECLINED, ReasonCode.OUTSIDE_WINDOW, 8);
        assertResult(tap(kyiv(2026, 11, 24, 12, 0), 23, 1), Decision.DECLINED, ReasonCode.OUTSIDE_WINDOW, 8);
    }

    @Test
    void shouldApproveUpToTheQuotaExactlyAndShowWhatIsLeft()
    {
        program(24, PeriodRule.DAY, 3, Commands.OPEN_FROM_DAY, Commands.OPEN_TO_DAY, 0, 1440);
        assertResult(tap(NOON, 24, 2), Decision.APPROVED, ReasonCode.OK, 1);
        assertResult(tap(NOON, 24, 2), Decision.DECLINED, ReasonCode.QUOTA_EXHAUSTED, 1);
        assertResult(tap(NOON, 24, 1), Decision.APPROVED, ReasonCode.OK, 0);
        assertResult(tap(NOON, 24, 1), Decision.DECLINED, ReasonCode.QUOTA_EXHAUSTED, 0);
        final Harness.Balance balance = h.balance(NOON, TERMINAL, CARD);
        assertThat(balance.decision()).isEqualTo(Decision.APPROVED);
        assertThat(balance.entries()).hasNumberOfRows(1);
        assertThat(balance.entries()[0]).containsExactly(24, 0, 3);
    }

    @Test
    void shouldGiveBackWhatAReversedTapTookAndShowTheNewRemaining()
    {
        program(25, PeriodRule.DAY, 3, Commands.OPEN_FROM_DAY, Commands.OPEN_TO_DAY, 0, 1440);
        final int first = ++correlation;
        assertResult(h.tap(NOON, TERMINAL, first, CARD, 25, 2), Decision.APPROVED, ReasonCode.OK, 1);
        assertResult(tap(NOON, 25, 1), Decision.APPROVED, ReasonCode.OK, 0);
        final Harness.Result reversal = h.reversal(NOON + MINUTE, TERMINAL, ++correlation, first, CARD);
        assertResult(reversal, Decision.APPROVED, ReasonCode.OK, 2);
        assertThat(reversal.receipt()).isPositive();
        assertThat(h.balance(NOON + MINUTE, TERMINAL, CARD).entries()[0]).containsExactly(25, 2, 3);
        assertResult(tap(NOON + MINUTE, 25, 2), Decision.APPROVED, ReasonCode.OK, 0);
    }

    @Test
    void shouldReverseUntilTheLastMillisecondOfTheWindowOnly()
    {
        program(26, PeriodRule.DAY, 5, Commands.OPEN_FROM_DAY, Commands.OPEN_TO_DAY, 0, 1440);
        final long window = h.config.reversalWindowMs();
        final int inTime = ++correlation;
        assertResult(h.tap(NOON, TERMINAL, inTime, CARD, 26, 1), Decision.APPROVED, ReasonCode.OK, 4);
        final int late = ++correlation;
        assertResult(h.tap(NOON, TERMINAL, late, CARD, 26, 1), Decision.APPROVED, ReasonCode.OK, 3);
        assertResult(h.reversal(NOON + window, TERMINAL, ++correlation, inTime, CARD),
            Decision.APPROVED, ReasonCode.OK, 4);
        assertResult(h.reversal(NOON + window + 1, TERMINAL, ++correlation, late, CARD),
            Decision.DECLINED, ReasonCode.REVERSAL_WINDOW_EXPIRED, -1);
        assertThat(h.balance(NOON + window + 1, TERMINAL, CARD).entries()[0]).containsExactly(26, 4, 5);
    }

    @Test
    void shouldNotCountAReversalOfYesterdaysTapAgainstToday()
    {
        program(27, PeriodRule.DAY, 1, Commands.OPEN_FROM_DAY, Commands.OPEN_TO_DAY, 0, 1440);
        final int yesterday = ++correlation;
        assertResult(h.tap(kyiv(2026, 11, 23, 23, 55), TERMINAL, yesterday, CARD, 27, 1),
            Decision.APPROVED, ReasonCode.OK, 0);
        assertResult(tap(kyiv(2026, 11, 24, 0, 5), 27, 1), Decision.APPROVED, ReasonCode.OK, 0);
        // the 23:55 tap is given back to the 23rd; today's use stays
        assertResult(h.reversal(kyiv(2026, 11, 24, 0, 6), TERMINAL, ++correlation, yesterday, CARD),
            Decision.APPROVED, ReasonCode.OK, 0);
        assertResult(tap(kyiv(2026, 11, 24, 0, 7), 27, 1), Decision.DECLINED, ReasonCode.QUOTA_EXHAUSTED, 0);
    }

    @Test
    void shouldNeverShowANegativeRemainingAfterAdvicePastTheQuota()
    {
        program(28, PeriodRule.DAY, 1, Commands.OPEN_FROM_DAY, Commands.OPEN_TO_DAY, 0, 1440);
        final Harness.Result advice = h.advice(NOON, TERMINAL, ++correlation, CARD, 28, 3, NOON - MINUTE);
        assertResult(advice, Decision.RECORDED, ReasonCode.QUOTA_EXHAUSTED, 0);
        assertThat(h.balance(NOON, TERMINAL, CARD).entries()[0]).containsExactly(28, 0, 1);
        assertResult(tap(NOON, 28, 1), Decision.DECLINED, ReasonCode.QUOTA_EXHAUSTED, 0);
    }

    @Test
    void shouldAcceptAdviceExactlyAsOldOrAsFarAheadAsAllowed()
    {
        program(29, PeriodRule.ONCE, 100, Commands.OPEN_FROM_DAY, Commands.OPEN_TO_DAY, 0, 1440);
        final long maxAge = h.config.adviceMaxAgeMs();
        final long maxAhead = h.config.adviceMaxAheadMs();
        assertResult(h.advice(NOON, TERMINAL, ++correlation, CARD, 29, 1, NOON - maxAge),
            Decision.APPROVED, ReasonCode.OK, 99);
        assertResult(h.advice(NOON, TERMINAL, ++correlation, CARD, 29, 1, NOON - maxAge - 1),
            Decision.DECLINED, ReasonCode.INVALID_REQUEST, -1);
        assertResult(h.advice(NOON, TERMINAL, ++correlation, CARD, 29, 1, NOON + maxAhead),
            Decision.APPROVED, ReasonCode.OK, 98);
        assertResult(h.advice(NOON, TERMINAL, ++correlation, CARD, 29, 1, NOON + maxAhead + 1),
            Decision.DECLINED, ReasonCode.INVALID_REQUEST, -1);
    }

    @Test
    void shouldTellARetryFromAnotherRequestReusingItsCorrelationByEveryField()
    {
        program(31, PeriodRule.DAY, 5, Commands.OPEN_FROM_DAY, Commands.OPEN_TO_DAY, 0, 1440);
        program(32, PeriodRule.DAY, 5, Commands.OPEN_FROM_DAY, Commands.OPEN_TO_DAY, 0, 1440);
        final int reused = ++correlation;
        final Harness.Result original = h.tap(NOON, TERMINAL, reused, CARD, 31, 1);
        assertResult(original, Decision.APPROVED, ReasonCode.OK, 4);
        // the same bytes again (a terminal's retry keeps its terminal time): the original answer and receipt
        final Harness.Result retry = h.tap(NOON + MINUTE, TERMINAL, reused, CARD, 31, 1, 0, NOON);
        assertThat(retry).isEqualTo(original);
        // the same correlation with another quantity, or another program: not a retry
        assertResult(h.tap(NOON + MINUTE, TERMINAL, reused, CARD, 31, 2, 0, NOON), Decision.DECLINED,
            ReasonCode.DUPLICATE_CORRELATION, -1);
        assertResult(h.tap(NOON + MINUTE, TERMINAL, reused, CARD, 32, 1, 0, NOON), Decision.DECLINED,
            ReasonCode.DUPLICATE_CORRELATION, -1);
        // ... or the same request sent as an offline advice (other flags)
        assertResult(h.tap(NOON + MINUTE, TERMINAL, reused, CARD, 31, 1, Messages.Tap.FLAG_OFFLINE_ADVICE, NOON),
            Decision.DECLINED, ReasonCode.DUPLICATE_CORRELATION, -1);
        assertThat(h.balance(NOON + MINUTE, TERMINAL, CARD).entries())
            .isDeepEqualTo(new int[][] {{31, 4, 5}, {32, 5, 5}});
    }

    @Test
    void shouldRefuseATapFromATerminalTheSwitchDoesNotKnow()
    {
        program(30, PeriodRule.DAY, 5, Commands.OPEN_FROM_DAY, Commands.OPEN_TO_DAY, 0, 1440);
        assertResult(h.tap(NOON, 4242, ++correlation, CARD, 30, 1), Decision.DECLINED, ReasonCode.INVALID_REQUEST,
            -1);
        assertResult(tap(NOON, 30, 1), Decision.APPROVED, ReasonCode.OK, 4);
    }

    @Test
    void shouldAcceptALogonClockExactlyFiveMinutesOffAndNotOneMillisecondMore()
    {
        final byte[] key = DemoDataset.terminalKey(3);
        final long skew = h.config.logonSkewMs();
        assertThat(h.logon(NOON, 0, 3, NOON - skew, 11, key).result()).isEqualTo(ReasonCode.OK);
        assertThat(h.logon(NOON, 0, 3, NOON + skew, 12, key).result()).isEqualTo(ReasonCode.OK);
        assertThat(h.logon(NOON, 0, 3, NOON - skew - 1, 13, key).result()).isEqualTo(ReasonCode.STALE_LOGON);
        assertThat(h.logon(NOON, 0, 3, NOON + skew + 1, 14, key).result()).isEqualTo(ReasonCode.STALE_LOGON);
    }

    @Test
    void shouldNotBurnTheNonceOfALogonWithAWrongKey()
    {
        final byte[] key = DemoDataset.terminalKey(4);
        assertThat(h.logon(NOON, 0, 4, NOON, 21, DemoDataset.terminalKey(5)).result())
            .isEqualTo(ReasonCode.BAD_CREDENTIALS);
        assertThat(h.logon(NOON, 0, 4, NOON, 21, key).result()).isEqualTo(ReasonCode.OK);
        assertThat(h.logon(NOON + MINUTE, 0, 4, NOON, 21, key).result()).isEqualTo(ReasonCode.STALE_LOGON);
    }

    @Test
    void shouldRefuseTheReplacedKeyFromTheGraceDeadlineOn()
    {
        final byte[] oldKey = DemoDataset.terminalKey(6);
        final byte[] newKey = DemoDataset.terminalKey(16);
        final long graceUntil = NOON + 10 * MINUTE;
        h.command(CommandEncoder.rotateKeyWithGrace(h.commandBuffer, 0, h.nextCommandId(), 6, newKey, graceUntil));
        assertThat(h.logon(graceUntil - 1, 0, 6, graceUntil - 1, 31, oldKey).result()).isEqualTo(ReasonCode.OK);
        assertThat(h.logon(graceUntil, 0, 6, graceUntil, 32, oldKey).result()).isEqualTo(ReasonCode.BAD_CREDENTIALS);
        assertThat(h.logon(graceUntil, 0, 6, graceUntil, 33, newKey).result()).isEqualTo(ReasonCode.OK);
    }

    @Test
    void shouldRefuseADisabledTerminalEvenWithTheRightKeyAndServeItAgainOnceEnabled()
    {
        final byte[] key = DemoDataset.terminalKey(8);
        h.command(CommandEncoder.setTerminalEnabled(h.commandBuffer, 0, h.nextCommandId(), 8, false));
        final Harness.Logon refused = h.logon(NOON, 0, 8, NOON, 41, key);
        assertThat(refused.result()).isEqualTo(ReasonCode.BAD_CREDENTIALS);
        assertThat(refused.heartbeatMs()).isZero();
        assertThat(refused.serverTimeMs()).isEqualTo(NOON);
        h.command(CommandEncoder.setTerminalEnabled(h.commandBuffer, 0, h.nextCommandId(), 8, true));
        // the refused LOGON had a valid MAC: its nonce is spent
        assertThat(h.logon(NOON, 0, 8, NOON, 41, key).result()).isEqualTo(ReasonCode.STALE_LOGON);
        final Harness.Logon ok = h.logon(NOON, 0, 8, NOON, 42, key);
        assertThat(ok.result()).isEqualTo(ReasonCode.OK);
        assertThat(ok.heartbeatMs()).isEqualTo(h.config.heartbeatMs());
    }
}
