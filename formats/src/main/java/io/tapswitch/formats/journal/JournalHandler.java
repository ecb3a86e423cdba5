package io.tapswitch.formats.journal;

/**
 * Receives journal records from a {@link JournalReader}. The decoder is only valid during the call.
 */
@FunctionalInterface
public interface JournalHandler
{
    /**
     * @param index  the Chronicle Queue index of the record's excerpt (the same for every record of an excerpt).
     * @param record the record.
     */
    void onRecord(long index, JournalDecoder record);
}
