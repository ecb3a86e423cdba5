package io.tapswitch.protocol;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import org.agrona.DirectBuffer;

/**
 * Flyweight that reads a BALANCE_RESULT frame (type 0x84) in place, entries by index.
 * <pre>
 *   body 0:1 decision · 1:1 reason · 2:2 count · then count × (0:4 programId · 4:4 remaining · 8:4 quota · 12:4 pad)
 * </pre>
 * The frame must have been validated ({@link FrameValidator}): count ≤ 64 and the body holds exactly count
 * entries. Entry accessors do not check the index beyond the buffer's own bounds checks.
 * <p>
 * Allocates nothing. Not thread-safe; reuse one instance per thread by calling {@link #wrap} again.
 */
public final class BalanceResultDecoder
{
    private DirectBuffer buffer;
    private int offset;

    public BalanceResultDecoder wrap(final DirectBuffer buffer, final int frameOffset)
    {
        this.buffer = buffer;
        this.offset = frameOffset;
        return this;
    }

    public int correlation()
    {
        return buffer.getInt(offset + FrameHeader.CORRELATION_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @return the {@link Decision}.
     */
    public int decision()
    {
        return buffer.getByte(body() + Messages.BalanceResult.DECISION_OFFSET) & 0xFF;
    }

    /**
     * @return the {@link ReasonCode}.
     */
    public int reason()
    {
        return buffer.getByte(body() + Messages.BalanceResult.REASON_OFFSET) & 0xFF;
    }

    /**
     * @return the number of entries (unsigned 16-bit; at most 64 in a valid frame).
     */
    public int count()
    {
        return buffer.getShort(body() + Messages.BalanceResult.COUNT_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    /**
     * @return the program id of entry index (unsigned 32-bit).
     */
    public long programId(final int index)
    {
        return buffer.getInt(entry(index) + Messages.BalanceResult.ENTRY_PROGRAM_ID_OFFSET, LITTLE_ENDIAN) &
            0xFFFF_FFFFL;
    }

    /**
     * @return what is left in the current period for entry index (signed).
     */
    public int remaining(final int index)
    {
        return buffer.getInt(entry(index) + Messages.BalanceResult.ENTRY_REMAINING_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @return the quota per period of entry index (signed).
     */
    public int quota(final int index)
    {
        return buffer.getInt(entry(index) + Messages.BalanceResult.ENTRY_QUOTA_OFFSET, LITTLE_ENDIAN);
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
     * @return the whole frame size on the wire, length field included, from the {@code length} field.
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

    private int entry(final int index)
    {
        return body() + Messages.BalanceResult.ENTRIES_OFFSET + index * Messages.BalanceResult.ENTRY_BYTES;
    }
}
