package io.tapswitch.protocol;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The 8-byte frame header of Tap Protocol v1. All integers little-endian.
 * <pre>
 *   0:2 length      bytes that follow this field (header rest + body); 6 ≤ length ≤ 4094
 *   2:1 version     1
 *   3:1 type        {@link MessageType}
 *   4:4 correlation chosen by the requester, copied into the response
 *   8:… body
 * </pre>
 * The static accessors read and write the header fields of a frame starting at {@code frameOffset};
 * they allocate nothing and are safe to call from any thread on a buffer that thread owns.
 */
public final class FrameHeader
{
    public static final int LENGTH_OFFSET = 0;
    public static final int VERSION_OFFSET = 2;
    public static final int TYPE_OFFSET = 3;
    public static final int CORRELATION_OFFSET = 4;
    public static final int BODY_OFFSET = 8;

    /** Size of the length field itself. */
    public static final int LENGTH_FIELD_BYTES = 2;
    /** The whole header: length, version, type, correlation. */
    public static final int HEADER_BYTES = 8;
    /** Smallest valid {@code length} value: version + type + correlation with an empty body. */
    public static final int MIN_LENGTH = 6;
    /** Largest valid {@code length} value. */
    public static final int MAX_LENGTH = 4094;
    /** Largest frame on the wire, length field included. */
    public static final int MAX_FRAME_BYTES = MAX_LENGTH + LENGTH_FIELD_BYTES;
    /** Bytes of the length value that belong to the header (version, type, correlation). */
    public static final int LENGTH_HEADER_PART = HEADER_BYTES - LENGTH_FIELD_BYTES;

    public static final int VERSION = 1;

    private FrameHeader()
    {
    }

    /**
     * @param bodyLengthBytes body size.
     * @return the value of the {@code length} field for a frame with that body.
     */
    public static int lengthFieldFor(final int bodyLengthBytes)
    {
        return LENGTH_HEADER_PART + bodyLengthBytes;
    }

    /**
     * @param frameBytes size of a whole frame on the wire, length field included.
     * @return the value of the {@code length} field of that frame.
     */
    public static int lengthFieldForFrame(final int frameBytes)
    {
        return frameBytes - LENGTH_FIELD_BYTES;
    }

    /**
     * Writes the header of a frame with the given body size and type, correlation 0.
     *
     * @param buffer          to write into.
     * @param frameOffset     where the frame starts.
     * @param bodyLengthBytes body size, which sets the {@code length} field.
     * @param type            message type.
     */
    public static void putHeader(
        final MutableDirectBuffer buffer, final int frameOffset, final int bodyLengthBytes, final int type)
    {
        buffer.putShort(frameOffset + LENGTH_OFFSET, (short)lengthFieldFor(bodyLengthBytes), LITTLE_ENDIAN);
        buffer.putByte(frameOffset + VERSION_OFFSET, (byte)VERSION);
        buffer.putByte(frameOffset + TYPE_OFFSET, (byte)type);
        buffer.putInt(frameOffset + CORRELATION_OFFSET, 0, LITTLE_ENDIAN);
    }

    /**
     * @return the {@code length} field (unsigned).
     */
    public static int length(final DirectBuffer buffer, final int frameOffset)
    {
        return buffer.getShort(frameOffset + LENGTH_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    /**
     * @return the whole frame size on the wire: {@code length} + 2.
     */
    public static int frameLength(final DirectBuffer buffer, final int frameOffset)
    {
        return length(buffer, frameOffset) + LENGTH_FIELD_BYTES;
    }

    /**
     * @return the body size given by the {@code length} field: {@code length} − 6.
     */
    public static int bodyLength(final DirectBuffer buffer, final int frameOffset)
    {
        return length(buffer, frameOffset) - LENGTH_HEADER_PART;
    }

    /**
     * @return the {@code version} byte (unsigned).
     */
    public static int version(final DirectBuffer buffer, final int frameOffset)
    {
        return buffer.getByte(frameOffset + VERSION_OFFSET) & 0xFF;
    }

    /**
     * @return the {@code type} byte (unsigned).
     */
    public static int type(final DirectBuffer buffer, final int frameOffset)
    {
        return buffer.getByte(frameOffset + TYPE_OFFSET) & 0xFF;
    }

    /**
     * @return the {@code correlation}: an opaque 32-bit value, returned as its raw bits.
     */
    public static int correlation(final DirectBuffer buffer, final int frameOffset)
    {
        return buffer.getInt(frameOffset + CORRELATION_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * Sets the {@code correlation} of a frame already written.
     */
    public static void correlation(final MutableDirectBuffer buffer, final int frameOffset, final int correlation)
    {
        buffer.putInt(frameOffset + CORRELATION_OFFSET, correlation, LITTLE_ENDIAN);
    }
}
