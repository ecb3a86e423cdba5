package io.tapswitch.switching.engine;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.formats.command.CardKind;
import io.tapswitch.formats.command.CardStatus;
import io.tapswitch.formats.command.CommandEncoder;
import io.tapswitch.formats.command.CommandPublisher;
import io.tapswitch.formats.command.CommandRejectReason;
import io.tapswitch.formats.command.CommandType;
import io.tapswitch.formats.command.Commands;
import io.tapswitch.formats.command.PeriodRule;
import io.tapswitch.formats.command.ProgramKind;
import io.tapswitch.formats.command.ProgramUnit;
import io.tapswitch.formats.demo.DemoDataset;
import io.tapswitch.formats.journal.JournalReader;
import io.tapswitch.formats.journal.JournalRecord;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.tapswitch.switching.engine.Harness.kyiv;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Admin commands through the real command queue: applied once, skipped when repeated, rejected with a journaled
 * reason without stopping the engine; card lifecycle and entitlements.
 */
class EngineCommandTest
{
    private static final long NOW = kyiv(2026, 11, 23, 12, 0);

    @TempDir
    Path dir;
    private Harness h;

    @BeforeEach
    void setUp()
    {
        h = new Harness(dir).demo(300, 10);
    }

    @AfterEach
    void tearDown()
    {
        h.close();
    }

    private List<String> commandRecords()
    {
        final List<String> records = new ArrayList<>();
        try (JournalReader reader = new JournalReader(dir))
        {
            reader.poll((index, r) ->
            {
                if (r.type() == JournalRecord.TYPE_COMMAND)
                {
                    records.add(r.commandId() + " " + CommandType.name(r.commandType()) + " " +
                        (r.commandOutcome() == JournalRecord.OUTCOME_APPLIED ? "APPLIED" :
                        CommandRejectReason.name(r.commandRejectReason())));
                }
            }, Integer.MAX_VALUE);
        }
        return records;
    }

    @Test
    void shouldProvisionDemoDatasetThroughCompactCommands()
    {
        // 10 outlets + 5 programs + 10 terminals + 1 batch of 300 cards
        assertThat(h.engine.lastCommandId()).isEqualTo(26);
        assertThat(h.engine.counters().cards()).isEqualTo(300);
        assertThat(h.engine.counters().holders()).isEqualTo(300);
        assertThat(h.engine.counters().terminals()).isEqualTo(10);
        assertThat(h.engine.counters().programs()).isEqualTo(5);
        assertThat(h.engine.counters().outlets()).isEqualTo(10);
        // cards 1000097, 1000197, 1000297 are enrolled in nothing
        assertThat(h.engine.counters().entitlements()).isEqualTo(297 * 5);
        assertThat(commandRecords()).hasSize(26).allMatch(s -> s.endsWith("APPLIED"));
    }

