package io.tapswitch.admin.outbox;

import java.time.LocalDate;
import java.util.Arrays;

import io.tapswitch.formats.command.CommandEncoder;
import io.tapswitch.formats.command.CommandType;
import io.tapswitch.formats.command.Commands;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A command for the switch as the outbox stores it: its {@link CommandType} and its body in the switch's
 * binary format (encoded with the switch's own {@link CommandEncoder}); the publisher writes the header
 * with the outbox row id as the command id. Commands carry ids and codes only, never personal data.
 * <p>
 * Immutable, thread-safe (the body array is not exposed for writing by convention).
 *
 * @param type   the command type.
 * @param body   the body bytes.
 * @param secret true when the body holds a terminal key (sealed at rest, erased once published).
 */
public record SwitchCommand(int type, byte[] body, boolean secret)
{
    /** Epoch day used for "no lower bound". */
    public static final int OPEN_FROM_DAY = Commands.OPEN_FROM_DAY;
    /** Epoch day used for "no upper bound". */
    public static final int OPEN_TO_DAY = Commands.OPEN_TO_DAY;

    private static SwitchCommand of(final UnsafeBuffer buffer, final int length, final boolean secret)
    {
        final int type = buffer.getShort(Commands.TYPE_OFFSET, java.nio.ByteOrder.LITTLE_ENDIAN);
        final byte[] body = Arrays.copyOfRange(buffer.byteArray(), Commands.BODY_OFFSET, length);
        Arrays.fill(buffer.byteArray(), (byte)0);
        return new SwitchCommand(type, body, secret);
    }

    private static UnsafeBuffer scratch()
    {
        return new UnsafeBuffer(new byte[Commands.MAX_COMMAND_BYTES]);
    }

    public static SwitchCommand defineOutlet(final int outletId, final int defaultProgramId)
    {
        final UnsafeBuffer b = scratch();
        return of(b, CommandEncoder.defineOutlet(b, 0, 0, outletId, defaultProgramId), false);
    }

    /**
     * @param windowStartMinute minutes after city midnight; 0 with end 1440 for all day.
     */
    public static SwitchCommand defineProgram(final int programId, final int kind, final int unit, final int periodRule,
        final int quota, final int cycleDays, final LocalDate validFrom, final LocalDate validTo,
        final int windowStartMinute, final int windowEndMinute, final int[] outletIds)
    {
        final UnsafeBuffer b = scratch();
        final int length = CommandEncoder.defineProgram(b, 0, 0, programId, kind, unit, periodRule, quota, cycleDays,
            validFrom == null ? OPEN_FROM_DAY : (int)validFrom.toEpochDay(),
            validTo == null ? OPEN_TO_DAY : (int)validTo.toEpochDay(),
            windowStartMinute, windowEndMinute, outletIds);
        return of(b, length, false);
    }

    public static SwitchCommand registerTerminal(final long terminalId, final int outletId, final boolean enabled,
        final byte[] key)
    {
        final UnsafeBuffer b = scratch();
        return of(b, CommandEncoder.registerTerminal(b, 0, 0, terminalId, outletId, enabled, key), true);
    }

    public static SwitchCommand setTerminalEnabled(final long terminalId, final boolean enabled)
    {
        final UnsafeBuffer b = scratch();
        return of(b, CommandEncoder.setTerminalEnabled(b, 0, 0, terminalId, enabled), false);
    }

    /**
     * ROTATE_KEY_WITH_GRACE: the replaced key stays valid for LOGON until {@code graceUntilMs} (0 = no grace).
     */
    public static SwitchCommand rotateKeyWithGrace(final long terminalId, final byte[] key, final long graceUntilMs)
    {
        final UnsafeBuffer b = scratch();
        return of(b, CommandEncoder.rotateKeyWithGrace(b, 0, 0, terminalId, key, graceUntilMs), true);
    }

    public static SwitchCommand rotateKey(final long terminalId, final byte[] key)
    {
        final UnsafeBuffer b = scratch();
        return of(b, CommandEncoder.rotateKey(b, 0, 0, terminalId, key), true);
    }

    /**
     * @param householdId the household, 0 for a household of its own.
     */
    public static SwitchCommand setHousehold(final long holderId, final long householdId)
    {
        final UnsafeBuffer b = scratch();
        return of(b, CommandEncoder.setHousehold(b, 0, 0, holderId, householdId), false);
    }

    public static SwitchCommand issueCard(final long cardId, final long holderId, final LocalDate expiry, final int kind,
        final int status)
    {
        final UnsafeBuffer b = scratch();
        return of(b, CommandEncoder.issueCard(b, 0, 0, cardId, holderId, (int)expiry.toEpochDay(), kind, status), false);
    }

    public static SwitchCommand setCardStatus(final long cardId, final int status)
    {
        final UnsafeBuffer b = scratch();
        return of(b, CommandEncoder.setCardStatus(b, 0, 0, cardId, status), false);
    }

    public static SwitchCommand replaceCard(final long oldCardId, final long newCardId, final LocalDate expiry,
        final int kind)
    {
        final UnsafeBuffer b = scratch();
        return of(b, CommandEncoder.replaceCard(b, 0, 0, oldCardId, newCardId, (int)expiry.toEpochDay(), kind), false);
    }

    public static SwitchCommand grantEntitlement(final long holderId, final int programId)
    {
        final UnsafeBuffer b = scratch();
        return of(b, CommandEncoder.grantEntitlement(b, 0, 0, holderId, programId), false);
    }

    public static SwitchCommand revokeEntitlement(final long holderId, final int programId)
    {
        final UnsafeBuffer b = scratch();
        return of(b, CommandEncoder.revokeEntitlement(b, 0, 0, holderId, programId), false);
    }

    /**
     * @param buffer a command (header at 0) built by another encoder, e.g. an ISSUE_CARDS batch.
     * @param length its length.
     * @return the command.
     */
    public static SwitchCommand ofEncoded(final UnsafeBuffer buffer, final int length)
    {
        final int type = buffer.getShort(Commands.TYPE_OFFSET, java.nio.ByteOrder.LITTLE_ENDIAN);
        return new SwitchCommand(type, Arrays.copyOfRange(buffer.byteArray(), Commands.BODY_OFFSET, length), false);
    }

    @Override
    public String toString()
    {
        return "SwitchCommand[" + CommandType.name(type) + ", " + body.length + " bytes" + (secret ? ", sealed" : "") + "]";
    }
}
