package io.tapswitch.switching.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Gauge;
import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.protocol.client.TapResult;
import io.tapswitch.protocol.client.TerminalClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TAP retried with the same correlation and body returns the original result and takes nothing more: when the
 * answer was lost with the connection (the client reconnects and re-sends), and across a switch restart.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IdempotentRetryTest
{
    private static final long HYGIENE_KIT = 2;

    @TempDir
    Path dataDir;

    @Test
    void shouldReturnTheOriginalResultWhenTheClientResendsAfterLosingTheConnection() throws Exception
    {
        try (TestSwitch testSwitch = TestSwitch.start(dataDir))
        {
            final SwitchServer server = testSwitch.launcher().server();
            final TerminalClient terminal = TerminalClient.connect(testSwitch.options(21).reconnect(true));
            try
            {
                final long card = 1000061;
                final long nowMs = System.currentTimeMillis();
                server.pauseEngine();
                final CompletableFuture<TapResult> pending = terminal.async().tap(2_100_001, card, HYGIENE_KIT, 1, 0, nowMs);
                LoadSheddingTest.awaitTrue(() -> queueDepth(testSwitch) > 0);

                // The connection drops while the TAP waits: the engine decides it, its answer cannot be delivered.
                final CompletableFuture<Void> dropped = terminal.async().channelCloseFuture();
                terminal.async().dropConnection();
                dropped.get(5, TimeUnit.SECONDS);
                server.resumeEngine();

                // The client logs on again and re-sends the unanswered TAP with the same correlation and bytes.
                final TapResult result = pending.get(10, TimeUnit.SECONDS);
                assertThat(result.decision()).isEqualTo(Decision.APPROVED);
                assertThat(result.remaining()).isEqualTo(1);
                assertThat(terminal.async().connectionCount().get()).isEqualTo(2);

                // Taken once: one hygiene kit of two is left, and a further retry still gives the same receipt.
                assertThat(terminal.balance(card).entry(HYGIENE_KIT).remaining()).isEqualTo(1);
                final TapResult again = terminal.tap(2_100_001, card, HYGIENE_KIT, 1, 0, nowMs);
                assertThat(again.receipt()).isEqualTo(result.receipt());
                assertThat(again.remaining()).isEqualTo(1);
            }
            finally
            {
                server.resumeEngine();
                terminal.close();
            }
        }
    }

    @Test
    void shouldReturnTheOriginalResultAfterASwitchRestart() throws Exception
    {
        try (TestSwitch testSwitch = TestSwitch.start(dataDir))
        {
            final long card = 1000064;
            final long nowMs = System.currentTimeMillis();
            final TerminalClient terminal = TerminalClient.connect(testSwitch.options(22).reconnect(true));
            try
            {
                final TapResult original = terminal.tap(2_200_001, card, HYGIENE_KIT, 1, 0, nowMs);
                assertThat(original.decision()).isEqualTo(Decision.APPROVED);

                testSwitch.restart();

                // The same client reconnects to the restarted switch (same port) and retries.
                final TapResult retried = terminal.tap(2_200_001, card, HYGIENE_KIT, 1, 0, nowMs);
                assertThat(retried.receipt()).isEqualTo(original.receipt());
                assertThat(retried.decision()).isEqualTo(Decision.APPROVED);
                assertThat(retried.remaining()).isEqualTo(original.remaining());

                final TapResult next = terminal.tap(2_200_002, card, HYGIENE_KIT, 1, 0, nowMs);
                assertThat(next.receipt()).isGreaterThan(original.receipt());
                assertThat(next.remaining()).isEqualTo(original.remaining() - 1);

                final TapResult differentBody = terminal.tap(2_200_001, card + 3, HYGIENE_KIT, 1, 0, nowMs);
                assertThat(differentBody.reason()).isEqualTo(ReasonCode.DUPLICATE_CORRELATION);
            }
            finally
            {
                terminal.close();
            }
        }
    }

    private static double queueDepth(final TestSwitch testSwitch)
    {
        final Gauge gauge = testSwitch.launcher().metrics().registry().find("tapswitch.engine.queue.depth").gauge();
        return null == gauge ? 0 : gauge.value();
    }
}
