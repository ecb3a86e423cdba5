package io.tapswitch.bench.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.switching.config.SwitchConfig;
import io.tapswitch.switching.net.SwitchLauncher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet as a library against a real switch on 127.0.0.1: every terminal logs on, every request sent is
 * answered and counted once.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FleetTest
{
    private static final int DEMO_TERMINALS = 2_000;

    @TempDir
    static Path dataDir;

    private static SwitchLauncher launcher;

    @BeforeAll
    static void startSwitch() throws Exception
    {
        launcher = SwitchLauncher.start(SwitchConfig.of(Map.of(
            "port", "0",
            "metrics-port", "-1",
            "data-dir", dataDir.toString(),
            "demo", "true",
            "demo-cards", "2000",
            "demo-terminals", String.valueOf(DEMO_TERMINALS))));
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
    void shouldOfferTheRateFromAllTerminalsAndCountEveryAnswer() throws Exception
    {
        final FleetResult result = new Fleet(new FleetOptions()
            .port(launcher.port())
            .terminals(50)
            .ratePerSecond(500)
            .durationMs(2_000)
            .cards(2_000)).run(null);

        assertThat(result.loggedOn()).isEqualTo(50);
        assertThat(result.sent()).isBetween(900L, 1_001L);
        assertThat(result.answered()).isEqualTo(result.sent());
        assertThat(result.unsent()).isZero();
        assertThat(result.count(Decision.APPROVED) + result.count(Decision.DECLINED) + result.count(Decision.RECORDED))
            .isEqualTo(result.answered());
        assertThat(result.count(Decision.DECLINED, ReasonCode.BUSY)).isZero();
        assertThat(result.latencyUs().getTotalCount()).isEqualTo(result.answered());
    }

    @Test
    void shouldHoldAndServe2000ConcurrentConnections() throws Exception
    {
        final FleetResult result = new Fleet(new FleetOptions()
            .port(launcher.port())
            .terminals(2_000)
            .ratePerSecond(2_000)
            .durationMs(3_000)
            .cards(2_000)).run(null);

        // Every terminal logged on before the load started and none was dropped: 2000 sessions held at once.
        assertThat(result.loggedOn()).isEqualTo(2_000);
        assertThat(result.disconnected()).isZero();
        assertThat(result.answered()).isEqualTo(result.sent()).isGreaterThan(5_000);
        assertThat(result.count(io.tapswitch.protocol.Decision.DECLINED, ReasonCode.BUSY)).isZero();
    }

    @Test
    void shouldKeepRequestsInFlightAtMaxRate() throws Exception
    {
        final FleetResult result = new Fleet(new FleetOptions()
            .port(launcher.port())
            .terminals(10)
            .firstTerminal(51)
            .ratePerSecond(FleetOptions.RATE_MAX)
            .inFlight(4)
            .durationMs(1_000)
            .cards(2_000)).run(null);

        assertThat(result.loggedOn()).isEqualTo(10);
        assertThat(result.answered()).isPositive().isEqualTo(result.sent());
    }

    @Test
    void shouldKeepQuietTerminalsLoggedOnWithHeartbeats(@TempDir final Path quietDataDir) throws Exception
    {
        // A switch that closes a connection silent for 4.5 s; 2 terminals tap about once in 6 s between them.
        try (SwitchLauncher quietSwitch = SwitchLauncher.start(SwitchConfig.of(Map.of(
            "port", "0",
            "metrics-port", "-1",
            "data-dir", quietDataDir.toString(),
            "demo", "true",
            "demo-cards", "100",
            "demo-terminals", "2",
            "heartbeat-ms", "1500"))))
        {
            final FleetResult result = new Fleet(new FleetOptions()
                .port(quietSwitch.port())
                .terminals(2)
                .ratePerSecond(0.2)
                .durationMs(6_000)
                .cards(100)).run(null);

            assertThat(result.loggedOn()).isEqualTo(2);
            assertThat(result.heartbeats()).isPositive();
            assertThat(result.disconnected()).isZero();
            assertThat(result.answered()).isEqualTo(result.sent()).isPositive();
        }
    }

    @Test
    void shouldCountTerminalsTheSwitchRefuses() throws Exception
    {
        final FleetResult result = new Fleet(new FleetOptions()
            .port(launcher.port())
            .terminals(3)
            .firstTerminal(DEMO_TERMINALS + 1)
            .ratePerSecond(100)
            .durationMs(200)
            .connectTimeoutMs(5_000)).run(null);

        assertThat(result.loggedOn()).isZero();
        assertThat(result.logonFailures()).isEqualTo(3);
        assertThat(result.answered()).isZero();
    }
}
