package io.tapswitch.protocol;

import static io.tapswitch.protocol.TestFrames.hex;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * Byte vectors written by hand from PROTOCOL.md (field by field, little-endian), decoded to their fields and
 * re-encoded to the same bytes. The LOGON, TAP and TAP_RESULT vectors are the worked examples of
 * {@code protocol/TAP-PROTOCOL.md}; keep both in step.
 * <p>
 * Example values: terminal 17 (demo key), timestamp 1795424400000 (2026-11-23T09:00:00Z =
 * 0x0000_01A2_07A2_3280), card 1000042 (0x0F_426A), receipt 1234567 (0x12_D687).
 */
class GoldenVectorsTest
{
    /** LOGON of demo terminal 17, correlation 1. */
    static final String LOGON =
        "4600 01 01 01000000" +                          // length 70, version 1, type LOGON, correlation 1
        "1100000000000000" +                             // terminalId 17
        "8032a207a2010000" +                             // timestampMillis 1795424400000
        "000102030405060708090a0b0c0d0e0f" +             // nonce
        "553bebcfb17496d39791122b0be810bc42f589ab597a2a7ac5ffe417d77d9126"; // mac, see LogonMacTest

    /** LOGON_RESULT ok, heartbeat 10 s, server time 250 ms after the LOGON's timestamp. */
    static final String LOGON_RESULT =
        "1600 01 81 01000000" +                          // length 22, version 1, type LOGON_RESULT, correlation 1
        "00 000000" +                                    // result OK, pad
        "10270000" +                                     // heartbeatMillis 10000
        "7a33a207a2010000";                              // serverTimeMillis 1795424400250

    /** TAP of card 1000042, program 3, quantity 1, online, correlation 2. */
    static final String TAP =
        "1e00 01 02 02000000" +                          // length 30, version 1, type TAP, correlation 2
        "6a420f0000000000" +                             // cardId 1000042
        "03000000" +                                     // programId 3
        "0100" +                                         // quantity 1
        "0000" +                                         // flags 0
        "6836a207a2010000";                              // terminalTimeMillis 1795424401000

    /** TAP_RESULT approved, remaining 0, receipt 1234567. */
    static final String TAP_RESULT =
        "1600 01 82 02000000" +                          // length 22, version 1, type TAP_RESULT, correlation 2
        "00 00 0000" +                                   // decision APPROVED, reason OK, pad
        "00000000" +                                     // remaining 0
        "87d6120000000000";                              // receipt 1234567

    /** TAP_RESULT declined UNKNOWN_CARD: remaining −1. */
    static final String TAP_RESULT_DECLINED =
        "1600 01 82 07000000" +                          // correlation 7
        "01 01 0000" +                                   // decision DECLINED, reason UNKNOWN_CARD, pad
        "ffffffff" +                                     // remaining -1
        "89d6120000000000";                              // receipt 1234569

    static final String REVERSAL =
        "1600 01 03 03000000" +                          // length 22, type REVERSAL, correlation 3
        "02000000" +                                     // originalCorrelation 2
        "00000000" +                                     // pad
        "6a420f0000000000";                              // cardId 1000042

    static final String REVERSAL_RESULT =
        "1600 01 83 03000000" +                          // length 22, type REVERSAL_RESULT, correlation 3
        "00 00 0000" +                                   // APPROVED, OK, pad
        "01000000" +                                     // remaining 1
        "88d6120000000000";                              // receipt 1234568

    static final String BALANCE =
        "0e00 01 04 04000000" +                          // length 14, type BALANCE, correlation 4
        "6a420f0000000000";                              // cardId 1000042

    static final String BALANCE_RESULT =
        "2a00 01 84 04000000" +                          // length 42, type BALANCE_RESULT, correlation 4
        "00 00 0200" +                                   // APPROVED, OK, count 2
        "03000000 00000000 01000000 00000000" +          // program 3, remaining 0, quota 1, pad
        "04000000 01000000 01000000 00000000";           // program 4, remaining 1, quota 1, pad

    static final String HEARTBEAT =
        "0e00 01 05 05000000" +                          // length 14, type HEARTBEAT, correlation 5
        "503aa207a2010000";                              // timestampMillis 1795424402000

    static final String HEARTBEAT_RESULT =
        "0e00 01 85 05000000" +                          // length 14, type HEARTBEAT_RESULT, correlation 5
        "503aa207a2010000";                              // timestampMillis echoed

