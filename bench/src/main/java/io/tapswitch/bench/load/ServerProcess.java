package io.tapswitch.bench.load;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import io.tapswitch.bench.soak.ChildService;

/**
 * A server under test in its own JVM, started with this JVM's classpath and the Chronicle JVM flags, so its CPU time
 * is its own ({@code /proc} via {@link ProcessHandle.Info#totalCpuDuration()}) and its JIT, heap and GC are not
 * shared with the fleet. Its output goes to a log file; the port is read from its "listening on HOST:PORT" line.
 * A {@link ChildService} (the soak's launcher) that knows its port and its CPU time.
 * <p>
 * Not thread-safe; start and close from the controlling thread.
 */
public final class ServerProcess implements AutoCloseable
{
    private static final Pattern LISTENING = Pattern.compile("listening on [^:\\s]+:(\\d+)");

    private final ChildService child;
    private final int port;

    private ServerProcess(final ChildService child, final int port)
    {
        this.child = child;
        this.port = port;
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
        final ChildService child = ChildService.start(name, jvmOptions, mainClass, args, Map.of(), logDir, LISTENING,
            startTimeoutMs);
        return new ServerProcess(child, Integer.parseInt(child.readyValue()));
    }

    public String name()
    {
        return child.name();
    }

    public int port()
    {
        return port;
    }

    public long pid()
    {
        return child.pid();
    }

    public Path log()
    {
        return child.log();
    }

    /**
     * @return user + system CPU time the server process used so far, in nanoseconds (10 ms resolution on Linux).
     */
    public long cpuNs()
    {
        return child.handle().info().totalCpuDuration().map(Duration::toNanos)
            .orElseThrow(() -> new IllegalStateException("CPU time of " + child.name() + " is not available"));
    }

    /**
     * Stops the server with SIGTERM (a clean shutdown: the switch drains, snapshots, closes its journal) and waits
     * for it, bounded; kills it when the bound passes.
     */
    @Override
    public void close()
    {
        child.close();
    }
}
