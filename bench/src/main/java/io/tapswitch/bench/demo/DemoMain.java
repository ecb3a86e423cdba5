package io.tapswitch.bench.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.tapswitch.admin.AdminConfig;
import io.tapswitch.admin.AdminService;
import io.tapswitch.admin.demo.AdminDemoLoader;
import io.tapswitch.bench.fleet.Fleet;
import io.tapswitch.bench.fleet.FleetOptions;
import io.tapswitch.bench.fleet.FleetResult;
import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.client.BalanceResult;
import io.tapswitch.protocol.client.TerminalClient;
import io.tapswitch.switching.config.SwitchConfig;
import io.tapswitch.switching.net.SwitchLauncher;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./tapswitch demo}: the whole system on demo data in one JVM — a switch on a fresh data directory, the
 * admin service on an embedded PostgreSQL, the demo dataset loaded through the admin service (so PostgreSQL and
 * the switch both hold it: registry rows by COPY, switch commands through the outbox), then a fleet of terminals
 * for a bounded time, the summary, where to look next, and a clean stop (or, with {@code --keep-running}, the
 * services stay up until Ctrl-C).
 * <p>
 * Each part is a stage that starts a service and registers it for closing in reverse order.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    version = "tapswitch demo 0.1.0",
    description = "Run the switch and the admin service (embedded PostgreSQL) on the demo dataset in a fresh data " +
        "directory, drive the switch with a fleet of demo terminals, print the summary, then stop.")
public final class DemoMain implements Callable<Integer>
{
    /** A file marking a directory as the demo's own, so a rerun may wipe it and nothing else. */
    static final String MARKER = ".tapswitch-demo";

    @Option(names = "--duration", paramLabel = "S", description = "seconds of fleet load (default 30)")
    private double durationSeconds = 30;

    @Option(names = "--terminals", paramLabel = "T", description = "fleet terminals (default 200)")
    private int terminals = 200;

    @Option(names = "--rate", paramLabel = "R|max", description = "total taps per second, or max (default 1000)")
    private String rate = "1000";

    @Option(names = "--cards", paramLabel = "N", description = "demo cards provisioned (default 100000)")
    private int cards = 100_000;

    @Option(names = "--demo-terminals", paramLabel = "T", description = "demo terminals provisioned (default 2000)")
    private int demoTerminals = 2_000;

    @Option(names = "--port", paramLabel = "P", description = "switch port (default 7700)")
    private int port = 7700;

    @Option(names = "--metrics-port", paramLabel = "M", description = "switch metrics port (default 9464)")
    private int metricsPort = 9464;

    @Option(names = "--admin-port", paramLabel = "P", description = "admin API port (default 8080)")
    private int adminPort = 8080;

    @Option(names = "--admin-metrics-port", paramLabel = "M", description = "admin metrics port (default 9465)")
    private int adminMetricsPort = 9465;

