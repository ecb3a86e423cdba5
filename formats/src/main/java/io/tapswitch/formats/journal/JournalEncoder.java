package io.tapswitch.formats.journal;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Writes the journal records ({@code switch/JOURNAL.md}, offsets in {@link JournalRecord}) at offset 0 of a buffer,
 * padding included, the counterpart of {@link JournalDecoder}. Static and allocation-free; safe from any thread with
 * a buffer that thread owns. Each method returns the record's length (what to append).
 */
public final class JournalEncoder
{
    private JournalEncoder()
    {
    }

    /**
     * Writes the 24-byte header every record starts with.
     */
    public static void header(
        final MutableDirectBuffer b, final int type, final int recordLength, final long sequence, final long timeMs)
    {
        b.putInt(JournalRecord.RECORD_LENGTH_OFFSET, recordLength, LITTLE_ENDIAN);
        b.putByte(JournalRecord.TYPE_OFFSET, (byte)type);
        b.putByte(JournalRecord.VERSION_OFFSET, (byte)JournalRecord.VERSION);
        b.putShort(JournalRecord.VERSION_OFFSET + 1, (short)0, LITTLE_ENDIAN);
        b.putLong(JournalRecord.SEQUENCE_OFFSET, sequence, LITTLE_ENDIAN);
        b.putLong(JournalRecord.TIME_MS_OFFSET, timeMs, LITTLE_ENDIAN);
    }

    /**
     * A TAP decision of version 3 ({@link JournalRecord#VERSION_USAGE}, 96 bytes): the version 2 fields and the usage
     * counter the decision read and took from ({@code usageUnit}, {@code usagePeriod}; both 0 when none).
     *
     * @return {@link JournalRecord#TAP_USAGE_LENGTH}.
     */
    public static int tapWithUsage(
        final MutableDirectBuffer b, final long receipt, final long timeMs, final long terminalId,
        final int correlation, final int outletId, final long cardId, final long holderId,
        final int requestedProgramId, final int programId, final int quantity, final int flags, final int decision,
        final int reason, final int remaining, final int taken, final long terminalTimeMs, final int usageUnit,
        final int usagePeriod)
    {
        tapFields(b, JournalRecord.TAP_USAGE_LENGTH, receipt, timeMs, terminalId, correlation, outletId, cardId,
            holderId, requestedProgramId, programId, quantity, flags, decision, reason, remaining, taken, terminalTimeMs);
        b.putByte(JournalRecord.VERSION_OFFSET, (byte)JournalRecord.VERSION_USAGE);
        b.putInt(JournalRecord.TAP_USAGE_UNIT_OFFSET, usageUnit, LITTLE_ENDIAN);
        b.putInt(JournalRecord.TAP_USAGE_PERIOD_OFFSET, usagePeriod, LITTLE_ENDIAN);
        return JournalRecord.TAP_USAGE_LENGTH;
    }

    /**
     * A TAP decision of version 2 (88 bytes, no usage counter; sealed as version 2 by the writer): what the switch
     * wrote before version 3 ({@link #tapWithUsage}); for tools, and for the tests that such records are still read
     * and replayed.
     *
     * @return {@link JournalRecord#TAP_LENGTH}.
     */
    public static int tap(
        final MutableDirectBuffer b, final long receipt, final long timeMs, final long terminalId,
        final int correlation, final int outletId, final long cardId, final long holderId,
        final int requestedProgramId, final int programId, final int quantity, final int flags, final int decision,
        final int reason, final int remaining, final int taken, final long terminalTimeMs)
    {
        tapFields(b, JournalRecord.TAP_LENGTH, receipt, timeMs, terminalId, correlation, outletId, cardId, holderId,
            requestedProgramId, programId, quantity, flags, decision, reason, remaining, taken, terminalTimeMs);
        return JournalRecord.TAP_LENGTH;
    }

    /** The header and the fields versions 2 and 3 of a TAP share (the first 88 bytes). */
    private static void tapFields(
        final MutableDirectBuffer b, final int length, final long receipt, final long timeMs, final long terminalId,
        final int correlation, final int outletId, final long cardId, final long holderId,
        final int requestedProgramId, final int programId, final int quantity, final int flags, final int decision,
        final int reason, final int remaining, final int taken, final long terminalTimeMs)
    {
        header(b, JournalRecord.TYPE_TAP, length, receipt, timeMs);
        b.putLong(JournalRecord.TERMINAL_ID_OFFSET, terminalId, LITTLE_ENDIAN);
        b.putInt(JournalRecord.CORRELATION_OFFSET, correlation, LITTLE_ENDIAN);
        b.putInt(JournalRecord.OUTLET_ID_OFFSET, outletId, LITTLE_ENDIAN);
        b.putLong(JournalRecord.CARD_ID_OFFSET, cardId, LITTLE_ENDIAN);
        b.putLong(JournalRecord.HOLDER_ID_OFFSET, holderId, LITTLE_ENDIAN);
        b.putInt(JournalRecord.TAP_REQUESTED_PROGRAM_ID_OFFSET, requestedProgramId, LITTLE_ENDIAN);
        b.putInt(JournalRecord.PROGRAM_ID_OFFSET, programId, LITTLE_ENDIAN);
        b.putShort(JournalRecord.TAP_QUANTITY_OFFSET, (short)quantity, LITTLE_ENDIAN);
        b.putShort(JournalRecord.TAP_FLAGS_OFFSET, (short)flags, LITTLE_ENDIAN);
        b.putByte(JournalRecord.DECISION_OFFSET, (byte)decision);
        b.putByte(JournalRecord.REASON_OFFSET, (byte)reason);
        b.putShort(JournalRecord.REASON_OFFSET + 1, (short)0, LITTLE_ENDIAN);
        b.putInt(JournalRecord.REMAINING_OFFSET, remaining, LITTLE_ENDIAN);
        b.putInt(JournalRecord.TAP_TAKEN_OFFSET, taken, LITTLE_ENDIAN);
        b.putLong(JournalRecord.TAP_TERMINAL_TIME_MS_OFFSET, terminalTimeMs, LITTLE_ENDIAN);
    }

