package io.tapswitch.admin;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import io.tapswitch.formats.journal.JournalRecord;
import io.tapswitch.formats.Queues;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.tapswitch.admin.AdminHarness.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The journal ingester on a group-committed journal (several records per excerpt, mixed with single-record
 * excerpts): every TAP and REVERSAL is stored once with its excerpt's index, and every record is read exactly once
 * across a restart of the admin service, with an ingest batch smaller than an excerpt (a poll finishes the excerpt
 * it started, so the committed position is always an excerpt boundary).
 */
class JournalBatchIngestTest
{
    private static final long TIMEOUT_MS = 30_000;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final long TIME_MS = 1_795_000_000_000L;

    @TempDir
    Path dataDir;
    @TempDir
    Path switchDir;

    private long sequence;
    private long records;
    /** Excerpt index → [stored rows, first receipt stored, last receipt stored]. */
    private final Map<Long, long[]> expected = new LinkedHashMap<>();
    private long storedRows;

    @Test
    void shouldIngestABatchedJournalExactlyOnceAcrossARestart() throws Exception
    {
        final String db = TestPostgres.newDatabase();
        try (SingleChronicleQueue queue = Queues.open(Queues.journalDir(switchDir));
            TestJournalWriter writer = new TestJournalWriter(queue))
        {
            excerpt(writer, false, 1);
            for (int b = 0; b < 4; b++)
            {
                excerpt(writer, true, 5 + b);
            }
            excerpt(writer, false, 1);

            try (AdminHarness admin = new AdminHarness(db, dataDir, switchDir)
                .start(AdminHarness.config(db, dataDir, switchDir).ingestBatch(3)))
            {
                awaitIngested(admin);
            }

            // decided while the admin service is down
            for (int b = 0; b < 3; b++)
            {
                excerpt(writer, true, 7);
            }
            excerpt(writer, false, 1);
            excerpt(writer, true, 2);

            try (AdminHarness admin = new AdminHarness(db, dataDir, switchDir)
                .start(AdminHarness.config(db, dataDir, switchDir).ingestBatch(3)))
            {
                // tailing: excerpts written while the ingester runs
                excerpt(writer, true, 9);
                awaitIngested(admin);
                assertThat(admin.count("SELECT entries FROM ingest_position"))
                    .as("every record read once: none skipped, none read twice").isEqualTo(records);
                assertStoredWithTheirExcerptIndex(admin);
            }

            // a lost position: the whole batched journal is read again, nothing is stored twice
            assertThat(TestPostgres.execute(db, "UPDATE ingest_position SET queue_index = -1")).isNull();
            try (AdminHarness admin = new AdminHarness(db, dataDir, switchDir).start())
            {
                awaitTrue("journal read again", TIMEOUT_MS, () ->
                    admin.count("SELECT queue_index FROM ingest_position") == writer.lastIndexAppended());
                assertThat(admin.service().ingester().ingestedCount()).isZero();
                assertStoredWithTheirExcerptIndex(admin);
            }
        }
    }

    private void awaitIngested(final AdminHarness admin) throws InterruptedException
    {
        final long last = lastIndex();
        awaitTrue("batched journal ingested", TIMEOUT_MS, () ->
            admin.count("SELECT coalesce(max(queue_index), -1) FROM ingest_position") == last);
        assertThat(admin.count("SELECT count(*) FROM taps")).isEqualTo(storedRows);
    }

    private long lastIndex()
    {
        long last = -1;
        for (final long index : expected.keySet())
        {
            last = index;
        }
        return last;
    }

    private void assertStoredWithTheirExcerptIndex(final AdminHarness admin)
    {
        assertThat(admin.count("SELECT count(*) FROM taps")).isEqualTo(storedRows);
        assertThat(admin.count("SELECT count(DISTINCT receipt) FROM taps")).isEqualTo(storedRows);
        expected.forEach((index, rows) ->
        {
            assertThat(admin.count("SELECT count(*) FROM taps WHERE journal_index = " + index))
                .as("rows of excerpt %d", index).isEqualTo(rows[0]);
            if (rows[0] > 0)
            {
                assertThat(admin.count("SELECT min(receipt) FROM taps WHERE journal_index = " + index)).isEqualTo(rows[1]);
                assertThat(admin.count("SELECT max(receipt) FROM taps WHERE journal_index = " + index)).isEqualTo(rows[2]);
            }
        });
    }

    /**
     * Writes one excerpt of {@code count} records (a batch, or a single record outside one): taps, a reversal
     * every fourth record and a LOGON every fifth (not stored by the ingester).
     */
    private void excerpt(final TestJournalWriter writer, final boolean batch, final int count)
    {
        if (batch)
        {
            writer.beginBatch();
        }
        long rows = 0;
        long first = 0;
        long last = 0;
        for (int i = 0; i < count; i++)
        {
            final long seq = ++sequence;
            final UnsafeBuffer b = writer.buffer();
            if (seq % 5 == 0)
            {
                writer.header(JournalRecord.TYPE_LOGON, JournalRecord.LOGON_LENGTH, seq, TIME_MS + seq);
                b.setMemory(JournalRecord.HEADER_BYTES, JournalRecord.LOGON_LENGTH - JournalRecord.HEADER_BYTES, (byte)0);
                b.putLong(JournalRecord.TERMINAL_ID_OFFSET, 1, LE);
                writer.append(JournalRecord.LOGON_LENGTH);
            }
            else
            {
                final boolean reversal = seq % 4 == 0;
                writer.header(reversal ? JournalRecord.TYPE_REVERSAL : JournalRecord.TYPE_TAP, JournalRecord.TAP_LENGTH,
                    seq, TIME_MS + seq);
                b.setMemory(JournalRecord.HEADER_BYTES, JournalRecord.TAP_LENGTH - JournalRecord.HEADER_BYTES, (byte)0);
                b.putLong(JournalRecord.TERMINAL_ID_OFFSET, 1, LE);
                b.putInt(JournalRecord.CORRELATION_OFFSET, (int)seq, LE);
                b.putInt(JournalRecord.OUTLET_ID_OFFSET, 1, LE);
                b.putLong(JournalRecord.CARD_ID_OFFSET, 1_000_000 + seq, LE);
                b.putLong(JournalRecord.HOLDER_ID_OFFSET, 1_000_000 + seq, LE);
                b.putInt(JournalRecord.PROGRAM_ID_OFFSET, 1, LE);
                b.putShort(JournalRecord.TAP_QUANTITY_OFFSET, (short)1, LE);
                b.putInt(JournalRecord.REMAINING_OFFSET, 2, LE);
                writer.append(JournalRecord.TAP_LENGTH);
                rows++;
                first = first == 0 ? seq : first;
                last = seq;
            }
            records++;
        }
        final long index = batch ? writer.endBatch() : writer.lastIndexAppended();
        expected.put(index, new long[] {rows, first, last});
        storedRows += rows;
    }
}
