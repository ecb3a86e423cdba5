package io.tapswitch.bench.cluster;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import io.tapswitch.bench.soak.ChildService;

/**
 * The members of a replicated switch on this machine, each a child JVM run as a user runs
 * {@code ./tapswitch switch --cluster-member I} (switch/CLUSTER.md): member {@code I} listens for terminals on
 * {@code port + I}, serves its metrics on {@code metricsPort + I}, uses the Aeron ports {@code basePort + 10·I + 0..5}
 * and keeps its data in {@code dataDir/member-I}. Members can be killed (SIGKILL), stopped (SIGTERM) and started again
 * on their data directory; their metrics are read over HTTP.
 * <p>
 * Not thread-safe: control from one thread ({@link #metric} from any).
 */
final class ClusterProcesses implements AutoCloseable
{
    private static final Pattern LISTENING = Pattern.compile("listening on [^:\\s]+:(\\d+)");
    private static final long START_TIMEOUT_MS = 20 * 60_000L;

    private final int members;
    private final int port;
    private final int metricsPort;
    private final int basePort;
    private final Path dataDir;
    private final Path logDir;
    private final List<String> jvmOptions;
    private final List<String> switchArgs;
    private final ChildService[] running;
    private final int[] starts;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();

    /**
     * @param members     3 for a cluster that survives one failure.
     * @param port        terminal port of member 0.
     * @param metricsPort metrics port of member 0.
     * @param basePort    {@code cluster-base-port}.
     * @param dataDir     member I keeps its data in {@code dataDir/member-I}.
     * @param logDir      where {@code member-I-N.log} goes (N: the how-manieth start of that member).
     * @param jvmOptions  JVM options of every member (heap).
     * @param switchArgs  more switch flags for every member (demo data, settings).
     */
    ClusterProcesses(
        final int members, final int port, final int metricsPort, final int basePort, final Path dataDir,
        final Path logDir, final List<String> jvmOptions, final List<String> switchArgs)
    {
        this.members = members;
        this.port = port;
        this.metricsPort = metricsPort;
        this.basePort = basePort;
        this.dataDir = dataDir;
        this.logDir = logDir;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.switchArgs = List.copyOf(switchArgs);
        this.running = new ChildService[members];
        this.starts = new int[members];
    }

    int members()
    {
        return members;
    }

