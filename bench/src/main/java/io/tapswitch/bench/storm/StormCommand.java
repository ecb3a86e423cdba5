package io.tapswitch.bench.storm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.tapswitch.bench.JvmFlags;
import io.tapswitch.bench.soak.ChildService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./tapswitch bench storm --terminals 10000}: the reconnect storm beyond one process's descriptor limit. The
 * switch runs as a child JVM ({@code --demo}); the fleet is spread over {@code --processes} child JVMs of
 * {@link StormClients} (the client library: reconnection with back-off and jitter). Once every terminal is logged on,
 * the switch is restarted on the same data directory and port (SIGTERM and start, or with {@code --kill} SIGKILL and
 * start); every terminal then sends a BALANCE, answered once it is logged on again. Reports the time from the switch
 * listening again until every terminal was answered, and the LOGON results of the restarted switch (none may be
 * BAD_CREDENTIALS or STALE_LOGON, none throttled). Exit code 0 when every terminal came back within the bound.
 */
@Command(
    name = "storm",
    mixinStandardHelpOptions = true,
    description = "Reconnect storm: T terminals (spread over child processes) logged on to a switch that is restarted; " +
        "time until every terminal is logged on again and answered; LOGON results (none refused, none throttled).")
public final class StormCommand implements Callable<Integer>
{
    private static final Pattern SWITCH_READY = Pattern.compile("tapswitch switch listening on [^:\\s]+:(\\d+)");

    @Option(names = "--terminals", paramLabel = "T", description = "terminals (default 10000)")
    private int terminals = 10_000;

    @Option(names = "--processes", paramLabel = "K", description = "child processes holding the terminals (default: one per 2500)")
    private int processes;

    @Option(names = "--port", paramLabel = "P", description = "switch port (default 23200)")
    private int port = 23_200;

    @Option(names = "--metrics-port", paramLabel = "M", description = "switch metrics port (default 23201)")
    private int metricsPort = 23_201;

    @Option(names = "--bound-seconds", paramLabel = "S", description = "how long terminals may take to come back (default 120)")
    private long boundSeconds = 120;

    @Option(names = "--kill", description = "restart after SIGKILL (a crash) instead of SIGTERM (a clean stop)")
    private boolean kill;

    @Option(names = "--out", paramLabel = "DIR", description = "logs and the switch's data, wiped at start (default bench/target/storm)")
    private Path out = Path.of("bench", "target", "storm");

    @Override
    public Integer call() throws Exception
    {
        if (terminals < 1 || terminals > 60_000)
        {
            System.err.println("storm: --terminals must be 1 .. 60000");
            return 2;
        }
        final int children = processes > 0 ? processes : Math.max(1, (terminals + 2_499) / 2_500);
        final Path data = out.resolve("data");
        wipe(data);
        Files.createDirectories(data);
        final List<String> switchArgs = List.of("--data-dir", data.toString(), "--port", String.valueOf(port),
            "--metrics-port", String.valueOf(metricsPort), "--demo", "--demo-cards", "2000",
            "--demo-terminals", String.valueOf(terminals), "--set", "max-connections=" + Math.max(12_000, terminals + 1_000));
        System.out.printf(Locale.ROOT, "storm: %d terminals in %d child processes; switch on 127.0.0.1:%d; logs in %s%n",
            terminals, children, port, out.toAbsolutePath());
        ChildService switchProcess = ChildService.start("switch-1", List.of(), "io.tapswitch.switching.SwitchMain", switchArgs,
            Map.of(), out, SWITCH_READY, TimeUnit.MINUTES.toMillis(3));
        final List<Child> fleet = new ArrayList<>();
        try
        {
            final long startNs = System.nanoTime();
            final int share = (terminals + children - 1) / children;
            for (int i = 0; i < children; i++)
            {
                final long first = 1L + (long)i * share;
                final int count = (int)Math.min(share, terminals - (first - 1));
                if (count > 0)
                {
                    fleet.add(Child.start(i, first, count, port, boundSeconds * 1000, out));
                }
            }
            int loggedOn = 0;
            for (final Child child : fleet)
            {
                final String[] reply = child.await("LOGGED_ON", boundSeconds * 1000 + 30_000);
                loggedOn += Integer.parseInt(reply[1]);
                if (!"0".equals(reply[2]))
                {
                    System.out.println("storm: child " + child.index + ": " + reply[2] + " first LOGONs failed");
                }
            }
            System.out.printf(Locale.ROOT, "storm: %d of %d terminals logged on in %.1f s%n", loggedOn, terminals,
                (System.nanoTime() - startNs) / 1e9);
            final Map<String, Double> before = logons();

            final long downNs = System.nanoTime();
            if (kill)
            {
                switchProcess.kill();
            }
            else
            {
                switchProcess.stop();
            }
            final long stoppedNs = System.nanoTime();
            switchProcess = ChildService.start("switch-2", List.of(), "io.tapswitch.switching.SwitchMain", switchArgs,
                Map.of(), out, SWITCH_READY, TimeUnit.MINUTES.toMillis(3));
            final long listeningMs = System.currentTimeMillis();
            final long upNs = System.nanoTime();
            System.out.printf(Locale.ROOT, "storm: switch %s in %.1f s, listening again %.1f s later (journal replay)%n",
                kill ? "killed" : "stopped", (stoppedNs - downNs) / 1e9, (upNs - stoppedNs) / 1e9);
            for (final Child child : fleet)
            {
                child.send("BALANCE 77");
            }
            int answered = 0;
            int failed = 0;
            long lastMs = 0;
            for (final Child child : fleet)
            {
                final String[] reply = child.await("ANSWERED", boundSeconds * 1000 + 30_000);
                answered += Integer.parseInt(reply[1]);
                lastMs = Math.max(lastMs, Long.parseLong(reply[2]));
                failed += Integer.parseInt(reply[3]);
            }
            final Map<String, Double> after = logons();
            System.out.printf(Locale.ROOT, "storm: %d of %d terminals logged on again and answered; the last %d ms after " +
                "the switch listened again (%d requests failed)%n", answered, terminals, lastMs - listeningMs, failed);
            System.out.println("storm: LOGON results of the restarted switch: " + after + " (before the restart, of the " +
                "first switch: " + before + ")");
            final double refused = after.getOrDefault("BAD_CREDENTIALS", 0.0) + after.getOrDefault("STALE_LOGON", 0.0);
            final double throttled = after.getOrDefault("throttled", 0.0);
            System.out.printf(Locale.ROOT, "storm: refused BAD_CREDENTIALS/STALE_LOGON %.0f, throttled %.0f%n", refused, throttled);
            final boolean ok = answered == terminals && refused == 0 && throttled == 0;
            System.out.println(ok ? "storm: every terminal came back by itself, none refused" : "storm: NOT every terminal came back");
            return ok ? 0 : 1;
        }
        finally
        {
            for (final Child child : fleet)
            {
                child.close();
            }
            switchProcess.close();
        }
    }

