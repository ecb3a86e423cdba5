package io.tapswitch.switching.engine;

import java.nio.file.Path;

import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.formats.command.CommandEncoder;
import io.tapswitch.formats.demo.DemoDataset;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.tapswitch.switching.engine.Harness.kyiv;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * LOGON: credentials (HMAC-SHA256 over body bytes 0..31 with the terminal key), freshness and nonce memory
 * (PROTOCOL.md rules 1 and 2).
 */
class EngineLogonTest
{
    private static final long NOW = kyiv(2026, 11, 23, 12, 0);
    private static final long MINUTE = 60_000L;

    @TempDir
    Path dir;
    private Harness h;

    @BeforeEach
    void setUp()
    {
        h = new Harness(dir).demo(100, 20);
    }

    @AfterEach
    void tearDown()
    {
        h.close();
    }

    private static byte[] key(final long terminal)
    {
        return DemoDataset.terminalKey(terminal);
    }

    @Test
    void shouldLogOnWithValidMacAndGiveHeartbeatAndServerTime()
    {
        final Harness.Logon logon = h.logon(NOW, 0, 7, NOW - 1000, 1, key(7));
        assertThat(logon.result()).isEqualTo(ReasonCode.OK);
        assertThat(logon.heartbeatMs()).isEqualTo(15_000);
        assertThat(logon.serverTimeMs()).isEqualTo(NOW);
    }

    @Test
    void shouldComputeTheSameMacAsJavaxCrypto()
    {
        final HmacSha256 hmac = new HmacSha256();
        final byte[] message = new byte[32];
        for (int i = 0; i < message.length; i++)
        {
            message[i] = (byte)(i * 7 + 3);
        }
        final byte[] computed = hmac.compute(key(3), 0, new UnsafeBuffer(message), 0, 32).clone();
        assertThat(computed).isEqualTo(Harness.hmacSha256(key(3), message));
    }

    @Test
    void shouldRefuseSecondLogonOnLoggedOnSession()
    {
        assertThat(h.logon(NOW, 7, 7, NOW, 2, key(7)).result()).isEqualTo(ReasonCode.INVALID_REQUEST);
        // the mac was never checked: the nonce is not remembered
        assertThat(h.logon(NOW, 0, 7, NOW, 2, key(7)).result()).isEqualTo(ReasonCode.OK);
    }

    @Test
    void shouldRefuseUnknownTerminalWrongMacAndDisabledTerminal()
    {
        assertThat(h.logon(NOW, 0, 9_999, NOW, 3, key(9_999)).result()).isEqualTo(ReasonCode.BAD_CREDENTIALS);
        final Harness.Logon wrongMac = h.logon(NOW, 0, 7, NOW, 4, key(8));
        assertThat(wrongMac.result()).isEqualTo(ReasonCode.BAD_CREDENTIALS);
        assertThat(wrongMac.heartbeatMs()).isZero();
        assertThat(wrongMac.serverTimeMs()).isEqualTo(NOW);
        // a wrong mac does not burn the nonce
        assertThat(h.logon(NOW, 0, 7, NOW, 4, key(7)).result()).isEqualTo(ReasonCode.OK);

        h.command(CommandEncoder.setTerminalEnabled(h.commandBuffer, 0, h.nextCommandId(), 7, false));
        assertThat(h.logon(NOW, 0, 7, NOW, 5, key(7)).result()).isEqualTo(ReasonCode.BAD_CREDENTIALS);
        h.command(CommandEncoder.setTerminalEnabled(h.commandBuffer, 0, h.nextCommandId(), 7, true));
        assertThat(h.logon(NOW, 0, 7, NOW, 6, key(7)).result()).isEqualTo(ReasonCode.OK);
    }

