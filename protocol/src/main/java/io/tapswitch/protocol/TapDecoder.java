package io.tapswitch.protocol;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import org.agrona.DirectBuffer;

/**
 * Flyweight that reads a TAP frame (type 0x02) in place.
 * <pre>
 *   body 0:8 cardId · 8:4 programId · 12:2 quantity · 14:2 flags · 16:8 terminalTimeMillis
 * </pre>
 * The frame must have been validated ({@link FrameValidator}); the decoder trusts the header.
 * <p>
 * Allocates nothing. Not thread-safe; reuse one instance per thread by calling {@link #wrap} again.
 */
public final class TapDecoder
{
    private DirectBuffer buffer;
    private int offset;

    public TapDecoder wrap(final DirectBuffer buffer, final int frameOffset)
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
     * @return the card id (unsigned 64-bit, raw bits).
     */
    public long cardId()
    {
        return buffer.getLong(offset + FrameHeader.BODY_OFFSET + Messages.Tap.CARD_ID_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @return the program id (unsigned 32-bit); 0 means the default program of the outlet.
     */
    public long programId()
    {
        return buffer.getInt(offset + FrameHeader.BODY_OFFSET + Messages.Tap.PROGRAM_ID_OFFSET, LITTLE_ENDIAN) & 0xFFFF_FFFFL;
    }

    /**
     * @return units to take, 1..65535 (unsigned 16-bit; 0 is INVALID_REQUEST).
     */
    public int quantity()
    {
        return buffer.getShort(offset + FrameHeader.BODY_OFFSET + Messages.Tap.QUANTITY_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    /**
     * @return flag bits (unsigned 16-bit): {@link Messages.Tap#FLAG_OFFLINE_ADVICE}; other bits are INVALID_REQUEST.
     */
    public int flags()
    {
        return buffer.getShort(offset + FrameHeader.BODY_OFFSET + Messages.Tap.FLAGS_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    /**
     * @return the terminal clock at the tap, Unix epoch milliseconds.
     */
    public long terminalTimeMs()
    {
        return buffer.getLong(offset + FrameHeader.BODY_OFFSET + Messages.Tap.TERMINAL_TIME_MS_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @return true when the OFFLINE_ADVICE flag bit is set: the tap was served while the terminal was offline.
     */
    public boolean isOfflineAdvice()
    {
        return (flags() & Messages.Tap.FLAG_OFFLINE_ADVICE) != 0;
    }

    /**
     * @return true when a flag bit other than the known ones is set (INVALID_REQUEST).
     */
    public boolean hasUnknownFlags()
    {
        return (flags() & ~Messages.Tap.KNOWN_FLAGS) != 0;
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
        return TapEncoder.FRAME_LENGTH;
    }
}
