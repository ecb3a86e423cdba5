package io.tapswitch.protocol;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import org.agrona.DirectBuffer;

/**
 * Validates frames and names the failure. Results are int codes ({@link #VALID} or one of the failures);
 * {@link #describe} turns a failure into a human message and is meant for the error path only (it builds a
 * String). {@link #reasonCode(int)} maps a failure to the protocol's answer: MALFORMED_FRAME for the frame
 * checks (length, version, type, body size, truncation), INVALID_REQUEST for the TAP content checks (flag
 * bits, quantity 0).
 * <p>
 * Frame checks run in the order of the protocol: length range, version, type (for the reader's
 * {@link Direction}), body size. Every method is static, allocates nothing except {@link #describe}, and is
 * safe from any thread.
 */
public final class FrameValidator
{
    /** The frame is valid. */
    public static final int VALID = 0;
    /** {@code length} below 6: the frame cannot even hold its header. */
    public static final int LENGTH_TOO_SMALL = 1;
    /** {@code length} above 4094. */
    public static final int LENGTH_TOO_LARGE = 2;
    /** {@code version} is not 1. */
    public static final int UNSUPPORTED_VERSION = 3;
    /** {@code type} is not one the reader accepts (a request type for the switch, a response type for a terminal). */
    public static final int UNKNOWN_TYPE = 4;
    /** The body size given by {@code length} is not the type's size (or too short to hold count/detailLength). */
    public static final int WRONG_BODY_SIZE = 5;
    /** BALANCE_RESULT {@code count} above 64. */
    public static final int COUNT_TOO_LARGE = 6;
    /** ERROR {@code detailLength} above 256. */
    public static final int DETAIL_TOO_LONG = 7;
    /** Fewer bytes than the frame's {@code length} announces (the stream ended inside the frame). */
    public static final int TRUNCATED = 8;
    /** TAP {@code flags} has a bit other than OFFLINE_ADVICE set: INVALID_REQUEST, not a malformed frame. */
    public static final int UNKNOWN_FLAG_BITS = 9;
    /** TAP {@code quantity} is 0: INVALID_REQUEST, not a malformed frame. */
    public static final int ZERO_QUANTITY = 10;

    private static final String[] NAMES = {
        "VALID", "LENGTH_TOO_SMALL", "LENGTH_TOO_LARGE", "UNSUPPORTED_VERSION", "UNKNOWN_TYPE", "WRONG_BODY_SIZE",
        "COUNT_TOO_LARGE", "DETAIL_TOO_LONG", "TRUNCATED", "UNKNOWN_FLAG_BITS", "ZERO_QUANTITY"};

    private FrameValidator()
    {
    }

    /**
     * @param length the {@code length} field.
     * @return {@link #VALID}, {@link #LENGTH_TOO_SMALL} or {@link #LENGTH_TOO_LARGE}.
     */
    public static int validateLength(final int length)
    {
        if (length < FrameHeader.MIN_LENGTH)
        {
            return LENGTH_TOO_SMALL;
        }
        if (length > FrameHeader.MAX_LENGTH)
        {
            return LENGTH_TOO_LARGE;
        }
        return VALID;
    }

    /**
     * Checks everything the 8 header bytes decide: length range, version, type and, for fixed-size types, the
     * body size. For BALANCE_RESULT and ERROR it checks only that the body can hold its count/detailLength
     * field; {@link #validateVariableBody} finishes the check once those 2 bytes are at hand.
     *
     * @param length    the {@code length} field.
     * @param version   the {@code version} byte (unsigned).
     * @param type      the {@code type} byte (unsigned).
     * @param direction which types the reader accepts.
     * @return {@link #VALID} or the first failure.
     */
    public static int validateHeader(final int length, final int version, final int type, final Direction direction)
    {
        final int lengthResult = validateLength(length);
        if (lengthResult != VALID)
        {
            return lengthResult;
        }
        if (version != FrameHeader.VERSION)
        {
            return UNSUPPORTED_VERSION;
        }
        if (!direction.accepts(type))
        {
            return UNKNOWN_TYPE;
        }
        final int bodyLengthBytes = length - FrameHeader.LENGTH_HEADER_PART;
        if (MessageType.hasVariableBody(type))
        {
            return bodyLengthBytes < variableFieldEnd(type) ? WRONG_BODY_SIZE : VALID;
        }
        return bodyLengthBytes == MessageType.fixedBodyLength(type) ? VALID : WRONG_BODY_SIZE;
    }

