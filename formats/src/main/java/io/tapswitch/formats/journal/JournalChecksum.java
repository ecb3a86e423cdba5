package io.tapswitch.formats.journal;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The per-record checksum of journal records of version {@link JournalRecord#VERSION_CHECKSUMMED} (see
 * {@code switch/JOURNAL.md}, "Header"): the 16 bits at {@link JournalRecord#CHECKSUM_OFFSET} (the header's former
 * pad) hold CRC-32C (Castagnoli, as {@link java.util.zip.CRC32C}) of the whole record computed with those two bytes
 * zero, folded to 16 bits ({@code crc ^ crc >>> 16}). Random damage to a record passes with a chance of 1 in 65 536.
 * Records of version {@link JournalRecord#VERSION} (written before) carry no checksum and are not checked.
 * <p>
 * Static, allocation-free and thread-safe (a table of 256 ints).
 */
public final class JournalChecksum
{
    private static final int[] TABLE = new int[256];

    static
    {
        for (int n = 0; n < 256; n++)
        {
            int c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0x82F63B78 ^ (c >>> 1) : c >>> 1;
            }
            TABLE[n] = c;
        }
    }

    private JournalChecksum()
    {
    }

    /**
     * @param buffer holding the record.
     * @param offset where the record starts.
     * @param length the record's length.
     * @return the record's 16-bit checksum, its checksum field counted as zero.
     */
    public static int of(final DirectBuffer buffer, final int offset, final int length)
    {
        int crc = 0xFFFFFFFF;
        final int checksumAt = offset + JournalRecord.CHECKSUM_OFFSET;
        for (int i = offset, end = offset + length; i < end; i++)
        {
            final int b = i == checksumAt || i == checksumAt + 1 ? 0 : buffer.getByte(i);
            crc = TABLE[(crc ^ b) & 0xFF] ^ (crc >>> 8);
        }
        crc = ~crc;
        return (crc ^ (crc >>> 16)) & 0xFFFF;
    }

    /**
     * Marks the complete record at {@code offset} as version {@link JournalRecord#VERSION_CHECKSUMMED} and writes
     * its checksum: the last step before the record is appended (nothing may change it afterwards).
     */
    public static void seal(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        buffer.putByte(offset + JournalRecord.VERSION_OFFSET, (byte)JournalRecord.VERSION_CHECKSUMMED);
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
        return JournalRecord.VERSION_CHECKSUMMED == version &&
            (buffer.getShort(offset + JournalRecord.CHECKSUM_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF) ==
                of(buffer, offset, length);
    }
}
