package io.tapswitch.admin.ingest;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tapswitch.admin.TestJournalWriter;
import io.tapswitch.admin.db.Database;
import io.tapswitch.admin.db.EmbeddedDatabase;
import io.tapswitch.formats.Queues;
import io.tapswitch.formats.journal.JournalRecord;
import io.vertx.pgclient.PgConnectOptions;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static io.tapswitch.admin.AdminHarness.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The per-holder and per-household rollup rows stop growing with the taps (issue 14, V82; since V83 they are the
 * ingester's own bookkeeping, {@link RollupMemory}): once the ingester has
 * stored decisions 40 days after a first day of taps, that day's holder and household rows are removed (no offline
 * advice can reach a day more than 30 days back), while its report row (tap_day_rollup) stays as it was; the rows of
 * the recent day stay, and a reversal on the recent day still takes a person back.
 */
class TapRollupsPruneTest
{
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** 2026-11-18 10:13 UTC: noon in Kyiv. */
    private static final long DAY0_MS = 1_795_000_000_000L;
    private static final long DAY_MS = 86_400_000L;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldRemoveTheHolderRowsOfClosedDaysAndKeepTheirReportRows() throws Exception
    {
        final Path switchDir = dir.resolve("switch");
        try (SingleChronicleQueue queue = Queues.open(Queues.journalDir(switchDir));
            TestJournalWriter writer = new TestJournalWriter(queue))
        {
            writer.beginBatch();
            for (int i = 1; i <= 30; i++)
            {
                tap(writer, i, 2_000_000 + i, DAY0_MS + i);
            }
            writer.endBatch();
        }
        try (EmbeddedDatabase pg = EmbeddedDatabase.start(dir.resolve("pg"), 0))
        {
            final String jdbcUrl = "jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres";
            Database.migrate(PgConnectOptions.fromUri(pg.url(EmbeddedDatabase.DATABASE)));
            final JournalIngester ingester = new JournalIngester(() -> DriverManager.getConnection(jdbcUrl,
                EmbeddedDatabase.USER, null), switchDir, Clock.systemUTC(), 100, 2, 10, new SimpleMeterRegistry());
            try
            {
                ingester.start();
                awaitTrue("day 0 ingested", 30_000, () -> query(jdbcUrl, "SELECT count(*) FROM taps") == 30);
                awaitTrue("day 0's 30 holder rows in the ingester's bookkeeping", 10_000, () ->
                    ingester.rollupHolderRows() == 30);
                assertThat(ingester.rollupHouseholdRows()).isEqualTo(30);
                final String day0Row = row(jdbcUrl, "SELECT taps, quantity, persons, households FROM tap_day_rollup");

                // 30 days later: still inside the offline window of day 0, nothing goes
                append(switchDir, 31, 40, DAY0_MS + 30 * DAY_MS, false);
                awaitTrue("day 30 ingested", 30_000, () -> query(jdbcUrl, "SELECT count(*) FROM taps") == 40);
                awaitTrue("40 holder rows", 10_000, () -> ingester.rollupHolderRows() == 40);
                assertThat(ingester.rollupHouseholdRows()).isEqualTo(40);

                // 40 days later: day 0 is closed; its holder and household rows go, its report row stays
                append(switchDir, 41, 50, DAY0_MS + 40 * DAY_MS, true);
                awaitTrue("day 40 ingested", 30_000, () -> query(jdbcUrl, "SELECT count(*) FROM taps") == 50);
                awaitTrue("day 0's holder rows removed (day 30: 10, day 40: 9 holders, one of them reversed)", 30_000, () ->
                    ingester.rollupHolderRows() == 19);
                // day 0's household rows removed too; the reversed holder's tap and reversal came in one batch and reached
                // nobody: no household row for them
                assertThat(ingester.rollupHouseholdRows()).as("day 0's household rows removed too").isEqualTo(18);
                assertThat(query(jdbcUrl, "SELECT count(*) FROM tap_day_holder")).as("kept by the ingester, not in " +
                    "PostgreSQL").isZero();
                assertThat(row(jdbcUrl, "SELECT taps, quantity, persons, households FROM tap_day_rollup " +
                    "WHERE day = '2026-11-18'")).isEqualTo(day0Row).isEqualTo("30|30|30|30|");
                // day 40: ten taps, the last one reversed: nine persons reached
                assertThat(row(jdbcUrl, "SELECT taps, reversals, quantity, persons FROM tap_day_rollup " +
                    "WHERE day = '2026-12-28'")).isEqualTo("9|1|8|8|");
                assertThat(query(jdbcUrl, "SELECT count(*) FROM tap_day_rollup")).isEqualTo(3);
            }
            finally
            {
                ingester.close();
            }
        }
    }

