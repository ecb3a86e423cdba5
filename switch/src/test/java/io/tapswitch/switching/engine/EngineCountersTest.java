package io.tapswitch.switching.engine;

import static io.tapswitch.switching.engine.Harness.kyiv;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import io.tapswitch.formats.command.CardStatus;
import io.tapswitch.formats.command.CommandEncoder;
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
}
