package io.tapswitch.bench.fleet;

import java.io.PrintStream;
import java.util.Locale;

import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.ReasonCode;
import org.HdrHistogram.Histogram;

/**
 * What a {@link Fleet} run measured: counts by outcome and the latency histogram (microseconds, measured from
 * each request's scheduled send time). Immutable after construction; the histogram must not be modified.
 */
public final class FleetResult
{
    private final FleetOptions options;
    private final long[] counters;
    private final Histogram latencyUs;
    private final Histogram serviceUs;
    private final long loadNs;
    private final long connectMs;
    private final boolean epoll;

    FleetResult(
        final FleetOptions options,
        final long[] counters,
        final Histogram latencyUs,
        final Histogram serviceUs,
        final long loadNs,
        final long connectMs,
        final boolean epoll)
    {
        this.options = options;
        this.counters = counters;
        this.latencyUs = latencyUs;
        this.serviceUs = serviceUs;
        this.loadNs = loadNs;
        this.connectMs = connectMs;
        this.epoll = epoll;
    }

    public long loggedOn()
    {
        return counters[Fleet.LOGGED_ON];
    }

    public long logonFailures()
    {
        return counters[Fleet.LOGON_FAILED];
    }

    public long connectFailures()
    {
        return counters[Fleet.CONNECT_FAILED];
    }

    public long disconnected()
    {
        return counters[Fleet.DISCONNECTED];
    }

    public long sent()
    {
        return counters[Fleet.SENT];
    }

    public long answered()
    {
        return counters[Fleet.ANSWERED];
    }

    /**
     * @return HEARTBEATs the fleet sent to keep quiet terminals logged on.
     */
    public long heartbeats()
    {
        return counters[Fleet.HEARTBEATS];
    }

    public long errors()
    {
        return counters[Fleet.ERRORS];
    }

    /**
     * @return requests the fleet could not send: no terminal logged on, or a terminal's backlog was full.
     */
    public long unsent()
    {
        return counters[Fleet.UNSENT];
    }

    /**
     * @return results with that decision and reason.
     */
    public long count(final int decision, final int reason)
    {
        return counters[Fleet.decisionIndex(decision, reason)];
    }

    public long count(final int decision)
    {
        long total = 0;
        for (int reason = 0; reason < ReasonCode.COUNT; reason++)
        {
            total += count(decision, reason);
        }
        return total;
    }

    public Histogram latencyUs()
    {
        return latencyUs;
    }

    /**
     * @return response time from each request's actual send (microseconds): the switch and the network only,
     * without the fleet's own scheduling delay. {@link #latencyUs()} is the figure to quote.
     */
    public Histogram serviceUs()
    {
        return serviceUs;
    }

    public double loadSeconds()
    {
        return loadNs / 1e9;
    }

    /**
     * @return answered requests per second over the load phase.
     */
    public double answeredPerSecond()
    {
        return answered() / loadSeconds();
    }

    public long connectMs()
    {
        return connectMs;
    }

    /**
     * Prints the summary and the HdrHistogram percentile table (values in milliseconds).
     */
    public void print(final PrintStream out)
    {
        out.println();
        out.println("=== tapswitch fleet summary ===");
        out.printf(Locale.ROOT, "target      %s:%d, %d terminals (ids %d..%d), %s, %.1f s, %d io thread(s) (%s)%n",
            options.host(), options.port(), options.terminals(), options.firstTerminal(),
            options.firstTerminal() + options.terminals() - 1,
            options.isMaxRate() ? "rate max with " + options.inFlight() + " in flight per terminal" :
                String.format(Locale.ROOT, "offered rate %.0f taps/s", options.ratePerSecond()),
            loadSeconds(), options.ioThreads(), epoll ? "epoll" : "nio");
        out.printf(Locale.ROOT, "connections logged on %d, logon failures %d, connect failures %d, dropped %d " +
            "(logon phase %d ms)%n", loggedOn(), logonFailures(), connectFailures(), disconnected(), connectMs);
        out.printf(Locale.ROOT, "requests    sent %d, answered %d (%.0f taps/s), errors %d, unsent %d, heartbeats %d%n",
            sent(), answered(), answeredPerSecond(), errors(), unsent(), heartbeats());
        out.printf(Locale.ROOT, "decisions   APPROVED %d, RECORDED %d, DECLINED %d%n",
            count(Decision.APPROVED), count(Decision.RECORDED), count(Decision.DECLINED));
        for (int reason = 1; reason < ReasonCode.COUNT; reason++)
        {
            final long declined = count(Decision.DECLINED, reason);
            if (declined > 0)
            {
                out.printf(Locale.ROOT, "            DECLINED %-24s %d%n", ReasonCode.name(reason), declined);
            }
        }
        out.printf(Locale.ROOT, "latency ms  p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  (%d samples, " +
            "from scheduled send time)%n",
            latencyUs.getValueAtPercentile(50) / 1000.0, latencyUs.getValueAtPercentile(90) / 1000.0,
            latencyUs.getValueAtPercentile(99) / 1000.0, latencyUs.getValueAtPercentile(99.9) / 1000.0,
            latencyUs.getMaxValue() / 1000.0, latencyUs.getTotalCount());
        out.printf(Locale.ROOT, "response ms p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  (from actual send; " +
            "excludes the fleet's own scheduling delay)%n",
            serviceUs.getValueAtPercentile(50) / 1000.0, serviceUs.getValueAtPercentile(90) / 1000.0,
            serviceUs.getValueAtPercentile(99) / 1000.0, serviceUs.getValueAtPercentile(99.9) / 1000.0,
            serviceUs.getMaxValue() / 1000.0);
        out.println();
        out.println("latency percentile distribution (milliseconds, from scheduled send time):");
        if (latencyUs.getTotalCount() > 0)
        {
            latencyUs.outputPercentileDistribution(out, 5, 1000.0);
        }
    }
}
