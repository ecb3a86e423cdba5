package io.tapswitch.bench;

import io.tapswitch.bench.cluster.ClusterBenchCommand;
import io.tapswitch.bench.cluster.FailoverCommand;
import io.tapswitch.bench.ingest.IngestCommand;
import io.tapswitch.bench.jmh.JmhCommand;
import io.tapswitch.bench.load.JfrCommand;
import io.tapswitch.bench.load.LoadCommand;
import io.tapswitch.bench.load.PlotCommand;
import io.tapswitch.bench.replay.ReplayCommand;
import io.tapswitch.bench.reports.ReportsCommand;
import io.tapswitch.bench.soak.SoakCommand;
import io.tapswitch.bench.storm.StormCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code ./tapswitch bench}: the JMH suite ({@code jmh}), the load comparison of the switch against a bare Tap
 * Protocol server on the same machine ({@code load}), the restart / memory measurements ({@code replay}) and the
 * admin's journal ingest with the month's reports ({@code ingest}).
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Benchmarks of tapswitch: JMH micro-benchmarks, the fleet load comparison, restart and memory.",
    subcommands = {JmhCommand.class, LoadCommand.class, ReplayCommand.class, JfrCommand.class, IngestCommand.class,
        PlotCommand.class, SoakCommand.class, StormCommand.class, FailoverCommand.class,
        ClusterBenchCommand.class, ReportsCommand.class})
public final class BenchMain implements Runnable
{
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new BenchMain()).execute(args));
    }

    public void run()
    {
        spec.commandLine().usage(System.out);
    }
}
