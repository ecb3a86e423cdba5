package io.tapswitch.protocol;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Flyweight that writes an ERROR frame (type 0x7F), header included, into a buffer in place.
 * <pre>
 *   body 0:2 code · 2:2 detailLength · then detailLength bytes of UTF-8 text (at most 256)
 * </pre>
 * {@link #wrap} writes a frame with code 0 and no detail; {@link #detail} sets the text, its length and the
 * frame's {@code length} field. Text longer than 256 UTF-8 bytes is cut at the last whole character that fits.
 * <p>
 * Allocates nothing. Not thread-safe; reuse one instance per thread by calling {@link #wrap} again.
 */
public final class ErrorEncoder
{
    /** Largest frame on the wire, length field included (256 detail bytes). */
    public static final int MAX_FRAME_LENGTH = FrameHeader.HEADER_BYTES + Messages.Error.MAX_BODY_LENGTH;

    private MutableDirectBuffer buffer;
    private int offset;

    /**
     * Wraps the buffer and writes the header (length for an empty detail, version, type, correlation 0),
     * code 0 and detailLength 0.
     *
     * @param buffer      to write into; needs {@link #MAX_FRAME_LENGTH} bytes from frameOffset to be safe.
     * @param frameOffset where the frame starts.
     * @return this for fluent use.
     */
    public ErrorEncoder wrap(final MutableDirectBuffer buffer, final int frameOffset)
    {
        this.buffer = buffer;
        this.offset = frameOffset;
        FrameHeader.putHeader(buffer, frameOffset, Messages.Error.bodyLength(0), MessageType.ERROR);
        buffer.putInt(frameOffset + FrameHeader.BODY_OFFSET, 0, LITTLE_ENDIAN);
        return this;
    }

    /**
     * @param correlation the offending frame's correlation when its length was in range, else 0.
     * @return this for fluent use.
     */
    public ErrorEncoder correlation(final int correlation)
    {
        buffer.putInt(offset + FrameHeader.CORRELATION_OFFSET, correlation, LITTLE_ENDIAN);
        return this;
    }

    /**
     * @param code a {@link ReasonCode}: NOT_LOGGED_ON, MALFORMED_FRAME or SYSTEM_ERROR.
     * @return this for fluent use.
     */
    public ErrorEncoder code(final int code)
    {
        buffer.putShort(body() + Messages.Error.CODE_OFFSET, (short)code, LITTLE_ENDIAN);
        return this;
    }

    /**
     * Encodes text as UTF-8 into the detail, cut at the last whole character within 256 bytes. A lone
     * surrogate is written as '?'. Sets detailLength and the frame's {@code length}.
     *
     * @param text the detail; null is treated as empty.
     * @return this for fluent use.
     */
    public ErrorEncoder detail(final CharSequence text)
    {
        final int start = body() + Messages.Error.DETAIL_OFFSET;
        final int limit = Messages.Error.MAX_DETAIL_BYTES;
        int position = 0;
        final int textLength = null == text ? 0 : text.length();
        for (int i = 0; i < textLength; i++)
        {
            final char c = text.charAt(i);
            if (c < 0x80)
            {
                if (position + 1 > limit)
                {
                    break;
                }
                buffer.putByte(start + position++, (byte)c);
            }
            else if (c < 0x800)
            {
                if (position + 2 > limit)
                {
                    break;
                }
                buffer.putByte(start + position++, (byte)(0xC0 | (c >> 6)));
                buffer.putByte(start + position++, (byte)(0x80 | (c & 0x3F)));
            }
            else if (Character.isHighSurrogate(c) && i + 1 < textLength && Character.isLowSurrogate(text.charAt(i + 1)))
            {
                if (position + 4 > limit)
                {
                    break;
                }
                final int codePoint = Character.toCodePoint(c, text.charAt(++i));
                buffer.putByte(start + position++, (byte)(0xF0 | (codePoint >> 18)));
                buffer.putByte(start + position++, (byte)(0x80 | ((codePoint >> 12) & 0x3F)));
                buffer.putByte(start + position++, (byte)(0x80 | ((codePoint >> 6) & 0x3F)));
                buffer.putByte(start + position++, (byte)(0x80 | (codePoint & 0x3F)));
            }
            else if (Character.isSurrogate(c))
            {
                if (position + 1 > limit)
                {
                    break;
                }
                buffer.putByte(start + position++, (byte)'?');
            }
            else
            {
                if (position + 3 > limit)
                {
                    break;
                }
                buffer.putByte(start + position++, (byte)(0xE0 | (c >> 12)));
                buffer.putByte(start + position++, (byte)(0x80 | ((c >> 6) & 0x3F)));
                buffer.putByte(start + position++, (byte)(0x80 | (c & 0x3F)));
            }
        }
        return detailLength(position);
    }

    /**
     * Copies detail bytes that are already UTF-8.
     *
     * @param src         holding the bytes.
     * @param srcOffset   where they start.
     * @param lengthBytes how many, at most 256.
     * @return this for fluent use.
     * @throws IllegalArgumentException if lengthBytes is out of range (a bug in the caller).
     */
    public ErrorEncoder detail(final DirectBuffer src, final int srcOffset, final int lengthBytes)
    {
        checkDetailLength(lengthBytes);
        buffer.putBytes(body() + Messages.Error.DETAIL_OFFSET, src, srcOffset, lengthBytes);
        return detailLength(lengthBytes);
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
     * @return the whole frame size on the wire for the detail written, length field included.
     */
    public int encodedLength()
    {
        return FrameHeader.LENGTH_FIELD_BYTES +
            (buffer.getShort(offset + FrameHeader.LENGTH_OFFSET, LITTLE_ENDIAN) & 0xFFFF);
    }

    private ErrorEncoder detailLength(final int lengthBytes)
    {
        buffer.putShort(body() + Messages.Error.DETAIL_LENGTH_OFFSET, (short)lengthBytes, LITTLE_ENDIAN);
        buffer.putShort(
            offset + FrameHeader.LENGTH_OFFSET,
            (short)FrameHeader.lengthFieldFor(Messages.Error.bodyLength(lengthBytes)),
            LITTLE_ENDIAN);
        return this;
    }

    private static void checkDetailLength(final int lengthBytes)
    {
        if (lengthBytes < 0 || lengthBytes > Messages.Error.MAX_DETAIL_BYTES)
        {
            throw new IllegalArgumentException(
                "detail lengthBytes=" + lengthBytes + " not in 0.." + Messages.Error.MAX_DETAIL_BYTES);
        }
    }

    private int body()
    {
        return offset + FrameHeader.BODY_OFFSET;
    }
}
