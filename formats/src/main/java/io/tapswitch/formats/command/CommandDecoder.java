package io.tapswitch.formats.command;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;

import static io.tapswitch.formats.command.Commands.BODY_LENGTH_OFFSET;
import static io.tapswitch.formats.command.Commands.BODY_OFFSET;
import static io.tapswitch.formats.command.Commands.COMMAND_ID_OFFSET;
import static io.tapswitch.formats.command.Commands.HEADER_BYTES;
import static io.tapswitch.formats.command.Commands.TYPE_OFFSET;
import static io.tapswitch.formats.command.Commands.VERSION;
import static io.tapswitch.formats.command.Commands.VERSION_OFFSET;

/**
 * Flyweight over one encoded command. {@link #check()} validates the header and the body length against the type's
 * layout; body fields are read with {@link #bodyOffset()} plus the offsets of {@link Commands}. Not thread-safe;
 * reusable with {@link #wrap}.
 */
public final class CommandDecoder
{
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private DirectBuffer buffer;
    private int offset;
    private int length;

    public CommandDecoder wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        return this;
    }

    public DirectBuffer buffer()
    {
        return buffer;
    }

    public int offset()
    {
        return offset;
    }

    public int length()
    {
        return length;
    }

    /**
     * @return the command id, or 0 when the excerpt is too short to hold a header.
     */
    public long commandId()
    {
        return length >= HEADER_BYTES ? buffer.getLong(offset + COMMAND_ID_OFFSET, LE) : 0;
    }

    public int type()
    {
        return length >= HEADER_BYTES ? buffer.getShort(offset + TYPE_OFFSET, LE) & 0xFFFF : 0;
    }

    public int version()
    {
        return buffer.getShort(offset + VERSION_OFFSET, LE) & 0xFFFF;
    }

    public int bodyLength()
    {
        return buffer.getInt(offset + BODY_LENGTH_OFFSET, LE);
    }

    /**
     * @return absolute offset of the body in {@link #buffer()}.
     */
    public int bodyOffset()
    {
        return offset + BODY_OFFSET;
    }

    public long bodyLong(final int fieldOffset)
    {
        return buffer.getLong(offset + BODY_OFFSET + fieldOffset, LE);
    }

    public int bodyInt(final int fieldOffset)
    {
        return buffer.getInt(offset + BODY_OFFSET + fieldOffset, LE);
    }

    public int bodyShort(final int fieldOffset)
    {
        return buffer.getShort(offset + BODY_OFFSET + fieldOffset, LE) & 0xFFFF;
    }

    public int bodyByte(final int fieldOffset)
    {
        return buffer.getByte(offset + BODY_OFFSET + fieldOffset) & 0xFF;
    }

    /**
     * Checks the header and that the body length is exactly the type's layout size.
     *
     * @return {@link CommandRejectReason#NONE}, {@link CommandRejectReason#MALFORMED} or
     * {@link CommandRejectReason#UNKNOWN_TYPE}.
     */
    public int check()
    {
        if (length < HEADER_BYTES || version() != VERSION)
        {
            return CommandRejectReason.MALFORMED;
        }
        final int bodyLength = bodyLength();
        if (bodyLength < 0 || bodyLength != length - HEADER_BYTES)
        {
            return CommandRejectReason.MALFORMED;
        }
        final int expected;
        switch (type())
        {
            case CommandType.DEFINE_OUTLET:
                expected = Commands.DefineOutlet.BODY_LENGTH;
                break;
            case CommandType.DEFINE_PROGRAM:
                if (bodyLength < Commands.DefineProgram.OUTLETS_OFFSET)
                {
                    return CommandRejectReason.MALFORMED;
                }
                expected = Commands.DefineProgram.bodyLength(bodyShort(Commands.DefineProgram.OUTLET_COUNT_OFFSET));
                break;
            case CommandType.REGISTER_TERMINAL:
                expected = Commands.RegisterTerminal.BODY_LENGTH;
                break;
            case CommandType.SET_TERMINAL_ENABLED:
                expected = Commands.SetTerminalEnabled.BODY_LENGTH;
                break;
            case CommandType.ROTATE_KEY:
                expected = Commands.RotateKey.BODY_LENGTH;
                break;
            case CommandType.ROTATE_KEY_WITH_GRACE:
                expected = Commands.RotateKeyWithGrace.BODY_LENGTH;
                break;
            case CommandType.SET_HOUSEHOLD:
                expected = Commands.SetHousehold.BODY_LENGTH;
                break;
            case CommandType.ISSUE_CARD:
                expected = Commands.IssueCard.BODY_LENGTH;
                break;
            case CommandType.SET_CARD_STATUS:
                expected = Commands.SetCardStatus.BODY_LENGTH;
                break;
            case CommandType.REPLACE_CARD:
                expected = Commands.ReplaceCard.BODY_LENGTH;
                break;
            case CommandType.GRANT_ENTITLEMENT:
            case CommandType.REVOKE_ENTITLEMENT:
                expected = Commands.Entitlement.BODY_LENGTH;
                break;
            case CommandType.ISSUE_CARDS:
                if (bodyLength < Commands.IssueCards.ENTRIES_OFFSET)
                {
                    return CommandRejectReason.MALFORMED;
                }
                expected = Commands.IssueCards.bodyLength(bodyShort(Commands.IssueCards.COUNT_OFFSET));
                break;
            default:
                return CommandRejectReason.UNKNOWN_TYPE;
        }
        return bodyLength == expected ? CommandRejectReason.NONE : CommandRejectReason.MALFORMED;
    }
}
