package io.tapswitch.bench.soak;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.tapswitch.bench.fleet.Fleet;
import io.tapswitch.bench.fleet.FleetOptions;
import io.tapswitch.bench.fleet.FleetResult;
import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.client.BalanceResult;
import io.tapswitch.protocol.client.TerminalClient;
import org.HdrHistogram.Histogram;

/**
 * The soak: the switch and the admin service started as a user starts them (each its own JVM, default settings,
 * the admin on its embedded PostgreSQL loading the demo data, which reaches the switch through the outbox), a fleet of
 * terminals tapping at a fixed rate, and the administrators' REST traffic ({@link AdminTraffic}), for a fixed time.
 * Every sample interval it records, for each service process, resident memory, heap used after the latest GC, open
 * files and threads (the embedded PostgreSQL as a group: its processes, proportional memory, files), and the fleet's
 * p99 and requests unanswered for over {@link #OVERDUE_MS} ms. The result is a table ({@link SoakReport}).
 * <p>
 * One run per instance; call from one thread.
 */
public final class Soak
{
    /** A request outstanding this long at a sample counts as unanswered in that row. */
    public static final long OVERDUE_MS = 5_000;
    private static final String MARKER = ".tapswitch-soak";
    private static final Pattern SWITCH_READY = Pattern.compile("tapswitch switch listening on [^:\\s]+:(\\d+)");
    private static final Pattern ADMIN_READY = Pattern.compile("tapswitch admin: (http://\\S+)/api/v1 \\(contract");

    /** What to run. */
    public static final class Options
    {
        long durationMs = TimeUnit.HOURS.toMillis(1);
        long sampleMs = 60_000;
        int terminals = 2_000;
        double rate = 1_000;
        int cards = 100_000;
        int switchPort = 23_100;
        int switchMetricsPort = 23_101;
        int adminPort = 23_102;
        int adminMetricsPort = 23_103;
        long adminPauseMs = 500;
        List<String> switchSettings = List.of();
        Path outDir = Path.of("bench", "target", "soak");

        public Options durationMs(final long v)
        {
            durationMs = v;
            return this;
        }

        public Options sampleMs(final long v)
        {
            sampleMs = v;
            return this;
        }

        public Options terminals(final int v)
        {
            terminals = v;
            return this;
        }

        public Options rate(final double v)
        {
            rate = v;
            return this;
        }

        public Options cards(final int v)
        {
            cards = v;
            return this;
        }

        /** Ports of the switch (terminals, metrics) and of the admin (API, metrics); 0 picks a free one. */
        public Options ports(final int switchPort, final int switchMetrics, final int adminPort, final int adminMetrics)
        {
            this.switchPort = switchPort;
            this.switchMetricsPort = switchMetrics;
            this.adminPort = adminPort;
            this.adminMetricsPort = adminMetrics;
            return this;
        }

        public Options adminPauseMs(final long v)
        {
            adminPauseMs = v;
            return this;
        }

        /** Settings given to the switch as {@code --set KEY=VALUE} (e.g. {@code idempotency-capacity=2097152}). */
        public Options switchSettings(final List<String> v)
        {
            switchSettings = List.copyOf(v);
            return this;
        }

        public Options outDir(final Path v)
        {
            outDir = v;
            return this;
        }

        Options validate()
        {
            check(durationMs >= 1_000, "duration", durationMs + " ms", ">= 1 s");
            check(sampleMs >= 1_000 && sampleMs <= durationMs, "sample", sampleMs + " ms", "1 s .. the duration");
            check(terminals >= 1 && terminals <= 10_000, "terminals", terminals, "1 .. 10000");
            check(rate > 0, "rate", rate, "> 0 taps/s");
            check(cards >= 100, "cards", cards, ">= 100");
            return this;
        }

        private static void check(final boolean ok, final String name, final Object value, final String range)
        {
            if (!ok)
            {
                throw new IllegalArgumentException("invalid " + name + " = " + value + ": must be " + range);
            }
        }
    }