    static final String ERROR =
        "1700 01 7f 06000000" +                          // length 23, type ERROR, correlation 6
        "0a00 0d00" +                                    // code NOT_LOGGED_ON (10), detailLength 13
        "6e6f74206c6f67676564206f6e";                    // "not logged on"

    private static final long TIMESTAMP_MS = 1_795_424_400_000L;
    private static final long CARD_ID = 1_000_042L;

    @Test
    void shouldDecodeAndReencodeLogon()
    {
        final UnsafeBuffer frame = valid(LOGON, Direction.REQUESTS);
        final LogonDecoder decoder = new LogonDecoder().wrap(frame, 0);
        assertThat(decoder.correlation()).isEqualTo(1);
        assertThat(decoder.terminalId()).isEqualTo(17L);
        assertThat(decoder.timestampMs()).isEqualTo(TIMESTAMP_MS);
        assertThat(decoder.nonceLow()).isEqualTo(0x0706050403020100L);
        assertThat(decoder.nonceHigh()).isEqualTo(0x0F0E0D0C0B0A0908L);
        final byte[] nonce = new byte[16];
        decoder.getNonce(nonce, 0);
        assertThat(nonce).isEqualTo(hex("000102030405060708090a0b0c0d0e0f"));
        final byte[] mac = new byte[32];
        decoder.getMac(mac, 0);
        assertThat(mac).isEqualTo(hex("553bebcfb17496d39791122b0be810bc42f589ab597a2a7ac5ffe417d77d9126"));
        assertThat(decoder.encodedLength()).isEqualTo(frame.capacity());

        final UnsafeBuffer out = dirty();
        final int length = new LogonEncoder().wrap(out, 0)
            .correlation(1)
            .terminalId(17L)
            .timestampMs(TIMESTAMP_MS)
            .nonce(nonce, 0)
            .mac(mac, 0)
            .encodedLength();
        assertThat(bytes(out, length)).isEqualTo(hex(LOGON));

        final UnsafeBuffer fromLongs = dirty();
        new LogonEncoder().wrap(fromLongs, 0)
            .correlation(1)
            .terminalId(17L)
            .timestampMs(TIMESTAMP_MS)
            .nonce(0x0706050403020100L, 0x0F0E0D0C0B0A0908L)
            .mac(mac, 0);
        assertThat(bytes(fromLongs, length)).isEqualTo(hex(LOGON));
    }

    @Test
    void shouldDecodeAndReencodeLogonResult()
    {
        final UnsafeBuffer frame = valid(LOGON_RESULT, Direction.RESPONSES);
        final LogonResultDecoder decoder = new LogonResultDecoder().wrap(frame, 0);
        assertThat(decoder.correlation()).isEqualTo(1);
        assertThat(decoder.result()).isEqualTo(ReasonCode.OK);
        assertThat(decoder.heartbeatMs()).isEqualTo(10_000L);
        assertThat(decoder.serverTimeMs()).isEqualTo(TIMESTAMP_MS + 250);

        final UnsafeBuffer out = dirty();
        final int length = new LogonResultEncoder().wrap(out, 0)
            .correlation(1)
            .result(ReasonCode.OK)
            .heartbeatMs(10_000L)
            .serverTimeMs(TIMESTAMP_MS + 250)
            .encodedLength();
        assertThat(bytes(out, length)).isEqualTo(hex(LOGON_RESULT));
    }

    @Test
    void shouldDecodeAndReencodeTap()
    {
        final UnsafeBuffer frame = valid(TAP, Direction.REQUESTS);
        final TapDecoder decoder = new TapDecoder().wrap(frame, 0);
        assertThat(decoder.correlation()).isEqualTo(2);
        assertThat(decoder.cardId()).isEqualTo(CARD_ID);
        assertThat(decoder.programId()).isEqualTo(3L);
        assertThat(decoder.quantity()).isEqualTo(1);
        assertThat(decoder.flags()).isZero();
        assertThat(decoder.isOfflineAdvice()).isFalse();
        assertThat(decoder.hasUnknownFlags()).isFalse();
        assertThat(decoder.terminalTimeMs()).isEqualTo(TIMESTAMP_MS + 1000);

        final UnsafeBuffer out = dirty();
        final int length = new TapEncoder().wrap(out, 0)
            .correlation(2)
            .cardId(CARD_ID)
            .programId(3)
            .quantity(1)
            .flags(0)
            .terminalTimeMs(TIMESTAMP_MS + 1000)
            .encodedLength();
        assertThat(bytes(out, length)).isEqualTo(hex(TAP));
    }

