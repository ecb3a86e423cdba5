package io.tapswitch.switching.engine;

import static io.tapswitch.switching.engine.Harness.kyiv;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;

import io.tapswitch.formats.command.CardKind;
import io.tapswitch.formats.command.CardStatus;
import io.tapswitch.formats.command.CommandEncoder;
import io.tapswitch.formats.command.CommandRejectReason;
import io.tapswitch.formats.command.Commands;
import io.tapswitch.formats.command.IssueCardsEncoder;
import io.tapswitch.formats.command.PeriodRule;
import io.tapswitch.formats.command.ProgramKind;
import io.tapswitch.formats.command.ProgramUnit;
import io.tapswitch.formats.demo.DemoDataset;
import io.tapswitch.formats.journal.JournalReader;
import io.tapswitch.formats.journal.JournalRecord;
import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.ReasonCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The validation of every admin command on its boundaries ({@code switch/COMMANDS.md}): the value just inside is
 * applied, the one just outside is rejected with its journaled reason and changes nothing a terminal could see.
 * The admin relies on these reasons to tell an operator what was wrong.
 */
class CommandRulesTest
{
    private static final long NOON = kyiv(2026, 11, 23, 12, 0);
    private static final int OPEN = Commands.OPEN_FROM_DAY;
    private static final int CLOSE = Commands.OPEN_TO_DAY;
    private static final int[] OUTLET_1 = {1};

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

    /** Publishes the command at offset 0 of the harness buffer and returns its journaled outcome. */
    private String outcome(final int length)
    {
        final long commandId = h.commandBuffer.getLong(Commands.COMMAND_ID_OFFSET, Harness.LE);
        h.command(length);
        final String[] found = {null};
        try (JournalReader reader = new JournalReader(dir))
        {
            reader.poll((index, r) ->
            {
                if (r.type() == JournalRecord.TYPE_COMMAND && r.commandId() == commandId)
                {
                    found[0] = r.commandOutcome() == JournalRecord.OUTCOME_APPLIED ? "APPLIED" :
                        CommandRejectReason.name(r.commandRejectReason());
                }
            }, Integer.MAX_VALUE);
        }
        return found[0];
    }

    private String program(
        final int programId, final int unit, final int period, final int quota, final int cycleDays,
        final int validFrom, final int validTo, final int start, final int end, final int[] outlets)
    {
        return outcome(CommandEncoder.defineProgram(h.commandBuffer, 0, h.nextCommandId(), programId,
            ProgramKind.AID, unit, period, quota, cycleDays, validFrom, validTo, start, end, outlets));
    }

    private String program(final int programId, final int quota, final int start, final int end)
    {
        return program(programId, ProgramUnit.PERSON, PeriodRule.DAY, quota, 0, OPEN, CLOSE, start, end, OUTLET_1);
    }

    @Test
    void shouldBoundAProgramsWindowQuotaAndDates()
    {
        assertThat(program(40, 1, 0, 1440)).isEqualTo("APPLIED");
        assertThat(program(41, 1, 1439, 1440)).isEqualTo("APPLIED");
        assertThat(program(42, 1, 1440, 60)).isEqualTo("INVALID_VALUE");
        assertThat(program(43, 1, 0, 1441)).isEqualTo("INVALID_VALUE");
        assertThat(program(44, 1, 0, 0)).isEqualTo("INVALID_VALUE");
        assertThat(program(45, 1, 600, 600)).isEqualTo("INVALID_VALUE");
        assertThat(program(46, 1, 1380, 60)).isEqualTo("APPLIED");
        assertThat(program(47, 0, 0, 1440)).isEqualTo("INVALID_VALUE");
        assertThat(program(48, -1, 0, 1440)).isEqualTo("INVALID_VALUE");
        assertThat(program(49, ProgramUnit.PERSON, PeriodRule.DAY, 1, 0, 100, 100, 0, 1440, OUTLET_1))
            .isEqualTo("APPLIED");
        assertThat(program(50, ProgramUnit.PERSON, PeriodRule.DAY, 1, 0, 101, 100, 0, 1440, OUTLET_1))
            .isEqualTo("INVALID_VALUE");
        assertThat(program(0, 1, 0, 1440)).isEqualTo("INVALID_VALUE");
        assertThat(program(51, ProgramUnit.PERSON, 9, 1, 0, OPEN, CLOSE, 0, 1440, OUTLET_1))
            .isEqualTo("INVALID_VALUE");
        assertThat(program(52, 3, PeriodRule.DAY, 1, 0, OPEN, CLOSE, 0, 1440, OUTLET_1)).isEqualTo("INVALID_VALUE");
        assertThat(program(53, ProgramUnit.PERSON, PeriodRule.DAY, 1, 0, OPEN, CLOSE, 0, 1440, new int[] {77}))
            .isEqualTo("UNKNOWN_OUTLET");
        assertThat(h.engine.counters().programs()).isEqualTo(5 + 4);
    }

