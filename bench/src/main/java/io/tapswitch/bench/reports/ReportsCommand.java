package io.tapswitch.bench.reports;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import io.tapswitch.admin.AdminConfig;
import io.tapswitch.admin.AdminService;
import io.tapswitch.admin.demo.AdminDemoLoader;
import io.tapswitch.admin.report.TapReportSql;
import io.tapswitch.bench.ingest.IngestCommand;
import io.tapswitch.bench.load.LoadReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./tapswitch bench reports}: the reports over a large month of taps in the admin's own database (embedded
 * PostgreSQL, migrated by the admin as a user runs it). {@code --build} loads the demo registry with {@code --cards}
 * cards, generates the month's {@code --taps} taps inside PostgreSQL ({@link MonthGenerator}; the secondary indexes of
 * {@code taps} dropped for the load and created again after it, the rollup trigger off as the runbook loads taps by
 * hand), then rebuilds the rollups with {@code tap_rollups_rebuild}, the runbook's function. Then, and on every run
 * against a kept {@code --dir}, it starts the admin service on the database and times the reports and the taps API
 * through the REST API (the first request and the median of the others), and with {@code --scan} checks every
 * report's rows against a straightforward scan of the taps.
 */
@Command(
    name = "reports",
    mixinStandardHelpOptions = true,
    description = "The reports and the taps API over a month of --taps taps in the admin's database (built with --build).")
public final class ReportsCommand implements Callable<Integer>
{
    private static final ZoneId CITY = ZoneId.of("Europe/Kyiv");

    @Option(names = "--dir", paramLabel = "DIR", required = true,
        description = "the admin's data directory (its embedded PostgreSQL under DIR/admin/pg); kept")
    private Path dir;

    @Option(names = "--build", description = "build the month in DIR first (DIR must not hold a database yet)")
    private boolean build;

    @Option(names = "--taps", paramLabel = "N", description = "with --build: taps in the month (default: ${DEFAULT-VALUE})")
    private long taps = 50_000_000;

    @Option(names = "--cards", paramLabel = "N", description = "with --build: demo cards (holders) (default: ${DEFAULT-VALUE})")
    private int cards = 500_000;

    @Option(names = "--month", paramLabel = "YYYY-MM", description = "the city month (default: ${DEFAULT-VALUE})")
    private YearMonth month = YearMonth.parse("2026-03");

    @Option(names = "--runs", paramLabel = "N", description = "requests per endpoint (default: ${DEFAULT-VALUE})")
    private int runs = 5;

    @Option(names = "--scan", description = "check each report's rows against a scan of the taps (minutes at 50 M)")
    private boolean scan;

    @Option(names = "--port", paramLabel = "P", description = "the admin's API port (default: ${DEFAULT-VALUE}, any free port)")
    private int port;

    @Option(names = "--out", paramLabel = "DIR", description = "where reports.md goes (default: ${DEFAULT-VALUE})")
    private Path outDir = Path.of("bench", "results", "reports");

    @Override
    public Integer call() throws Exception
    {
        if (runs < 2 || taps < 1000 || cards < 100)
        {
            throw new IllegalArgumentException("--runs must be >= 2, --taps >= 1000, --cards >= 100");
        }
        quietLogs();
        final Path adminDir = dir.resolve("admin");
        final StringBuilder md = doc;
        if (build)
        {
            if (Files.exists(adminDir.resolve("pg")))
            {
                throw new IllegalArgumentException(adminDir.resolve("pg") + " already holds a database: --build needs a new --dir");
            }
            md.append(build(adminDir));
            flush();
        }
        else if (!Files.exists(adminDir.resolve("pg")))
        {
            throw new IllegalArgumentException("no database in " + adminDir + ": build one with --build");
        }
        measure(adminDir);
        flush();
        System.out.println();
        System.out.println(md);
        return 0;
    }

    /** What reports.md says so far: written out after each step, so a run stopped early leaves its figures. */
    private final StringBuilder doc = new StringBuilder("# Reports over a month of taps\n\n");

    private void flush() throws java.io.IOException
    {
        Files.createDirectories(outDir);
        Files.writeString(outDir.resolve("reports.md"), doc.toString(), StandardCharsets.UTF_8);
    }

    private AdminConfig config(final Path adminDir)
    {
        return new AdminConfig().host("127.0.0.1").port(port).metricsPort(-1).dataDir(adminDir)
            .switchDataDir(dir.resolve("switch")).publisherEnabled(false).ingesterEnabled(false).cityZone(CITY).conclude();
    }