    @Test
    void shouldDecodeAndReencodeTapResults()
    {
        final UnsafeBuffer approved = valid(TAP_RESULT, Direction.RESPONSES);
        final TapResultDecoder decoder = new TapResultDecoder().wrap(approved, 0);
        assertThat(decoder.correlation()).isEqualTo(2);
        assertThat(decoder.decision()).isEqualTo(Decision.APPROVED);
        assertThat(decoder.reason()).isEqualTo(ReasonCode.OK);
        assertThat(decoder.remaining()).isZero();
        assertThat(decoder.receipt()).isEqualTo(1_234_567L);

        final UnsafeBuffer out = dirty();
        final TapResultEncoder encoder = new TapResultEncoder();
        final int length = encoder.wrap(out, 0)
            .correlation(2)
            .decision(Decision.APPROVED)
            .reason(ReasonCode.OK)
            .remaining(0)
            .receipt(1_234_567L)
            .encodedLength();
        assertThat(bytes(out, length)).isEqualTo(hex(TAP_RESULT));

        final UnsafeBuffer declined = valid(TAP_RESULT_DECLINED, Direction.RESPONSES);
        decoder.wrap(declined, 0);
        assertThat(decoder.correlation()).isEqualTo(7);
        assertThat(decoder.decision()).isEqualTo(Decision.DECLINED);
        assertThat(decoder.reason()).isEqualTo(ReasonCode.UNKNOWN_CARD);
        assertThat(decoder.remaining()).isEqualTo(-1);
        assertThat(decoder.receipt()).isEqualTo(1_234_569L);

        final UnsafeBuffer out2 = dirty();
        encoder.wrap(out2, 0)
            .correlation(7)
            .decision(Decision.DECLINED)
            .reason(ReasonCode.UNKNOWN_CARD)
            .remaining(-1)
            .receipt(1_234_569L);
        assertThat(bytes(out2, length)).isEqualTo(hex(TAP_RESULT_DECLINED));
    }

    @Test
    void shouldDecodeAndReencodeReversal()
    {
        final UnsafeBuffer frame = valid(REVERSAL, Direction.REQUESTS);
        final ReversalDecoder decoder = new ReversalDecoder().wrap(frame, 0);
        assertThat(decoder.correlation()).isEqualTo(3);
        assertThat(decoder.originalCorrelation()).isEqualTo(2);
        assertThat(decoder.cardId()).isEqualTo(CARD_ID);

        final UnsafeBuffer out = dirty();
        final int length = new ReversalEncoder().wrap(out, 0)
            .correlation(3)
            .originalCorrelation(2)
            .cardId(CARD_ID)
            .encodedLength();
        assertThat(bytes(out, length)).isEqualTo(hex(REVERSAL));
    }

    @Test
    void shouldDecodeAndReencodeReversalResult()
    {
        final UnsafeBuffer frame = valid(REVERSAL_RESULT, Direction.RESPONSES);
        final ReversalResultDecoder decoder = new ReversalResultDecoder().wrap(frame, 0);
        assertThat(decoder.correlation()).isEqualTo(3);
        assertThat(decoder.decision()).isEqualTo(Decision.APPROVED);
        assertThat(decoder.reason()).isEqualTo(ReasonCode.OK);
        assertThat(decoder.remaining()).isEqualTo(1);
        assertThat(decoder.receipt()).isEqualTo(1_234_568L);

        final UnsafeBuffer out = dirty();
        final int length = new ReversalResultEncoder().wrap(out, 0)
            .correlation(3)
            .decision(Decision.APPROVED)
            .reason(ReasonCode.OK)
            .remaining(1)
            .receipt(1_234_568L)
            .encodedLength();
        assertThat(bytes(out, length)).isEqualTo(hex(REVERSAL_RESULT));
    }

    @Test
    void shouldDecodeAndReencodeBalance()
    {
        final UnsafeBuffer frame = valid(BALANCE, Direction.REQUESTS);
        final BalanceDecoder decoder = new BalanceDecoder().wrap(frame, 0);
        assertThat(decoder.correlation()).isEqualTo(4);
        assertThat(decoder.cardId()).isEqualTo(CARD_ID);

        final UnsafeBuffer out = dirty();
        final int length = new BalanceEncoder().wrap(out, 0).correlation(4).cardId(CARD_ID).encodedLength();
        assertThat(bytes(out, length)).isEqualTo(hex(BALANCE));
    }