    @Test
    void shouldRejectInvalidCommandsWithReasonAndKeepGoing()
    {
        h.command(CommandEncoder.grantEntitlement(h.commandBuffer, 0, h.nextCommandId(), 1000001, 99));
        h.command(CommandEncoder.grantEntitlement(h.commandBuffer, 0, h.nextCommandId(), 42, 1));
        h.command(CommandEncoder.setCardStatus(h.commandBuffer, 0, h.nextCommandId(), 555, CardStatus.BLOCKED));
        h.command(CommandEncoder.registerTerminal(h.commandBuffer, 0, h.nextCommandId(), 50, 77, true,
            DemoDataset.terminalKey(50)));
        h.command(CommandEncoder.issueCard(h.commandBuffer, 0, h.nextCommandId(), 1000001, 4242,
            DemoDataset.ACTIVE_EXPIRY_DAY, CardKind.RESIDENT, CardStatus.ACTIVE));
        h.command(CommandEncoder.issueCard(h.commandBuffer, 0, h.nextCommandId(), 5000, 5000,
            DemoDataset.ACTIVE_EXPIRY_DAY, 9, CardStatus.ACTIVE));
        h.command(CommandEncoder.defineProgram(h.commandBuffer, 0, h.nextCommandId(), 1, ProgramKind.AID,
            ProgramUnit.PERSON, PeriodRule.MONTH, 1, 0, Commands.OPEN_FROM_DAY, Commands.OPEN_TO_DAY, 0, 1440,
            new int[] {1}));
        // an unknown type written by hand straight to the queue (the publisher refuses it)
        final long unknownId = h.nextCommandId();
        try (SingleChronicleQueue queue = io.tapswitch.formats.Queues.open(
            io.tapswitch.formats.Queues.commandsDir(dir));
            ExcerptAppender appender = queue.acquireAppender())
        {
            CommandEncoder.header(h.commandBuffer, 0, unknownId, 200, 0);
            try (DocumentContext dc = appender.writingDocument())
            {
                dc.wire().bytes().write(h.commandBuffer.byteArray(), 0, Commands.HEADER_BYTES);
            }
        }
        h.drainCommands(NOW);
        // a valid command after all of them is still applied
        h.command(CommandEncoder.setCardStatus(h.commandBuffer, 0, unknownId + 1, 1000001, CardStatus.BLOCKED));

        assertThat(commandRecords().subList(26, commandRecords().size())).containsExactly(
            "27 GRANT_ENTITLEMENT UNKNOWN_PROGRAM",
            "28 GRANT_ENTITLEMENT UNKNOWN_HOLDER",
            "29 SET_CARD_STATUS UNKNOWN_CARD",
            "30 REGISTER_TERMINAL UNKNOWN_OUTLET",
            "31 ISSUE_CARD CARD_EXISTS",
            "32 ISSUE_CARD INVALID_VALUE",
            "33 DEFINE_PROGRAM INVALID_VALUE",
            "34 UNKNOWN UNKNOWN_TYPE",
            "35 SET_CARD_STATUS APPLIED");
        assertThat(h.engine.counters().commandsRejected()).isEqualTo(8);
        assertThat(h.tap(NOW, 1, 1, 1000001, 1, 1).reason()).isEqualTo(ReasonCode.CARD_BLOCKED);
        assertThat(h.tap(NOW, 1, 2, 1000004, 1, 1).decision()).isEqualTo(Decision.APPROVED);
    }

    @Test
    void shouldRefuseNonIncreasingIdsInPublisherAndSkipAppliedIdsInEngine()
    {
        final long id = h.nextCommandId();
        h.command(CommandEncoder.setCardStatus(h.commandBuffer, 0, id, 1000001, CardStatus.BLOCKED));
        final int length = CommandEncoder.setCardStatus(h.commandBuffer, 0, id, 1000001, CardStatus.ACTIVE);
        assertThat(h.publisher.publish(h.commandBuffer, 0, length)).isEqualTo(CommandPublisher.NOT_INCREASING);
        h.commandBuffer.putInt(Commands.BODY_LENGTH_OFFSET, 3, ByteOrder.LITTLE_ENDIAN);
        assertThat(h.publisher.publish(h.commandBuffer, 0, length)).isEqualTo(CommandPublisher.MALFORMED);

        // an older id written past the publisher is skipped by the engine, not applied
        try (SingleChronicleQueue queue = io.tapswitch.formats.Queues.open(
            io.tapswitch.formats.Queues.commandsDir(dir));
            ExcerptAppender appender = queue.acquireAppender())
        {
            final int again = CommandEncoder.setCardStatus(h.commandBuffer, 0, id, 1000001, CardStatus.ACTIVE);
            try (DocumentContext dc = appender.writingDocument())
            {
                dc.wire().bytes().write(h.commandBuffer.byteArray(), 0, again);
            }
        }
        h.drainCommands(NOW);
        assertThat(h.engine.counters().commandsDuplicate()).isEqualTo(1);
        assertThat(h.tap(NOW, 1, 1, 1000001, 1, 1).reason()).isEqualTo(ReasonCode.CARD_BLOCKED);

        // a new publisher continues after the last id in the queue
        h.publisher.close();
        try (CommandPublisher second = new CommandPublisher(dir))
        {
            assertThat(second.nextCommandId()).isEqualTo(id + 1);
        }
    }

