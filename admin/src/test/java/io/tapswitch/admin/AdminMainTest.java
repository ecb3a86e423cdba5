package io.tapswitch.admin;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ./tapswitch admin} as a process: settings from file, TAPSWITCH_ADMIN_* environment and flags, printed with
 * their sources; exit code 2 and one line without a stack trace for a configuration error; with a configuration
 * file the generated token never reaches stdout or stderr, it goes to a 0600 file; SIGTERM stops it with 143.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AdminMainTest
{
    @TempDir
    Path dir;

    @Test
    void shouldRefuseABadConfigurationWithExitCode2AndNoStackTrace() throws Exception
    {
        final Path config = dir.resolve("admin.yaml");
        Files.writeString(config, "cityZone: Europe/Kyiv\n");
        final Run unknownKey = run(List.of("--config", config.toString()), Map.of());
        assertThat(unknownKey.exitCode).as(unknownKey.output).isEqualTo(2);
        assertThat(unknownKey.output).contains("unknown setting 'cityZone'").doesNotContain("\tat ").doesNotContain("Exception");

        final Run badEnv = run(List.of(), Map.of("TAPSWITCH_ADMIN_PORT", "70000"));
        assertThat(badEnv.exitCode).as(badEnv.output).isEqualTo(2);
        assertThat(badEnv.output).contains("invalid port = '70000' from env TAPSWITCH_ADMIN_PORT").doesNotContain("\tat ");

        final Run badFlag = run(List.of("--set", "pool-size=0"), Map.of());
        assertThat(badFlag.exitCode).as(badFlag.output).isEqualTo(2);
        assertThat(badFlag.output).contains("invalid pool-size = '0' from flag");
    }

    @Test
    void shouldKeepTheGeneratedTokenOutOfTheOutputWhenAConfigFileExists() throws Exception
    {
        final Path config = dir.resolve("admin.yaml");
        final Path data = dir.resolve("data");
        Files.writeString(config, "host: 127.0.0.1\nport: 0\nmetrics-port: -1\ndata-dir: " + data.resolve("admin") +
            "\nswitch-data-dir: " + data.resolve("switch") + "\n");
        final String dbUrl = TestPostgres.newDatabase();
        // the logs in Logback's JSON layout: the access log line of a request comes out as one JSON object
        final Process process = start(List.of("--config", config.toString(), "--set", "pool-size=2"),
            Map.of("TAPSWITCH_ADMIN_DB_URL", dbUrl, "TAPSWITCH_LOG_FORMAT", "json"));
        final StringBuilder output = new StringBuilder();
        final Thread pump = pump(process.getInputStream(), output);
        try
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!contains(output, "admin-token (mode 0600)") && process.isAlive() && System.nanoTime() < deadline)
            {
                Thread.sleep(50);
            }
            final java.util.regex.Matcher url = java.util.regex.Pattern.compile("tapswitch admin: (http://\\S+)/api/v1 ")
                .matcher(snapshot(output));
            assertThat(url.find()).as(output.toString()).isTrue();
            final java.net.http.HttpResponse<String> health = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(url.group(1) + "/health")).GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            final long logDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!contains(output, "\"loggerName\":\"tapswitch.admin.access\"") && System.nanoTime() < logDeadline)
            {
                Thread.sleep(50);
            }
            assertThat(snapshot(output)).containsPattern(
                "\\{\"timestamp\":\\d+,\"level\":\"INFO\",\"threadName\":\"[^\"]+\",\"loggerName\":\"tapswitch.admin.access\"," +
                "\"formattedMessage\":\"GET \\\\/health 200 \\d+ ms actor=- from=127.0.0.1\"");
            final Path tokenFile = data.resolve("admin").resolve(AdminMain.TOKEN_FILE);
            assertThat(contains(output, "admin-token (mode 0600)")).as(output.toString()).isTrue();
            final String token = Files.readString(tokenFile).trim();
            assertThat(token).matches("[0-9a-f]{64}");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile))).isEqualTo("rw-------");
            synchronized (output)
            {
                assertThat(output.toString()).doesNotContain(token)
                    // the summary names each value's source; the URL from the environment, without being a secret here
                    .contains("tapswitch admin configuration:")
                    .containsPattern("db-url\\s+postgresql://postgres@127\\.0\\.0\\.1:\\d+/test_\\S+\\s+\\(env TAPSWITCH_ADMIN_DB_URL\\)")
                    .containsPattern("pool-size\\s+2\\s+\\(flag\\)")
                    .containsPattern("host\\s+127\\.0\\.0\\.1\\s+\\(file " + java.util.regex.Pattern.quote(config.toString()) + "\\)")
                    .containsPattern("city-zone\\s+Europe/Kyiv\\s+\\(default\\)");
            }
        }
        finally
        {
            process.destroy();
            final boolean exited = process.waitFor(60, TimeUnit.SECONDS);
            if (!exited)
            {
                process.destroyForcibly();
            }
            pump.join(5_000);
            assertThat(exited).isTrue();
        }
        // SIGTERM: a clean stop; the JVM reports 128 + 15, which the systemd unit lists as SuccessExitStatus
        assertThat(process.exitValue()).as(output.toString()).isEqualTo(143);
    }

    private static String snapshot(final StringBuilder output)
    {
        synchronized (output)
        {
            return output.toString();
        }
    }

    private record Run(int exitCode, String output)
    {
    }

    private Run run(final List<String> args, final Map<String, String> env) throws Exception
    {
        final Process process = start(args, env);
        final StringBuilder output = new StringBuilder();
        final Thread pump = pump(process.getInputStream(), output);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exited").isTrue();
        pump.join(5_000);
        return new Run(process.exitValue(), output.toString());
    }

    private Process start(final List<String> args, final Map<String, String> env) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        for (final String argument : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (argument.startsWith("--add-opens") || argument.startsWith("--add-exports") || argument.startsWith("-Dchronicle."))
            {
                command.add(argument);
            }
        }
        // the classpath of a release: without the test classes (and their logback-test.xml)
        final String classPath = java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
            .filter((entry) -> !entry.endsWith("test-classes")).collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
        command.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-cp", classPath, AdminMain.class.getName()));
        command.addAll(args);
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).directory(dir.toFile());
        builder.environment().keySet().removeIf((name) -> name.startsWith("TAPSWITCH_"));
        builder.environment().putAll(env);
        return builder.start();
    }

    private static Thread pump(final InputStream in, final StringBuilder output)
    {
        final Thread thread = new Thread(() ->
        {
            final byte[] buffer = new byte[4096];
            try
            {
                int n;
                while ((n = in.read(buffer)) > 0)
                {
                    synchronized (output)
                    {
                        output.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                    }
                }
            }
            catch (final IOException ignored)
            {
                // the process ended
            }
        }, "admin-output");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static boolean contains(final StringBuilder output, final String text)
    {
        synchronized (output)
        {
            return output.indexOf(text) >= 0;
        }
    }
}