    @Test
    void shouldTakeAProgramAtAnyOfTheMostOutletsAProgramMayName()
    {
        // a district's meal programme names every canteen: the layout's limit of outlets is itself allowed
        final int[] most = new int[Commands.DefineProgram.MAX_OUTLETS];
        Arrays.fill(most, OUTLET_1[0]);
        assertThat(program(70, ProgramUnit.PERSON, PeriodRule.DAY, 1, 0, OPEN, CLOSE, 0, 1440, most))
            .isEqualTo("APPLIED");
    }

    @Test
    void shouldRequireCycleDaysAndAStartDayForACycleOnlyAndKeepAProgramsUnit()
    {
        assertThat(program(60, ProgramUnit.PERSON, PeriodRule.CYCLE, 1, 14, 100, CLOSE, 0, 1440, OUTLET_1))
            .isEqualTo("APPLIED");
        assertThat(program(61, ProgramUnit.PERSON, PeriodRule.CYCLE, 1, 0, 100, CLOSE, 0, 1440, OUTLET_1))
            .isEqualTo("INVALID_VALUE");
        assertThat(program(62, ProgramUnit.PERSON, PeriodRule.CYCLE, 1, 14, OPEN, CLOSE, 0, 1440, OUTLET_1))
            .isEqualTo("INVALID_VALUE");
        assertThat(program(63, ProgramUnit.PERSON, PeriodRule.DAY, 1, 1, OPEN, CLOSE, 0, 1440, OUTLET_1))
            .isEqualTo("INVALID_VALUE");
        // redefined: new quota applied, a new unit refused
        assertThat(program(60, ProgramUnit.PERSON, PeriodRule.CYCLE, 2, 14, 100, CLOSE, 0, 1440, OUTLET_1))
            .isEqualTo("APPLIED");
        assertThat(program(60, ProgramUnit.HOUSEHOLD, PeriodRule.CYCLE, 2, 14, 100, CLOSE, 0, 1440, OUTLET_1))
            .isEqualTo("INVALID_VALUE");
    }

    @Test
    void shouldHoldSixtyFourProgramsAndRefuseTheNext()
    {
        for (int id = 100; h.engine.counters().programs() < Tables.MAX_PROGRAMS; id++)
        {
            assertThat(program(id, 1, 0, 1440)).isEqualTo("APPLIED");
        }
        assertThat(program(999, 1, 0, 1440)).isEqualTo("CAPACITY_EXCEEDED");
        // redefining one of the 64 is still fine
        assertThat(program(100, 2, 0, 1440)).isEqualTo("APPLIED");
    }