    /** @return {@code 127.0.0.1:P0,127.0.0.1:P1,...} for {@code fleet --hosts}. */
    String hosts()
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < members; i++)
        {
            sb.append(i == 0 ? "" : ",").append("127.0.0.1:").append(port + i);
        }
        return sb.toString();
    }

    int port(final int member)
    {
        return port + member;
    }

    /**
     * Starts every member at once (they elect a leader once a majority is up) and waits until each serves.
     */
    void startAll() throws IOException, InterruptedException
    {
        final List<Thread> threads = new ArrayList<>();
        final Exception[] failure = new Exception[1];
        for (int i = 0; i < members; i++)
        {
            final int member = i;
            final Thread thread = new Thread(() ->
            {
                try
                {
                    start(member);
                }
                catch (final Exception ex)
                {
                    synchronized (failure)
                    {
                        failure[0] = ex;
                    }
                }
            }, "start-member-" + i);
            thread.start();
            threads.add(thread);
        }
        for (final Thread thread : threads)
        {
            thread.join();
        }
        if (null != failure[0])
        {
            throw new IllegalStateException("a member did not start", failure[0]);
        }
    }

    /**
     * Starts one member on its data directory and waits until it serves terminals.
     *
     * @return the milliseconds from the process start to "listening".
     */
    long start(final int member) throws IOException, InterruptedException
    {
        final List<String> args = new ArrayList<>(List.of(
            "--host", "127.0.0.1", "--port", Integer.toString(port + member),
            "--metrics-port", Integer.toString(metricsPort + member),
            "--data-dir", dataDir.resolve("member-" + member).toString(),
            "--cluster-member", Integer.toString(member),
            "--cluster-hosts", String.join(",", java.util.Collections.nCopies(members, "127.0.0.1")),
            "--cluster-base-port", Integer.toString(basePort)));
        args.addAll(switchArgs);
        final int n;
        synchronized (starts)
        {
            n = ++starts[member];
        }
        final long startMs = System.currentTimeMillis();
        final ChildService child = ChildService.start("member-" + member + "-" + n, jvmOptions,
            "io.tapswitch.switching.SwitchMain", args, Map.of(), logDir, LISTENING, START_TIMEOUT_MS);
        synchronized (running)
        {
            running[member] = child;
        }
        return System.currentTimeMillis() - startMs;
    }

    /** SIGKILL, as a machine dying: no snapshot, no clean close. */
    void kill(final int member) throws InterruptedException
    {
        final ChildService child = running[member];
        if (null != child)
        {
            child.kill();
            running[member] = null;
        }
    }

    /** SIGTERM: a clean stop (bounded). */
    void stop(final int member)
    {
        final ChildService child = running[member];
        if (null != child)
        {
            child.stop();
            running[member] = null;
        }
    }

    boolean isRunning(final int member)
    {
        final ChildService child = running[member];
        return null != child && child.isAlive();
    }

    long pid(final int member)
    {
        return running[member].pid();
    }

    /**
     * @return the member whose {@code tapswitch_cluster_leader} is 1, or -1 when none (or more than one) says so.
     */
    int leader()
    {
        int leader = -1;
        for (int i = 0; i < members; i++)
        {
            if (isRunning(i) && metric(i, "tapswitch_cluster_leader") == 1.0)
            {
                if (leader >= 0)
                {
                    return -1;
                }
                leader = i;
            }
        }
        return leader;
    }

    /**
     * Waits until exactly one member says it leads.
     *
     * @return that member.
     */
    int awaitLeader(final long timeoutMs) throws InterruptedException
    {
        final long deadlineMs = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadlineMs)
        {
            final int leader = leader();
            if (leader >= 0)
            {
                return leader;
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("no single leader within " + timeoutMs + " ms");
    }

    /**
     * @return the sum of the metric's samples on that member, or NaN when the member does not answer.
     */
    double metric(final int member, final String name)
    {
        try
        {
            final HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + (metricsPort + member) + "/metrics")).timeout(Duration.ofSeconds(2))
                .build(), HttpResponse.BodyHandlers.ofString());
            double sum = 0;
            boolean found = false;
            for (final String line : response.body().split("\n"))
            {
                if (line.startsWith(name + " ") || line.startsWith(name + "{"))
                {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                    found = true;
                }
            }
            return found ? sum : Double.NaN;
        }
        catch (final IOException | RuntimeException ex)
        {
            return Double.NaN;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return Double.NaN;
        }
    }

    /** @return the highest leadership term any running member reports. */
    long leadershipTerm()
    {
        double term = -1;
        for (int i = 0; i < members; i++)
        {
            if (isRunning(i))
            {
                final double value = metric(i, "tapswitch_cluster_leadership_term");
                if (!Double.isNaN(value))
                {
                    term = Math.max(term, value);
                }
            }
        }
        return (long)term;
    }

    /**
     * Waits until every running member's journal holds the same last receipt (they decided the same log).
     *
     * @return the receipt, or -1 on timeout.
     */
    long awaitSameReceipt(final long timeoutMs) throws InterruptedException
    {
        final long deadlineMs = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadlineMs)
        {
            double receipt = Double.NaN;
            boolean same = true;
            for (int i = 0; i < members && same; i++)
            {
                if (!isRunning(i))
                {
                    continue;
                }
                final double value = metric(i, "tapswitch_journal_receipt");
                same = !Double.isNaN(value) && (Double.isNaN(receipt) || value == receipt);
                receipt = value;
            }
            if (same && !Double.isNaN(receipt))
            {
                return (long)receipt;
            }
            Thread.sleep(50);
        }
        return -1;
    }

    /**
     * Waits until a member's journal reached what the other members' journals held a moment before (under load the
     * others move on: "caught up" is within one poll, 50 ms, of them).
     *
     * @return the member's receipt then, or -1 on timeout.
     */
    long awaitSameReceiptUnderLoad(final int member, final long timeoutMs) throws InterruptedException
    {
        final long deadlineMs = System.currentTimeMillis() + timeoutMs;
        double target = Double.NaN;
        while (System.currentTimeMillis() < deadlineMs)
        {
            final double mine = metric(member, "tapswitch_journal_receipt");
            if (!Double.isNaN(target) && !Double.isNaN(mine) && mine >= target)
            {
                return (long)mine;
            }
            double others = Double.NaN;
            for (int i = 0; i < members; i++)
            {
                if (i != member && isRunning(i))
                {
                    final double value = metric(i, "tapswitch_journal_receipt");
                    others = Double.isNaN(others) ? value : Math.max(others, value);
                }
            }
            target = others;
            Thread.sleep(50);
        }
        return -1;
    }

    /** Deletes the media drivers' directories the members leave in /dev/shm when killed. */
    void deleteDriverDirs()
    {
        for (int i = 0; i < members; i++)
        {
            deleteTree(Path.of("/dev/shm/tapswitch-aeron-" + basePort + "-" + i));
        }
    }

    static void deleteTree(final Path root)
    {
        if (!Files.exists(root))
        {
            return;
        }
        try (var paths = Files.walk(root))
        {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach((p) -> p.toFile().delete());
        }
        catch (final IOException ignore)
        {
            // left behind: harmless
        }
    }

    @Override
    public void close()
    {
        for (int i = 0; i < members; i++)
        {
            stop(i);
        }
        deleteDriverDirs();
    }
}