    @Test
    void shouldPublishFromAnyThreadAndRunEngineOpenedOnAnotherThread() throws Exception
    {
        final long[] indexes = {Long.MIN_VALUE, Long.MIN_VALUE};
        final Thread[] threads = new Thread[2];
        for (int i = 0; i < threads.length; i++)
        {
            final int n = i;
            threads[i] = new Thread(() ->
            {
                final org.agrona.concurrent.UnsafeBuffer buffer =
                    new org.agrona.concurrent.UnsafeBuffer(new byte[Commands.MAX_COMMAND_BYTES]);
                synchronized (h.publisher)
                {
                    indexes[n] = h.publisher.publish(buffer, 0, CommandEncoder.setCardStatus(buffer, 0,
                        h.publisher.nextCommandId(), 1000001 + 3 * n, CardStatus.BLOCKED));
                }
            });
            threads[i].start();
            threads[i].join();
        }
        assertThat(indexes[0]).isNotNegative();
        assertThat(indexes[1]).isGreaterThan(indexes[0]);

        final Engine[] engine = new Engine[1];
        final Thread opener = new Thread(() -> engine[0] = Engine.open(h.config));
        h.engine.close();
        opener.start();
        opener.join();
        h.engine = engine[0];
        h.drainCommands(NOW);
        assertThat(h.tap(NOW, 1, 1, 1000001, 1, 1).reason()).isEqualTo(ReasonCode.CARD_BLOCKED);
        assertThat(h.tap(NOW, 1, 2, 1000004, 1, 1).reason()).isEqualTo(ReasonCode.CARD_BLOCKED);
        assertThat(h.tap(NOW, 1, 3, 1000007, 1, 1).decision()).isEqualTo(Decision.APPROVED);
    }

    @Test
    void shouldCarryEntitlementsAndUsageToReplacementCard()
    {
        assertThat(h.tap(NOW, 1, 1, 1000001, 2, 1).remaining()).isEqualTo(1);
        h.command(CommandEncoder.replaceCard(h.commandBuffer, 0, h.nextCommandId(), 1000001, 7_000_001,
            DemoDataset.ACTIVE_EXPIRY_DAY, CardKind.RESIDENT));
        assertThat(h.tap(NOW, 1, 2, 1000001, 2, 1).reason()).isEqualTo(ReasonCode.CARD_BLOCKED);
        final Harness.Result onNewCard = h.tap(NOW, 1, 3, 7_000_001, 2, 1);
        assertThat(onNewCard.decision()).isEqualTo(Decision.APPROVED);
        assertThat(onNewCard.remaining()).isZero();
        assertThat(h.tap(NOW, 1, 4, 7_000_001, 1, 1).decision()).isEqualTo(Decision.APPROVED);
        // the replaced card can no longer be reactivated
        h.command(CommandEncoder.setCardStatus(h.commandBuffer, 0, h.nextCommandId(), 1000001, CardStatus.ACTIVE));
        assertThat(commandRecords().get(commandRecords().size() - 1)).endsWith("CARD_REPLACED");
    }

    @Test
    void shouldIssueActivateBlockAndExpireCards()
    {
        h.command(CommandEncoder.issueCard(h.commandBuffer, 0, h.nextCommandId(), 8_000_001, 8_000_001,
            (int)java.time.LocalDate.of(2026, 11, 23).toEpochDay(), CardKind.GUEST, CardStatus.ISSUED));
        h.command(CommandEncoder.grantEntitlement(h.commandBuffer, 0, h.nextCommandId(), 8_000_001, 2));
        assertThat(h.tap(NOW, 1, 1, 8_000_001, 2, 1).reason()).isEqualTo(ReasonCode.CARD_BLOCKED);
        h.command(CommandEncoder.setCardStatus(h.commandBuffer, 0, h.nextCommandId(), 8_000_001, CardStatus.ACTIVE));
        assertThat(h.tap(NOW, 1, 2, 8_000_001, 2, 1).decision()).isEqualTo(Decision.APPROVED);
        // the expiry day is the last valid city day
        assertThat(h.tap(kyiv(2026, 11, 23, 23, 59), 1, 3, 8_000_001, 2, 1).decision())
            .isEqualTo(Decision.APPROVED);
        assertThat(h.tap(kyiv(2026, 11, 24, 0, 0), 1, 4, 8_000_001, 2, 1).reason())
            .isEqualTo(ReasonCode.CARD_EXPIRED);
        h.command(CommandEncoder.setCardStatus(h.commandBuffer, 0, h.nextCommandId(), 8_000_001, CardStatus.LOST));
        assertThat(h.tap(NOW, 1, 5, 8_000_001, 2, 1).reason()).isEqualTo(ReasonCode.CARD_BLOCKED);
        h.command(CommandEncoder.revokeEntitlement(h.commandBuffer, 0, h.nextCommandId(), 1000004, 2));
        assertThat(h.tap(NOW, 1, 6, 1000004, 2, 1).reason()).isEqualTo(ReasonCode.NO_ENTITLEMENT);
    }

