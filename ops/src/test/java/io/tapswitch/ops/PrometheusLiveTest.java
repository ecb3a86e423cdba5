package io.tapswitch.ops;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.tapswitch.admin.AdminConfig;
import io.tapswitch.admin.AdminService;
import io.tapswitch.admin.Principal;
import io.tapswitch.admin.Role;
import io.tapswitch.admin.TokenRegistry;
import io.tapswitch.bench.fleet.Fleet;
import io.tapswitch.bench.fleet.FleetOptions;
import io.tapswitch.bench.fleet.FleetResult;
import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.protocol.client.TapResult;
import io.tapswitch.protocol.client.TerminalClient;
import io.tapswitch.switching.config.SwitchConfig;
import io.tapswitch.switching.net.SwitchLauncher;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real Prometheus (Debian's {@code prometheus} server) started with {@code ops/prometheus/prometheus.yml} and
 * {@code alerts.yml} — only the targets' ports and the intervals rewritten for the test — scraping a real switch
 * (demo data, a fleet of terminals tapping) and a real admin service (embedded PostgreSQL, REST requests including
 * refused ones). Then every Grafana panel query and every alert expression is run through Prometheus's HTTP API and
 * must return series; the alert rules load and evaluate without error; no series carries {@code exported_service}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PrometheusLiveTest
{
    private static final String TOKEN = "ops-live-center-admin-token-0001";
    /** Alert expressions are compared against a threshold: run as "op bool" they return a series per target. */
    private static final Set<String> COMPARISONS = Set.of("==", "!=", ">=", "<=", ">", "<");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private SwitchLauncher switchLauncher;
    private AdminService admin;
    private Process prometheus;
    private Path prometheusLog;
    private String prometheusUrl;
    private CompletableFuture<FleetResult> fleet;

    @BeforeAll
    void startEverything(@TempDir final Path dir) throws Exception
    {
        final Path switchData = dir.resolve("switch");
        switchLauncher = SwitchLauncher.start(SwitchConfig.of(Map.of(
            "host", "127.0.0.1", "port", "0", "metrics-port", "0", "data-dir", switchData.toString(),
            "demo", "true", "demo-cards", "300", "demo-terminals", "20")));
        admin = new AdminService(new AdminConfig()
            .host("127.0.0.1").port(0).metricsPort(0)
            .dataDir(dir.resolve("admin")).switchDataDir(switchData).pollIntervalMs(20)
            .tokens(TokenRegistry.of(Map.of(TOKEN, new Principal("ops-live", Set.of(Role.CENTER_ADMIN))))));
        admin.start().toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);

        prometheusUrl = startPrometheus(dir.resolve("prometheus"));

        // traffic for the whole test: a fleet taps (approved and declined), terminals fail logons, REST refusals
        fleet = CompletableFuture.supplyAsync(() ->
        {
            try
            {
                return new Fleet(new FleetOptions()
                    .port(switchLauncher.port()).firstTerminal(11).terminals(5).ratePerSecond(50).durationMs(25_000)
                    .cards(300)).run(null);
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException(ex);
            }
        });
        driveTapsAndCases();
        awaitScrapes();
    }

    private String startPrometheus(final Path dir) throws Exception
    {
        Files.createDirectories(dir);
        final int port;
        try (ServerSocket socket = new ServerSocket(0))
        {
            port = socket.getLocalPort();
        }
        // the shipped configuration, with this test's ports and short intervals
        final String config = OpsFiles.read(OpsFiles.PROMETHEUS)
            .replace("'127.0.0.1:9464'", "'127.0.0.1:" + switchLauncher.metricsPort() + "'")
            .replace("'127.0.0.1:9465'", "'127.0.0.1:" + admin.metricsPort() + "'")
            .replace("scrape_interval: 10s", "scrape_interval: 1s")
            .replace("scrape_timeout: 5s", "scrape_timeout: 1s")
            .replace("evaluation_interval: 15s", "evaluation_interval: 1s");
        assertThat(config).contains(":" + switchLauncher.metricsPort() + "'").contains(":" + admin.metricsPort() + "'");
        Files.writeString(dir.resolve("prometheus.yml"), config);
        Files.copy(OpsFiles.ALERTS, dir.resolve("alerts.yml"));
        prometheusLog = dir.resolve("prometheus.log");
        prometheus = new ProcessBuilder("prometheus",
            "--config.file=" + dir.resolve("prometheus.yml"),
            "--storage.tsdb.path=" + dir.resolve("data"),
            "--web.listen-address=127.0.0.1:" + port,
            "--log.level=warn")
            .redirectErrorStream(true).redirectOutput(prometheusLog.toFile()).start();
        final String url = "http://127.0.0.1:" + port;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline)
        {
            assertThat(prometheus.isAlive()).as("prometheus runs: " + log()).isTrue();
            try
            {
                if (http.send(HttpRequest.newBuilder(URI.create(url + "/-/ready")).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode() == 200)
                {
                    return url;
                }
            }
            catch (final IOException ignored)
            {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("prometheus not ready within 30 s: " + log());
    }

    private void driveTapsAndCases() throws Exception
    {
        try (TerminalClient aidPoint = TerminalClient.connect("127.0.0.1", switchLauncher.port(), 1, TerminalClient.demoKey(1)))
        {
            final TapResult kit = aidPoint.tap(1_000_001L, 1, 1);
            assertThat(kit.decision()).isEqualTo(Decision.APPROVED);
            assertThat(aidPoint.tap(1_000_002L, 1, 1).reason()).isEqualTo(ReasonCode.QUOTA_EXHAUSTED);
            assertThat(aidPoint.tap(1_000_099L, 2, 1).reason()).isEqualTo(ReasonCode.CARD_BLOCKED);
            assertThat(aidPoint.reversal(kit.correlation(), 1_000_001L).decision()).isEqualTo(Decision.APPROVED);
            assertThat(aidPoint.balance(1_000_001L).decision()).isEqualTo(Decision.APPROVED);
        }
        try (TerminalClient wrongKey = TerminalClient.open("127.0.0.1", switchLauncher.port(), 2, TerminalClient.demoKey(3)))
        {
            assertThat(wrongKey.logon().result()).isEqualTo(ReasonCode.BAD_CREDENTIALS);
        }
        final HttpResponse<String> registered = post("/api/v1/cases", new JsonObject()
            .put("serviceCode", "26")
            .put("applicant", new JsonObject().put("familyName", "Бондаренко").put("givenName", "Олег"))
            .put("comment", "prometheus live test"), TOKEN);
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
        // refused requests, so the 4xx panel has data: an unknown token (401) and an invalid body (400)
        assertThat(post("/api/v1/cases", new JsonObject(), "not-a-token-at-all-0000").statusCode()).isEqualTo(401);
        assertThat(post("/api/v1/cases", new JsonObject().put("serviceCode", 26), TOKEN).statusCode()).isEqualTo(400);
        // the switch and the admin run in this JVM: a collection gives the GC pause panel its series
        System.gc();
    }

    /** Until both targets are up, each scraped at least three times (rate() needs two samples), taps ingested. */
    private void awaitScrapes() throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline)
        {
            final JsonArray up = query("up == 1");
            final JsonArray scrapes = query("count_over_time(up[1m]) >= 3");
            final JsonArray taps = query("sum(rate(tapswitch_taps_total[1m])) > 0");
            final JsonArray handedOut = query("count_over_time(tapswitch_admin_handed_out_total[1m]) >= 2");
            if (up.size() == 2 && scrapes.size() == 2 && !taps.isEmpty() && !handedOut.isEmpty())
            {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("targets not scraped: " + query("up") + "\n" + log());
    }

    @AfterAll
    void stopEverything() throws Exception
    {
        if (null != fleet)
        {
            fleet.get(60, TimeUnit.SECONDS);
        }
        if (null != prometheus)
        {
            prometheus.destroy();
            if (!prometheus.waitFor(20, TimeUnit.SECONDS))
            {
                prometheus.destroyForcibly();
            }
        }
        if (null != admin)
        {
            admin.stop().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
        if (null != switchLauncher)
        {
            switchLauncher.close();
        }
    }

    @Test
    void shouldReturnSeriesForEveryDashboardQueryAndEveryAlertExpression() throws Exception
    {
        final List<String> instances = new ArrayList<>();
        final JsonObject labelValues = get("/api/v1/label/instance/values?match[]=" +
            encode("up{job=~\"tapswitch-.*\"}"));
        labelValues.getJsonArray("data").forEach((v) -> instances.add(((String)v).replace(".", "\\\\.")));
        assertThat(instances).as("the dashboards' $instance variable").hasSize(2);
        final String allInstances = String.join("|", instances);

        final Map<String, String> empty = new TreeMap<>();
        int queries = 0;
        for (final Map.Entry<String, String> e : OpsFiles.allExpressions().entrySet())
        {
            final boolean alert = e.getKey().startsWith("alerts.yml");
            final String expression = alert ? withBool(e.getValue()) : e.getValue().replace("$instance", allInstances);
            final JsonArray result = query(expression);
            queries++;
            if (result.isEmpty())
            {
                final StringBuilder why = new StringBuilder(expression);
                for (final String name : PromQl.metricNames(e.getValue()))
                {
                    why.append("\n    ").append(name).append(": ").append(query(name).size()).append(" series");
                }
                empty.put(e.getKey(), why.toString());
            }
        }
        assertThat(empty).as("queries that returned no series (of " + queries + ")").isEmpty();
        assertThat(queries).isGreaterThan(40);
    }

    @Test
    void shouldLoadAndEvaluateEveryAlertRuleWithoutErrorAndFireNone() throws Exception
    {
        final JsonObject rules = get("/api/v1/rules");
        final Map<String, String> health = new TreeMap<>();
        for (final Object group : rules.getJsonObject("data").getJsonArray("groups"))
        {
            for (final Object rule : ((JsonObject)group).getJsonArray("rules"))
            {
                final JsonObject r = (JsonObject)rule;
                health.put(r.getString("name"), r.getString("health") + " " + r.getString("lastError", "") + " " +
                    r.getString("state"));
            }
        }
        final String alerts = OpsFiles.read(OpsFiles.ALERTS);
        final long declared = alerts.lines().filter((l) -> l.trim().startsWith("- alert:")).count();
        assertThat(health).hasSize((int)declared);
        // "pending" is allowed: TapswitchJournalDiskFilling extrapolates the free space of the first minutes of this
        // test's journal (written fast, from nothing) and waits its 30 minutes before firing
        assertThat(health.values()).as(health.toString()).allMatch((h) -> h.startsWith("ok  ") && !h.endsWith("firing"));
    }

    @Test
    void shouldKeepTheCasesServiceLabel() throws Exception
    {
        assertThat(query("count({exported_service=~\".+\"})")).as("series whose service label was renamed").isEmpty();
        final JsonArray overdue = query("tapswitch_admin_cases{service=\"26\"}");
        assertThat(overdue).as("open cases of service 26 under their own service label").isNotEmpty();
        assertThat(query("tapswitch_build_info")).hasSize(2);
        assertThat(query("process_files_open_files")).hasSize(2);
        assertThat(query("tapswitch_replay_progress_ratio == 1")).hasSize(1);
    }

    /** "a > 0.5" becomes "a > bool 0.5": a series per target, 0 or 1, instead of only the firing ones. */
    static String withBool(final String expression)
    {
        final StringBuilder out = new StringBuilder();
        int depth = 0;
        boolean quoted = false;
        for (int i = 0; i < expression.length(); i++)
        {
            final char c = expression.charAt(i);
            if (c == '"' && (i == 0 || expression.charAt(i - 1) != '\\'))
            {
                quoted = !quoted;
            }
            if (!quoted)
            {
                if (c == '{' || c == '[')
                {
                    depth++;
                }
                else if (c == '}' || c == ']')
                {
                    depth--;
                }
            }
            if (!quoted && depth == 0)
            {
                final String two = i + 1 < expression.length() ? expression.substring(i, i + 2) : "";
                final String op = COMPARISONS.contains(two) ? two : COMPARISONS.contains(String.valueOf(c)) ? String.valueOf(c) : null;
                if (null != op && !expression.startsWith("bool", skipSpaces(expression, i + op.length())))
                {
                    out.append(op).append(" bool");
                    i += op.length() - 1;
                    continue;
                }
            }
            out.append(c);
        }
        return out.toString();
    }

    private static int skipSpaces(final String s, final int from)
    {
        int i = from;
        while (i < s.length() && s.charAt(i) == ' ')
        {
            i++;
        }
        return i;
    }

    private JsonArray query(final String expression) throws Exception
    {
        final JsonObject response = get("/api/v1/query?query=" + encode(expression));
        assertThat(response.getString("status")).as(expression + ": " + response).isEqualTo("success");
        return response.getJsonObject("data").getJsonArray("result");
    }

    private JsonObject get(final String pathAndQuery) throws Exception
    {
        final HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(prometheusUrl + pathAndQuery))
            .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(pathAndQuery + ": " + response.body()).isEqualTo(200);
        return new JsonObject(response.body());
    }

    private HttpResponse<String> post(final String path, final JsonObject body, final String token) throws Exception
    {
        return http.send(HttpRequest.newBuilder(URI.create(admin.baseUrl() + path))
            .timeout(Duration.ofSeconds(20))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String encode(final String text)
    {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private String log()
    {
        try
        {
            return null == prometheusLog ? "" : Files.readString(prometheusLog);
        }
        catch (final IOException ex)
        {
            return ex.toString();
        }
    }
}
