package io.tapswitch.formats.command;

import java.nio.ByteOrder;

import org.agrona.MutableDirectBuffer;

import static io.tapswitch.formats.command.Commands.BODY_LENGTH_OFFSET;
import static io.tapswitch.formats.command.Commands.BODY_OFFSET;
import static io.tapswitch.formats.command.Commands.COMMAND_ID_OFFSET;
import static io.tapswitch.formats.command.Commands.KEY_BYTES;
import static io.tapswitch.formats.command.Commands.TYPE_OFFSET;
import static io.tapswitch.formats.command.Commands.VERSION;
import static io.tapswitch.formats.command.Commands.VERSION_OFFSET;

/**
 * Encoders for every command type: each writes one complete command (header and body) at {@code offset} and
 * returns its length in bytes. Stateless; thread-safe as long as callers do not share the buffer.
 */
public final class CommandEncoder
{
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private CommandEncoder()
    {
    }

    /**
     * Writes a command header.
     *
     * @return the offset of the body.
     */
    public static int header(
        final MutableDirectBuffer buffer, final int offset, final long commandId, final int type, final int bodyLength)
    {
        buffer.putLong(offset + COMMAND_ID_OFFSET, commandId, LE);
        buffer.putShort(offset + TYPE_OFFSET, (short)type, LE);
        buffer.putShort(offset + VERSION_OFFSET, (short)VERSION, LE);
        buffer.putInt(offset + BODY_LENGTH_OFFSET, bodyLength, LE);
        return offset + BODY_OFFSET;
    }

    public static int defineOutlet(
        final MutableDirectBuffer buffer, final int offset, final long commandId, final int outletId,
        final int defaultProgramId)
    {
        final int length = Commands.DefineOutlet.BODY_LENGTH;
        final int body = header(buffer, offset, commandId, CommandType.DEFINE_OUTLET, length);
        buffer.putInt(body + Commands.DefineOutlet.OUTLET_ID_OFFSET, outletId, LE);
        buffer.putInt(body + Commands.DefineOutlet.DEFAULT_PROGRAM_ID_OFFSET, defaultProgramId, LE);
        return BODY_OFFSET + length;
    }

    /**
     * @param validFromDay   first valid city day (epoch day), or {@link Commands#OPEN_FROM_DAY}.
     * @param validToDay     last valid city day (epoch day, inclusive), or {@link Commands#OPEN_TO_DAY}.
     * @param windowStartMinute serving window start, minutes after city midnight (inclusive).
     * @param windowEndMinute   serving window end (exclusive); 0..1440 is all day; end &lt; start wraps midnight.
     * @param outletIds      the outlets that serve the program.
     */
    public static int defineProgram(
        final MutableDirectBuffer buffer, final int offset, final long commandId, final int programId,
        final int kind, final int unit, final int periodRule, final int quota, final int cycleDays,
        final int validFromDay, final int validToDay, final int windowStartMinute, final int windowEndMinute,
        final int[] outletIds)
    {
        final int length = Commands.DefineProgram.bodyLength(outletIds.length);
        final int body = header(buffer, offset, commandId, CommandType.DEFINE_PROGRAM, length);
        buffer.putInt(body + Commands.DefineProgram.PROGRAM_ID_OFFSET, programId, LE);
        buffer.putByte(body + Commands.DefineProgram.KIND_OFFSET, (byte)kind);
        buffer.putByte(body + Commands.DefineProgram.UNIT_OFFSET, (byte)unit);
        buffer.putByte(body + Commands.DefineProgram.PERIOD_OFFSET, (byte)periodRule);
        buffer.putByte(body + Commands.DefineProgram.PERIOD_OFFSET + 1, (byte)0);
        buffer.putInt(body + Commands.DefineProgram.QUOTA_OFFSET, quota, LE);
        buffer.putInt(body + Commands.DefineProgram.CYCLE_DAYS_OFFSET, cycleDays, LE);
        buffer.putInt(body + Commands.DefineProgram.VALID_FROM_DAY_OFFSET, validFromDay, LE);
        buffer.putInt(body + Commands.DefineProgram.VALID_TO_DAY_OFFSET, validToDay, LE);
        buffer.putShort(body + Commands.DefineProgram.WINDOW_START_MINUTE_OFFSET, (short)windowStartMinute, LE);
        buffer.putShort(body + Commands.DefineProgram.WINDOW_END_MINUTE_OFFSET, (short)windowEndMinute, LE);
        buffer.putShort(body + Commands.DefineProgram.OUTLET_COUNT_OFFSET, (short)outletIds.length, LE);
        buffer.putShort(body + Commands.DefineProgram.OUTLET_COUNT_OFFSET + 2, (short)0, LE);
        for (int i = 0; i < outletIds.length; i++)
        {
            buffer.putInt(body + Commands.DefineProgram.OUTLETS_OFFSET + 4 * i, outletIds[i], LE);
        }
        return BODY_OFFSET + length;
    }

