package io.tapswitch.protocol;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import org.agrona.MutableDirectBuffer;

/**
 * Flyweight that writes a REVERSAL frame (type 0x03), header included, into a buffer in place.
 * <pre>
 *   body 0:4 originalCorrelation · 4:4 pad · 8:8 cardId
 * </pre>
 * {@link #wrap} writes the header and zeroes the pad bytes, so a reused buffer never leaks old bytes.
 * <p>
 * Allocates nothing. Not thread-safe; reuse one instance per thread by calling {@link #wrap} again.
 */
public final class ReversalEncoder
{
    /** Whole frame on the wire, length field included. */
    public static final int FRAME_LENGTH = FrameHeader.HEADER_BYTES + Messages.Reversal.BODY_LENGTH;

    private MutableDirectBuffer buffer;
    private int offset;

    /**
     * Wraps the buffer and writes the header (length, version, type, correlation 0).
     *
     * @param buffer      to write into; needs {@link #FRAME_LENGTH} bytes from frameOffset.
     * @param frameOffset where the frame starts.
     * @return this for fluent use.
     */
    public ReversalEncoder wrap(final MutableDirectBuffer buffer, final int frameOffset)
    {
        this.buffer = buffer;
        this.offset = frameOffset;
        FrameHeader.putHeader(buffer, frameOffset, Messages.Reversal.BODY_LENGTH, MessageType.REVERSAL);
        buffer.putInt(offset + FrameHeader.BODY_OFFSET + 4, 0, LITTLE_ENDIAN);
        return this;
    }

    /**
     * @param correlation chosen by the requester; a response copies the request's.
     * @return this for fluent use.
     */
    public ReversalEncoder correlation(final int correlation)
    {
        buffer.putInt(offset + FrameHeader.CORRELATION_OFFSET, correlation, LITTLE_ENDIAN);
        return this;
    }

    /**
     * @param originalCorrelation the correlation of the terminal's original TAP (opaque 32-bit, raw bits).
     * @return this for fluent use.
     */
    public ReversalEncoder originalCorrelation(final int originalCorrelation)
    {
        buffer.putInt(offset + FrameHeader.BODY_OFFSET + Messages.Reversal.ORIGINAL_CORRELATION_OFFSET, originalCorrelation, LITTLE_ENDIAN);
        return this;
    }

    /**
     * @param cardId the card id of the original TAP (unsigned 64-bit, raw bits).
     * @return this for fluent use.
     */
    public ReversalEncoder cardId(final long cardId)
    {
        buffer.putLong(offset + FrameHeader.BODY_OFFSET + Messages.Reversal.CARD_ID_OFFSET, cardId, LITTLE_ENDIAN);
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