    @Option(names = "--keep-running", description = "leave the switch and the admin service up after the fleet, until Ctrl-C")
    private boolean keepRunning;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "demo data directory, wiped at start (default ./data/demo)")
    private Path dataDir = Paths.get("data", "demo");

    private final Deque<AutoCloseable> services = new ArrayDeque<>();
    private final PrintStream out = System.out;
    private SwitchLauncher switchLauncher;
    private AdminService admin;
    private String adminToken;
    private String consoleLine;

    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new DemoMain()).execute(args));
    }

    public Integer call() throws Exception
    {
        final Thread shutdownHook = new Thread(this::closeServices, "tapswitch-demo-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try
        {
            prepareDataDir();
            try
            {
                startSwitch();
            }
            catch (final java.io.IOException ex)
            {
                System.err.println("demo: cannot listen on 127.0.0.1:" + port + " or :" + metricsPort + " (" +
                    ex.getMessage() + "); choose free ports with --port and --metrics-port");
                return 2;
            }
            startAdmin();
            loadDemoData();
            createAccounts();
            final FleetResult result = runFleet();
            result.print(out);
            awaitIngested();
            printSwitchSide();
            printNextSteps();
            if (keepRunning)
            {
                out.println();
                out.println("demo: the switch and the admin service keep running; Ctrl-C stops them cleanly");
                out.flush();
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
                final CountDownLatch stopped = new CountDownLatch(1);
                Runtime.getRuntime().addShutdownHook(new Thread(() ->
                {
                    closeServices();
                    stopped.countDown();
                }, "tapswitch-demo-shutdown"));
                stopped.await();
                return 0;
            }
            return result.loggedOn() > 0 ? 0 : 1;
        }
        finally
        {
            if (!keepRunning)
            {
                closeServices();
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            }
        }
    }

    private void prepareDataDir() throws IOException
    {
        if (Files.exists(dataDir))
        {
            if (!Files.exists(dataDir.resolve(MARKER)) && !isEmpty(dataDir))
            {
                throw new IllegalStateException("refusing to wipe " + dataDir.toAbsolutePath() +
                    ": not a demo directory (no " + MARKER + "); choose another --data-dir");
            }
            try (Stream<Path> paths = Files.walk(dataDir))
            {
                paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
            }
        }
        Files.createDirectories(dataDir);
        Files.createFile(dataDir.resolve(MARKER));
    }

    private void startSwitch() throws Exception
    {
        final Map<String, String> settings = new LinkedHashMap<>();
        settings.put("host", "127.0.0.1");
        settings.put("port", String.valueOf(port));
        settings.put("metrics-port", String.valueOf(metricsPort));
        settings.put("data-dir", dataDir.resolve("switch").toString());
        final SwitchConfig config = SwitchConfig.of(settings);

        out.printf(Locale.ROOT, "demo: starting the switch in %s ...%n", dataDir.resolve("switch").toAbsolutePath());
        switchLauncher = SwitchLauncher.start(config);
        services.push(switchLauncher);
        out.printf(Locale.ROOT, "tapswitch switch listening on 127.0.0.1:%d%n", switchLauncher.port());
    }

    private void startAdmin() throws Exception
    {
        // the embedded PostgreSQL's initdb/server chatter stays out of the console
        if (org.slf4j.LoggerFactory.getLogger("io.zonky") instanceof ch.qos.logback.classic.Logger zonky)
        {
            zonky.setLevel(ch.qos.logback.classic.Level.WARN);
        }
        final AdminConfig config = new AdminConfig()
            .host("127.0.0.1")
            .port(adminPort)
            .metricsPort(adminMetricsPort)
            .dataDir(dataDir.resolve("admin"))
            .switchDataDir(dataDir.resolve("switch"))
            // aid cases (service cards No. 13 and No. 26) grant the demo's hygiene kit and food kit programs
            .extra(new io.vertx.core.json.JsonObject().put("workflow", new io.vertx.core.json.JsonObject()
                .put("programs", new io.vertx.core.json.JsonObject()
                    .put("aid.children-with-disabilities", 2)
                    .put("aid.difficult-life-situation", 1))));
        config.conclude();
        adminToken = config.generatedToken();
        out.printf(Locale.ROOT, "demo: starting the admin service with an embedded PostgreSQL in %s ...%n",
            dataDir.resolve("admin").toAbsolutePath());
        admin = new AdminService(config);
        admin.start().toCompletionStage().toCompletableFuture().get(5, TimeUnit.MINUTES);
        final AdminService started = admin;
        services.push(() -> started.stop().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS));
        out.printf(Locale.ROOT, "tapswitch admin: %s/api/v1%n", admin.baseUrl());
    }

    private void loadDemoData() throws Exception
    {
        out.printf(Locale.ROOT, "demo: loading %d demo cards and %d terminals through the admin service ...%n",
            cards, demoTerminals);
        final AdminDemoLoader.Result loaded = AdminDemoLoader.load(admin, cards, demoTerminals);
        if (!admin.awaitOutboxDrained(TimeUnit.MINUTES.toMillis(5)))
        {
            throw new IllegalStateException("the admin service did not publish the demo commands within 5 minutes");
        }
        awaitSwitchHoldsDemoData();
        out.printf(Locale.ROOT, "demo: PostgreSQL and the switch hold the demo data (%d commands, %d ms)%n",
            loaded.commands(), loaded.elapsedMs());
    }

    /** The switch applies the commands in order; the last card answering BALANCE means all of them are applied. */
    private void awaitSwitchHoldsDemoData() throws InterruptedException
    {
        long lastCard = 1_000_000L + cards;
        while (lastCard % 100 >= 97)
        {
            lastCard--;
        }
        final long deadlineNs = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() - deadlineNs < 0)
        {
            try (TerminalClient terminal = TerminalClient.connect("127.0.0.1", switchLauncher.port(), 1, TerminalClient.demoKey(1)))
            {
                final BalanceResult balance = terminal.balance(lastCard);
                if (balance.decision() == Decision.APPROVED)
                {
                    return;
                }
            }
            catch (final TerminalClient.LogonFailedException ex)
            {
                // terminal 1 not registered yet: its command is still on its way
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        throw new IllegalStateException("the switch did not apply the demo commands within 5 minutes");
    }

    /** The journal ingester copies every decision into PostgreSQL; wait (bounded) until it has caught up. */
    private void awaitIngested() throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (admin.ingester().lagEntries() > 0 && System.nanoTime() - deadlineNs < 0)
        {
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    private FleetResult runFleet() throws InterruptedException
    {
        final FleetOptions options = new FleetOptions()
            .host("127.0.0.1")
            .port(switchLauncher.port())
            .terminals(Math.min(terminals, demoTerminals))
            .ratePerSecond(parseRate(rate))
            .durationMs((long)(durationSeconds * 1000))
            .cards(cards);
        out.printf(Locale.ROOT, "demo: fleet of %d terminals for %.0f s ...%n", options.terminals(), durationSeconds);
        return new Fleet(options).run(out);
    }

    private void printSwitchSide()
    {
        final io.micrometer.core.instrument.MeterRegistry registry = switchLauncher.metrics().registry();
        final io.micrometer.core.instrument.Timer latency =
            registry.find("tapswitch.authorization.latency").timer();
        final io.micrometer.core.instrument.Timer append = registry.find("tapswitch.journal.append.latency").timer();
        out.println();
        out.println("=== the switch's own view (from its /metrics) ===");
        if (null != latency)
        {
            out.printf(Locale.ROOT, "authorization  %d answers, mean %.3f ms, max %.3f ms (receipt -> response released)%n",
                latency.count(), latency.mean(java.util.concurrent.TimeUnit.MILLISECONDS),
                latency.max(java.util.concurrent.TimeUnit.MILLISECONDS));
        }
        if (null != append)
        {
            out.printf(Locale.ROOT, "journal        %d appends, mean %.1f us%n",
                append.count(), append.mean(java.util.concurrent.TimeUnit.MICROSECONDS));
        }
        final io.micrometer.core.instrument.FunctionCounter busy = registry.find("tapswitch.busy").functionCounter();
        out.printf(Locale.ROOT, "shed (BUSY)    %.0f%n", null == busy ? 0.0 : busy.count());
    }

    /**
     * The demo's accounts for every role (issue 17): the center administrator's line is printed; every account's
     * credentials go to {@code demo-accounts.txt} in the data directory, readable by its owner only.
     */
    private void createAccounts() throws Exception
    {
        final java.util.List<io.tapswitch.admin.account.DemoAccounts.Credential> accounts =
            io.tapswitch.admin.account.DemoAccounts.create(admin);
        final StringBuilder file = new StringBuilder("# tapswitch demo accounts of this run (console: " + admin.baseUrl() + "/)\n");
        for (final io.tapswitch.admin.account.DemoAccounts.Credential account : accounts)
        {
            file.append(String.format(Locale.ROOT, "user %-11s password %s   %s%s%n", account.username(), account.password(),
                account.roles(), account.district() == null ? "" : " (" + account.district() + ")"));
        }
        final Path list = dataDir.resolve("demo-accounts.txt");
        Files.writeString(list, file.toString());
        try
        {
            Files.setPosixFilePermissions(list, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        }
        catch (final UnsupportedOperationException ignore)
        {
            // not a POSIX file system: the directory's permissions apply
        }
        consoleLine = String.format(Locale.ROOT, "console %s/ user %s password %s", admin.baseUrl(), accounts.get(0).username(),
            accounts.get(0).password());
        out.printf(Locale.ROOT, "demo: %d accounts, one per role; all their passwords are in %s%n", accounts.size(),
            list.toAbsolutePath());
    }

    private void printNextSteps()
    {
        out.println();
        out.println("=== where to look next ===");
        if (!keepRunning)
        {
            out.println("(the switch and the admin stop as this run ends: the console, the API, the token and the metrics " +
                "below answer only in a run with --keep-running)");
        }
        out.println(consoleLine);
        out.printf(Locale.ROOT, "admin API     %s/api/v1   (contract: %s/api/v1/openapi.yaml)%n", admin.baseUrl(), admin.baseUrl());
        out.printf(Locale.ROOT, "demo token    %s   (center administrator, this run only)%n", adminToken);
        out.printf(Locale.ROOT, "try           curl -s -H 'Authorization: Bearer %s' '%s/api/v1/taps?limit=5'%n", adminToken, admin.baseUrl());
        out.printf(Locale.ROOT, "              curl -s -H 'Authorization: Bearer %s' '%s/api/v1/service-cards'%n", adminToken, admin.baseUrl());
        out.printf(Locale.ROOT, "admin metrics curl -s http://127.0.0.1:%d/metrics | grep ^tapswitch_admin_%n", admin.metricsPort());
        out.printf(Locale.ROOT, "metrics       curl -s http://127.0.0.1:%d/metrics | grep ^tapswitch_   " +
            "(while the services run: --keep-running)%n", switchLauncher.metricsPort());
        out.println("run a switch  ./tapswitch switch --demo --data-dir ./data/switch   " +
            "(prints 'tapswitch switch listening on 127.0.0.1:7700'; Ctrl-C stops it cleanly)");
        out.println("drive it      ./tapswitch fleet --port 7700 --terminals 2000 --rate 5000 --duration 60");
        out.println("              ./tapswitch fleet --port 7700 --terminals 200 --rate max --in-flight 4 --duration 20");
        out.println("configure     ./tapswitch switch --help, and the Configuration section of README.md");
        out.println("run the admin ./tapswitch admin --switch-data-dir ./data/switch --demo   (embedded PostgreSQL in ./data/admin)");
        out.println("demo data     ../shared/DEMO-DATA.md: cards 1000001.., terminals 1.., keys SHA-256(\"tapswitch-demo-<t>\")");
        out.println("journal       " + dataDir.resolve("switch").resolve("journal").toAbsolutePath() +
            " (kept until the next demo run)");
    }

    private synchronized void closeServices()
    {
        AutoCloseable service;
        while (null != (service = services.poll()))
        {
            try
            {
                service.close();
            }
            catch (final Exception ex)
            {
                System.err.println("demo: closing " + service + " failed: " + ex);
            }
        }
    }

    private static boolean isEmpty(final Path dir) throws IOException
    {
        try (Stream<Path> entries = Files.list(dir))
        {
            return entries.findAny().isEmpty();
        }
    }

    private static double parseRate(final String rate)
    {
        return "max".equalsIgnoreCase(rate) ? FleetOptions.RATE_MAX : Double.parseDouble(rate);
    }
}
