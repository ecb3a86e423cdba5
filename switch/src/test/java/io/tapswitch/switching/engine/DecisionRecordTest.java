package io.tapswitch.switching.engine;

import static io.tapswitch.switching.engine.Harness.kyiv;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import io.tapswitch.formats.demo.DemoDataset;
import io.tapswitch.formats.journal.JournalReader;
import io.tapswitch.formats.journal.JournalRecord;
import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.FrameHeader;
import io.tapswitch.protocol.MessageType;
import io.tapswitch.protocol.Messages;
import io.tapswitch.protocol.ReasonCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the journal keeps of each decision (PROTOCOL.md rule 4; the admin's reports and the recovery read it): the
 * answer the terminal got — decision, reason, remaining, receipt — and what the answer does not show: the holder of
 * the card, the program the decision counted against (the outlet's default when the terminal named none), what a
 * TAP took and a REVERSAL gave back. Also what the engine answers outside the four rules (a HEARTBEAT echoed, an
 * unknown type refused) and that a closed engine refuses to decide.
 */
class DecisionRecordTest
{
    private static final long NOON = kyiv(2026, 11, 23, 12, 0);
    private static final long TERMINAL = 1;
    private static final long CARD = DemoDataset.FIRST_CARD_ID;
    private static final long OTHER_CARD = DemoDataset.FIRST_CARD_ID + 1;

    @TempDir
    Path dir;
    private Harness h;

    /** The fields of a journaled TAP or REVERSAL record. */
    private record Journaled(
        int type, int decision, int reason, int remaining, long holderId, int requestedProgramId, int programId,
        int taken, int restored, long originalReceipt, int outletId, long cardId)
    {
    }

    @BeforeEach
    void setUp()
    {
        h = new Harness(dir).demo(10, 2);
    }

    @AfterEach
    void tearDown()
    {
        h.close();
    }

    /** The TAP and REVERSAL records of the journal, by receipt. */
    private Map<Long, Journaled> journaled()
    {
        final Map<Long, Journaled> records = new HashMap<>();
        try (JournalReader reader = new JournalReader(dir))
        {
            reader.poll((index, r) ->
            {
                if (r.type() == JournalRecord.TYPE_TAP)
                {
                    records.put(r.receipt(), new Journaled(r.type(), r.decision(), r.reason(), r.remaining(),
                        r.holderId(), r.requestedProgramId(), r.programId(), r.taken(), 0, 0, r.outletId(),
                        r.cardId()));
                }
                else if (r.type() == JournalRecord.TYPE_REVERSAL)
                {
                    records.put(r.receipt(), new Journaled(r.type(), r.decision(), r.reason(), r.remaining(),
                        r.holderId(), 0, r.programId(), 0, r.restored(), r.originalReceipt(), r.outletId(),
                        r.cardId()));
                }
            }, Integer.MAX_VALUE);
        }
        return records;
    }

    private static void assertAnswered(final Journaled record, final Harness.Result answer)
    {
        assertThat(record).as("the record of receipt %d", answer.receipt()).isNotNull();
        assertThat(record.decision()).isEqualTo(answer.decision());
        assertThat(record.reason()).isEqualTo(answer.reason());
        assertThat(record.remaining()).isEqualTo(answer.remaining());
    }

    @Test
    void shouldJournalEachTapWithItsAnswerHolderAndProgram()
    {
        final int outlet = DemoDataset.outletOf(TERMINAL);
        // no program named: the outlet's default (FOOD_KIT) is decided and journaled
        final Harness.Result approved = h.tap(NOON, TERMINAL, 1, CARD, 0, 1);
        final Harness.Result noQuantity = h.tap(NOON, TERMINAL, 2, CARD, DemoDataset.PROGRAM_HYGIENE_KIT, 0);
        final Harness.Result unknownProgram = h.tap(NOON, TERMINAL, 3, CARD, 77, 1);
        final Harness.Result unknownCard = h.tap(NOON, TERMINAL, 4, DemoDataset.UNKNOWN_CARD_ID, 0, 1);
        final Harness.Result duplicate = h.tap(NOON, TERMINAL, 1, OTHER_CARD, 0, 1);
        assertThat(approved.decision()).isEqualTo(Decision.APPROVED);
        assertThat(noQuantity.reason()).isEqualTo(ReasonCode.INVALID_REQUEST);
        assertThat(unknownProgram.reason()).isEqualTo(ReasonCode.INVALID_REQUEST);
        assertThat(unknownCard.reason()).isEqualTo(ReasonCode.UNKNOWN_CARD);
        assertThat(duplicate.reason()).isEqualTo(ReasonCode.DUPLICATE_CORRELATION);

        final Map<Long, Journaled> records = journaled();
        assertThat(records).hasSize(5);
        final Journaled first = records.get(approved.receipt());
        assertAnswered(first, approved);
        assertThat(first.holderId()).as("the first holder of the tables").isEqualTo(CARD);
        assertThat(first.requestedProgramId()).isZero();
        assertThat(first.programId()).isEqualTo(DemoDataset.PROGRAM_FOOD_KIT);
        assertThat(first.taken()).isEqualTo(1);
        assertThat(first.outletId()).isEqualTo(outlet);
        assertThat(first.cardId()).isEqualTo(CARD);

        final Journaled invalid = records.get(noQuantity.receipt());
        assertAnswered(invalid, noQuantity);
        assertThat(invalid.programId()).as("a known program is journaled even when refused")
            .isEqualTo(DemoDataset.PROGRAM_HYGIENE_KIT);
        assertThat(invalid.taken()).isZero();
        final Journaled unknown = records.get(unknownProgram.receipt());
        assertAnswered(unknown, unknownProgram);
        assertThat(unknown.requestedProgramId()).isEqualTo(77);
        assertThat(unknown.programId()).as("an unknown program is no program").isZero();
        final Journaled noCard = records.get(unknownCard.receipt());
        assertAnswered(noCard, unknownCard);
        assertThat(noCard.holderId()).isZero();
        final Journaled reused = records.get(duplicate.receipt());
        assertAnswered(reused, duplicate);
        assertThat(reused.holderId()).as("the holder of the card the duplicate names").isEqualTo(OTHER_CARD);
        assertThat(reused.cardId()).isEqualTo(OTHER_CARD);
    }

    @Test
    void shouldJournalEachReversalWithWhatItGaveBackAndItsOriginal()
    {
        final Harness.Result tap = h.tap(NOON, TERMINAL, 10, CARD, DemoDataset.PROGRAM_HYGIENE_KIT, 2);
        final Harness.Result reversal = h.reversal(NOON + 1_000, TERMINAL, 11, 10, CARD);
        final Harness.Result notFound = h.reversal(NOON + 2_000, TERMINAL, 12, 99, CARD);
        final Harness.Result duplicate = h.reversal(NOON + 3_000, TERMINAL, 11, 12, CARD);
        assertThat(tap.decision()).isEqualTo(Decision.APPROVED);
        assertThat(reversal.decision()).isEqualTo(Decision.APPROVED);
        assertThat(reversal.remaining()).as("the quota of 2 whole again").isEqualTo(2);
        assertThat(notFound.reason()).isEqualTo(ReasonCode.ORIGINAL_NOT_FOUND);
        assertThat(duplicate.reason()).isEqualTo(ReasonCode.DUPLICATE_CORRELATION);

        final Map<Long, Journaled> records = journaled();
        final Journaled undo = records.get(reversal.receipt());
        assertAnswered(undo, reversal);
        assertThat(undo.type()).isEqualTo(JournalRecord.TYPE_REVERSAL);
        assertThat(undo.holderId()).isEqualTo(CARD);
        assertThat(undo.programId()).isEqualTo(DemoDataset.PROGRAM_HYGIENE_KIT);
        assertThat(undo.restored()).isEqualTo(2);
        assertThat(undo.originalReceipt()).isEqualTo(tap.receipt());
        final Journaled missing = records.get(notFound.receipt());
        assertAnswered(missing, notFound);
        assertThat(missing.holderId()).isEqualTo(CARD);
        assertThat(missing.programId()).isZero();
        assertThat(missing.restored()).isZero();
        final Journaled reused = records.get(duplicate.receipt());
        assertAnswered(reused, duplicate);
        assertThat(reused.holderId()).isEqualTo(CARD);
        assertThat(records).hasSize(4);
    }

    @Test
    void shouldEchoAHeartbeatAndRefuseAnUnknownTypeWithItsCorrelation()
    {
        final int body = FrameHeader.BODY_OFFSET;
        h.frame.putShort(FrameHeader.LENGTH_OFFSET,
            (short)FrameHeader.lengthFieldFor(Messages.Heartbeat.BODY_LENGTH), Harness.LE);
        h.frame.putByte(FrameHeader.VERSION_OFFSET, (byte)FrameHeader.VERSION);
        h.frame.putByte(FrameHeader.TYPE_OFFSET, (byte)MessageType.HEARTBEAT);
        h.frame.putInt(FrameHeader.CORRELATION_OFFSET, 31, Harness.LE);
        h.frame.putLong(body + Messages.Heartbeat.TIMESTAMP_MS_OFFSET, 123_456_789L, Harness.LE);
        int length = h.engine.onRequest(NOON, TERMINAL, h.frame, 0, h.out, 0);
        assertThat(length).isEqualTo(FrameHeader.HEADER_BYTES + Messages.Heartbeat.BODY_LENGTH);
        assertThat(h.out.getByte(FrameHeader.TYPE_OFFSET) & 0xFF).isEqualTo(MessageType.HEARTBEAT_RESULT);
        assertThat(h.out.getInt(FrameHeader.CORRELATION_OFFSET, Harness.LE)).isEqualTo(31);
        assertThat(h.out.getLong(body + Messages.Heartbeat.TIMESTAMP_MS_OFFSET, Harness.LE)).isEqualTo(123_456_789L);

        h.frame.putByte(FrameHeader.TYPE_OFFSET, (byte)0x33);
        h.frame.putInt(FrameHeader.CORRELATION_OFFSET, 32, Harness.LE);
        length = h.engine.onRequest(NOON, TERMINAL, h.frame, 0, h.out, 0);
        assertThat(length).isGreaterThanOrEqualTo(FrameHeader.HEADER_BYTES + Messages.Error.DETAIL_OFFSET);
        assertThat(h.out.getByte(FrameHeader.TYPE_OFFSET) & 0xFF).isEqualTo(MessageType.ERROR);
        assertThat(h.out.getInt(FrameHeader.CORRELATION_OFFSET, Harness.LE)).isEqualTo(32);
        assertThat(h.out.getShort(body + Messages.Error.CODE_OFFSET, Harness.LE))
            .isEqualTo((short)ReasonCode.MALFORMED_FRAME);
        assertThat(journaled()).as("neither is journaled").isEmpty();
    }

    @Test
    void shouldRefuseToDecideOrApplyCommandsOnceClosed()
    {
        h.tap(NOON, TERMINAL, 1, CARD, 0, 1);
        h.engine.close();
        assertThatThrownBy(() -> h.tap(NOON, TERMINAL, 2, CARD, 0, 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> h.engine.pollCommands(NOON, 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> h.balance(NOON, TERMINAL, CARD)).as("a BALANCE journals nothing, and is refused too")
            .isInstanceOf(IllegalStateException.class);
        assertThat(journaled()).as("only the decision made while open").hasSize(1);
    }
}
