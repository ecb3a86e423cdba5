package io.tapswitch.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import io.tapswitch.bench.fleet.Fleet;
import io.tapswitch.bench.fleet.FleetOptions;
import io.tapswitch.bench.fleet.FleetResult;
import io.tapswitch.protocol.Decision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the load harness from rotting silently: the bare Tap Protocol server and the fleet generator really talk over
 * loopback, every request sent gets its answer, and a server started as a child JVM (as {@code bench load} does it)
 * reports its port and its CPU time. No timing is asserted: speed is measured by {@code bench load}, not here.
 */
@Timeout(60)
class BareServerFleetSmokeTest
{
    private static final int TERMINALS = 4;

    @Test
    void shouldAnswerEveryPipelinedRequestOfTheFleet() throws Exception
    {
        try (BareTapServer server = new BareTapServer("127.0.0.1", 0, 1).start())
        {
            final FleetResult result = new Fleet(options(server.port())
                .ratePerSecond(FleetOptions.RATE_MAX)
                .inFlight(8))
                .run(null);

            assertEveryRequestAnswered(result);
            assertThat(server.answered()).isEqualTo(result.answered());
        }
    }

    @Test
    void shouldAnswerEveryRequestAtAFixedOfferedRate() throws Exception
    {
        try (BareTapServer server = new BareTapServer("127.0.0.1", 0, 1).start())
        {
            final FleetResult result = new Fleet(options(server.port()).ratePerSecond(500)).run(null);

            assertEveryRequestAnswered(result);
            assertThat(result.unsent()).isZero();
            assertThat(result.latencyUs().getTotalCount()).isEqualTo(result.answered());
        }
    }

    @Test
    void shouldRunTheBareServerAsAChildJvmAndReadItsCpuTime(@TempDir final Path logDir) throws Exception
    {
        try (ServerProcess server = ServerProcess.start("bare", List.of("-Xmx256m"), BareTapServer.class.getName(),
            List.of("0", "1"), logDir, 30_000))
        {
            final long cpuBeforeNs = server.cpuNs();
            final FleetResult result = new Fleet(options(server.port())
                .ratePerSecond(FleetOptions.RATE_MAX)
                .inFlight(4))
                .run(null);

            assertEveryRequestAnswered(result);
            assertThat(server.cpuNs()).isGreaterThan(cpuBeforeNs);
        }
    }

    private static FleetOptions options(final int port)
    {
        return new FleetOptions()
            .host("127.0.0.1")
            .port(port)
            .terminals(TERMINALS)
            .durationMs(1_000)
            .cards(1_000)
            .ioThreads(1)
            .connectTimeoutMs(10_000)
            .drainTimeoutMs(5_000);
    }

    private static void assertEveryRequestAnswered(final FleetResult result)
    {
        assertThat(result.loggedOn()).isEqualTo(TERMINALS);
        assertThat(result.logonFailures()).isZero();
        assertThat(result.connectFailures()).isZero();
        assertThat(result.sent()).isPositive();
        assertThat(result.answered()).isEqualTo(result.sent());
        assertThat(result.errors()).isZero();
        assertThat(result.count(Decision.APPROVED)).isEqualTo(result.answered());
    }
}
