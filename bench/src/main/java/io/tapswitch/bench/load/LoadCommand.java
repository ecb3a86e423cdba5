package io.tapswitch.bench.load;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import io.tapswitch.bench.fleet.Fleet;
import io.tapswitch.bench.fleet.FleetOptions;
import io.tapswitch.bench.fleet.FleetResult;
import io.tapswitch.switching.config.Setting;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./tapswitch bench load}: in one go and with the same fleet generator, runs every load shape against
 * (a) the bare Tap Protocol server ({@link BareTapServer}: the practical limit of this machine), (b) the bare durable
 * server (the same, answering only after a group-commit fdatasync of its requests: the disk's limit for a durable
 * answer), (c) the real switch with the demo dataset and journaling on, and (d) the same switch with
 * {@code journal-sync=none}, all as child JVMs started the same way; alternates the servers per shape so a change in
 * the machine's background load hits all; prints and writes Markdown and JSON with the ratios switch / limit per
 * shape, and an HdrHistogram log of each shape and server ({@code DIR/hdr}) for {@code ./tapswitch bench plot}.
 */
@Command(
    name = "load",
    mixinStandardHelpOptions = true,
    description = "Compare the switch with a bare Tap Protocol v1 server under the same fleet, shape by shape.")
public final class LoadCommand implements Callable<Integer>
{
    static final String BARE = "bare";
    static final String BARE_DURABLE = "bare-durable";
    static final String SWITCH = "switch";
    static final String SWITCH_NOSYNC = "switch-nosync";
    static final List<String> SERVERS = List.of(BARE, BARE_DURABLE, SWITCH, SWITCH_NOSYNC);

    @Option(names = "--scenario", paramLabel = "NAME",
        description = "one shape: round-trip, pipelined, many-terminals, fixed-rate, fleet-10k (default: all)")
    private String scenario;

    @Option(names = "--duration", paramLabel = "S",
        description = "seconds of load per shape and server (default: ${DEFAULT-VALUE})")
    private int durationSeconds = 10;

    @Option(names = "--warmup", paramLabel = "S",
        description = "seconds of pipelined warm-up per server, not reported (default: ${DEFAULT-VALUE})")
    private int warmupSeconds = 5;

    @Option(names = "--out", paramLabel = "DIR",
        description = "where load.md, load.json and the server logs go (default: ${DEFAULT-VALUE})")
    private Path outDir = Path.of("bench", "results", "load");

    @Option(names = "--cards", paramLabel = "N",
        description = "demo cards provisioned into the switch (its --demo-cards) and tapped at random (default: " +
            "${DEFAULT-VALUE}, the demo's, as ./tapswitch switch --demo)")
    private int cards = Integer.parseInt(Setting.DEMO_CARDS.defaultValue());

    @Option(names = "--server-io-threads", paramLabel = "N",
        description = "Netty event loops of both servers (default: ${DEFAULT-VALUE})")
    private int serverIoThreads = 1;

    @Option(names = "--fleet-io-threads", paramLabel = "N",
        description = "Netty event loops of the fleet (default: ${DEFAULT-VALUE})")
    private int fleetIoThreads = 1;

    @Option(names = "--server-jvm", paramLabel = "OPT", split = " ",
        description = "JVM options added to every server's JAVA_OPTS, after the launcher's switch defaults " +
            "(heap, pre-touch, GC: ./tapswitch); none by default: the servers run as ./tapswitch switch does")
    private List<String> serverJvmOptions = new ArrayList<>();

    @Option(names = "--jfr",
        description = "record a JFR profile (settings=profile) of the switch during each shape of the run into " +
            "DIR/switch-SHAPE.jfr and summarise it (top frames, allocation per request, GC pauses); the profiler " +
            "costs throughput, so take the figures from a run without it")
    private boolean jfr;

    @Option(names = "--only", paramLabel = "SERVER", split = ",",
        description = "run only these servers: bare, bare-durable, switch, switch-nosync (comma-separated; " +
            "default: all four)")
    private List<String> only;

    @Option(names = "--durable-log-mib", paramLabel = "MIB",
        description = "size of the bare durable server's log file, written at start and reused as a ring " +
            "(default: ${DEFAULT-VALUE})")
    private int durableLogMib = 256;

    @Option(names = "--switch-set", paramLabel = "KEY=VALUE",
        description = "a switch setting for a variant run, passed as --set KEY=VALUE (repeatable), " +
            "e.g. journal-sync=none")
    private List<String> switchSettings = new ArrayList<>();

