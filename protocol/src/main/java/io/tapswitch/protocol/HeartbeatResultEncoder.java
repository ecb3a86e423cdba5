package io.tapswitch.protocol;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import org.agrona.MutableDirectBuffer;

/**
 * Flyweight that writes a HEARTBEAT_RESULT frame (type 0x85), header included, into a buffer in place.
 * <pre>
 *   body 0:8 timestampMillis (echoed from the HEARTBEAT)
 * </pre>
 * {@link #wrap} writes the header and zeroes the pad bytes, so a reused buffer never leaks old bytes.
 * <p>
 * Allocates nothing. Not thread-safe; reuse one instance per thread by calling {@link #wrap} again.
 */
public final class HeartbeatResultEncoder
{
    /** Whole frame on the wire, length field included. */
    public static final int FRAME_LENGTH = FrameHeader.HEADER_BYTES + Messages.Heartbeat.BODY_LENGTH;

    private MutableDirectBuffer buffer;
    private int offset;

    /**
     * Wraps the buffer and writes the header (length, version, type, correlation 0).
     *
     * @param buffer      to write into; needs {@link #FRAME_LENGTH} bytes from frameOffset.
     * @param frameOffset where the frame starts.
     * @return this for fluent use.
     */
    public HeartbeatResultEncoder wrap(final MutableDirectBuffer buffer, final int frameOffset)
    {
        this.buffer = buffer;
        this.offset = frameOffset;
        FrameHeader.putHeader(buffer, frameOffset, Messages.Heartbeat.BODY_LENGTH, MessageType.HEARTBEAT_RESULT);
        return this;
    }

    /**
     * @param correlation chosen by the requester; a response copies the request's.
     * @return this for fluent use.
     */
    public HeartbeatResultEncoder correlation(final int correlation)
    {
        buffer.putInt(offset + FrameHeader.CORRELATION_OFFSET, correlation, LITTLE_ENDIAN);
        return this;
    }

    /**
     * @param timestampMs the HEARTBEAT timestamp, echoed.
     * @return this for fluent use.
     */
    public HeartbeatResultEncoder timestampMs(final long timestampMs)
    {
        buffer.putLong(offset + FrameHeader.BODY_OFFSET + Messages.Heartbeat.TIMESTAMP_MS_OFFSET, timestampMs, LITTLE_ENDIAN);
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
     * @return the whole frame size on the wire, length field included.
     */
    public int encodedLength()
    {
        return FRAME_LENGTH;
    }
}