    /**
     * One process (or group) at one sample. {@code heapAfterGcKb} is -1 when no GC has run (or not a JVM);
     * {@code anonKb} and {@code fileKb} split the RSS into anonymous memory and mapped files (0 for a group).
     */
    public record ProcessRow(String name, int processes, long rssKb, long heapAfterGcKb, long fds, long threads, long gcs,
        long anonKb, long fileKb)
    {
    }

    /** One sample: the processes and the fleet's and the admin traffic's figures of the interval. */
    public record Row(
        int index,
        double elapsedS,
        List<ProcessRow> processes,
        long tapsAnswered,
        double p50Ms,
        double p99Ms,
        double maxMs,
        long overdue,
        long adminCalls,
        long adminRefused,
        long adminUnanswered,
        long changesAtSwitch)
    {
        public ProcessRow process(final String name)
        {
            return processes.stream().filter(p -> p.name().equals(name)).findFirst().orElse(null);
        }
    }

    /** The whole run. */
    public record Result(
        Options options,
        List<Row> rows,
        FleetResult fleet,
        long adminCalls,
        long adminAnswered,
        long adminRefused,
        long adminUnanswered,
        long adminCycles,
        long changesAtSwitch,
        long changesNotAtSwitch,
        long slowestAdminMs,
        long slowestApplyMs,
        List<String> adminProblems,
        int switchExit,
        int adminExit,
        String machine)
    {
    }

    private final Options options;

    public Soak(final Options options)
    {
        this.options = options.validate();
    }

    /**
     * Runs the soak.
     *
     * @param out where each row (and the start) is printed as it happens.
     */
    public Result run(final PrintStream out) throws Exception
    {
        final Path data = prepare(options.outDir.resolve("data"));
        final Path switchData = data.resolve("switch");
        final Path adminData = data.resolve("admin");
        final SoakTokens tokens = SoakTokens.random();
        final Path adminConfig = tokens.writeAdminConfig(data.resolve("admin.json"));
        final Path switchGc = options.outDir.resolve("switch-gc.log");
        final Path adminGc = options.outDir.resolve("admin-gc.log");
        Files.deleteIfExists(switchGc);
        Files.deleteIfExists(adminGc);
        final long checker = options.terminals + 1;

        out.printf(Locale.ROOT, "soak: %s of %d terminals at %.0f taps/s plus admin traffic; a row every %d s; output in %s%n",
            SoakReport.duration(options.durationMs), options.terminals, options.rate, options.sampleMs / 1000,
            options.outDir.toAbsolutePath());
        final String machine = SoakReport.machine();
        out.println("soak: machine " + machine);
        try (ChildService switchProcess = ChildService.start("switch", List.of("-Xlog:gc:file=" + switchGc),
                "io.tapswitch.switching.SwitchMain",
                switchArgs(switchData),
                Map.of(), options.outDir, SWITCH_READY, TimeUnit.MINUTES.toMillis(2)))
        {
            final int switchPort = Integer.parseInt(switchProcess.readyValue());
            out.printf(Locale.ROOT, "soak: switch pid %d on 127.0.0.1:%d%n", switchProcess.pid(), switchPort);
            try (ChildService admin = ChildService.start("admin", List.of("-Xlog:gc:file=" + adminGc),
                    "io.tapswitch.admin.AdminMain",
                    List.of("--config", adminConfig.toString(), "--data-dir", adminData.toString(),
                        "--switch-data-dir", switchData.toString(), "--port", String.valueOf(options.adminPort),
                        "--metrics-port", String.valueOf(options.adminMetricsPort), "--demo",
                        "--demo-cards", String.valueOf(options.cards), "--demo-terminals", String.valueOf(checker)),
                    Map.of(), options.outDir, ADMIN_READY, TimeUnit.MINUTES.toMillis(10)))
            {
                final String baseUrl = admin.readyValue();
                out.printf(Locale.ROOT, "soak: admin pid %d at %s/api/v1, demo data loaded%n", admin.pid(), baseUrl);
                awaitSwitchHoldsDemoData(switchPort, checker, options.cards);
                out.println("soak: the switch holds the demo data (through the outbox)");

                final Result result = drive(out, switchProcess, admin, switchGc, adminGc, adminData, baseUrl, tokens,
                    switchPort, checker, machine);
                return result;
            }
        }
    }

