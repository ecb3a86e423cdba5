package io.tapswitch.bench.ingest;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.tapswitch.admin.AdminConfig;
import io.tapswitch.admin.AdminService;
import io.tapswitch.admin.demo.AdminDemoLoader;
import io.tapswitch.admin.report.TapReportSql;
import io.tapswitch.bench.load.LoadReport;
import io.tapswitch.formats.Queues;
import io.tapswitch.formats.journal.JournalRecord;
import io.tapswitch.switching.journal.JournalWriter;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./tapswitch bench ingest}: how fast the admin service's journal ingester writes a switch journal into
 * PostgreSQL. Prepares a journal of {@code --taps} decisions spread over a city month (64 records per excerpt, as the
 * switch writes them under load: taps of the demo cards at the demo outlets, approved, declined, offline recorded,
 * and reversals), loads the demo registry into a fresh admin database (embedded PostgreSQL), then starts the admin
 * service with its ingester on that journal, as a user runs it, and times the ingester from its start until it has
 * stored the journal's last excerpt. With {@code --reports}, then times the month's aid and meals reports through the
 * REST API (from the rollups) and, with {@code --scan}, the scans of the taps they replaced, checking that both give
 * the same rows.
 */
@Command(
    name = "ingest",
    mixinStandardHelpOptions = true,
    description = "Admin journal ingest rate (taps/s) from a prepared journal; with --reports the month's aid and meals reports.")
public final class IngestCommand implements Callable<Integer>
{
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ZoneId CITY = ZoneId.of("Europe/Kyiv");
    private static final int PER_EXCERPT = 64;
    /** Checkpoints PostgreSQL completed (by time or by WAL volume) since its statistics were reset (PostgreSQL 18). */
    private static final String CHECKPOINTS = "SELECT num_done FROM pg_stat_checkpointer";

    @Option(names = "--taps", paramLabel = "N", description = "decisions in the journal (default: ${DEFAULT-VALUE})")
    private long taps = 5_000_000;

    @Option(names = "--cards", paramLabel = "N", description = "demo cards (holders) in the registry (default: ${DEFAULT-VALUE})")
    private int cards = 100_000;

    @Option(names = "--month", paramLabel = "YYYY-MM", description = "the city month the taps fall in (default: ${DEFAULT-VALUE})")
    private YearMonth month = YearMonth.parse("2026-03");

    @Option(names = "--rate", paramLabel = "TAPS_PER_S",
        description = "sustained mode: a writer appends taps to the journal at this rate for --duration seconds while " +
            "the admin ingests them, and the ingester's lag is sampled (default: 0, the prepared-journal mode)")
    private int rate;

    @Option(names = "--duration", paramLabel = "S", description = "sustained mode: seconds of writing (default: ${DEFAULT-VALUE})")
    private int durationSeconds = 60;

    @Option(names = "--batch", paramLabel = "N", description = "the admin's ingest-batch setting (default: the admin's default)")
    private Integer batch;

    @Option(names = "--streams", paramLabel = "N", description = "the admin's ingest-streams setting: COPY streams at once (default: the admin's default)")
    private Integer streams;

    @Option(names = "--without-rollups",
        description = "attribution only: disable the taps' rollup trigger for the run (the reports are then empty), " +
            "to measure what keeping the rollups costs the ingest")
    private boolean withoutRollups;

    @Option(names = "--bulk",
        description = "build the month inside PostgreSQL instead of through the ingester: INSERT ... SELECT of generated " +
            "taps (the same mix as the journal's), the rollup trigger off, then the rollups rebuilt from the taps; for timing " +
            "the reports over a month of --taps when ingesting that many would take hours (implies --reports)")
    private boolean bulk;

    @Option(names = "--reports", description = "after the ingest, time the month's aid and meals reports (REST API)")
    private boolean reports;

    @Option(names = "--scan", description = "with --reports, also time the scans of the taps the reports used to run, and compare")
    private boolean scan;

    @Option(names = "--dir", paramLabel = "DIR",
        description = "working directory for the journal and the database (default: a new temporary directory, deleted at the end)")
    private Path dir;

    @Option(names = "--keep", description = "keep the working directory")
    private boolean keep;

    @Option(names = "--out", paramLabel = "DIR", description = "where ingest.md goes (default: ${DEFAULT-VALUE})")
    private Path outDir = Path.of("bench", "results", "ingest");

