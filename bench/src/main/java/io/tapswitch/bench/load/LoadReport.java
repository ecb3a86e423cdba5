package io.tapswitch.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Markdown and JSON report of a load comparison: one row per shape and server, the ratios switch / limit
 * (throughput) and switch / bare (latency percentiles, CPU per request), and the ratios against each switch's own
 * limit: the switch with its journal synced ({@code journal-sync=batch}) against the bare durable server, the switch
 * with {@code journal-sync=none} against the bare server. Not thread-safe; build, then render.
 */
public final class LoadReport
{
    private final String startedAt;
    private final int durationSeconds;
    private final int cards;
    private final int serverIoThreads;
    private final int fleetIoThreads;
    private final List<String> serverJvmOptions;
    private final List<String> switchSettings;
    private final List<Shape> shapes;
    private final String switchSync;
    private final Map<String, Map<Shape, ShapeResult>> results;
    private final Map<Shape, ShapeResult> bare;
    private final Map<Shape, ShapeResult> theSwitch;

    LoadReport(
        final String startedAt,
        final int durationSeconds,
        final int cards,
        final int serverIoThreads,
        final int fleetIoThreads,
        final List<String> serverJvmOptions,
        final List<String> switchSettings,
        final List<Shape> shapes,
        final String switchSync,
        final Map<String, Map<Shape, ShapeResult>> results)
    {
        this.startedAt = startedAt;
        this.durationSeconds = durationSeconds;
        this.cards = cards;
        this.serverIoThreads = serverIoThreads;
        this.fleetIoThreads = fleetIoThreads;
        this.serverJvmOptions = serverJvmOptions;
        this.switchSettings = switchSettings;
        this.shapes = shapes;
        this.switchSync = switchSync;
        this.results = results;
        this.bare = results.getOrDefault(LoadCommand.BARE, Map.of());
        this.theSwitch = results.getOrDefault(LoadCommand.SWITCH, Map.of());
    }

    private Map<Shape, ShapeResult> of(final String server)
    {
        return results.getOrDefault(server, Map.of());
    }

