package io.tapswitch.bench.fleet;

import java.util.Locale;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./tapswitch fleet}: a fleet of simulated demo terminals against a running switch; prints a live line
 * every second and a summary with a percentile table, then exits.
 */
@Command(
    name = "fleet",
    mixinStandardHelpOptions = true,
    version = "tapswitch fleet 0.1.0",
    description = "Drive a switch with T simulated demo terminals (each a real connection, demo keys), tapping " +
        "random demo cards at a total rate R (open loop, latency from the scheduled send time) or as fast as " +
        "possible (--rate max). Stops by itself after --duration.")
public final class FleetMain implements Callable<Integer>
{
    @Option(names = "--host", paramLabel = "H", description = "switch address (default 127.0.0.1)")
    private String host = "127.0.0.1";

    @Option(names = "--port", paramLabel = "P", description = "switch port (default 7700)")
    private int port = 7700;

    @Option(names = "--hosts", paramLabel = "H:P,H:P,...",
        description = "several switch endpoints (a replicated switch's members): terminals are spread over them and a " +
            "terminal whose connection drops moves to the next one (instead of --host/--port)")
    private String hosts;

    @Option(names = "--terminals", paramLabel = "T", description = "terminals, each a connection (default 200)")
    private int terminals = 200;

    @Option(names = "--first-terminal", paramLabel = "F", description = "first terminal id (default 1)")
    private long firstTerminal = 1;

    @Option(names = "--rate", paramLabel = "R|max", description = "total taps per second, or max (default 1000)")
    private String rate = "1000";

    @Option(names = "--duration", paramLabel = "S", description = "seconds of load (default 30)")
    private double durationSeconds = 30;

    @Option(names = "--cards", paramLabel = "N", description = "demo cards to pick from (default 100000)")
    private int cards = 100_000;

    @Option(names = "--in-flight", paramLabel = "K", description = "with --rate max: requests in flight per terminal (default 1)")
    private int inFlight = 1;

    @Option(names = "--io-threads", paramLabel = "N", description = "fleet event loops (default 1)")
    private int ioThreads = 1;

    @Option(names = "--program", paramLabel = "ID", description = "program of every TAP; 0 = outlet default (default 0)")
    private long programId;

    @Option(names = "--warmup", paramLabel = "S",
        description = "seconds of load before the measured --duration, not counted in any figure: the same terminals " +
            "and in-flight at full speed (--rate max), on connections of their own, closed before the measured run " +
            "connects; the fleet's own code (this JVM) and the switch's are compiled by then, as bench load warms its " +
            "in-process fleet and its servers (default ${DEFAULT-VALUE}; 0 = none: the first seconds then time a " +
            "cold JVM too)")
    private double warmupSeconds = 5;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the summary as JSON to FILE")
    private java.nio.file.Path jsonFile;

    @Option(names = "--hgrm", paramLabel = "FILE",
        description = "also write the latency histogram (HdrHistogram percentile distribution, ms) to FILE")
    private java.nio.file.Path hgrmFile;

    @Option(names = "--max-p99-ms", paramLabel = "MS",
        description = "fail (exit 1) when p99 latency from scheduled send time is above MS")
    private Double maxP99Ms;

