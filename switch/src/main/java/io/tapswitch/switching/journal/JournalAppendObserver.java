package io.tapswitch.switching.journal;

/**
 * Told about every excerpt the journal writer writes, on the engine thread (for the append-latency histogram). Must
 * not block or allocate.
 * <p>
 * Outside a batch an excerpt is one record, so this times each record's append, as it always did. In a batch
 * ({@link JournalWriter#beginBatch()}) it times the one excerpt write of the flush (all the batch's records at once);
 * copying a record into the pending excerpt (tens of nanoseconds) is not observed.
 */
@FunctionalInterface
public interface JournalAppendObserver
{
    /**
     * @param durationNs  time spent writing the excerpt, from {@link System#nanoTime()}.
     * @param lengthBytes bytes of the excerpt (one record outside a batch, all its records in a batch).
     */
    void onAppend(long durationNs, int lengthBytes);
}
