package io.tapswitch.protocol;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import org.agrona.MutableDirectBuffer;

/**
 * Flyweight that writes a BALANCE_RESULT frame (type 0x84), header included, into a buffer in place.
 * <pre>
 *   body 0:1 decision · 1:1 reason · 2:2 count · then count × (0:4 programId · 4:4 remaining · 8:4 quota · 12:4 pad)
 * </pre>
 * {@link #wrap} writes a frame with count 0; {@link #count(int)} sets the count and the frame's
 * {@code length} field, {@link #entry} writes one entry (pad zeroed).
 * <p>
 * Allocates nothing. Not thread-safe; reuse one instance per thread by calling {@link #wrap} again.
 */
public final class BalanceResultEncoder
{
    /** Largest frame on the wire, length field included (64 entries). */
    public static final int MAX_FRAME_LENGTH = FrameHeader.HEADER_BYTES + Messages.BalanceResult.MAX_BODY_LENGTH;

    private MutableDirectBuffer buffer;
    private int offset;

    /**
     * Wraps the buffer and writes the header (length for count 0, version, type, correlation 0) and a
     * zero decision, reason and count.
     *
     * @param buffer      to write into; needs {@link #frameLength(int)} bytes from frameOffset for the count used.
     * @param frameOffset where the frame starts.
     * @return this for fluent use.
     */
    public BalanceResultEncoder wrap(final MutableDirectBuffer buffer, final int frameOffset)
    {
        this.buffer = buffer;
        this.offset = frameOffset;
        FrameHeader.putHeader(buffer, frameOffset, Messages.BalanceResult.bodyLength(0), MessageType.BALANCE_RESULT);
        buffer.putInt(frameOffset + FrameHeader.BODY_OFFSET, 0, LITTLE_ENDIAN);
        return this;
    }

    /**
     * @param count number of entries.
     * @return the whole frame size on the wire for that many entries, length field included.
     */
    public static int frameLength(final int count)
    {
        return FrameHeader.HEADER_BYTES + Messages.BalanceResult.bodyLength(count);
    }

    public BalanceResultEncoder correlation(final int correlation)
    {
        buffer.putInt(offset + FrameHeader.CORRELATION_OFFSET, correlation, LITTLE_ENDIAN);
        return this;
    }

    /**
     * @param decision the {@link Decision}.
     * @return this for fluent use.
     */
    public BalanceResultEncoder decision(final int decision)
    {
        buffer.putByte(body() + Messages.BalanceResult.DECISION_OFFSET, (byte)decision);
        return this;
    }

    /**
     * @param reason the {@link ReasonCode}.
     * @return this for fluent use.
     */
    public BalanceResultEncoder reason(final int reason)
    {
        buffer.putByte(body() + Messages.BalanceResult.REASON_OFFSET, (byte)reason);
        return this;
    }

    /**
     * Sets the entry count and the frame's {@code length} to match.
     *
     * @param count 0 .. {@link Messages.BalanceResult#MAX_COUNT}.
     * @return this for fluent use.
     * @throws IllegalArgumentException if count is out of range (a bug in the caller).
     */
    public BalanceResultEncoder count(final int count)
    {
        if (count < 0 || count > Messages.BalanceResult.MAX_COUNT)
        {
            throw new IllegalArgumentException(
                "count=" + count + " not in 0.." + Messages.BalanceResult.MAX_COUNT);
        }
        buffer.putShort(body() + Messages.BalanceResult.COUNT_OFFSET, (short)count, LITTLE_ENDIAN);
        buffer.putShort(
            offset + FrameHeader.LENGTH_OFFSET,
            (short)FrameHeader.lengthFieldFor(Messages.BalanceResult.bodyLength(count)),
            LITTLE_ENDIAN);
        return this;
    }

    /**
     * Writes entry {@code index} (0-based), pad zeroed. Call {@link #count(int)} to include it in the frame.
     *
     * @param index     0 .. {@link Messages.BalanceResult#MAX_COUNT} − 1.
     * @param programId program id (unsigned 32-bit).
     * @param remaining what is left in the current period (signed).
     * @param quota     the program's quota per period (signed).
     * @return this for fluent use.
     * @throws IllegalArgumentException if index is out of range (a bug in the caller).
     */
    public BalanceResultEncoder entry(final int index, final long programId, final int remaining, final int quota)
    {
        if (index < 0 || index >= Messages.BalanceResult.MAX_COUNT)
        {
            throw new IllegalArgumentException(
                "index=" + index + " not in 0.." + (Messages.BalanceResult.MAX_COUNT - 1));
        }
        final int entryOffset = body() + Messages.BalanceResult.ENTRIES_OFFSET +
            index * Messages.BalanceResult.ENTRY_BYTES;
        buffer.putInt(entryOffset + Messages.BalanceResult.ENTRY_PROGRAM_ID_OFFSET, (int)programId, LITTLE_ENDIAN);
        buffer.putInt(entryOffset + Messages.BalanceResult.ENTRY_REMAINING_OFFSET, remaining, LITTLE_ENDIAN);
        buffer.putInt(entryOffset + Messages.BalanceResult.ENTRY_QUOTA_OFFSET, quota, LITTLE_ENDIAN);
        buffer.putInt(entryOffset + Messages.BalanceResult.ENTRY_QUOTA_OFFSET + 4, 0, LITTLE_ENDIAN);
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
     * @return the whole frame size on the wire for the count written, length field included.
     */
    public int encodedLength()
    {
        return FrameHeader.LENGTH_FIELD_BYTES +
            (buffer.getShort(offset + FrameHeader.LENGTH_OFFSET, LITTLE_ENDIAN) & 0xFFFF);
    }

    private int body()
    {
        return offset + FrameHeader.BODY_OFFSET;
    }
}
