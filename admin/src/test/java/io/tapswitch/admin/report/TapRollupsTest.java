package io.tapswitch.admin.report;

import java.io.StringReader;
import java.sql.Connection;
import java.sql.DriverManager;
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

import io.tapswitch.admin.TestPostgres;
import io.tapswitch.admin.db.Database;
import io.tapswitch.admin.db.EmbeddedDatabase;
import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rollups the aid and meals reports read ({@code V75__tap_rollups.sql}) give exactly what the scan of the taps
 * gave ({@link TapReportSql#AID_SCAN}, {@link TapReportSql#MEALS_SCAN}) on a built stretch of days: thousands of taps
 * of 210 holders (most in shared households, some without one, some not registered at all) at aid points and canteens,
 * written by several COPY batches and single INSERTs as the ingester and others write them; APPROVED, RECORDED
 * offline taps served the evening before, DECLINED taps; reversals the same day and the next (some of them taking a
 * holder's only tap back, after which the holder taps again), declined reversals; taps near midnight in the city zone;
 * a replay of stored receipts ({@code ON CONFLICT DO NOTHING}) that must change nothing; and a change of the city
 * zone, which rebuilds the rollups.
 */
class TapRollupsTest
{
    private static final ZoneId KYIV = ZoneId.of("Europe/Kyiv");
    private static final LocalDate FROM = LocalDate.parse("2026-02-27");
    private static final LocalDate TO = LocalDate.parse("2026-03-08");
    private static final int[] AID_OUTLETS = {1, 2};
    private static final int[] CANTEENS = {6, 7, 8};

    private record Tap(long receipt, String type, Instant decidedAt, Instant servedAt, int outlet, long holder,
        int program, int quantity, String decision)
    {
        boolean handedOut()
        {
            return "TAP".equals(type) && ("APPROVED".equals(decision) || "RECORDED".equals(decision));
        }
    }

    @Test
    void shouldGiveTheReportsOfTheScanAcrossBatchesReversalsReplaysAndAZoneChange() throws Exception
    {
        final String url = TestPostgres.newDatabase();
        final PgConnectOptions options = PgConnectOptions.fromUri(url);
        Database.migrate(options);
        final String jdbc = "jdbc:" + url.replace("postgres@", "");
        final long seed = System.nanoTime();
        System.out.println("TapRollupsTest seed " + seed);
        final Random random = new Random(seed);
        try (Connection conn = DriverManager.getConnection(jdbc, EmbeddedDatabase.USER, null))
        {
            registry(conn);
            final List<Tap> handed = new ArrayList<>();
            long receipt = 0;
            for (int batch = 0; batch < 8; batch++)
            {
                final List<Tap> taps = new ArrayList<>();
                final int size = batch % 3 == 2 ? 1 : 700 + random.nextInt(300);
                for (int i = 0; i < size; i++)
                {
                    final Tap tap = random.nextInt(8) == 0 && !handed.isEmpty() ?
                        reversal(++receipt, handed.remove(random.nextInt(handed.size())), random) : tap(++receipt, random);
                    taps.add(tap);
                    if (tap.handedOut())
                    {
                        handed.add(tap);
                    }
                }
                if (size == 1)
                {
                    insertOne(conn, taps.get(0));
                }
                else
                {
                    copy(conn, taps);
                }
            }
            assertThat(count(conn, "SELECT count(*) FROM taps WHERE type = 'REVERSAL'")).isGreaterThan(100);
            assertThat(count(conn, "SELECT count(*) FROM tap_day_rollup")).isGreaterThan(50);
            assertThat(count(conn, "SELECT count(*) FROM tap_day_rollup WHERE households < persons"))
                .as("rows where members of one household were reached").isPositive();
            assertSameAsScan(conn, KYIV);

            // a replay of stored receipts (the ingester's path for a journal read again) inserts nothing
            try (Statement statement = conn.createStatement())
            {
                statement.execute("INSERT INTO taps SELECT * FROM taps WHERE receipt % 3 = 0 ON CONFLICT (receipt) DO NOTHING");
            }
            assertSameAsScan(conn, KYIV);

            Database.alignRollupZone(options, ZoneId.of("UTC"));
            assertThat(setting(conn)).isEqualTo("UTC");
            assertSameAsScan(conn, ZoneId.of("UTC"));
            copy(conn, List.of(tap(++receipt, random), tap(++receipt, random)));
            assertSameAsScan(conn, ZoneId.of("UTC"));
            Database.alignRollupZone(options, KYIV);
            assertSameAsScan(conn, KYIV);
        }
    }

    private static void registry(final Connection conn) throws SQLException
    {
        try (Statement s = conn.createStatement())
        {
            s.execute("INSERT INTO institutions (id, name, kind, created_at, updated_at) VALUES " +
                "(10, 'Соцзахист', 'SOCIAL_SERVICE', now(), now()), (11, 'Ліцей № 1', 'SCHOOL', now(), now()), " +
                "(12, 'Гімназія № 2', 'SCHOOL', now(), now())");
            s.execute("INSERT INTO programs (id, name, kind, funding, donor, unit, period, quota, created_at, updated_at) VALUES " +
                "(1, 'Продуктовий набір', 'AID', 'CITY_BUDGET', NULL, 'HOUSEHOLD', 'MONTH', 1, now(), now()), " +
                "(2, 'Гігієнічний набір', 'AID', 'DONOR', 'Demo Donor', 'PERSON', 'MONTH', 2, now(), now()), " +
                "(3, 'Обід', 'MEAL', 'CITY_BUDGET', NULL, 'PERSON', 'DAY', 1, now(), now()), " +
                "(4, 'Сніданок', 'MEAL', 'CITY_BUDGET', NULL, 'PERSON', 'DAY', 1, now(), now())");
            s.execute("INSERT INTO outlets (id, institution_id, name, kind, created_at, updated_at) VALUES " +
                "(1, 10, 'Пункт видачі 1', 'DISTRIBUTION_POINT', now(), now()), " +
                "(2, 10, 'Пункт видачі 2', 'DISTRIBUTION_POINT', now(), now()), " +
                "(6, 11, 'Їдальня ліцею № 1', 'CANTEEN', now(), now()), " +
                "(7, 12, 'Їдальня гімназії № 2', 'CANTEEN', now(), now()), " +
                "(8, NULL, 'Їдальня без закладу', 'CANTEEN', now(), now())");
            s.execute("INSERT INTO households (id, address, created_at, updated_at) " +
                "SELECT h, 'вул. ' || h, now(), now() FROM generate_series(1, 40) h");
            // holders 1–200: two of three in one of 40 households, the third alone; 201–210 not registered
            s.execute("INSERT INTO cardholders (id, household_id, family_name, given_name, created_at, updated_at) " +
                "SELECT c, CASE WHEN c % 3 = 0 THEN NULL ELSE 1 + c % 40 END, 'П' || c, 'І', now(), now() " +
                "FROM generate_series(1, 200) c");
        }
    }

    private static Tap tap(final long receipt, final Random random)
    {
        final boolean meal = random.nextBoolean();
        final int program = meal ? 3 + random.nextInt(2) : 1 + random.nextInt(2);
        final int outlet = meal ? CANTEENS[random.nextInt(CANTEENS.length)] : AID_OUTLETS[random.nextInt(2)];
        // 28 Feb – 6 Mar, every hour of the day (taps near midnight fall on another day in UTC)
        final Instant decided = LocalDateTime.parse("2026-02-28T00:00").plusMinutes(random.nextInt(7 * 24 * 60))
            .atZone(KYIV).toInstant();
        final int roll = random.nextInt(10);
        final boolean offline = roll >= 7;
        final String decision = offline ? (roll == 9 ? "RECORDED" : "APPROVED") : (roll < 6 ? "APPROVED" : "DECLINED");
        final Instant served = offline ? decided.minusSeconds(60L * random.nextInt(30 * 60)) : null;
        return new Tap(receipt, "TAP", decided, served, outlet, 1 + random.nextInt(210), program, 1 + random.nextInt(3),
            decision);
    }

    private static Tap reversal(final long receipt, final Tap original, final Random random)
    {
        return new Tap(receipt, "REVERSAL", original.decidedAt().plusSeconds(60L + random.nextInt(26 * 3600)), null,
            original.outlet(), original.holder(), original.program(), original.quantity(),
            random.nextInt(10) == 0 ? "DECLINED" : "APPROVED");
    }

    private static void copy(final Connection conn, final List<Tap> taps) throws Exception
    {
        final StringBuilder text = new StringBuilder();
        for (final Tap t : taps)
        {
            text.append(t.receipt()).append('\t').append(t.type()).append('\t').append(t.decidedAt()).append("\t1\t")
                .append(t.outlet()).append('\t').append(t.receipt()).append('\t').append(t.holder()).append('\t')
                .append(t.holder()).append('\t').append(t.program()).append('\t').append(t.quantity()).append('\t')
                .append(t.servedAt() != null ? "t" : "f").append('\t')
                .append(t.servedAt() != null ? t.servedAt().toString() : "\\N").append('\t').append(t.decision())
                .append("\tNONE\t0\t").append(t.receipt()).append('\n');
        }
        conn.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY taps (receipt, type, decided_at, terminal_id, outlet_id, " +
            "correlation, card_id, holder_id, program_id, quantity, offline, terminal_time, decision, reason, remaining, " +
            "journal_index) FROM STDIN", new StringReader(text.toString()));
    }

    private static void insertOne(final Connection conn, final Tap t) throws SQLException
    {
        try (var insert = conn.prepareStatement("INSERT INTO taps (receipt, type, decided_at, terminal_id, outlet_id, " +
            "correlation, card_id, holder_id, program_id, quantity, offline, terminal_time, decision, reason, remaining, " +
            "journal_index) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'NONE', 0, ?)"))
        {
            insert.setLong(1, t.receipt());
            insert.setString(2, t.type());
            insert.setObject(3, t.decidedAt().atOffset(java.time.ZoneOffset.UTC));
            insert.setInt(4, t.outlet());
            insert.setLong(5, t.receipt());
            insert.setLong(6, t.holder());
            insert.setLong(7, t.holder());
            insert.setInt(8, t.program());
            insert.setInt(9, t.quantity());
            insert.setBoolean(10, t.servedAt() != null);
            insert.setObject(11, t.servedAt() == null ? null : t.servedAt().atOffset(java.time.ZoneOffset.UTC));
            insert.setString(12, t.decision());
            insert.setLong(13, t.receipt());
            insert.executeUpdate();
        }
    }

    private static void assertSameAsScan(final Connection conn, final ZoneId zone) throws SQLException
    {
        final List<String> aid = rows(conn, TapReportSql.withLiterals(TapReportSql.AID, FROM, TO, zone));
        assertThat(aid).as("aid rows").hasSizeGreaterThan(20)
            .containsExactlyElementsOf(rows(conn, TapReportSql.withLiterals(TapReportSql.AID_SCAN, FROM, TO, zone)));
        final List<String> meals = rows(conn, TapReportSql.withLiterals(TapReportSql.MEALS, FROM, TO, zone));
        assertThat(meals).as("meals rows").hasSizeGreaterThan(20)
            .containsExactlyElementsOf(rows(conn, TapReportSql.withLiterals(TapReportSql.MEALS_SCAN, FROM, TO, zone)));
        // a narrower range: the same rows of those days
        final LocalDate day = LocalDate.parse("2026-03-02");
        assertThat(rows(conn, TapReportSql.withLiterals(TapReportSql.AID, day, day, zone)))
            .isNotEmpty()
            .containsExactlyElementsOf(rows(conn, TapReportSql.withLiterals(TapReportSql.AID_SCAN, day, day, zone)));
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

    private static String setting(final Connection conn) throws SQLException
    {
        try (Statement statement = conn.createStatement();
            ResultSet rs = statement.executeQuery("SELECT city_zone FROM tap_rollup_settings"))
        {
            rs.next();
            return rs.getString(1);
        }
    }
}
