package io.tapswitch.bench.soak;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The soak's output: a CSV and a markdown table (a row per sample), a PNG plot (memory, files and threads, p99 and
 * unanswered over time) and the summary. Stateless; thread-safe.
 */
public final class SoakReport
{
    private static final String[] PROCESSES = {"switch", "admin", "postgres"};

    private SoakReport()
    {
    }

    static String duration(final long ms)
    {
        return ms % 3_600_000 == 0 ? (ms / 3_600_000) + " h" : ms % 60_000 == 0 ? (ms / 60_000) + " min" : (ms / 1000) + " s";
    }

    /** @return cores, memory, load average and kernel of this machine, for the figures' context. */
    static String machine()
    {
        String load = "?";
        String memory = "?";
        try
        {
            load = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+", 4)[0];
            for (final String line : Files.readAllLines(Path.of("/proc/meminfo")))
            {
                if (line.startsWith("MemTotal:"))
                {
                    memory = (Long.parseLong(line.replaceAll("\\D", "")) / 1024 / 1024) + " GiB";
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            // not Linux: left as ?
        }
        return String.format(Locale.ROOT, "%d cores, %s RAM, load average %s at the start, Java %s, %s %s",
            Runtime.getRuntime().availableProcessors(), memory, load, System.getProperty("java.version"),
            System.getProperty("os.name"), System.getProperty("os.version"));
    }

    static String liveHeader()
    {
        return "  t(s) | switch RSS/heap MiB fds thr | admin RSS/heap MiB fds thr | postgres n PSS MiB fds | taps p99 ms overdue | admin calls refused unanswered atSwitch";
    }

    static String liveLine(final Soak.Row row)
    {
        final StringBuilder sb = new StringBuilder(200);
        sb.append(String.format(Locale.ROOT, "%6.0f", row.elapsedS()));
        for (final String name : PROCESSES)
        {
            final Soak.ProcessRow p = row.process(name);
            if ("postgres".equals(name))
            {
                sb.append(String.format(Locale.ROOT, " | %d %.0f %d", p.processes(), p.rssKb() / 1024.0, p.fds()));
            }
            else
            {
                sb.append(String.format(Locale.ROOT, " | %.0f/%s %d %d", p.rssKb() / 1024.0, heap(p), p.fds(), p.threads()));
            }
        }
        sb.append(String.format(Locale.ROOT, " | %d %.1f %d | %d %d %d %d", row.tapsAnswered(), row.p99Ms(), row.overdue(),
            row.adminCalls(), row.adminRefused(), row.adminUnanswered(), row.changesAtSwitch()));
        return sb.toString();
    }

    private static String heap(final Soak.ProcessRow p)
    {
        return p.heapAfterGcKb() < 0 ? "-" : String.format(Locale.ROOT, "%.0f", p.heapAfterGcKb() / 1024.0);
    }

    /**
     * Writes {@code soak.csv}, {@code soak.md} and {@code soak.png} into the directory.
     *
     * @return the markdown text.
     */
    public static String write(final Soak.Result result, final Path dir) throws IOException
    {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("soak.csv"), csv(result.rows()), StandardCharsets.UTF_8);
        final String markdown = markdown(result);
        Files.writeString(dir.resolve("soak.md"), markdown, StandardCharsets.UTF_8);
        plot(result, dir.resolve("soak.png"));
        return markdown;
    }

    static String csv(final List<Soak.Row> rows)
    {
        final StringBuilder sb = new StringBuilder();
        sb.append("sample,elapsed_s");
        for (final String name : PROCESSES)
        {
            sb.append(',').append(name).append("_processes,").append(name).append("_rss_kib,").append(name)
                .append("_heap_after_gc_kib,").append(name).append("_open_files,").append(name).append("_threads,")
                .append(name).append("_gcs,").append(name).append("_rss_anon_kib,").append(name).append("_rss_file_kib");
        }
        sb.append(",taps_answered,p50_ms,p99_ms,max_ms,unanswered_over_5s,admin_calls,admin_refused,admin_unanswered," +
            "changes_at_switch\n");
        for (final Soak.Row row : rows)
        {
            sb.append(row.index()).append(',').append(String.format(Locale.ROOT, "%.1f", row.elapsedS()));
            for (final String name : PROCESSES)
            {
                final Soak.ProcessRow p = row.process(name);
                sb.append(',').append(p.processes()).append(',').append(p.rssKb()).append(',').append(p.heapAfterGcKb())
                    .append(',').append(p.fds()).append(',').append(p.threads()).append(',').append(p.gcs())
                    .append(',').append(p.anonKb()).append(',').append(p.fileKb());
            }
            sb.append(String.format(Locale.ROOT, ",%d,%.3f,%.3f,%.3f,%d,%d,%d,%d,%d%n", row.tapsAnswered(), row.p50Ms(),
                row.p99Ms(), row.maxMs(), row.overdue(), row.adminCalls(), row.adminRefused(), row.adminUnanswered(),
                row.changesAtSwitch()));
        }
        return sb.toString();
    }

    static String markdown(final Soak.Result result)
    {
        final Soak.Options o = result.options();
        final StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Soak of %s: %d terminals at %.0f taps/s (open loop) and the admin traffic, a row " +
            "every %d s; switch settings: %s. Machine: %s.%n%n", duration(o.durationMs), o.terminals, o.rate, o.sampleMs / 1000,
            o.switchSettings.isEmpty() ? "defaults" : "defaults but " + String.join(", ", o.switchSettings), result.machine()));
        sb.append("| t (s) | switch RSS MiB (anonymous + mapped files) | switch heap after GC MiB | switch files | switch threads | admin RSS MiB | " +
            "admin heap after GC MiB | admin files | admin threads | PostgreSQL processes | PostgreSQL PSS MiB | " +
            "PostgreSQL files | taps answered | p99 ms | max ms | unanswered > 5 s | admin calls | admin refused | " +
            "admin unanswered | changes at the switch |\n");
        sb.append("|---".repeat(20)).append("|\n");
        for (final Soak.Row row : result.rows())
        {
            final Soak.ProcessRow s = row.process("switch");
            final Soak.ProcessRow a = row.process("admin");
            final Soak.ProcessRow pg = row.process("postgres");
            sb.append(String.format(Locale.ROOT, "| %.0f | %.0f (%.0f + %.0f) | %s | %d | %d | %.0f | %s | %d | %d | %d | %.0f | %d | %d | " +
                    "%.1f | %.1f | %d | %d | %d | %d | %d |%n", row.elapsedS(), s.rssKb() / 1024.0, s.anonKb() / 1024.0,
                s.fileKb() / 1024.0, heap(s), s.fds(), s.threads(),
                a.rssKb() / 1024.0, heap(a), a.fds(), a.threads(), pg.processes(), pg.rssKb() / 1024.0, pg.fds(),
                row.tapsAnswered(), row.p99Ms(), row.maxMs(), row.overdue(), row.adminCalls(), row.adminRefused(),
                row.adminUnanswered(), row.changesAtSwitch()));
        }
        sb.append('\n').append(summary(result)).append('\n');
        return sb.toString();
    }

    /** @return the run's totals in a few lines. */
    public static String summary(final Soak.Result result)
    {
        final StringBuilder sb = new StringBuilder();
        if (null != result.fleet())
        {
            sb.append(String.format(Locale.ROOT, "Fleet: %d logged on, %d taps sent, %d answered, %d errors, %d unanswered " +
                    "at the end, %d unsent, %d disconnected; p99 over the run %s ms.%n", result.fleet().loggedOn(),
                result.fleet().sent(), result.fleet().answered(), result.fleet().errors(), result.fleet().unanswered(),
                result.fleet().unsent(), result.fleet().disconnected(),
                result.fleet().toJson().getJsonObject("latencyMs").getValue("p99")));
        }
        sb.append(String.format(Locale.ROOT, "Admin: %d calls, %d answered, %d refused (status not the expected one), " +
                "%d unanswered; %d caseworker rounds; %d changes seen at the switch, %d not within 30 s; slowest call %d ms, " +
                "slowest change to reach the switch %d ms.%n", result.adminCalls(), result.adminAnswered(),
            result.adminRefused(), result.adminUnanswered(), result.adminCycles(), result.changesAtSwitch(),
            result.changesNotAtSwitch(), result.slowestAdminMs(), result.slowestApplyMs()));
        sb.append(String.format(Locale.ROOT, "Exit codes after SIGTERM (143 = a clean stop): switch %d, admin %d.%n", result.switchExit(),
            result.adminExit()));
        for (final String problem : result.adminProblems())
        {
            sb.append("Admin problem: ").append(problem).append('\n');
        }
        return sb.toString();
    }

    static void plot(final Soak.Result result, final Path png) throws IOException
    {
        System.setProperty("java.awt.headless", "true");
        final XYSeriesCollection memory = new XYSeriesCollection();
        final XYSeriesCollection counts = new XYSeriesCollection();
        final XYSeriesCollection latency = new XYSeriesCollection();
        final XYSeriesCollection unanswered = new XYSeriesCollection();
        for (final String name : PROCESSES)
        {
            final XYSeries rss = new XYSeries(name + ("postgres".equals(name) ? " PSS (all its processes)" : " RSS"));
            final XYSeries heap = new XYSeries(name + " heap after GC");
            final XYSeries fds = new XYSeries(name + " open files");
            final XYSeries threads = new XYSeries(name + " threads");
            for (final Soak.Row row : result.rows())
            {
                final Soak.ProcessRow p = row.process(name);
                final double minutes = row.elapsedS() / 60.0;
                rss.add(minutes, p.rssKb() / 1024.0);
                if (p.heapAfterGcKb() >= 0)
                {
                    heap.add(minutes, p.heapAfterGcKb() / 1024.0);
                }
                fds.add(minutes, p.fds());
                if (!"postgres".equals(name))
                {
                    threads.add(minutes, p.threads());
                }
            }
            memory.addSeries(rss);
            if ("switch".equals(name))
            {
                final XYSeries anon = new XYSeries("switch RSS without mapped files (RssAnon)");
                for (final Soak.Row row : result.rows())
                {
                    anon.add(row.elapsedS() / 60.0, row.process(name).anonKb() / 1024.0);
                }
                memory.addSeries(anon);
            }
            if (!heap.isEmpty())
            {
                memory.addSeries(heap);
            }
            counts.addSeries(fds);
            if (!threads.isEmpty())
            {
                counts.addSeries(threads);
            }
        }
        final XYSeries p99 = new XYSeries("fleet p99 (ms)");
        final XYSeries overdue = new XYSeries("taps unanswered > 5 s");
        final XYSeries refusedOrLost = new XYSeries("admin calls refused or unanswered");
        for (final Soak.Row row : result.rows())
        {
            p99.add(row.elapsedS() / 60.0, row.p99Ms());
            overdue.add(row.elapsedS() / 60.0, row.overdue());
            refusedOrLost.add(row.elapsedS() / 60.0, row.adminRefused() + row.adminUnanswered());
        }
        latency.addSeries(p99);
        unanswered.addSeries(overdue);
        unanswered.addSeries(refusedOrLost);

        final CombinedDomainXYPlot plot = new CombinedDomainXYPlot(new NumberAxis("minutes since the fleet started"));
        plot.add(subplot(memory, "MiB"), 3);
        plot.add(subplot(counts, "files, threads"), 2);
        plot.add(subplot(latency, "p99 ms"), 2);
        final XYPlot lost = subplot(unanswered, "unanswered");
        final NumberAxis lostAxis = (NumberAxis)lost.getRangeAxis();
        lostAxis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        lostAxis.setAutoRangeMinimumSize(2);
        lostAxis.setLowerBound(0);
        plot.add(lost, 1);
        final Soak.Options o = result.options();
        final JFreeChart chart = new JFreeChart(String.format(Locale.ROOT, "tapswitch soak: %s, %d terminals at %.0f taps/s + admin REST",
            duration(o.durationMs), o.terminals, o.rate), JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 1200, 1400);
    }

    private static XYPlot subplot(final XYSeriesCollection data, final String axis)
    {
        final NumberAxis range = new NumberAxis(axis);
        range.setAutoRangeIncludesZero(true);
        return new XYPlot(data, null, range, new XYLineAndShapeRenderer(true, false));
    }
}