    /**
     * Finishes the body size check of a BALANCE_RESULT or ERROR frame.
     *
     * @param type            {@link MessageType#BALANCE_RESULT} or {@link MessageType#ERROR}.
     * @param bodyLengthBytes {@code length} − 6.
     * @param variableField   the BALANCE_RESULT {@code count} or the ERROR {@code detailLength} (unsigned).
     * @return {@link #VALID}, {@link #COUNT_TOO_LARGE}, {@link #DETAIL_TOO_LONG} or {@link #WRONG_BODY_SIZE}.
     */
    public static int validateVariableBody(final int type, final int bodyLengthBytes, final int variableField)
    {
        if (type == MessageType.BALANCE_RESULT)
        {
            if (variableField > Messages.BalanceResult.MAX_COUNT)
            {
                return COUNT_TOO_LARGE;
            }
            return bodyLengthBytes == Messages.BalanceResult.bodyLength(variableField) ? VALID : WRONG_BODY_SIZE;
        }
        if (variableField > Messages.Error.MAX_DETAIL_BYTES)
        {
            return DETAIL_TOO_LONG;
        }
        return bodyLengthBytes == Messages.Error.bodyLength(variableField) ? VALID : WRONG_BODY_SIZE;
    }

    /**
     * @param type a type with a variable body.
     * @return how many body bytes must be present to read its count/detailLength field.
     */
    public static int variableFieldEnd(final int type)
    {
        return type == MessageType.BALANCE_RESULT ?
            Messages.BalanceResult.COUNT_OFFSET + 2 : Messages.Error.DETAIL_LENGTH_OFFSET + 2;
    }

    /**
     * @param type a type with a variable body.
     * @return the body offset of its count/detailLength field.
     */
    public static int variableFieldOffset(final int type)
    {
        return type == MessageType.BALANCE_RESULT ?
            Messages.BalanceResult.COUNT_OFFSET : Messages.Error.DETAIL_LENGTH_OFFSET;
    }

    /**
     * Validates a whole frame held in a buffer.
     *
     * @param buffer         holding the frame.
     * @param frameOffset    where it starts.
     * @param availableBytes how many bytes from frameOffset belong to the input.
     * @param direction      which types the reader accepts.
     * @return {@link #VALID} or the first failure; {@link #TRUNCATED} when fewer bytes are available than the
     * frame's checks or its {@code length} need.
     */
    public static int validate(
        final DirectBuffer buffer, final int frameOffset, final int availableBytes, final Direction direction)
    {
        if (availableBytes < FrameHeader.LENGTH_FIELD_BYTES)
        {
            return TRUNCATED;
        }
        final int length = FrameHeader.length(buffer, frameOffset);
        final int lengthResult = validateLength(length);
        if (lengthResult != VALID)
        {
            return lengthResult;
        }
        if (availableBytes < FrameHeader.HEADER_BYTES)
        {
            return TRUNCATED;
        }
        final int type = FrameHeader.type(buffer, frameOffset);
        final int headerResult = validateHeader(length, FrameHeader.version(buffer, frameOffset), type, direction);
        if (headerResult != VALID)
        {
            return headerResult;
        }
        if (MessageType.hasVariableBody(type))
        {
            if (availableBytes < FrameHeader.HEADER_BYTES + variableFieldEnd(type))
            {
                return TRUNCATED;
            }
            final int variableField = buffer.getShort(
                frameOffset + FrameHeader.BODY_OFFSET + variableFieldOffset(type), LITTLE_ENDIAN) & 0xFFFF;
            final int bodyResult = validateVariableBody(type, length - FrameHeader.LENGTH_HEADER_PART, variableField);
            if (bodyResult != VALID)
            {
                return bodyResult;
            }
        }
        return availableBytes < length + FrameHeader.LENGTH_FIELD_BYTES ? TRUNCATED : VALID;
    }

