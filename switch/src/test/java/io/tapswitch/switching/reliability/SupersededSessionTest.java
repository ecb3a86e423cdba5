package io.tapswitch.switching.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.client.TerminalClient;
import io.tapswitch.switching.config.SwitchConfig;
import io.tapswitch.switching.net.SwitchLauncher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A terminal whose session was superseded (PROTOCOL.md rule 2: a newer LOGON of the same terminal closes the older
 * connection) must learn it at once: a request on the closed connection fails fast instead of waiting for the
 * client's whole timeout, so a retry loop (like the crash test's) reconnects without a 10-second stall.
 */
class SupersededSessionTest
{
    @TempDir
    Path dataDir;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldFailARequestOnASupersededConnectionAtOnce() throws Exception
    {
        try (SwitchLauncher launcher = SwitchLauncher.start(SwitchConfig.of(Map.of(
            "host", "127.0.0.1", "port", "0", "metrics-port", "-1", "data-dir", dataDir.toString(),
            "demo", "true", "demo-cards", "200", "demo-terminals", "10", "snapshot-interval-ms", "0")));
            TerminalClient older = TerminalClient.connect("127.0.0.1", launcher.port(), 1, TerminalClient.demoKey(1)))
        {
            assertThat(older.balance(1000001).decision()).isEqualTo(Decision.APPROVED);
            try (TerminalClient newer = TerminalClient.connect("127.0.0.1", launcher.port(), 1,
                TerminalClient.demoKey(1)))
            {
                assertThat(older.awaitClosed(5_000)).as("the older connection is closed by the newer LOGON").isTrue();
                final long startNs = System.nanoTime();
                assertThatThrownBy(() -> older.balance(1000001)).isInstanceOf(RuntimeException.class);
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs))
                    .as("the request on the closed connection failed at once, not at the client's timeout")
                    .isLessThan(TerminalClient.DEFAULT_TIMEOUT_MS / 2);
                assertThat(newer.balance(1000001).decision()).isEqualTo(Decision.APPROVED);
            }
        }
    }
}