    @Test
    void shouldTreatOutletAndProgramIdsAsUnsigned()
    {
        final int outlet = 0xFFFF_FFF0;
        final int program = 0x8000_0001;
        h.command(CommandEncoder.defineOutlet(h.commandBuffer, 0, h.nextCommandId(), outlet, program));
        h.command(CommandEncoder.defineProgram(h.commandBuffer, 0, h.nextCommandId(), program, ProgramKind.MEAL,
            ProgramUnit.PERSON, PeriodRule.DAY, 1, 0, Commands.OPEN_FROM_DAY, Commands.OPEN_TO_DAY, 0, 1440,
            new int[] {outlet}));
        h.command(CommandEncoder.registerTerminal(h.commandBuffer, 0, h.nextCommandId(), 900, outlet, true,
            DemoDataset.terminalKey(900)));
        h.command(CommandEncoder.grantEntitlement(h.commandBuffer, 0, h.nextCommandId(), 1000001, program));
        assertThat(commandRecords()).allMatch(s -> s.endsWith("APPLIED"));
        assertThat(h.tap(NOW, 900, 1, 1000001, 0, 1).decision()).isEqualTo(Decision.APPROVED);
        assertThat(h.tap(NOW, 900, 2, 1000001, program, 1).reason()).isEqualTo(ReasonCode.QUOTA_EXHAUSTED);
        assertThat(h.balance(NOW, 900, 1000001).entries()[5]).containsExactly(program, 0, 1);
        assertThat(h.engine.counters().commandErrors()).isZero();
    }

    @Test
    void shouldMoveHolderToAnotherHouseholdAndShareItsQuota()
    {
        assertThat(h.tap(NOW, 1, 1, 1000001, 1, 1).decision()).isEqualTo(Decision.APPROVED);
        h.command(CommandEncoder.setHousehold(h.commandBuffer, 0, h.nextCommandId(), 1000010,
            DemoDataset.householdOf(1000001)));
        assertThat(h.tap(NOW, 1, 2, 1000010, 1, 1).reason()).isEqualTo(ReasonCode.QUOTA_EXHAUSTED);
    }

    @Test
    void shouldApplyNoMoreCommandsPerPollThanItsLimitInQueueOrder()
    {
        // published, not yet applied: the engine thread applies a bounded number per duty cycle
        for (int i = 0; i < 3; i++)
        {
            final int length = CommandEncoder.setCardStatus(h.commandBuffer, 0, h.nextCommandId(), 1000001 + i,
                CardStatus.BLOCKED);
            assertThat(h.publisher.publish(h.commandBuffer, 0, length)).isNotNegative();
        }
        assertThat(h.engine.pollCommands(NOW, 2)).isEqualTo(2);
        assertThat(h.engine.lastCommandId()).isEqualTo(28);
        assertThat(h.balance(NOW, 1, 1000003).reason()).as("the third is not applied yet").isEqualTo(ReasonCode.OK);
        assertThat(h.engine.pollCommands(NOW, 2)).isEqualTo(1);
        assertThat(h.engine.pollCommands(NOW, 2)).isZero();
        assertThat(h.engine.lastCommandId()).isEqualTo(29);
        assertThat(h.balance(NOW, 1, 1000003).reason()).isEqualTo(ReasonCode.CARD_BLOCKED);
        assertThat(h.engine.counters().commandsApplied()).isEqualTo(26 + 3);
    }
}
