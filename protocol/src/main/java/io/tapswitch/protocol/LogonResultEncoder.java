package io.tapswitch.protocol;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import org.agrona.MutableDirectBuffer;

/**
 * Flyweight that writes a LOGON_RESULT frame (type 0x81), header included, into a buffer in place.
 * <pre>
 *   body 0:1 result · 1:3 pad · 4:4 heartbeatMillis · 8:8 serverTimeMillis
 * </pre>
 * {@link #wrap} writes the header and zeroes the pad bytes, so a reused buffer never leaks old bytes.
 * <p>
 * Allocates nothing. Not thread-safe; reuse one instance per thread by calling {@link #wrap} again.
 */
public final class LogonResultEncoder
{
    /** Whole frame on the wire, length field included. */
    public static final int FRAME_LENGTH = FrameHeader.HEADER_BYTES + Messages.LogonResult.BODY_LENGTH;

    private MutableDirectBuffer buffer;
    private int offset;

    /**
     * Wraps the buffer and writes the header (length, version, type, correlation 0).
     *
     * @param buffer      to write into; needs {@link #FRAME_LENGTH} bytes from frameOffset.
     * @param frameOffset where the frame starts.
     * @return this for fluent use.
     */
    public LogonResultEncoder wrap(final MutableDirectBuffer buffer, final int frameOffset)
    {
        this.buffer = buffer;
        this.offset = frameOffset;
        FrameHeader.putHeader(buffer, frameOffset, Messages.LogonResult.BODY_LENGTH, MessageType.LOGON_RESULT);
        buffer.putByte(offset + FrameHeader.BODY_OFFSET + 1, (byte)0);
        buffer.putShort(offset + FrameHeader.BODY_OFFSET + 2, (short)0, LITTLE_ENDIAN);
        return this;
    }

    /**
     * @param correlation chosen by the requester; a response copies the request's.
     * @return this for fluent use.
     */
    public LogonResultEncoder correlation(final int correlation)
    {
        buffer.putInt(offset + FrameHeader.CORRELATION_OFFSET, correlation, LITTLE_ENDIAN);
        return this;
    }

    /**
     * @param result the logon outcome, a {@link ReasonCode}: OK or the failure code.
     * @return this for fluent use.
     */
    public LogonResultEncoder result(final int result)
    {
        buffer.putByte(offset + FrameHeader.BODY_OFFSET + Messages.LogonResult.RESULT_OFFSET, (byte)result);
        return this;
    }

    /**
     * @param heartbeatMs heartbeat interval in milliseconds given to the terminal (unsigned 32-bit); 0 on failure.
     * @return this for fluent use.
     */
    public LogonResultEncoder heartbeatMs(final long heartbeatMs)
    {
        buffer.putInt(offset + FrameHeader.BODY_OFFSET + Messages.LogonResult.HEARTBEAT_MS_OFFSET, (int)heartbeatMs, LITTLE_ENDIAN);
        return this;
    }

    /**
     * @param serverTimeMs the switch clock, Unix epoch milliseconds.
     * @return this for fluent use.
     */
    public LogonResultEncoder serverTimeMs(final long serverTimeMs)
    {
        buffer.putLong(offset + FrameHeader.BODY_OFFSET + Messages.LogonResult.SERVER_TIME_MS_OFFSET, serverTimeMs, LITTLE_ENDIAN);
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
