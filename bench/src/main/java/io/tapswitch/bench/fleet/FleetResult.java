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
     * @return requests sent that got neither an answer nor an error by the end of the drain.
     */
    public long unanswered()
    {
        return Math.max(0, sent() - answered() - errors() - lostWithConnection());
    }

    /**
     * @return requests in flight on a connection that dropped (its switch went away): never answered, not counted
     * as unanswered.
     */
    public long lostWithConnection()
    {
        return counters[Fleet.LOST_WITH_CONNECTION];
    }

    /**
     * @return times a terminal moved to the next endpoint after its connection dropped ({@code --hosts}).
     */
    public long moved()
    {
        return counters[Fleet.MOVED];
    }

    /**
     * @return the run as JSON: options, counts by outcome and decision, latency percentiles in milliseconds.
     */
    public io.vertx.core.json.JsonObject toJson()
    {
        final io.vertx.core.json.JsonObject decisions = new io.vertx.core.json.JsonObject();
        final String[] names = {"APPROVED", "DECLINED", "RECORDED"};
        final int[] codes = {Decision.APPROVED, Decision.DECLINED, Decision.RECORDED};
        for (int i = 0; i < codes.length; i++)
        {
            final io.vertx.core.json.JsonObject reasons = new io.vertx.core.json.JsonObject();
            for (int reason = 0; reason < ReasonCode.COUNT; reason++)
            {
                final long n = count(codes[i], reason);
                if (n > 0)
                {
                    reasons.put(ReasonCode.name(reason), n);
                }
            }
            decisions.put(names[i], new io.vertx.core.json.JsonObject().put("total", count(codes[i])).put("reasons", reasons));
        }
        return new io.vertx.core.json.JsonObject()
            .put("target", options.host() + ":" + options.port())
            .put("terminals", options.terminals())
            .put("firstTerminal", options.firstTerminal())
            .put("rate", options.isMaxRate() ? "max" : String.valueOf(options.ratePerSecond()))
            .put("inFlight", options.inFlight())
            .put("loadSeconds", loadSeconds())
            .put("connectMs", connectMs)
            .put("loggedOn", loggedOn())
            .put("logonFailures", logonFailures())
            .put("connectFailures", connectFailures())
            .put("disconnected", disconnected())
            .put("sent", sent())
            .put("answered", answered())
            .put("errors", errors())
            .put("unanswered", unanswered())
            .put("lostWithConnection", lostWithConnection())
            .put("moved", moved())
            .put("unsent", unsent())
            .put("heartbeats", heartbeats())
            .put("answeredPerSecond", answeredPerSecond())
            .put("decisions", decisions)
            .put("latencyMs", percentiles(latencyUs))
            .put("responseMs", percentiles(serviceUs));
    }

    private static io.vertx.core.json.JsonObject percentiles(final Histogram h)
    {
        return new io.vertx.core.json.JsonObject()
            .put("samples", h.getTotalCount())
            .put("p50", h.getValueAtPercentile(50) / 1000.0)
            .put("p90", h.getValueAtPercentile(90) / 1000.0)
            .put("p99", h.getValueAtPercentile(99) / 1000.0)
            .put("p999", h.getValueAtPercentile(99.9) / 1000.0)
            .put("max", h.getMaxValue() / 1000.0);
    }

    /**
     * Writes the latency histogram in HdrHistogram's percentile distribution format ({@code .hgrm}, values in
     * milliseconds), for the HdrHistogram plotter.
     */
    public void writeHgrm(final java.nio.file.Path file) throws java.io.IOException
    {
        try (PrintStream out = new PrintStream(java.nio.file.Files.newOutputStream(file), false, java.nio.charset.StandardCharsets.UTF_8))
        {
            latencyUs.outputPercentileDistribution(out, 5, 1000.0);
        }
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
        out.printf(Locale.ROOT, "requests    sent %d, answered %d (%.0f taps/s), errors %d, unanswered %d, unsent %d, " +
            "heartbeats %d%n", sent(), answered(), answeredPerSecond(), errors(), unanswered(), unsent(), heartbeats());
        if (options.endpoints().size() > 1)
        {
            final StringBuilder endpoints = new StringBuilder();
            for (final java.net.InetSocketAddress endpoint : options.endpoints())
            {
                endpoints.append(endpoints.length() == 0 ? "" : ",").append(endpoint.getHostString()).append(':')
                    .append(endpoint.getPort());
            }
            out.printf(Locale.ROOT, "endpoints   %s: terminals moved to the next one %d times, requests lost with a " +
                "dropped connection %d%n", endpoints, moved(), lostWithConnection());
        }
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
