package io.tapswitch.formats.journal;

/**
 * Byte layout of the journal records (one or more per Chronicle Queue excerpt, back to back: {@link JournalExcerpt};
 * little-endian, offsets from the start of the record). See {@code switch/JOURNAL.md}.
 * <pre>
 *   0:4  recordLength  bytes of the whole record
 *   4:1  type          {@link #TYPE_TAP}, {@link #TYPE_REVERSAL}, {@link #TYPE_LOGON}, {@link #TYPE_COMMAND}
 *   5:1  version       {@link #VERSION_USAGE} (a TAP the switch writes), {@link #VERSION_CHECKSUMMED} (the other
 *                      records it writes), or {@link #VERSION} (no checksum: written before, or by a tool)
 *   6:2  checksum      versions 2 and 3: {@link JournalChecksum} of the record; version 1: 0
 *   8:8  sequence      1, 2, 3 … over all records, across restarts; the receipt of a TAP / REVERSAL
 *   16:8 timeMs        the time the input was stamped with on entry (epoch ms, UTC)
 * </pre>
 */
public final class JournalRecord
{
    public static final int RECORD_LENGTH_OFFSET = 0;
    public static final int TYPE_OFFSET = 4;
    public static final int VERSION_OFFSET = 5;
    public static final int SEQUENCE_OFFSET = 8;
    public static final int TIME_MS_OFFSET = 16;
    public static final int HEADER_BYTES = 24;
    /** Records without a checksum (written before the checksum, or by tools). */
    public static final int VERSION = 1;
    /** Records whose header holds a {@link JournalChecksum} at {@link #CHECKSUM_OFFSET}. */
    public static final int VERSION_CHECKSUMMED = 2;
    /**
     * Checksummed as {@link #VERSION_CHECKSUMMED}; a TAP of this version is {@link #TAP_USAGE_LENGTH} bytes: the
     * version 2 layout followed by the usage counter the decision read and took from ({@link #TAP_USAGE_UNIT_OFFSET},
     * {@link #TAP_USAGE_PERIOD_OFFSET}), so that a replay applies it without looking up the card and its holder
     * (issue 14). Readers of version 2 records read a version 3 TAP as before: the first 88 bytes are the same.
     */
    public static final int VERSION_USAGE = 3;
    public static final int CHECKSUM_OFFSET = 6;

    public static final int TYPE_TAP = 1;
    public static final int TYPE_REVERSAL = 2;
    public static final int TYPE_LOGON = 3;
    public static final int TYPE_COMMAND = 4;

