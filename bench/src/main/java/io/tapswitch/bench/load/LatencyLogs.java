package io.tapswitch.bench.load;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import io.tapswitch.bench.fleet.FleetResult;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

/**
 * The latency of each shape and server of a load run as HdrHistogram files in {@code DIR/hdr}: a histogram log
 * ({@code SHAPE-SERVER.hlog}: the whole run as one interval, values in microseconds, tagged with the server; read by
 * {@code ./tapswitch bench plot} and by HdrHistogram's own {@code HistogramLogProcessor}) and its percentile
 * distribution ({@code SHAPE-SERVER.hgrm}, milliseconds, the format of HdrHistogram's online plotter).
 */
public final class LatencyLogs
{
    /** File name suffix of the histogram logs. */
    public static final String LOG_SUFFIX = ".hlog";

    private LatencyLogs()
    {
    }

    /**
     * @param hdrDir  where the files go.
     * @param shape   the shape.
     * @param server  the server's name.
     * @param fleet   the fleet's result.
     * @param startMs when the fleet run started (epoch ms).
     * @param load    the load average before the run.
     */
    static void write(final Path hdrDir, final Shape shape, final String server, final FleetResult fleet,
        final long startMs, final String load) throws IOException
    {
        final Histogram latency = fleet.latencyUs().copy();
        latency.setTag(server);
        latency.setStartTimeStamp(startMs);
        latency.setEndTimeStamp(startMs + Math.round(fleet.loadSeconds() * 1000));
        final String base = shape.scenarioName() + "-" + server;
        try (PrintStream out = new PrintStream(Files.newOutputStream(hdrDir.resolve(base + LOG_SUFFIX)), false,
            StandardCharsets.UTF_8))
        {
            final HistogramLogWriter writer = new HistogramLogWriter(out);
            writer.outputComment("tapswitch bench load: shape " + shape.scenarioName() + " (" + shape.description() +
                "), server " + server + ", latency in microseconds " + (shape.isFixedRate() ?
                "from each request's scheduled send time" : "from each request's send") + ", load average before " + load);
            writer.outputLogFormatVersion();
            writer.outputStartTime(startMs);
            writer.setBaseTime(startMs);
            writer.outputLegend();
            writer.outputIntervalHistogram(latency);
        }
        fleet.writeHgrm(hdrDir.resolve(base + ".hgrm"));
    }

    /**
     * @param file a histogram log written by {@link #write}.
     * @return its histogram (all intervals added), tagged with the server.
     */
    public static Histogram read(final Path file) throws IOException
    {
        final org.HdrHistogram.HistogramLogReader reader = new org.HdrHistogram.HistogramLogReader(file.toFile());
        Histogram total = null;
        org.HdrHistogram.EncodableHistogram next;
        while ((next = reader.nextIntervalHistogram()) != null)
        {
            final Histogram h = (Histogram)next;
            if (total == null)
            {
                total = h.copy();
                total.setTag(h.getTag());
            }
            else
            {
                total.add(h);
            }
        }
        reader.close();
        if (total == null)
        {
            throw new IOException("no histogram in " + file);
        }
        return total;
    }
}