    /** Taps of receipts from..to at timeMs (one holder each); with reverse, the last receipt is a reversal of the one before. */
    private static void append(final Path switchDir, final int from, final int to, final long timeMs, final boolean reverse)
    {
        try (SingleChronicleQueue queue = Queues.open(Queues.journalDir(switchDir));
            TestJournalWriter writer = new TestJournalWriter(queue))
        {
            writer.beginBatch();
            for (int i = from; i <= to; i++)
            {
                if (reverse && i == to)
                {
                    final UnsafeBuffer b = writer.buffer();
                    writer.header(JournalRecord.TYPE_REVERSAL, JournalRecord.REVERSAL_LENGTH, i, timeMs + i);
                    b.setMemory(JournalRecord.HEADER_BYTES, JournalRecord.REVERSAL_LENGTH - JournalRecord.HEADER_BYTES, (byte)0);
                    fill(b, i, 2_000_000 + i - 1);
                    b.putInt(JournalRecord.REVERSAL_RESTORED_OFFSET, 1, LE);
                    b.putLong(JournalRecord.REVERSAL_ORIGINAL_RECEIPT_OFFSET, i - 1, LE);
                    b.putByte(JournalRecord.DECISION_OFFSET, (byte)0);
                    writer.append(JournalRecord.REVERSAL_LENGTH);
                }
                else
                {
                    tap(writer, i, 2_000_000 + i, timeMs + i);
                }
            }
            writer.endBatch();
        }
    }

    private static void tap(final TestJournalWriter writer, final long receipt, final long holder, final long timeMs)
    {
        final UnsafeBuffer b = writer.buffer();
        writer.header(JournalRecord.TYPE_TAP, JournalRecord.TAP_LENGTH, receipt, timeMs);
        b.setMemory(JournalRecord.HEADER_BYTES, JournalRecord.TAP_LENGTH - JournalRecord.HEADER_BYTES, (byte)0);
        fill(b, receipt, holder);
        b.putShort(JournalRecord.TAP_QUANTITY_OFFSET, (short)1, LE);
        b.putByte(JournalRecord.DECISION_OFFSET, (byte)0);
        writer.append(JournalRecord.TAP_LENGTH);
    }

    private static void fill(final UnsafeBuffer b, final long receipt, final long holder)
    {
        b.putLong(JournalRecord.TERMINAL_ID_OFFSET, 1, LE);
        b.putInt(JournalRecord.CORRELATION_OFFSET, (int)receipt, LE);
        b.putInt(JournalRecord.OUTLET_ID_OFFSET, 1, LE);
        b.putLong(JournalRecord.CARD_ID_OFFSET, holder, LE);
        b.putLong(JournalRecord.HOLDER_ID_OFFSET, holder, LE);
        b.putInt(JournalRecord.PROGRAM_ID_OFFSET, 1, LE);
        b.putInt(JournalRecord.REMAINING_OFFSET, 2, LE);
    }

    private static long query(final String jdbcUrl, final String sql)
    {
        try (Connection conn = DriverManager.getConnection(jdbcUrl, EmbeddedDatabase.USER, null);
            Statement statement = conn.createStatement(); ResultSet rs = statement.executeQuery(sql))
        {
            rs.next();
            return rs.getLong(1);
        }
        catch (final java.sql.SQLException ex)
        {
            throw new AssertionError(sql + ": " + ex.getMessage(), ex);
        }
    }

    private static String row(final String jdbcUrl, final String sql) throws Exception
    {
        try (Connection conn = DriverManager.getConnection(jdbcUrl, EmbeddedDatabase.USER, null);
            Statement statement = conn.createStatement(); ResultSet rs = statement.executeQuery(sql))
        {
            assertThat(rs.next()).as(sql).isTrue();
            final StringBuilder out = new StringBuilder();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++)
            {
                out.append(rs.getString(i)).append('|');
            }
            return out.toString();
        }
    }
}
