package io.tapswitch.switching.engine;

import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.ReasonCode;

/**
 * Plain counters of the engine for the metrics layer, counting what this process decided since {@link Engine#open}
 * (records replayed at open are not counted; table sizes and the last receipt are gauges of the whole state).
 * Written only by the engine thread; a metrics thread may read them at scrape time without locks (64-bit reads;
 * values may lag by a few operations, never tear).
 */
public final class EngineCounters
{
    public static final int TYPE_TAP = 0;
    public static final int TYPE_REVERSAL = 1;
    public static final int TYPE_BALANCE = 2;
    public static final int TYPE_COUNT = 3;
    /** Program slots: index 0 is "no program", 1..64 the defined programs. */
    public static final int PROGRAM_SLOTS = EngineConfig.MAX_PROGRAMS + 1;
    private static final int DECISIONS = 3;

    private final long[] decisions = new long[TYPE_COUNT * DECISIONS * ReasonCode.COUNT * PROGRAM_SLOTS];
    private final int[] programIdOfSlot = new int[PROGRAM_SLOTS];
    private final long[] logons = new long[ReasonCode.COUNT];
    long commandsApplied;
    long commandsRejected;
    long commandsDuplicate;
    long commandErrors;
    long journalTornExcerpts;
    long journalHeaderRepairs;
    long lastReceipt;
    long journalBytes;
    long journalRecords;
    long journalExcerpts;
    long snapshotBytes;
    long snapshotsWritten;
    long idempotencyEvictedEarly;
    long nonceEvictedEarly;
    long cards;
    long holders;
    long entitlements;
    long terminals;
    long programs;
    long outlets;
    long idempotencyEntries;

    void decision(final int type, final int decision, final int reason, final int programSlot)
    {
        decisions[((type * DECISIONS + decision) * ReasonCode.COUNT + reason) * PROGRAM_SLOTS + programSlot]++;
    }

    void logon(final int result)
    {
        logons[result]++;
    }

    void programSlot(final int slot, final int programId)
    {
        programIdOfSlot[slot] = programId;
    }

    /**
     * @param type        {@link #TYPE_TAP}, {@link #TYPE_REVERSAL} or {@link #TYPE_BALANCE}.
     * @param decision    a protocol {@link Decision} code.
     * @param reason      a protocol {@link ReasonCode}.
     * @param programSlot 0 (no program) or 1..64; see {@link #programIdOfSlot(int)}.
     * @return decisions counted with these labels.
     */
    public long decisions(final int type, final int decision, final int reason, final int programSlot)
    {
        return decisions[((type * DECISIONS + decision) * ReasonCode.COUNT + reason) * PROGRAM_SLOTS + programSlot];
    }

    /**
     * @return the program id the slot stands for (0 for slot 0 or an unused slot).
     */
    public int programIdOfSlot(final int programSlot)
    {
        return programIdOfSlot[programSlot];
    }

    /**
     * @param result a LOGON_RESULT code (a {@link ReasonCode}).
     * @return logons decided with this result.
     */
    public long logons(final int result)
    {
        return logons[result];
    }

    public long commandsApplied()
    {
        return commandsApplied;
    }

    public long commandsRejected()
    {
        return commandsRejected;
    }

    /** Commands skipped because their id was already applied. */
    public long commandsDuplicate()
    {
        return commandsDuplicate;
    }

    /** Validated commands whose application failed with an exception (a bug); 0 in a healthy switch. */
    /**
     * @return excerpts of a torn journal tail cut off at the last recovery (not replayed; see JOURNAL.md, "Faults").
     */
    public long journalTornExcerpts()
    {
        return journalTornExcerpts;
    }

    /**
     * @return journal cycle files whose Chronicle excerpt headers were damaged past the last readable excerpt and
     * that were repaired at the last start (0 or 1; {@code journal.JournalRepair}).
     */
    public long journalHeaderRepairs()
    {
        return journalHeaderRepairs;
    }

    public long commandErrors()
    {
        return commandErrors;
    }

    /** The receipt of the last TAP / REVERSAL decided (the last journal sequence). */
    public long lastReceipt()
    {
        return lastReceipt;
    }

    /** Journal bytes appended since the engine opened. */
    public long journalBytes()
    {
        return journalBytes;
    }

    /** Journal records written since the engine opened (records of a batch count once flushed). */
    public long journalRecords()
    {
        return journalRecords;
    }

    /**
     * Journal excerpts written since the engine opened: one per record outside a batch, one per flush in a batch;
     * {@link #journalRecords()} over this is the average group-commit size.
     */
    public long journalExcerpts()
    {
        return journalExcerpts;
    }

    /** Size of the last snapshot written or loaded. */
    public long snapshotBytes()
    {
        return snapshotBytes;
    }

    public long snapshotsWritten()
    {
        return snapshotsWritten;
    }

    /** Idempotency results forgotten before their window ended because the table was full. */
    public long idempotencyEvictedEarly()
    {
        return idempotencyEvictedEarly;
    }

    /** Nonces forgotten before their window ended because the nonce memory was full. */
    public long nonceEvictedEarly()
    {
        return nonceEvictedEarly;
    }

    public long cards()
    {
        return cards;
    }

    public long holders()
    {
        return holders;
    }

    /** Enrolments (holder × program). */
    public long entitlements()
    {
        return entitlements;
    }

    public long terminals()
    {
        return terminals;
    }

    public long programs()
    {
        return programs;
    }

    public long outlets()
    {
        return outlets;
    }

    public long idempotencyEntries()
    {
        return idempotencyEntries;
    }
}
