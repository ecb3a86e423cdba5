package io.tapswitch.switching.engine;

import static io.tapswitch.switching.engine.Harness.kyiv;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import io.tapswitch.formats.command.CardStatus;
import io.tapswitch.formats.command.CommandEncoder;
import io.tapswitch.formats.command.Commands;
import io.tapswitch.formats.command.PeriodRule;
import io.tapswitch.formats.command.ProgramKind;
import io.tapswitch.formats.command.ProgramUnit;
import io.tapswitch.formats.demo.DemoDataset;
import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.ReasonCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the engine counts for the operator (the meters behind {@code /metrics} and the alerts): each LOGON by its
 * result, each BALANCE by its decision, each command applied, rejected or skipped as already applied, the table
 * sizes after a command.
 */
class EngineCountersTest
{
    private static final long NOON = kyiv(2026, 11, 23, 12, 0);

    @TempDir
    Path dir;
    private Harness h;

    @BeforeEach
    void setUp()
    {
        h = new Harness(dir).demo(30, 10);
    }

    @AfterEach
    void tearDown()
    {
        h.close();
    }

    @Test
    void shouldCountEachLogonByItsResult()
    {
        final EngineCounters counters = h.engine.counters();
        h.logon(NOON, 0, 2, NOON, 1, DemoDataset.terminalKey(2));
        h.logon(NOON, 0, 2, NOON, 2, DemoDataset.terminalKey(3));
        h.logon(NOON, 0, 2, NOON, 2, DemoDataset.terminalKey(3));
        h.logon(NOON, 0, 2, NOON, 1, DemoDataset.terminalKey(2));
        assertThat(counters.logons(ReasonCode.OK)).isEqualTo(1);
        assertThat(counters.logons(ReasonCode.BAD_CREDENTIALS)).isEqualTo(2);
        assertThat(counters.logons(ReasonCode.STALE_LOGON)).isEqualTo(1);
    }

    @Test
    void shouldCountEachBalanceByItsDecisionAndReason()
    {
        final EngineCounters counters = h.engine.counters();
        h.balance(NOON, 1, 1000001);
        h.balance(NOON, 1, 1000001);
        h.balance(NOON, 1, 999);
        assertThat(counters.decisions(EngineCounters.TYPE_BALANCE, Decision.APPROVED, ReasonCode.OK, 0)).isEqualTo(2);
        assertThat(counters.decisions(EngineCounters.TYPE_BALANCE, Decision.DECLINED, ReasonCode.UNKNOWN_CARD, 0))
            .isEqualTo(1);
    }

    @Test
    void shouldCountCommandsAppliedRejectedAndRepeatedAndTheTablesAfterThem()
    {
        final EngineCounters counters = h.engine.counters();
        assertThat(counters.commandsApplied()).isEqualTo(26);
        assertThat(counters.cards()).isEqualTo(30);
        final long applied = h.command(CommandEncoder.setCardStatus(h.commandBuffer, 0, h.nextCommandId(), 1000001,
            CardStatus.BLOCKED));
        h.command(CommandEncoder.setCardStatus(h.commandBuffer, 0, h.nextCommandId(), 4242, CardStatus.BLOCKED));
        assertThat(applied).isNotNegative();
        assertThat(counters.commandsApplied()).isEqualTo(27);
        assertThat(counters.commandsRejected()).isEqualTo(1);
        assertThat(counters.commandErrors()).isZero();
        h.command(CommandEncoder.issueCard(h.commandBuffer, 0, h.nextCommandId(), 5_000_001L, 5_000_001L,
            DemoDataset.ACTIVE_EXPIRY_DAY, 1, CardStatus.ACTIVE));
        assertThat(counters.cards()).isEqualTo(31);
        assertThat(counters.holders()).isEqualTo(31);
        assertThat(counters.lastReceipt()).isEqualTo(h.engine.lastSequence());
    }

    /** Decisions of a type with a decision and reason, whatever their program. */
    private long decisions(final int type, final int decision, final int reason)
    {
        long total = 0;
        for (int slot = 0; slot < EngineCounters.PROGRAM_SLOTS; slot++)
        {
            total += h.engine.counters().decisions(type, decision, reason, slot);
        }
        return total;
    }

    @Test
    void shouldCountEachTapAndReversalByItsDecisionReasonAndProgram()
    {
        final EngineCounters counters = h.engine.counters();
        // terminal 1 serves program 1 (FOOD_KIT) by default, in program slot 1
        assertThat(counters.programIdOfSlot(1)).isEqualTo(DemoDataset.PROGRAM_FOOD_KIT);
        h.tap(NOON, 1, 1, 1000001, 0, 1);
        h.tap(NOON, 1, 1, 1000001, 0, 1);
        h.tap(NOON, 1, 1, 1000002, 0, 1);
        h.tap(NOON, 1, 2, 999, 0, 1);
        h.reversal(NOON, 1, 3, 1, 1000001);
        h.reversal(NOON, 1, 4, 1, 1000001);
        h.reversal(NOON, 1, 4, 2, 1000001);
        assertThat(counters.decisions(EngineCounters.TYPE_TAP, Decision.APPROVED, ReasonCode.OK, 1))
            .as("the retry is not a decision of its own").isEqualTo(1);
        assertThat(decisions(EngineCounters.TYPE_TAP, Decision.DECLINED, ReasonCode.DUPLICATE_CORRELATION))
            .isEqualTo(1);
        assertThat(counters.decisions(EngineCounters.TYPE_TAP, Decision.DECLINED, ReasonCode.UNKNOWN_CARD, 1))
            .isEqualTo(1);
        assertThat(counters.decisions(EngineCounters.TYPE_REVERSAL, Decision.APPROVED, ReasonCode.OK, 1))
            .isEqualTo(1);
        assertThat(counters.decisions(EngineCounters.TYPE_REVERSAL, Decision.DECLINED, ReasonCode.ALREADY_REVERSED, 1))
            .isEqualTo(1);
        assertThat(decisions(EngineCounters.TYPE_REVERSAL, Decision.DECLINED, ReasonCode.DUPLICATE_CORRELATION))
            .as("a reversal reusing a correlation with another body").isEqualTo(1);
        assertThat(counters.lastReceipt()).isEqualTo(h.engine.lastSequence());
    }

    @Test
    void shouldNameTheProgramOfEachSlotForTheMetrics()
    {
        h.command(CommandEncoder.defineProgram(h.commandBuffer, 0, h.nextCommandId(), 4242, ProgramKind.AID,
            ProgramUnit.PERSON, PeriodRule.DAY, 1, 0, Commands.OPEN_FROM_DAY, Commands.OPEN_TO_DAY, 0, 1440,
            new int[] {1}));
        assertThat(h.engine.counters().programIdOfSlot(6)).isEqualTo(4242);
        assertThat(h.engine.counters().programs()).isEqualTo(6);
    }
}
