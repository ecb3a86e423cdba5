package io.tapswitch.protocol;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import org.agrona.DirectBuffer;

/**
 * Flyweight that reads a LOGON_RESULT frame (type 0x81) in place.
 * <pre>
 *   body 0:1 result · 1:3 pad · 4:4 heartbeatMillis · 8:8 serverTimeMillis
 * </pre>
 * The frame must have been validated ({@link FrameValidator}); the decoder trusts the header.
 * <p>
 * Allocates nothing. Not thread-safe; reuse one instance per thread by calling {@link #wrap} again.
 */
public final class LogonResultDecoder
{
    private DirectBuffer buffer;
    private int offset;

    public LogonResultDecoder wrap(final DirectBuffer buffer, final int frameOffset)
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
     * @return the logon outcome, a {@link ReasonCode}: OK or the failure code.
     */
    public int result()
    {
        return buffer.getByte(offset + FrameHeader.BODY_OFFSET + Messages.LogonResult.RESULT_OFFSET) & 0xFF;
    }

    /**
     * @return heartbeat interval in milliseconds given to the terminal (unsigned 32-bit); 0 on failure.
     */
    public long heartbeatMs()
    {
        return buffer.getInt(offset + FrameHeader.BODY_OFFSET + Messages.LogonResult.HEARTBEAT_MS_OFFSET, LITTLE_ENDIAN) & 0xFFFF_FFFFL;
    }

    /**
     * @return the switch clock, Unix epoch milliseconds.
     */
    public long serverTimeMs()
    {
        return buffer.getLong(offset + FrameHeader.BODY_OFFSET + Messages.LogonResult.SERVER_TIME_MS_OFFSET, LITTLE_ENDIAN);
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
        return LogonResultEncoder.FRAME_LENGTH;
    }
}
