package io.tapswitch.bench.cluster;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import io.tapswitch.bench.fleet.Fleet;
import io.tapswitch.bench.fleet.FleetOptions;
import io.tapswitch.bench.fleet.FleetResult;
import io.tapswitch.bench.load.LoadReport;
import io.tapswitch.bench.load.Shape;
import io.tapswitch.bench.soak.ChildService;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./tapswitch bench cluster}: the replicated switch beside the single node, same run, same fleet: the 3-member
 * cluster on this machine and a single-node switch (both with the demo data, both journaling) are started side by side,
 * and each shape (pipelined 64×16, 2 000×1, 2 000 terminals at a fixed 10 000 taps/s) runs against one, then the
 * other (the idle one parks politely); the cluster's fleet spreads its terminals over the 3 members. Then the
 * catch-up: one follower is stopped (SIGTERM), a pipelined fleet on the other two decides {@code --catch-up-taps}
 * taps, the follower is started again on its data directory, and the time until it serves and until its journal
 * holds the last receipt is measured.
 * <p>
 * Writes {@code cluster.md} into {@code --out}.
 */
@Command(
    name = "cluster",
    mixinStandardHelpOptions = true,
    description = "The 3-member replicated switch beside the single node (pipelined, 2000x1, fixed-rate), and the " +
        "catch-up time of a member N taps behind.")
public final class ClusterBenchCommand implements Callable<Integer>
{
    private static final Pattern LISTENING = Pattern.compile("listening on [^:\\s]+:(\\d+)");
    private static final List<Shape> SHAPES = List.of(Shape.PIPELINED, Shape.MANY_TERMINALS, Shape.FIXED_RATE);

    @Option(names = "--duration", paramLabel = "S", description = "seconds per shape and target (default: ${DEFAULT-VALUE})")
    private int durationSeconds = 15;

    @Option(names = "--warmup", paramLabel = "S",
        description = "seconds of pipelined warm-up per target, not reported (default: ${DEFAULT-VALUE})")
    private int warmupSeconds = 10;

    @Option(names = "--cards", paramLabel = "N", description = "demo cards of every switch (default: ${DEFAULT-VALUE})")
    private int cards = 1_000_000;

    @Option(names = "--catch-up-taps", paramLabel = "N",
        description = "taps decided while a follower is stopped; 0 skips the catch-up (default: ${DEFAULT-VALUE})")
    private long catchUpTaps = 10_000_000;

    @Option(names = "--port", paramLabel = "P",
        description = "terminal port of member 0, member I on P + I; the single node on P + 3 (default: ${DEFAULT-VALUE})")
    private int port = 17700;

    @Option(names = "--metrics-port", paramLabel = "M",
        description = "metrics port of member 0, member I on M + I (default: ${DEFAULT-VALUE})")
    private int metricsPort = 19464;

    @Option(names = "--cluster-base-port", paramLabel = "B", description = "Aeron ports (default: ${DEFAULT-VALUE})")
    private int basePort = 19100;

