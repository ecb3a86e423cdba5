package io.tapswitch.protocol;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import java.io.ByteArrayOutputStream;
import java.util.HexFormat;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Builds frames for tests with the encoders under test, and converts hex text to bytes.
 */
public final class TestFrames
{
    private TestFrames()
    {
    }

    /**
     * @param hex hex digits; spaces, newlines and '|' are ignored so vectors can be laid out field by field.
     * @return the bytes.
     */
    public static byte[] hex(final String hex)
    {
        return HexFormat.of().parseHex(hex.replaceAll("[\\s|]", ""));
    }

    public static String toHex(final byte[] bytes)
    {
        return HexFormat.of().formatHex(bytes);
    }

    public static byte[] concat(final byte[]... parts)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] part : parts)
        {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    public static byte[] tap(final int correlation, final long cardId, final int quantity)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[TapEncoder.FRAME_LENGTH]);
        new TapEncoder().wrap(buffer, 0)
            .correlation(correlation)
            .cardId(cardId)
            .programId(7)
            .quantity(quantity)
            .flags(0)
            .terminalTimeMs(1_795_424_400_000L);
        return buffer.byteArray();
    }

    public static byte[] heartbeat(final int correlation, final long timestampMs)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[HeartbeatEncoder.FRAME_LENGTH]);
        new HeartbeatEncoder().wrap(buffer, 0).correlation(correlation).timestampMs(timestampMs);
        return buffer.byteArray();
    }

    public static byte[] balance(final int correlation, final long cardId)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[BalanceEncoder.FRAME_LENGTH]);
        new BalanceEncoder().wrap(buffer, 0).correlation(correlation).cardId(cardId);
        return buffer.byteArray();
    }

    public static byte[] balanceResult(final int correlation, final int count)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[BalanceResultEncoder.frameLength(count)]);
        final BalanceResultEncoder encoder = new BalanceResultEncoder().wrap(buffer, 0)
            .correlation(correlation)
            .decision(Decision.APPROVED)
            .reason(ReasonCode.OK)
            .count(count);
        for (int i = 0; i < count; i++)
        {
            encoder.entry(i, 100 + i, i, 10 + i);
        }
        return buffer.byteArray();
    }

    public static byte[] error(final int correlation, final int code, final String detail)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[ErrorEncoder.MAX_FRAME_LENGTH]);
        final ErrorEncoder encoder = new ErrorEncoder().wrap(buffer, 0).correlation(correlation).code(code).detail(detail);
        final byte[] frame = new byte[encoder.encodedLength()];
        buffer.getBytes(0, frame);
        return frame;
    }

    /**
     * @return a header-only frame with the given fields and body bytes (not necessarily valid).
     */
    public static byte[] raw(final int length, final int version, final int type, final int correlation, final int bodyBytes)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[FrameHeader.HEADER_BYTES + bodyBytes]);
        buffer.putShort(0, (short)length, LITTLE_ENDIAN);
        buffer.putByte(2, (byte)version);
        buffer.putByte(3, (byte)type);
        buffer.putInt(4, correlation, LITTLE_ENDIAN);
        return buffer.byteArray();
    }
}
