package io.tapswitch.formats.journal;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;

/**
 * Framing of a journal excerpt (see {@code switch/JOURNAL.md}, "Excerpts"): one or more records back to back, each
 * starting with its own {@code recordLength} (little-endian i32, the whole record, header included). A reader walks
 * the excerpt record by record: the next record starts {@code recordLength} bytes after the current one, and the
 * last record ends exactly at the end of the excerpt.
 */
public final class JournalExcerpt
{
    /** {@link #recordLength} of a record whose framing is broken. */
    public static final int MALFORMED = -1;

    private JournalExcerpt()
    {
    }

    /**
     * @param buffer holding the excerpt.
     * @param offset where a record starts in the buffer.
     * @param end    where the excerpt ends in the buffer (exclusive).
     * @return the length of the record at {@code offset}, or {@link #MALFORMED} when fewer than a header's bytes
     * remain, or its {@code recordLength} is shorter than a header or runs past the end of the excerpt, or its
     * version is unknown or its checksum does not match its bytes ({@link JournalChecksum#valid}).
     */
    public static int recordLength(final DirectBuffer buffer, final int offset, final int end)
    {
        final int remaining = end - offset;
        if (remaining < JournalRecord.HEADER_BYTES)
        {
            return MALFORMED;
        }
        final int length = buffer.getInt(offset + JournalRecord.RECORD_LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN);
        return length >= JournalRecord.HEADER_BYTES && length <= remaining &&
            JournalChecksum.valid(buffer, offset, length) ? length : MALFORMED;
    }

    /**
     * Checks the framing of a whole excerpt without handing out any record.
     *
     * @param buffer holding the excerpt.
     * @param offset where the excerpt starts in the buffer.
     * @param length bytes of the excerpt.
     * @return the number of records in the excerpt (at least 1), or {@link #MALFORMED} when the excerpt is empty or
     * any record's length is broken (see {@link #recordLength}).
     */
    public static int countRecords(final DirectBuffer buffer, final int offset, final int length)
    {
        final int end = offset + length;
        int position = offset;
        int records = 0;
        while (position < end)
        {
            final int recordLength = recordLength(buffer, position, end);
            if (MALFORMED == recordLength)
            {
                return MALFORMED;
            }
            position += recordLength;
            records++;
        }
        return records == 0 ? MALFORMED : records;
    }

    /**
     * @param buffer           holding the excerpt.
     * @param offset           where the excerpt starts.
     * @param length           bytes of the excerpt.
     * @param previousSequence the sequence of the record before the excerpt, or a negative value when unknown.
     * @return true when the excerpt is well framed ({@link #countRecords}) and its records' sequences follow each
     * other (and {@code previousSequence}, when known) one by one.
     */
    public static boolean follows(
        final DirectBuffer buffer, final int offset, final int length, final long previousSequence)
    {
        // one walk: each record's framing and checksum ({@link #recordLength}), then its sequence (issue 14: the
        // framing of the whole excerpt was checked first, then walked again for the sequences)
        final int end = offset + length;
        boolean known = previousSequence >= 0;
        long expected = previousSequence + 1;
        int at = offset;
        while (at < end)
        {
            final int recordLength = recordLength(buffer, at, end);
            if (MALFORMED == recordLength)
            {
                return false;
            }
            final long sequence = buffer.getLong(at + JournalRecord.SEQUENCE_OFFSET, ByteOrder.LITTLE_ENDIAN);
            if (known && sequence != expected)
            {
                return false;
            }
            known = true;
            expected = sequence + 1;
            at += recordLength;
        }
        return at > offset;
    }

    /**
     * @return the {@code recordLength} of the record at {@code offset} of an excerpt whose framing was checked
     * before ({@link #follows}, {@link #countRecords}): read, not checked again.
     */
    public static int checkedLength(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + JournalRecord.RECORD_LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * @return the sequence of the last record of an excerpt whose framing was checked before.
     */
    public static long lastSequence(final DirectBuffer buffer, final int offset, final int length)
    {
        final int end = offset + length;
        int at = offset;
        int last = offset;
        while (at < end)
        {
            last = at;
            at += checkedLength(buffer, at);
        }
        return buffer.getLong(last + JournalRecord.SEQUENCE_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * @return the sequence of the first record of the excerpt at {@code offset} (its framing checked before).
     */
    public static long firstSequence(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + JournalRecord.SEQUENCE_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }
}
