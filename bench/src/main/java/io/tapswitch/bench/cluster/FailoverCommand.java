package io.tapswitch.bench.cluster;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.tapswitch.bench.fleet.Fleet;
import io.tapswitch.bench.fleet.FleetOptions;
import io.tapswitch.bench.fleet.FleetResult;
import io.tapswitch.bench.load.LoadReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./tapswitch bench failover}: the failover time of the replicated switch, as a user sees it. Starts 3 members
 * on this machine (child JVMs, the default cluster timeouts unless {@code --set} changes them), puts a fleet on them
 * (full speed by default, over every member, moving its terminals when their member dies) and one probe terminal on
 * each member tapping one request at a time; first a steady phase under the fleet in which no election may happen
 * (a spurious election: a leader's heartbeats came too late on a starved machine); then rounds: at a random moment
 * (seeded; the seed is printed) the leader is killed with SIGKILL, and the failover time is the time from the kill
 * to the first decided answer (a receipt) on a probe of a surviving member to a request sent after the kill; the
 * killed member is started again on its data directory, and the next round waits until it caught up.
 * <p>
 * Writes {@code failover.md} into {@code --out}. Exit status 1 when a round found no new leader, or the steady
 * phase had an election.
 */
@Command(
    name = "failover",
    mixinStandardHelpOptions = true,
    description = "Failover time of the 3-member replicated switch: kill -9 of the leader under a fleet, to the first " +
        "decided answer on a surviving member; and spurious elections under a full-speed fleet.")
public final class FailoverCommand implements Callable<Integer>
{
    @Option(names = "--rounds", paramLabel = "N", description = "leader kills (default: ${DEFAULT-VALUE})")
    private int rounds = 5;

    @Option(names = "--steady", paramLabel = "S",
        description = "seconds of load before the first kill, in which no election may happen (default: ${DEFAULT-VALUE})")
    private int steadySeconds = 30;

    @Option(names = "--seed", paramLabel = "N", description = "seed of the kill moments (default: random, printed)")
    private Long seed;

    @Option(names = "--terminals", paramLabel = "N", description = "fleet terminals (default: ${DEFAULT-VALUE})")
    private int terminals = 64;

    @Option(names = "--in-flight", paramLabel = "N",
        description = "requests in flight per fleet terminal at full speed (default: ${DEFAULT-VALUE})")
    private int inFlight = 16;

    @Option(names = "--rate", paramLabel = "R",
        description = "offered taps/s of the fleet; 0 = full speed (default: ${DEFAULT-VALUE})")
    private double rate = 0;

    @Option(names = "--cards", paramLabel = "N", description = "demo cards of each member (default: ${DEFAULT-VALUE})")
    private int cards = 100_000;

    @Option(names = "--port", paramLabel = "P",
        description = "terminal port of member 0, member I on P + I (default: ${DEFAULT-VALUE})")
    private int port = 17700;

    @Option(names = "--metrics-port", paramLabel = "M",
        description = "metrics port of member 0, member I on M + I (default: ${DEFAULT-VALUE})")
    private int metricsPort = 19464;

    @Option(names = "--cluster-base-port", paramLabel = "B", description = "Aeron ports (default: ${DEFAULT-VALUE})")
    private int basePort = 19100;

    @Option(names = "--member-jvm", paramLabel = "OPT", split = " ",
        description = "JVM options of each member (default: ${DEFAULT-VALUE})")
    private List<String> memberJvm = new ArrayList<>(List.of("-Xmx2g"));

    @Option(names = "--set", paramLabel = "KEY=VALUE",
        description = "a switch setting of every member, e.g. cluster-leader-timeout-ms=1000")
    private List<String> settings = new ArrayList<>();

    @Option(names = "--out", paramLabel = "DIR",
        description = "where failover.md and the members' logs go (default: ${DEFAULT-VALUE})")
    private Path outDir = Path.of("bench", "results", "failover");

    public Integer call() throws Exception
    {
        if (rounds < 1 || steadySeconds < 0 || terminals < 1 || cards < 1)
        {
            throw new IllegalArgumentException("--rounds >= 1, --steady >= 0, --terminals >= 1, --cards >= 1");
        }
        final long theSeed = null == seed ? System.nanoTime() : seed;
        final SplittableRandom random = new SplittableRandom(theSeed);
        Files.createDirectories(outDir);
        final Path dataDir = Files.createTempDirectory("tapswitch-failover-");
        final List<String> switchArgs = new ArrayList<>(List.of("--demo", "--demo-cards", Integer.toString(cards),
            "--demo-terminals", "2000", "--set", "card-capacity=" + cards));
        for (final String setting : settings)
        {
            switchArgs.add("--set");
            switchArgs.add(setting);
        }
        final String startedAt = Instant.now().toString();
        final String loadBefore = LoadReport.loadAverage();
        System.out.println("tapswitch bench failover: seed " + theSeed + ", " + rounds + " round(s), steady " +
            steadySeconds + " s, fleet " + terminals + " terminals " + (rate > 0 ? rate + " taps/s" : "at full speed (" +
            inFlight + " in flight each)") + ", settings " + settings + "; load average " + loadBefore);

        final StringBuilder md = new StringBuilder();
        final long[] failoverMs = new long[rounds];
        final long[] anyAnswerMs = new long[rounds];
        int failures = 0;
        long steadyElections = -1;
        final ClusterProcesses cluster = new ClusterProcesses(3, port, metricsPort, basePort, dataDir,
            outDir.resolve("logs"), memberJvm, switchArgs);
        final List<Probe> probes = new ArrayList<>();
        final AtomicReference<Fleet> fleet = new AtomicReference<>();
        final AtomicReference<FleetResult> fleetResult = new AtomicReference<>();
        Thread fleetThread = null;
        try
        {
            cluster.deleteDriverDirs();
            cluster.startAll();
            cluster.awaitLeader(60_000);
            for (int i = 0; i < cluster.members(); i++)
            {
                final Probe probe = new Probe(1_990 + i, cluster.port(i), 1_000_001, cards);
                probe.start();
                probes.add(probe);
            }
            final Fleet load = new Fleet(new FleetOptions()
                .hosts(cluster.hosts())
                .terminals(terminals)
                .firstTerminal(1)
                .ratePerSecond(rate)
                .inFlight(rate > 0 ? 1 : inFlight)
                .durationMs(TimeUnit.HOURS.toMillis(1))
                .cards(cards)
                .programId(0));
            fleet.set(load);
            fleetThread = new Thread(() ->
            {
                try
                {
                    fleetResult.set(load.run(null));
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }, "failover-fleet");
            fleetThread.start();
            awaitAnswers(load, 1_000, 60_000);

            // steady: no election may happen under the fleet
            final long termBefore = cluster.leadershipTerm();
            final long answeredBefore = load.counter(Fleet.COUNT_ANSWERED);
            Thread.sleep(TimeUnit.SECONDS.toMillis(steadySeconds));
            final long termAfter = cluster.leadershipTerm();
            steadyElections = termAfter - termBefore;
            final double steadyRate = (load.counter(Fleet.COUNT_ANSWERED) - answeredBefore) / (double)Math.max(1,
                steadySeconds);
            System.out.printf(Locale.ROOT, "steady %d s: %.0f answers/s, leadership term %d -> %d: %d election(s)%n",
                steadySeconds, steadyRate, termBefore, termAfter, steadyElections);
            md.append(String.format(Locale.ROOT, "Steady phase: %d s under the fleet at %.0f answers/s, leadership " +
                "term %d → %d: **%d spurious election(s)**.%n%n", steadySeconds, steadyRate, termBefore, termAfter,
                steadyElections));
            if (steadyElections != 0)
            {
                failures++;
            }

            md.append("| round | killed (leader) | new leader | kill → first decided answer on a survivor | " +
                "kill → first answer (any) | elections | killed member back and caught up |\n");
            md.append("|---|---|---|---|---|---|---|\n");
            for (int round = 1; round <= rounds; round++)
            {
                Thread.sleep(500 + random.nextInt(3_000));
                final int leader = cluster.awaitLeader(30_000);
                final long term = cluster.leadershipTerm();
                final long killNs = System.nanoTime();
                for (final Probe probe : probes)
                {
                    probe.watch(killNs);
                }
                cluster.kill(leader);
                System.out.println("round " + round + ": leader member " + leader + " killed at " + Instant.now());
                long decidedNs = 0;
                long anyNs = 0;
                final long deadlineNs = killNs + TimeUnit.SECONDS.toNanos(30);
                while (0 == decidedNs && System.nanoTime() - deadlineNs < 0)
                {
                    Thread.sleep(1);
                    for (int i = 0; i < probes.size(); i++)
                    {
                        if (i == leader)
                        {
                            continue;
                        }
                        final long d = probes.get(i).firstDecidedNs();
                        if (d != 0 && (0 == decidedNs || d < decidedNs))
                        {
                            decidedNs = d;
                        }
                        final long a = probes.get(i).firstAnswerNs();
                        if (a != 0 && (0 == anyNs || a < anyNs))
                        {
                            anyNs = a;
                        }
                    }
                }
                final int newLeader = cluster.leader();
                final long newTerm = cluster.leadershipTerm();
                if (0 == decidedNs)
                {
                    failures++;
                    failoverMs[round - 1] = -1;
                }
                else
                {
                    failoverMs[round - 1] = TimeUnit.NANOSECONDS.toMillis(decidedNs - killNs);
                }
                anyAnswerMs[round - 1] = 0 == anyNs ? -1 : TimeUnit.NANOSECONDS.toMillis(anyNs - killNs);
                final long restartStartMs = System.currentTimeMillis();
                cluster.start(leader);
                final long receipt = cluster.awaitSameReceiptUnderLoad(leader, 120_000);
                final long backMs = System.currentTimeMillis() - restartStartMs;
                final String line = String.format(Locale.ROOT, "| %d | %d | %d | **%s ms** | %s ms | %d | %s |",
                    round, leader, newLeader, failoverMs[round - 1] < 0 ? "none in 30 000" :
                        Long.toString(failoverMs[round - 1]), anyAnswerMs[round - 1], newTerm - term,
                    receipt < 0 ? "not within 120 s" : backMs + " ms");
                System.out.println(line);
                md.append(line).append('\n');
            }
            fleet.get().endNow();
            fleetThread.join(120_000);
        }
        finally
        {
            if (null != fleet.get())
            {
                fleet.get().endNow();
            }
            for (final Probe probe : probes)
            {
                probe.stop();
            }
            cluster.close();
            ClusterProcesses.deleteTree(dataDir);
        }

        final long[] measured = Arrays.stream(failoverMs).filter((v) -> v >= 0).sorted().toArray();
        final StringBuilder head = new StringBuilder();
        head.append("# Failover of the replicated switch\n\n");
        head.append(String.format(Locale.ROOT, "`./tapswitch bench failover --rounds %d --steady %d --seed %d " +
            "--terminals %d %s%s`, started %s, load average before %s, after %s.%n%n", rounds, steadySeconds, theSeed,
            terminals, rate > 0 ? "--rate " + rate : "--in-flight " + inFlight,
            settings.isEmpty() ? "" : " --set " + String.join(" --set ", settings), startedAt, loadBefore,
            LoadReport.loadAverage()));
        if (measured.length > 0)
        {
            head.append(String.format(Locale.ROOT, "Failover (kill → first decided answer on a survivor), %d round(s): " +
                "min %d ms, median %d ms, max %d ms.%n%n", measured.length, measured[0], measured[measured.length / 2],
                measured[measured.length - 1]));
        }
        final FleetResult result = fleetResult.get();
        if (null != result)
        {
            md.append(String.format(Locale.ROOT, "%nFleet: %d sent, %d answered (%d errors among them: SYSTEM_ERROR " +
                "during elections), %d lost with a connection (the killed member's), %d unanswered, %d moves to " +
                "another member.%n", result.sent(), result.answered(), result.errors(), result.lostWithConnection(),
                result.unanswered(), result.moved()));
        }
        long probeDecided = 0;
        long probeErrors = 0;
        long probeBusy = 0;
        for (final Probe probe : probes)
        {
            probeDecided += probe.decided();
            probeErrors += probe.systemErrors();
            probeBusy += probe.busy();
        }
        md.append(String.format(Locale.ROOT, "Probes: %d decided, %d SYSTEM_ERROR, %d BUSY.%n", probeDecided,
            probeErrors, probeBusy));
        final String report = head.append(md).toString();
        Files.writeString(outDir.resolve("failover.md"), report, StandardCharsets.UTF_8);
        System.out.println();
        System.out.println(report);
        System.out.println("written: " + outDir.resolve("failover.md"));
        return failures == 0 ? 0 : 1;
    }

    private static void awaitAnswers(final Fleet fleet, final long answers, final long timeoutMs)
        throws InterruptedException
    {
        final long deadlineMs = System.currentTimeMillis() + timeoutMs;
        while (fleet.counter(Fleet.COUNT_ANSWERED) < answers && System.currentTimeMillis() < deadlineMs)
        {
            Thread.sleep(20);
        }
        if (fleet.counter(Fleet.COUNT_ANSWERED) < answers)
        {
            throw new IllegalStateException("the fleet got fewer than " + answers + " answers in " + timeoutMs + " ms");
        }
    }
}