    public Integer call() throws Exception
    {
        final List<Shape> shapes = null == scenario ? List.of(Shape.values()) : List.of(Shape.byName(scenario));
        final List<String> servers = null == only ? SERVERS : only;
        for (final String server : servers)
        {
            if (!SERVERS.contains(server))
            {
                throw new IllegalArgumentException("--only takes " + String.join(", ", SERVERS) + ": " + server);
            }
        }
        if (durationSeconds < 1 || warmupSeconds < 0 || cards < 1 || durableLogMib < 1)
        {
            throw new IllegalArgumentException("--duration >= 1, --warmup >= 0, --cards >= 1, --durable-log-mib >= 1 required");
        }
        Files.createDirectories(outDir);
        final Path hdrDir = outDir.resolve("hdr");
        Files.createDirectories(hdrDir);
        final String startedAt = Instant.now().toString();
        final List<Path> tempDirs = new ArrayList<>();

        System.out.println("tapswitch bench load: " + shapes.size() + " shape(s) x " + durationSeconds +
            " s, warm-up " + warmupSeconds + " s per server, servers " + String.join(", ", servers) + "; load " +
            LoadReport.loadAverage());
        final Map<String, ServerProcess> running = new LinkedHashMap<>();
        // the JVM options the switch (else the first server) really got from the launcher, for the report
        List<String> serverJvm = List.of();
        final Map<String, Map<Shape, ShapeResult>> results = new LinkedHashMap<>();
        try
        {
            for (final String name : SERVERS)
            {
                if (servers.contains(name))
                {
                    final Path dir = Files.createTempDirectory("tapswitch-load-" + name + "-");
                    tempDirs.add(dir);
                    final ServerProcess server = start(name, dir, demoTerminals(shapes));
                    running.put(name, server);
                    if (serverJvm.isEmpty() || SWITCH.equals(name))
                    {
                        serverJvm = server.jvmOptions();
                    }
                    results.put(name, new EnumMap<>(Shape.class));
                }
            }
            if (warmupSeconds > 0)
            {
                for (final ServerProcess server : running.values())
                {
                    final FleetResult warm = new Fleet(options(Shape.PIPELINED, server.port(), warmupSeconds)).run(null);
                    System.out.printf("warm-up %-13s %.0f req/s%n", server.name(), warm.answeredPerSecond());
                }
            }

            for (final Shape shape : shapes)
            {
                for (final Map.Entry<String, ServerProcess> server : running.entrySet())
                {
                    final List<ServerProcess> others = new ArrayList<>(running.values());
                    others.remove(server.getValue());
                    results.get(server.getKey()).put(shape, measure(server.getKey(), server.getValue(), others, shape,
                        hdrDir));
                }
            }
        }
        finally
        {
            for (final ServerProcess server : running.values())
            {
                server.close();
            }
            for (final Path dir : tempDirs)
            {
                deleteQuietly(dir);
            }
        }

        final LoadReport report = new LoadReport(startedAt, durationSeconds, cards, serverIoThreads, fleetIoThreads,
            serverJvm, switchSettings, shapes, switchJournalSync(), results);
        final String markdown = report.markdown();
        Files.writeString(outDir.resolve("load.md"), markdown, StandardCharsets.UTF_8);
        Files.writeString(outDir.resolve("load.json"), report.json(), StandardCharsets.UTF_8);
        System.out.println();
        System.out.println(markdown);
        System.out.println("written: " + outDir.resolve("load.md") + ", " + outDir.resolve("load.json") +
            ", HdrHistogram logs in " + hdrDir + " (./tapswitch bench plot " + outDir + " draws them)");
        return report.allAnswered() ? 0 : 1;
    }

    /** The servers' JAVA_OPTS: this JVM's (as the launcher would give a ./tapswitch switch), then --server-jvm. */
    private String javaOpts()
    {
        final String inherited = System.getenv("JAVA_OPTS");
        final List<String> opts = new ArrayList<>();
        if (null != inherited && !inherited.isBlank())
        {
            opts.add(inherited.trim());
        }
        opts.addAll(serverJvmOptions);
        return String.join(" ", opts);
    }

    /** The switch's journal-sync as the run sets it (the last --switch-set wins, as in the switch). */
    private String switchJournalSync()
    {
        String sync = "batch";
        for (final String setting : switchSettings)
        {
            if (setting.startsWith("journal-sync="))
            {
                sync = setting.substring("journal-sync=".length());
            }
        }
        return sync;
    }

    /**
     * @return the switch's demo terminals: the user's default (2 000), or more when a shape opens more connections
     * (the 10 000 terminals of {@code fleet-10k}).
     */
    static int demoTerminals(final List<Shape> shapes)
    {
        return Math.max(Integer.parseInt(Setting.DEMO_TERMINALS.defaultValue()), Shape.maxConnections(shapes));
    }