    private List<String> switchArgs(final Path switchData)
    {
        final List<String> args = new ArrayList<>(List.of("--data-dir", switchData.toString(), "--port",
            String.valueOf(options.switchPort), "--metrics-port", String.valueOf(options.switchMetricsPort)));
        for (final String setting : options.switchSettings)
        {
            args.add("--set");
            args.add(setting);
        }
        return args;
    }

    private Result drive(final PrintStream out, final ChildService switchProcess, final ChildService admin,
        final Path switchGc, final Path adminGc, final Path adminData, final String baseUrl, final SoakTokens tokens,
        final int switchPort,
        final long checker, final String machine) throws Exception
    {
        final PrintStream fleetLog = new PrintStream(Files.newOutputStream(options.outDir.resolve("fleet.log")), true,
            StandardCharsets.UTF_8);
        final PrintStream adminLog = new PrintStream(Files.newOutputStream(options.outDir.resolve("admin-traffic.log")),
            true, StandardCharsets.UTF_8);
        final Fleet fleet = new Fleet(new FleetOptions().host("127.0.0.1").port(switchPort).terminals(options.terminals)
            .ratePerSecond(options.rate).durationMs(options.durationMs).cards(options.cards).drainTimeoutMs(10_000));
        final AtomicReference<FleetResult> fleetResult = new AtomicReference<>();
        final AtomicReference<Throwable> fleetFailure = new AtomicReference<>();
        final Thread fleetThread = new Thread(() ->
        {
            try
            {
                fleetResult.set(fleet.run(fleetLog));
            }
            catch (final Throwable ex)
            {
                fleetFailure.set(ex);
            }
        }, "soak-fleet");
        final AdminTraffic traffic = new AdminTraffic(baseUrl, tokens, "127.0.0.1", switchPort, checker,
            options.adminPauseMs, adminLog);
        final Thread trafficThread = new Thread(traffic, "soak-admin-traffic");
        final List<Row> rows = new ArrayList<>();
        final long startNs = System.nanoTime();
        fleetThread.start();
        trafficThread.start();
        out.println(SoakReport.liveHeader());
        long lastCalls = 0;
        long lastRefused = 0;
        long lastUnanswered = 0;
        long lastApplied = 0;
        long lastAnswered = 0;
        int index = 0;
        while (fleetThread.isAlive())
        {
            final long nextNs = startNs + TimeUnit.MILLISECONDS.toNanos(options.sampleMs) * (index + 1);
            while (fleetThread.isAlive() && System.nanoTime() - nextNs < 0)
            {
                fleetThread.join(Math.max(1, Math.min(1_000, TimeUnit.NANOSECONDS.toMillis(nextNs - System.nanoTime()))));
            }
            if (!fleetThread.isAlive())
            {
                break;
            }
            index++;
            final Histogram window = fleet.takeWindow();
            final long answered = fleet.counter(Fleet.COUNT_ANSWERED);
            final long calls = traffic.calls.get();
            final long refused = traffic.refused.get();
            final long unansweredCalls = traffic.unanswered.get();
            final long applied = traffic.appliedAtSwitch.get();
            final Row row = new Row(index, (System.nanoTime() - startNs) / 1e9,
                List.of(jvm("switch", switchProcess, switchGc), jvm("admin", admin, adminGc), postgres(adminData)),
                answered - lastAnswered,
                window.getTotalCount() == 0 ? 0 : window.getValueAtPercentile(50) / 1000.0,
                window.getTotalCount() == 0 ? 0 : window.getValueAtPercentile(99) / 1000.0,
                window.getTotalCount() == 0 ? 0 : window.getMaxValue() / 1000.0,
                fleet.overdue(OVERDUE_MS),
                calls - lastCalls, refused - lastRefused, unansweredCalls - lastUnanswered, applied - lastApplied);
            rows.add(row);
            out.println(SoakReport.liveLine(row));
            lastAnswered = answered;
            lastCalls = calls;
            lastRefused = refused;
            lastUnanswered = unansweredCalls;
            lastApplied = applied;
            if (!switchProcess.isAlive() || !admin.isAlive())
            {
                out.println("soak: a service process died; see " + options.outDir);
                break;
            }
        }
        traffic.stop();
        fleetThread.join();
        trafficThread.join(TimeUnit.MINUTES.toMillis(2));
        fleetLog.close();
        adminLog.close();
        if (null != fleetFailure.get())
        {
            throw new IllegalStateException("the fleet failed", fleetFailure.get());
        }
        final int adminExit = admin.stop();
        final int switchExit = switchProcess.stop();
        return new Result(options, List.copyOf(rows), fleetResult.get(), traffic.calls.get(), traffic.answered.get(),
            traffic.refused.get(), traffic.unanswered.get(), traffic.cycles.get(), traffic.appliedAtSwitch.get(),
            traffic.notAppliedAtSwitch.get(), traffic.slowestMs.get(), traffic.slowestApplyMs.get(),
            List.copyOf(traffic.problems), switchExit, adminExit, machine);
    }

