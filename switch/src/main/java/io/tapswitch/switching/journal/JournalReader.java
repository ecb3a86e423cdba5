package io.tapswitch.switching.journal;

import java.nio.file.Path;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Tails the journal of a switch data directory ({@code <data-dir>/journal}) from the start or from after a given
 * index, handing each record to a {@link JournalHandler}, and reports its position and lag.
 * <p>
 * The admin ingester keeps {@link #lastReadIndex()} of the last record it stored and resumes with
 * {@link #moveAfter(long)}. Not thread-safe: used by one thread at a time (it may be created on another thread and
 * handed over).
 */
public final class JournalReader implements AutoCloseable
{
    /** {@link #lastReadIndex()} before any record was read. */
    public static final long NO_INDEX = -1;

    private final SingleChronicleQueue queue;
    private final boolean ownsQueue;
    private final ExcerptTailer tailer;
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[JournalWriter.MAX_RECORD_BYTES]);
    private final JournalDecoder decoder = new JournalDecoder();
    private long lastReadIndex = NO_INDEX;

    /**
     * Opens the journal of a data directory (created empty if absent), positioned at its start.
     *
     * @param dataDir the switch data directory.
     */
    public JournalReader(final Path dataDir)
    {
        this(Queues.open(Queues.journalDir(dataDir)), true);
    }

    /**
     * Reads an already open journal queue; the queue is not closed by {@link #close()}.
     */
    public JournalReader(final SingleChronicleQueue queue)
    {
        this(queue, false);
    }

    private JournalReader(final SingleChronicleQueue queue, final boolean ownsQueue)
    {
        this.queue = queue;
        this.ownsQueue = ownsQueue;
        this.tailer = queue.createTailer();
        // a reader may be created on one thread and handed to the thread that polls it (one thread at a time)
        tailer.singleThreadedCheckDisabled(true);
        tailer.toStart();
    }

    /**
     * Positions the reader at the first record of the journal.
     */
    public void toStart()
    {
        tailer.toStart();
        lastReadIndex = NO_INDEX;
    }

    /**
     * Positions the reader so the next record is the one after {@code index}.
     *
     * @param index an index previously reported by this or another reader, or {@link #NO_INDEX} for the start.
     * @return false if the index is not in the journal (deleted by retention or never written); the reader then
     * stays after its last read record (or at the start if it read none).
     */
    public boolean moveAfter(final long index)
    {
        if (index == NO_INDEX)
        {
            toStart();
            return true;
        }
        if (positionAfter(index))
        {
            lastReadIndex = index;
            return true;
        }
        if (lastReadIndex == NO_INDEX || !positionAfter(lastReadIndex))
        {
            tailer.toStart();
            lastReadIndex = NO_INDEX;
        }
        return false;
    }

    private boolean positionAfter(final long index)
    {
        if (!tailer.moveToIndex(index))
        {
            return false;
        }
        try (DocumentContext dc = tailer.readingDocument())
        {
            return dc.isPresent();
        }
    }

    /**
     * Reads up to {@code limit} records.
     *
     * @return the number of records handed to the handler; 0 when the reader is at the end.
     */
    public int poll(final JournalHandler handler, final int limit)
    {
        int count = 0;
        while (count < limit)
        {
            try (DocumentContext dc = tailer.readingDocument())
            {
                if (!dc.isPresent())
                {
                    break;
                }
                final Bytes<?> bytes = dc.wire().bytes();
                final int length = (int)Math.min(bytes.readRemaining(), buffer.capacity());
                bytes.read(buffer.byteArray(), 0, length);
                lastReadIndex = dc.index();
                decoder.wrap(buffer, 0, length);
                handler.onRecord(lastReadIndex, decoder);
                count++;
            }
        }
        return count;
    }

    /**
     * @return the index of the last record read, or {@link #NO_INDEX}.
     */
    public long lastReadIndex()
    {
        return lastReadIndex;
    }

    /**
     * @return the index of the last record in the journal, or {@link #NO_INDEX} when it is empty.
     */
    public long lastIndex()
    {
        final long last = queue.lastIndex();
        return last < 0 ? NO_INDEX : last;
    }

    /**
     * @return records in the journal after the reader's position (0 when caught up).
     */
    public long lagEntries()
    {
        final long last = queue.lastIndex();
        if (last < 0)
        {
            return 0;
        }
        if (lastReadIndex == NO_INDEX)
        {
            final long first = queue.firstIndex();
            return first == Long.MAX_VALUE ? 0 : queue.countExcerpts(first, last) + 1;
        }
        if (last <= lastReadIndex)
        {
            return 0;
        }
        // countExcerpts counts [from, to): the records after lastReadIndex up to and including last
        return queue.countExcerpts(lastReadIndex, last);
    }

    @Override
    public void close()
    {
        tailer.close();
        if (ownsQueue)
        {
            queue.close();
        }
    }
}
