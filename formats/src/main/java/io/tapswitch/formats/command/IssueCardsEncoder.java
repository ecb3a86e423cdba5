package io.tapswitch.formats.command;

import java.nio.ByteOrder;

import org.agrona.MutableDirectBuffer;

import static io.tapswitch.formats.command.Commands.BODY_OFFSET;
import static io.tapswitch.formats.command.Commands.IssueCards;

/**
 * Builds one ISSUE_CARDS batch command in a buffer: {@link #wrap}, then {@link #add} up to
 * {@link IssueCards#MAX_COUNT} cards, then publish {@link #length()} bytes. Not thread-safe; reusable.
 */
public final class IssueCardsEncoder
{
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private MutableDirectBuffer buffer;
    private int offset;
    private int count;

    /**
     * Starts a batch.
     *
     * @param programIds the programs an entry's enrolment mask selects from (bit i → programIds[i]), at most 8.
     * @return this.
     */
    public IssueCardsEncoder wrap(
        final MutableDirectBuffer buffer, final int offset, final long commandId, final int[] programIds)
    {
        if (programIds.length > IssueCards.MAX_PROGRAMS)
        {
            throw new IllegalArgumentException(
                "at most " + IssueCards.MAX_PROGRAMS + " programs: " + programIds.length);
        }
        this.buffer = buffer;
        this.offset = offset;
        this.count = 0;
        CommandEncoder.header(buffer, offset, commandId, CommandType.ISSUE_CARDS, IssueCards.bodyLength(0));
        final int body = offset + BODY_OFFSET;
        buffer.putShort(body + IssueCards.COUNT_OFFSET, (short)0, LE);
        buffer.putShort(body + IssueCards.PROGRAM_COUNT_OFFSET, (short)programIds.length, LE);
        buffer.putInt(body + IssueCards.PROGRAM_COUNT_OFFSET + 2, 0, LE);
        for (int i = 0; i < IssueCards.MAX_PROGRAMS; i++)
        {
            buffer.putInt(body + IssueCards.PROGRAM_IDS_OFFSET + 4 * i, i < programIds.length ? programIds[i] : 0, LE);
        }
        return this;
    }

    /**
     * Adds one card.
     *
     * @param householdId the holder's household, 0 for a household of its own.
     * @param enrolMask   bit i enrols the holder in programIds[i].
     * @return false when the batch is full (nothing written).
     */
    public boolean add(
        final long cardId, final long holderId, final long householdId, final int expiryDay, final int kind,
        final int status, final int enrolMask)
    {
        if (count == IssueCards.MAX_COUNT)
        {
            return false;
        }
        final int entry = offset + BODY_OFFSET + IssueCards.ENTRIES_OFFSET + IssueCards.ENTRY_BYTES * count;
        buffer.putLong(entry + IssueCards.ENTRY_CARD_ID_OFFSET, cardId, LE);
        buffer.putLong(entry + IssueCards.ENTRY_HOLDER_ID_OFFSET, holderId, LE);
        buffer.putLong(entry + IssueCards.ENTRY_HOUSEHOLD_ID_OFFSET, householdId, LE);
        buffer.putInt(entry + IssueCards.ENTRY_EXPIRY_DAY_OFFSET, expiryDay, LE);
        buffer.putByte(entry + IssueCards.ENTRY_KIND_OFFSET, (byte)kind);
        buffer.putByte(entry + IssueCards.ENTRY_STATUS_OFFSET, (byte)status);
        buffer.putByte(entry + IssueCards.ENTRY_ENROL_MASK_OFFSET, (byte)enrolMask);
        buffer.putByte(entry + IssueCards.ENTRY_ENROL_MASK_OFFSET + 1, (byte)0);
        count++;
        buffer.putShort(offset + BODY_OFFSET + IssueCards.COUNT_OFFSET, (short)count, LE);
        buffer.putInt(offset + Commands.BODY_LENGTH_OFFSET, IssueCards.bodyLength(count), LE);
        return true;
    }

    public int count()
    {
        return count;
    }

    /**
     * @return the length of the command in bytes (header included).
     */
    public int length()
    {
        return BODY_OFFSET + IssueCards.bodyLength(count);
    }
}
