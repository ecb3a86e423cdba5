package io.tapswitch.ops;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The files of the ops module, and every PromQL expression they hold.
 */
final class OpsFiles
{
    static final Path OPS_DIR = locateOpsDir();
    static final Path DASHBOARDS = OPS_DIR.resolve("grafana/dashboards");
    static final Path ALERTS = OPS_DIR.resolve("prometheus/alerts.yml");
    static final Path PROMETHEUS = OPS_DIR.resolve("prometheus/prometheus.yml");
    static final Path RUNBOOK = OPS_DIR.resolve("RUNBOOK.md");
    /** promtool unit tests of the alert rules. */
    static final Path ALERT_TESTS = OPS_DIR.resolve("src/test/prometheus/alerts-test.yml");

    private static final Pattern ALERT_EXPR = Pattern.compile("^\\s+expr:\\s*(.+)$", Pattern.MULTILINE);

    private OpsFiles()
    {
    }

    private static Path locateOpsDir()
    {
        Path dir = Paths.get("").toAbsolutePath();
        if (Files.isDirectory(dir.resolve("ops/grafana")))
        {
            dir = dir.resolve("ops");
        }
        if (!Files.isDirectory(dir.resolve("grafana")))
        {
            throw new IllegalStateException("ops directory not found from " + Paths.get("").toAbsolutePath());
        }
        return dir;
    }

    static List<Path> dashboardFiles()
    {
        try (Stream<Path> files = Files.list(DASHBOARDS))
        {
            return files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static JsonObject dashboard(final Path file)
    {
        return new JsonObject(read(file));
    }

    static String read(final Path file)
    {
        try
        {
            return Files.readString(file, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** Every panel of a dashboard, including panels nested in collapsed rows. */
    static List<JsonObject> panels(final JsonObject dashboard)
    {
        final List<JsonObject> out = new ArrayList<>();
        collect(dashboard.getJsonArray("panels", new JsonArray()), out);
        return out;
    }

    private static void collect(final JsonArray panels, final List<JsonObject> out)
    {
        for (int i = 0; i < panels.size(); i++)
        {
            final JsonObject panel = panels.getJsonObject(i);
            out.add(panel);
            collect(panel.getJsonArray("panels", new JsonArray()), out);
        }
    }

    /** Expression (keyed by where it stands) → the PromQL text, for every dashboard target and alert rule. */
    static Map<String, String> allExpressions()
    {
        final Map<String, String> out = new TreeMap<>();
        for (final Path file : dashboardFiles())
        {
            for (final JsonObject panel : panels(dashboard(file)))
            {
                final JsonArray targets = panel.getJsonArray("targets", new JsonArray());
                for (int i = 0; i < targets.size(); i++)
                {
                    out.put(file.getFileName() + " / " + panel.getString("title") + " / " + i,
                        targets.getJsonObject(i).getString("expr"));
                }
            }
        }
        final Matcher m = ALERT_EXPR.matcher(read(ALERTS));
        int i = 0;
        while (m.find())
        {
            out.put("alerts.yml / rule " + i++, m.group(1).trim());
        }
        return out;
    }

    /** Every metric name read by a dashboard or an alert, with the first place it stands. */
    static Map<String, String> allMetricNames()
    {
        final Map<String, String> names = new TreeMap<>();
        for (final Map.Entry<String, String> e : allExpressions().entrySet())
        {
            for (final String name : PromQl.metricNames(e.getValue()))
            {
                names.putIfAbsent(name, e.getKey());
            }
        }
        return names;
    }

    /** Names of the series in a Prometheus text exposition. */
    static TreeSet<String> seriesNames(final String exposition)
    {
        final TreeSet<String> names = new TreeSet<>();
        for (final String line : exposition.split("\n"))
        {
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            int end = 0;
            while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ')
            {
                end++;
            }
            names.add(line.substring(0, end));
        }
        return names;
    }
}
