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
 * LOGON throttling over real loopback sockets: the attacker connects from 127.0.0.2, the honest terminals from
 * 127.0.0.1 or from the attacker's own address (terminals behind one router); several sources on the loopback
 * interface. A throttled LOGON is answered BUSY (retry later), never BAD_CREDENTIALS, and STALE_LOGONs count per
 * terminal, so honest terminals behind one address are never locked out.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LogonThrottleTest
{
    private static final String ATTACKER = "127.0.0.2";
    private static final long VICTIM = 5;
    /** An honest terminal behind the attacker's address. */
    private static final long NEIGHBOUR = 7;
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
                    .as("a throttled LOGON is answered BUSY: retry later, not 'your key is wrong'")
                    .isEqualTo((byte)ReasonCode.BUSY);
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
            metric(metricsBefore, "tapswitch_logons_total{result=\"BAD_CREDENTIALS\"}")).isZero();
        assertThat(metric(metricsAfter, "tapswitch_logons_total{result=\"BUSY\"}") -
            metric(metricsBefore, "tapswitch_logons_total{result=\"BUSY\"}")).isEqualTo(throttled);
        assertThat(journaledLogons()).as("throttled LOGONs never reach the engine: only the honest one journaled")
            .isEqualTo(journaledBefore + 1);

        // An honest terminal behind the attacker's address (the same router) is told BUSY, backs off as rule 11
        // says and logs on by itself once the window ends: it is never answered anything but BUSY or OK.
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WINDOW_MS * 5);
        int result = ReasonCode.BUSY;
        int attempt = 200;
        long backoffMs = 50;
        while (ReasonCode.OK != result && System.nanoTime() - deadlineNs < 0)
        {
            result = logon(ATTACKER, NEIGHBOUR, TerminalClient.demoKey(NEIGHBOUR), attempt++);
            assertThat(result).as("an honest terminal behind the throttled address").isIn(ReasonCode.OK, ReasonCode.BUSY);
            if (ReasonCode.OK != result)
            {
                TimeUnit.MILLISECONDS.sleep(backoffMs);
                backoffMs = Math.min(1_000, backoffMs * 2);
            }
        }
        assertThat(result).isEqualTo(ReasonCode.OK);
        assertThat(System.currentTimeMillis() - firstFailureMs).as("refused until the window ended")
            .isGreaterThanOrEqualTo(WINDOW_MS);
    }

    @Test
    void shouldNeverLockOutHonestTerminalsBehindOneAddressWhoseNeighboursClocksAreWrong() throws Exception
    {
        start(MAX_FAILURES, 60_000);
        final String router = "127.0.0.3";
        final long anHourAhead = System.currentTimeMillis() + 3_600_000;
        // Four times the limit of STALE_LOGONs from one address, from four terminals whose clocks are an hour ahead
        // (valid keys): each one is answered STALE_LOGON by the engine, journaled, and counted for that terminal only.
        int stale = 0;
        for (long terminal = 1; terminal <= 4; terminal++)
        {
            for (int i = 0; i < MAX_FAILURES; i++)
            {
                assertThat(logon(router, terminal, TerminalClient.demoKey(terminal), i, anHourAhead))
                    .isEqualTo(ReasonCode.STALE_LOGON);
                stale++;
            }
        }
        final long journaled = journaledLogons();
        assertThat(journaled).isEqualTo(stale);

        // Their honest neighbours behind the same address log on at once (before the fix: BAD_CREDENTIALS, throttled).
        for (long terminal = 5; terminal <= 8; terminal++)
        {
            assertThat(logon(router, terminal, TerminalClient.demoKey(terminal), 50)).as("honest terminal " + terminal)
                .isEqualTo(ReasonCode.OK);
        }
        assertThat(metric(scrape(), "tapswitch_logons_throttled_total")).isZero();

        // A wrong-clock terminal past the limit slows down only itself: its next LOGON is answered BUSY without
        // reaching the engine; the same terminal from another address (its clock put right) logs on.
        assertThat(logon(router, 1, TerminalClient.demoKey(1), 60, anHourAhead)).isEqualTo(ReasonCode.STALE_LOGON);
        assertThat(logon(router, 1, TerminalClient.demoKey(1), 61, anHourAhead)).isEqualTo(ReasonCode.BUSY);
        assertThat(metric(scrape(), "tapswitch_logons_throttled_total")).isEqualTo(1);
        assertThat(journaledLogons()).as("4 honest LOGONs and one more STALE_LOGON journaled; the throttled one not")
            .isEqualTo(journaled + 4 + 1);
        assertThat(logon("127.0.0.4", 1, TerminalClient.demoKey(1), 62)).isEqualTo(ReasonCode.OK);
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
        return logon(source, terminalId, key, correlation, System.currentTimeMillis());
    }

    private int logon(final String source, final long terminalId, final byte[] key, final int correlation,
        final long timestampMs) throws Exception
    {
        try (RawConnection connection = RawConnection.open(launcher.port(), 0, source))
        {
            connection.write(RawConnection.logonFrame(terminalId, key, correlation, timestampMs));
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
