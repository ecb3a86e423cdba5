package io.tapswitch.protocol;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import org.agrona.DirectBuffer;

/**
 * Flyweight that reads a BALANCE frame (type 0x04) in place.
 * <pre>
 *   body 0:8 cardId
 * </pre>
 * The frame must have been validated ({@link FrameValidator}); the decoder trusts the header.
 * <p>
 * Allocates nothing. Not thread-safe; reuse one instance per thread by calling {@link #wrap} again.
 */
public final class BalanceDecoder
{
    private DirectBuffer buffer;
    private int offset;

    public BalanceDecoder wrap(final DirectBuffer buffer, final int frameOffset)
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
        return buffer.getLong(offset + FrameHeader.BODY_OFFSET + Messages.Balance.CARD_ID_OFFSET, LITTLE_ENDIAN);
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
        return BalanceEncoder.FRAME_LENGTH;
    }
}
