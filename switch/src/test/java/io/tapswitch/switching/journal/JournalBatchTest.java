package io.tapswitch.switching.journal;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.tapswitch.formats.Queues;
import io.tapswitch.formats.journal.JournalReader;
import io.tapswitch.formats.journal.JournalRecord;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Group commit in the journal: a batch's records written as one excerpt, read back record by record with the
 * excerpt's index, a reader that resumes after a poll continuing at the next excerpt with nothing skipped or
 * repeated, excerpts capped in size, and broken framing refused.
 */
class JournalBatchTest
{
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final long TIME_MS = 1_795_000_000_000L;

    @TempDir
    Path dir;

    record Read(long index, long sequence, int type, long cardId)
    {
    }

    private static void tap(final JournalWriter writer, final long sequence)
    {
        writer.header(JournalRecord.TYPE_TAP, JournalRecord.TAP_LENGTH, sequence, TIME_MS + sequence);
        writer.buffer().putLong(JournalRecord.CARD_ID_OFFSET, 1_000_000 + sequence, LE);
        writer.append(JournalRecord.TAP_LENGTH);
    }

    private static void command(final JournalWriter writer, final long sequence, final int commandLength)
    {
        final int length = JournalRecord.COMMAND_BYTES_OFFSET + commandLength;
        writer.header(JournalRecord.TYPE_COMMAND, length, sequence, TIME_MS + sequence);
        writer.buffer().putInt(JournalRecord.COMMAND_LENGTH_OFFSET, commandLength, LE);
        writer.buffer().setMemory(JournalRecord.COMMAND_BYTES_OFFSET, commandLength, (byte)sequence);
        writer.append(length);
    }

    private static List<Read> poll(final JournalReader reader, final int limit)
    {
        final List<Read> read = new ArrayList<>();
        reader.poll((index, r) -> read.add(new Read(index, r.sequence(), r.type(), r.cardId())), limit);
        return read;
    }

    @Test
    void shouldReadEveryRecordOfABatchExcerptWithItsIndexAndResumeAtTheNextExcerpt()
    {
        final long single;
        final long batch;
        final long second;
        try (SingleChronicleQueue queue = Queues.open(Queues.journalDir(dir));
            JournalWriter writer = new JournalWriter(queue))
        {
            tap(writer, 1);
            single = writer.lastIndexAppended();

            writer.beginBatch();
            for (long seq = 2; seq <= 6; seq++)
            {
                tap(writer, seq);
            }
            assertThat(writer.lastIndexAppended()).as("nothing written before the flush").isEqualTo(single);
            assertThat(writer.pendingRecords()).isEqualTo(5);
            batch = writer.flush();
            assertThat(batch).isGreaterThan(single);
            assertThat(writer.inBatch()).as("flush keeps the batch open").isTrue();

            tap(writer, 7);
            tap(writer, 8);
            command(writer, 9, 100);
            second = writer.endBatch();
            assertThat(writer.inBatch()).isFalse();
            assertThat(writer.recordsAppended()).isEqualTo(9);
            assertThat(writer.excerptsAppended()).isEqualTo(3);
            assertThat(writer.bytesAppended()).isEqualTo(8L * JournalRecord.TAP_LENGTH + JournalRecord.COMMAND_BYTES_OFFSET + 100);
        }

        try (JournalReader reader = new JournalReader(dir))
        {
            assertThat(reader.lagEntries()).as("lag counts excerpts").isEqualTo(3);
            // a limit of 2 is reached inside the batch excerpt: the poll finishes the excerpt
            final List<Read> first = poll(reader, 2);
            assertThat(first).extracting(Read::sequence).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
            assertThat(first).extracting(Read::index).containsExactly(single, batch, batch, batch, batch, batch);
            assertThat(first).extracting(Read::cardId).containsExactly(1_000_001L, 1_000_002L, 1_000_003L,
                1_000_004L, 1_000_005L, 1_000_006L);
            assertThat(reader.lastReadIndex()).isEqualTo(batch);
            assertThat(reader.lagEntries()).isEqualTo(1);
        }

        try (JournalReader resumed = new JournalReader(dir))
        {
            assertThat(resumed.moveAfter(batch)).isTrue();
            final List<Read> rest = poll(resumed, 1);
            assertThat(rest).extracting(Read::sequence).containsExactly(7L, 8L, 9L);
            assertThat(rest).extracting(Read::index).containsOnly(second);
            assertThat(rest).extracting(Read::type).containsExactly(JournalRecord.TYPE_TAP, JournalRecord.TYPE_TAP,
                JournalRecord.TYPE_COMMAND);
            assertThat(resumed.lastReadIndex()).isEqualTo(second);
            assertThat(resumed.lagEntries()).isZero();
            assertThat(poll(resumed, 10)).isEmpty();
        }
    }

