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
import java.util.stream.Stream;

import io.tapswitch.bench.fleet.Fleet;
import io.tapswitch.bench.fleet.FleetOptions;
import io.tapswitch.bench.fleet.FleetResult;
import io.tapswitch.switching.config.SwitchConfig;
import io.tapswitch.switching.net.SwitchLauncher;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./tapswitch demo}: the whole system on demo data in one JVM — a switch provisioned with the demo dataset
 * in a fresh data directory, then a fleet of terminals against it for a bounded time, then the summary and where
 * to look next, then a clean stop.
 * <p>
 * Each part is a stage that starts a service and registers it for closing in reverse order, so more services
 * (the admin service) slot in between the switch and the fleet.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    version = "tapswitch demo 0.1.0",
    description = "Run the switch on the demo dataset (fresh data directory) and a fleet of demo terminals against " +
        "it, print the summary, then stop.")
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

    @Option(names = "--data-dir", paramLabel = "DIR", description = "demo data directory, wiped at start (default ./data/demo)")
    private Path dataDir = Paths.get("data", "demo");

    private final Deque<AutoCloseable> services = new ArrayDeque<>();
    private final PrintStream out = System.out;
    private SwitchLauncher switchLauncher;

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
            final FleetResult result = runFleet();
            result.print(out);
            printSwitchSide();
            printNextSteps();
            return result.loggedOn() > 0 ? 0 : 1;
        }
        finally
        {
            closeServices();
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
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
        settings.put("demo", "true");
        settings.put("demo-cards", String.valueOf(cards));
        settings.put("demo-terminals", String.valueOf(demoTerminals));
        final SwitchConfig config = SwitchConfig.of(settings);

        out.printf(Locale.ROOT, "demo: starting the switch with %d demo cards and %d terminals in %s ...%n",
            cards, demoTerminals, dataDir.resolve("switch").toAbsolutePath());
        final long startMs = System.currentTimeMillis();
        switchLauncher = SwitchLauncher.start(config);
        services.push(switchLauncher);
        out.printf(Locale.ROOT, "tapswitch switch listening on 127.0.0.1:%d (%d admin commands applied, %d ms)%n",
            switchLauncher.port(), switchLauncher.startupCommandsApplied(), System.currentTimeMillis() - startMs);
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

    private void printNextSteps()
    {
        out.println();
        out.println("=== where to look next ===");
        out.printf(Locale.ROOT, "metrics       curl -s http://127.0.0.1:%d/metrics | grep ^tapswitch_   " +
            "(only while the demo runs)%n", switchLauncher.metricsPort());
        out.println("run a switch  ./tapswitch switch --demo --data-dir ./data/switch   " +
            "(prints 'tapswitch switch listening on 127.0.0.1:7700'; Ctrl-C stops it cleanly)");
        out.println("drive it      ./tapswitch fleet --port 7700 --terminals 2000 --rate 5000 --duration 60");
        out.println("              ./tapswitch fleet --port 7700 --terminals 200 --rate max --in-flight 4 --duration 20");
        out.println("configure     ./tapswitch switch --help, and the Configuration section of README.md");
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
