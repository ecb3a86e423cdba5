package io.tapswitch.switching.net;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.client.TerminalClient;
import io.tapswitch.switching.config.SwitchConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The switch's {@code /health} and {@code /ready} on the metrics port: both answer before the engine has recovered
 * (health 200, ready 503 "replayed": false), ready turns 200 once it serves, and turns 503 when the journal is not
 * writable; the replay progress is exported, and a restart replays the journal it wrote.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HealthAndReadyTest
{
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dataDir;

    @Test
    void shouldAnswerHealthAtOnceAndReadyOnceRecoveredAndServing() throws Exception
    {
        final List<HttpResponse<String>> beforeRecovery = new ArrayList<>();
        final Map<String, String> settings = settings();
        try (SwitchLauncher launcher = SwitchLauncher.start(SwitchConfig.of(settings), (metricsPort) ->
        {
            // called once the metrics port answers, before demo provisioning, snapshot load and replay
            beforeRecovery.add(get(metricsPort, "/health"));
            beforeRecovery.add(get(metricsPort, "/ready"));
            beforeRecovery.add(get(metricsPort, "/metrics"));
        }))
        {
            assertThat(beforeRecovery.get(0).statusCode()).isEqualTo(200);
            assertThat(beforeRecovery.get(0).body()).contains("\"status\":\"up\"");
            assertThat(beforeRecovery.get(1).statusCode()).isEqualTo(503);
            assertThat(beforeRecovery.get(1).body()).contains("\"replayed\":false").contains("\"serving\":false");
            assertThat(beforeRecovery.get(2).statusCode()).isEqualTo(200);
            assertThat(beforeRecovery.get(2).body()).contains("tapswitch_replay_progress_ratio 0.0")
                .contains("tapswitch_build_info{");

            final HttpResponse<String> ready = get(launcher.metricsPort(), "/ready");
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
            assertThat(ready.body()).contains("\"status\":\"ready\"").contains("\"replayed\":true")
                .contains("\"journalWritable\":true").contains("\"serving\":true");
            assertThat(get(launcher.metricsPort(), "/metrics").body()).contains("tapswitch_replay_progress_ratio 1.0");
            assertThat(get(launcher.metricsPort(), "/nothing-here").statusCode()).isEqualTo(404);

            try (TerminalClient terminal = TerminalClient.connect("127.0.0.1", launcher.port(), 1, TerminalClient.demoKey(1)))
            {
                assertThat(terminal.tap(1_000_004L, 2, 1).decision()).isEqualTo(Decision.APPROVED);
            }

            // the journal's own writable state plugs in here; not writable -> not ready, health still up
            launcher.readiness().journalWritable(() -> false);
            final HttpResponse<String> notWritable = get(launcher.metricsPort(), "/ready");
            assertThat(notWritable.statusCode()).isEqualTo(503);
            assertThat(notWritable.body()).contains("\"journalWritable\":false");
            assertThat(get(launcher.metricsPort(), "/health").statusCode()).isEqualTo(200);
        }

        // without its snapshots (the runbook's remedy for a corrupt one) a restart replays the whole journal, and says so
        try (var files = java.nio.file.Files.walk(dataDir.resolve("snapshots")))
        {
            files.sorted(java.util.Comparator.reverseOrder()).forEach((p) -> p.toFile().delete());
        }
        try (SwitchLauncher launcher = SwitchLauncher.start(SwitchConfig.of(settings)))
        {
            assertThat(get(launcher.metricsPort(), "/ready").statusCode()).isEqualTo(200);
            final String metrics = get(launcher.metricsPort(), "/metrics").body();
            final double replayed = value(metrics, "tapswitch_replay_records_total ");
            assertThat(replayed).as(metrics).isGreaterThan(0);
            assertThat(launcher.readiness().replay().excerptsRead()).isGreaterThan(0);
        }
    }

    private Map<String, String> settings()
    {
        final Map<String, String> settings = new HashMap<>();
        settings.put("host", "127.0.0.1");
        settings.put("port", "0");
        settings.put("metrics-port", "0");
        settings.put("data-dir", dataDir.toString());
        settings.put("demo", "true");
        settings.put("demo-cards", "200");
        settings.put("demo-terminals", "5");
        settings.put("snapshot-interval-ms", "0");
        return settings;
    }

    private HttpResponse<String> get(final int port, final String path)
    {
        try
        {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        }
        catch (final Exception ex)
        {
            throw new AssertionError("GET " + path + " on " + port + " failed", ex);
        }
    }

    private static double value(final String exposition, final String prefix)
    {
        for (final String line : exposition.split("\n"))
        {
            if (line.startsWith(prefix))
            {
                return Double.parseDouble(line.substring(prefix.length()).trim());
            }
        }
        throw new AssertionError("no " + prefix + " in the exposition");
    }
}
