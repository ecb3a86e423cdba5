package io.tapswitch.protocol.fuzz;

import io.tapswitch.protocol.Direction;
import io.tapswitch.protocol.FrameValidator;

/**
 * An independent model of the frame rules, written from {@code shared/PROTOCOL.md} with the sizes as literal
 * numbers (not the production constants), so that a wrong constant or a wrong check order in
 * {@link FrameValidator} shows up as a disagreement. It returns the same result codes as the validator: the
 * failure order is the protocol's (length range, version, type, body size) and a check whose bytes are not yet
 * available gives {@link FrameValidator#TRUNCATED}.
 * <p>
 * Reads only {@code bytes[0 .. availableBytes)}. Stateless; safe from any thread.
 */
final class ReferenceFrameModel
{
    private ReferenceFrameModel()
    {
    }

    static int validate(final byte[] bytes, final int availableBytes, final Direction direction)
    {
        if (availableBytes < 2)
        {
            return FrameValidator.TRUNCATED;
        }
        final int length = u16(bytes, 0);
        if (length < 6)
        {
            return FrameValidator.LENGTH_TOO_SMALL;
        }
        if (length > 4094)
        {
            return FrameValidator.LENGTH_TOO_LARGE;
        }
        if (availableBytes < 8)
        {
            return FrameValidator.TRUNCATED;
        }
        final int version = bytes[2] & 0xFF;
        final int type = bytes[3] & 0xFF;
        if (version != 1)
        {
            return FrameValidator.UNSUPPORTED_VERSION;
        }
        final boolean request = type >= 0x01 && type <= 0x05;
        final boolean response = (type >= 0x81 && type <= 0x85) || type == 0x7F;
        if (direction == Direction.REQUESTS ? !request : !response)
        {
            return FrameValidator.UNKNOWN_TYPE;
        }
        final int bodyBytes = length - 6;
        if (type == 0x84 || type == 0x7F)
        {
            if (bodyBytes < 4)
            {
                return FrameValidator.WRONG_BODY_SIZE;
            }
            if (availableBytes < 8 + 4)
            {
                return FrameValidator.TRUNCATED;
            }
            final int field = u16(bytes, 8 + 2);
            if (type == 0x84)
            {
                if (field > 64)
                {
                    return FrameValidator.COUNT_TOO_LARGE;
                }
                if (bodyBytes != 4 + 16 * field)
                {
                    return FrameValidator.WRONG_BODY_SIZE;
                }
            }
            else
            {
                if (field > 256)
                {
                    return FrameValidator.DETAIL_TOO_LONG;
                }
                if (bodyBytes != 4 + field)
                {
                    return FrameValidator.WRONG_BODY_SIZE;
                }
            }
        }
        else if (bodyBytes != fixedBodyBytes(type))
        {
            return FrameValidator.WRONG_BODY_SIZE;
        }
        return availableBytes < length + 2 ? FrameValidator.TRUNCATED : FrameValidator.VALID;
    }

    /**
     * @return the body size of a fixed-size type as PROTOCOL.md's table gives it.
     */
    static int fixedBodyBytes(final int type)
    {
        switch (type)
        {
            case 0x01: return 64;
            case 0x02: return 24;
            case 0x03: return 16;
            case 0x04: return 8;
            case 0x05: return 8;
            case 0x81: return 16;
            case 0x82: return 16;
            case 0x83: return 16;
            case 0x85: return 8;
            default: throw new IllegalArgumentException("no fixed body: " + type);
        }
    }

    static int u16(final byte[] bytes, final int offset)
    {
        return (bytes[offset] & 0xFF) | ((bytes[offset + 1] & 0xFF) << 8);
    }

    static int i32(final byte[] bytes, final int offset)
    {
        return (bytes[offset] & 0xFF) | ((bytes[offset + 1] & 0xFF) << 8) | ((bytes[offset + 2] & 0xFF) << 16) |
            ((bytes[offset + 3] & 0xFF) << 24);
    }

    static long i64(final byte[] bytes, final int offset)
    {
        return (i32(bytes, offset) & 0xFFFF_FFFFL) | ((long)i32(bytes, offset + 4) << 32);
    }
}