    @Test
    void shouldDecodeAndReencodeBalanceResultWithEntries()
    {
        final UnsafeBuffer frame = valid(BALANCE_RESULT, Direction.RESPONSES);
        final BalanceResultDecoder decoder = new BalanceResultDecoder().wrap(frame, 0);
        assertThat(decoder.correlation()).isEqualTo(4);
        assertThat(decoder.decision()).isEqualTo(Decision.APPROVED);
        assertThat(decoder.reason()).isEqualTo(ReasonCode.OK);
        assertThat(decoder.count()).isEqualTo(2);
        assertThat(decoder.programId(0)).isEqualTo(3L);
        assertThat(decoder.remaining(0)).isZero();
        assertThat(decoder.quota(0)).isEqualTo(1);
        assertThat(decoder.programId(1)).isEqualTo(4L);
        assertThat(decoder.remaining(1)).isEqualTo(1);
        assertThat(decoder.quota(1)).isEqualTo(1);
        assertThat(decoder.encodedLength()).isEqualTo(frame.capacity());

        final UnsafeBuffer out = dirty();
        final int length = new BalanceResultEncoder().wrap(out, 0)
            .correlation(4)
            .decision(Decision.APPROVED)
            .reason(ReasonCode.OK)
            .entry(0, 3, 0, 1)
            .entry(1, 4, 1, 1)
            .count(2)
            .encodedLength();
        assertThat(bytes(out, length)).isEqualTo(hex(BALANCE_RESULT));
    }

    @Test
    void shouldDecodeAndReencodeHeartbeatAndItsResult()
    {
        final UnsafeBuffer request = valid(HEARTBEAT, Direction.REQUESTS);
        final HeartbeatDecoder decoder = new HeartbeatDecoder().wrap(request, 0);
        assertThat(decoder.correlation()).isEqualTo(5);
        assertThat(decoder.timestampMs()).isEqualTo(TIMESTAMP_MS + 2000);

        final UnsafeBuffer response = valid(HEARTBEAT_RESULT, Direction.RESPONSES);
        final HeartbeatResultDecoder resultDecoder = new HeartbeatResultDecoder().wrap(response, 0);
        assertThat(resultDecoder.correlation()).isEqualTo(5);
        assertThat(resultDecoder.timestampMs()).isEqualTo(TIMESTAMP_MS + 2000);

        final UnsafeBuffer out = dirty();
        final int length = new HeartbeatEncoder().wrap(out, 0).correlation(5).timestampMs(TIMESTAMP_MS + 2000)
            .encodedLength();
        assertThat(bytes(out, length)).isEqualTo(hex(HEARTBEAT));

        final UnsafeBuffer outResult = dirty();
        new HeartbeatResultEncoder().wrap(outResult, 0).correlation(5).timestampMs(TIMESTAMP_MS + 2000);
        assertThat(bytes(outResult, length)).isEqualTo(hex(HEARTBEAT_RESULT));
    }

    @Test
    void shouldDecodeAndReencodeError()
    {
        final UnsafeBuffer frame = valid(ERROR, Direction.RESPONSES);
        final ErrorDecoder decoder = new ErrorDecoder().wrap(frame, 0);
        assertThat(decoder.correlation()).isEqualTo(6);
        assertThat(decoder.code()).isEqualTo(ReasonCode.NOT_LOGGED_ON);
        assertThat(decoder.detailLength()).isEqualTo(13);
        assertThat(decoder.detail()).isEqualTo("not logged on");

        final UnsafeBuffer out = dirty();
        final int length = new ErrorEncoder().wrap(out, 0)
            .correlation(6)
            .code(ReasonCode.NOT_LOGGED_ON)
            .detail("not logged on")
            .encodedLength();
        assertThat(bytes(out, length)).isEqualTo(hex(ERROR));
    }

    private static UnsafeBuffer valid(final String hex, final Direction direction)
    {
        final UnsafeBuffer frame = new UnsafeBuffer(hex(hex));
        assertThat(FrameValidator.validate(frame, 0, frame.capacity(), direction))
            .as("golden vector is a valid frame")
            .isEqualTo(FrameValidator.VALID);
        assertThat(FrameHeader.frameLength(frame, 0)).isEqualTo(frame.capacity());
        return frame;
    }

    /**
     * @return a buffer full of 0xAA so that a pad byte the encoder forgets to zero shows up.
     */
    private static UnsafeBuffer dirty()
    {
        final byte[] bytes = new byte[2048];
        Arrays.fill(bytes, (byte)0xAA);
        return new UnsafeBuffer(bytes);
    }

    private static byte[] bytes(final UnsafeBuffer buffer, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(0, bytes);
        return bytes;
    }
}
