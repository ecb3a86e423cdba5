package io.tapswitch.admin.report;

import java.io.StringReader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.tapswitch.admin.db.Database;
import io.tapswitch.admin.workflow.WorkflowHarness;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.PGConnection;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The people-reached report (whole months from {@code tap_month_holder}, the other days from their taps), the
 * offline-exceptions report (the offline taps' served-time index) and {@code GET /taps?from=&to=} (hour by hour) give
 * exactly what a straightforward scan of the taps gives ({@link TapReportSql#PEOPLE_REACHED_SCAN},
 * {@link TapReportSql#OFFLINE_EXCEPTIONS_SCAN}, the taps in receipt order filtered by time): thousands of random taps
 * from 20 February to 10 April (a DST change on 29 March in Kyiv) of 210 holders (some sharing households, some
 * without one, some not registered), written by COPY batches and single INSERTs; offline taps served up to two days
 * before their decision (across midnight and month ends); reversals the same day, the next day and across a month end;
 * a replay of stored receipts; a change of the city zone and back. Ranges: whole months, whole months with partial
 * ends, one partial month, single days, a range ending before the taps start.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReportsAgainstScanTest
{
    private static final ZoneId KYIV = ZoneId.of("Europe/Kyiv");
    private static final String[][] RANGES = {
        {"2026-03-01", "2026-03-31"}, {"2026-03-01", "2026-04-30"}, {"2026-02-01", "2026-04-30"},
        {"2026-02-25", "2026-04-03"}, {"2026-02-27", "2026-03-31"}, {"2026-03-01", "2026-04-05"},
        {"2026-03-10", "2026-03-20"}, {"2026-03-29", "2026-03-29"}, {"2026-02-28", "2026-03-01"},
        {"2026-03-01", "2026-03-30"}, {"2026-02-28", "2026-04-29"}, {"2026-01-01", "2026-01-31"},
        {"2026-04-10", "2026-06-30"}};

    private record Tap(long receipt, String type, Instant decidedAt, Instant servedAt, boolean offline, int outlet,
        long holder, int program, int quantity, String decision)
    {
        boolean handedOut()
        {
            return "TAP".equals(type) && ("APPROVED".equals(decision) || "RECORDED".equals(decision));
        }
    }

    private WorkflowHarness admin;
    private Random random;
    private long receipt;

    @BeforeAll
    void start(@TempDir final Path dir) throws Exception
    {
        admin = new WorkflowHarness(dir, Instant.parse("2026-05-01T08:00:00Z"), new JsonObject());
        final long seed = System.nanoTime();
        System.out.println("ReportsAgainstScanTest seed " + seed);
        random = new Random(seed);
        try (Connection conn = admin.service.database().jdbcConnection())
        {
            registry(conn);
            final List<Tap> handed = new ArrayList<>();
            for (int batch = 0; batch < 10; batch++)
            {
                final List<Tap> taps = new ArrayList<>();
                final int size = batch % 4 == 3 ? 1 : 500 + random.nextInt(300);
                for (int i = 0; i < size; i++)
                {
                    final Tap tap = random.nextInt(7) == 0 && !handed.isEmpty() ?
                        reversal(handed.remove(random.nextInt(handed.size()))) : tap();
                    taps.add(tap);
                    if (tap.handedOut())
                    {
                        handed.add(tap);
                    }
                }
                write(conn, taps, size == 1);
            }
        }
    }

    @AfterAll
    void stop() throws Exception
    {
        if (null != admin)
        {
            admin.close();
        }
    }

    @Test
    void shouldGiveTheScansRowsThroughBatchesAReplayAndZoneChanges() throws Exception
    {
        try (Connection conn = admin.service.database().jdbcConnection())
        {
            assertThat(count(conn, "SELECT count(*) FROM taps WHERE type = 'REVERSAL' AND decision = 'APPROVED'")).isGreaterThan(300);
            assertThat(count(conn, "SELECT count(*) FROM taps WHERE offline AND (terminal_time AT TIME ZONE 'Europe/Kyiv')::date " +
                "< (decided_at AT TIME ZONE 'Europe/Kyiv')::date")).as("offline taps served on an earlier day").isGreaterThan(50);
            assertThat(count(conn, "SELECT count(*) FROM tap_month_holder WHERE quantity <= 0"))
                .as("holders whose taps in a month were all taken back").isPositive();
            assertSameAsScan(conn, KYIV, true);

            // a replay of stored receipts inserts nothing and changes nothing
            try (Statement statement = conn.createStatement())
            {
                statement.execute("INSERT INTO taps SELECT * FROM taps WHERE receipt % 3 = 0 ON CONFLICT (receipt) DO NOTHING");
            }
            assertSameAsScan(conn, KYIV, false);

            // a city-zone change rebuilds the month rows in the new zone; new taps land in it
            final PgConnectOptions options = admin.service.database().options();
            Database.alignRollupZone(options, ZoneId.of("America/New_York"));
            assertSameAsScan(conn, ZoneId.of("America/New_York"), false);
            final List<Tap> more = new ArrayList<>();
            for (int i = 0; i < 300; i++)
            {
                more.add(tap());
            }
            write(conn, more, false);
            assertSameAsScan(conn, ZoneId.of("America/New_York"), false);
            Database.alignRollupZone(options, KYIV);
            assertSameAsScan(conn, KYIV, false);
        }
    }

    @Test
    void shouldPageTheTapsOfATimeRangeAsTheScanOrdersThem() throws Exception
    {
        try (Connection conn = admin.service.database().jdbcConnection())
        {
            final String[][] queries = {
                {"from=2026-03-01T00:00:00Z&to=2026-03-08T00:00:00Z", "decided_at >= '2026-03-01T00:00:00Z' AND decided_at < '2026-03-08T00:00:00Z'"},
                {"from=2026-03-28T22:30:00Z&to=2026-03-29T03:15:00Z", "decided_at >= '2026-03-28T22:30:00Z' AND decided_at < '2026-03-29T03:15:00Z'"},
                {"from=2026-04-05T12:00:00Z", "decided_at >= '2026-04-05T12:00:00Z'"},
                {"from=2025-01-01T00:00:00Z&to=2026-02-22T00:00:00Z", "decided_at < '2026-02-22T00:00:00Z'"},
                {"from=2026-03-10T00:00:00Z&to=2026-03-20T00:00:00Z&outletId=6", "outlet_id = 6 AND decided_at >= '2026-03-10T00:00:00Z' AND decided_at < '2026-03-20T00:00:00Z'"},
                {"from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z&decision=RECORDED&programId=3", "decision = 'RECORDED' AND program_id = 3 AND decided_at >= '2026-03-01T00:00:00Z' AND decided_at < '2026-04-01T00:00:00Z'"},
                {"from=2026-03-01T00:00:00Z&to=2026-03-03T00:00:00Z&holderId=17", "holder_id = 17 AND decided_at >= '2026-03-01T00:00:00Z' AND decided_at < '2026-03-03T00:00:00Z'"},
                {"from=2026-05-01T00:00:00Z", "false"},
                {"from=2026-03-05T00:00:00Z&to=2026-03-04T00:00:00Z", "false"}};
            for (final String[] q : queries)
            {
                final List<Long> expected = new ArrayList<>();
                try (Statement statement = conn.createStatement();
                    ResultSet rs = statement.executeQuery("SELECT receipt FROM taps WHERE " + q[1] + " ORDER BY receipt"))
                {
                    while (rs.next())
                    {
                        expected.add(rs.getLong(1));
                    }
                }
                final List<Long> paged = new ArrayList<>();
                String cursor = null;
                int pages = 0;
                do
                {
                    final WorkflowHarness.Reply reply = admin.get(WorkflowHarness.AUDITOR, "/api/v1/taps?limit=37&" + q[0] +
                        (cursor == null ? "" : "&cursor=" + cursor));
                    assertThat(reply.status()).as(q[0] + ": " + reply.text()).isEqualTo(200);
                    final JsonArray items = reply.json().getJsonArray("items");
                    for (final Object item : items)
                    {
                        paged.add(((JsonObject)item).getLong("receipt"));
                    }
                    cursor = reply.json().getString("nextCursor");
                    pages++;
                }
                while (cursor != null && pages < 1000);
                assertThat(paged).as(q[0]).containsExactlyElementsOf(expected);
                if (!"false".equals(q[1]) && !q[0].contains("holderId"))
                {
                    assertThat(expected).as(q[0]).hasSizeGreaterThan(5);
                }
            }
        }
    }

    private void assertSameAsScan(final Connection conn, final ZoneId zone, final boolean viaApi) throws Exception
    {
        int nonEmpty = 0;
        for (final String[] range : RANGES)
        {
            final LocalDate from = LocalDate.parse(range[0]);
            final LocalDate to = LocalDate.parse(range[1]);
            final List<String> reached = rows(conn, TapReportSql.withLiterals(TapReportSql.PEOPLE_REACHED, from, to, zone));
            assertThat(reached).as("people reached " + from + ".." + to + " in " + zone)
                .containsExactlyElementsOf(rows(conn, TapReportSql.withLiterals(TapReportSql.PEOPLE_REACHED_SCAN, from, to, zone)));
            final List<String> offline = rows(conn, TapReportSql.withLiterals(TapReportSql.OFFLINE_EXCEPTIONS, from, to, zone));
            assertThat(offline).as("offline exceptions " + from + ".." + to + " in " + zone)
                .containsExactlyElementsOf(rows(conn, TapReportSql.withLiterals(TapReportSql.OFFLINE_EXCEPTIONS_SCAN, from, to, zone)));
            nonEmpty += reached.isEmpty() || offline.isEmpty() ? 0 : 1;
            if (viaApi && zone.equals(KYIV))
            {
                final WorkflowHarness.Reply reply = admin.get(WorkflowHarness.AUDITOR,
                    "/api/v1/reports/people-reached?from=" + from + "&to=" + to);
                assertThat(reply.status()).as(reply.text()).isEqualTo(200);
                assertThat(reply.json().getJsonArray("rows").size()).as("people reached via REST " + from + ".." + to)
                    .isEqualTo(reached.size());
                final WorkflowHarness.Reply exceptions = admin.get(WorkflowHarness.AUDITOR,
                    "/api/v1/reports/offline-exceptions?from=" + from + "&to=" + to);
                assertThat(exceptions.status()).as(exceptions.text()).isEqualTo(200);
                assertThat(exceptions.json().getJsonArray("rows").size()).isEqualTo(offline.size());
            }
        }
        assertThat(nonEmpty).as("ranges with rows").isGreaterThanOrEqualTo(8);
    }

    private static void registry(final Connection conn) throws SQLException
    {
        try (Statement s = conn.createStatement())
        {
            s.execute("INSERT INTO institutions (id, name, kind, created_at, updated_at) VALUES " +
                "(10, 'Соцзахист', 'SOCIAL_SERVICE', now(), now()), (11, 'Ліцей № 1', 'SCHOOL', now(), now())");
            s.execute("INSERT INTO programs (id, name, kind, funding, donor, unit, period, quota, created_at, updated_at) VALUES " +
                "(1, 'Продуктовий набір', 'AID', 'CITY_BUDGET', NULL, 'HOUSEHOLD', 'MONTH', 1, now(), now()), " +
                "(2, 'Гігієнічний набір', 'AID', 'DONOR', 'Demo Donor', 'PERSON', 'MONTH', 2, now(), now()), " +
                "(3, 'Обід', 'MEAL', 'CITY_BUDGET', NULL, 'PERSON', 'DAY', 1, now(), now()), " +
                "(4, 'Сніданок', 'MEAL', 'DONOR', 'Demo Donor', 'PERSON', 'DAY', 1, now(), now())");
            s.execute("INSERT INTO outlets (id, institution_id, name, kind, created_at, updated_at) VALUES " +
                "(1, 10, 'Пункт видачі 1', 'DISTRIBUTION_POINT', now(), now()), " +
                "(2, 10, 'Пункт видачі 2', 'DISTRIBUTION_POINT', now(), now()), " +
                "(6, 11, 'Їдальня ліцею № 1', 'CANTEEN', now(), now()), " +
                "(7, NULL, 'Їдальня без закладу', 'CANTEEN', now(), now())");
            s.execute("INSERT INTO households (id, address, created_at, updated_at) " +
                "SELECT h, 'вул. ' || h, now(), now() FROM generate_series(1, 40) h");
            // holders 1–200: two of three in one of 40 households, the third alone; 201–210 not registered
            s.execute("INSERT INTO cardholders (id, household_id, family_name, given_name, created_at, updated_at) " +
                "SELECT c, CASE WHEN c % 3 = 0 THEN NULL ELSE 1 + c % 40 END, 'П' || c, 'І', now(), now() " +
                "FROM generate_series(1, 200) c");
        }
    }

    private Tap tap()
    {
        final boolean meal = random.nextBoolean();
        final int program = meal ? 3 + random.nextInt(2) : 1 + random.nextInt(2);
        final int outlet = meal ? 6 + random.nextInt(2) : 1 + random.nextInt(2);
        // 20 Feb – 10 Apr, any minute of the day (near midnight: another day in another zone)
        final Instant decided = LocalDateTime.parse("2026-02-20T00:00").plusMinutes(random.nextInt(49 * 24 * 60))
            .atZone(KYIV).toInstant();
        final int roll = random.nextInt(10);
        final boolean offline = roll >= 7;
        final String decision = offline ? (roll == 9 ? "RECORDED" : "APPROVED") : (roll < 6 ? "APPROVED" : "DECLINED");
        // an offline advice: served up to two days before (some without the terminal's time)
        final Instant served = offline && random.nextInt(8) != 0 ? decided.minusSeconds(60L * random.nextInt(48 * 60)) : null;
        return new Tap(++receipt, "TAP", decided, served, offline, outlet, 1 + random.nextInt(210), program,
            1 + random.nextInt(3), decision);
    }

    private Tap reversal(final Tap original)
    {
        return new Tap(++receipt, "REVERSAL", original.decidedAt().plusSeconds(60L + random.nextInt(30 * 3600)), null, false,
            original.outlet(), original.holder(), original.program(), original.quantity(),
            random.nextInt(10) == 0 ? "DECLINED" : "APPROVED");
    }

    private static void write(final Connection conn, final List<Tap> taps, final boolean oneByOne) throws Exception
    {
        final String columns = "receipt, type, decided_at, terminal_id, outlet_id, correlation, card_id, holder_id, " +
            "program_id, quantity, offline, terminal_time, decision, reason, remaining, journal_index";
        if (oneByOne)
        {
            for (final Tap t : taps)
            {
                try (Statement statement = conn.createStatement())
                {
                    statement.execute("INSERT INTO taps (" + columns + ") VALUES (" + t.receipt() + ", '" + t.type() + "', '" +
                        t.decidedAt() + "', 1, " + t.outlet() + ", " + t.receipt() + ", " + t.holder() + ", " + t.holder() +
                        ", " + t.program() + ", " + t.quantity() + ", " + t.offline() + ", " +
                        (t.servedAt() == null ? "NULL" : "'" + t.servedAt() + "'") + ", '" + t.decision() + "', 'OK', 0, " +
                        t.receipt() + ")");
                }
            }
            return;
        }
        final StringBuilder text = new StringBuilder();
        for (final Tap t : taps)
        {
            text.append(t.receipt()).append('\t').append(t.type()).append('\t').append(t.decidedAt()).append("\t1\t")
                .append(t.outlet()).append('\t').append(t.receipt()).append('\t').append(t.holder()).append('\t')
                .append(t.holder()).append('\t').append(t.program()).append('\t').append(t.quantity()).append('\t')
                .append(t.offline() ? "t" : "f").append('\t')
                .append(t.servedAt() != null ? t.servedAt().toString() : "\\N").append('\t').append(t.decision())
                .append("\tOK\t0\t").append(t.receipt()).append('\n');
        }
        conn.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY taps (" + columns + ") FROM STDIN",
            new StringReader(text.toString()));
    }

    private static List<String> rows(final Connection conn, final String sql) throws SQLException
    {
        final List<String> rows = new ArrayList<>();
        try (Statement statement = conn.createStatement(); ResultSet rs = statement.executeQuery(sql))
        {
            final ResultSetMetaData meta = rs.getMetaData();
            while (rs.next())
            {
                final StringBuilder row = new StringBuilder();
                for (int i = 1; i <= meta.getColumnCount(); i++)
                {
                    row.append(meta.getColumnLabel(i)).append('=').append(rs.getString(i)).append(' ');
                }
                rows.add(row.toString());
            }
        }
        return rows;
    }

    private static long count(final Connection conn, final String sql) throws SQLException
    {
        try (Statement statement = conn.createStatement(); ResultSet rs = statement.executeQuery(sql))
        {
            rs.next();
            return rs.getLong(1);
        }
    }
}