    /** TAP, REVERSAL and LOGON: the terminal. */
    public static final int TERMINAL_ID_OFFSET = 24;
    /** TAP and REVERSAL: the request's correlation. */
    public static final int CORRELATION_OFFSET = 32;
    /** TAP and REVERSAL: the terminal's outlet at decision time (0 if the terminal is unknown). */
    public static final int OUTLET_ID_OFFSET = 36;
    /** TAP and REVERSAL: the card id of the request. */
    public static final int CARD_ID_OFFSET = 40;
    /** TAP and REVERSAL: the card's holder, 0 when the card is unknown. */
    public static final int HOLDER_ID_OFFSET = 48;
    /** TAP: programId as requested (0 = outlet default). REVERSAL: the original correlation. */
    public static final int TAP_REQUESTED_PROGRAM_ID_OFFSET = 56;
    public static final int REVERSAL_ORIGINAL_CORRELATION_OFFSET = 56;
    /** TAP: the program decided on (0 when it could not be resolved). REVERSAL: the original tap's program. */
    public static final int PROGRAM_ID_OFFSET = 60;
    /** TAP: quantity (u16). */
    public static final int TAP_QUANTITY_OFFSET = 64;
    /** TAP: flags (u16). */
    public static final int TAP_FLAGS_OFFSET = 66;
    /** REVERSAL: quantity given back to the entitlement (i32). */
    public static final int REVERSAL_RESTORED_OFFSET = 64;
    /** TAP and REVERSAL: decision byte (protocol Decision). */
    public static final int DECISION_OFFSET = 68;
    /** TAP and REVERSAL: reason byte (protocol ReasonCode). */
    public static final int REASON_OFFSET = 69;
    /** TAP and REVERSAL: remaining as answered (i32, −1 when no entitlement concerned). */
    public static final int REMAINING_OFFSET = 72;
    /** TAP: quantity taken from the entitlement's current period (i32; 0 for declines and earlier-period advices). */
    public static final int TAP_TAKEN_OFFSET = 76;
    /** TAP: terminalTimeMillis of the request. */
    public static final int TAP_TERMINAL_TIME_MS_OFFSET = 80;
    /** REVERSAL: the receipt of the original tap, 0 when not found. */
    public static final int REVERSAL_ORIGINAL_RECEIPT_OFFSET = 80;
    /** A TAP of version 1 or 2 (and what tools write through {@link JournalEncoder#header}). */
    public static final int TAP_LENGTH = 88;
    /**
     * TAP, version 3: the switch's row of the usage counter the decision read (the holder's index for a person
     * program, the household's for a household program, in the switch's tables: an index, not an id, meaningful to the
     * switch's replay only); −1 when the card's holder is not enrolled in the program (no counter read).
     */
    public static final int TAP_USAGE_UNIT_OFFSET = 88;
    /**
     * TAP, version 3: the period key of that counter at the decision (day, week, month or cycle number, by the
     * program's period rule; see the engine's CityClock); 0 when no counter was read.
     */
    public static final int TAP_USAGE_PERIOD_OFFSET = 92;
    /** A TAP of version 3 ({@link #VERSION_USAGE}). */
    public static final int TAP_USAGE_LENGTH = 96;
    public static final int REVERSAL_LENGTH = 88;

    /** LOGON: timestampMillis of the request. */
    public static final int LOGON_TIMESTAMP_MS_OFFSET = 32;
    /** LOGON: the 16-byte nonce. */
    public static final int LOGON_NONCE_OFFSET = 40;
    public static final int LOGON_NONCE_BYTES = 16;
    /** LOGON: result code sent in LOGON_RESULT. */
    public static final int LOGON_RESULT_OFFSET = 56;
    /** LOGON: 1 when the mac was valid (the nonce is then remembered), else 0. */
    public static final int LOGON_MAC_VALID_OFFSET = 57;
    public static final int LOGON_LENGTH = 64;

    /** COMMAND: the command id. */
    public static final int COMMAND_ID_OFFSET = 24;
    /** COMMAND: the command type (u16). */
    public static final int COMMAND_TYPE_OFFSET = 32;
    /** COMMAND: {@link #OUTCOME_APPLIED} or {@link #OUTCOME_REJECTED}. */
    public static final int COMMAND_OUTCOME_OFFSET = 34;
    /** COMMAND: the reject reason (CommandRejectReason), 0 when applied. */
    public static final int COMMAND_REJECT_REASON_OFFSET = 35;
    /** COMMAND: length of the command bytes that follow. */
    public static final int COMMAND_LENGTH_OFFSET = 36;
    /** COMMAND: index of the command's excerpt in the commands queue. */
    public static final int COMMAND_QUEUE_INDEX_OFFSET = 40;
    /** COMMAND: the command exactly as read from the commands queue. */
    public static final int COMMAND_BYTES_OFFSET = 48;

    /** Largest record: a COMMAND record holding the largest command. */
    public static final int MAX_RECORD_BYTES = COMMAND_BYTES_OFFSET + 64 * 1024;

    public static final int OUTCOME_APPLIED = 0;
    public static final int OUTCOME_REJECTED = 1;

    private JournalRecord()
    {
    }

    public static String typeName(final int type)
    {
        switch (type)
        {
            case TYPE_TAP: return "TAP";
            case TYPE_REVERSAL: return "REVERSAL";
            case TYPE_LOGON: return "LOGON";
            case TYPE_COMMAND: return "COMMAND";
            default: return "UNKNOWN";
        }
    }
}
