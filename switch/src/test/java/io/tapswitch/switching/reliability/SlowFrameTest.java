package io.tapswitch.switching.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.FunctionCounter;
import io.tapswitch.protocol.FrameHeader;
import io.tapswitch.protocol.HeartbeatEncoder;
import io.tapswitch.protocol.MessageType;
import io.tapswitch.protocol.client.TerminalClient;
import io.tapswitch.switching.config.SwitchConfig;
import io.tapswitch.switching.net.SwitchLauncher;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Byte-a-second clients on the terminal port (real loopback sockets, heartbeat 2 s, so the idle timeout is 6 s): 64
 * connections each trickle a LOGON frame one byte per second (a whole frame would take 72 s). Each holds at most one
 * partial frame (the decoder buffers one frame, ≤ 4 KiB) and is closed once no whole frame came for the idle time,
 * counted in {@code tapswitch_idle_timeouts_total}, while an honest terminal is answered throughout. A slow client that
 * does complete each frame within the idle time (a HEARTBEAT at one byte per 300 ms) is answered and kept: the bound is
 * the time per frame, not per byte.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SlowFrameTest
{
    private static final long HEARTBEAT_MS = 2_000;
    private static final long IDLE_MS = 3 * HEARTBEAT_MS;
    private static final int TRICKLERS = 64;

    @TempDir
    Path dataDir;

    @Test
    void shouldCloseByteASecondFramesAtTheIdleTimeoutWhileOthersAreServed() throws Exception
    {
        try (SwitchLauncher launcher = SwitchLauncher.start(SwitchConfig.of(Map.of("host", "127.0.0.1", "port", "0",
            "metrics-port", "-1", "data-dir", dataDir.toString(), "demo", "true", "demo-cards", "100", "demo-terminals", "10",
            "snapshot-interval-ms", "0", "heartbeat-ms", String.valueOf(HEARTBEAT_MS))));
            TerminalClient honest = TerminalClient.connect("127.0.0.1", launcher.port(), 1, TerminalClient.demoKey(1)))
        {
            final double idleBefore = idleTimeouts(launcher);
            final List<RawConnection> tricklers = new ArrayList<>();
            for (int i = 0; i < TRICKLERS; i++)
            {
                tricklers.add(RawConnection.open(launcher.port(), 0));
            }
            final byte[] logon = RawConnection.logonFrame(2, TerminalClient.demoKey(2), 1);
            final long startNs = System.nanoTime();
            final long[] closedAfterMs = new long[TRICKLERS];
            int closed = 0;
            int answered = 0;
            long slowestMs = 0;
            for (int second = 0; closed < TRICKLERS && second < IDLE_MS / 1000 + 6; second++)
            {
                for (int i = 0; i < TRICKLERS; i++)
                {
                    if (closedAfterMs[i] > 0)
                    {
                        continue;
                    }
                    try
                    {
                        tricklers.get(i).write(new byte[]{logon[second]});
                    }
                    catch (final IOException ex)
                    {
                        closedAfterMs[i] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
                        closed++;
                    }
                }
                // a second of honest requests, then look which tricklers the switch has closed
                final long secondEndNs = startNs + TimeUnit.SECONDS.toNanos(second + 1);
                while (System.nanoTime() - secondEndNs < 0)
                {
                    final long t0 = System.nanoTime();
                    honest.balance(1_000_001L);
                    slowestMs = Math.max(slowestMs, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                    answered++;
                    Thread.sleep(50);
                }
                for (int i = 0; i < TRICKLERS; i++)
                {
                    if (closedAfterMs[i] == 0 && tricklers.get(i).awaitClosedBySwitch(1))
                    {
                        closedAfterMs[i] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
                        closed++;
                    }
                }
            }
            long first = Long.MAX_VALUE;
            long last = 0;
            for (final long ms : closedAfterMs)
            {
                first = Math.min(first, ms);
                last = Math.max(last, ms);
            }
            for (final RawConnection trickler : tricklers)
            {
                trickler.close();
            }
            System.out.printf("SlowFrameTest: %d byte-a-second connections closed %d..%d ms after their first byte " +
                "(idle timeout %d ms); honest terminal answered %d BALANCEs meanwhile, slowest %d ms%n",
                closed, first, last, IDLE_MS, answered, slowestMs);
            assertThat(closed).as("byte-a-second connections closed by the switch").isEqualTo(TRICKLERS);
            assertThat(first).as("none closed before the idle time").isGreaterThanOrEqualTo(IDLE_MS - 1_000);
            assertThat(last).as("each closed within the idle time and a check").isLessThan(IDLE_MS + 4_000);
            assertThat(answered).isPositive();
            assertThat(idleTimeouts(launcher) - idleBefore).as("tapswitch_idle_timeouts_total").isEqualTo(TRICKLERS);

            // a slow client completing each frame within the idle time is answered and kept
            try (RawConnection slow = RawConnection.open(launcher.port(), 0))
            {
                for (int frame = 0; frame < 2; frame++)
                {
                    final byte[] heartbeat = new byte[HeartbeatEncoder.FRAME_LENGTH];
                    new HeartbeatEncoder().wrap(new UnsafeBuffer(heartbeat), 0).correlation(40 + frame)
                        .timestampMs(System.currentTimeMillis());
                    for (final byte b : heartbeat)
                    {
                        slow.write(new byte[]{b});
                        Thread.sleep(300);
                    }
                    final byte[] answer = slow.readFrame(5_000);
                    assertThat(answer).as("HEARTBEAT " + frame + " sent at one byte per 300 ms answered").isNotNull();
                    assertThat(FrameHeader.type(new UnsafeBuffer(answer), 0)).isEqualTo(MessageType.HEARTBEAT_RESULT);
                }
            }
        }
    }

    private static double idleTimeouts(final SwitchLauncher launcher)
    {
        final FunctionCounter counter = launcher.metrics().registry().find("tapswitch.idle.timeouts").functionCounter();
        return null == counter ? 0 : counter.count();
    }
}