    public static int registerTerminal(
        final MutableDirectBuffer buffer, final int offset, final long commandId, final long terminalId,
        final int outletId, final boolean enabled, final byte[] key)
    {
        checkKey(key);
        final int length = Commands.RegisterTerminal.BODY_LENGTH;
        final int body = header(buffer, offset, commandId, CommandType.REGISTER_TERMINAL, length);
        buffer.putLong(body + Commands.RegisterTerminal.TERMINAL_ID_OFFSET, terminalId, LE);
        buffer.putInt(body + Commands.RegisterTerminal.OUTLET_ID_OFFSET, outletId, LE);
        buffer.putInt(body + Commands.RegisterTerminal.ENABLED_OFFSET, enabled ? 1 : 0, LE);
        buffer.putBytes(body + Commands.RegisterTerminal.KEY_OFFSET, key, 0, KEY_BYTES);
        return BODY_OFFSET + length;
    }

    public static int setTerminalEnabled(
        final MutableDirectBuffer buffer, final int offset, final long commandId, final long terminalId,
        final boolean enabled)
    {
        final int length = Commands.SetTerminalEnabled.BODY_LENGTH;
        final int body = header(buffer, offset, commandId, CommandType.SET_TERMINAL_ENABLED, length);
        buffer.putLong(body + Commands.SetTerminalEnabled.TERMINAL_ID_OFFSET, terminalId, LE);
        buffer.putLong(body + Commands.SetTerminalEnabled.ENABLED_OFFSET, enabled ? 1 : 0, LE);
        return BODY_OFFSET + length;
    }

    public static int rotateKey(
        final MutableDirectBuffer buffer, final int offset, final long commandId, final long terminalId,
        final byte[] key)
    {
        checkKey(key);
        final int length = Commands.RotateKey.BODY_LENGTH;
        final int body = header(buffer, offset, commandId, CommandType.ROTATE_KEY, length);
        buffer.putLong(body + Commands.RotateKey.TERMINAL_ID_OFFSET, terminalId, LE);
        buffer.putBytes(body + Commands.RotateKey.KEY_OFFSET, key, 0, KEY_BYTES);
        return BODY_OFFSET + length;
    }

    /**
     * Encodes ROTATE_KEY_WITH_GRACE: the previous key stays valid for LOGON until {@code graceUntilMs}.
     */
    public static int rotateKeyWithGrace(
        final MutableDirectBuffer buffer, final int offset, final long commandId, final long terminalId,
        final byte[] key, final long graceUntilMs)
    {
        checkKey(key);
        final int length = Commands.RotateKeyWithGrace.BODY_LENGTH;
        final int body = header(buffer, offset, commandId, CommandType.ROTATE_KEY_WITH_GRACE, length);
        buffer.putLong(body + Commands.RotateKeyWithGrace.TERMINAL_ID_OFFSET, terminalId, LE);
        buffer.putBytes(body + Commands.RotateKeyWithGrace.KEY_OFFSET, key, 0, KEY_BYTES);
        buffer.putLong(body + Commands.RotateKeyWithGrace.GRACE_UNTIL_MS_OFFSET, graceUntilMs, LE);
        return BODY_OFFSET + length;
    }