    @Test
    void shouldSplitABatchLargerThanAnExcerptWithoutLosingOrReorderingRecords()
    {
        final int records = 2_000;
        final List<Integer> excerptBytes = new ArrayList<>();
        try (SingleChronicleQueue queue = Queues.open(Queues.journalDir(dir));
            JournalWriter writer = new JournalWriter(queue, (durationNs, lengthBytes) -> excerptBytes.add(lengthBytes)))
        {
            writer.beginBatch();
            command(writer, 1, 60_000);
            for (long seq = 2; seq <= records; seq++)
            {
                tap(writer, seq);
            }
            command(writer, records + 1, 64 * 1024);
            writer.endBatch();
            final long bytes = 2L * JournalRecord.COMMAND_BYTES_OFFSET + 60_000 + 64 * 1024 +
                (records - 1L) * JournalRecord.TAP_LENGTH;
            assertThat(writer.bytesAppended()).isEqualTo(bytes);
            assertThat(writer.recordsAppended()).isEqualTo(records + 1);
            assertThat(writer.excerptsAppended()).isGreaterThanOrEqualTo(bytes / JournalWriter.MAX_EXCERPT_BYTES + 1)
                .isEqualTo(excerptBytes.size());
            assertThat(excerptBytes).as("the observer sees each excerpt").allMatch(b -> b <= JournalWriter.MAX_EXCERPT_BYTES);
            assertThat(excerptBytes.stream().mapToLong(Integer::longValue).sum()).isEqualTo(bytes);
        }
        try (JournalReader reader = new JournalReader(dir))
        {
            final List<Long> sequences = new ArrayList<>();
            final List<Long> indexes = new ArrayList<>();
            reader.poll((index, r) ->
            {
                sequences.add(r.sequence());
                if (indexes.isEmpty() || indexes.get(indexes.size() - 1) != index)
                {
                    indexes.add(index);
                }
                if (r.type() == JournalRecord.TYPE_COMMAND)
                {
                    assertThat(r.recordLength()).isEqualTo(JournalRecord.COMMAND_BYTES_OFFSET + r.commandLength());
                    assertThat(r.buffer().getByte(r.commandBytesOffset() + r.commandLength() - 1))
                        .isEqualTo((byte)r.sequence());
                }
            }, Integer.MAX_VALUE);
            assertThat(sequences).hasSize(records + 1);
            for (int i = 0; i < sequences.size(); i++)
            {
                assertThat(sequences.get(i)).isEqualTo(i + 1L);
            }
            assertThat(indexes).hasSizeGreaterThan(1).isSorted();
        }
    }

    @Test
    void shouldRefuseARecordWhoseLengthIsNotItsHeadersAndAppendNothing()
    {
        try (SingleChronicleQueue queue = Queues.open(Queues.journalDir(dir));
            JournalWriter writer = new JournalWriter(queue))
        {
            writer.beginBatch();
            tap(writer, 1);
            writer.header(JournalRecord.TYPE_TAP, JournalRecord.TAP_LENGTH, 2, TIME_MS);
            assertThatThrownBy(() -> writer.append(JournalRecord.TAP_LENGTH - 8))
                .isInstanceOf(IllegalArgumentException.class);
            writer.header(JournalRecord.TYPE_TAP, 8, 2, TIME_MS);
            assertThatThrownBy(() -> writer.append(8)).isInstanceOf(IllegalArgumentException.class);
            assertThat(writer.pendingRecords()).isEqualTo(1);
            writer.endBatch();
        }
        try (JournalReader reader = new JournalReader(dir))
        {
            assertThat(poll(reader, 10)).extracting(Read::sequence).containsExactly(1L);
        }
    }

    @Test
    void shouldHandTheWholeExcerptAgainAfterAHandlerFailedInsideIt()
    {
        try (SingleChronicleQueue queue = Queues.open(Queues.journalDir(dir));
            JournalWriter writer = new JournalWriter(queue))
        {
            tap(writer, 1);
            writer.beginBatch();
            tap(writer, 2);
            tap(writer, 3);
            tap(writer, 4);
            writer.endBatch();
        }
        try (JournalReader reader = new JournalReader(dir))
        {
            assertThat(poll(reader, 1)).extracting(Read::sequence).containsExactly(1L);
            final long first = reader.lastReadIndex();
            final List<Long> seen = new ArrayList<>();
            assertThatThrownBy(() -> reader.poll((index, r) ->
            {
                seen.add(r.sequence());
                if (r.sequence() == 3)
                {
                    throw new IllegalStateException("store failed");
                }
            }, 10)).hasMessage("store failed");
            assertThat(seen).containsExactly(2L, 3L);
            assertThat(reader.lastReadIndex()).isEqualTo(first);
            assertThat(poll(reader, 10)).extracting(Read::sequence).containsExactly(2L, 3L, 4L);
        }
    }

    @Test
    void shouldRefuseAnExcerptWhoseRecordsAreNotFramedAndStayBeforeIt()
    {
        try (SingleChronicleQueue queue = Queues.open(Queues.journalDir(dir));
            JournalWriter writer = new JournalWriter(queue))
        {
            tap(writer, 1);
            // a TAP followed by 10 stray bytes: the second "record" is shorter than a header
            final ExcerptAppender appender = queue.acquireAppender();
            try (DocumentContext dc = appender.writingDocument())
            {
                final byte[] bytes = new byte[JournalRecord.TAP_LENGTH + 10];
                writer.header(JournalRecord.TYPE_TAP, JournalRecord.TAP_LENGTH, 2, TIME_MS);
                writer.buffer().getBytes(0, bytes, 0, JournalRecord.TAP_LENGTH);
                dc.wire().bytes().write(bytes);
            }
        }
        try (JournalReader reader = new JournalReader(dir))
        {
            final List<Long> seen = new ArrayList<>();
            assertThatThrownBy(() -> reader.poll((index, r) -> seen.add(r.sequence()), 10))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("not a sequence of records");
            assertThat(seen).as("nothing of the broken excerpt is handed").containsExactly(1L);
            final long first = reader.lastReadIndex();
            assertThatThrownBy(() -> reader.poll((index, r) -> seen.add(r.sequence()), 10))
                .isInstanceOf(IllegalStateException.class);
            assertThat(reader.lastReadIndex()).isEqualTo(first);
            assertThat(seen).containsExactly(1L);
        }
    }
}
