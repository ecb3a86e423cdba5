package io.tapswitch.protocol;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import org.agrona.MutableDirectBuffer;

/**
 * Flyweight that writes a TAP_RESULT frame (type 0x82), header included, into a buffer in place.
 * <pre>
 *   body 0:1 decision · 1:1 reason · 2:2 pad · 4:4 remaining (signed) · 8:8 receipt
 * </pre>
 * {@link #wrap} writes the header and zeroes the pad bytes, so a reused buffer never leaks old bytes.
 * <p>
 * Allocates nothing. Not thread-safe; reuse one instance per thread by calling {@link #wrap} again.
 */
public final class TapResultEncoder
{
    /** Whole frame on the wire, length field included. */
    public static final int FRAME_LENGTH = FrameHeader.HEADER_BYTES + Messages.TapResult.BODY_LENGTH;

    private MutableDirectBuffer buffer;
    private int offset;

    /**
     * Wraps the buffer and writes the header (length, version, type, correlation 0).
     *
     * @param buffer      to write into; needs {@link #FRAME_LENGTH} bytes from frameOffset.
     * @param frameOffset where the frame starts.
     * @return this for fluent use.
     */
    public TapResultEncoder wrap(final MutableDirectBuffer buffer, final int frameOffset)
    {
        this.buffer = buffer;
        this.offset = frameOffset;
        FrameHeader.putHeader(buffer, frameOffset, Messages.TapResult.BODY_LENGTH, MessageType.TAP_RESULT);
        buffer.putShort(offset + FrameHeader.BODY_OFFSET + 2, (short)0, LITTLE_ENDIAN);
        return this;
    }

    /**
     * @param correlation chosen by the requester; a response copies the request's.
     * @return this for fluent use.
     */
    public TapResultEncoder correlation(final int correlation)
    {
        buffer.putInt(offset + FrameHeader.CORRELATION_OFFSET, correlation, LITTLE_ENDIAN);
        return this;
    }

    /**
     * @param decision the {@link Decision}.
     * @return this for fluent use.
     */
    public TapResultEncoder decision(final int decision)
    {
        buffer.putByte(offset + FrameHeader.BODY_OFFSET + Messages.TapResult.DECISION_OFFSET, (byte)decision);
        return this;
    }

    /**
     * @param reason the {@link ReasonCode}.
     * @return this for fluent use.
     */
    public TapResultEncoder reason(final int reason)
    {
        buffer.putByte(offset + FrameHeader.BODY_OFFSET + Messages.TapResult.REASON_OFFSET, (byte)reason);
        return this;
    }

    /**
     * @param remaining what is left in the current period (signed; -1 when no entitlement is concerned).
     * @return this for fluent use.
     */
    public TapResultEncoder remaining(final int remaining)
    {
        buffer.putInt(offset + FrameHeader.BODY_OFFSET + Messages.TapResult.REMAINING_OFFSET, remaining, LITTLE_ENDIAN);
        return this;
    }

    /**
     * @param receipt the receipt of the journal entry (unsigned 64-bit, raw bits); 0 only for BUSY.
     * @return this for fluent use.
     */
    public TapResultEncoder receipt(final long receipt)
    {
        buffer.putLong(offset + FrameHeader.BODY_OFFSET + Messages.TapResult.RECEIPT_OFFSET, receipt, LITTLE_ENDIAN);
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