    /**
     * A REVERSAL decision (88 bytes).
     *
     * @return {@link JournalRecord#REVERSAL_LENGTH}.
     */
    public static int reversal(
        final MutableDirectBuffer b, final long receipt, final long timeMs, final long terminalId,
        final int correlation, final int outletId, final long cardId, final long holderId,
        final int originalCorrelation, final int programId, final int restored, final int decision, final int reason,
        final int remaining, final long originalReceipt)
    {
        header(b, JournalRecord.TYPE_REVERSAL, JournalRecord.REVERSAL_LENGTH, receipt, timeMs);
        b.putLong(JournalRecord.TERMINAL_ID_OFFSET, terminalId, LITTLE_ENDIAN);
        b.putInt(JournalRecord.CORRELATION_OFFSET, correlation, LITTLE_ENDIAN);
        b.putInt(JournalRecord.OUTLET_ID_OFFSET, outletId, LITTLE_ENDIAN);
        b.putLong(JournalRecord.CARD_ID_OFFSET, cardId, LITTLE_ENDIAN);
        b.putLong(JournalRecord.HOLDER_ID_OFFSET, holderId, LITTLE_ENDIAN);
        b.putInt(JournalRecord.REVERSAL_ORIGINAL_CORRELATION_OFFSET, originalCorrelation, LITTLE_ENDIAN);
        b.putInt(JournalRecord.PROGRAM_ID_OFFSET, programId, LITTLE_ENDIAN);
        b.putInt(JournalRecord.REVERSAL_RESTORED_OFFSET, restored, LITTLE_ENDIAN);
        b.putByte(JournalRecord.DECISION_OFFSET, (byte)decision);
        b.putByte(JournalRecord.REASON_OFFSET, (byte)reason);
        b.putShort(JournalRecord.REASON_OFFSET + 1, (short)0, LITTLE_ENDIAN);
        b.putInt(JournalRecord.REMAINING_OFFSET, remaining, LITTLE_ENDIAN);
        b.putInt(JournalRecord.TAP_TAKEN_OFFSET, 0, LITTLE_ENDIAN);
        b.putLong(JournalRecord.REVERSAL_ORIGINAL_RECEIPT_OFFSET, originalReceipt, LITTLE_ENDIAN);
        return JournalRecord.REVERSAL_LENGTH;
    }

    /**
     * A LOGON outcome (64 bytes).
     *
     * @return {@link JournalRecord#LOGON_LENGTH}.
     */
    public static int logon(
        final MutableDirectBuffer b, final long sequence, final long timeMs, final long terminalId,
        final long timestampMs, final long nonceHi, final long nonceLo, final int result, final boolean macValid)
    {
        header(b, JournalRecord.TYPE_LOGON, JournalRecord.LOGON_LENGTH, sequence, timeMs);
        b.putLong(JournalRecord.TERMINAL_ID_OFFSET, terminalId, LITTLE_ENDIAN);
        b.putLong(JournalRecord.LOGON_TIMESTAMP_MS_OFFSET, timestampMs, LITTLE_ENDIAN);
        b.putLong(JournalRecord.LOGON_NONCE_OFFSET, nonceHi, LITTLE_ENDIAN);
        b.putLong(JournalRecord.LOGON_NONCE_OFFSET + 8, nonceLo, LITTLE_ENDIAN);
        b.putByte(JournalRecord.LOGON_RESULT_OFFSET, (byte)result);
        b.putByte(JournalRecord.LOGON_MAC_VALID_OFFSET, (byte)(macValid ? 1 : 0));
        b.putShort(JournalRecord.LOGON_MAC_VALID_OFFSET + 1, (short)0, LITTLE_ENDIAN);
        b.putInt(JournalRecord.LOGON_MAC_VALID_OFFSET + 3, 0, LITTLE_ENDIAN);
        return JournalRecord.LOGON_LENGTH;
    }

    /**
     * An applied or rejected admin command with its bytes (48 + length bytes).
     *
     * @return {@link JournalRecord#COMMAND_BYTES_OFFSET} + length.
     */
    public static int command(
        final MutableDirectBuffer b, final long sequence, final long timeMs, final long commandId,
        final int commandType, final int outcome, final int rejectReason, final long queueIndex,
        final DirectBuffer command, final int commandOffset, final int length)
    {
        header(b, JournalRecord.TYPE_COMMAND, JournalRecord.COMMAND_BYTES_OFFSET + length, sequence, timeMs);
        b.putLong(JournalRecord.COMMAND_ID_OFFSET, commandId, LITTLE_ENDIAN);
        b.putShort(JournalRecord.COMMAND_TYPE_OFFSET, (short)commandType, LITTLE_ENDIAN);
        b.putByte(JournalRecord.COMMAND_OUTCOME_OFFSET, (byte)outcome);
        b.putByte(JournalRecord.COMMAND_REJECT_REASON_OFFSET, (byte)rejectReason);
        b.putInt(JournalRecord.COMMAND_LENGTH_OFFSET, length, LITTLE_ENDIAN);
        b.putLong(JournalRecord.COMMAND_QUEUE_INDEX_OFFSET, queueIndex, LITTLE_ENDIAN);
        b.putBytes(JournalRecord.COMMAND_BYTES_OFFSET, command, commandOffset, length);
        return JournalRecord.COMMAND_BYTES_OFFSET + length;
    }
}