    @Test
    void shouldValidateOutletsAndTerminals()
    {
        assertThat(outcome(CommandEncoder.defineOutlet(h.commandBuffer, 0, h.nextCommandId(), 0, 0)))
            .isEqualTo("INVALID_VALUE");
        assertThat(outcome(CommandEncoder.defineOutlet(h.commandBuffer, 0, h.nextCommandId(), -1, 0)))
            .isEqualTo("APPLIED");
        final byte[] key = DemoDataset.terminalKey(60);
        assertThat(outcome(CommandEncoder.registerTerminal(h.commandBuffer, 0, h.nextCommandId(), 0, 1, true, key)))
            .isEqualTo("INVALID_VALUE");
        assertThat(outcome(CommandEncoder.registerTerminal(h.commandBuffer, 0, h.nextCommandId(), 60, -1, true,
            key))).isEqualTo("APPLIED");
        final int length = CommandEncoder.registerTerminal(h.commandBuffer, 0, h.nextCommandId(), 61, 1, true, key);
        h.commandBuffer.putInt(Commands.BODY_OFFSET + Commands.RegisterTerminal.ENABLED_OFFSET, 2, Harness.LE);
        assertThat(outcome(length)).isEqualTo("INVALID_VALUE");

        int set = CommandEncoder.setTerminalEnabled(h.commandBuffer, 0, h.nextCommandId(), 60, false);
        h.commandBuffer.putLong(Commands.BODY_OFFSET + Commands.SetTerminalEnabled.ENABLED_OFFSET, 2, Harness.LE);
        assertThat(outcome(set)).isEqualTo("INVALID_VALUE");
        set = CommandEncoder.setTerminalEnabled(h.commandBuffer, 0, h.nextCommandId(), 4242, false);
        assertThat(outcome(set)).isEqualTo("UNKNOWN_TERMINAL");
        assertThat(outcome(CommandEncoder.rotateKey(h.commandBuffer, 0, h.nextCommandId(), 4242, key)))
            .isEqualTo("UNKNOWN_TERMINAL");
        assertThat(outcome(CommandEncoder.rotateKeyWithGrace(h.commandBuffer, 0, h.nextCommandId(), 4242, key, 0)))
            .isEqualTo("UNKNOWN_TERMINAL");
        assertThat(outcome(CommandEncoder.rotateKeyWithGrace(h.commandBuffer, 0, h.nextCommandId(), 60, key, -1)))
            .isEqualTo("INVALID_VALUE");
        assertThat(outcome(CommandEncoder.rotateKeyWithGrace(h.commandBuffer, 0, h.nextCommandId(), 60, key, 0)))
            .isEqualTo("APPLIED");
        assertThat(h.logon(NOON, 0, 60, NOON, 1, key).result()).isEqualTo(ReasonCode.OK);
    }

