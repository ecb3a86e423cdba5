package io.tapswitch.switching.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real switch ({@code io.tapswitch.switching.SwitchMain}) as a separate JVM on 127.0.0.1, started with the test
 * classpath and the Chronicle JVM flags, its stdout and stderr captured (to wait for the listening line, find the
 * metrics port and scan the output for secrets).
 * <p>
 * Driven from one test thread; {@link #output()} may be read from any thread.
 */
final class ChildSwitch implements AutoCloseable
{
    static final String MAIN_CLASS = "io.tapswitch.switching.SwitchMain";
    private static final Pattern LISTENING = Pattern.compile("tapswitch switch listening on ([^:\\s]+):(\\d+)");
    private static final Pattern METRICS = Pattern.compile("metrics on http://([^:/\\s]+):(\\d+)/metrics");

    private final Process process;
    private final StringBuilder output = new StringBuilder();
    private final List<Thread> pumps = new ArrayList<>();
    private int port = -1;
    private int metricsPort = -1;

    private ChildSwitch(final Process process)
    {
        this.process = process;
        pumps.add(pump(process.getInputStream(), "stdout"));
        pumps.add(pump(process.getErrorStream(), "stderr"));
    }

    /**
     * Starts the switch: {@code --host 127.0.0.1 --data-dir dataDir} plus the given arguments.
     */
    static ChildSwitch start(final Path dataDir, final List<String> arguments, final List<String> extraJvmFlags)
    {
        return start(dataDir, arguments, extraJvmFlags, true);
    }

    /**
     * @param chronicleProperties false to leave out the {@code -Dchronicle.*} properties (keeping the
     *                            add-opens/exports), to prove the switch disables Chronicle's analytics itself.
     */
    static ChildSwitch start(
        final Path dataDir, final List<String> arguments, final List<String> extraJvmFlags,
        final boolean chronicleProperties)
    {
        return start(List.of(), dataDir, arguments, extraJvmFlags, chronicleProperties);
    }

    /**
     * @param launcher a command that execs the JVM command line after it (e.g. {@code fiu-run -x}), or empty.
     */
    static ChildSwitch start(
        final List<String> launcher, final Path dataDir, final List<String> arguments,
        final List<String> extraJvmFlags, final boolean chronicleProperties)
    {
        final List<String> command = new ArrayList<>(launcher);
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        for (final String flag : chronicleFlags())
        {
            if (chronicleProperties || !flag.startsWith("-Dchronicle."))
            {
                command.add(flag);
            }
        }
        command.add("-Xmx384m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.addAll(extraJvmFlags);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(MAIN_CLASS);
        command.add("--host");
        command.add("127.0.0.1");
        command.add("--data-dir");
        command.add(dataDir.toString());
        command.addAll(arguments);
        try
        {
            return new ChildSwitch(new ProcessBuilder(command).start());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start " + command, ex);
        }
    }

    /**
     * @return the JVM flags of the root pom's {@code tapswitch.jvm.flags} as this (surefire) JVM got them, with
     * {@code -Dchronicle.analytics.disable=true} always present.
     */
    static List<String> chronicleFlags()
    {
        final List<String> flags = new ArrayList<>();
        for (final String argument : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (argument.startsWith("--add-opens") || argument.startsWith("--add-exports") ||
                argument.startsWith("-Dchronicle."))
            {
                flags.add(argument);
            }
        }
        if (!flags.contains("-Dchronicle.analytics.disable=true"))
        {
            flags.add("-Dchronicle.analytics.disable=true");
        }
        return flags;
    }

    /**
     * @return a TCP port free on 127.0.0.1 right now.
     */
    static int freePort()
    {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()))
        {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Waits for the listening line (and the metrics line when metrics are on).
     *
     * @throws AssertionError with the captured output when the process exits or the deadline passes first.
     */
    ChildSwitch awaitListening(final long timeoutMs, final boolean withMetrics)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        synchronized (output)
        {
            while (true)
            {
                final Matcher listening = LISTENING.matcher(output);
                final Matcher metrics = METRICS.matcher(output);
                final boolean metricsSeen = metrics.find();
                if (listening.find() && (!withMetrics || metricsSeen))
                {
                    port = Integer.parseInt(listening.group(2));
                    metricsPort = metricsSeen ? Integer.parseInt(metrics.group(2)) : -1;
                    return this;
                }
                final long leftNs = deadlineNs - System.nanoTime();
                if (!process.isAlive() || leftNs <= 0)
                {
                    throw new AssertionError("switch did not start (alive=" + process.isAlive() + "):\n" + outputTail(8000));
                }
                try
                {
                    output.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(leftNs, 200_000_000L))));
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", ex);
                }
            }
        }
    }

    int port()
    {
        return port;
    }

    int metricsPort()
    {
        return metricsPort;
    }

    long pid()
    {
        return process.pid();
    }

    boolean isAlive()
    {
        return process.isAlive();
    }

    /**
     * SIGKILL: the process gets no chance to flush, snapshot or close anything.
     */
    void kill()
    {
        process.destroyForcibly();
        awaitExit(10_000);
    }

    /**
     * SIGTERM (clean stop: drain, snapshot, journal close); SIGKILL if it has not exited in time.
     *
     * @return the exit code, or -1 when it had to be killed.
     */
    int stop(final long timeoutMs)
    {
        process.destroy();
        if (awaitExit(timeoutMs))
        {
            return process.exitValue();
        }
        kill();
        return -1;
    }

    /**
     * @return the exit status once the process exited by itself within the time, else null (still running).
     */
    Integer exitStatus(final long timeoutMs)
    {
        return awaitExit(timeoutMs) ? process.exitValue() : null;
    }

    private boolean awaitExit(final long timeoutMs)
    {
        try
        {
            final boolean exited = process.waitFor(timeoutMs, TimeUnit.MILLISECONDS);
            for (final Thread pump : pumps)
            {
                pump.join(exited ? 5_000 : 1);
            }
            return exited;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * @return everything the process wrote to stdout and stderr so far.
     */
    String output()
    {
        synchronized (output)
        {
            return output.toString();
        }
    }

    /**
     * @return the last maxChars characters of the output, for assertion messages.
     */
    String outputTail(final int maxChars)
    {
        synchronized (output)
        {
            return output.substring(Math.max(0, output.length() - maxChars));
        }
    }

    /**
     * @return the Prometheus text of {@code GET /metrics}.
     */
    String scrape()
    {
        return scrapeWithin(10_000);
    }

    /**
     * GET /metrics with a bound on the whole exchange (a paused process must not hold the caller long).
     */
    String scrapeWithin(final long timeoutMs)
    {
        try
        {
            final HttpResponse<String> response = HttpClient.newBuilder()
                .connectTimeout(Duration.ofMillis(Math.min(5_000, timeoutMs))).build()
                .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
                    .timeout(Duration.ofMillis(timeoutMs)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200)
            {
                throw new AssertionError("GET /metrics answered " + response.statusCode());
            }
            return response.body();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", ex);
        }
    }

    /**
     * @return the sum of every sample of a metric whose labels contain all the given {@code name="value"} pairs
     * (0 when none).
     */
    static double metric(final String text, final String name, final String... labels)
    {
        double sum = 0;
        for (final String line : text.split("\n"))
        {
            if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " ")))
            {
                continue;
            }
            boolean matches = true;
            for (final String label : labels)
            {
                matches &= line.contains(label);
            }
            if (matches)
            {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    @Override
    public void close()
    {
        if (process.isAlive())
        {
            kill();
        }
    }

    private Thread pump(final InputStream in, final String name)
    {
        final Thread thread = new Thread(() ->
        {
            final byte[] chunk = new byte[8192];
            try
            {
                int read;
                while ((read = in.read(chunk)) >= 0)
                {
                    final String text = new String(chunk, 0, read, StandardCharsets.UTF_8);
                    synchronized (output)
                    {
                        output.append(text);
                        output.notifyAll();
                    }
                }
            }
            catch (final IOException ignored)
            {
                // the process is gone
            }
        }, "child-switch-" + name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
