package io.tapswitch.switching.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.client.TerminalClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} exposes the metric names the dashboards use and counts what happened; TLS with PEM
 * files serves terminals.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MetricsAndTlsTest
{
    @TempDir
    Path dataDir;

    @Test
    void shouldExposeTheSwitchMetricsAndCountTaps() throws Exception
    {
        try (TestSwitch testSwitch = TestSwitch.start(dataDir))
        {
            final String before = scrape(testSwitch);
            for (final String name : new String[]{
                "tapswitch_taps_total{", "tapswitch_authorization_latency_seconds_bucket{",
                "tapswitch_engine_queue_depth ", "tapswitch_busy_total ", "tapswitch_sessions_active ",
                "tapswitch_connections_total ", "tapswitch_connections_rejected_total{reason=\"max_connections\"}",
                "tapswitch_logons_total{result=\"OK\"}", "tapswitch_malformed_frames_total ",
                "tapswitch_commands_total{outcome=\"applied\"}", "tapswitch_table_entries{table=\"cards\"}",
                "tapswitch_journal_bytes_total ", "tapswitch_journal_records_total ", "tapswitch_journal_excerpts_total ",
                "tapswitch_build_info{", "process_uptime_seconds ", "process_files_open_files ", "tapswitch_journal_append_latency_seconds_bucket{",
                "tapswitch_snapshot_bytes ", "tapswitch_journal_receipt ", "tapswitch_journal_disk_free_bytes ",
                "tapswitch_journal_disk_total_bytes ",
                "jvm_memory_used_bytes{", "jvm_threads_live_threads ", "process_cpu_usage "})
            {
                assertThat(before).as(name).contains(name);
            }

            final double approvedBefore = value(before,
                "tapswitch_taps_total{decision=\"approved\",reason=\"OK\",type=\"tap\"}");
            try (TerminalClient terminal = testSwitch.terminal(1))
            {
                assertThat(terminal.tap(1000004, 2, 1).decision()).isEqualTo(Decision.APPROVED);
                final String after = scrape(testSwitch);
                assertThat(value(after, "tapswitch_taps_total{decision=\"approved\",reason=\"OK\",type=\"tap\"}"))
                    .isEqualTo(approvedBefore + 1);
                assertThat(value(after, "tapswitch_sessions_active")).isEqualTo(1);
                assertThat(value(after, "tapswitch_logons_total{result=\"OK\"}")).isGreaterThanOrEqualTo(1);
                assertThat(value(after, "tapswitch_table_entries{table=\"cards\"}")).isEqualTo(TestSwitch.DEMO_CARDS);
                assertThat(value(after, "tapswitch_journal_disk_total_bytes")).isPositive();
                assertThat(value(after, "tapswitch_journal_append_latency_seconds_count"))
                    .isGreaterThan(value(before, "tapswitch_journal_append_latency_seconds_count"));
            }
        }
    }

    @Test
    @SuppressWarnings("deprecation") // SelfSignedCertificate: the simplest PEM pair at hand; test only
    void shouldServeTerminalsOverTlsWithPemKeyAndCertificate() throws Exception
    {
        final SelfSignedCertificate certificate = new SelfSignedCertificate("localhost");
        try
        {
            final Path cert = dataDir.resolve("switch.crt");
            final Path key = dataDir.resolve("switch.key");
            Files.copy(certificate.certificate().toPath(), cert);
            Files.copy(certificate.privateKey().toPath(), key);
            try (TestSwitch testSwitch = TestSwitch.start(dataDir.resolve("data"), Map.of(
                "tls.cert-file", cert.toString(), "tls.key-file", key.toString())))
            {
                final SslContext clientContext = SslContextBuilder.forClient().trustManager(cert.toFile())
                    .endpointIdentificationAlgorithm(null).build();
                try (TerminalClient terminal = TerminalClient.connect(testSwitch.options(2).tls(clientContext)))
                {
                    assertThat(terminal.heartbeat(1, 99L)).isEqualTo(99L);
                    assertThat(terminal.tap(1000007, 2, 1).receipt()).isNotZero();
                }
            }
        }
        finally
        {
            certificate.delete();
        }
    }

    private static String scrape(final TestSwitch testSwitch) throws Exception
    {
        final HttpResponse<String> response = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + testSwitch.launcher().metricsPort() + "/metrics"))
                .GET().build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    private static double value(final String scrape, final String series)
    {
        final Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
        assertThat(matcher.find()).as(series + " in scrape").isTrue();
        return Double.parseDouble(matcher.group(1));
    }
}
