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
}