    @Override
    public Integer call() throws Exception
    {
        if (taps < PER_EXCERPT || cards < 10 || rate < 0 || durationSeconds < 1)
        {
            throw new IllegalArgumentException("--taps must be >= " + PER_EXCERPT + ", --cards >= 10, --rate >= 0, " +
                "--duration >= 1");
        }
        quietLogs();
        final boolean temporary = dir == null;
        final Path work = temporary ? Files.createTempDirectory("tapswitch-bench-ingest") : dir;
        final StringBuilder md = new StringBuilder();
        final String startedAt = Instant.now().toString();
        try
        {
            if (rate > 0)
            {
                final String report = sustained(work, startedAt);
                Files.createDirectories(outDir);
                Files.writeString(outDir.resolve("ingest-sustained.md"), report, StandardCharsets.UTF_8);
                System.out.println();
                System.out.println(report);
                return 0;
            }
            if (bulk)
            {
                final String report = bulk(work, startedAt);
                Files.createDirectories(outDir);
                Files.writeString(outDir.resolve("ingest-bulk.md"), report, StandardCharsets.UTF_8);
                System.out.println();
                System.out.println(report);
                return 0;
            }
            final Path switchDir = work.resolve("switch");
            final long writeStartNs = System.nanoTime();
            final long[] written = writeJournal(switchDir);
            final long writeMs = (System.nanoTime() - writeStartNs) / 1_000_000;
            System.out.printf(Locale.ROOT, "journal: %d records (%d stored as taps/reversals) in %d excerpts written in %d ms, %s%n",
                written[0], written[1], written[2], writeMs, switchDir);

            final Path adminDir = work.resolve("admin");
            loadRegistry(adminDir, switchDir);

            if (withoutRollups)
            {
                disableRollups(adminDir, switchDir);
            }
            final String loadBefore = LoadReport.loadAverage();
            final AdminConfig config = config(adminDir, switchDir, true);
            final long startNs = System.nanoTime();
            try (Admin admin = Admin.start(config))
            {
                final long startedNs = System.nanoTime();
                final long count0 = admin.service.ingester().ingestedCount();
                final long pgCpu0 = postgresCpuNs(adminDir);
                final long jvmCpu0 = jvmCpuNs();
                final long walBytes0 = admin.count("SELECT wal_bytes::bigint FROM pg_stat_wal");
                final long walFpi0 = admin.count("SELECT wal_fpi FROM pg_stat_wal");
                final long checkpoints0 = admin.count(CHECKPOINTS);
                final long lastIndex = written[3];
                long lastPrintNs = startedNs;
                while (admin.service.ingester().storedIndex() != lastIndex)
                {
                    Thread.sleep(20);
                    if (System.nanoTime() - lastPrintNs > TimeUnit.SECONDS.toNanos(10))
                    {
                        lastPrintNs = System.nanoTime();
                        System.out.printf(Locale.ROOT, "  %d ingested, %.1f s, lag %d excerpts%s%n",
                            admin.service.ingester().ingestedCount(), (lastPrintNs - startedNs) / 1e9,
                            admin.service.ingester().lagEntries(),
                            admin.service.ingester().failing() == null ? "" : ", failing: " + admin.service.ingester().failing());
                    }
                }
                final long endNs = System.nanoTime();
                final double pgCpuUs = (postgresCpuNs(adminDir) - pgCpu0) / 1e3;
                final double jvmCpuUs = (jvmCpuNs() - jvmCpu0) / 1e3;
                final long ingested = admin.service.ingester().ingestedCount();
                final double seconds = (endNs - startedNs) / 1e9;
                final double rate = (ingested - count0) / seconds;
                final String loadAfter = LoadReport.loadAverage();
                final long perTap = Math.max(1, ingested - count0);
                final double walBytesPerTap = (admin.count("SELECT wal_bytes::bigint FROM pg_stat_wal") - walBytes0) /
                    (double)perTap;
                final double fpiPerThousand = (admin.count("SELECT wal_fpi FROM pg_stat_wal") - walFpi0) * 1000.0 / perTap;
                final long checkpoints = admin.count(CHECKPOINTS) - checkpoints0;
                final long stored = admin.count("SELECT count(*) FROM taps");
                if (stored != written[1])
                {
                    throw new IllegalStateException("stored " + stored + " taps, the journal holds " + written[1]);
                }
                md.append("# Admin journal ingest\n\n")
                    .append(String.format(Locale.ROOT, "Started %s; `./tapswitch bench ingest --taps %d --cards %d%s%s%s`; " +
                            "ingest-batch %d, ingest-streams %d; %d journal records in %d excerpts of %d, %d of them taps and reversals " +
                            "spread over %s (city zone %s); %d demo cards in the registry; load average before %s, after %s.%n%n",
                        startedAt, taps, cards, batch == null ? "" : " --batch " + batch,
                        streams == null ? "" : " --streams " + streams, withoutRollups ? " --without-rollups" : "",
                        config.ingestBatch(), config.ingestStreams(), written[0],
                        written[2], PER_EXCERPT, written[1], month, CITY, cards, loadBefore, loadAfter))
                    .append("| taps ingested after the service started | seconds (service started to last excerpt stored) | " +
                        "taps/s | CPU µs per tap: PostgreSQL | CPU µs per tap: admin JVM | admin start ms | WAL bytes per tap | " +
                        "full-page images per 1 000 taps | checkpoints |\n")
                    .append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
                    .append(String.format(Locale.ROOT, "| %d | %.2f | **%.0f** | %.1f | %.1f | %d | %.0f | %.0f | %d |%n",
                        ingested - count0, seconds, rate, pgCpuUs / Math.max(1, ingested - count0),
                        jvmCpuUs / Math.max(1, ingested - count0), (startedNs - startNs) / 1_000_000, walBytesPerTap,
                        fpiPerThousand, checkpoints))
                    .append("\nCPU: user + system time over the ingest of the embedded PostgreSQL's processes alive at its " +
                        "end (postmaster and its children: the ingester's backend, WAL writer, checkpointer, …) and of this " +
                        "JVM (the admin service with its ingester), per tap; a measure that the machine's other load " +
                        "changes far less than the wall-clock rate. WAL: `pg_stat_wal` over the ingest (full-page images: " +
                        "pages written whole into the WAL at their first change after a checkpoint); checkpoints: " +
                        "`pg_stat_checkpointer.num_done` over the ingest.\n");
                System.out.printf(Locale.ROOT, "ingest: %d taps in %.2f s after the service started: %.0f taps/s; CPU per tap " +
                        "PostgreSQL %.1f µs, admin JVM %.1f µs; WAL %.0f bytes per tap, %.0f full-page images per 1 000 taps, %d " +
                        "checkpoints (load %s -> %s)%n", ingested - count0, seconds, rate,
                    pgCpuUs / Math.max(1, ingested - count0), jvmCpuUs / Math.max(1, ingested - count0), walBytesPerTap,
                    fpiPerThousand, checkpoints, loadBefore, loadAfter);
                if (reports)
                {
                    md.append('\n').append(reports(admin, config));
                }
            }
            Files.createDirectories(outDir);
            Files.writeString(outDir.resolve("ingest.md"), md.toString(), StandardCharsets.UTF_8);
            System.out.println();
            System.out.println(md);
            return 0;
        }
        finally
        {
            if (temporary && !keep)
            {
                deleteTree(work);
            }
            else
            {
                System.out.println("working directory kept: " + work);
            }
        }
    }