    /** LOGON results counted by the running switch, from its /metrics. */
    private Map<String, Double> logons() throws IOException, InterruptedException
    {
        final HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).timeout(Duration.ofSeconds(30)).build(),
            HttpResponse.BodyHandlers.ofString());
        final Map<String, Double> counts = new LinkedHashMap<>();
        for (final String line : response.body().split("\n"))
        {
            if (line.startsWith("tapswitch_logons_total{"))
            {
                final int at = line.indexOf("result=\"") + 8;
                final double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                if (value > 0)
                {
                    counts.put(line.substring(at, line.indexOf('"', at)), value);
                }
            }
            else if (line.startsWith("tapswitch_logons_throttled_total "))
            {
                counts.put("throttled", Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
            }
        }
        return counts;
    }

    private static void wipe(final Path dir) throws IOException
    {
        if (Files.exists(dir))
        {
            try (Stream<Path> paths = Files.walk(dir))
            {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** A child JVM of {@link StormClients}, spoken to by lines. */
    private static final class Child implements AutoCloseable
    {
        final int index;
        final Process process;
        final PrintWriter in;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        private Child(final int index, final Process process)
        {
            this.index = index;
            this.process = process;
            this.in = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
            final Thread reader = new Thread(() ->
            {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
                {
                    String line;
                    while (null != (line = out.readLine()))
                    {
                        lines.add(line);
                    }
                }
                catch (final IOException ex)
                {
                    lines.add("EOF " + ex);
                }
                lines.add("EOF");
            }, "storm-child-" + index);
            reader.setDaemon(true);
            reader.start();
        }

        static Child start(final int index, final long first, final int count, final int port, final long boundMs,
            final Path logDir) throws IOException
        {
            final List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(JvmFlags.flags());
            command.add("-Xmx512m");
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(StormClients.class.getName());
            command.add("127.0.0.1");
            command.add(String.valueOf(port));
            command.add(String.valueOf(first));
            command.add(String.valueOf(count));
            command.add(String.valueOf(boundMs));
            final Process process = new ProcessBuilder(command)
                .redirectError(logDir.resolve("clients-" + index + ".log").toFile()).start();
            return new Child(index, process);
        }

        void send(final String line)
        {
            in.println(line);
        }

        String[] await(final String tag, final long timeoutMs) throws InterruptedException
        {
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            while (System.nanoTime() - deadlineNs < 0)
            {
                final String line = lines.poll(1, TimeUnit.SECONDS);
                if (null == line)
                {
                    continue;
                }
                if (line.startsWith(tag + " "))
                {
                    return line.split(" ");
                }
                if (line.startsWith("EOF"))
                {
                    throw new IllegalStateException("storm child " + index + " ended before " + tag + " (" + line + ")");
                }
            }
            throw new IllegalStateException("storm child " + index + " did not report " + tag + " within " + timeoutMs + " ms");
        }

        @Override
        public void close()
        {
            in.println("QUIT");
            try
            {
                if (!process.waitFor(30, TimeUnit.SECONDS))
                {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            catch (final InterruptedException ex)
            {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