    @Test
    void shouldValidateHouseholdsCardsAndEntitlements()
    {
        final int expiry = DemoDataset.ACTIVE_EXPIRY_DAY;
        assertThat(outcome(CommandEncoder.setHousehold(h.commandBuffer, 0, h.nextCommandId(), 0, 1)))
            .isEqualTo("INVALID_VALUE");
        assertThat(outcome(CommandEncoder.setHousehold(h.commandBuffer, 0, h.nextCommandId(), 8000, -1)))
            .isEqualTo("INVALID_VALUE");
        assertThat(outcome(CommandEncoder.setHousehold(h.commandBuffer, 0, h.nextCommandId(), 8000, 0)))
            .isEqualTo("APPLIED");

        assertThat(outcome(CommandEncoder.issueCard(h.commandBuffer, 0, h.nextCommandId(), 0, 8000, expiry,
            CardKind.RESIDENT, CardStatus.ACTIVE))).isEqualTo("INVALID_VALUE");
        assertThat(outcome(CommandEncoder.issueCard(h.commandBuffer, 0, h.nextCommandId(), 8001, 0, expiry,
            CardKind.RESIDENT, CardStatus.ACTIVE))).isEqualTo("INVALID_VALUE");
        assertThat(outcome(CommandEncoder.issueCard(h.commandBuffer, 0, h.nextCommandId(), 8001, 8000, expiry,
            CardKind.RESIDENT, CardStatus.REPLACED))).isEqualTo("INVALID_VALUE");
        assertThat(outcome(CommandEncoder.issueCard(h.commandBuffer, 0, h.nextCommandId(), 8001, 8000, expiry,
            CardKind.SOCIAL, CardStatus.EXPIRED))).isEqualTo("APPLIED");
        assertThat(outcome(CommandEncoder.issueCard(h.commandBuffer, 0, h.nextCommandId(), 8001, 8000, expiry,
            CardKind.SOCIAL, CardStatus.ACTIVE))).isEqualTo("APPLIED");

        assertThat(outcome(CommandEncoder.setCardStatus(h.commandBuffer, 0, h.nextCommandId(), 8001,
            CardStatus.REPLACED))).isEqualTo("INVALID_VALUE");
        int status = CommandEncoder.setCardStatus(h.commandBuffer, 0, h.nextCommandId(), 8001, CardStatus.BLOCKED);
        h.commandBuffer.putLong(Commands.BODY_OFFSET + Commands.SetCardStatus.STATUS_OFFSET, 0x100 | CardStatus.BLOCKED,
            Harness.LE);
        assertThat(outcome(status)).isEqualTo("INVALID_VALUE");

        assertThat(outcome(CommandEncoder.replaceCard(h.commandBuffer, 0, h.nextCommandId(), 8001, 8001, expiry,
            CardKind.SOCIAL))).isEqualTo("INVALID_VALUE");
        assertThat(outcome(CommandEncoder.replaceCard(h.commandBuffer, 0, h.nextCommandId(), 8001, 0, expiry,
            CardKind.SOCIAL))).isEqualTo("INVALID_VALUE");
        assertThat(outcome(CommandEncoder.replaceCard(h.commandBuffer, 0, h.nextCommandId(), 8001, 8002, expiry,
            4))).isEqualTo("INVALID_VALUE");
        assertThat(outcome(CommandEncoder.replaceCard(h.commandBuffer, 0, h.nextCommandId(), 9999, 8002, expiry,
            CardKind.SOCIAL))).isEqualTo("UNKNOWN_CARD");
        assertThat(outcome(CommandEncoder.replaceCard(h.commandBuffer, 0, h.nextCommandId(), 8001, 1000001, expiry,
            CardKind.SOCIAL))).isEqualTo("CARD_EXISTS");
        assertThat(outcome(CommandEncoder.replaceCard(h.commandBuffer, 0, h.nextCommandId(), 8001, 8002, expiry,
            CardKind.SOCIAL))).isEqualTo("APPLIED");
        assertThat(outcome(CommandEncoder.replaceCard(h.commandBuffer, 0, h.nextCommandId(), 8001, 8003, expiry,
            CardKind.SOCIAL))).isEqualTo("CARD_REPLACED");
        status = CommandEncoder.setCardStatus(h.commandBuffer, 0, h.nextCommandId(), 8001, CardStatus.ACTIVE);
        assertThat(outcome(status)).isEqualTo("CARD_REPLACED");
        assertThat(outcome(CommandEncoder.issueCard(h.commandBuffer, 0, h.nextCommandId(), 8001, 8000, expiry,
            CardKind.SOCIAL, CardStatus.ACTIVE))).isEqualTo("CARD_EXISTS");
        // the replaced card is refused at a terminal, its replacement served
        assertThat(h.balance(NOON, 1, 8001).reason()).isEqualTo(ReasonCode.CARD_BLOCKED);
        assertThat(h.balance(NOON, 1, 8002).reason()).isEqualTo(ReasonCode.OK);

        assertThat(outcome(CommandEncoder.grantEntitlement(h.commandBuffer, 0, h.nextCommandId(), 8000, 0)))
            .isEqualTo("INVALID_VALUE");
        assertThat(outcome(CommandEncoder.grantEntitlement(h.commandBuffer, 0, h.nextCommandId(), 0, 1)))
            .isEqualTo("INVALID_VALUE");
        assertThat(outcome(CommandEncoder.revokeEntitlement(h.commandBuffer, 0, h.nextCommandId(), 8000, 1)))
            .isEqualTo("APPLIED");
        assertThat(outcome(CommandEncoder.grantEntitlement(h.commandBuffer, 0, h.nextCommandId(), 8000, 1)))
            .isEqualTo("APPLIED");
        assertThat(h.tap(NOON, 1, 1, 8002, 1, 1).decision()).isEqualTo(Decision.APPROVED);
        assertThat(outcome(CommandEncoder.revokeEntitlement(h.commandBuffer, 0, h.nextCommandId(), 8000, 1)))
            .isEqualTo("APPLIED");
        assertThat(h.tap(NOON, 1, 2, 8002, 1, 1).reason()).isEqualTo(ReasonCode.NO_ENTITLEMENT);
    }

