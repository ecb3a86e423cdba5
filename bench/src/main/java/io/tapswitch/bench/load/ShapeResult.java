package io.tapswitch.bench.load;

import java.util.Locale;

import io.tapswitch.bench.fleet.FleetResult;
import io.tapswitch.protocol.Decision;
import org.HdrHistogram.Histogram;

/**
 * One shape measured against one server: throughput, latency percentiles (microseconds, from the fleet's
 * HdrHistogram) and CPU per request of the server process and of the fleet. Immutable.
 */
public final class ShapeResult
{
    public final String server;
    public final Shape shape;
    public final long sent;
    public final long answered;
    public final long errors;
    public final long unsent;
    public final long loggedOn;
    public final long approved;
    public final long declined;
    public final long recorded;
    public final double seconds;
    public final double requestsPerSecond;
    public final long p50Us;
    public final long p99Us;
    public final long p999Us;
    public final long maxUs;
    public final long serviceP50Us;
    public final long serviceP99Us;
    public final long serviceP999Us;
    public final double serverCpuUsPerRequest;
    public final double fleetCpuUsPerRequest;
    public final double serverCpuCores;
    public final double otherServerCpuCores;
    public final String loadBefore;

    ShapeResult(
        final String server,
        final Shape shape,
        final FleetResult fleet,
        final long serverCpuNs,
        final long fleetCpuNs,
        final long otherServerCpuNs,
        final double wallSeconds,
        final String loadBefore)
    {
        this.server = server;
        this.shape = shape;
        this.sent = fleet.sent();
        this.answered = fleet.answered();
        this.errors = fleet.errors();
        this.unsent = fleet.unsent();
        this.loggedOn = fleet.loggedOn();
        this.approved = fleet.count(Decision.APPROVED);
        this.declined = fleet.count(Decision.DECLINED);
        this.recorded = fleet.count(Decision.RECORDED);
        this.seconds = fleet.loadSeconds();
        this.requestsPerSecond = fleet.answeredPerSecond();
        final Histogram h = fleet.latencyUs();
        this.p50Us = h.getValueAtPercentile(50);
        this.p99Us = h.getValueAtPercentile(99);
        this.p999Us = h.getValueAtPercentile(99.9);
        this.maxUs = h.getMaxValue();
        final Histogram service = fleet.serviceUs();
        this.serviceP50Us = service.getValueAtPercentile(50);
        this.serviceP99Us = service.getValueAtPercentile(99);
        this.serviceP999Us = service.getValueAtPercentile(99.9);
        final long requests = Math.max(1, answered);
        this.serverCpuUsPerRequest = serverCpuNs / 1e3 / requests;
        this.fleetCpuUsPerRequest = fleetCpuNs / 1e3 / requests;
        this.serverCpuCores = serverCpuNs / 1e9 / wallSeconds;
        this.otherServerCpuCores = otherServerCpuNs / 1e9 / wallSeconds;
        this.loadBefore = loadBefore;
    }

    String summaryLine()
    {
        return String.format(Locale.ROOT,
            "%-6s %-32s %10.0f req/s  p50 %8.3f ms  p99 %8.3f ms  p99.9 %8.3f ms  max %8.3f ms  " +
            "server CPU %6.2f us/req (%.2f cores)  fleet CPU %6.2f us/req  answered %d/%d  errors %d  unsent %d",
            server, shape.description(), requestsPerSecond, p50Us / 1e3, p99Us / 1e3, p999Us / 1e3, maxUs / 1e3,
            serverCpuUsPerRequest, serverCpuCores, fleetCpuUsPerRequest, answered, sent, errors, unsent);
    }
}
