package io.tapswitch.switching.net;

import java.nio.file.Path;
import java.util.Map;

import io.tapswitch.protocol.client.TerminalClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An answer whose wake-up of the event loop is lost still reaches its terminal: the event loop's periodic check
 * drains it (and counts it in {@code tapswitch_response_drains_rescued_total}), so a lone request in flight never
 * waits for unrelated traffic.
 */
class LostWakeUpTest
{
    private static final long CARD = 1_000_101;
    private static final String RESCUED = "tapswitch.response.drains.rescued";

    @TempDir
    Path dataDir;

    @Test
    void shouldDeliverAnswersWhoseWakeUpWasLost() throws Exception
    {
        try (TestSwitch testSwitch = TestSwitch.start(dataDir, Map.of("journal-sync", "none"));
            TerminalClient terminal = testSwitch.terminal(11))
        {
            final SwitchServer server = testSwitch.launcher().server();
            assertThat(terminal.balance(CARD).entries()).isNotEmpty();
            final double rescuedBefore = testSwitch.counter(RESCUED);

            server.responders().forEach((responder) -> responder.dropWakeUps(true));
            try
            {
                final long nowMs = System.currentTimeMillis();
                for (int i = 0; i < 5; i++)
                {
                    // one request in flight at a time: nothing else would wake the event loop
                    assertThat(terminal.tap(100 + i, CARD + i, 2, 1, 0, nowMs).receipt()).isPositive();
                }
            }
            finally
            {
                server.responders().forEach((responder) -> responder.dropWakeUps(false));
            }
            assertThat(testSwitch.counter(RESCUED) - rescuedBefore).isGreaterThanOrEqualTo(5);
        }
    }
}
