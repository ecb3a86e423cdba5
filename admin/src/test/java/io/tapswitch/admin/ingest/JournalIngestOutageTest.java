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
import io.tapswitch.admin.db.Database;
import io.tapswitch.admin.db.EmbeddedDatabase;
import io.tapswitch.formats.Queues;
import io.tapswitch.formats.journal.JournalRecord;
import io.tapswitch.admin.TestJournalWriter;
import io.vertx.pgclient.PgConnectOptions;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static io.tapswitch.admin.AdminHarness.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A batch interrupted by a dead database: the ingester has COPYed a batch of taps into {@code taps} (and the rollup
 * trigger has run) but not yet written its position, when every PostgreSQL process is killed with SIGKILL. PostgreSQL
 * starts again (crash recovery) on the same port; the ingester, which meanwhile reports the failure, reconnects by
 * itself and writes the batch again: every tap is stored exactly once, the position counts every record once, and the
 * rollups equal a count by hand.
 */
class JournalIngestOutageTest
{
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final long TIME_MS = 1_795_000_000_000L;
    private static final int EXCERPTS = 4;
    private static final int PER_EXCERPT = 64;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldApplyABatchInterruptedByADeadDatabaseOnceAfterRecovery() throws Exception
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
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        final JournalIngester ingester = new JournalIngester(() -> DriverManager.getConnection(jdbcUrl,
            EmbeddedDatabase.USER, null), switchDir, Clock.systemUTC(), PER_EXCERPT, 10, registry);
        try
        {
            // another session holds ingest_position: the ingester's first batch COPYs its taps, then waits to write its
            // position (reads of the table are not blocked, so it can load its start position)
            final Connection blocker = DriverManager.getConnection(jdbcUrl, EmbeddedDatabase.USER, null);
            blocker.setAutoCommit(false);
            try (Statement statement = blocker.createStatement())
            {
                statement.execute("LOCK TABLE ingest_position IN SHARE MODE");
            }
            ingester.start();
            awaitTrue("the first batch copied and waiting for its position", 30_000, () ->
                query(jdbcUrl, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND " +
                    "query LIKE 'INSERT INTO ingest_position%'") == 1);
            assertThat(query(jdbcUrl, "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation " +
                "JOIN pg_stat_activity a ON a.pid = l.pid WHERE c.relname = 'taps' AND l.mode = 'RowExclusiveLock' " +
                "AND l.granted AND a.query LIKE 'INSERT INTO ingest_position%'"))
                .as("the waiting transaction has written taps").isEqualTo(1);
            assertThat(query(jdbcUrl, "SELECT count(*) FROM taps")).as("nothing committed yet").isZero();

            killEveryPostgresProcess(pgDir, pg);
            awaitTrue("the ingester reports the dead database", 30_000, () -> ingester.failing() != null);
            assertThat(ingester.storedIndex()).as("no batch committed").isEqualTo(-1);
            try
            {
                blocker.close();
            }
            catch (final SQLException ex)
            {
                // its server is gone
            }

            pg = EmbeddedDatabase.start(pgDir, port);
            awaitTrue("every batch ingested after recovery", 60_000, () ->
                query(jdbcUrl, "SELECT coalesce(max(entries), 0) FROM ingest_position") == taps);
            awaitTrue("the ingester healthy again", 10_000, () -> ingester.failing() == null);

            assertThat(queryAnswered(jdbcUrl, "SELECT count(*) FROM taps")).isEqualTo(taps);
            assertThat(queryAnswered(jdbcUrl, "SELECT count(DISTINCT receipt) FROM taps")).isEqualTo(taps);
            assertThat(queryAnswered(jdbcUrl, "SELECT min(receipt) FROM taps")).isEqualTo(1);
            assertThat(queryAnswered(jdbcUrl, "SELECT max(receipt) FROM taps")).isEqualTo(taps);
            assertThat(ingester.ingestedCount()).as("each tap inserted once").isEqualTo(taps);
            // the rollups of the interrupted batch were rolled back with it, and applied once with its retry
            assertThat(queryAnswered(jdbcUrl, "SELECT sum(taps) FROM tap_day_rollup")).isEqualTo(taps);
            assertThat(queryAnswered(jdbcUrl, "SELECT sum(quantity) FROM tap_day_rollup")).isEqualTo(quantity);
            assertThat(queryAnswered(jdbcUrl, "SELECT sum(persons) FROM tap_day_rollup")).isEqualTo(taps);
            // every column of every rollup row as a rebuild from the stored taps gives it (V75's set-based recount)
            assertThat(RollupsCheck.rowsDifferingFromARebuild(jdbcUrl)).isZero();
            assertThat(ingester.rollupHolderRows()).as("the ingester's bookkeeping: one holder row per tap").isEqualTo(taps);
            assertThat(queryAnswered(jdbcUrl, "SELECT count(*) FROM tap_day_holder")).as("kept by the ingester, not in " +
                "PostgreSQL").isZero();
            assertThat(registry.get("tapswitch_admin_ingested").counter().count()).isEqualTo((double)taps);
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
            // releases the embedded server's lock on its directory; the server is gone already
            pg.close();
        }
        catch (final RuntimeException ex)
        {
            // nothing left to stop
        }
    }

    /**
     * @return the query's single number; -1 while the server cannot be reached (08xxx, 57P0x: down, starting, in
     * recovery), which the waits above poll through. Any other error fails the test with PostgreSQL's message.
     */
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

    /** A value read once the server answers (a check after recovery; a connection refused once is not a result). */
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
        b.putLong(JournalRecord.HOLDER_ID_OFFSET, 1_000_000 + seq, LE);
        b.putInt(JournalRecord.PROGRAM_ID_OFFSET, 1, LE);
        b.putShort(JournalRecord.TAP_QUANTITY_OFFSET, (short)quantity, LE);
        b.putByte(JournalRecord.DECISION_OFFSET, (byte)0);
        b.putInt(JournalRecord.REMAINING_OFFSET, 2, LE);
        writer.append(JournalRecord.TAP_LENGTH);
    }
}
