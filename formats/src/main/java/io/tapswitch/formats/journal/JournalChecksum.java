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
     * The scratch of the thread that used this class last (issue 14: a {@link ThreadLocal} lookup per record was
     * 2 % of a journal replay, its map shared with Chronicle's thread locals). Racy by design: a thread that reads
     * another's scratch here sees its final {@code owner} and takes its own from {@link #SCRATCH} instead.
     */
    private static Scratch last;

    /**
     * The JDK's intrinsic CRC-32C (issue 14: the byte-at-a-time table loop here, with a bounds-checked read per
     * byte, was a fifth of a journal replay's time) over a copy of the record whose checksum field is zeroed, in
     * one call; allocation-free after a thread's first call (a record longer than any before grows its scratch copy
     * once).
     *
     * @param buffer holding the record.
     * @param offset where the record starts.
     * @param length the record's length.
     * @return the record's 16-bit checksum, its checksum field counted as zero.
     */
    public static int of(final DirectBuffer buffer, final int offset, final int length)
    {
        Scratch scratch = last;
        if (null == scratch || scratch.owner != Thread.currentThread())
        {
            scratch = SCRATCH.get();
            last = scratch;
        }
        if (scratch.bytes.length < length)
        {
            scratch.bytes = new byte[Math.max(length, 2 * scratch.bytes.length)];
        }
        final byte[] array = scratch.bytes;
        buffer.getBytes(offset, array, 0, length);
        final int checksumAt = JournalRecord.CHECKSUM_OFFSET;
        if (checksumAt < length)
        {
            array[checksumAt] = 0;
        }
        if (checksumAt + 1 < length)
        {
            array[checksumAt + 1] = 0;
        }
        final CRC32C crc = scratch.crc;
        crc.reset();
        crc.update(array, 0, length);
        final int value = (int)crc.getValue();
        return (value ^ (value >>> 16)) & 0xFFFF;
    }

    private static final class Scratch
    {
        private final Thread owner = Thread.currentThread();
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
