package io.tapswitch.switching;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./tapswitch cluster}: a replicated switch of 3 members on this machine, for trying it out (switch/CLUSTER.md
 * runs them on 3 machines). Each member is a child JVM running {@code tapswitch switch} with {@code --cluster-member
 * I}; its output is prefixed with {@code [member I]}. Stopping this process (Ctrl-C, SIGTERM) stops the members.
 */
@Command(
    name = "cluster",
    mixinStandardHelpOptions = true,
    version = "tapswitch cluster 0.1.0",
    description = "Run a replicated switch of 3 members on this machine (child processes), for trying it out.")
public final class ClusterMain implements Callable<Integer>
{
    @Option(names = "--demo", description = "provision the demo dataset into each member's empty data directory")
    private boolean demo;

    @Option(names = "--members", paramLabel = "N", description = "members (default 3)")
    private int members = 3;

    @Option(names = "--host", paramLabel = "H", description = "address of every member (default 127.0.0.1)")
    private String host = "127.0.0.1";

    @Option(names = "--port", paramLabel = "P", description = "terminal port of member 0; member I listens on P + I (default 7700)")
    private int port = 7700;

    @Option(names = "--metrics-port", paramLabel = "M", description = "metrics port of member 0, member I on M + I (default 9464)")
    private int metricsPort = 9464;

    @Option(names = "--cluster-base-port", paramLabel = "B", description = "Aeron ports: member I uses B + 10*I + 0..5 (default 9100)")
    private int basePort = 9100;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "member I keeps its data in DIR/member-I (default ./data/cluster)")
    private Path dataDir = Paths.get("data", "cluster");

    @Option(names = "--member-heap", paramLabel = "SIZE", description = "heap of each member, fixed (-Xms = -Xmx; default 2g: "
        + "a 1g heap runs out under a long full-speed fleet, when the idempotency table reaches millions of entries)")
    private String memberHeap = "2g";

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "a switch setting for every member")
    private List<String> settings = new ArrayList<>();

    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new ClusterMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception
    {
        if (members < 1 || members > 9)
        {
            System.err.println("tapswitch cluster: --members must be 1 .. 9");
            return 2;
        }
        final String hosts = String.join(",", java.util.Collections.nCopies(members, host));
        final List<Process> processes = new ArrayList<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            for (final Process process : processes)
            {
                process.destroy();
            }
            for (final Process process : processes)
            {
                try
                {
                    if (!process.waitFor(20, TimeUnit.SECONDS))
                    {
                        process.destroyForcibly();
                    }
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }
        }, "tapswitch-cluster-stop"));
        for (int i = 0; i < members; i++)
        {
            final List<String> command = new ArrayList<>();
            command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
            for (final String argument : ManagementFactory.getRuntimeMXBean().getInputArguments())
            {
                if (!argument.startsWith("-Xmx") && !argument.startsWith("-Xms") && !argument.startsWith("-agentlib"))
                {
                    command.add(argument);
                }
            }
            command.add("-Xms" + memberHeap);
            command.add("-Xmx" + memberHeap);
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(SwitchMain.class.getName());
            command.add("--host");
            command.add(host);
            command.add("--port");
            command.add(Integer.toString(port + i));
            command.add("--metrics-port");
            command.add(metricsPort < 0 ? "-1" : Integer.toString(metricsPort + i));
            command.add("--data-dir");
            command.add(dataDir.resolve("member-" + i).toString());
            command.add("--cluster-member");
            command.add(Integer.toString(i));
            command.add("--cluster-hosts");
            command.add(hosts);
            command.add("--cluster-base-port");
            command.add(Integer.toString(basePort));
            if (demo)
            {
                command.add("--demo");
            }
            for (final String setting : settings)
            {
                command.add("--set");
                command.add(setting);
            }
            final Process process = new ProcessBuilder(command).start();
            processes.add(process);
            pump(process.getInputStream(), "[member " + i + "] ", System.out);
            pump(process.getErrorStream(), "[member " + i + "] ", System.err);
        }
        System.err.println("tapswitch cluster: " + members + " members starting (terminal ports " + port + ".." +
            (port + members - 1) + ", data in " + dataDir + "); Ctrl-C stops them");
        int status = 0;
        for (final Process process : processes)
        {
            status = Math.max(status, process.waitFor());
        }
        return status;
    }

    private static void pump(final InputStream in, final String prefix, final java.io.PrintStream out)
    {
        final Thread thread = new Thread(() ->
        {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = reader.readLine()) != null)
                {
                    synchronized (out)
                    {
                        out.println(prefix + line);
                        out.flush();
                    }
                }
            }
            catch (final IOException ignored)
            {
                // the member is gone
            }
        }, "tapswitch-cluster-output");
        thread.setDaemon(true);
        thread.start();
    }
}
