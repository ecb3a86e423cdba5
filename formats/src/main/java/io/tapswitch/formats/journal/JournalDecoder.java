package io.tapswitch.formats.journal;

import java.nio.ByteOrder;

import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.formats.command.CommandRejectReason;
import io.tapswitch.formats.command.CommandType;
import org.agrona.DirectBuffer;

/**
 * Flyweight over one journal record ({@link JournalRecord} layout). Getters that do not apply to the record's type
 * return whatever bytes stand at that offset: check {@link #type()} first. Not thread-safe; reusable with
 * {@link #wrap}.
 */
public final class JournalDecoder
{
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private DirectBuffer buffer;
    private int offset;
    private int length;

    public JournalDecoder wrap(final DirectBuffer buffer, final int offset, final int length)
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

    /**
     * @return bytes available in the excerpt.
     */
    public int length()
    {
        return length;
    }

    public int recordLength()
    {
        return buffer.getInt(offset + JournalRecord.RECORD_LENGTH_OFFSET, LE);
    }

    public int type()
    {
        return buffer.getByte(offset + JournalRecord.TYPE_OFFSET) & 0xFF;
    }

    public int version()
    {
        return buffer.getByte(offset + JournalRecord.VERSION_OFFSET) & 0xFF;
    }

    /**
     * @return the record's sequence; for TAP and REVERSAL it is the receipt.
     */
    public long sequence()
    {
        return buffer.getLong(offset + JournalRecord.SEQUENCE_OFFSET, LE);
    }

    public long receipt()
    {
        return sequence();
    }

    public long timeMs()
    {
        return buffer.getLong(offset + JournalRecord.TIME_MS_OFFSET, LE);
    }

    public long terminalId()
    {
        return buffer.getLong(offset + JournalRecord.TERMINAL_ID_OFFSET, LE);
    }

    public int correlation()
    {
        return buffer.getInt(offset + JournalRecord.CORRELATION_OFFSET, LE);
    }

    public int outletId()
    {
        return buffer.getInt(offset + JournalRecord.OUTLET_ID_OFFSET, LE);
    }

    public long cardId()
    {
        return buffer.getLong(offset + JournalRecord.CARD_ID_OFFSET, LE);
    }

    public long holderId()
    {
        return buffer.getLong(offset + JournalRecord.HOLDER_ID_OFFSET, LE);
    }

    public int requestedProgramId()
    {
        return buffer.getInt(offset + JournalRecord.TAP_REQUESTED_PROGRAM_ID_OFFSET, LE);
    }

    public int originalCorrelation()
    {
        return buffer.getInt(offset + JournalRecord.REVERSAL_ORIGINAL_CORRELATION_OFFSET, LE);
    }

    public int programId()
    {
        return buffer.getInt(offset + JournalRecord.PROGRAM_ID_OFFSET, LE);
    }

    public int quantity()
    {
        return buffer.getShort(offset + JournalRecord.TAP_QUANTITY_OFFSET, LE) & 0xFFFF;
    }

    public int flags()
    {
        return buffer.getShort(offset + JournalRecord.TAP_FLAGS_OFFSET, LE) & 0xFFFF;
    }

    public int restored()
    {
        return buffer.getInt(offset + JournalRecord.REVERSAL_RESTORED_OFFSET, LE);
    }

    public int decision()
    {
        return buffer.getByte(offset + JournalRecord.DECISION_OFFSET) & 0xFF;
    }

    public int reason()
    {
        return buffer.getByte(offset + JournalRecord.REASON_OFFSET) & 0xFF;
    }

    public int remaining()
    {
        return buffer.getInt(offset + JournalRecord.REMAINING_OFFSET, LE);
    }

    public int taken()
    {
        return buffer.getInt(offset + JournalRecord.TAP_TAKEN_OFFSET, LE);
    }

    /**
     * @return true for a TAP that holds the usage counter its decision read ({@link JournalRecord#VERSION_USAGE}):
     * {@link #usageUnit()} and {@link #usagePeriod()} apply.
     */
    public boolean hasUsage()
    {
        return version() == JournalRecord.VERSION_USAGE && type() == JournalRecord.TYPE_TAP &&
            recordLength() >= JournalRecord.TAP_USAGE_LENGTH;
    }

    /**
     * @return TAP of version 3: the switch's row of the usage counter the decision read (see
     * {@link JournalRecord#TAP_USAGE_UNIT_OFFSET}); check {@link #hasUsage()} first.
     */
    public int usageUnit()
    {
        return buffer.getInt(offset + JournalRecord.TAP_USAGE_UNIT_OFFSET, LE);
    }

