package io.tapswitch.bench.load;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./tapswitch bench plot DIR}: draws the latency percentile distributions of a load run (the HdrHistogram logs
 * {@code ./tapswitch bench load} wrote into {@code DIR/hdr}) as PNG charts, one per shape, every server of the run on
 * it (bare, bare durable, switch, switch with {@code journal-sync=none}): latency (ms, log scale) against the
 * percentile, on HdrHistogram's axis where each "nine" (90 %, 99 %, 99.9 %, …) takes the same width.
 */
@Command(
    name = "plot",
    mixinStandardHelpOptions = true,
    description = "Draw percentile-distribution PNGs (one per shape, every server on it) from a bench load run's HdrHistogram logs.")
public final class PlotCommand implements Callable<Integer>
{
    /** Drawn in this order, with these colours; other servers after them. */
    private static final Map<String, Color> COLOURS = new LinkedHashMap<>();

    static
    {
        COLOURS.put(LoadCommand.BARE, new Color(0x2b, 0x83, 0xba));
        COLOURS.put(LoadCommand.BARE_DURABLE, new Color(0x1a, 0x96, 0x41));
        COLOURS.put(LoadCommand.SWITCH, new Color(0xd7, 0x19, 0x1c));
        COLOURS.put(LoadCommand.SWITCH_NOSYNC, new Color(0xfd, 0xae, 0x61));
    }

    @Parameters(index = "0", paramLabel = "DIR", description = "the --out directory of a bench load run (its hdr/ is read)")
    private Path dir;

    @Option(names = "--width", paramLabel = "PX", description = "image width (default: ${DEFAULT-VALUE})")
    private int width = 1000;

    @Option(names = "--height", paramLabel = "PX", description = "image height (default: ${DEFAULT-VALUE})")
    private int height = 600;

    @Override
    public Integer call() throws Exception
    {
        System.setProperty("java.awt.headless", "true");
        final Path hdr = dir.resolve("hdr");
        if (!Files.isDirectory(hdr))
        {
            System.err.println("no HdrHistogram logs: " + hdr + " does not exist (run ./tapswitch bench load --out " + dir + ")");
            return 2;
        }
        final Path plots = dir.resolve("plots");
        Files.createDirectories(plots);
        int drawn = 0;
        for (final Shape shape : Shape.values())
        {
            final Map<String, Histogram> byServer = histograms(hdr, shape);
            if (byServer.isEmpty())
            {
                continue;
            }
            final Path png = plots.resolve(shape.scenarioName() + ".png");
            ChartUtils.saveChartAsPNG(png.toFile(), chart(shape, byServer), width, height);
            System.out.println("written " + png + " (" + String.join(", ", byServer.keySet()) + ")");
            drawn++;
        }
        if (drawn == 0)
        {
            System.err.println("no *" + LatencyLogs.LOG_SUFFIX + " file of a known shape in " + hdr);
            return 2;
        }
        return 0;
    }

    private static Map<String, Histogram> histograms(final Path hdr, final Shape shape) throws IOException
    {
        final String prefix = shape.scenarioName() + "-";
        final Map<String, Histogram> found = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(hdr))
        {
            for (final Path file : files.sorted().toList())
            {
                final String name = file.getFileName().toString();
                if (name.startsWith(prefix) && name.endsWith(LatencyLogs.LOG_SUFFIX))
                {
                    found.put(name.substring(prefix.length(), name.length() - LatencyLogs.LOG_SUFFIX.length()),
                        LatencyLogs.read(file));
                }
            }
        }
        final Map<String, Histogram> ordered = new LinkedHashMap<>();
        for (final String server : COLOURS.keySet())
        {
            if (found.containsKey(server))
            {
                ordered.put(server, found.remove(server));
            }
        }
        ordered.putAll(found);
        return ordered;
    }

    static JFreeChart chart(final Shape shape, final Map<String, Histogram> byServer)
    {
        final XYSeriesCollection data = new XYSeriesCollection();
        final List<String> servers = new ArrayList<>();
        for (final Map.Entry<String, Histogram> e : byServer.entrySet())
        {
            final Histogram h = e.getValue();
            final XYSeries series = new XYSeries(String.format(Locale.ROOT, "%s (p50 %.3f, p99 %.3f, p99.9 %.3f, max %.3f ms)",
                e.getKey(), h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3,
                h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e3), false, true);
            for (final HistogramIterationValue v : h.percentiles(5))
            {
                final double percentile = v.getPercentileLevelIteratedTo();
                if (percentile >= 100.0)
                {
                    break;
                }
                series.add(1.0 / (1.0 - percentile / 100.0), Math.max(h.highestEquivalentValue(v.getValueIteratedTo()), 1) / 1e3);
            }
            // the maximum, at the width of the last "nine" the samples reach
            final double lastX = Math.min(1e7, Math.max(10, h.getTotalCount()));
            series.add(lastX, Math.max(h.getMaxValue(), 1) / 1e3);
            data.addSeries(series);
            servers.add(e.getKey());
        }
        final LogAxis percentiles = new LogAxis("percentile");
        percentiles.setBase(10);
        percentiles.setSmallestValue(1);
        percentiles.setNumberFormatOverride(new NinesFormat());
        percentiles.setTickUnit(new org.jfree.chart.axis.NumberTickUnit(1));
        final LogAxis latency = new LogAxis("latency (ms, log scale)");
        latency.setBase(10);
        latency.setSmallestValue(0.001);
        latency.setNumberFormatOverride(new DecimalFormat("0.###"));
        latency.setTickUnit(new org.jfree.chart.axis.NumberTickUnit(1));
        final XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        for (int i = 0; i < servers.size(); i++)
        {
            renderer.setSeriesPaint(i, COLOURS.getOrDefault(servers.get(i), Color.GRAY));
            renderer.setSeriesStroke(i, new BasicStroke(2.0f));
        }
        final XYPlot plot = new XYPlot(data, percentiles, latency, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        final JFreeChart chart = new JFreeChart("Latency by percentile: " + shape.description(),
            new Font("SansSerif", Font.BOLD, 16), plot, true);
        chart.addSubtitle(new TextTitle(shape.isFixedRate() ?
            "from each request's scheduled send time (no coordinated omission)" : "from each request's send"));
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    /** Labels x = 1 / (1 - p) with its percentile: 1 → 0 %, 10 → 90 %, 100 → 99 %, 1000 → 99.9 %, … */
    private static final class NinesFormat extends NumberFormat
    {
        @Override
        public StringBuffer format(final double number, final StringBuffer toAppendTo, final FieldPosition pos)
        {
            if (number < 1.5)
            {
                return toAppendTo.append("0%");
            }
            final double percentile = 100.0 * (1.0 - 1.0 / number);
            final int nines = (int)Math.round(Math.log10(number));
            return toAppendTo.append(String.format(Locale.ROOT, "%." + Math.max(0, nines - 2) + "f", percentile))
                .append('%');
        }

        @Override
        public StringBuffer format(final long number, final StringBuffer toAppendTo, final FieldPosition pos)
        {
            return format((double)number, toAppendTo, pos);
        }

        @Override
        public Number parse(final String source, final ParsePosition parsePosition)
        {
            return null;
        }
    }
}
