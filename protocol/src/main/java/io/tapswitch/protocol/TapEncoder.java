package io.tapswitch.protocol;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import org.agrona.MutableDirectBuffer;

/**
 * Flyweight that writes a TAP frame (type 0x02), header included, into a buffer in place.
 * <pre>
 *   body 0:8 cardId · 8:4 programId · 12:2 quantity · 14:2 flags · 16:8 terminalTimeMillis
 * </pre>
 * {@link #wrap} writes the header and zeroes the pad bytes, so a reused buffer never leaks old bytes.
 * <p>
 * Allocates nothing. Not thread-safe; reuse one instance per thread by calling {@link #wrap} again.
 */
public final class TapEncoder
{
    /** Whole frame on the wire, length field included. */
    public static final int FRAME_LENGTH = FrameHeader.HEADER_BYTES + Messages.Tap.BODY_LENGTH;

    private MutableDirectBuffer buffer;
    private int offset;

    /**
     * Wraps the buffer and writes the header (length, version, type, correlation 0).
     *
     * @param buffer      to write into; needs {@link #FRAME_LENGTH} bytes from frameOffset.
     * @param frameOffset where the frame starts.
     * @return this for fluent use.
     */
    public TapEncoder wrap(final MutableDirectBuffer buffer, final int frameOffset)
    {
        this.buffer = buffer;
        this.offset = frameOffset;
        FrameHeader.putHeader(buffer, frameOffset, Messages.Tap.BODY_LENGTH, MessageType.TAP);
        return this;
    }

    /**
     * @param correlation chosen by the requester; a response copies the request's.
     * @return this for fluent use.
     */
    public TapEncoder correlation(final int correlation)
    {
        buffer.putInt(offset + FrameHeader.CORRELATION_OFFSET, correlation, LITTLE_ENDIAN);
        return this;
    }

    /**
     * @param cardId the card id (unsigned 64-bit, raw bits).
     * @return this for fluent use.
     */
    public TapEncoder cardId(final long cardId)
    {
        buffer.putLong(offset + FrameHeader.BODY_OFFSET + Messages.Tap.CARD_ID_OFFSET, cardId, LITTLE_ENDIAN);
        return this;
    }

    /**
     * @param programId the program id (unsigned 32-bit); 0 means the default program of the outlet.
     * @return this for fluent use.
     */
    public TapEncoder programId(final long programId)
    {
        buffer.putInt(offset + FrameHeader.BODY_OFFSET + Messages.Tap.PROGRAM_ID_OFFSET, (int)programId, LITTLE_ENDIAN);
        return this;
    }

    /**
     * @param quantity units to take, 1..65535 (unsigned 16-bit; 0 is INVALID_REQUEST).
     * @return this for fluent use.
     */
    public TapEncoder quantity(final int quantity)
    {
        buffer.putShort(offset + FrameHeader.BODY_OFFSET + Messages.Tap.QUANTITY_OFFSET, (short)quantity, LITTLE_ENDIAN);
        return this;
    }

    /**
     * @param flags flag bits (unsigned 16-bit): {@link Messages.Tap#FLAG_OFFLINE_ADVICE}; other bits are INVALID_REQUEST.
     * @return this for fluent use.
     */
    public TapEncoder flags(final int flags)
    {
        buffer.putShort(offset + FrameHeader.BODY_OFFSET + Messages.Tap.FLAGS_OFFSET, (short)flags, LITTLE_ENDIAN);
        return this;
    }

    /**
     * @param terminalTimeMs the terminal clock at the tap, Unix epoch milliseconds.
     * @return this for fluent use.
     */
    public TapEncoder terminalTimeMs(final long terminalTimeMs)
    {
        buffer.putLong(offset + FrameHeader.BODY_OFFSET + Messages.Tap.TERMINAL_TIME_MS_OFFSET, terminalTimeMs, LITTLE_ENDIAN);
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
