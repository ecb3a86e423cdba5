package io.tapswitch.switching.reliability;

import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.tapswitch.protocol.FrameHeader;
import io.tapswitch.protocol.MessageType;
import io.tapswitch.protocol.Messages;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.protocol.client.TerminalClient;
import io.tapswitch.switching.config.SwitchConfig;
import io.tapswitch.formats.journal.JournalReader;
import io.tapswitch.formats.journal.JournalRecord;
import io.tapswitch.switching.net.SwitchLauncher;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-source LOGON throttling over real loopback sockets: the attacker connects from 127.0.0.2, the honest
 * terminals from 127.0.0.1 (two sources on the loopback interface).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LogonThrottleTest
{
    private static final String ATTACKER = "127.0.0.2";
    private static final long VICTIM = 5;
    private static final int MAX_FAILURES = 5;
    private static final long WINDOW_MS = 3_000;

    @TempDir
    Path dataDir;

    private SwitchLauncher launcher;

    @AfterEach
    void stop()
    {
        if (null != launcher)
        {
            launcher.close();
        }
    }

    @Test
    void shouldRefuseLogonsFromASourceWithTooManyFailuresWithoutJournalingThemUntilTheWindowEnds() throws Exception
    {
        start(MAX_FAILURES, WINDOW_MS);
        final byte[] wrongKey = new byte[32];
        final byte[] rightKey = TerminalClient.demoKey(VICTIM);
        final long firstFailureMs = System.currentTimeMillis();
        for (int i = 0; i <= MAX_FAILURES; i++)
        {
            assertThat(logon(ATTACKER, VICTIM, wrongKey, i)).isEqualTo(ReasonCode.BAD_CREDENTIALS);
        }
        final long journaledBefore = journaledLogons();
        assertThat(journaledBefore).isEqualTo(MAX_FAILURES + 1);
        final String metricsBefore = scrape();
        assertThat(metric(metricsBefore, "tapswitch_logons_throttled_total")).isZero();

        final long refusedAtMs = System.currentTimeMillis();
        final int throttled = 10;
        for (int i = 0; i < throttled; i++)
        {
            final byte[] key = 0 == (i & 1) ? rightKey : wrongKey;
            try (RawConnection connection = RawConnection.open(launcher.port(), 0, ATTACKER))
            {
                connection.write(RawConnection.logonFrame(VICTIM, key, 100 + i));
                final UnsafeBuffer result = new UnsafeBuffer(connection.readFrame(5_000));
                assertThat(FrameHeader.type(result, 0)).isEqualTo(MessageType.LOGON_RESULT);
                assertThat(result.getByte(FrameHeader.BODY_OFFSET + Messages.LogonResult.RESULT_OFFSET))
                    .isEqualTo((byte)ReasonCode.BAD_CREDENTIALS);
                assertThat(result.getInt(FrameHeader.BODY_OFFSET + Messages.LogonResult.HEARTBEAT_MS_OFFSET,
                    LITTLE_ENDIAN)).isZero();
                assertThat(result.getLong(FrameHeader.BODY_OFFSET + Messages.LogonResult.SERVER_TIME_MS_OFFSET,
                    LITTLE_ENDIAN)).isGreaterThanOrEqualTo(refusedAtMs);
                assertThat(connection.awaitClosedBySwitch(5_000)).isTrue();
            }
        }

        // Another source is unaffected, even for the attacked terminal id.
        try (TerminalClient honest = TerminalClient.connect("127.0.0.1", launcher.port(), VICTIM, rightKey))
        {
            assertThat(honest.heartbeat()).isNotZero();
        }

        final String metricsAfter = scrape();
        assertThat(metric(metricsAfter, "tapswitch_logons_throttled_total")).isEqualTo(throttled);
        assertThat(metric(metricsAfter, "tapswitch_logons_total{result=\"BAD_CREDENTIALS\"}") -
            metric(metricsBefore, "tapswitch_logons_total{result=\"BAD_CREDENTIALS\"}")).isEqualTo(throttled);
        assertThat(journaledLogons()).as("throttled LOGONs never reach the engine: only the honest one journaled")
            .isEqualTo(journaledBefore + 1);

        // After the window, the right key logs on from the throttled source again.
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WINDOW_MS * 5);
        int result = ReasonCode.BAD_CREDENTIALS;
        int attempt = 200;
        while (ReasonCode.OK != result && System.nanoTime() - deadlineNs < 0)
        {
            result = logon(ATTACKER, VICTIM, rightKey, attempt++);
            if (ReasonCode.OK != result)
            {
                TimeUnit.MILLISECONDS.sleep(100);
            }
        }
        assertThat(result).isEqualTo(ReasonCode.OK);
        assertThat(System.currentTimeMillis() - firstFailureMs).as("refused until the window ended")
            .isGreaterThanOrEqualTo(WINDOW_MS);
    }

    @Test
    void shouldKeepServingHonestTerminalsOfTheSameSourceWhenThrottlingIsDisabled() throws Exception
    {
        start(0, WINDOW_MS);
        final byte[] wrongKey = new byte[32];
        for (int i = 0; i < 30; i++)
        {
            assertThat(logon(ATTACKER, VICTIM, wrongKey, i)).isEqualTo(ReasonCode.BAD_CREDENTIALS);
        }
        assertThat(logon(ATTACKER, VICTIM, TerminalClient.demoKey(VICTIM), 99)).isEqualTo(ReasonCode.OK);
        assertThat(metric(scrape(), "tapswitch_logons_throttled_total")).isZero();
        assertThat(journaledLogons()).isEqualTo(31);
    }

    private void start(final int maxFailures, final long windowMs) throws Exception
    {
        launcher = SwitchLauncher.start(SwitchConfig.of(Map.of(
            "host", "127.0.0.1",
            "port", "0",
            "metrics-port", "0",
            "data-dir", dataDir.toString(),
            "demo", "true",
            "demo-cards", "100",
            "demo-terminals", "10",
            "snapshot-interval-ms", "0",
            "logon-throttle-failures", String.valueOf(maxFailures),
            "logon-throttle-window-ms", String.valueOf(windowMs))));
    }

    private int logon(final String source, final long terminalId, final byte[] key, final int correlation)
        throws Exception
    {
        try (RawConnection connection = RawConnection.open(launcher.port(), 0, source))
        {
            connection.write(RawConnection.logonFrame(terminalId, key, correlation));
            final byte[] frame = connection.readFrame(5_000);
            assertThat(frame).isNotNull();
            return new UnsafeBuffer(frame).getByte(FrameHeader.BODY_OFFSET + Messages.LogonResult.RESULT_OFFSET);
        }
    }

    private long journaledLogons()
    {
        final long[] count = {0};
        try (JournalReader reader = new JournalReader(dataDir))
        {
            while (reader.poll((index, record) ->
            {
                if (record.type() == JournalRecord.TYPE_LOGON)
                {
                    count[0]++;
                }
            }, 10_000) > 0)
            {
                // read on
            }
        }
        return count[0];
    }

    private String scrape() throws Exception
    {
        final HttpResponse<String> response = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + launcher.metricsPort() + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
        return response.body();
    }

    private static double metric(final String scrape, final String series)
    {
        for (final String line : scrape.split("\n"))
        {
            if (line.startsWith(series + " "))
            {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        throw new AssertionError(series + " not in scrape");
    }
}
