package io.tapswitch.switching.journal;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

import io.tapswitch.formats.journal.JournalChecksum;
import io.tapswitch.formats.journal.JournalRecord;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link JournalChecksum#of} gives the checksum of the record's bytes (CRC-32C with the checksum field as zero,
 * folded to 16 bits) whatever holds the record: an array at offset 0 or further in, a direct buffer, a raw address
 * (the journal's mapped memory), records of 88 bytes and of a large command, and the same again on one thread.
 */
class JournalChecksumBuffersTest
{
    @Test
    void shouldGiveTheSameChecksumForARecordWhereverItIsHeld()
    {
        final SplittableRandom random = new SplittableRandom(14);
        for (final int length : new int[] {JournalRecord.TAP_LENGTH, 64, 1_000, 70_000, JournalRecord.TAP_LENGTH})
        {
            final byte[] record = new byte[length];
            for (int i = 0; i < length; i++)
            {
                record[i] = (byte)random.nextInt(256);
            }
            final int expected = reference(record);

            assertThat(JournalChecksum.of(new UnsafeBuffer(record), 0, length)).as("array, %d bytes", length)
                .isEqualTo(expected);

            final byte[] larger = new byte[length + 40];
            System.arraycopy(record, 0, larger, 17, length);
            assertThat(JournalChecksum.of(new UnsafeBuffer(larger, 3, length + 30), 14, length))
                .as("array wrapped at an offset").isEqualTo(expected);

            final ByteBuffer direct = ByteBuffer.allocateDirect(length + 64);
            final UnsafeBuffer directBuffer = new UnsafeBuffer(direct);
            directBuffer.putBytes(9, record);
            assertThat(JournalChecksum.of(directBuffer, 9, length)).as("direct buffer").isEqualTo(expected);

            final UnsafeBuffer address = new UnsafeBuffer(directBuffer.addressOffset() + 9, length);
            assertThat(JournalChecksum.of(address, 0, length)).as("raw address").isEqualTo(expected);

            // the checksum field's own bytes do not count
            record[JournalRecord.CHECKSUM_OFFSET] ^= 0x5A;
            record[JournalRecord.CHECKSUM_OFFSET + 1] ^= 0x3C;
            assertThat(JournalChecksum.of(new UnsafeBuffer(record), 0, length)).isEqualTo(expected);
            // any other byte does (this one, here)
            record[length - 1] ^= 1;
            assertThat(JournalChecksum.of(new UnsafeBuffer(record), 0, length)).isNotEqualTo(expected);
        }
    }

    /** The definition: CRC-32C of the record with its two checksum bytes zero, folded to 16 bits. */
    private static int reference(final byte[] record)
    {
        final byte[] copy = record.clone();
        copy[JournalRecord.CHECKSUM_OFFSET] = 0;
        copy[JournalRecord.CHECKSUM_OFFSET + 1] = 0;
        final CRC32C crc = new CRC32C();
        crc.update(copy, 0, copy.length);
        final int value = (int)crc.getValue();
        return (value ^ (value >>> 16)) & 0xFFFF;
    }
}