    /**
     * The content checks of a valid TAP frame that the protocol answers with INVALID_REQUEST.
     *
     * @param buffer      holding a TAP frame already validated by {@link #validate}.
     * @param frameOffset where it starts.
     * @return {@link #VALID}, {@link #ZERO_QUANTITY} or {@link #UNKNOWN_FLAG_BITS}.
     */
    public static int validateTapContent(final DirectBuffer buffer, final int frameOffset)
    {
        final int body = frameOffset + FrameHeader.BODY_OFFSET;
        if ((buffer.getShort(body + Messages.Tap.QUANTITY_OFFSET, LITTLE_ENDIAN) & 0xFFFF) == 0)
        {
            return ZERO_QUANTITY;
        }
        if ((buffer.getShort(body + Messages.Tap.FLAGS_OFFSET, LITTLE_ENDIAN) & ~Messages.Tap.KNOWN_FLAGS) != 0)
        {
            return UNKNOWN_FLAG_BITS;
        }
        return VALID;
    }

    /**
     * @param result a validation result.
     * @return the {@link ReasonCode} the protocol answers with: OK, MALFORMED_FRAME or INVALID_REQUEST.
     */
    public static int reasonCode(final int result)
    {
        switch (result)
        {
            case VALID: return ReasonCode.OK;
            case UNKNOWN_FLAG_BITS:
            case ZERO_QUANTITY: return ReasonCode.INVALID_REQUEST;
            default: return ReasonCode.MALFORMED_FRAME;
        }
    }

    /**
     * @param result a validation result.
     * @return its constant name, e.g. "UNSUPPORTED_VERSION".
     */
    public static String name(final int result)
    {
        return result >= 0 && result < NAMES.length ? NAMES[result] : "UNKNOWN_RESULT";
    }

    /**
     * A human message for a failure, short enough (well under 256 bytes of ASCII) for an ERROR detail.
     * Builds a String: call it on the error path only.
     *
     * @param result        a validation result.
     * @param length        the {@code length} field, or -1 if not received.
     * @param version       the {@code version} byte, or -1 if not received.
     * @param type          the {@code type} byte, or -1 if not received.
     * @param variableField BALANCE_RESULT count / ERROR detailLength, or -1 if not relevant or not received.
     * @return the message.
     */
    public static String describe(
        final int result, final int length, final int version, final int type, final int variableField)
    {
        final int bodyLengthBytes = length - FrameHeader.LENGTH_HEADER_PART;
        switch (result)
        {
            case VALID:
                return "valid frame";
            case LENGTH_TOO_SMALL:
                return "frame length " + length + " is below the minimum " + FrameHeader.MIN_LENGTH;
            case LENGTH_TOO_LARGE:
                return "frame length " + length + " is above the maximum " + FrameHeader.MAX_LENGTH;
            case UNSUPPORTED_VERSION:
                return "protocol version " + version + " is not supported (expected " + FrameHeader.VERSION + ")";
            case UNKNOWN_TYPE:
                return "message type " + hex(type) + " is unknown here";
            case WRONG_BODY_SIZE:
                if (MessageType.hasVariableBody(type) && variableField >= 0)
                {
                    final int expected = type == MessageType.BALANCE_RESULT ?
                        Messages.BalanceResult.bodyLength(variableField) : Messages.Error.bodyLength(variableField);
                    return MessageType.name(type) + " body is " + bodyLengthBytes + " bytes, its " +
                        (type == MessageType.BALANCE_RESULT ? "count " : "detailLength ") + variableField +
                        " needs " + expected;
                }
                if (MessageType.hasVariableBody(type))
                {
                    return MessageType.name(type) + " body is " + bodyLengthBytes + " bytes, at least " +
                        variableFieldEnd(type) + " needed";
                }
                return MessageType.name(type) + " body is " + bodyLengthBytes + " bytes, expected " +
                    MessageType.fixedBodyLength(type);
            case COUNT_TOO_LARGE:
                return "BALANCE_RESULT count " + variableField + " is above " + Messages.BalanceResult.MAX_COUNT;
            case DETAIL_TOO_LONG:
                return "ERROR detailLength " + variableField + " is above " + Messages.Error.MAX_DETAIL_BYTES;
            case TRUNCATED:
                return length < 0 ?
                    "input ended inside a frame's length field" :
                    "input ended inside a frame of length " + length;
            case UNKNOWN_FLAG_BITS:
                return "TAP flags have bits other than OFFLINE_ADVICE set";
            case ZERO_QUANTITY:
                return "TAP quantity is 0";
            default:
                return "unknown validation result " + result;
        }
    }

    private static String hex(final int value)
    {
        return value < 0 ? "(not received)" : String.format("0x%02X", value);
    }
}