    @Test
    void shouldUseRotatedKey()
    {
        final byte[] newKey = key(12_345);
        h.command(CommandEncoder.rotateKey(h.commandBuffer, 0, h.nextCommandId(), 7, newKey));
        assertThat(h.logon(NOW, 0, 7, NOW, 7, key(7)).result()).isEqualTo(ReasonCode.BAD_CREDENTIALS);
        assertThat(h.logon(NOW, 0, 7, NOW, 8, newKey).result()).isEqualTo(ReasonCode.OK);
    }

    @Test
    void shouldRefuseStaleTimestampBeyondFiveMinutes()
    {
        assertThat(h.logon(NOW, 0, 7, NOW - 300_001, 10, key(7)).result()).isEqualTo(ReasonCode.STALE_LOGON);
        assertThat(h.logon(NOW, 0, 7, NOW + 300_001, 11, key(7)).result()).isEqualTo(ReasonCode.STALE_LOGON);
        assertThat(h.logon(NOW, 0, 7, NOW + 300_000, 12, key(7)).result()).isEqualTo(ReasonCode.OK);
        assertThat(h.logon(NOW, 0, 7, NOW - 300_000, 13, key(7)).result()).isEqualTo(ReasonCode.OK);
    }

    @Test
    void shouldRefuseNonceReusedWithinTenMinutesEvenAfterFailedLogon()
    {
        assertThat(h.logon(NOW, 0, 7, NOW, 20, key(7)).result()).isEqualTo(ReasonCode.OK);
        assertThat(h.logon(NOW + MINUTE, 0, 7, NOW + MINUTE, 20, key(7)).result()).isEqualTo(ReasonCode.STALE_LOGON);
        // another terminal may use the same nonce
        assertThat(h.logon(NOW, 0, 8, NOW, 20, key(8)).result()).isEqualTo(ReasonCode.OK);

        // a stale logon with a valid mac still burns its nonce
        assertThat(h.logon(NOW, 0, 7, NOW - 400_000, 21, key(7)).result()).isEqualTo(ReasonCode.STALE_LOGON);
        assertThat(h.logon(NOW + 1, 0, 7, NOW, 21, key(7)).result()).isEqualTo(ReasonCode.STALE_LOGON);

        // remembered for 10 minutes from its last valid use
        final long later = NOW + MINUTE + 10 * MINUTE + 1;
        assertThat(h.logon(later, 0, 7, later, 20, key(7)).result()).isEqualTo(ReasonCode.OK);
    }

    @Test
    void shouldTellNoncesApartByAllSixteenBytes()
    {
        // the same high half, another low half: a fresh nonce
        assertThat(h.logon(NOW, 0, 7, NOW, 42, 1, key(7)).result()).isEqualTo(ReasonCode.OK);
        assertThat(h.logon(NOW + 1, 0, 7, NOW + 1, 42, 2, key(7)).result()).isEqualTo(ReasonCode.OK);
        // the same low half, another high half: fresh too
        assertThat(h.logon(NOW + 2, 0, 7, NOW + 2, 43, 2, key(7)).result()).isEqualTo(ReasonCode.OK);
        // both halves again: a replay
        assertThat(h.logon(NOW + 3, 0, 7, NOW + 3, 42, 2, key(7)).result()).isEqualTo(ReasonCode.STALE_LOGON);
    }

    @Test
    void shouldRememberNoncesAcrossRestart()
    {
        assertThat(h.logon(NOW, 0, 7, NOW, 30, key(7)).result()).isEqualTo(ReasonCode.OK);
        h.crashAndRestart();
        assertThat(h.logon(NOW + MINUTE, 0, 7, NOW + MINUTE, 30, key(7)).result()).isEqualTo(ReasonCode.STALE_LOGON);
        h.restart();
        assertThat(h.logon(NOW + MINUTE, 0, 7, NOW + MINUTE, 30, key(7)).result()).isEqualTo(ReasonCode.STALE_LOGON);
        assertThat(h.logon(NOW + MINUTE, 0, 7, NOW + MINUTE, 31, key(7)).result()).isEqualTo(ReasonCode.OK);
    }