    private static ProcessRow jvm(final String name, final ChildService process, final Path gcLog)
    {
        final ProcStats.Sample sample = ProcStats.of(process.pid());
        return new ProcessRow(name, sample.processes(), sample.rssKb(), ProcStats.heapAfterLastGcKb(gcLog), sample.fds(),
            sample.threads(), ProcStats.collections(gcLog), sample.anonKb(), sample.fileKb());
    }

    /**
     * The admin's embedded PostgreSQL: its postmaster (the PID in {@code postmaster.pid} under the admin's data
     * directory; {@code pg_ctl} detaches it from the admin JVM) and every process under it (backends, writers).
     */
    private static ProcessRow postgres(final Path adminData)
    {
        final List<ProcessHandle> pg = new ArrayList<>();
        try (Stream<Path> files = Files.find(adminData, 4, (path, attributes) -> path.endsWith("postmaster.pid")))
        {
            for (final Path pidFile : files.toList())
            {
                final long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
                ProcessHandle.of(pid).ifPresent(postmaster ->
                {
                    pg.add(postmaster);
                    postmaster.descendants().forEach(pg::add);
                });
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            // not started yet, or stopping: no processes
        }
        final ProcStats.Sample sample = ProcStats.ofGroup(pg);
        return new ProcessRow("postgres", sample.processes(), sample.rssKb(), -1, sample.fds(), sample.threads(), 0, 0, 0);
    }

    /** The admin's demo load reaches the switch through the outbox: the last demo card answering means all did. */
    private static void awaitSwitchHoldsDemoData(final int port, final long checker, final int cards) throws InterruptedException
    {
        long lastCard = 1_000_000L + cards;
        while (lastCard % 100 >= 97)
        {
            lastCard--; // not enrolled, expired or blocked in the demo data
        }
        final long deadlineNs = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        String last = "no answer";
        while (System.nanoTime() - deadlineNs < 0)
        {
            try (TerminalClient terminal = TerminalClient.connect("127.0.0.1", port, checker, TerminalClient.demoKey(checker)))
            {
                // the commands are applied in order: the last card answering means every card is there
                final BalanceResult balance = terminal.balance(lastCard);
                if (balance.decision() == Decision.APPROVED)
                {
                    return;
                }
                last = balance.toString();
            }
            catch (final RuntimeException ex)
            {
                last = ex.toString();
            }
            TimeUnit.MILLISECONDS.sleep(250);
        }
        throw new IllegalStateException("the switch did not get the demo data within 10 minutes: " + last);
    }

    private static Path prepare(final Path dir) throws IOException
    {
        if (Files.exists(dir))
        {
            if (!Files.exists(dir.resolve(MARKER)))
            {
                try (Stream<Path> entries = Files.list(dir))
                {
                    if (entries.findAny().isPresent())
                    {
                        throw new IllegalStateException("refusing to wipe " + dir.toAbsolutePath() + ": not a soak " +
                            "directory (no " + MARKER + "); choose another --out");
                    }
                }
            }
            try (Stream<Path> paths = Files.walk(dir))
            {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(dir);
        Files.createFile(dir.resolve(MARKER));
        return dir;
    }
}
