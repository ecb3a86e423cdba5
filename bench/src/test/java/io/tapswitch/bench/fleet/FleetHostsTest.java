package io.tapswitch.bench.fleet;

import static io.tapswitch.admin.AdminHarness.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.tapswitch.switching.config.SwitchConfig;
import io.tapswitch.switching.net.SwitchLauncher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fleet --hosts}: terminals are spread over several endpoints, and a terminal whose switch goes away moves to
 * the next endpoint and goes on tapping there (two real single-node switches on 127.0.0.1 stand in for the members
 * of a replicated switch; the replicated switch itself is ClusterFailoverTest's).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FleetHostsTest
{
    @TempDir
    Path dir;

    @Test
    void shouldSpreadTerminalsAndMoveThemWhenTheirSwitchGoesAway() throws Exception
    {
        final SwitchLauncher first = start(dir.resolve("a"));
        final SwitchLauncher second = start(dir.resolve("b"));
        try
        {
            final Fleet fleet = new Fleet(new FleetOptions()
                .hosts("127.0.0.1:" + first.port() + ",127.0.0.1:" + second.port())
                .terminals(8)
                .ratePerSecond(400)
                .durationMs(4_000)
                .cards(500));
            final CompletableFuture<FleetResult> run = CompletableFuture.supplyAsync(() ->
            {
                try
                {
                    return fleet.run(null);
                }
                catch (final InterruptedException ex)
                {
                    throw new IllegalStateException(ex);
                }
            });
            // half the terminals are on the first switch; it goes away once the load runs (200 taps answered)
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (fleet.counter(Fleet.COUNT_ANSWERED) < 200 && System.nanoTime() < deadlineNs && !run.isDone())
            {
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            assertThat(first.server().openConnections()).isEqualTo(4);
            assertThat(second.server().openConnections()).isEqualTo(4);
            first.close();
            final FleetResult result = run.get(30, TimeUnit.SECONDS);

            assertThat(result.moved()).as("terminals moved to the next endpoint").isGreaterThanOrEqualTo(4);
            // the fleet closed its connections at its end; the switch learns of each close on its own event loop
            awaitTrue("the surviving switch to see every terminal's connection closed", 10_000,
                () -> second.server().openConnections() == 0);
            assertThat(result.loggedOn()).as("8 logons, then 4 again on the survivor").isEqualTo(12);
            assertThat(result.unanswered()).isZero();
            assertThat(result.answered() + result.errors() + result.lostWithConnection()).isEqualTo(result.sent());
            assertThat(result.sent()).isGreaterThan(1_200);
        }
        finally
        {
            first.close();
            second.close();
        }
    }

    @Test
    void shouldRefuseAnEndpointThatIsNotHostAndPort()
    {
        assertThatThrownBy(() -> new FleetOptions().hosts("127.0.0.1:7700,nohost")).isInstanceOf(
            IllegalArgumentException.class).hasMessageContaining("'nohost' is not host:port");
        assertThatThrownBy(() -> new FleetOptions().hosts("127.0.0.1:70000")).isInstanceOf(
            IllegalArgumentException.class);
    }

    private static SwitchLauncher start(final Path dataDir) throws Exception
    {
        return SwitchLauncher.start(SwitchConfig.of(Map.of(
            "port", "0",
            "metrics-port", "-1",
            "data-dir", dataDir.toString(),
            "demo", "true",
            "demo-cards", "500",
            "demo-terminals", "20")));
    }
}
