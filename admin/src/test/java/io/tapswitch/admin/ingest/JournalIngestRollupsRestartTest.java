package io.tapswitch.admin.ingest;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tapswitch.admin.TestJournalWriter;
import io.tapswitch.admin.TestPostgres;
import io.tapswitch.admin.db.Database;
import io.tapswitch.admin.db.EmbeddedDatabase;
import io.tapswitch.formats.Queues;
import io.tapswitch.formats.journal.JournalEncoder;
import io.tapswitch.formats.journal.JournalRecord;
import io.tapswitch.protocol.Decision;
import io.vertx.pgclient.PgConnectOptions;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static io.tapswitch.admin.AdminHarness.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ingester keeps the rollups' per-holder and per-household bookkeeping in its memory (issue 14, V83) and builds it
 * from the stored taps at start: an admin restart in the middle of the days' taps, with another number of streams,
 * counts nobody twice and misses nobody. Holders share households (some have none, some are not registered); taps are
 * approved, declined, recorded offline (counted on the day they were served), and reversed — on the day after the
 * restart too, taking back persons and households counted before it. After each ingester, every column of every
 * rollup row equals a recount from the taps ({@link RollupsCheck}); a hand-counted row pins the households; and reading
 * the whole journal again (position lost) changes nothing.
 */
class JournalIngestRollupsRestartTest
{
    /** 2026-03-02 10:00 UTC (12:00 in Kyiv). */
    private static final long DAY0_MS = 1_772_445_600_000L;
    private static final long DAY_MS = 86_400_000L;
    private static final int PER_EXCERPT = 64;

    @TempDir
    Path dir;

    private record Handed(long receipt, long holder, int outlet, int program, int quantity, long timeMs)
    {
    }

    private final List<Handed> handed = new ArrayList<>();
    private long receipt;
    private int inExcerpt;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldCountEveryPersonAndHouseholdOnceAcrossARestartAndARereading() throws Exception
    {
        final String url = TestPostgres.newDatabase();
        Database.migrate(PgConnectOptions.fromUri(url));
        final String jdbcUrl = "jdbc:" + url.replace("postgres@", "");
        try (Connection conn = DriverManager.getConnection(jdbcUrl, EmbeddedDatabase.USER, null);
            Statement s = conn.createStatement())
        {
            s.execute("INSERT INTO households (id, address, created_at, updated_at) " +
                "SELECT h, 'вул. ' || h, now(), now() FROM generate_series(1, 20) h");
            // holders 1–45: three per household; 46–60 registered without one; 61–80 not registered
            s.execute("INSERT INTO cardholders (id, household_id, family_name, given_name, created_at, updated_at) " +
                "SELECT c, CASE WHEN c <= 45 THEN 1 + (c - 1) / 3 END, 'П' || c, 'І', now(), now() " +
                "FROM generate_series(1, 60) c");
        }
        final long seed = System.nanoTime();
        System.out.println("JournalIngestRollupsRestartTest seed " + seed);
        final SplittableRandom random = new SplittableRandom(seed);
        final Path switchDir = dir.resolve("switch");

        // before the restart: household 1's holder 1 at outlet 9 on day 5, and 1 500 taps over days 0–2
        append(switchDir, w ->
        {
            tap(w, 1, 9, 1, 2, Decision.APPROVED, DAY0_MS + 5 * DAY_MS, 0);
            handed.removeIf(h -> h.outlet() == 9); // the hand-counted row: no random reversal in it
            traffic(w, random, 1_500);
        });
        final long first = receipt;
        ingest(jdbcUrl, switchDir, 2, first, false);

        // after it: holder 1's tap reversed, holder 2 (the same household) and holder 61 (no registration) reached;
        // 1 500 more taps over the same days, with reversals of taps stored before the restart
        append(switchDir, w ->
        {
            reversal(w, 1, 9, 1, 2, DAY0_MS + 5 * DAY_MS + 60_000);
            tap(w, 2, 9, 1, 1, Decision.APPROVED, DAY0_MS + 5 * DAY_MS + 120_000, 0);
            tap(w, 61, 9, 1, 1, Decision.APPROVED, DAY0_MS + 5 * DAY_MS + 180_000, 0);
            handed.removeIf(h -> h.outlet() == 9); // the hand-counted row: no random reversal in it
            traffic(w, random, 1_500);
        });
        final JournalIngester second = ingest(jdbcUrl, switchDir, 3, receipt, false);
        assertThat(second.ingestedCount()).isEqualTo(receipt - first);
        assertThat(row(jdbcUrl, "SELECT taps, reversals, quantity, persons, households FROM tap_day_rollup " +
            "WHERE day = '2026-03-07' AND program_id = 1 AND outlet_id = 9"))
            .as("holder 1 taken back; holder 2 reached household 1 again, holder 61 a household of one")
            .isEqualTo("3|1|2|2|2|");
        assertThat(TestPostgres.execute(url, "UPDATE ingest_position SET queue_index = -1")).isNull();
        final JournalIngester third = ingest(jdbcUrl, switchDir, 1, receipt, true);
        assertThat(third.ingestedCount()).as("every receipt found stored").isZero();
        assertThat(third.rollupHolderRows()).isEqualTo(query(jdbcUrl, "SELECT count(*) FROM (SELECT DISTINCT " +
            "((CASE WHEN offline AND terminal_time IS NOT NULL THEN terminal_time ELSE decided_at END) AT TIME ZONE " +
            "'Europe/Kyiv')::date, program_id, outlet_id, holder_id FROM taps WHERE (type = 'TAP' AND decision <> " +
            "'DECLINED') OR (type = 'REVERSAL' AND decision = 'APPROVED')) r"));
        assertThat(query(jdbcUrl, "SELECT count(*) FROM tap_day_rollup WHERE households < persons"))
            .as("rows where two members of one household were reached").isPositive();
        assertThat(query(jdbcUrl, "SELECT count(*) FROM tap_day_rollup WHERE reversals > 0")).isPositive();
    }

