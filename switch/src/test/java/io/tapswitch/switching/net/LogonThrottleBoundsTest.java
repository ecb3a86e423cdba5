package io.tapswitch.switching.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.Set;

import org.junit.jupiter.api.Test;

class LogonThrottleBoundsTest
{
    @Test
    void shouldKeepTheSourceTableBoundedByEvictingTheOldestWindows() throws Exception
    {
        final LogonThrottle throttle = new LogonThrottle(2, 60_000, 100, Set.of());
        final InetAddress first = InetAddress.getByAddress(new byte[]{10, 0, 0, 1});
        for (int i = 0; i < 3; i++)
        {
            throttle.onFailure(first, 1_000);
        }
        assertThat(throttle.isThrottled(first, 1_001)).isTrue();

        for (int i = 0; i < 10_000; i++)
        {
            throttle.onFailure(InetAddress.getByAddress(new byte[]{10, 1, (byte)(i >> 8), (byte)i}), 2_000 + i);
            assertThat(throttle.trackedSources()).isLessThanOrEqualTo(100);
        }
        assertThat(throttle.isThrottled(first, 12_000)).as("the oldest window was evicted").isFalse();
    }

    @Test
    void shouldNeverThrottleAnExemptSourceAndEndTheRefusalWithTheWindow() throws Exception
    {
        final InetAddress gateway = InetAddress.getByAddress(new byte[]{10, 0, 0, 2});
        final InetAddress other = InetAddress.getByAddress(new byte[]{10, 0, 0, 3});
        final LogonThrottle throttle = new LogonThrottle(1, 1_000, 100, Set.of(gateway));
        for (int i = 0; i < 5; i++)
        {
            throttle.onFailure(gateway, 100);
            throttle.onFailure(other, 100);
        }
        assertThat(throttle.isThrottled(gateway, 200)).isFalse();
        assertThat(throttle.isThrottled(other, 200)).isTrue();
        assertThat(throttle.isThrottled(other, 1_099)).isTrue();
        assertThat(throttle.isThrottled(other, 1_100)).isFalse();
    }

    @Test
    void shouldCountStaleLogonsPerTerminalAndAddressNeverPerAddressAlone() throws Exception
    {
        final InetAddress router = InetAddress.getByAddress(new byte[]{10, 0, 0, 4});
        final InetAddress elsewhere = InetAddress.getByAddress(new byte[]{10, 0, 0, 5});
        final LogonThrottle throttle = new LogonThrottle(2, 1_000, 100, Set.of());
        for (long terminal = 1; terminal <= 50; terminal++)
        {
            throttle.onStale(router, terminal, 100);
        }
        assertThat(throttle.isThrottled(router, 200)).as("50 wrong clocks behind one address do not throttle it").isFalse();
        assertThat(throttle.isStale(router, 51, 200)).as("a neighbour").isFalse();
        for (int i = 0; i < 2; i++)
        {
            throttle.onStale(router, 7, 100);
        }
        assertThat(throttle.isStale(router, 7, 200)).as("the terminal past the limit").isTrue();
        assertThat(throttle.isStale(elsewhere, 7, 200)).as("the same terminal from another address").isFalse();
        assertThat(throttle.isStale(router, 7, 1_100)).as("after the window").isFalse();
        for (long terminal = 100; terminal < 10_000; terminal++)
        {
            throttle.onStale(router, terminal, 2_000 + terminal);
            assertThat(throttle.trackedStaleTerminals()).isLessThanOrEqualTo(100);
        }
    }
}
