package io.tapswitch.ops;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import io.tapswitch.admin.AdminConfig;
import io.tapswitch.admin.AdminService;
import io.tapswitch.admin.Principal;
import io.tapswitch.admin.Role;
import io.tapswitch.admin.TokenRegistry;
import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.protocol.client.TapResult;
import io.tapswitch.protocol.client.TerminalClient;
import io.tapswitch.switching.config.SwitchConfig;
import io.tapswitch.switching.net.SwitchLauncher;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Starts the real switch (demo data) and the real admin service (embedded PostgreSQL), drives taps over TCP and
 * case actions over REST, scrapes both /metrics and checks that every metric any dashboard or alert reads is
 * really exported, and that promtool accepts both expositions.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MetricsExportedTest
{
    /** Series that Prometheus itself makes, not an exporter: {@code up} is written per scrape target. */
    private static final Set<String> MADE_BY_PROMETHEUS = Set.of("up");
    private static final String TOKEN = "ops-test-center-admin-token-0001";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private SwitchLauncher switchLauncher;
    private AdminService admin;
    private String switchExposition;
    private String adminExposition;

    @BeforeAll
    void startDriveAndScrape(@TempDir final Path dir) throws Exception
    {
        final Path switchData = dir.resolve("switch");
        final Map<String, String> settings = new HashMap<>();
        settings.put("host", "127.0.0.1");
        settings.put("port", "0");
        settings.put("metrics-port", "0");
        settings.put("data-dir", switchData.toString());
        settings.put("demo", "true");
        settings.put("demo-cards", "300");
        settings.put("demo-terminals", "10");
        switchLauncher = SwitchLauncher.start(SwitchConfig.of(settings));

        admin = new AdminService(new AdminConfig()
            .host("127.0.0.1")
            .port(0)
            .metricsPort(0)
            .dataDir(dir.resolve("admin"))
            .switchDataDir(switchData)
            .pollIntervalMs(20)
            .tokens(TokenRegistry.of(Map.of(TOKEN, new Principal("ops-test", Set.of(Role.CENTER_ADMIN))))));
        admin.start().toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);

        driveTaps();
        driveCases();
        // the services run in this JVM: a collection after their registries bound the GC meters makes
        // jvm_gc_pause_seconds exist (Micrometer registers it at the first pause, which a short test may not see)
        System.gc();

        // the ingester has copied the taps once its lag is zero
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String adminText = scrape(admin.metricsPort());
        while (!adminText.contains("tapswitch_admin_handed_out_total{") && System.nanoTime() - deadline < 0)
        {
            TimeUnit.MILLISECONDS.sleep(50);
            adminText = scrape(admin.metricsPort());
        }
        adminExposition = adminText;
        switchExposition = scrape(switchLauncher.metricsPort());
    }

    private void driveTaps()
    {
        try (TerminalClient aidPoint = TerminalClient.connect("127.0.0.1", switchLauncher.port(), 1, TerminalClient.demoKey(1));
            TerminalClient canteen = TerminalClient.connect("127.0.0.1", switchLauncher.port(), 6, TerminalClient.demoKey(6)))
        {
            final TapResult kit = aidPoint.tap(1_000_001L, 1, 1);
            assertThat(kit.decision()).isEqualTo(Decision.APPROVED);
            assertThat(aidPoint.tap(1_000_002L, 1, 1).reason()).isEqualTo(ReasonCode.QUOTA_EXHAUSTED);
            assertThat(aidPoint.tap(1_000_099L, 2, 1).reason()).isEqualTo(ReasonCode.CARD_BLOCKED);
            assertThat(canteen.tap(1_000_004L, 3, 1).decision()).isEqualTo(Decision.APPROVED);
            assertThat(aidPoint.reversal(kit.correlation(), 1_000_001L).decision()).isEqualTo(Decision.APPROVED);
            assertThat(aidPoint.balance(1_000_001L).decision()).isEqualTo(Decision.APPROVED);
            aidPoint.heartbeat();
        }
        // a failed logon, so the failure series exist
        try (TerminalClient wrongKey = TerminalClient.open("127.0.0.1", switchLauncher.port(), 2, TerminalClient.demoKey(3)))
        {
            assertThat(wrongKey.logon().result()).isEqualTo(ReasonCode.BAD_CREDENTIALS);
        }
    }

    private void driveCases() throws Exception
    {
        final HttpResponse<String> registered = post("/api/v1/cases", new JsonObject()
            .put("serviceCode", "26")
            .put("applicant", new JsonObject().put("familyName", "Бондаренко").put("givenName", "Олег"))
            .put("comment", "ops metrics test"));
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
        final JsonObject created = new JsonObject(registered.body());
        final HttpResponse<String> advanced = post("/api/v1/cases/" + created.getString("id") + "/actions",
            new JsonObject().put("action", "ADVANCE").put("version", created.getLong("version")));
        assertThat(advanced.statusCode()).as(advanced.body()).isIn(200, 409);
    }

    @AfterAll
    void stop() throws Exception
    {
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
    void shouldExportEveryMetricThatADashboardOrAnAlertReads()
    {
        final TreeSet<String> exported = new TreeSet<>();
        exported.addAll(OpsFiles.seriesNames(switchExposition));
        exported.addAll(OpsFiles.seriesNames(adminExposition));
        exported.addAll(MADE_BY_PROMETHEUS);

        final Map<String, String> missing = new TreeMap<>(OpsFiles.allMetricNames());
        missing.keySet().removeAll(exported);
        assertThat(missing).as("metrics read by ops/ but exported by neither service (name → where it is read)").isEmpty();
        assertThat(OpsFiles.allMetricNames()).hasSizeGreaterThan(25);
    }

    @Test
    void shouldCountWhatTheTestDrove()
    {
        assertThat(switchExposition).contains("tapswitch_taps_total{").contains("decision=\"approved\"")
            .contains("QUOTA_EXHAUSTED").contains("CARD_BLOCKED");
        assertThat(switchExposition).contains("tapswitch_logons_total{").contains("BAD_CREDENTIALS");
        assertThat(adminExposition).contains("tapswitch_admin_handed_out_total{");
        assertThat(adminExposition).contains("tapswitch_admin_cases{");
    }

    @Test
    void shouldPassPromtoolCheckMetricsOnBothExpositions() throws Exception
    {
        final PrometheusConfigTest.Result switchCheck = PrometheusConfigTest.promtoolCheckMetrics(switchExposition);
        assertThat(switchCheck.exitCode()).as("switch: " + switchCheck.output()).isZero();
        final PrometheusConfigTest.Result adminCheck = PrometheusConfigTest.promtoolCheckMetrics(adminExposition);
        assertThat(adminCheck.exitCode()).as("admin: " + adminCheck.output()).isZero();
    }

    private String scrape(final int port) throws Exception
    {
        final HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
            .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    private HttpResponse<String> post(final String path, final JsonObject body) throws Exception
    {
        return http.send(HttpRequest.newBuilder(URI.create(admin.baseUrl() + path))
            .timeout(Duration.ofSeconds(20))
            .header("Authorization", "Bearer " + TOKEN)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
    }
}
