package io.tapswitch.formats.journal;

import java.nio.ByteOrder;
import java.util.zip.CRC32C;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The per-record checksum of journal records of version {@link JournalRecord#VERSION_CHECKSUMMED} (see
 * {@code switch/JOURNAL.md}, "Header"): the 16 bits at {@link JournalRecord#CHECKSUM_OFFSET} (the header's former
 * pad) hold CRC-32C (Castagnoli, as {@link java.util.zip.CRC32C}) of the whole record computed with those two bytes
 * zero, folded to 16 bits ({@code crc ^ crc >>> 16}). Random damage to a record passes with a chance of 1 in 65 536.
 * Version {@link JournalRecord#VERSION_USAGE} records are checksummed the same way (a version 3 TAP shorter than
 * {@link JournalRecord#TAP_USAGE_LENGTH} is not valid). Records of version {@link JournalRecord#VERSION} (written
 * before) carry no checksum and are not checked.
 * <p>
 * Static and thread-safe (a CRC-32C and a scratch copy per thread); allocation-free after a thread's first use.
 */
public final class JournalChecksum
{
    /** Per thread: the JDK's CRC-32C (an intrinsic) and a scratch copy for records not backed by an array. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private JournalChecksum()
    {
    }

    /**
     * The JDK's intrinsic CRC-32C (issue 14: the byte-at-a-time table loop here, with a bounds-checked read per
     * byte, was a fifth of a journal replay's time); allocation-free after a thread's first call (a record longer
     * than any before grows its scratch copy once).
     *
     * @param buffer holding the record.
     * @param offset where the record starts.
     * @param length the record's length.
     * @return the record's 16-bit checksum, its checksum field counted as zero.
     */
    public static int of(final DirectBuffer buffer, final int offset, final int length)
    {
        final Scratch scratch = SCRATCH.get();
        final byte[] array;
        final int start;
        if (null != buffer.byteArray())
        {
            array = buffer.byteArray();
            start = buffer.wrapAdjustment() + offset;
        }
        else
        {
            if (scratch.bytes.length < length)
            {
                scratch.bytes = new byte[Math.max(length, 2 * scratch.bytes.length)];
            }
            buffer.getBytes(offset, scratch.bytes, 0, length);
            array = scratch.bytes;
            start = 0;
        }
        final CRC32C crc = scratch.crc;
        crc.reset();
        final int checksumAt = start + JournalRecord.CHECKSUM_OFFSET;
        final int end = start + length;
        if (checksumAt + 2 <= end)
        {
            crc.update(array, start, checksumAt - start);
            crc.update(0);
            crc.update(0);
            crc.update(array, checksumAt + 2, end - checksumAt - 2);
        }
        else
        {
            for (int i = start; i < end; i++)
            {
                crc.update(i == checksumAt || i == checksumAt + 1 ? 0 : array[i]);
            }
        }
        final int value = (int)crc.getValue();
        return (value ^ (value >>> 16)) & 0xFFFF;
    }

    private static final class Scratch
    {
        private final CRC32C crc = new CRC32C();
        private byte[] bytes = new byte[256];
    }

    /**
     * Marks the complete record at {@code offset} as version {@link JournalRecord#VERSION_CHECKSUMMED} (unless the
     * encoder made it version {@link JournalRecord#VERSION_USAGE}, which keeps its version) and writes
     * its checksum: the last step before the record is appended (nothing may change it afterwards).
     */
    public static void seal(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        if (buffer.getByte(offset + JournalRecord.VERSION_OFFSET) != JournalRecord.VERSION_USAGE)
        {
            buffer.putByte(offset + JournalRecord.VERSION_OFFSET, (byte)JournalRecord.VERSION_CHECKSUMMED);
        }
        buffer.putShort(offset + JournalRecord.CHECKSUM_OFFSET, (short)of(buffer, offset, length),
            ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * @return true when the record at {@code offset} is of a known version and, if it carries a checksum, the
     * checksum matches its bytes.
     */
    public static boolean valid(final DirectBuffer buffer, final int offset, final int length)
    {
        final int version = buffer.getByte(offset + JournalRecord.VERSION_OFFSET);
        if (JournalRecord.VERSION == version)
        {
            return true;
        }
        if (JournalRecord.VERSION_USAGE == version && JournalRecord.TYPE_TAP == buffer.getByte(
            offset + JournalRecord.TYPE_OFFSET) && length < JournalRecord.TAP_USAGE_LENGTH)
        {
            return false;
        }
        return (JournalRecord.VERSION_CHECKSUMMED == version || JournalRecord.VERSION_USAGE == version) &&
            (buffer.getShort(offset + JournalRecord.CHECKSUM_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF) ==
                of(buffer, offset, length);
    }
}
