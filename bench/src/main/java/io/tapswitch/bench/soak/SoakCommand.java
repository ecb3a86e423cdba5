package io.tapswitch.bench.soak;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./tapswitch bench soak --hours H}: the soak ({@link Soak}), its table, CSV and plot.
 * Exit code 0 when every tap and every admin call was answered and every admin change reached the switch, 1 otherwise.
 */
@Command(
    name = "soak",
    mixinStandardHelpOptions = true,
    description = "Run the switch and the admin service (embedded PostgreSQL, demo data) as child processes for a fixed " +
        "time under a fleet at a fixed rate plus admin REST traffic (cases, card blocks and replacements, reports); " +
        "record RSS, heap after GC, open files, threads of each process and the fleet's p99 and unanswered per " +
        "interval; write soak.csv, soak.md and soak.png.")
public final class SoakCommand implements Callable<Integer>
{
    @Option(names = "--hours", paramLabel = "H", description = "length of the run in hours")
    private Double hours;

    @Option(names = "--minutes", paramLabel = "M", description = "length of the run in minutes (instead of --hours)")
    private Double minutes;

    @Option(names = "--sample-seconds", paramLabel = "S", description = "seconds between two rows (default 60)")
    private long sampleSeconds = 60;

    @Option(names = "--terminals", paramLabel = "T", description = "fleet terminals (default 2000)")
    private int terminals = 2_000;

    @Option(names = "--rate", paramLabel = "R", description = "taps per second offered by the whole fleet (default 1000)")
    private double rate = 1_000;

    @Option(names = "--cards", paramLabel = "N", description = "demo cards loaded by the admin (default 100000)")
    private int cards = 100_000;

    @Option(names = "--port", paramLabel = "P", description = "switch terminal port (default 7700; 0 = any free)")
    private int port = 7700;

    @Option(names = "--metrics-port", paramLabel = "M", description = "switch metrics port (default 9464; 0 = any free)")
    private int metricsPort = 9464;

    @Option(names = "--admin-port", paramLabel = "P", description = "admin API port (default 8080; 0 = any free)")
    private int adminPort = 8080;

    @Option(names = "--admin-metrics-port", paramLabel = "M", description = "admin metrics port (default 9465; 0 = any free)")
    private int adminMetricsPort = 9465;

    @Option(names = "--admin-pause-ms", paramLabel = "MS", description = "pause between two caseworker rounds (default 500)")
    private long adminPauseMs = 500;

    @Option(names = "--switch-set", paramLabel = "KEY=VALUE", description = "a setting of the switch (repeatable), " +
        "e.g. idempotency-capacity=2097152 to size the idempotency table for the run's taps as README advises")
    private java.util.List<String> switchSettings = new java.util.ArrayList<>();

    @Option(names = "--out", paramLabel = "DIR", description = "output and data directory, wiped at start (default bench/target/soak)")
    private Path out = Path.of("bench", "target", "soak");

    @Override
    public Integer call() throws Exception
    {
        if ((null == hours) == (null == minutes))
        {
            System.err.println("soak: give exactly one of --hours H or --minutes M");
            return 2;
        }
        final long durationMs = (long)(null != hours ? hours * 3_600_000 : minutes * 60_000);
        final Soak.Options options = new Soak.Options().durationMs(durationMs).sampleMs(sampleSeconds * 1000)
            .terminals(terminals).rate(rate).cards(cards).ports(port, metricsPort, adminPort, adminMetricsPort)
            .adminPauseMs(adminPauseMs).switchSettings(switchSettings).outDir(out);
        final Soak.Result result;
        try
        {
            result = new Soak(options).run(System.out);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("soak: " + ex.getMessage());
            return 2;
        }
        SoakReport.write(result, out);
        System.out.println();
        System.out.print(SoakReport.summary(result));
        System.out.println("soak: table " + out.resolve("soak.md") + ", CSV " + out.resolve("soak.csv") + ", plot " +
            out.resolve("soak.png") + ", service logs and GC logs beside them");
        final boolean ok = null != result.fleet() && result.fleet().unanswered() == 0 && result.switchExit() == 143 &&
            result.adminExit() == 143 &&
            result.rows().stream().allMatch(r -> r.overdue() == 0) && result.adminUnanswered() == 0 &&
            result.adminRefused() == 0 && result.changesNotAtSwitch() == 0;
        System.out.println(ok ? "soak: every tap and every admin call answered, every change at the switch" :
            "soak: NOT everything was answered or applied (see above)");
        return ok ? 0 : 1;
    }
}