    @Test
    void shouldValidateABatchOfCardsAsAWhole()
    {
        final int expiry = DemoDataset.ACTIVE_EXPIRY_DAY;
        final IssueCardsEncoder batch = new IssueCardsEncoder();
        // a mask naming a third program when the batch lists two
        batch.wrap(h.commandBuffer, 0, h.nextCommandId(), new int[] {1, 2});
        batch.add(9001, 9001, 900, expiry, CardKind.RESIDENT, CardStatus.ACTIVE, 0b011);
        batch.add(9002, 9002, 900, expiry, CardKind.RESIDENT, CardStatus.ACTIVE, 0b100);
        assertThat(outcome(batch.length())).isEqualTo("INVALID_VALUE");
        batch.wrap(h.commandBuffer, 0, h.nextCommandId(), new int[] {1, 77});
        batch.add(9001, 9001, 900, expiry, CardKind.RESIDENT, CardStatus.ACTIVE, 0b01);
        assertThat(outcome(batch.length())).isEqualTo("UNKNOWN_PROGRAM");
        batch.wrap(h.commandBuffer, 0, h.nextCommandId(), new int[] {1});
        assertThat(outcome(batch.length())).as("no card").isEqualTo("INVALID_VALUE");
        batch.wrap(h.commandBuffer, 0, h.nextCommandId(), new int[] {1});
        batch.add(1000001, 9003, 900, expiry, CardKind.RESIDENT, CardStatus.ACTIVE, 0b1);
        assertThat(outcome(batch.length())).as("a card of another holder").isEqualTo("CARD_EXISTS");
        batch.wrap(h.commandBuffer, 0, h.nextCommandId(), new int[] {1, 2});
        batch.add(9001, 9001, 900, expiry, CardKind.RESIDENT, CardStatus.ACTIVE, 0b10);
        batch.add(9002, 9002, 900, expiry, CardKind.RESIDENT, CardStatus.ACTIVE, 0b11);
        assertThat(outcome(batch.length())).isEqualTo("APPLIED");
        // household 900 shares program 2 (household unit in the demo); program 1 only for 9002
        assertThat(h.tap(NOON, 1, 1, 9001, 1, 1).reason()).isEqualTo(ReasonCode.NO_ENTITLEMENT);
        assertThat(h.tap(NOON, 1, 2, 9002, 1, 1).decision()).isEqualTo(Decision.APPROVED);
        assertThat(h.balance(NOON, 1, 9001).entries()).hasNumberOfRows(1);
        assertThat(h.balance(NOON, 1, 9002).entries()).hasNumberOfRows(2);
    }

    @Test
    void shouldTakeABatchOfExactlyTheMostCardsAndProgramsAndRefuseOneProgramMore()
    {
        final int expiry = DemoDataset.ACTIVE_EXPIRY_DAY;
        // programs 6, 7 and 8 besides the demo's five: a batch may list eight
        for (int id = 6; id <= 8; id++)
        {
            assertThat(program(id, 1, 0, 1440)).isEqualTo("APPLIED");
        }
        final IssueCardsEncoder batch = new IssueCardsEncoder();
        batch.wrap(h.commandBuffer, 0, h.nextCommandId(), new int[] {1, 2, 3, 4, 5, 6, 7, 8});
        long card = 9_100_000L;
        // household 0: each holder a household of its own; the mask's top bit enrols in the eighth program
        while (batch.add(card, card, 0, expiry, CardKind.RESIDENT, CardStatus.ACTIVE, 0x80))
        {
            card++;
        }
        assertThat(batch.count()).isEqualTo(Commands.IssueCards.MAX_COUNT);
        assertThat(outcome(batch.length())).isEqualTo("APPLIED");
        assertThat(h.engine.counters().cards()).isEqualTo(30 + Commands.IssueCards.MAX_COUNT);
        final Harness.Balance last = h.balance(NOON, 1, card - 1);
        assertThat(last.entries()).hasNumberOfRows(1);
        assertThat(last.entries()[0][0]).as("the eighth program of the list").isEqualTo(8);

        batch.wrap(h.commandBuffer, 0, h.nextCommandId(), new int[] {1, 2, 3, 4, 5, 6, 7, 8});
        batch.add(9_200_000L, 9_200_000L, 0, expiry, CardKind.RESIDENT, CardStatus.ACTIVE, 0b1);
        h.commandBuffer.putShort(Commands.BODY_OFFSET + Commands.IssueCards.PROGRAM_COUNT_OFFSET,
            (short)(Commands.IssueCards.MAX_PROGRAMS + 1), Harness.LE);
        assertThat(outcome(batch.length())).as("nine programs listed").isEqualTo("INVALID_VALUE");
        assertThat(h.balance(NOON, 1, 9_200_000L).reason()).isEqualTo(ReasonCode.UNKNOWN_CARD);
    }

