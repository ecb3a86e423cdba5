package io.tapswitch.protocol;

/**
 * The 8-byte frame header of Tap Protocol v1. All integers little-endian.
 * <pre>
 *   0:2 length      bytes that follow this field (header rest + body); 6 ≤ length ≤ 4094
 *   2:1 version     1
 *   3:1 type        {@link MessageType}
 *   4:4 correlation chosen by the requester, copied into the response
 *   8:… body
 * </pre>
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
}
