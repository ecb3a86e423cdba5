package io.tapswitch.protocol;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import org.agrona.DirectBuffer;

/**
 * Flyweight that reads a TAP_RESULT frame (type 0x82) in place.
 * <pre>
 *   body 0:1 decision · 1:1 reason · 2:2 pad · 4:4 remaining (signed) · 8:8 receipt
 * </pre>
 * The frame must have been validated ({@link FrameValidator}); the decoder trusts the header.
 * <p>
 * Allocates nothing. Not thread-safe; reuse one instance per thread by calling {@link #wrap} again.
 */
public final class TapResultDecoder
{
    private DirectBuffer buffer;
    private int offset;

    public TapResultDecoder wrap(final DirectBuffer buffer, final int frameOffset)
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
     * @return the {@link Decision}.
     */
    public int decision()
    {
        return buffer.getByte(offset + FrameHeader.BODY_OFFSET + Messages.TapResult.DECISION_OFFSET) & 0xFF;
    }

    /**
     * @return the {@link ReasonCode}.
     */
    public int reason()
    {
        return buffer.getByte(offset + FrameHeader.BODY_OFFSET + Messages.TapResult.REASON_OFFSET) & 0xFF;
    }

    /**
     * @return what is left in the current period (signed; -1 when no entitlement is concerned).
     */
    public int remaining()
    {
        return buffer.getInt(offset + FrameHeader.BODY_OFFSET + Messages.TapResult.REMAINING_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @return the receipt of the journal entry (unsigned 64-bit, raw bits); 0 only for BUSY.
     */
    public long receipt()
    {
        return buffer.getLong(offset + FrameHeader.BODY_OFFSET + Messages.TapResult.RECEIPT_OFFSET, LITTLE_ENDIAN);
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
        return TapResultEncoder.FRAME_LENGTH;
    }
}
