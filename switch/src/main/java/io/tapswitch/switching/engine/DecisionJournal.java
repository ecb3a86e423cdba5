package io.tapswitch.switching.engine;

import io.tapswitch.formats.command.CommandDecoder;
import io.tapswitch.formats.command.CommandRejectReason;
import io.tapswitch.formats.journal.JournalDecoder;
import io.tapswitch.formats.journal.JournalEncoder;
import io.tapswitch.formats.journal.JournalRecord;
import io.tapswitch.switching.journal.JournalWriter;

/**
 * Where a decision meets the journal: the sequence (the receipt of a TAP or REVERSAL), the record each decision appends
 * before it takes effect, and — while a recovery replays the journal ({@link #replaying}) — the check that a decision
 * made again equals the journaled one instead of an append ({@link #replayMismatches}).
 * <p>
 * The rules call {@link #nextSequence()} and then {@link #tap}, {@link #reversal}, {@link #logon} or {@link #command};
 * nothing here decides anything. Not thread-safe; engine thread.
 */
final class DecisionJournal
{
    private final JournalWriter writer;
    private final EngineCounters counters;

    /** Sequence of the last journal record (the last receipt issued or the last command / logon journaled). */
    long sequence;
    /** Queue index of the last journal excerpt written (flushed) or replayed, -1 if none. */
    long lastJournalIndex = -1;
    /** True while a recovery decides the journal's records again: nothing is appended, each result is compared. */
    boolean replaying;
    /** The sequence of the record being replayed. */
    long replaySequence;
    /** The record being replayed. */
    JournalDecoder replayed;
    /** The journaled outcome of the command being replayed. */
    int replayedOutcome;
    /** Replayed records whose outcome differs from the journaled one. */
    long replayMismatches;
    /** A replica's journal holds every record up to this sequence already ({@link Engine#openReplica}); 0 otherwise. */
    long heldThrough;

    DecisionJournal(final JournalWriter writer, final EngineCounters counters)
    {
        this.writer = writer;
        this.counters = counters;
    }

    JournalWriter writer()
    {
        return writer;
    }

    /** The sequence of the next record: the next one live, the journaled one during a replay. */
    long nextSequence()
    {
        if (replaying)
        {
            sequence = replaySequence;
        }
        else
        {
            sequence++;
        }
        return sequence;
    }

    /** Journals a TAP decision (live), or checks it against the replayed record. */
    void tap(
        final Outcome r, final long nowMs, final long terminalId, final int correlation, final long cardId,
        final int requestedProgramId, final int quantity, final int flags, final long terminalTimeMs)
    {
        if (replaying)
        {
            checkReplayed(r);
            return;
        }
        append(JournalEncoder.tapWithUsage(writer.buffer(), r.receipt, nowMs, terminalId, correlation, r.outletId, cardId,
            r.holderId, requestedProgramId, r.programId, quantity, flags, r.decision, r.reason, r.remaining, r.taken,
            terminalTimeMs, r.unit, r.period));
    }

    /** Journals a REVERSAL decision (live), or checks it against the replayed record. */
    void reversal(
        final Outcome r, final long nowMs, final long terminalId, final int correlation, final int originalCorrelation,
        final long cardId, final int restored, final long originalReceipt)
    {
        if (replaying)
        {
            checkReplayed(r);
            return;
        }
        append(JournalEncoder.reversal(writer.buffer(), r.receipt, nowMs, terminalId, correlation, r.outletId, cardId,
            r.holderId, originalCorrelation, r.programId, restored, r.decision, r.reason, r.remaining,
            originalReceipt));
    }

    /** Journals a LOGON decision (a replay restores nonces from the record instead of deciding again). */
    void logon(
        final long seq, final long nowMs, final long terminalId, final long timestampMs, final long nonceHi,
        final long nonceLo, final int result, final boolean macValid)
    {
        append(JournalEncoder.logon(writer.buffer(), seq, nowMs, terminalId, timestampMs, nonceHi, nonceLo, result,
            macValid));
    }

    /** Journals an admin command's outcome (live), or checks it against the replayed record. */
    void command(
        final long seq, final long nowMs, final CommandDecoder command, final int reject, final long queueIndex)
    {
        if (replaying)
        {
            if ((replayedOutcome == JournalRecord.OUTCOME_APPLIED) != (reject == CommandRejectReason.NONE))
            {
                replayMismatches++;
            }
            return;
        }
        append(JournalEncoder.command(writer.buffer(), seq, nowMs, command.commandId(), command.type(),
            reject == CommandRejectReason.NONE ? JournalRecord.OUTCOME_APPLIED : JournalRecord.OUTCOME_REJECTED,
            reject, queueIndex, command.buffer(), command.offset(), command.length()));
    }

    private void checkReplayed(final Outcome r)
    {
        final JournalDecoder j = replayed;
        if (j.decision() != r.decision || j.reason() != r.reason || j.remaining() != r.remaining ||
            (j.hasUsage() && (j.usageUnit() != r.unit || j.usagePeriod() != r.period)))
        {
            replayMismatches++;
        }
    }

    /** Counts a TAP or REVERSAL decision for the metrics (a replayed one only moves the gauges). */
    void countDecision(final int type, final Outcome r, final IdempotencyTable idempotency)
    {
        if (!replaying)
        {
            counters.decision(type, r.decision, r.reason, r.programSlot);
        }
        counters.lastReceipt = sequence;
        counters.idempotencyEntries = idempotency.size();
        counters.idempotencyEvictedEarly = idempotency.evictedEarly();
    }

    private void append(final int length)
    {
        if (writer.buffer().getLong(JournalRecord.SEQUENCE_OFFSET, java.nio.ByteOrder.LITTLE_ENDIAN) <= heldThrough)
        {
            // a replica deciding the cluster log again: the journal holds this record already (Engine.openReplica)
            return;
        }
        writer.append(length);
        onWritten();
    }

    /** Takes note of the excerpts the writer wrote (none while a batch is pending). */
    void onWritten()
    {
        final long index = writer.lastIndexAppended();
        if (index != JournalWriter.NO_INDEX)
        {
            lastJournalIndex = index;
        }
        counters.journalBytes = writer.bytesAppended();
        counters.journalRecords = writer.recordsAppended();
        counters.journalExcerpts = writer.excerptsAppended();
    }

    /** Writes the records pending in the journal batch, if any; the batch stays open. */
    void flushPending()
    {
        if (writer.pendingRecords() > 0)
        {
            writer.flush();
            onWritten();
        }
    }

    /** Writes the journal batch and closes it; see {@link Engine#flushJournal()}. */
    long endBatch()
    {
        writer.endBatch();
        onWritten();
        return lastJournalIndex;
    }
}
