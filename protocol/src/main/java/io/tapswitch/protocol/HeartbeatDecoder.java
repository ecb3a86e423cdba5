package io.tapswitch.protocol;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import org.agrona.DirectBuffer;

/**
 * Flyweight that reads a HEARTBEAT frame (type 0x05) in place.
 * <pre>
 *   body 0:8 timestampMillis
 * </pre>
 * The frame must have been validated ({@link FrameValidator}); the decoder trusts the header.
 * <p>
 * Allocates nothing. Not thread-safe; reuse one instance per thread by calling {@link #wrap} again.
 */
public final class HeartbeatDecoder
{
    private DirectBuffer buffer;
    private int offset;

    public HeartbeatDecoder wrap(final DirectBuffer buffer, final int frameOffset)
    {
        this.buffer = buffer;
        this.offset = frameOffset;
        return this;
    }

    /**
     * @return the correlation: an opaque 32-bit value, returned as its raw bits.
     */
    public int correlation()
    {
        return buffer.getInt(offset + FrameHeader.CORRELATION_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @return the sender clock, Unix epoch milliseconds.
     */
    public long timestampMs()
    {
        return buffer.getLong(offset + FrameHeader.BODY_OFFSET + Messages.Heartbeat.TIMESTAMP_MS_OFFSET, LITTLE_ENDIAN);
    }

    public DirectBuffer buffer()
    {
        return buffer;
    }

    public int offset()
    {
        return offset;
    }

    /**
     * @return the whole frame size on the wire, length field included.
     */
    public int encodedLength()
    {
        return HeartbeatEncoder.FRAME_LENGTH;
    }
}