    /**
     * @return TAP of version 3: the period key of that counter at the decision; check {@link #hasUsage()} first.
     */
    public int usagePeriod()
    {
        return buffer.getInt(offset + JournalRecord.TAP_USAGE_PERIOD_OFFSET, LE);
    }

    public long terminalTimeMs()
    {
        return buffer.getLong(offset + JournalRecord.TAP_TERMINAL_TIME_MS_OFFSET, LE);
    }

    public long originalReceipt()
    {
        return buffer.getLong(offset + JournalRecord.REVERSAL_ORIGINAL_RECEIPT_OFFSET, LE);
    }

    public long logonTimestampMs()
    {
        return buffer.getLong(offset + JournalRecord.LOGON_TIMESTAMP_MS_OFFSET, LE);
    }

    /**
     * @param index 0..15.
     * @return one byte of the LOGON nonce.
     */
    public int nonceByte(final int index)
    {
        return buffer.getByte(offset + JournalRecord.LOGON_NONCE_OFFSET + index) & 0xFF;
    }

    public int logonResult()
    {
        return buffer.getByte(offset + JournalRecord.LOGON_RESULT_OFFSET) & 0xFF;
    }

    public boolean logonMacValid()
    {
        return buffer.getByte(offset + JournalRecord.LOGON_MAC_VALID_OFFSET) != 0;
    }

    public long commandId()
    {
        return buffer.getLong(offset + JournalRecord.COMMAND_ID_OFFSET, LE);
    }

    public int commandType()
    {
        return buffer.getShort(offset + JournalRecord.COMMAND_TYPE_OFFSET, LE) & 0xFFFF;
    }

    public int commandOutcome()
    {
        return buffer.getByte(offset + JournalRecord.COMMAND_OUTCOME_OFFSET) & 0xFF;
    }

    public int commandRejectReason()
    {
        return buffer.getByte(offset + JournalRecord.COMMAND_REJECT_REASON_OFFSET) & 0xFF;
    }

    public int commandLength()
    {
        return buffer.getInt(offset + JournalRecord.COMMAND_LENGTH_OFFSET, LE);
    }

    public long commandQueueIndex()
    {
        return buffer.getLong(offset + JournalRecord.COMMAND_QUEUE_INDEX_OFFSET, LE);
    }

    /**
     * @return absolute offset in {@link #buffer()} of the command bytes of a COMMAND record.
     */
    public int commandBytesOffset()
    {
        return offset + JournalRecord.COMMAND_BYTES_OFFSET;
    }

    /**
     * @return a one-line description for tools and test failure messages (allocates; not for the hot path).
     */
    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder(160);
        sb.append(JournalRecord.typeName(type())).append(" seq=").append(sequence()).append(" t=").append(timeMs());
        switch (type())
        {
            case JournalRecord.TYPE_TAP:
                sb.append(" terminal=").append(terminalId()).append(" corr=").append(correlation())
                    .append(" outlet=").append(outletId()).append(" card=").append(cardId())
                    .append(" holder=").append(holderId()).append(" program=").append(programId())
                    .append('/').append(requestedProgramId()).append(" qty=").append(quantity())
                    .append(" flags=").append(flags()).append(" termTime=").append(terminalTimeMs())
                    .append(' ').append(Decision.name(decision())).append(' ').append(ReasonCode.name(reason()))
                    .append(" remaining=").append(remaining()).append(" taken=").append(taken());
                break;
            case JournalRecord.TYPE_REVERSAL:
                sb.append(" terminal=").append(terminalId()).append(" corr=").append(correlation())
                    .append(" original=").append(originalCorrelation()).append(" card=").append(cardId())
                    .append(" program=").append(programId()).append(' ').append(Decision.name(decision()))
                    .append(' ').append(ReasonCode.name(reason())).append(" remaining=").append(remaining())
                    .append(" restored=").append(restored()).append(" originalReceipt=").append(originalReceipt());
                break;
            case JournalRecord.TYPE_LOGON:
                sb.append(" terminal=").append(terminalId()).append(" ts=").append(logonTimestampMs())
                    .append(' ').append(ReasonCode.name(logonResult())).append(" macValid=").append(logonMacValid());
                break;
            case JournalRecord.TYPE_COMMAND:
                sb.append(" id=").append(commandId()).append(' ').append(CommandType.name(commandType()))
                    .append(commandOutcome() == JournalRecord.OUTCOME_APPLIED ? " APPLIED" :
                    " REJECTED " + CommandRejectReason.name(commandRejectReason()));
                break;
            default:
                break;
        }
        return sb.toString();
    }
}