    private String build(final Path adminDir) throws Exception
    {
        final StringBuilder md = new StringBuilder("## The build\n\n");
        final String loadBefore = LoadReport.loadAverage();
        final long t0 = System.nanoTime();
        try (Admin admin = Admin.start(config(adminDir)))
        {
            final AdminDemoLoader.Result loaded = AdminDemoLoader.load(admin.service, cards, 2000);
            log("registry: %d demo cards, %d terminals loaded in %d ms", loaded.cards(), loaded.terminals(), loaded.elapsedMs());
        }
        final long registryMs = (System.nanoTime() - t0) / 1_000_000;
        final MonthGenerator generator = new MonthGenerator(month, CITY, taps, cards);
        final Map<String, Long> steps = new LinkedHashMap<>();
        try (Admin admin = Admin.start(config(adminDir)); Connection conn = admin.service.database().jdbcConnection();
            Statement st = conn.createStatement())
        {
            // a bulk load as the runbook's "taps loaded by hand": the secondary indexes dropped and created again after
            // the load (a sort each instead of 50 M random B-tree inserts), the rollup trigger off, then one rebuild
            final Map<String, String> indexes = new LinkedHashMap<>();
            try (ResultSet rs = st.executeQuery("SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = 'taps' " +
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname) ORDER BY i.indexname"))
            {
                while (rs.next())
                {
                    indexes.put(rs.getString(1), rs.getString(2));
                }
            }
            for (final String name : indexes.keySet())
            {
                st.execute("DROP INDEX " + name);
            }
            st.execute("ALTER SYSTEM SET max_wal_size = '4GB'");
            st.execute("SELECT pg_reload_conf()");
            st.execute("SET synchronous_commit = off");
            st.execute("SET session_replication_role = replica");
            long t = System.nanoTime();
            final long chunk = 2_000_000;
            for (long from = 1; from <= taps; from += chunk)
            {
                final long to = Math.min(taps, from + chunk - 1);
                st.execute(generator.insert(from, to));
                log("  taps: %d inserted, %.0f s, load %s", to, (System.nanoTime() - t) / 1e9, LoadReport.loadAverage());
            }
            st.execute("SET session_replication_role = DEFAULT");
            steps.put("insert the taps (primary key only, trigger off)", ms(t));
            t = System.nanoTime();
            st.execute("SET maintenance_work_mem = '1GB'");
            for (final Map.Entry<String, String> index : indexes.entrySet())
            {
                final long ti = System.nanoTime();
                st.execute(index.getValue());
                log("  index %s created in %d ms", index.getKey(), ms(ti));
            }
            steps.put("create the secondary indexes again (" + String.join(", ", indexes.keySet()) + ")", ms(t));
            t = System.nanoTime();
            st.execute("SET work_mem = '1GB'");
            st.execute("SELECT tap_rollups_rebuild('" + CITY.getId() + "')");
            steps.put("rebuild the rollups: `SELECT tap_rollups_rebuild('" + CITY.getId() + "')`", ms(t));
            log("  rollups rebuilt in %d ms", steps.values().stream().reduce((a, b) -> b).orElse(0L));
            t = System.nanoTime();
            st.execute("VACUUM ANALYZE");
            steps.put("VACUUM ANALYZE", ms(t));
            st.execute("ALTER SYSTEM RESET max_wal_size");
            st.execute("SELECT pg_reload_conf()");
            st.execute("CHECKPOINT");
            md.append(String.format(Locale.ROOT, "Started %s; `./tapswitch bench reports --dir %s --build --taps %d --cards %d " +
                    "--month %s`: the demo registry with %d cards and 2 000 terminals in %d ms, then %d taps of %s (%d per city " +
                    "day, 07:00-19:00) generated inside PostgreSQL; load average before %s, after %s.%n%n",
                Instant.now().minusNanos(System.nanoTime() - t0), dir, taps, cards, month, cards, registryMs, taps, month,
                generator.perDay(), loadBefore, LoadReport.loadAverage()));
            md.append("| step | ms |\n|---|---:|\n");
            steps.forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v).append(" |\n"));
            md.append('\n');
        }
        return md.toString();
    }

    private void measure(final Path adminDir) throws Exception
    {
        final LocalDate from = month.atDay(1);
        final LocalDate to = month.atEndOfMonth();
        final StringBuilder md = doc.append("## The reports through the REST API\n\n");
        final long t0 = System.nanoTime();
        try (Admin admin = Admin.start(config(adminDir)))
        {
            final long startMs = ms(t0);
            final String sizes;
            try (Connection conn = admin.service.database().jdbcConnection())
            {
                sizes = String.join("; ", IngestCommand.rows(conn, "SELECT 'taps ' || (SELECT count(*) FROM taps) || ', database ' || " +
                    "pg_size_pretty(pg_database_size(current_database())) || ', taps table with indexes ' || " +
                    "pg_size_pretty(pg_total_relation_size('taps')) || ', tap_day_rollup rows ' || " +
                    "(SELECT count(*) FROM tap_day_rollup)"));
            }
            md.append(String.format(Locale.ROOT, "Started %s; the admin service started on %s in %d ms (Flyway migrations " +
                    "included); %s; each request %d times, the first and the median of the others; load average %s.%n%n",
                Instant.now(), adminDir, startMs, sizes, runs, LoadReport.loadAverage()));
            md.append("| request | rows | first ms | median ms | all ms |\n|---|---:|---:|---:|---|\n");
            final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            final String token = admin.config.generatedToken();
            final LocalDate day = from.plusDays(19);
            final String hourFrom = day.atTime(10, 0).atZone(CITY).toInstant().toString();
            final String hourTo = day.atTime(11, 0).atZone(CITY).toInstant().toString();
            final String dayFrom = day.atStartOfDay(CITY).toInstant().toString();
            final String dayTo = day.plusDays(1).atStartOfDay(CITY).toInstant().toString();
            final String monthFrom = from.atStartOfDay(CITY).toInstant().toString();
            final String monthTo = to.plusDays(1).atStartOfDay(CITY).toInstant().toString();
            final List<String> paths = List.of(
                "/api/v1/reports/aid?from=" + from + "&to=" + to,
                "/api/v1/reports/meals?from=" + from + "&to=" + to,
                "/api/v1/reports/people-reached?from=" + from + "&to=" + to,
                "/api/v1/reports/people-reached?from=" + day + "&to=" + day,
                "/api/v1/reports/offline-exceptions?from=" + day + "&to=" + day,
                "/api/v1/taps?from=" + hourFrom + "&to=" + hourTo,
                "/api/v1/taps?from=" + dayFrom + "&to=" + dayTo + "&limit=500",
                "/api/v1/taps?from=" + monthFrom + "&to=" + monthTo,
                "/api/v1/taps?from=" + dayFrom,
                "/api/v1/taps?from=" + dayFrom + "&to=" + dayTo + "&outletId=3&decision=DECLINED");
            for (final String path : paths)
            {
                final long[] ms = new long[runs];
                int rows = 0;
                for (int i = 0; i < runs; i++)
                {
                    final long t = System.nanoTime();
                    final HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(admin.service.baseUrl() + path))
                        .header("Authorization", "Bearer " + token).timeout(Duration.ofMinutes(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                    ms[i] = (System.nanoTime() - t) / 1_000_000;
                    if (response.statusCode() != 200)
                    {
                        throw new IllegalStateException(path + " answered " + response.statusCode() + ": " + response.body());
                    }
                    final io.vertx.core.json.JsonObject body = new io.vertx.core.json.JsonObject(response.body());
                    rows = body.containsKey("rows") ? body.getJsonArray("rows").size() : body.getJsonArray("items").size();
                }
                final long median = IngestCommand.median(ms);
                md.append(String.format(Locale.ROOT, "| `GET %s` | %d | %d | **%d** | %s |%n", path, rows, ms[0], median,
                    java.util.Arrays.toString(ms)));
                log("%s: %d rows, first %d ms, median %d ms (load %s)", path, rows, ms[0], median, LoadReport.loadAverage());
                flush();
            }
            if (scan)
            {
                md.append("\n### Against a scan of the taps (JDBC)\n\nScan: the report's SQL before issue 14 (for GET /taps the " +
                    "query through the primary key it ran before); report SQL: what the service runs now. Load average " +
                    LoadReport.loadAverage() + ".\n\n| report | rows | report SQL ms | scan ms | same rows |\n" +
                    "|---|---:|---:|---:|---|\n");
                try (Connection conn = admin.service.database().jdbcConnection())
                {
                    conn.createStatement().execute("SET work_mem = '256MB'");
                    check(md, conn, "aid", TapReportSql.withLiterals(TapReportSql.AID, from, to, CITY),
                        TapReportSql.withLiterals(TapReportSql.AID_SCAN, from, to, CITY));
                    check(md, conn, "meals", TapReportSql.withLiterals(TapReportSql.MEALS, from, to, CITY),
                        TapReportSql.withLiterals(TapReportSql.MEALS_SCAN, from, to, CITY));
                    check(md, conn, "people reached, the month", TapReportSql.withLiterals(TapReportSql.PEOPLE_REACHED, from,
                        to, CITY), TapReportSql.withLiterals(TapReportSql.PEOPLE_REACHED_SCAN, from, to, CITY));
                    check(md, conn, "people reached, " + day, TapReportSql.withLiterals(TapReportSql.PEOPLE_REACHED, day,
                        day, CITY), TapReportSql.withLiterals(TapReportSql.PEOPLE_REACHED_SCAN, day, day, CITY));
                    check(md, conn, "offline exceptions, " + day, TapReportSql.withLiterals(TapReportSql.OFFLINE_EXCEPTIONS,
                        day, day, CITY), TapReportSql.withLiterals(TapReportSql.OFFLINE_EXCEPTIONS_SCAN, day, day, CITY));
                    check(md, conn, "offline exceptions, the month", TapReportSql.withLiterals(TapReportSql.OFFLINE_EXCEPTIONS,
                        from, to, CITY), TapReportSql.withLiterals(TapReportSql.OFFLINE_EXCEPTIONS_SCAN, from, to, CITY));
                    check(md, conn, "GET /taps?from=" + hourFrom + "&to=" + hourTo + " (first page of 50)",
                        TapsApiSql.byHour(hourFrom, hourTo, 50), TapsApiSql.byReceipt(hourFrom, hourTo, 50));
                    check(md, conn, "GET /taps?from=" + dayFrom + " (first page of 50)",
                        TapsApiSql.byHour(dayFrom, null, 50), TapsApiSql.byReceipt(dayFrom, null, 50));
                }
            }
        }
    }

    private void check(final StringBuilder md, final Connection conn, final String name, final String reportSql,
        final String scanSql) throws Exception
    {
        long t = System.nanoTime();
        final List<String> report = IngestCommand.rows(conn, reportSql);
        final long reportMs = ms(t);
        t = System.nanoTime();
        final List<String> scanRows = IngestCommand.rows(conn, scanSql);
        final long scanMs = ms(t);
        final boolean same = report.equals(scanRows);
        md.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %s |%n", name, report.size(), reportMs, scanMs,
            same ? "yes" : "**NO** (scan " + scanRows.size() + " rows)"));
        log("check %s: %d rows, report SQL %d ms, scan %d ms, same: %s (load %s)", name, report.size(), reportMs, scanMs,
            same, LoadReport.loadAverage());
        flush();
        if (!same)
        {
            throw new IllegalStateException("the " + name + " report differs from the scan of the taps");
        }
    }

    private static long ms(final long startNs)
    {
        return (System.nanoTime() - startNs) / 1_000_000;
    }

    private static void log(final String format, final Object... args)
    {
        System.out.printf(Locale.ROOT, "%s " + format + "%n", prepend(Instant.now().toString().substring(11, 19), args));
    }

    private static Object[] prepend(final Object first, final Object[] rest)
    {
        final Object[] all = new Object[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    private static void quietLogs()
    {
        for (final String name : new String[] {"io.zonky", "io.tapswitch.admin"})
        {
            if (org.slf4j.LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger logger)
            {
                logger.setLevel(ch.qos.logback.classic.Level.WARN);
            }
        }
    }

    /** A started admin service, stopped on close. */
    private static final class Admin implements AutoCloseable
    {
        final AdminService service;
        final AdminConfig config;

        private Admin(final AdminService service, final AdminConfig config)
        {
            this.service = service;
            this.config = config;
        }

        static Admin start(final AdminConfig config) throws Exception
        {
            final AdminService service = new AdminService(config);
            service.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.MINUTES);
            return new Admin(service, config);
        }

        @Override
        public void close() throws Exception
        {
            service.stop().toCompletionStage().toCompletableFuture().get(2, TimeUnit.MINUTES);
        }
    }
}
