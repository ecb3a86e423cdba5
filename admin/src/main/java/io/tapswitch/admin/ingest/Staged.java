package io.tapswitch.admin.ingest;

import io.tapswitch.formats.journal.JournalDecoder;
import io.tapswitch.formats.journal.JournalRecord;

/** The tap and reversal records of the batch in hand, field by field, with their rollup key and household. */
final class Staged
{
    int size;
    long[] index = new long[0];
    long[] receipt = new long[0];
    boolean[] tap = new boolean[0];
    long[] timeMs = new long[0];
    long[] terminal = new long[0];
    int[] outlet = new int[0];
    int[] correlation = new int[0];
    long[] card = new long[0];
    long[] holder = new long[0];
    int[] program = new int[0];
    int[] quantity = new int[0];
    boolean[] offline = new boolean[0];
    long[] terminalTimeMs = new long[0];
    int[] decision = new int[0];
    int[] reason = new int[0];
    int[] remaining = new int[0];
    boolean[] counted = new boolean[0];
    long[] key = new long[0];
    /** The (city month's first day, program, outlet) of a counted row ({@link RollupMemory#packed}). */
    long[] monthKey = new long[0];
    long[] household = new long[0];

    void clear()
    {
        size = 0;
    }

    void add(final long journalIndex, final JournalDecoder r)
    {
        if (size == index.length)
        {
            grow(Math.max(1024, size * 2));
        }
        final int i = size++;
        final boolean isTap = r.type() == JournalRecord.TYPE_TAP;
        index[i] = journalIndex;
        receipt[i] = r.receipt();
        tap[i] = isTap;
        timeMs[i] = r.timeMs();
        terminal[i] = r.terminalId();
        outlet[i] = r.outletId();
        correlation[i] = r.correlation();
        card[i] = r.cardId();
        holder[i] = r.holderId();
        program[i] = r.programId();
        quantity[i] = isTap ? r.quantity() : r.restored();
        offline[i] = isTap && (r.flags() & 1) != 0;
        terminalTimeMs[i] = isTap ? r.terminalTimeMs() : 0;
        decision[i] = r.decision();
        reason[i] = r.reason();
        remaining[i] = r.remaining();
        counted[i] = false;
    }

    private void grow(final int n)
    {
        index = java.util.Arrays.copyOf(index, n);
        receipt = java.util.Arrays.copyOf(receipt, n);
        tap = java.util.Arrays.copyOf(tap, n);
        timeMs = java.util.Arrays.copyOf(timeMs, n);
        terminal = java.util.Arrays.copyOf(terminal, n);
        outlet = java.util.Arrays.copyOf(outlet, n);
        correlation = java.util.Arrays.copyOf(correlation, n);
        card = java.util.Arrays.copyOf(card, n);
        holder = java.util.Arrays.copyOf(holder, n);
        program = java.util.Arrays.copyOf(program, n);
        quantity = java.util.Arrays.copyOf(quantity, n);
        offline = java.util.Arrays.copyOf(offline, n);
        terminalTimeMs = java.util.Arrays.copyOf(terminalTimeMs, n);
        decision = java.util.Arrays.copyOf(decision, n);
        reason = java.util.Arrays.copyOf(reason, n);
        remaining = java.util.Arrays.copyOf(remaining, n);
        counted = java.util.Arrays.copyOf(counted, n);
        key = java.util.Arrays.copyOf(key, n);
        monthKey = java.util.Arrays.copyOf(monthKey, n);
        household = java.util.Arrays.copyOf(household, n);
    }
}