    /**
     * @return true when every request sent was answered and nothing failed, for every shape and server.
     */
    public boolean allAnswered()
    {
        for (final Map<Shape, ShapeResult> byShape : results.values())
        {
            for (final ShapeResult r : byShape.values())
            {
                if (r.answered != r.sent || r.errors != 0 || r.answered == 0 || r.loggedOn != r.shape.connections())
                {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * @return the content of {@code /proc/loadavg} (1, 5, 15 min), or "n/a".
     */
    public static String loadAverage()
    {
        try
        {
            final String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        }
        catch (final IOException | RuntimeException ex)
        {
            return "n/a";
        }
    }

    public String markdown()
    {
        final StringBuilder sb = new StringBuilder(4096);
        sb.append("## Load comparison: switch vs bare Tap Protocol server (same run)\n\n");
        sb.append(String.format(Locale.ROOT, "Started %s; %d s per shape and server; switch with %d demo cards, " +
            "%d demo terminals, journaling on, switch settings: %s; %d server io thread(s), %d fleet io thread(s); " +
            "server JVMs (as ./tapswitch switch starts them): %s.%n%n",
            startedAt, durationSeconds, cards, LoadCommand.demoTerminals(shapes), switchSettings.isEmpty() ? "defaults" : String.join(" ", switchSettings),
            serverIoThreads, fleetIoThreads, String.join(" ", serverJvmOptions)));
        sb.append("| shape | server | req/s | p50 ms | p99 ms | p99.9 ms | max ms | server CPU µs/req | " +
            "server cores | fleet CPU µs/req | answered / sent | approved / declined | load avg before |\n");
        sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (final Shape shape : shapes)
        {
            for (final Map<Shape, ShapeResult> byShape : results.values())
            {
                row(sb, byShape.get(shape));
            }
        }
        sb.append('\n');
        sb.append("| shape | throughput switch / limit | p50 switch / bare | p99 switch / bare | " +
            "p99.9 switch / bare | server CPU per request switch / bare |\n");
        sb.append("|---|---:|---:|---:|---:|---:|\n");
        for (final Shape shape : shapes)
        {
            final ShapeResult b = bare.get(shape);
            final ShapeResult s = theSwitch.get(shape);
            if (null == b || null == s)
            {
                continue;
            }
            sb.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %.2f | %.2f |%n", shape.description(),
                s.requestsPerSecond / b.requestsPerSecond, ratio(s.p50Us, b.p50Us), ratio(s.p99Us, b.p99Us),
                ratio(s.p999Us, b.p999Us), s.serverCpuUsPerRequest / b.serverCpuUsPerRequest));
        }
        limits(sb);
        sb.append('\n');
        sb.append("Latency: closed-loop shapes from each request's send; the fixed-rate shapes from each request's " +
            "scheduled send time (no coordinated omission). CPU: user+system time of the server process over the " +
            "whole fleet run (logons included) / answered requests.\n");
        return sb.toString();
    }

    /** Each switch against its own limit: journal synced vs the bare durable server, unsynced vs the bare server. */
    private void limits(final StringBuilder sb)
    {
        final boolean durable = !of(LoadCommand.BARE_DURABLE).isEmpty() && !theSwitch.isEmpty();
        final boolean noSync = !bare.isEmpty() && !of(LoadCommand.SWITCH_NOSYNC).isEmpty();
        if (!durable && !noSync)
        {
            return;
        }
        sb.append('\n');
        sb.append("Each switch against its own limit: the switch (journal-sync=").append(switchSync)
            .append(") against the bare durable server (each read's requests appended to a file as journal-sized " +
                "records, answered after a group-commit fdatasync covering them), the switch with journal-sync=none " +
                "against the bare server:\n\n");
        sb.append("| shape | limit | throughput switch / limit | p50 switch / limit | p99 switch / limit | " +
            "p99.9 switch / limit | server CPU per request switch / limit |\n");
        sb.append("|---|---|---:|---:|---:|---:|---:|\n");
        for (final Shape shape : shapes)
        {
            if (durable)
            {
                limitRow(sb, shape, "switch (journal-sync=" + switchSync + ") / bare durable",
                    theSwitch.get(shape), of(LoadCommand.BARE_DURABLE).get(shape));
            }
            if (noSync)
            {
                limitRow(sb, shape, "switch (journal-sync=none) / bare", of(LoadCommand.SWITCH_NOSYNC).get(shape),
                    bare.get(shape));
            }
        }
    }

    private static void limitRow(final StringBuilder sb, final Shape shape, final String label, final ShapeResult s,
        final ShapeResult limit)
    {
        if (null == s || null == limit)
        {
            return;
        }
        sb.append(String.format(Locale.ROOT, "| %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f |%n", shape.description(), label,
            s.requestsPerSecond / limit.requestsPerSecond, ratio(s.p50Us, limit.p50Us), ratio(s.p99Us, limit.p99Us),
            ratio(s.p999Us, limit.p999Us), s.serverCpuUsPerRequest / limit.serverCpuUsPerRequest));
    }

    private static void row(final StringBuilder sb, final ShapeResult r)
    {
        if (null == r)
        {
            return;
        }
        sb.append(String.format(Locale.ROOT,
            "| %s | %s | %.0f | %.3f | %.3f | %.3f | %.3f | %.2f | %.2f | %.2f | %d / %d | %d / %d | %s |%n",
            r.shape.description(), r.server, r.requestsPerSecond, r.p50Us / 1e3, r.p99Us / 1e3, r.p999Us / 1e3,
            r.maxUs / 1e3, r.serverCpuUsPerRequest, r.serverCpuCores, r.fleetCpuUsPerRequest, r.answered, r.sent,
            r.approved, r.declined, r.loadBefore));
    }

    private static double ratio(final long a, final long b)
    {
        return b == 0 ? Double.NaN : (double)a / b;
    }

    public String json()
    {
        final StringBuilder sb = new StringBuilder(4096);
        sb.append("{\n");
        sb.append("  \"startedAt\": \"").append(startedAt).append("\",\n");
        sb.append("  \"durationSecondsPerShape\": ").append(durationSeconds).append(",\n");
        sb.append("  \"demoCards\": ").append(cards).append(",\n");
        sb.append("  \"serverIoThreads\": ").append(serverIoThreads).append(",\n");
        sb.append("  \"fleetIoThreads\": ").append(fleetIoThreads).append(",\n");
        sb.append("  \"serverJvmOptions\": \"").append(String.join(" ", serverJvmOptions)).append("\",\n");
        sb.append("  \"switchSettings\": \"").append(String.join(" ", switchSettings)).append("\",\n");
        sb.append("  \"switchJournalSync\": \"").append(switchSync).append("\",\n");
        sb.append("  \"shapes\": [\n");
        for (int i = 0; i < shapes.size(); i++)
        {
            final Shape shape = shapes.get(i);
            final ShapeResult b = bare.get(shape);
            final ShapeResult s = theSwitch.get(shape);
            sb.append("    {\n");
            sb.append("      \"shape\": \"").append(shape.scenarioName()).append("\",\n");
            sb.append("      \"description\": \"").append(shape.description()).append("\",\n");
            sb.append("      \"bare\": ").append(json(b)).append(",\n");
            sb.append("      \"switch\": ").append(json(s)).append(",\n");
            final ShapeResult d = of(LoadCommand.BARE_DURABLE).get(shape);
            final ShapeResult n = of(LoadCommand.SWITCH_NOSYNC).get(shape);
            sb.append("      \"bareDurable\": ").append(json(d)).append(",\n");
            sb.append("      \"switchNoSync\": ").append(json(n)).append(",\n");
            if (null != d && null != s)
            {
                sb.append(String.format(Locale.ROOT, "      \"ratioThroughputSwitchToBareDurable\": %.4f,%n",
                    s.requestsPerSecond / d.requestsPerSecond));
                sb.append(String.format(Locale.ROOT, "      \"ratioP99SwitchToBareDurable\": %.4f,%n", ratio(s.p99Us, d.p99Us)));
                sb.append(String.format(Locale.ROOT, "      \"ratioP999SwitchToBareDurable\": %.4f,%n", ratio(s.p999Us, d.p999Us)));
            }
            if (null != n && null != b)
            {
                sb.append(String.format(Locale.ROOT, "      \"ratioThroughputSwitchNoSyncToBare\": %.4f,%n",
                    n.requestsPerSecond / b.requestsPerSecond));
                sb.append(String.format(Locale.ROOT, "      \"ratioP99SwitchNoSyncToBare\": %.4f,%n", ratio(n.p99Us, b.p99Us)));
                sb.append(String.format(Locale.ROOT, "      \"ratioP999SwitchNoSyncToBare\": %.4f,%n", ratio(n.p999Us, b.p999Us)));
            }
            if (null != b && null != s)
            {
                sb.append(String.format(Locale.ROOT, "      \"ratioThroughputSwitchToLimit\": %.4f,%n",
                    s.requestsPerSecond / b.requestsPerSecond));
                sb.append(String.format(Locale.ROOT, "      \"ratioP99SwitchToBare\": %.4f,%n",
                    ratio(s.p99Us, b.p99Us)));
                sb.append(String.format(Locale.ROOT, "      \"ratioP999SwitchToBare\": %.4f%n",
                    ratio(s.p999Us, b.p999Us)));
            }
            else
            {
                sb.append("      \"ratioThroughputSwitchToLimit\": null\n");
            }
            sb.append("    }").append(i + 1 < shapes.size() ? "," : "").append('\n');
        }
        sb.append("  ]\n}\n");
        return sb.toString();
    }

    private static String json(final ShapeResult r)
    {
        if (null == r)
        {
            return "null";
        }
        return String.format(Locale.ROOT,
            "{\"requestsPerSecond\": %.1f, \"p50Us\": %d, \"p99Us\": %d, \"p999Us\": %d, \"maxUs\": %d, " +
            "\"serviceP50Us\": %d, \"serviceP99Us\": %d, \"serviceP999Us\": %d, " +
            "\"serverCpuUsPerRequest\": %.3f, \"serverCpuCores\": %.3f, \"fleetCpuUsPerRequest\": %.3f, " +
            "\"otherServerIdleCpuCores\": %.3f, \"sent\": %d, \"answered\": %d, \"errors\": %d, \"unsent\": %d, " +
            "\"loggedOn\": %d, \"approved\": %d, \"declined\": %d, \"recorded\": %d, \"seconds\": %.3f, " +
            "\"loadAverageBefore\": \"%s\"}",
            r.requestsPerSecond, r.p50Us, r.p99Us, r.p999Us, r.maxUs, r.serviceP50Us, r.serviceP99Us, r.serviceP999Us,
            r.serverCpuUsPerRequest, r.serverCpuCores,
            r.fleetCpuUsPerRequest, r.otherServerCpuCores, r.sent, r.answered, r.errors, r.unsent, r.loggedOn,
            r.approved, r.declined, r.recorded, r.seconds, r.loadBefore);
    }
}