    @Option(names = "--max-unanswered", paramLabel = "N",
        description = "fail (exit 1) when more than N requests stay unanswered after the drain (default 0)")
    private long maxUnanswered;

    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new FleetMain()).execute(args));
    }

    public Integer call() throws Exception
    {
        final FleetOptions options;
        try
        {
            options = new FleetOptions()
                .host(host)
                .port(port)
                .hosts(hosts)
                .terminals(terminals)
                .firstTerminal(firstTerminal)
                .ratePerSecond(parseRate(rate))
                .durationMs((long)(durationSeconds * 1000))
                .cards(cards)
                .inFlight(inFlight)
                .ioThreads(ioThreads)
                .programId(programId)
                .validate();
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("tapswitch fleet: " + ex.getMessage());
            return 2;
        }

        if (maxUnanswered < 0 || (null != maxP99Ms && !(maxP99Ms > 0)) || !(warmupSeconds >= 0) ||
            warmupSeconds > 3_600)
        {
            System.err.println("tapswitch fleet: --max-unanswered must be >= 0, --max-p99-ms > 0, --warmup 0 .. 3600");
            return 2;
        }
        final FleetResult warm = warmUp(System.out);
        final FleetResult result = new Fleet(options).run(System.out);
        result.print(System.out);
        if (null != jsonFile)
        {
            final io.vertx.core.json.JsonObject json = result.toJson();
            json.put("warmup", new io.vertx.core.json.JsonObject()
                .put("seconds", null == warm ? 0 : warmupSeconds)
                .put("sent", null == warm ? 0 : warm.sent())
                .put("answered", null == warm ? 0 : warm.answered()));
            java.nio.file.Files.writeString(jsonFile, json.encodePrettily() + "\n");
        }
        if (null != hgrmFile)
        {
            result.writeHgrm(hgrmFile);
        }
        return verdict(result, maxP99Ms, maxUnanswered, System.err);
    }

    /**
     * The warm-up run ({@code --warmup}): the measured run's terminals, endpoints, cards and in-flight at full speed,
     * in this JVM, then closed; its figures are printed on one line and kept out of the measured run's.
     *
     * @return the warm-up's result, or null without a warm-up.
     */
    private FleetResult warmUp(final java.io.PrintStream out) throws InterruptedException
    {
        final long warmupMs = Math.round(warmupSeconds * 1000);
        if (warmupMs < 1)
        {
            return null;
        }
        final FleetResult warm = new Fleet(new FleetOptions()
            .host(host)
            .port(port)
            .hosts(hosts)
            .terminals(terminals)
            .firstTerminal(firstTerminal)
            .ratePerSecond(FleetOptions.RATE_MAX)
            .durationMs(warmupMs)
            .cards(cards)
            .inFlight(inFlight)
            .ioThreads(ioThreads)
            .programId(programId)).run(null);
        out.printf(Locale.ROOT, "fleet: warm-up %.1f s at full speed (not counted): %d/%d logged on, %d answered, " +
            "%.0f req/s%n", warmupSeconds, warm.loggedOn(), terminals, warm.answered(), warm.answeredPerSecond());
        return warm;
    }

    /**
     * @return 0 when the run met its thresholds, 1 (each failure named on {@code err}) when no terminal logged on,
     * more requests than allowed stayed unanswered, or p99 exceeded its limit.
     */
    static int verdict(final FleetResult result, final Double maxP99Ms, final long maxUnanswered, final java.io.PrintStream err)
    {
        int code = 0;
        if (result.loggedOn() == 0)
        {
            err.println("tapswitch fleet: FAILED: no terminal logged on");
            code = 1;
        }
        if (result.unanswered() > maxUnanswered)
        {
            err.printf(Locale.ROOT, "tapswitch fleet: FAILED: %d request(s) unanswered (allowed %d)%n",
                result.unanswered(), maxUnanswered);
            code = 1;
        }
        if (null != maxP99Ms)
        {
            final double p99 = result.latencyUs().getValueAtPercentile(99) / 1000.0;
            if (p99 > maxP99Ms)
            {
                err.printf(Locale.ROOT, "tapswitch fleet: FAILED: p99 %.3f ms above --max-p99-ms %.3f%n", p99, maxP99Ms);
                code = 1;
            }
        }
        return code;
    }

    static double parseRate(final String rate)
    {
        if ("max".equals(rate.toLowerCase(Locale.ROOT)))
        {
            return FleetOptions.RATE_MAX;
        }
        try
        {
            final double value = Double.parseDouble(rate);
            if (value <= 0)
            {
                throw new IllegalArgumentException("invalid rate = " + rate + ": must be > 0 or max");
            }
            return value;
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("invalid rate = " + rate + ": must be a number or max");
        }
    }
}