    public static int setHousehold(
        final MutableDirectBuffer buffer, final int offset, final long commandId, final long holderId,
        final long householdId)
    {
        final int length = Commands.SetHousehold.BODY_LENGTH;
        final int body = header(buffer, offset, commandId, CommandType.SET_HOUSEHOLD, length);
        buffer.putLong(body + Commands.SetHousehold.HOLDER_ID_OFFSET, holderId, LE);
        buffer.putLong(body + Commands.SetHousehold.HOUSEHOLD_ID_OFFSET, householdId, LE);
        return BODY_OFFSET + length;
    }

    /**
     * @param expiryDay last valid city day of the card (epoch day, inclusive).
     */
    public static int issueCard(
        final MutableDirectBuffer buffer, final int offset, final long commandId, final long cardId,
        final long holderId, final int expiryDay, final int kind, final int status)
    {
        final int length = Commands.IssueCard.BODY_LENGTH;
        final int body = header(buffer, offset, commandId, CommandType.ISSUE_CARD, length);
        buffer.putLong(body + Commands.IssueCard.CARD_ID_OFFSET, cardId, LE);
        buffer.putLong(body + Commands.IssueCard.HOLDER_ID_OFFSET, holderId, LE);
        buffer.putInt(body + Commands.IssueCard.EXPIRY_DAY_OFFSET, expiryDay, LE);
        buffer.putByte(body + Commands.IssueCard.KIND_OFFSET, (byte)kind);
        buffer.putByte(body + Commands.IssueCard.STATUS_OFFSET, (byte)status);
        buffer.putShort(body + Commands.IssueCard.STATUS_OFFSET + 1, (short)0, LE);
        return BODY_OFFSET + length;
    }

    public static int setCardStatus(
        final MutableDirectBuffer buffer, final int offset, final long commandId, final long cardId, final int status)
    {
        final int length = Commands.SetCardStatus.BODY_LENGTH;
        final int body = header(buffer, offset, commandId, CommandType.SET_CARD_STATUS, length);
        buffer.putLong(body + Commands.SetCardStatus.CARD_ID_OFFSET, cardId, LE);
        buffer.putLong(body + Commands.SetCardStatus.STATUS_OFFSET, status & 0xFF, LE);
        return BODY_OFFSET + length;
    }

    public static int replaceCard(
        final MutableDirectBuffer buffer, final int offset, final long commandId, final long oldCardId,
        final long newCardId, final int expiryDay, final int kind)
    {
        final int length = Commands.ReplaceCard.BODY_LENGTH;
        final int body = header(buffer, offset, commandId, CommandType.REPLACE_CARD, length);
        buffer.putLong(body + Commands.ReplaceCard.OLD_CARD_ID_OFFSET, oldCardId, LE);
        buffer.putLong(body + Commands.ReplaceCard.NEW_CARD_ID_OFFSET, newCardId, LE);
        buffer.putInt(body + Commands.ReplaceCard.EXPIRY_DAY_OFFSET, expiryDay, LE);
        buffer.putInt(body + Commands.ReplaceCard.KIND_OFFSET, kind & 0xFF, LE);
        return BODY_OFFSET + length;
    }

    public static int grantEntitlement(
        final MutableDirectBuffer buffer, final int offset, final long commandId, final long holderId,
        final int programId)
    {
        return entitlement(buffer, offset, commandId, CommandType.GRANT_ENTITLEMENT, holderId, programId);
    }

    public static int revokeEntitlement(
        final MutableDirectBuffer buffer, final int offset, final long commandId, final long holderId,
        final int programId)
    {
        return entitlement(buffer, offset, commandId, CommandType.REVOKE_ENTITLEMENT, holderId, programId);
    }

    private static int entitlement(
        final MutableDirectBuffer buffer, final int offset, final long commandId, final int type, final long holderId,
        final int programId)
    {
        final int length = Commands.Entitlement.BODY_LENGTH;
        final int body = header(buffer, offset, commandId, type, length);
        buffer.putLong(body + Commands.Entitlement.HOLDER_ID_OFFSET, holderId, LE);
        buffer.putLong(body + Commands.Entitlement.PROGRAM_ID_OFFSET, programId & 0xFFFF_FFFFL, LE);
        return BODY_OFFSET + length;
    }

    private static void checkKey(final byte[] key)
    {
        if (key.length != KEY_BYTES)
        {
            throw new IllegalArgumentException("terminal key must be " + KEY_BYTES + " bytes: " + key.length);
        }
    }
}
