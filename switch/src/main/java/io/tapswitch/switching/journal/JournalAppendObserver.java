package io.tapswitch.switching.journal;

/**
 * Told about every journal append on the engine thread (for the append-latency histogram). Must not block or
 * allocate.
 */
@FunctionalInterface
public interface JournalAppendObserver
{
    /**
     * @param durationNs  time spent in the append, from {@link System#nanoTime()}.
     * @param lengthBytes bytes of the record.
     */
    void onAppend(long durationNs, int lengthBytes);
}