    @Test
    void shouldAcceptThePreviousKeyUntilTheGraceDeadlineAndTheNewKeyAtOnce()
    {
        final byte[] newKey = key(54_321);
        final long graceUntilMs = NOW + 10 * MINUTE;
        h.command(CommandEncoder.rotateKeyWithGrace(h.commandBuffer, 0, h.nextCommandId(), 7, newKey, graceUntilMs));

        assertThat(h.logon(NOW, 0, 7, NOW, 40, newKey).result()).isEqualTo(ReasonCode.OK);
        assertThat(h.logon(NOW, 0, 7, NOW, 41, key(7)).result()).isEqualTo(ReasonCode.OK);
        assertThat(h.logon(graceUntilMs - 1, 0, 7, graceUntilMs - 1, 42, key(7)).result()).isEqualTo(ReasonCode.OK);
        assertThat(h.logon(NOW, 0, 7, NOW, 43, key(8)).result()).as("another key still refused")
            .isEqualTo(ReasonCode.BAD_CREDENTIALS);
        assertThat(h.logon(NOW, 0, 8, NOW, 44, key(7)).result()).as("grace is per terminal")
            .isEqualTo(ReasonCode.BAD_CREDENTIALS);

        assertThat(h.logon(graceUntilMs, 0, 7, graceUntilMs, 45, key(7)).result()).as("refused at the deadline")
            .isEqualTo(ReasonCode.BAD_CREDENTIALS);
        assertThat(h.logon(graceUntilMs, 0, 7, graceUntilMs, 46, newKey).result()).isEqualTo(ReasonCode.OK);
    }

    @Test
    void shouldKeepTheGraceKeyAcrossSnapshotAndReplay()
    {
        final byte[] newKey = key(54_321);
        final long graceUntilMs = NOW + 10 * MINUTE;
        h.command(CommandEncoder.rotateKeyWithGrace(h.commandBuffer, 0, h.nextCommandId(), 7, newKey, graceUntilMs));
        final TableDigest before = h.engine.digest();

        // replayed from the journal alone
        h.crashAndRestart();
        assertThat(h.engine.digest()).isEqualTo(before);
        assertThat(h.logon(NOW, 0, 7, NOW, 50, key(7)).result()).isEqualTo(ReasonCode.OK);

        // loaded from a snapshot
        h.engine.snapshot();
        h.crashAndRestart();
        assertThat(h.logon(NOW + 1, 0, 7, NOW + 1, 51, key(7)).result()).isEqualTo(ReasonCode.OK);
        assertThat(h.logon(NOW + 1, 0, 7, NOW + 1, 52, newKey).result()).isEqualTo(ReasonCode.OK);
        assertThat(h.logon(graceUntilMs + 1, 0, 7, graceUntilMs + 1, 53, key(7)).result())
            .isEqualTo(ReasonCode.BAD_CREDENTIALS);
    }

    @Test
    void shouldEndTheGraceWhenRotatedWithoutGrace()
    {
        final byte[] graceKey = key(54_321);
        h.command(CommandEncoder.rotateKeyWithGrace(h.commandBuffer, 0, h.nextCommandId(), 7, graceKey,
            NOW + 10 * MINUTE));
        h.command(CommandEncoder.rotateKey(h.commandBuffer, 0, h.nextCommandId(), 7, key(65_432)));
        assertThat(h.logon(NOW, 0, 7, NOW, 60, key(7)).result()).isEqualTo(ReasonCode.BAD_CREDENTIALS);
        assertThat(h.logon(NOW, 0, 7, NOW, 61, graceKey).result()).isEqualTo(ReasonCode.BAD_CREDENTIALS);
        assertThat(h.logon(NOW, 0, 7, NOW, 62, key(65_432)).result()).isEqualTo(ReasonCode.OK);
    }
}
