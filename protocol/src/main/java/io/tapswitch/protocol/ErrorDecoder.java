package io.tapswitch.protocol;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import java.nio.charset.StandardCharsets;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Flyweight that reads an ERROR frame (type 0x7F) in place.
 * <pre>
 *   body 0:2 code · 2:2 detailLength · then detailLength bytes of UTF-8 text (at most 256)
 * </pre>
 * The frame must have been validated ({@link FrameValidator}): detailLength ≤ 256 and matching the body.
 * Every accessor but {@link #detail()} allocates nothing. Not thread-safe; reuse one instance per thread by
 * calling {@link #wrap} again.
 */
public final class ErrorDecoder
{
    private DirectBuffer buffer;
    private int offset;

    public ErrorDecoder wrap(final DirectBuffer buffer, final int frameOffset)
    {
        this.buffer = buffer;
        this.offset = frameOffset;
        return this;
    }

    /**
     * @return the correlation of the frame the error answers, or 0 when it could not be known.
     */
    public int correlation()
    {
        return buffer.getInt(offset + FrameHeader.CORRELATION_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @return the {@link ReasonCode} (unsigned 16-bit).
     */
    public int code()
    {
        return buffer.getShort(body() + Messages.Error.CODE_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    /**
     * @return detail size in bytes (unsigned 16-bit; at most 256 in a valid frame).
     */
    public int detailLength()
    {
        return buffer.getShort(body() + Messages.Error.DETAIL_LENGTH_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    /**
     * @return where the detail bytes start in {@link #buffer()}.
     */
    public int detailOffset()
    {
        return body() + Messages.Error.DETAIL_OFFSET;
    }

    /**
     * Copies the detail bytes (UTF-8) into dst.
     *
     * @return the number of bytes copied.
     */
    public int getDetail(final MutableDirectBuffer dst, final int dstOffset)
    {
        final int lengthBytes = detailLength();
        dst.putBytes(dstOffset, buffer, detailOffset(), lengthBytes);
        return lengthBytes;
    }

    /**
     * Decodes the detail as a String. Allocates: for diagnostics on the error path only.
     *
     * @return the detail text.
     */
    public String detail()
    {
        final byte[] bytes = new byte[detailLength()];
        buffer.getBytes(detailOffset(), bytes);
        return new String(bytes, StandardCharsets.UTF_8);
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
}