    private ServerProcess start(final String name, final Path dir, final int demoTerminals)
        throws IOException, InterruptedException
    {
        final ServerProcess server;
        if (BARE.equals(name) || BARE_DURABLE.equals(name))
        {
            final List<String> args = new ArrayList<>(List.of("0", Integer.toString(serverIoThreads)));
            if (BARE_DURABLE.equals(name))
            {
                args.add(dir.resolve("bare-durable.log").toString());
                args.add(Integer.toString(durableLogMib));
            }
            server = ServerProcess.launch(name, "bare", javaOpts(), args, outDir, 120_000);
            System.out.println(name + " server pid " + server.pid() + " on port " + server.port() + ", JVM " +
                String.join(" ", server.jvmOptions()));
            return server;
        }
        final long startMs = System.currentTimeMillis();
        final List<String> switchArgs = new ArrayList<>(List.of("--port", "0", "--metrics-port", "0",
            "--data-dir", dir.toString(), "--demo", "--demo-cards", Integer.toString(cards),
            "--demo-terminals", Integer.toString(demoTerminals), "--set", "io-threads=" + serverIoThreads));
        // every other setting at its default, as ./tapswitch switch --demo: a demo switch sizes its card tables for
        // its demo cards itself, the idempotency table grows under load without a pause
        for (final String setting : switchSettings)
        {
            switchArgs.add("--set");
            switchArgs.add(setting);
        }
        if (SWITCH_NOSYNC.equals(name))
        {
            switchArgs.add("--set");
            switchArgs.add("journal-sync=none");
        }
        server = ServerProcess.launch(name, "switch", javaOpts(), switchArgs, outDir, 20 * 60_000);
        System.out.println(name + " pid " + server.pid() + " on port " + server.port() + " (" + cards +
            " demo cards provisioned and applied in " + (System.currentTimeMillis() - startMs) + " ms), JVM " +
            String.join(" ", server.jvmOptions()));
        return server;
    }

    private ShapeResult measure(
        final String name, final ServerProcess server, final List<ServerProcess> others, final Shape shape,
        final Path hdrDir)
        throws InterruptedException, IOException
    {
        final String load = LoadReport.loadAverage();
        final long serverCpuStartNs = server.cpuNs();
        final long otherCpuStartNs = cpuNs(others);
        final long fleetCpuStartNs = processCpuNs();
        final boolean record = jfr && name.startsWith(SWITCH);
        final Path recording = outDir.toAbsolutePath().resolve(name + "-" + shape.scenarioName() + ".jfr");
        if (record)
        {
            jcmd(server, "JFR.start", "name=bench", "settings=profile", "filename=" + recording);
        }
        final long wallStartNs = System.nanoTime();
        final FleetResult fleet = new Fleet(options(shape, server.port(), durationSeconds)).run(null);
        final double wallSeconds = (System.nanoTime() - wallStartNs) / 1e9;
        if (record)
        {
            jcmd(server, "JFR.stop", "name=bench");
            final String summary = JfrSummary.read(recording).markdown(fleet.answered());
            Files.writeString(outDir.resolve(name + "-" + shape.scenarioName() + "-jfr.md"), summary,
                StandardCharsets.UTF_8);
            System.out.println(summary);
        }
        final ShapeResult result = new ShapeResult(name, shape, fleet,
            server.cpuNs() - serverCpuStartNs,
            processCpuNs() - fleetCpuStartNs,
            cpuNs(others) - otherCpuStartNs,
            wallSeconds,
            load);
        System.out.println(result.summaryLine());
        LatencyLogs.write(hdrDir, shape, name, fleet, System.currentTimeMillis() - Math.round(wallSeconds * 1000), load);
        return result;
    }

    private static long cpuNs(final List<ServerProcess> servers)
    {
        long total = 0;
        for (final ServerProcess server : servers)
        {
            total += server.cpuNs();
        }
        return total;
    }

    private static void jcmd(final ServerProcess server, final String... command)
        throws InterruptedException
    {
        final List<String> args = new ArrayList<>();
        args.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
        args.add(Long.toString(server.pid()));
        args.addAll(List.of(command));
        try
        {
            final Process process = new ProcessBuilder(args).redirectErrorStream(true).start();
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.waitFor() != 0)
            {
                throw new IllegalStateException("jcmd " + String.join(" ", command) + " failed: " + output);
            }
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot run jcmd", ex);
        }
    }

    private FleetOptions options(final Shape shape, final int port, final int seconds)
    {
        return new FleetOptions()
            .host("127.0.0.1")
            .port(port)
            .terminals(shape.connections())
            .firstTerminal(1)
            .ratePerSecond(shape.ratePerSecond())
            .inFlight(shape.inFlight())
            .durationMs(seconds * 1_000L)
            .cards(cards)
            .ioThreads(fleetIoThreads)
            .programId(0);
    }

    static long processCpuNs()
    {
        return ((com.sun.management.OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime();
    }

    private static void deleteQuietly(final Path dir)
    {
        try (var paths = Files.walk(dir))
        {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach((p) -> p.toFile().delete());
        }
        catch (final IOException ignore)
        {
            // A temp directory left behind is harmless.
        }
    }
}
