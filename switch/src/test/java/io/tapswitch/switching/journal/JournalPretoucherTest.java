package io.tapswitch.switching.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import io.tapswitch.formats.Queues;
import io.tapswitch.formats.journal.JournalReader;
import io.tapswitch.formats.journal.JournalRecord;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pretouch thread faults in the pages ahead of a real Chronicle Queue journal's writer and never changes what the
 * journal holds: the records written before, while and after it touches read back byte for byte, and no record
 * appears that was not written.
 */
class JournalPretoucherTest
{
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final long AHEAD_BYTES = 4L << 20;
    private static final int PAGE = 4096;

    @TempDir
    Path dir;

    @Test
    void shouldTouchPagesAheadOfTheWriterWithoutChangingTheJournal()
    {
        final List<Long> written = new ArrayList<>();
        final JournalPretoucher pretoucher;
        final long lastWritePosition;
        try (SingleChronicleQueue queue = Queues.openJournal(dir, false);
            JournalWriter writer = new JournalWriter(queue))
        {
            pretoucher = new JournalPretoucher(Queues.journalDir(dir), AHEAD_BYTES);
            try
            {
                writer.pretoucher(pretoucher);
                long sequence = 0;
                for (int i = 0; i < 1_000; i++)
                {
                    append(writer, ++sequence, written);
                }
                // it touches up to AHEAD_BYTES beyond the writer (the cycle file is larger than that when created)
                awaitPagesTouched(pretoucher, AHEAD_BYTES / PAGE - 64);
                for (int i = 0; i < 60_000; i++)
                {
                    append(writer, ++sequence, written);
                }
                awaitPagesTouched(pretoucher, AHEAD_BYTES / PAGE + 1_000);
                for (int i = 0; i < 1_000; i++)
                {
                    append(writer, ++sequence, written);
                }
            }
            finally
            {
                pretoucher.close();
            }
            lastWritePosition = writer.lastWritePosition();
        }

        // every byte past the last record is still zero: the pages were touched, not written
        final Path cycleFile = onlyCycleFile(Queues.journalDir(dir));
        try (FileChannel channel = FileChannel.open(cycleFile, StandardOpenOption.READ))
        {
            final long length = channel.size();
            assertThat(length - lastWritePosition).isGreaterThan(AHEAD_BYTES);
            final MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, lastWritePosition,
                length - lastWritePosition);
            final UnsafeBuffer tail = new UnsafeBuffer(mapped);
            for (int i = 0; i < tail.capacity(); i += Long.BYTES)
            {
                if (tail.getLong(i) != 0)
                {
                    throw new AssertionError("non-zero bytes at file offset " + (lastWritePosition + i));
                }
            }
            IoUtil.unmap(mapped);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }

        final List<Long> read = new ArrayList<>();
        try (JournalReader reader = new JournalReader(dir))
        {
            while (reader.poll((index, record) ->
            {
                assertThat(record.recordLength()).isEqualTo(JournalRecord.TAP_LENGTH);
                assertThat(record.buffer().getLong(record.offset() + JournalRecord.CARD_ID_OFFSET, LE))
                    .isEqualTo(cardOf(record.sequence()));
                read.add(record.sequence());
            }, 10_000) > 0)
            {
                // read to the end
            }
        }
        assertThat(read).isEqualTo(written);
    }

    private static Path onlyCycleFile(final Path journalDir)
    {
        try (Stream<Path> files = Files.list(journalDir))
        {
            final List<Path> cycles = files.filter(f -> f.getFileName().toString().endsWith(".cq4")).toList();
            assertThat(cycles).hasSize(1);
            return cycles.get(0);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static long cardOf(final long sequence)
    {
        return 1_000_000L + sequence * 7;
    }

    private static void append(final JournalWriter writer, final long sequence, final List<Long> written)
    {
        writer.header(JournalRecord.TYPE_TAP, JournalRecord.TAP_LENGTH, sequence, 1_700_000_000_000L + sequence);
        writer.buffer().setMemory(JournalRecord.TERMINAL_ID_OFFSET,
            JournalRecord.TAP_LENGTH - JournalRecord.TERMINAL_ID_OFFSET, (byte)0);
        writer.buffer().putLong(JournalRecord.CARD_ID_OFFSET, cardOf(sequence), LE);
        writer.append(JournalRecord.TAP_LENGTH);
        written.add(sequence);
    }

    private static void awaitPagesTouched(final JournalPretoucher pretoucher, final long pages)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (pretoucher.pagesTouched() < pages)
        {
            assertThat(System.nanoTime() - deadlineNs)
                .as("pages touched %d, waiting for %d", pretoucher.pagesTouched(), pages).isNegative();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }
}
