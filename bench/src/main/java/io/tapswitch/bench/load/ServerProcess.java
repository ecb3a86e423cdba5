package io.tapswitch.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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

    /**
     * Starts a server through the {@code ./tapswitch} launcher ({@code TAPSWITCH_LAUNCHER}, set by the launcher that
     * runs this JVM), exactly as a user starts it: the launcher's JVM defaults of {@code switch} and {@code bare},
     * then {@code JAVA_OPTS}. The launcher {@code exec}s the JVM, so the process is the server's JVM.
     *
     * @param name           for messages and the log file name.
     * @param launcherCommand the launcher's command: {@code switch} or {@code bare}.
     * @param javaOpts       the child's {@code JAVA_OPTS} (this JVM's, plus any extra options of the run).
     * @param args           the command's arguments.
     * @param logDir         where {@code <name>.log} is written.
     * @param startTimeoutMs how long provisioning + start may take.
     * @return the running server.
     */
    public static ServerProcess launch(
        final String name,
        final String launcherCommand,
        final String javaOpts,
        final List<String> args,
        final Path logDir,
        final long startTimeoutMs) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(launcher());
        command.add(launcherCommand);
        command.addAll(args);
        // no build while measuring: the running bench already is the build
        final ChildService child = ChildService.run(name, command,
            Map.of("TAPSWITCH_NO_BUILD", "1", "JAVA_OPTS", javaOpts), logDir, LISTENING, startTimeoutMs);
        return new ServerProcess(child, Integer.parseInt(child.readyValue()));
    }

    /** @return the path of the {@code ./tapswitch} launcher that started this JVM. */
    public static String launcher()
    {
        final String launcher = System.getenv("TAPSWITCH_LAUNCHER");
        if (null == launcher || launcher.isBlank() || !Files.isExecutable(Path.of(launcher)))
        {
            throw new IllegalStateException("TAPSWITCH_LAUNCHER is not set to the ./tapswitch launcher (" + launcher +
                "): run this through ./tapswitch, which starts the servers as a user's ./tapswitch switch");
        }
        return launcher;
    }

    /**
     * @return the JVM options the server's JVM really got (its command line from {@code /proc}: the {@code -X}
     * options, heap, GC, pre-touch), for the report.
     */
    public List<String> jvmOptions()
    {
        final List<String> options = new ArrayList<>();
        for (final String arg : child.handle().info().arguments().orElse(new String[0]))
        {
            if ("-cp".equals(arg) || "-classpath".equals(arg))
            {
                break;
            }
            if (arg.startsWith("-X"))
            {
                options.add(arg);
            }
        }
        return options;
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