    /** Runs an ingester until it stored every receipt up to {@code last}, checks the rollups, and closes it. */
    private JournalIngester ingest(final String jdbcUrl, final Path switchDir, final int streams, final long last,
        final boolean reread) throws Exception
    {
        final JournalIngester ingester = new JournalIngester(() -> DriverManager.getConnection(jdbcUrl,
            EmbeddedDatabase.USER, null), switchDir, Clock.systemUTC(), 100, streams, 10, new SimpleMeterRegistry());
        try
        {
            ingester.start();
            awaitTrue("all taps stored by " + streams + " stream(s)", 60_000, () ->
                query(jdbcUrl, "SELECT count(*) FROM taps") == last && ingester.failing() == null &&
                    ingester.lagEntries() == 0 && (!reread || query(jdbcUrl,
                    "SELECT min(queue_index) FROM ingest_position") == ingester.storedIndex() && ingester.storedIndex() >= 0));
            assertThat(query(jdbcUrl, "SELECT max(receipt) FROM taps")).isEqualTo(last);
            assertThat(RollupsCheck.rowsDifferingFromARebuild(jdbcUrl)).as("rollup rows differing from a recount")
                .isZero();
            return ingester;
        }
        finally
        {
            ingester.close();
        }
    }

    /** {@code count} records over days 0–2 at outlets 1–3, programs 1–2, holders 1–80. */
    private void traffic(final TestJournalWriter w, final SplittableRandom random, final int count)
    {
        for (int n = 0; n < count; n++)
        {
            final long time = DAY0_MS + random.nextLong(0, 3 * DAY_MS);
            final int kind = random.nextInt(100);
            if (kind < 8 && !handed.isEmpty())
            {
                final Handed h = handed.remove(random.nextInt(handed.size()));
                reversal(w, h.holder(), h.outlet(), h.program(), h.quantity(), Math.max(time, h.timeMs() + 1));
                continue;
            }
            final long holder = 1 + random.nextInt(80);
            final int outlet = 1 + random.nextInt(3);
            final int program = 1 + random.nextInt(2);
            final int quantity = 1 + random.nextInt(3);
            if (kind < 20)
            {
                tap(w, holder, outlet, program, quantity, Decision.DECLINED, time, 0);
            }
            else if (kind < 32)
            {
                // an offline tap served up to two days before it reached the switch: counts on the day it was served
                tap(w, holder, outlet, program, quantity, Decision.RECORDED, time, time - random.nextLong(0, 2 * DAY_MS));
            }
            else
            {
                tap(w, holder, outlet, program, quantity, Decision.APPROVED, time, 0);
            }
        }
    }

    private void tap(final TestJournalWriter w, final long holder, final int outlet, final int program,
        final int quantity, final int decision, final long timeMs, final long servedMs)
    {
        receipt++;
        JournalEncoder.tap(w.buffer(), receipt, timeMs, 1, (int)receipt, outlet, holder, holder, program, program,
            quantity, servedMs == 0 ? 0 : 1, decision, 0, 5, decision == Decision.DECLINED ? 0 : quantity, servedMs);
        w.append(JournalRecord.TAP_LENGTH);
        if (decision == Decision.APPROVED)
        {
            handed.add(new Handed(receipt, holder, outlet, program, quantity, timeMs));
        }
        excerptEnd(w);
    }

    private void reversal(final TestJournalWriter w, final long holder, final int outlet, final int program,
        final int quantity, final long timeMs)
    {
        receipt++;
        JournalEncoder.reversal(w.buffer(), receipt, timeMs, 1, (int)receipt, outlet, holder, holder, 0, program,
            quantity, Decision.APPROVED, 0, 5, receipt - 1);
        w.append(JournalRecord.REVERSAL_LENGTH);
        excerptEnd(w);
    }

    private void excerptEnd(final TestJournalWriter w)
    {
        // excerpts of 64 records, as the switch writes them under load
        if (++inExcerpt == PER_EXCERPT)
        {
            w.endBatch();
            w.beginBatch();
            inExcerpt = 0;
        }
    }

    private interface Records
    {
        void write(TestJournalWriter writer);
    }

    private void append(final Path switchDir, final Records records)
    {
        try (SingleChronicleQueue queue = Queues.open(Queues.journalDir(switchDir));
            TestJournalWriter writer = new TestJournalWriter(queue))
        {
            writer.beginBatch();
            records.write(writer);
            writer.endBatch();
        }
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