    @Option(names = "--jvm", paramLabel = "OPT", split = " ",
        description = "JVM options of every switch JVM (default: ${DEFAULT-VALUE})")
    private List<String> jvm = new ArrayList<>(List.of("-Xms2g", "-Xmx2g"));

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "a switch setting of every switch JVM")
    private List<String> settings = new ArrayList<>();

    @Option(names = "--out", paramLabel = "DIR", description = "where cluster.md and the logs go (default: ${DEFAULT-VALUE})")
    private Path outDir = Path.of("bench", "results", "cluster");

    public Integer call() throws Exception
    {
        if (durationSeconds < 1 || warmupSeconds < 0 || cards < 1 || catchUpTaps < 0)
        {
            throw new IllegalArgumentException("--duration >= 1, --warmup >= 0, --cards >= 1, --catch-up-taps >= 0");
        }
        Files.createDirectories(outDir);
        final Path dataDir = Files.createTempDirectory("tapswitch-cluster-bench-");
        final List<String> switchArgs = new ArrayList<>(List.of("--demo", "--demo-cards", Integer.toString(cards),
            "--demo-terminals", "2000", "--set", "card-capacity=" + cards));
        for (final String setting : settings)
        {
            switchArgs.add("--set");
            switchArgs.add(setting);
        }
        final String startedAt = Instant.now().toString();
        final String loadBefore = LoadReport.loadAverage();
        System.out.println("tapswitch bench cluster: shapes " + SHAPES.size() + " x " + durationSeconds + " s, " +
            cards + " cards, catch-up of " + catchUpTaps + " taps; load average " + loadBefore);
        final StringBuilder md = new StringBuilder();
        md.append("# The replicated switch beside the single node\n\n");
        md.append(String.format(Locale.ROOT, "`./tapswitch bench cluster --duration %d --warmup %d --cards %d " +
            "--catch-up-taps %d%s`, started %s, load average before %s. Both targets journal (the single node with " +
            "its default journal-sync=batch: an answer after the local fdatasync; the cluster: an answer after a " +
            "majority of members hold the request, journals not synced). JVMs %s. Fleet in this JVM.%n%n",
            durationSeconds, warmupSeconds, cards, catchUpTaps,
            settings.isEmpty() ? "" : " --set " + String.join(" --set ", settings), startedAt, loadBefore, jvm));
        final ClusterProcesses cluster = new ClusterProcesses(3, port, metricsPort, basePort, dataDir.resolve("cluster"),
            outDir.resolve("logs"), jvm, switchArgs);
        ChildService single = null;
        try
        {
            cluster.deleteDriverDirs();
            final long clusterStartMs = System.currentTimeMillis();
            cluster.startAll();
            cluster.awaitLeader(120_000);
            System.out.println("cluster serving after " + (System.currentTimeMillis() - clusterStartMs) + " ms");
            final List<String> singleArgs = new ArrayList<>(List.of("--host", "127.0.0.1",
                "--port", Integer.toString(port + 3), "--metrics-port", "-1",
                "--data-dir", dataDir.resolve("single").toString()));
            singleArgs.addAll(switchArgs);
            single = ChildService.start("single-node", jvm, "io.tapswitch.switching.SwitchMain", singleArgs, Map.of(),
                outDir.resolve("logs"), LISTENING, 20 * 60_000L);
            final String singleHost = "127.0.0.1:" + (port + 3);

            if (warmupSeconds > 0)
            {
                for (final String hosts : List.of(cluster.hosts(), singleHost))
                {
                    final FleetResult warm = new Fleet(options(Shape.PIPELINED, hosts, warmupSeconds)).run(null);
                    System.out.printf(Locale.ROOT, "warm-up %s: %.0f answers/s%n", hosts, warm.answeredPerSecond());
                }
            }
            md.append("| shape | target | answers/s | p50 | p99 | p99.9 | max | errors | unanswered |\n");
            md.append("|---|---|---|---|---|---|---|---|---|\n");
            for (final Shape shape : SHAPES)
            {
                for (final String target : List.of("cluster (3 members)", "single node"))
                {
                    final String load = LoadReport.loadAverage();
                    final FleetResult result = new Fleet(options(shape, target.startsWith("cluster") ? cluster.hosts() :
                        singleHost, durationSeconds)).run(null);
                    final Histogram h = result.latencyUs();
                    final String line = String.format(Locale.ROOT, "| %s | %s | %.0f | %s | %s | %s | %s | %d | %d |",
                        shape.description(), target, result.answeredPerSecond(), ms(h.getValueAtPercentile(50)),
                        ms(h.getValueAtPercentile(99)), ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()),
                        result.errors(), result.unanswered());
                    System.out.println(line + " (load average " + load + ")");
                    md.append(line).append('\n');
                }
            }
            single.stop();
            single = null;

            if (catchUpTaps > 0)
            {
                md.append('\n').append(catchUp(cluster));
            }
        }
        finally
        {
            if (null != single)
            {
                single.stop();
            }
            cluster.close();
            ClusterProcesses.deleteTree(dataDir);
        }
        md.append(String.format(Locale.ROOT, "%nLoad average after: %s.%n", LoadReport.loadAverage()));
        Files.writeString(outDir.resolve("cluster.md"), md.toString(), StandardCharsets.UTF_8);
        System.out.println();
        System.out.println(md);
        System.out.println("written: " + outDir.resolve("cluster.md"));
        return 0;
    }

    private String catchUp(final ClusterProcesses cluster) throws Exception
    {
        final int leader = cluster.awaitLeader(30_000);
        final int behind = (leader + 1) % cluster.members();
        final long stopAtReceipt = cluster.awaitSameReceipt(60_000);
        cluster.stop(behind);
        final StringBuilder hosts = new StringBuilder();
        for (int i = 0; i < cluster.members(); i++)
        {
            if (i != behind)
            {
                hosts.append(hosts.length() == 0 ? "" : ",").append("127.0.0.1:").append(cluster.port(i));
            }
        }
        final long loadStartNs = System.nanoTime();
        long receipt = stopAtReceipt;
        while (receipt - stopAtReceipt < catchUpTaps)
        {
            new Fleet(options(Shape.PIPELINED, hosts.toString(), 30)).run(null);
            receipt = (long)cluster.metric(leader, "tapswitch_journal_receipt");
            System.out.printf(Locale.ROOT, "catch-up: member %d stopped, %d taps decided without it%n", behind,
                receipt - stopAtReceipt);
        }
        final double loadSeconds = (System.nanoTime() - loadStartNs) / 1e9;
        final long target = cluster.awaitSameReceipt(60_000);
        final long startNs = System.nanoTime();
        final long listeningMs = cluster.start(behind);
        long caughtUpMs = -1;
        final long deadlineNs = startNs + TimeUnit.MINUTES.toNanos(30);
        while (System.nanoTime() - deadlineNs < 0)
        {
            final double mine = cluster.metric(behind, "tapswitch_journal_receipt");
            if (!Double.isNaN(mine) && mine >= target)
            {
                caughtUpMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
                break;
            }
            Thread.sleep(50);
        }
        final String line = String.format(Locale.ROOT, "Catch-up: member %d stopped (SIGTERM) at receipt %d; %d " +
            "records decided without it in %.0f s (pipelined fleet on the other two); started again: serving " +
            "terminals after **%d ms**, its journal at the last receipt %d after **%s** (%s records/s).%n", behind,
            stopAtReceipt, target - stopAtReceipt, loadSeconds, listeningMs, target,
            caughtUpMs < 0 ? "more than 30 min" : caughtUpMs + " ms",
            caughtUpMs <= 0 ? "-" : String.format(Locale.ROOT, "%.0f", (target - stopAtReceipt) * 1000.0 / caughtUpMs));
        System.out.println(line);
        return line;
    }

    private static String ms(final long us)
    {
        return String.format(Locale.ROOT, "%.2f ms", us / 1000.0);
    }

    private FleetOptions options(final Shape shape, final String hosts, final int seconds)
    {
        return new FleetOptions()
            .hosts(hosts)
            .terminals(shape.connections())
            .firstTerminal(1)
            .ratePerSecond(shape.ratePerSecond())
            .inFlight(shape.inFlight())
            .durationMs(seconds * 1_000L)
            .cards(cards)
            .programId(0);
    }
}