    @Test
    void shouldRefuseABatchEntryPastItsBoundsAndTakeOneOnThem()
    {
        final int expiry = DemoDataset.ACTIVE_EXPIRY_DAY;
        final IssueCardsEncoder batch = new IssueCardsEncoder();
        batch.wrap(h.commandBuffer, 0, h.nextCommandId(), new int[] {1});
        batch.add(0, 9001, 900, expiry, CardKind.RESIDENT, CardStatus.ACTIVE, 0b1);
        assertThat(outcome(batch.length())).as("card id 0").isEqualTo("INVALID_VALUE");
        batch.wrap(h.commandBuffer, 0, h.nextCommandId(), new int[] {1});
        batch.add(9001, 0, 900, expiry, CardKind.RESIDENT, CardStatus.ACTIVE, 0b1);
        assertThat(outcome(batch.length())).as("holder id 0").isEqualTo("INVALID_VALUE");
        batch.wrap(h.commandBuffer, 0, h.nextCommandId(), new int[] {1});
        batch.add(9001, 9001, -1, expiry, CardKind.RESIDENT, CardStatus.ACTIVE, 0b1);
        assertThat(outcome(batch.length())).as("household -1").isEqualTo("INVALID_VALUE");
        batch.wrap(h.commandBuffer, 0, h.nextCommandId(), new int[] {0});
        batch.add(9001, 9001, 900, expiry, CardKind.RESIDENT, CardStatus.ACTIVE, 0b1);
        assertThat(outcome(batch.length())).as("program id 0 in the list").isEqualTo("INVALID_VALUE");
        assertThat(h.balance(NOON, 1, 9001).reason()).isEqualTo(ReasonCode.UNKNOWN_CARD);

        // ids 1 are on the bound
        batch.wrap(h.commandBuffer, 0, h.nextCommandId(), new int[] {1});
        batch.add(1, 1, 0, expiry, CardKind.RESIDENT, CardStatus.ACTIVE, 0b1);
        assertThat(outcome(batch.length())).isEqualTo("APPLIED");
        assertThat(h.balance(NOON, 1, 1).decision()).isEqualTo(Decision.APPROVED);

        // a card issued again to its own holder is applied (a provisioning run repeated); a replaced card is not
        batch.wrap(h.commandBuffer, 0, h.nextCommandId(), new int[] {1});
        batch.add(1000001, 1000001, DemoDataset.householdOf(1000001), expiry, CardKind.RESIDENT, CardStatus.ACTIVE,
            0b1);
        assertThat(outcome(batch.length())).isEqualTo("APPLIED");
        assertThat(outcome(CommandEncoder.replaceCard(h.commandBuffer, 0, h.nextCommandId(), 1000002, 8100002, expiry,
            CardKind.RESIDENT))).isEqualTo("APPLIED");
        batch.wrap(h.commandBuffer, 0, h.nextCommandId(), new int[] {1});
        batch.add(1000002, 1000002, DemoDataset.householdOf(1000002), expiry, CardKind.RESIDENT, CardStatus.ACTIVE,
            0b1);
        assertThat(outcome(batch.length())).as("the replaced card").isEqualTo("CARD_EXISTS");
        assertThat(h.balance(NOON, 1, 1000002).reason()).isEqualTo(ReasonCode.CARD_BLOCKED);
    }
}
