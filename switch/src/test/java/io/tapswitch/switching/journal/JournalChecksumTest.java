package io.tapswitch.switching.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import io.tapswitch.formats.journal.JournalChecksum;
import io.tapswitch.formats.journal.JournalExcerpt;
import io.tapswitch.formats.journal.JournalReader;
import io.tapswitch.formats.journal.JournalRecord;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-record checksum (switch/JOURNAL.md, "Header"): the switch's writer seals every record (version 2, CRC-32C
 * of the JDK folded to 16 bits); the shared reader (the admin's {@link JournalReader}, the switch's replay) checks it
 * with its own table-driven CRC-32C, accepts every record written, and refuses a record with any single byte changed;
 * records of version 1 (no checksum) are still read.
 */
class JournalChecksumTest
{
    @TempDir
    Path dir;

    @Test
    void shouldSealEveryRecordSoThatTheReaderAcceptsItAndRefusesAnyChangedByte()
    {
        final List<byte[]> written = new ArrayList<>();
        try (JournalWriter writer = JournalWriter.open(dir, false, null))
        {
            final SplittableRandom random = new SplittableRandom(7);
            for (long sequence = 1; sequence <= 200; sequence++)
            {
                final int length = sequence % 3 == 0 ? JournalRecord.COMMAND_BYTES_OFFSET + (int)sequence :
                    JournalRecord.TAP_LENGTH;
                writer.header(sequence % 3 == 0 ? JournalRecord.TYPE_COMMAND : JournalRecord.TYPE_TAP, length, sequence,
                    1_795_000_000_000L + sequence);
                for (int i = JournalRecord.HEADER_BYTES; i < length; i++)
                {
                    writer.buffer().putByte(i, (byte)random.nextInt(256));
                }
                if (sequence % 3 == 0)
                {
                    writer.buffer().putInt(JournalRecord.COMMAND_LENGTH_OFFSET, (int)sequence, ByteOrder.LITTLE_ENDIAN);
                }
                writer.append(length);
                final byte[] bytes = new byte[length];
                writer.buffer().getBytes(0, bytes);
                written.add(bytes);
            }
        }
        final List<Long> read = new ArrayList<>();
        try (JournalReader reader = new JournalReader(dir))
        {
            while (reader.poll((index, r) ->
            {
                assertThat(r.version()).isEqualTo(JournalRecord.VERSION_CHECKSUMMED);
                read.add(r.sequence());
            }, 1_000) > 0)
            {
                // read on
            }
        }
        assertThat(read).hasSize(200).startsWith(1L, 2L, 3L).endsWith(200L);

        // every byte of every record changed in three ways: a 16-bit checksum misses one change in 65 536
        int changes = 0;
        final List<String> missed = new ArrayList<>();
        for (final byte[] record : written)
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(record.clone());
            assertThat(JournalChecksum.valid(buffer, 0, record.length)).isTrue();
            assertThat(JournalExcerpt.countRecords(buffer, 0, record.length)).isEqualTo(1);
            for (int i = 0; i < record.length; i++)
            {
                for (final int flip : new int[]{0x01, 0x80, 0xFF})
                {
                    buffer.putByte(i, (byte)(record[i] ^ flip));
                    changes++;
                    if (JournalExcerpt.MALFORMED != JournalExcerpt.countRecords(buffer, 0, record.length))
                    {
                        missed.add("record " + buffer.getLong(8, ByteOrder.LITTLE_ENDIAN) + " byte " + i);
                    }
                    buffer.putByte(i, record[i]);
                }
            }
        }
        System.out.printf("JournalChecksumTest: %d of %d changed records not detected%n", missed.size(), changes);
        assertThat(changes).isGreaterThan(50_000);
        assertThat(missed).as("changes not detected (expected about %d)", changes / 65_536).hasSizeLessThanOrEqualTo(4);

        // a record without a checksum (version 1, as written before): read as it is
        final byte[] old = written.get(0).clone();
        final UnsafeBuffer buffer = new UnsafeBuffer(old);
        buffer.putByte(JournalRecord.VERSION_OFFSET, (byte)JournalRecord.VERSION);
        buffer.putShort(JournalRecord.CHECKSUM_OFFSET, (short)0, ByteOrder.LITTLE_ENDIAN);
        assertThat(JournalExcerpt.countRecords(buffer, 0, old.length)).isEqualTo(1);
        buffer.putByte(JournalRecord.VERSION_OFFSET, (byte)3);
        assertThat(JournalExcerpt.countRecords(buffer, 0, old.length)).as("unknown version").isEqualTo(-1);
    }
}
