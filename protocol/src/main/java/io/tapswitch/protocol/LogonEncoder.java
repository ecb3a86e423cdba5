package io.tapswitch.protocol;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import org.agrona.MutableDirectBuffer;

/**
 * Flyweight that writes a LOGON frame (type 0x01), header included, into a buffer in place.
 * <pre>
 *   body 0:8 terminalId · 8:8 timestampMillis · 16:16 nonce · 32:32 mac
 * </pre>
 * The mac is HMAC-SHA256 over body bytes 0..31: write terminalId, timestamp and nonce first, then sign the
 * frame with {@link LogonMac#sign(MutableDirectBuffer, int)} or set a mac computed elsewhere with {@link #mac}.
 * <p>
 * Allocates nothing. Not thread-safe; reuse one instance per thread by calling {@link #wrap} again.
 */
public final class LogonEncoder
{
    /** Whole frame on the wire, length field included. */
    public static final int FRAME_LENGTH = FrameHeader.HEADER_BYTES + Messages.Logon.BODY_LENGTH;

    private MutableDirectBuffer buffer;
    private int offset;

    /**
     * Wraps the buffer and writes the header (length, version, type, correlation 0).
     *
     * @param buffer      to write into; needs {@link #FRAME_LENGTH} bytes from offset.
     * @param frameOffset where the frame starts.
     * @return this for fluent use.
     */
    public LogonEncoder wrap(final MutableDirectBuffer buffer, final int frameOffset)
    {
        this.buffer = buffer;
        this.offset = frameOffset;
        FrameHeader.putHeader(buffer, frameOffset, Messages.Logon.BODY_LENGTH, MessageType.LOGON);
        return this;
    }

    public LogonEncoder correlation(final int correlation)
    {
        buffer.putInt(offset + FrameHeader.CORRELATION_OFFSET, correlation, LITTLE_ENDIAN);
        return this;
    }

    public LogonEncoder terminalId(final long terminalId)
    {
        buffer.putLong(body() + Messages.Logon.TERMINAL_ID_OFFSET, terminalId, LITTLE_ENDIAN);
        return this;
    }

    public LogonEncoder timestampMs(final long timestampMs)
    {
        buffer.putLong(body() + Messages.Logon.TIMESTAMP_MS_OFFSET, timestampMs, LITTLE_ENDIAN);
        return this;
    }

    /**
     * @param src       16 nonce bytes in wire order.
     * @param srcOffset where they start in src.
     * @return this for fluent use.
     */
    public LogonEncoder nonce(final byte[] src, final int srcOffset)
    {
        buffer.putBytes(body() + Messages.Logon.NONCE_OFFSET, src, srcOffset, Messages.Logon.NONCE_BYTES);
        return this;
    }

    /**
     * Sets the nonce from two longs: nonce bytes 0..7 are {@code low} and 8..15 are {@code high}, each
     * little-endian.
     */
    public LogonEncoder nonce(final long low, final long high)
    {
        buffer.putLong(body() + Messages.Logon.NONCE_OFFSET, low, LITTLE_ENDIAN);
        buffer.putLong(body() + Messages.Logon.NONCE_OFFSET + 8, high, LITTLE_ENDIAN);
        return this;
    }

    /**
     * @param src       32 mac bytes.
     * @param srcOffset where they start in src.
     * @return this for fluent use.
     */
    public LogonEncoder mac(final byte[] src, final int srcOffset)
    {
        buffer.putBytes(body() + Messages.Logon.MAC_OFFSET, src, srcOffset, Messages.Logon.MAC_BYTES);
        return this;
    }

    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    public int offset()
    {
        return offset;
    }

    /**
     * @return bytes written: the whole frame, length field included.
     */
    public int encodedLength()
    {
        return FRAME_LENGTH;
    }

    private int body()
    {
        return offset + FrameHeader.BODY_OFFSET;
    }
}
