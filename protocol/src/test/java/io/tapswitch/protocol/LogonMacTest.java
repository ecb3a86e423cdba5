package io.tapswitch.protocol;

import static io.tapswitch.protocol.TestFrames.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class LogonMacTest
{
    /** Demo key of terminal 17: printf 'tapswitch-demo-17' | openssl dgst -sha256 */
    private static final String DEMO_KEY_17 = "6fc91844b2f6808502d99ee3f52ab589449f654597d854060d0e6e035c743940";

    /** LOGON body bytes 0..31 of the golden LOGON: terminalId 17, timestamp 1795424400000, nonce 00..0f. */
    private static final String MAC_INPUT = "11000000000000008032a207a2010000000102030405060708090a0b0c0d0e0f";

    /**
     * Computed independently with:
     * echo -n '11000000000000008032a207a2010000000102030405060708090a0b0c0d0e0f' | xxd -r -p |
     *   openssl dgst -sha256 -mac HMAC -macopt hexkey:6fc91844b2f6808502d99ee3f52ab589449f654597d854060d0e6e035c743940
     */
    private static final String EXPECTED_MAC = "553bebcfb17496d39791122b0be810bc42f589ab597a2a7ac5ffe417d77d9126";

    @Test
    void shouldDeriveTheDemoKeyAsSha256OfItsText() throws Exception
    {
        final byte[] key = MessageDigest.getInstance("SHA-256")
            .digest("tapswitch-demo-17".getBytes(StandardCharsets.UTF_8));

        assertThat(key).isEqualTo(hex(DEMO_KEY_17));
    }

    @Test
    void shouldComputeTheMacOpensslComputes()
    {
        final UnsafeBuffer frame = new UnsafeBuffer(hex(GoldenVectorsTest.LOGON));
        final byte[] mac = new byte[LogonMac.MAC_BYTES];

        new LogonMac().key(hex(DEMO_KEY_17)).compute(frame, 0, mac, 0);

        assertThat(mac).isEqualTo(hex(EXPECTED_MAC));
    }

    @Test
    void shouldSignAnUnsignedLogonIntoTheGoldenVector()
    {
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[LogonEncoder.FRAME_LENGTH]);
        new LogonEncoder().wrap(frame, 0)
            .correlation(1)
            .terminalId(17L)
            .timestampMs(1_795_424_400_000L)
            .nonce(hex("000102030405060708090a0b0c0d0e0f"), 0);

        new LogonMac().key(hex(DEMO_KEY_17)).sign(frame, 0);

        assertThat(frame.byteArray()).isEqualTo(hex(GoldenVectorsTest.LOGON));
    }

    @Test
    void shouldVerifyTheGoldenLogonWithTheRightKeyOnly()
    {
        final UnsafeBuffer frame = new UnsafeBuffer(hex(GoldenVectorsTest.LOGON));
        final LogonMac logonMac = new LogonMac();

        assertThat(logonMac.key(hex(DEMO_KEY_17)).verify(frame, 0)).isTrue();
        final byte[] otherKey = hex(DEMO_KEY_17);
        otherKey[31] ^= 1;
        assertThat(logonMac.key(otherKey).verify(frame, 0)).isFalse();
        assertThat(logonMac.key(hex(DEMO_KEY_17)).verify(frame, 0)).as("re-keyed instance").isTrue();
    }

    @Test
    void shouldRejectAnyFlippedBitOfTheMacOrItsInput()
    {
        final LogonMac logonMac = new LogonMac().key(hex(DEMO_KEY_17));
        final int bodyOffset = FrameHeader.BODY_OFFSET;
        for (int i = bodyOffset; i < bodyOffset + Messages.Logon.BODY_LENGTH; i++)
        {
            final UnsafeBuffer frame = new UnsafeBuffer(hex(GoldenVectorsTest.LOGON));
            frame.putByte(i, (byte)(frame.getByte(i) ^ 0x10));
            assertThat(logonMac.verify(frame, 0)).as("flipped body byte %d", i - bodyOffset).isFalse();
        }
    }

    @Test
    void shouldNotCoverTheHeader()
    {
        final UnsafeBuffer frame = new UnsafeBuffer(hex(GoldenVectorsTest.LOGON));
        FrameHeader.correlation(frame, 0, 0x7777);

        assertThat(new LogonMac().key(hex(DEMO_KEY_17)).verify(frame, 0)).isTrue();
    }

    @Test
    void shouldTakeTheKeyFromABuffer()
    {
        final UnsafeBuffer keys = new UnsafeBuffer(new byte[64]);
        keys.putBytes(16, hex(DEMO_KEY_17));
        final UnsafeBuffer frame = new UnsafeBuffer(hex(GoldenVectorsTest.LOGON));

        assertThat(new LogonMac().key(keys, 16, LogonMac.KEY_BYTES).verify(frame, 0)).isTrue();
    }

    @Test
    void shouldRefuseToComputeWithoutAKey()
    {
        final LogonMac logonMac = new LogonMac().key(hex(DEMO_KEY_17));
        logonMac.clearKey();
        final UnsafeBuffer frame = new UnsafeBuffer(hex(GoldenVectorsTest.LOGON));

        assertThatThrownBy(() -> logonMac.verify(frame, 0)).isInstanceOf(IllegalStateException.class);
        assertThat(logonMac.toString()).doesNotContain(DEMO_KEY_17.substring(0, 8));
    }

    @Test
    void shouldTellEqualFromDifferentRangesInConstantTimeCompare()
    {
        final byte[] a = hex(EXPECTED_MAC);
        final byte[] b = hex(EXPECTED_MAC);

        assertThat(LogonMac.constantTimeEquals(a, 0, b, 0, a.length)).isTrue();
        b[0] ^= 1;
        assertThat(LogonMac.constantTimeEquals(a, 0, b, 0, a.length)).isFalse();
        assertThat(LogonMac.constantTimeEquals(a, 1, b, 1, a.length - 1)).isTrue();
    }

    @Property(tries = 200)
    void shouldAgreeWithTheJceHmacForAnyKeyAndInput(
        @ForAll @Size(min = 0, max = 100) final byte[] key,
        @ForAll @Size(value = 32) final byte[] macInput) throws Exception
    {
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[LogonEncoder.FRAME_LENGTH]);
        new LogonEncoder().wrap(frame, 0);
        frame.putBytes(FrameHeader.BODY_OFFSET, macInput);
        final byte[] mac = new byte[LogonMac.MAC_BYTES];

        new LogonMac().key(key).compute(frame, 0, mac, 0);

        final byte[] expected;
        if (key.length == 0)
        {
            expected = hmacWithEmptyKey(macInput);
        }
        else
        {
            final Mac jce = Mac.getInstance("HmacSHA256");
            jce.init(new SecretKeySpec(key, "HmacSHA256"));
            expected = jce.doFinal(macInput);
        }
        assertThat(mac).isEqualTo(expected);
    }

    private static byte[] hmacWithEmptyKey(final byte[] input) throws Exception
    {
        // SecretKeySpec refuses an empty key; HMAC with an empty key equals HMAC with 64 zero bytes.
        final Mac jce = Mac.getInstance("HmacSHA256");
        jce.init(new SecretKeySpec(new byte[64], "HmacSHA256"));
        return jce.doFinal(input);
    }

    @Test
    void shouldMatchTheMacInputConstantOfTheGoldenLogon()
    {
        final byte[] body = new byte[Messages.Logon.MAC_INPUT_BYTES];
        new UnsafeBuffer(hex(GoldenVectorsTest.LOGON)).getBytes(FrameHeader.BODY_OFFSET, body);

        assertThat(body).isEqualTo(hex(MAC_INPUT));
    }
}
