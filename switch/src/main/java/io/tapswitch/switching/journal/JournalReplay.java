package io.tapswitch.switching.journal;

import io.tapswitch.formats.journal.JournalExcerpt;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The read of the journal at recovery: every record from a given excerpt index (the one a snapshot covers) or from
 * the start, in order, each with the index of the excerpt that holds it. An excerpt that is not a sequence of
 * whole records stops the recovery: the switch must not serve from a state it cannot rebuild.
 * Not thread-safe; used once by {@code Engine.open}.
 */
public final class JournalReplay
{
    /** Receives the records; the buffer is valid during the call only. */
    @FunctionalInterface
    public interface Records
    {
        void onRecord(long excerptIndex, DirectBuffer buffer, int offset, int length);
    }

    private JournalReplay()
    {
    }

    /**
     * @param journalQueue the open journal.
     * @param fromIndex    the excerpt to start at (it is read again), or a negative value for the journal's start.
     * @param records      receives every record.
     * @throws IllegalStateException when the journal does not hold fromIndex, or an excerpt is not a sequence of
     *                               records.
     */
    public static void read(final JournalWriter journal, final long fromIndex, final Records records)
    {
        read(journal.queue(), fromIndex, records);
    }

    /**
     * As {@link #read(JournalWriter, long, Records)}, on an open journal queue.
     */
    public static void read(final SingleChronicleQueue journalQueue, final long fromIndex, final Records records)
    {
        try (ExcerptTailer tailer = journalQueue.createTailer())
        {
            if (fromIndex >= 0)
            {
                if (!tailer.moveToIndex(fromIndex))
                {
                    throw new IllegalStateException("journal does not hold index " + Long.toHexString(fromIndex) +
                        " covered by the snapshot; cannot recover");
                }
            }
            else
            {
                tailer.toStart();
            }
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[JournalWriter.MAX_EXCERPT_BYTES]);
            while (true)
            {
                try (DocumentContext dc = tailer.readingDocument())
                {
                    if (!dc.isPresent())
                    {
                        break;
                    }
                    final Bytes<?> bytes = dc.wire().bytes();
                    final long available = bytes.readRemaining();
                    final int length = (int)Math.min(available, buffer.capacity());
                    bytes.read(buffer.byteArray(), 0, length);
                    if (available > buffer.capacity() ||
                        JournalExcerpt.MALFORMED == JournalExcerpt.countRecords(buffer, 0, length))
                    {
                        throw new IllegalStateException("journal excerpt at index " +
                            Long.toHexString(dc.index()) + " (" + available +
                            " bytes) is not a sequence of records; cannot recover");
                    }
                    // every record of an excerpt (one, or a whole batch) has the excerpt's index
                    int offset = 0;
                    while (offset < length)
                    {
                        final int recordLength = JournalExcerpt.recordLength(buffer, offset, length);
                        records.onRecord(dc.index(), buffer, offset, recordLength);
                        offset += recordLength;
                    }
                }
            }
        }
    }
}
