package io.tapswitch.bench.soak;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.tapswitch.bench.JvmFlags;

/**
 * A service (the switch, the admin) run as a user runs it: its own JVM, started with the launcher's JVM flags
 * ({@code ./tapswitch}), this JVM's classpath, the service's main class and command-line flags. Its output goes to
 * {@code <name>.log}; it is ready once a line matches the given pattern (group 1, when present, is kept).
 * <p>
 * Not thread-safe; start and close from the controlling thread.
 */
public final class ChildService implements AutoCloseable
{
    private static final long STOP_TIMEOUT_MS = 90_000;

    private final String name;
    private final Process process;
    private final String readyValue;
    private final Path log;

    private ChildService(final String name, final Process process, final String readyValue, final Path log)
    {
        this.name = name;
        this.process = process;
        this.readyValue = readyValue;
        this.log = log;
    }

    /**
     * @param name           for messages and the log file.
     * @param jvmOptions     JVM options after the launcher's flags (e.g. a GC log).
     * @param mainClass      the service's main class.
     * @param args           its command-line flags.
     * @param environment    extra environment variables (e.g. {@code LD_PRELOAD}), or an empty map.
     * @param logDir         where {@code <name>.log} goes.
     * @param ready          a line of the service's output that says it serves.
     * @param startTimeoutMs how long the start may take.
     */
    public static ChildService start(
        final String name,
        final List<String> jvmOptions,
        final String mainClass,
        final List<String> args,
        final Map<String, String> environment,
        final Path logDir,
        final Pattern ready,
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
        return run(name, command, environment, logDir, ready, startTimeoutMs);
    }

    /**
     * Starts any command that ends in the service's JVM (e.g. the {@code ./tapswitch} launcher, which {@code exec}s
     * its JVM: the process, its pid and its CPU time are the JVM's).
     *
     * @param name           for messages and the log file.
     * @param command        the command and its arguments.
     * @param environment    extra environment variables, or an empty map.
     * @param logDir         where {@code <name>.log} goes.
     * @param ready          a line of the service's output that says it serves.
     * @param startTimeoutMs how long the start may take.
     */
    public static ChildService run(
        final String name,
        final List<String> command,
        final Map<String, String> environment,
        final Path logDir,
        final Pattern ready,
        final long startTimeoutMs) throws IOException, InterruptedException
    {
        Files.createDirectories(logDir);
        final Path log = logDir.resolve(name + ".log");
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        final Process process = builder.start();
        final CompletableFuture<String> readyLine = new CompletableFuture<>();
        final Thread pump = new Thread(() -> pump(process, log, ready, readyLine), name + "-output");
        pump.setDaemon(true);
        pump.start();
        try
        {
            return new ChildService(name, process, readyLine.get(startTimeoutMs, TimeUnit.MILLISECONDS), log);
        }
        catch (final TimeoutException | ExecutionException ex)
        {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            throw new IllegalStateException(name + " did not say it serves within " + startTimeoutMs + " ms (exit " +
                (process.isAlive() ? "none" : String.valueOf(process.exitValue())) + "); see " + log, ex);
        }
    }

    private static void pump(final Process process, final Path log, final Pattern ready, final CompletableFuture<String> readyLine)
    {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true))
        {
            String line;
            while (null != (line = in.readLine()))
            {
                out.println(line);
                if (!readyLine.isDone())
                {
                    final Matcher matcher = ready.matcher(line);
                    if (matcher.find())
                    {
                        readyLine.complete(matcher.groupCount() >= 1 ? matcher.group(1) : line);
                    }
                }
            }
            readyLine.completeExceptionally(new IllegalStateException("output ended"));
        }
        catch (final IOException | RuntimeException ex)
        {
            readyLine.completeExceptionally(ex);
        }
    }

    public String name()
    {
        return name;
    }

    /** @return group 1 of the ready line (e.g. a port), or the whole line. */
    public String readyValue()
    {
        return readyValue;
    }

    public long pid()
    {
        return process.pid();
    }

    public boolean isAlive()
    {
        return process.isAlive();
    }

    public Path log()
    {
        return log;
    }

    public ProcessHandle handle()
    {
        return process.toHandle();
    }

    /** Kills the process at once (SIGKILL) and waits for it. */
    public void kill() throws InterruptedException
    {
        process.destroyForcibly().waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * SIGTERM (a clean stop: the switch snapshots, the admin stops its PostgreSQL), bounded; SIGKILL past the bound.
     *
     * @return the exit code, or -1 when it had to be killed.
     */
    public int stop()
    {
        // a forcible kill leaves the embedded PostgreSQL of the admin running: collect it first
        final List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        try
        {
            if (process.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS))
            {
                return process.exitValue();
            }
            process.destroyForcibly().waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            descendants.forEach(ProcessHandle::destroyForcibly);
            return -1;
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            descendants.forEach(ProcessHandle::destroyForcibly);
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Override
    public void close()
    {
        if (process.isAlive())
        {
            stop();
        }
    }
}
