package io.tapswitch.bench.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.tapswitch.switching.config.SwitchConfig;
import io.tapswitch.switching.net.SwitchLauncher;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ./tapswitch fleet} as a command against a real switch: --json and --hgrm write the run's figures, the
 * thresholds set the exit code, and requests that stay unanswered (the switch's engine paused) fail the run.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FleetMainTest
{
    @TempDir
    static Path dataDir;

    @TempDir
    Path out;

    private static SwitchLauncher launcher;

    @BeforeAll
    static void startSwitch() throws Exception
    {
        launcher = SwitchLauncher.start(SwitchConfig.of(Map.of(
            "port", "0",
            "metrics-port", "-1",
            "data-dir", dataDir.toString(),
            "demo", "true",
            "demo-cards", "500",
            "demo-terminals", "10")));
    }

    @AfterAll
    static void stopSwitch()
    {
        if (null != launcher)
        {
            launcher.close();
        }
    }

    @Test
    void shouldWriteJsonAndHgrmAndPassItsThresholds() throws Exception
    {
        final Path json = out.resolve("fleet.json");
        final Path hgrm = out.resolve("fleet.hgrm");
        final int code = fleet("--port", String.valueOf(launcher.port()), "--terminals", "5", "--rate", "200",
            "--duration", "1", "--cards", "500", "--json", json.toString(), "--hgrm", hgrm.toString(),
            "--max-p99-ms", "60000", "--max-unanswered", "0", "--warmup", "0");
        assertThat(code).isZero();

        final JsonObject result = new JsonObject(Files.readString(json));
        assertThat(result.getLong("loggedOn")).isEqualTo(5);
        assertThat(result.getLong("sent")).isPositive();
        assertThat(result.getLong("answered")).isEqualTo(result.getLong("sent"));
        assertThat(result.getLong("unanswered")).isZero();
        assertThat(result.getJsonObject("latencyMs").getLong("samples")).isEqualTo(result.getLong("answered"));
        assertThat(result.getJsonObject("decisions").getJsonObject("APPROVED").getLong("total")).isPositive();
        assertThat(Files.readString(hgrm)).contains("Value     Percentile TotalCount 1/(1-Percentile)").contains("#[Mean");
    }

    @Test
    void shouldWarmUpAtFullSpeedAndLeaveTheWarmUpOutOfTheFigures() throws Exception
    {
        final Path json = out.resolve("fleet.json");
        final int code = fleet("--port", String.valueOf(launcher.port()), "--terminals", "5", "--rate", "100",
            "--duration", "1", "--cards", "500", "--warmup", "1", "--json", json.toString(), "--max-unanswered", "0");
        assertThat(code).isZero();

        final JsonObject result = new JsonObject(Files.readString(json));
        final JsonObject warmup = result.getJsonObject("warmup");
        assertThat(warmup.getDouble("seconds")).isEqualTo(1.0);
        // the warm-up ran closed loop (full speed), its answers are its own ...
        assertThat(warmup.getLong("answered")).isPositive().isEqualTo(warmup.getLong("sent"));
        // ... and none of them is in the measured run: 100 taps/s for 1 s is at most 100 TAPs, each answered once
        assertThat(result.getLong("sent")).isPositive().isLessThanOrEqualTo(100);
        assertThat(result.getLong("answered")).isEqualTo(result.getLong("sent"));
        assertThat(result.getJsonObject("latencyMs").getLong("samples")).isEqualTo(result.getLong("answered"));
        assertThat(result.getLong("loggedOn")).isEqualTo(5);
    }

    @Test
    void shouldRefuseANegativeWarmUp()
    {
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(fleet(err, "--port", String.valueOf(launcher.port()), "--warmup", "-1")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--warmup 0 .. 3600");
    }

    @Test
    void shouldFailWhenP99IsAboveTheLimit() throws Exception
    {
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int code = fleet(err, "--port", String.valueOf(launcher.port()), "--terminals", "2", "--rate", "100",
            "--duration", "1", "--cards", "500", "--max-p99-ms", "0.000001", "--warmup", "0");
        assertThat(code).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("FAILED: p99");
    }

    @Test
    void shouldFailWhenRequestsStayUnanswered() throws Exception
    {
        // once both terminals are logged on, the engine stops deciding: their taps stay unanswered
        final Thread pauser = new Thread(() ->
        {
            final io.micrometer.core.instrument.Gauge sessions =
                launcher.metrics().registry().find("tapswitch.sessions.active").gauge();
            while (sessions.value() < 2 && !Thread.currentThread().isInterrupted())
            {
                Thread.onSpinWait();
            }
            launcher.server().pauseEngine();
        }, "pauser");
        pauser.start();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        try
        {
            final int code = fleet(err, "--port", String.valueOf(launcher.port()), "--terminals", "2", "--rate", "20",
                "--duration", "1", "--cards", "500", "--warmup", "0");
            assertThat(code).isEqualTo(1);
        }
        finally
        {
            pauser.interrupt();
            pauser.join(5_000);
            launcher.server().resumeEngine();
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).containsPattern("FAILED: \\d+ request\\(s\\) unanswered \\(allowed 0\\)");
    }

    private static int fleet(final String... args)
    {
        return fleet(new ByteArrayOutputStream(), args);
    }

    private static int fleet(final ByteArrayOutputStream err, final String... args)
    {
        final PrintStream originalErr = System.err;
        final PrintStream originalOut = System.out;
        try (PrintStream capture = new PrintStream(err, true, StandardCharsets.UTF_8);
            PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
        {
            System.setErr(capture);
            System.setOut(quiet);
            return new CommandLine(new FleetMain()).execute(args);
        }
        finally
        {
            System.setErr(originalErr);
            System.setOut(originalOut);
        }
    }
}