    private void disableRollups(final Path adminDir, final Path switchDir) throws Exception
    {
        try (Admin admin = Admin.start(config(adminDir, switchDir, false));
            Connection conn = admin.service.database().jdbcConnection(); Statement statement = conn.createStatement())
        {
            statement.execute("ALTER TABLE taps DISABLE TRIGGER taps_rollups");
        }
        System.out.println("rollup trigger disabled for this run (--without-rollups)");
    }

    private void loadRegistry(final Path adminDir, final Path switchDir) throws Exception
    {
        final long loadStartNs = System.nanoTime();
        try (Admin admin = Admin.start(config(adminDir, switchDir, false)))
        {
            final AdminDemoLoader.Result loaded = AdminDemoLoader.load(admin.service, cards, 10);
            System.out.printf(Locale.ROOT, "registry: %d demo cards loaded in %d ms%n", loaded.cards(), loaded.elapsedMs());
        }
        System.out.printf(Locale.ROOT, "database prepared in %d ms%n", (System.nanoTime() - loadStartNs) / 1_000_000);
    }

    /**
     * The sustained mode: a writer thread appends taps (64 per excerpt, stamped with the time of writing) at
     * {@code --rate} for {@code --duration} s while the admin service ingests them; the ingester's lag (its
     * {@code tapswitch_admin_ingest_lag_seconds}, the age of the newest record it stored while records wait) is sampled
     * every 100 ms.
     */
    private String sustained(final Path work, final String startedAt) throws Exception
    {
        final Path switchDir = work.resolve("switch");
        final Path adminDir = work.resolve("admin");
        try (SingleChronicleQueue queue = Queues.open(Queues.journalDir(switchDir)))
        {
            System.out.println("empty journal created in " + queue.file());
        }
        loadRegistry(adminDir, switchDir);
        final String loadBefore = LoadReport.loadAverage();
        final AdminConfig config = config(adminDir, switchDir, true);
        try (Admin admin = Admin.start(config))
        {
            final java.util.concurrent.atomic.AtomicLong lastIndex = new java.util.concurrent.atomic.AtomicLong(-1);
            final java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
            final java.util.concurrent.CompletableFuture<Void> writing = new java.util.concurrent.CompletableFuture<>();
            final Thread writerThread = new Thread(() ->
            {
                try (SingleChronicleQueue queue = Queues.open(Queues.journalDir(switchDir));
                    JournalWriter writer = new JournalWriter(queue))
                {
                    final Taps generator = new Taps(cards);
                    final long startNs = System.nanoTime();
                    final long endNs = startNs + TimeUnit.SECONDS.toNanos(durationSeconds);
                    long now;
                    while ((now = System.nanoTime()) - endNs < 0)
                    {
                        final long due = (long)(rate * ((now - startNs) / 1e9));
                        if (generator.sequence >= due)
                        {
                            java.util.concurrent.locks.LockSupport.parkNanos(200_000);
                            continue;
                        }
                        lastIndex.set(generator.excerpt(writer, (int)Math.min(PER_EXCERPT, due - generator.sequence),
                            System.currentTimeMillis()));
                        written.set(generator.sequence);
                    }
                    writing.complete(null);
                }
                catch (final RuntimeException ex)
                {
                    writing.completeExceptionally(ex);
                }
            }, "bench-journal-writer");
            final long count0 = admin.service.ingester().ingestedCount();
            final long startNs = System.nanoTime();
            writerThread.start();
            final List<Long> lagSamples = new ArrayList<>();
            long maxLagEntries = 0;
            while (!writing.isDone())
            {
                Thread.sleep(100);
                lagSamples.add(admin.service.ingester().lagMs());
                maxLagEntries = Math.max(maxLagEntries, admin.service.ingester().lagEntries());
            }
            writing.get();
            final long writtenNs = System.nanoTime() - startNs;
            final long lagAtEnd = admin.service.ingester().lagMs();
            final long ingestedAtEnd = admin.service.ingester().ingestedCount() - count0;
            final long deadlineNs = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
            while (admin.service.ingester().storedIndex() != lastIndex.get() && System.nanoTime() - deadlineNs < 0)
            {
                Thread.sleep(20);
            }
            final long caughtUpMs = (System.nanoTime() - startNs - writtenNs) / 1_000_000;
            final long ingested = admin.service.ingester().ingestedCount() - count0;
            if (ingested != written.get())
            {
                throw new IllegalStateException("ingested " + ingested + " of " + written.get() + " taps written");
            }
            final List<Long> sorted = new ArrayList<>(lagSamples);
            sorted.sort(null);
            final long maxLag = sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1);
            final long p99Lag = sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, (int)(sorted.size() * 0.99)));
            final long medianLag = sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2);
            final String loadAfter = LoadReport.loadAverage();
            final String report = "# Admin journal ingest at a sustained rate\n\n" + String.format(Locale.ROOT,
                "Started %s; `./tapswitch bench ingest --rate %d --duration %d --cards %d%s%s`; ingest-batch %d, " +
                    "ingest-streams %d; a writer " +
                    "thread appended %d taps in %.1f s (%.0f taps/s offered, 64 per excerpt, stamped with the time of " +
                    "writing) while the admin ingested them; lag sampled every 100 ms (%d samples); load average before " +
                    "%s, after %s.%n%n", startedAt, rate, durationSeconds, cards, batch == null ? "" : " --batch " + batch,
                streams == null ? "" : " --streams " + streams, config.ingestBatch(), config.ingestStreams(), written.get(), writtenNs / 1e9, written.get() / (writtenNs / 1e9), lagSamples.size(),
                loadBefore, loadAfter) +
                "| offered taps/s | ingested while writing, taps/s | lag median ms | lag p99 ms | lag max ms | " +
                "lag when writing stopped ms | most excerpts waiting | caught up after writing stopped, ms |\n" +
                "|---:|---:|---:|---:|---:|---:|---:|---:|\n" + String.format(Locale.ROOT,
                "| %.0f | %.0f | %d | %d | %d | %d | %d | %d |%n", written.get() / (writtenNs / 1e9),
                ingestedAtEnd / (writtenNs / 1e9), medianLag, p99Lag, maxLag, lagAtEnd, maxLagEntries, caughtUpMs);
            return report;
        }
    }

    /**
     * The bulk mode: the month's taps generated inside PostgreSQL ({@code generate_series}, a hash of the receipt for
     * card, outlet, program and decision in the journal generator's proportions; every 50th row a reversal of the tap
     * 7 receipts before), inserted 1 000 000 per statement with the rollup trigger off (as the runbook loads taps by
     * hand), then the rollups rebuilt from the taps by {@code tap_rollups_rebuild}; then the reports as in the ingest
     * mode ({@code --scan} compares them with the scans of the taps). Not the ingester's path: it measures how the
     * reports behave over a month of {@code --taps}, not the ingest rate.
     */
    private String bulk(final Path work, final String startedAt) throws Exception
    {
        final Path switchDir = work.resolve("switch");
        final Path adminDir = work.resolve("admin");
        loadRegistry(adminDir, switchDir);
        final AdminConfig config = config(adminDir, switchDir, false);
        final long monthStartMs = month.atDay(1).atStartOfDay(CITY).toInstant().toEpochMilli();
        final int days = month.lengthOfMonth();
        final long perDay = (taps + days - 1) / days;
        final String loadBefore = LoadReport.loadAverage();
        final StringBuilder md = new StringBuilder("# A month of taps built in bulk, and its reports\n\n");
        try (Admin admin = Admin.start(config); Connection conn = admin.service.database().jdbcConnection();
            Statement statement = conn.createStatement())
        {
            final long startNs = System.nanoTime();
            final long chunk = 1_000_000;
            // the taps as loaded by hand (RUNBOOK "Report rollups"): triggers off for this session, then one rebuild
            statement.execute("SET session_replication_role = replica");
            for (long from = 1; from <= taps; from += chunk)
            {
                final long to = Math.min(taps, from + chunk - 1);
                statement.execute(bulkInsert(from, to, monthStartMs, perDay));
                System.out.printf(Locale.ROOT, "  bulk: %d taps in %.1f s%n", to, (System.nanoTime() - startNs) / 1e9);
            }
            statement.execute("SET session_replication_role = DEFAULT");
            final double seconds = (System.nanoTime() - startNs) / 1e9;
            final long rebuildStartNs = System.nanoTime();
            statement.execute("SELECT tap_rollups_rebuild('" + CITY.getId() + "')");
            final double rebuildSeconds = (System.nanoTime() - rebuildStartNs) / 1e9;
            System.out.printf(Locale.ROOT, "  rollups rebuilt from the taps in %.1f s%n", rebuildSeconds);
            final String loadAfter = LoadReport.loadAverage();
            statement.execute("ANALYZE taps");
            final long size;
            try (ResultSet rs = statement.executeQuery("SELECT pg_database_size(current_database())"))
            {
                rs.next();
                size = rs.getLong(1);
            }
            md.append(String.format(Locale.ROOT, "Started %s; `./tapswitch bench ingest --bulk --taps %d --cards %d`; " +
                    "%d taps of %s (%d per city day, 07:00-19:00) inserted in %.0f s (%.0f taps/s, 1 000 000 per " +
                    "statement, the rollup trigger off), then the rollups rebuilt from them by `tap_rollups_rebuild` in " +
                    "%.0f s; database %.1f GB; load average before %s, after %s.%n%n",
                startedAt, taps, cards, taps, month, perDay, seconds, taps / seconds, rebuildSeconds, size / 1e9,
                loadBefore, loadAfter));
            md.append(reports(admin, config));
        }
        return md.toString();
    }

    private String bulkInsert(final long from, final long to, final long monthStartMs, final long perDay)
    {
        // k: the receipt whose card, outlet and program the row has (a reversal: the tap 7 receipts before)
        return String.format(Locale.ROOT, "INSERT INTO taps (receipt, type, decided_at, terminal_id, outlet_id, correlation, " +
            "card_id, holder_id, program_id, quantity, offline, terminal_time, decision, reason, remaining, journal_index) " +
            "SELECT s, CASE WHEN rev THEN 'REVERSAL' ELSE 'TAP' END, at, outlet, outlet, s, card, card, program, 1, " +
            "NOT rev AND roll = 19, CASE WHEN NOT rev AND roll = 19 THEN at - interval '1 hour' END, " +
            "CASE WHEN rev THEN 'APPROVED' WHEN roll = 19 THEN 'RECORDED' WHEN roll < 12 THEN 'APPROVED' ELSE 'DECLINED' END, " +
            "CASE WHEN NOT rev AND roll BETWEEN 12 AND 18 THEN 'QUOTA_EXHAUSTED' ELSE 'OK' END, 0, s " +
            "FROM (SELECT s, rev, at, 1000001 + h %% %d AS card, " +
            "CASE WHEN meal THEN 6 + (h >> 20) %% 5 ELSE 1 + (h >> 20) %% 5 END AS outlet, " +
            "CASE WHEN meal THEN 3 + (h >> 24) %% 2 ELSE 1 + (h >> 24) %% 2 END AS program, (h >> 28) %% 20 AS roll " +
            "FROM (SELECT s, rev, at, h, (h >> 16) %% 3 = 0 AS meal " +
            "FROM (SELECT s, s %% 50 = 0 AS rev, " +
            "to_timestamp((%d + ((s - 1) / %d) * 86400000 + 25200000 + ((s - 1) %% %d) * 43200000 / %d) / 1000.0) AS at, " +
            "(hashint8extended(CASE WHEN s %% 50 = 0 THEN s - 7 ELSE s END, 0) & 9223372036854775807) AS h " +
            "FROM generate_series(%d::bigint, %d::bigint) s) a) b) c",
            cards, monthStartMs, perDay, perDay, perDay, from, to);
    }

    private AdminConfig config(final Path adminDir, final Path switchDir, final boolean ingest)
    {
        final AdminConfig config = new AdminConfig().host("127.0.0.1").port(0).metricsPort(-1).dataDir(adminDir)
            .switchDataDir(switchDir).publisherEnabled(false).ingesterEnabled(ingest).cityZone(CITY);
        if (batch != null)
        {
            config.ingestBatch(batch);
        }
        if (streams != null)
        {
            config.ingestStreams(streams);
        }
        return config.conclude();
    }

    /**
     * @return records, rows stored (taps and reversals), excerpts, the last excerpt's index.
     */
    private long[] writeJournal(final Path switchDir)
    {
        final long monthStartMs = month.atDay(1).atStartOfDay(CITY).toInstant().toEpochMilli();
        final long monthMs = month.atEndOfMonth().plusDays(1).atStartOfDay(CITY).toInstant().toEpochMilli() - monthStartMs;
        final Taps generator = new Taps(cards);
        long excerpts = 0;
        long lastIndex = -1;
        try (SingleChronicleQueue queue = Queues.open(Queues.journalDir(switchDir));
            JournalWriter writer = new JournalWriter(queue))
        {
            while (generator.sequence < taps)
            {
                // time moves through the month with the receipts; taps fall between 07:00 and 19:00 city time
                final long dayOfMonthMs = monthMs * generator.sequence / taps;
                final long dayStart = dayOfMonthMs / 86_400_000L * 86_400_000L;
                final long timeMs = monthStartMs + dayStart + 7 * 3_600_000L + (dayOfMonthMs - dayStart) * 12 / 24;
                lastIndex = generator.excerpt(writer, (int)Math.min(PER_EXCERPT, taps - generator.sequence), timeMs);
                excerpts++;
            }
        }
        return new long[] {taps, taps, excerpts, lastIndex};
    }

    /**
     * Decisions as the switch journals them: demo cards at random at the aid points (programs 1, 2) and canteens
     * (3, 4); 60 % approved, 35 % declined, 5 % recorded offline (served an hour before); every 50th record a
     * reversal of a recent approved tap. Not thread-safe.
     */
    private static final class Taps
    {
        private final SplittableRandom random = new SplittableRandom(14);
        private final int cards;
        /** Recent approved taps, reversed now and then: card, outlet, program, receipt. */
        private final long[][] recent = new long[256][];
        long sequence;

        Taps(final int cards)
        {
            this.cards = cards;
        }

        /** Writes one excerpt of {@code count} records at {@code timeMs}. @return its index. */
        long excerpt(final JournalWriter writer, final int count, final long timeMs)
        {
            writer.beginBatch();
            for (int i = 0; i < count; i++)
            {
                final long seq = ++sequence;
                final long card = 1_000_001L + random.nextInt(cards);
                final long[] original = seq % 50 == 0 ? recent[(int)(seq % 256)] : null;
                final UnsafeBuffer b = writer.buffer();
                if (original != null)
                {
                    recent[(int)(seq % 256)] = null;
                    writer.header(JournalRecord.TYPE_REVERSAL, JournalRecord.REVERSAL_LENGTH, seq, timeMs);
                    b.setMemory(JournalRecord.HEADER_BYTES, JournalRecord.REVERSAL_LENGTH - JournalRecord.HEADER_BYTES, (byte)0);
                    fill(b, original[0], (int)original[1], (int)original[2], seq);
                    b.putInt(JournalRecord.REVERSAL_RESTORED_OFFSET, 1, LE);
                    b.putLong(JournalRecord.REVERSAL_ORIGINAL_RECEIPT_OFFSET, original[3], LE);
                    b.putByte(JournalRecord.DECISION_OFFSET, (byte)0);
                    writer.append(JournalRecord.REVERSAL_LENGTH);
                    continue;
                }
                final boolean meal = random.nextInt(3) == 0;
                final int outlet = meal ? 6 + random.nextInt(5) : 1 + random.nextInt(5);
                final int program = meal ? 3 + random.nextInt(2) : 1 + random.nextInt(2);
                final int roll = random.nextInt(20);
                final boolean offline = roll == 19;
                final int decision = offline ? 2 : roll < 12 ? 0 : 1;
                writer.header(JournalRecord.TYPE_TAP, JournalRecord.TAP_LENGTH, seq, timeMs);
                b.setMemory(JournalRecord.HEADER_BYTES, JournalRecord.TAP_LENGTH - JournalRecord.HEADER_BYTES, (byte)0);
                fill(b, card, outlet, program, seq);
                b.putInt(JournalRecord.TAP_REQUESTED_PROGRAM_ID_OFFSET, program, LE);
                b.putShort(JournalRecord.TAP_QUANTITY_OFFSET, (short)1, LE);
                b.putShort(JournalRecord.TAP_FLAGS_OFFSET, (short)(offline ? 1 : 0), LE);
                b.putByte(JournalRecord.DECISION_OFFSET, (byte)decision);
                b.putByte(JournalRecord.REASON_OFFSET, (byte)(decision == 1 ? 5 : 0));
                b.putInt(JournalRecord.TAP_TAKEN_OFFSET, decision == 1 ? 0 : 1, LE);
                b.putLong(JournalRecord.TAP_TERMINAL_TIME_MS_OFFSET, offline ? timeMs - 3_600_000L : 0, LE);
                writer.append(JournalRecord.TAP_LENGTH);
                if (decision == 0)
                {
                    recent[(int)((seq + 7) % 256)] = new long[] {card, outlet, program, seq};
                }
            }
            return writer.endBatch();
        }
    }

    private static void fill(final UnsafeBuffer b, final long card, final int outlet, final int program, final long seq)
    {
        b.putLong(JournalRecord.TERMINAL_ID_OFFSET, outlet, LE);
        b.putInt(JournalRecord.CORRELATION_OFFSET, (int)seq, LE);
        b.putInt(JournalRecord.OUTLET_ID_OFFSET, outlet, LE);
        b.putLong(JournalRecord.CARD_ID_OFFSET, card, LE);
        b.putLong(JournalRecord.HOLDER_ID_OFFSET, card, LE);
        b.putInt(JournalRecord.PROGRAM_ID_OFFSET, program, LE);
        b.putInt(JournalRecord.REMAINING_OFFSET, 0, LE);
    }

    private String reports(final Admin admin, final AdminConfig config) throws Exception
    {
        final LocalDate from = month.atDay(1);
        final LocalDate to = month.atEndOfMonth();
        final StringBuilder md = new StringBuilder("## The month's reports\n\n")
            .append(String.format(Locale.ROOT, "`GET /api/v1/reports/{aid,meals}?from=%s&to=%s` through the REST API " +
                "(JSON), after the ingest above; %d taps in the database; each report run 5 times, the first run " +
                "and the median of the others; load average %s.%n%n", from, to, admin.count("SELECT count(*) FROM taps"),
                LoadReport.loadAverage()))
            .append("| report | source | rows | first ms | median ms |\n|---|---|---:|---:|---:|\n");
        final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        for (final String name : new String[] {"aid", "meals"})
        {
            final URI uri = URI.create(admin.service.baseUrl() + "/api/v1/reports/" + name + "?from=" + from + "&to=" + to);
            final long[] ms = new long[5];
            int rows = 0;
            for (int i = 0; i < ms.length; i++)
            {
                final long t0 = System.nanoTime();
                final HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri)
                    .header("Authorization", "Bearer " + config.generatedToken()).timeout(Duration.ofMinutes(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
                ms[i] = (System.nanoTime() - t0) / 1_000_000;
                if (response.statusCode() != 200)
                {
                    throw new IllegalStateException(uri + " answered " + response.statusCode() + ": " + response.body());
                }
                rows = new io.vertx.core.json.JsonObject(response.body()).getJsonArray("rows").size();
            }
            md.append(String.format(Locale.ROOT, "| %s | rollups (REST API) | %d | %d | %d |%n", name, rows, ms[0],
                median(ms)));
            System.out.printf(Locale.ROOT, "report %s from the rollups: %d rows, first %d ms, median %d ms%n", name, rows,
                ms[0], median(ms));
        }
        if (scan)
        {
            try (Connection conn = admin.service.database().jdbcConnection())
            {
                for (final String name : new String[] {"aid", "meals"})
                {
                    final String rollupSql = TapReportSql.withLiterals("aid".equals(name) ? TapReportSql.AID :
                        TapReportSql.MEALS, from, to, CITY);
                    final String scanSql = TapReportSql.withLiterals("aid".equals(name) ? TapReportSql.AID_SCAN :
                        TapReportSql.MEALS_SCAN, from, to, CITY);
                    final long t0 = System.nanoTime();
                    final List<String> rollupRows = rows(conn, rollupSql);
                    final long rollupMs = (System.nanoTime() - t0) / 1_000_000;
                    final long t1 = System.nanoTime();
                    final List<String> scanRows = rows(conn, scanSql);
                    final long scanMs = (System.nanoTime() - t1) / 1_000_000;
                    final boolean same = rollupRows.equals(scanRows);
                    md.append(String.format(Locale.ROOT, "| %s | rollup SQL (JDBC) | %d | %d | |%n", name, rollupRows.size(),
                        rollupMs))
                        .append(String.format(Locale.ROOT, "| %s | scan of the taps, before issue 14 (JDBC) | %d | %d | |%n",
                            name, scanRows.size(), scanMs));
                    System.out.printf(Locale.ROOT, "report %s: rollups %d ms, scan %d ms, same rows: %s%n", name, rollupMs,
                        scanMs, same);
                    if (!same)
                    {
                        throw new IllegalStateException("the " + name + " report from the rollups differs from the scan");
                    }
                }
                md.append("\nThe rollup rows and the scan's rows were identical (every column of every row).\n");
            }
        }
        return md.toString();
    }

    /** User + system CPU of the embedded PostgreSQL's postmaster and its current children, in ns. */
    private static long postgresCpuNs(final Path adminDir) throws java.io.IOException
    {
        final long postmaster = Long.parseLong(Files.readAllLines(adminDir.resolve("pg").resolve("postmaster.pid")).get(0).trim());
        final ProcessHandle handle = ProcessHandle.of(postmaster).orElseThrow(() ->
            new IllegalStateException("the embedded PostgreSQL (pid " + postmaster + ") is not running"));
        long total = cpuNs(handle);
        for (final ProcessHandle child : handle.descendants().toList())
        {
            total += cpuNs(child);
        }
        return total;
    }

    private static long cpuNs(final ProcessHandle process)
    {
        return process.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    private static long jvmCpuNs()
    {
        return ((com.sun.management.OperatingSystemMXBean)java.lang.management.ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime();
    }

    /**
     * @return each row of a query as its columns joined by {@code |} (for comparing two queries' results row for row).
     */
    public static List<String> rows(final Connection conn, final String sql) throws Exception
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
                    row.append(rs.getString(i)).append('|');
                }
                rows.add(row.toString());
            }
        }
        return rows;
    }

    /**
     * @return the median of the timings after the first (the first request is reported on its own).
     */
    public static long median(final long[] ms)
    {
        final long[] rest = java.util.Arrays.copyOfRange(ms, 1, ms.length);
        java.util.Arrays.sort(rest);
        return rest[rest.length / 2];
    }

    private static void quietLogs()
    {
        for (final String name : new String[] {"io.zonky", "org.flywaydb", "io.tapswitch.admin"})
        {
            if (org.slf4j.LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger logger)
            {
                logger.setLevel(ch.qos.logback.classic.Level.WARN);
            }
        }
    }

    private static void deleteTree(final Path root) throws Exception
    {
        if (!Files.exists(root))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(root))
        {
            for (final Path p : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
    }

    /** A started admin service, stopped on close. */
    private static final class Admin implements AutoCloseable
    {
        final AdminService service;

        private Admin(final AdminService service)
        {
            this.service = service;
        }

        static Admin start(final AdminConfig config) throws Exception
        {
            final AdminService service = new AdminService(config);
            service.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
            return new Admin(service);
        }

        long count(final String sql) throws Exception
        {
            try (Connection conn = service.database().jdbcConnection(); Statement statement = conn.createStatement();
                ResultSet rs = statement.executeQuery(sql))
            {
                rs.next();
                return rs.getLong(1);
            }
        }

        @Override
        public void close() throws Exception
        {
            service.stop().toCompletionStage().toCompletableFuture().get(2, TimeUnit.MINUTES);
        }
    }
}
