package io.tapswitch.switching.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.protocol.client.LogonResult;
import io.tapswitch.protocol.client.TapResult;
import io.tapswitch.protocol.client.TerminalClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Load shedding (BUSY from a stalled engine), the idle timeout and the connection limit, over loopback sockets.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoadSheddingTest
{
    private static final int HEARTBEAT_MS = 700;
    private static final int MAX_CONNECTIONS = 12;

    @TempDir
    static Path dataDir;

    private static TestSwitch testSwitch;

    @BeforeAll
    static void startSwitch() throws Exception
    {
        testSwitch = TestSwitch.start(dataDir, Map.of(
            "engine-queue-bytes", "4096",
            "heartbeat-ms", String.valueOf(HEARTBEAT_MS),
            "max-connections", String.valueOf(MAX_CONNECTIONS)));
    }

    @AfterAll
    static void stopSwitch()
    {
        if (null != testSwitch)
        {
            testSwitch.close();
        }
    }

    @Test
    void shouldAnswerBusyInOrderWhileTheEngineIsStalledAndDecideTheRetry()
    {
        final SwitchServer server = testSwitch.launcher().server();
        try (TerminalClient a = testSwitch.terminal(11);
            TerminalClient b = testSwitch.terminal(12);
            TerminalClient c = testSwitch.terminal(13);
            TerminalClient idle = testSwitch.terminal(14))
        {
            final double busyBefore = busyCount();
            server.pauseEngine();
            final List<CompletableFuture<TapResult>> futures = new ArrayList<>();
            final List<long[]> requests = new ArrayList<>();
            final long nowMs = System.currentTimeMillis();
            int correlation = 1_100_000;
            for (final TerminalClient terminal : List.of(a, b, c))
            {
                for (int i = 0; i < 32; i++)
                {
                    final long card = 1000100 + (correlation % 300);
                    futures.add(terminal.async().tap(correlation, card, 2, 1, 0, nowMs));
                    requests.add(new long[]{correlation, card});
                    correlation++;
                }
            }
            // 96 requests do not fit a 4 KiB queue: the excess is answered BUSY at once (released in order).
            awaitTrue(() -> busyCount() > busyBefore);

            // HEARTBEAT never waits for the engine and is never shed.
            assertThat(idle.heartbeat(5, 55L)).isEqualTo(55L);

            server.resumeEngine();
            CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).join();

            int busy = 0;
            int decided = 0;
            for (int i = 0; i < futures.size(); i++)
            {
                final TapResult result = futures.get(i).join();
                assertThat(result.correlation()).isEqualTo((int)requests.get(i)[0]);
                if (ReasonCode.BUSY == result.reason())
                {
                    busy++;
                    assertThat(result.decision()).isEqualTo(Decision.DECLINED);
                    assertThat(result.receipt()).isZero();
                    assertThat(result.remaining()).isEqualTo(-1);

                    // A BUSY answer leaves no record: the same request is decided when retried.
                    final TerminalClient owner = i < 32 ? a : i < 64 ? b : c;
                    final TapResult retry = owner.tap((int)requests.get(i)[0], requests.get(i)[1], 2, 1, 0, nowMs);
                    assertThat(retry.reason()).isNotEqualTo(ReasonCode.BUSY);
                    assertThat(retry.reason()).isNotEqualTo(ReasonCode.DUPLICATE_CORRELATION);
                    assertThat(retry.receipt()).isNotZero();
                }
                else
                {
                    decided++;
                    assertThat(result.receipt()).isNotZero();
                }
            }
            assertThat(busy).isPositive();
            assertThat(decided).isPositive();
        }
        finally
        {
            server.resumeEngine();
        }
    }

    @Test
    void shouldStopReadingAConnectionWith32UnansweredRequests()
    {
        final SwitchServer server = testSwitch.launcher().server();
        try (TerminalClient terminal = testSwitch.terminal(10))
        {
            server.pauseEngine();
            final long nowMs = System.currentTimeMillis();
            final List<CompletableFuture<TapResult>> futures = new ArrayList<>();
            for (int i = 0; i < 100; i++)
            {
                futures.add(terminal.async().tap(1_000_100 + i, 1000400 + i, 2, 1, 0, nowMs));
            }
            // The switch takes 32 into its window, then leaves the rest in the socket (TCP back-pressure).
            awaitTrue(() -> queueDepth() == 32);
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
            while (System.nanoTime() - deadlineNs < 0)
            {
                assertThat(queueDepth()).isEqualTo(32);
                Thread.yield();
            }

            server.resumeEngine();
            for (int i = 0; i < futures.size(); i++)
            {
                final TapResult result = futures.get(i).join();
                assertThat(result.correlation()).isEqualTo(1_000_100 + i);
                assertThat(result.reason()).isNotEqualTo(ReasonCode.BUSY);
                assertThat(result.receipt()).isNotZero();
            }
        }
        finally
        {
            server.resumeEngine();
        }
    }

    @Test
    void shouldAnswerEveryRequestBeforeAMalformedFrameBehindAFullWindow()
    {
        final SwitchServer server = testSwitch.launcher().server();
        try (TerminalClient terminal = testSwitch.terminal(9))
        {
            server.pauseEngine();
            final long nowMs = System.currentTimeMillis();
            final List<CompletableFuture<TapResult>> taps = new ArrayList<>();
            for (int i = 0; i < 40; i++)
            {
                taps.add(terminal.async().tap(900_000 + i, 1000500 + i, 2, 1, 0, nowMs));
            }
            final byte[] badVersion = SessionRulesTest.tapFrame(900_999);
            badVersion[io.tapswitch.protocol.FrameHeader.VERSION_OFFSET] = 7;
            final CompletableFuture<byte[]> error = terminal.async().sendRaw(badVersion);
            awaitTrue(() -> queueDepth() == 32);
            server.resumeEngine();

            for (int i = 0; i < taps.size(); i++)
            {
                final TapResult result = taps.get(i).join();
                assertThat(result.correlation()).isEqualTo(900_000 + i);
                assertThat(result.receipt()).isNotZero();
            }
            final io.tapswitch.protocol.ErrorDecoder decoder =
                new io.tapswitch.protocol.ErrorDecoder().wrap(new org.agrona.concurrent.UnsafeBuffer(error.join()), 0);
            assertThat(decoder.code()).isEqualTo(ReasonCode.MALFORMED_FRAME);
            assertThat(decoder.correlation()).isEqualTo(900_999);
            assertThat(terminal.awaitClosed(5_000)).isTrue();
        }
        finally
        {
            server.resumeEngine();
        }
    }

    @Test
    void shouldShedALogonWithBusyAndCloseWhenTheQueueIsFull()
    {
        final SwitchServer server = testSwitch.launcher().server();
        try (TerminalClient filler = testSwitch.terminal(15); TerminalClient filler2 = testSwitch.terminal(17))
        {
            server.pauseEngine();
            final long nowMs = System.currentTimeMillis();
            final double busyBefore = busyCount();
            for (int i = 0; i < 32; i++)
            {
                filler.async().tap(1_500_000 + i, 1000200 + i, 2, 1, 0, nowMs);
                filler2.async().tap(1_500_000 + i, 1000300 + i, 2, 1, 0, nowMs);
            }
            try (TerminalClient late = testSwitch.openUnlogged(16))
            {
                awaitTrue(() -> busyCount() > busyBefore);
                final CompletableFuture<LogonResult> logon = late.async().logon(System.currentTimeMillis(), nonce(1));
                final LogonResult result = logon.join();
                assertThat(result.result()).isEqualTo(ReasonCode.BUSY);
                assertThat(result.heartbeatMs()).isZero();
                assertThat(late.awaitClosed(5_000)).isTrue();
            }
        }
        finally
        {
            server.resumeEngine();
        }
    }

    @Test
    void shouldCloseAConnectionSilentForThreeHeartbeats()
    {
        final long startNs = System.nanoTime();
        try (TerminalClient silent = testSwitch.openUnlogged(18); TerminalClient talking = testSwitch.terminal(19))
        {
            assertThat(silent.awaitClosed(10_000)).isTrue();
            final long silentMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            assertThat(silentMs).isGreaterThanOrEqualTo(3L * HEARTBEAT_MS - 50);

            // Connected as long, the client library's HEARTBEATs (one per heartbeatMs of silence) kept its session:
            // a request on a closed connection (no reconnection) would fail.
            assertThat(talking.heartbeat(1, 7L)).isEqualTo(7L);
        }
    }

    @Test
    void shouldCloseConnectionsBeyondTheLimitAtOnceAndCountThem()
    {
        final List<TerminalClient> clients = new ArrayList<>();
        final double rejectedBefore = rejectedCount();
        try
        {
            for (int i = 0; i < MAX_CONNECTIONS + 8; i++)
            {
                clients.add(testSwitch.openUnlogged(20 + i));
            }
            awaitTrue(() -> rejectedCount() - rejectedBefore >= 8);
            int answered = 0;
            for (final TerminalClient client : clients)
            {
                try
                {
                    client.heartbeat(1, 1L);
                    answered++;
                }
                catch (final RuntimeException ex)
                {
                    assertThat(client.awaitClosed(5_000)).isTrue();
                }
            }
            assertThat(answered).isBetween(1, MAX_CONNECTIONS);
        }
        finally
        {
            clients.forEach(TerminalClient::close);
        }
    }

    private static byte[] nonce(final int seed)
    {
        final byte[] nonce = new byte[16];
        nonce[0] = (byte)seed;
        nonce[15] = (byte)System.nanoTime();
        return nonce;
    }

    private static double busyCount()
    {
        return counter("tapswitch.busy");
    }

    private static double queueDepth()
    {
        return testSwitch.launcher().metrics().registry().find("tapswitch.engine.queue.depth").gauge().value();
    }

    private static double rejectedCount()
    {
        return counter("tapswitch.connections.rejected");
    }

    private static double counter(final String name)
    {
        return testSwitch.counter(name);
    }

    static void awaitTrue(final BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }
}
