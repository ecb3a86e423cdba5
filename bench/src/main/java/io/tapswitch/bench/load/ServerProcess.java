package io.tapswitch.bench.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.tapswitch.bench.JvmFlags;

/**
 * A server under test in its own JVM, started with this JVM's classpath and the Chronicle JVM flags, so its CPU time
 * is its own ({@code /proc} via {@link ProcessHandle.Info#totalCpuDuration()}) and its JIT, heap and GC are not
 * shared with the fleet. Its output goes to a log file; the port is read from its "listening on HOST:PORT" line.
 * <p>
 * Not thread-safe; start and close from the controlling thread.
 */
public final class ServerProcess implements AutoCloseable
{
    private static final Pattern LISTENING = Pattern.compile("listening on [^:\\s]+:(\\d+)");
    private static final long STOP_TIMEOUT_MS = 60_000;

    private final String name;
    private final Process process;
    private final int port;
    private final Path log;

    private ServerProcess(final String name, final Process process, final int port, final Path log)
    {
        this.name = name;
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * Starts the JVM and waits until it prints that it listens.
     *
     * @param name      for messages and the log file name.
     * @param jvmOptions extra JVM options (heap, GC, JFR), after the Chronicle flags.
     * @param mainClass main class.
     * @param args      program arguments.
     * @param logDir    where {@code <name>.log} is written.
     * @param startTimeoutMs how long provisioning + start may take.
     * @return the running server.
     */
    public static ServerProcess start(
        final String name,
        final List<String> jvmOptions,
        final String mainClass,
        final List<String> args,
        final Path logDir,
        final long startTimeoutMs) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JvmFlags.flags());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(args);

        Files.createDirectories(logDir);
        final Path log = logDir.resolve(name + ".log");
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final CompletableFuture<Integer> port = new CompletableFuture<>();
        final Thread pump = new Thread(() -> pump(process, log, port), name + "-output");
        pump.setDaemon(true);
        pump.start();
        try
        {
            return new ServerProcess(name, process, port.get(startTimeoutMs, TimeUnit.MILLISECONDS), log);
        }
        catch (final TimeoutException | java.util.concurrent.ExecutionException ex)
        {
            process.destroyForcibly();
            throw new IllegalStateException(name + " did not report its port within " + startTimeoutMs + " ms (" +
                "exit " + (process.isAlive() ? "none" : process.exitValue()) + "); see " + log, ex);
        }
    }

    private static void pump(final Process process, final Path log, final CompletableFuture<Integer> port)
    {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true))
        {
            String line;
            while (null != (line = in.readLine()))
            {
                out.println(line);
                if (!port.isDone())
                {
                    final Matcher matcher = LISTENING.matcher(line);
                    if (matcher.find())
                    {
                        port.complete(Integer.parseInt(matcher.group(1)));
                    }
                }
            }
            port.completeExceptionally(new IllegalStateException("server output ended"));
        }
        catch (final IOException | RuntimeException ex)
        {
            port.completeExceptionally(ex);
        }
    }

    public String name()
    {
        return name;
    }

    public int port()
    {
        return port;
    }

    public long pid()
    {
        return process.pid();
    }

    public Path log()
    {
        return log;
    }

    /**
     * @return user + system CPU time the server process used so far, in nanoseconds (10 ms resolution on Linux).
     */
    public long cpuNs()
    {
        return process.toHandle().info().totalCpuDuration().map(Duration::toNanos)
            .orElseThrow(() -> new IllegalStateException("CPU time of " + name + " is not available"));
    }

    /**
     * Stops the server with SIGTERM (a clean shutdown: the switch drains, snapshots, closes its journal) and waits
     * for it, bounded; kills it when the bound passes.
     */
    public void close()
    {
        process.destroy();
        try
        {
            if (!process.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS))
            {
                process.destroyForcibly().waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
