package io.tapswitch.admin.ingest;

import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
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
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.tapswitch.admin.AdminHarness.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The crash window the parallel COPY streams open (issue 14): stream 0 has committed its share of a batch (its taps,
 * its rollups, its position) while stream 1's transaction, with its taps copied, waits for its position row, held by
 * another session; then every PostgreSQL process is killed with SIGKILL. After crash recovery the taps of stream 0 are
 * stored and its position is ahead of stream 1's; stream 1's taps are gone with their transaction. The ingester, by
 * itself (the same two streams) or a new one with three streams (the holders split another way), resumes after the
 * lowest position: stream 1's taps go in, stream 0's are found stored and skipped. Every tap is stored once, the
 * rollups equal a count by hand, and the counters count each tap once.
 */
class JournalIngestStreamsCrashTest
{
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final long TIME_MS = 1_795_000_000_000L;
    private static final int EXCERPTS = 4;
    private static final int PER_EXCERPT = 64;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "streams after the crash: {0}")
    @ValueSource(ints = {2, 3})
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldApplyEveryTapOnceAfterACrashBetweenStreams(final int streamsAfter) throws Exception
    {
        final Path switchDir = dir.resolve("switch");
        final Path pgDir = dir.resolve("pg");
        long quantity = 0;
        try (SingleChronicleQueue queue = Queues.open(Queues.journalDir(switchDir));
            TestJournalWriter writer = new TestJournalWriter(queue))
        {
            long seq = 0;
            for (int e = 0; e < EXCERPTS; e++)
            {
                writer.beginBatch();
                for (int i = 0; i < PER_EXCERPT; i++)
                {
                    seq++;
                    final int q = 1 + (int)(seq % 3);
                    quantity += q;
                    writeTap(writer, seq, q);
                }
                writer.endBatch();
            }
        }
        final long taps = (long)EXCERPTS * PER_EXCERPT;

        EmbeddedDatabase pg = EmbeddedDatabase.start(pgDir, 0);
        final int port = pg.port();
        final String jdbcUrl = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
        Database.migrate(PgConnectOptions.fromUri(pg.url(EmbeddedDatabase.DATABASE)));
        // both streams' position rows at the start, as an ingester with two streams leaves them at its start
        assertThat(execute(jdbcUrl, "INSERT INTO ingest_position (source, queue_index, entries, last_receipt, updated_at) " +
            "VALUES ('switch-journal', -1, 0, 0, now()), ('switch-journal#1', -1, 0, 0, now())")).isEqualTo(2);
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        // one batch: two excerpts per stream (128 taps each side), so the first batch is half the journal
        JournalIngester ingester = new JournalIngester(() -> DriverManager.getConnection(jdbcUrl,
            EmbeddedDatabase.USER, null), switchDir, Clock.systemUTC(), 2 * PER_EXCERPT / 2, 2, 10, registry);
        try
        {
            final Connection blocker = DriverManager.getConnection(jdbcUrl, EmbeddedDatabase.USER, null);
            blocker.setAutoCommit(false);
            try (Statement statement = blocker.createStatement())
            {
                statement.executeQuery("SELECT * FROM ingest_position WHERE source = 'switch-journal#1' FOR UPDATE").close();
            }
            final JournalIngester first = ingester;
            first.start();
            awaitTrue("stream 0 committed, stream 1 waiting for its position row", 30_000, () ->
                query(jdbcUrl, "SELECT queue_index FROM ingest_position WHERE source = 'switch-journal'") >= 0 &&
                    query(jdbcUrl, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND " +
                        "query LIKE 'INSERT INTO ingest_position%'") == 1);
            final long committed = query(jdbcUrl, "SELECT count(*) FROM taps");
            assertThat(committed).as("stream 0's half of the first batch (even holders)").isEqualTo(64);
            assertThat(query(jdbcUrl, "SELECT count(*) FROM taps WHERE holder_id % 2 = 1")).isZero();
            assertThat(query(jdbcUrl, "SELECT sum(taps) FROM tap_day_rollup")).isEqualTo(committed);
            assertThat(ingester.storedIndex()).as("the lowest position: stream 1 committed nothing").isEqualTo(-1);

            killEveryPostgresProcess(pgDir, pg);
            awaitTrue("the ingester reports the dead database", 30_000, () -> first.failing() != null);
            try
            {
                blocker.close();
            }
            catch (final SQLException ex)
            {
                // its server is gone
            }
            if (streamsAfter != 2)
            {
                ingester.close();
                ingester = new JournalIngester(() -> DriverManager.getConnection(jdbcUrl, EmbeddedDatabase.USER, null),
                    switchDir, Clock.systemUTC(), PER_EXCERPT, streamsAfter, 10, registry);
            }
            pg = EmbeddedDatabase.start(pgDir, port);
            if (streamsAfter != 2)
            {
                // (the ingester of two streams is retrying meanwhile and may have caught up already)
                assertThat(queryAnswered(jdbcUrl, "SELECT count(*) FROM taps")).as("stream 0's commit survived the crash")
                    .isEqualTo(committed);
                assertThat(queryAnswered(jdbcUrl, "SELECT count(*) FROM ingest_position WHERE " +
                    "(source = 'switch-journal' AND queue_index >= 0) OR (source = 'switch-journal#1' AND queue_index = -1)"))
                    .as("stream 0's position ahead of stream 1's").isEqualTo(2);
                ingester.start();
            }
            final JournalIngester resumed = ingester;
            awaitTrue("every batch ingested after recovery", 60_000, () ->
                query(jdbcUrl, "SELECT coalesce(min(entries), 0) FROM ingest_position") == taps &&
                    resumed.storedIndex() == query(jdbcUrl, "SELECT min(queue_index) FROM ingest_position"));
            awaitTrue("the ingester healthy again", 10_000, () -> resumed.failing() == null);

            assertThat(queryAnswered(jdbcUrl, "SELECT count(*) FROM ingest_position")).as("one row per stream")
                .isEqualTo(streamsAfter);
            assertThat(queryAnswered(jdbcUrl, "SELECT count(DISTINCT queue_index) FROM ingest_position")).isEqualTo(1);
            assertThat(queryAnswered(jdbcUrl, "SELECT count(*) FROM taps")).isEqualTo(taps);
            assertThat(queryAnswered(jdbcUrl, "SELECT count(DISTINCT receipt) FROM taps")).isEqualTo(taps);
            assertThat(queryAnswered(jdbcUrl, "SELECT min(receipt) FROM taps")).isEqualTo(1);
            assertThat(queryAnswered(jdbcUrl, "SELECT max(receipt) FROM taps")).isEqualTo(taps);
            // the rollups of stream 0's commit were kept, stream 1's rolled back and applied once with its retry
            assertThat(queryAnswered(jdbcUrl, "SELECT sum(taps) FROM tap_day_rollup")).isEqualTo(taps);
            assertThat(queryAnswered(jdbcUrl, "SELECT sum(quantity) FROM tap_day_rollup")).isEqualTo(quantity);
            assertThat(queryAnswered(jdbcUrl, "SELECT sum(persons) FROM tap_day_rollup")).isEqualTo(taps);
            // every column of every rollup row as a rebuild from the stored taps gives it (V75's set-based recount)
            assertThat(RollupsCheck.rowsDifferingFromARebuild(jdbcUrl)).isZero();
            assertThat(resumed.rollupHolderRows()).as("the ingester's bookkeeping: one holder row per tap").isEqualTo(taps);
            assertThat(queryAnswered(jdbcUrl, "SELECT count(*) FROM tap_day_holder")).as("kept by the ingester, not in " +
                "PostgreSQL").isZero();
            // each tap counted once: stream 0's first half before the crash, everything else after it
            final double counted = registry.get("tapswitch_admin_ingested").counter().count();
            assertThat(counted).isEqualTo((double)taps);
        }
        finally
        {
            ingester.close();
            pg.close();
        }
    }

    /** SIGKILL to the postmaster and every backend: no shutdown, no checkpoint; the next start runs crash recovery. */
    private static void killEveryPostgresProcess(final Path pgDir, final EmbeddedDatabase pg) throws Exception
    {
        final long postmaster = Long.parseLong(Files.readAllLines(pgDir.resolve("postmaster.pid")).get(0).trim());
        final ProcessHandle process = ProcessHandle.of(postmaster).orElseThrow();
        final List<ProcessHandle> children = process.descendants().toList();
        process.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        process.onExit().get(30, TimeUnit.SECONDS);
        for (final ProcessHandle child : children)
        {
            child.onExit().get(30, TimeUnit.SECONDS);
        }
        try
        {
            pg.close();
        }
        catch (final RuntimeException ex)
        {
            // nothing left to stop
        }
    }

    private static int execute(final String jdbcUrl, final String sql) throws SQLException
    {
        try (Connection conn = DriverManager.getConnection(jdbcUrl, EmbeddedDatabase.USER, null);
            Statement statement = conn.createStatement())
        {
            return statement.executeUpdate(sql);
        }
    }

    /** @return the query's single number; -1 while the server cannot be reached (down, starting, in recovery). */
    private static long query(final String jdbcUrl, final String sql)
    {
        try (Connection conn = DriverManager.getConnection(jdbcUrl, EmbeddedDatabase.USER, null);
            Statement statement = conn.createStatement(); ResultSet rs = statement.executeQuery(sql))
        {
            rs.next();
            return rs.getLong(1);
        }
        catch (final SQLException ex)
        {
            final String state = String.valueOf(ex.getSQLState());
            if (state.startsWith("08") || state.startsWith("57P0"))
            {
                return -1;
            }
            throw new AssertionError(sql + ": " + state + " " + ex.getMessage(), ex);
        }
    }

    private static long queryAnswered(final String jdbcUrl, final String sql) throws InterruptedException
    {
        for (int attempt = 0; attempt < 50; attempt++)
        {
            final long value = query(jdbcUrl, sql);
            if (value != -1)
            {
                return value;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("PostgreSQL did not answer: " + sql);
    }

    private static void writeTap(final TestJournalWriter writer, final long seq, final int quantity)
    {
        final UnsafeBuffer b = writer.buffer();
        writer.header(JournalRecord.TYPE_TAP, JournalRecord.TAP_LENGTH, seq, TIME_MS + seq * 1000);
        b.setMemory(JournalRecord.HEADER_BYTES, JournalRecord.TAP_LENGTH - JournalRecord.HEADER_BYTES, (byte)0);
        b.putLong(JournalRecord.TERMINAL_ID_OFFSET, 1, LE);
        b.putInt(JournalRecord.CORRELATION_OFFSET, (int)seq, LE);
        b.putInt(JournalRecord.OUTLET_ID_OFFSET, 1 + (int)(seq % 2), LE);
        b.putLong(JournalRecord.CARD_ID_OFFSET, 1_000_000 + seq, LE);
        // holders alternate even and odd: with two streams, half of each excerpt goes to each
        b.putLong(JournalRecord.HOLDER_ID_OFFSET, 1_000_000 + seq, LE);
        b.putInt(JournalRecord.PROGRAM_ID_OFFSET, 1, LE);
        b.putShort(JournalRecord.TAP_QUANTITY_OFFSET, (short)quantity, LE);
        b.putByte(JournalRecord.DECISION_OFFSET, (byte)0);
        b.putInt(JournalRecord.REMAINING_OFFSET, 2, LE);
        writer.append(JournalRecord.TAP_LENGTH);
    }
}
