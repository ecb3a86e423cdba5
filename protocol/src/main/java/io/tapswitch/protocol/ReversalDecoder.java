package io.tapswitch.protocol;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import org.agrona.DirectBuffer;

/**
 * Flyweight that reads a REVERSAL frame (type 0x03) in place.
 * <pre>
 *   body 0:4 originalCorrelation · 4:4 pad · 8:8 cardId
 * </pre>
 * The frame must have been validated ({@link FrameValidator}); the decoder trusts the header.
 * <p>
 * Allocates nothing. Not thread-safe; reuse one instance per thread by calling {@link #wrap} again.
 */
public final class ReversalDecoder
{
    private DirectBuffer buffer;
    private int offset;

    public ReversalDecoder wrap(final DirectBuffer buffer, final int frameOffset)
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
     * @return the correlation of the terminal's original TAP (opaque 32-bit, raw bits).
     */
    public int originalCorrelation()
    {
        return buffer.getInt(offset + FrameHeader.BODY_OFFSET + Messages.Reversal.ORIGINAL_CORRELATION_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @return the card id of the original TAP (unsigned 64-bit, raw bits).
     */
    public long cardId()
    {
        return buffer.getLong(offset + FrameHeader.BODY_OFFSET + Messages.Reversal.CARD_ID_OFFSET, LITTLE_ENDIAN);
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
        return ReversalEncoder.FRAME_LENGTH;
    }
}
