package io.tapswitch.formats.journal;

import java.nio.file.Path;

import io.tapswitch.formats.Queues;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Tails the journal of a switch data directory ({@code <data-dir>/journal}) from the start or from after a given
 * index, handing each record to a {@link JournalHandler}, and reports its position and lag.
 * <p>
 * An excerpt holds one or more records ({@link JournalExcerpt}); every record of an excerpt is handed with the
 * excerpt's index, and a position is always an excerpt boundary: the admin ingester stores
 * {@link #lastReadIndex()} after a poll (which never stops inside an excerpt) with the records it read, and
 * resumes with {@link #moveAfter(long)}. Not thread-safe: used by one thread at a time (it may be created on another thread and
 * handed over).
 */
public final class JournalReader implements AutoCloseable
{
    /** {@link #lastReadIndex()} before any record was read. */
    public static final long NO_INDEX = -1;
    /** Most excerpts a torn tail the switch cut off can span (as {@code JournalReplay}). */
    public static final int MAX_TORN_TAIL_EXCERPTS = 4097;

    /** How often a reader that owns its queue looks for a repair of the journal by the switch. */
    static final long REPAIR_CHECK_INTERVAL_NS = 500_000_000L;

    private final Path dataDir;
    private SingleChronicleQueue queue;
    private final boolean ownsQueue;
    private ExcerptTailer tailer;
    private int repairsSeen;
    private long lastRepairCheckNs;
    private long reopened;
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[JournalRecord.MAX_RECORD_BYTES]);
    private final JournalDecoder decoder = new JournalDecoder();
    private long lastReadIndex = NO_INDEX;
    /** Sequence of the last record read (or of the excerpt positioned after), -1 when unknown. */
    private long lastSequence = -1;
    private long tornExcerptsSkipped;

    /**
     * Opens the journal of a data directory (created empty if absent), positioned at its start.
     *
     * @param dataDir the switch data directory.
     */
    public JournalReader(final Path dataDir)
    {
        // counted before the queue is opened: a repair finished later is seen by the next check
        this(dataDir, Queues.damagedJournalFiles(dataDir));
    }

    private JournalReader(final Path dataDir, final int repairsSeen)
    {
        this(Queues.open(Queues.journalDir(dataDir)), true, dataDir);
        this.repairsSeen = repairsSeen;
        this.lastRepairCheckNs = System.nanoTime();
    }

    /**
     * Reads an already open journal queue; the queue is not closed by {@link #close()}.
     */
    public JournalReader(final SingleChronicleQueue queue)
    {
        this(queue, false, null);
    }

    private JournalReader(final SingleChronicleQueue queue, final boolean ownsQueue, final Path dataDir)
    {
        this.queue = queue;
        this.ownsQueue = ownsQueue;
        this.dataDir = dataDir;
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
        lastSequence = -1;
    }

    /**
     * Positions the reader so the next record is the first one of the excerpt after {@code index}.
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
            if (!dc.isPresent())
            {
                return false;
            }
            final Bytes<?> bytes = dc.wire().bytes();
            final long available = bytes.readRemaining();
            lastSequence = -1;
            if (available <= buffer.capacity())
            {
                final int length = (int)available;
                bytes.read(buffer.byteArray(), 0, length);
                lastSequence = lastSequenceOf(length);
            }
            return true;
        }
    }

    private long lastSequenceOf(final int length)
    {
        if (JournalExcerpt.MALFORMED == JournalExcerpt.countRecords(buffer, 0, length))
        {
            return -1;
        }
        int offset = 0;
        long sequence = -1;
        while (offset < length)
        {
            sequence = buffer.getLong(offset + JournalRecord.SEQUENCE_OFFSET, java.nio.ByteOrder.LITTLE_ENDIAN);
            offset += JournalExcerpt.checkedLength(buffer, offset);
        }
        return sequence;
    }

    /**
     * @return excerpts of torn journal tails this reader skipped (the switch cut them off at a restart).
     */
    public long tornExcerptsSkipped()
    {
        return tornExcerptsSkipped;
    }

    /**
     * Reads whole excerpts until at least {@code limit} records were handed to the handler or the journal ends.
     * Every record of an excerpt is handed, in order, with the excerpt's index; a poll never stops inside an
     * excerpt (it may hand more than {@code limit} records to finish one), so {@link #lastReadIndex()} after a poll
     * is always the position after a complete excerpt and {@link #moveAfter(long)} with it resumes at the next one,
     * skipping nothing and repeating nothing.
     * <p>
     * If the handler throws, the reader is put back after the last excerpt it completed ({@link #lastReadIndex()}
     * unchanged): the next poll hands the failed excerpt again from its first record.
     *
     * @return the number of records handed to the handler; 0 when the reader is at the end.
     * @throws IllegalStateException if an excerpt is not a sequence of well-framed records ({@link JournalExcerpt});
     *                               the reader stays before it and nothing of it is handed out.
     */
    public int poll(final JournalHandler handler, final int limit)
    {
        reopenAfterRepair();
        int count = 0;
        int skipped = 0;
        while (count < limit)
        {
            final long index;
            final int length;
            try (DocumentContext dc = tailer.readingDocument())
            {
                if (!dc.isPresent())
                {
                    if (skipped > 0)
                    {
                        // a bad excerpt with nothing after it that resumes the sequence: the switch has not cut it
                        // yet (it does when it starts); stay before it
                        restorePosition();
                        throw new IllegalStateException("journal excerpt after index " +
                            Long.toHexString(lastReadIndex) + " is not a sequence of records following sequence " +
                            lastSequence + " (a torn tail not cut yet)");
                    }
                    break;
                }
                final Bytes<?> bytes = dc.wire().bytes();
                final long available = bytes.readRemaining();
                index = dc.index();
                if (available > buffer.capacity())
                {
                    dc.rollbackOnClose();
                    throw new IllegalStateException("journal excerpt at index " + Long.toHexString(index) +
                        " has " + available + " bytes, more than " + buffer.capacity());
                }
                length = (int)available;
                bytes.read(buffer.byteArray(), 0, length);
                final boolean follows = JournalExcerpt.follows(buffer, 0, length, skipped > 0 ? -1 : lastSequence);
                if (skipped > 0)
                {
                    // past a torn tail the switch cut off at a restart: skip to the excerpt that resumes the sequence
                    if (!follows || JournalExcerpt.firstSequence(buffer, 0) != lastSequence + 1)
                    {
                        if (++skipped > MAX_TORN_TAIL_EXCERPTS)
                        {
                            restorePosition();
                            throw new IllegalStateException("journal excerpt at index " + Long.toHexString(index) +
                                " follows a bad excerpt by more than " + MAX_TORN_TAIL_EXCERPTS + " excerpts");
                        }
                        continue;
                    }
                    tornExcerptsSkipped += skipped - 1;
                    skipped = 0;
                }
                else if (!follows)
                {
                    if (lastSequence < 0 && JournalExcerpt.MALFORMED != JournalExcerpt.countRecords(buffer, 0, length))
                    {
                        // well framed, and nothing known before it to follow: take it as it is
                    }
                    else if (lastSequence < 0)
                    {
                        dc.rollbackOnClose();
                        throw new IllegalStateException("journal excerpt at index " + Long.toHexString(index) +
                            " (" + length + " bytes) is not a sequence of records");
                    }
                    else
                    {
                        skipped = 1;
                        continue;
                    }
                }
            }
            count += handExcerpt(handler, index, length);
            lastReadIndex = index;
            lastSequence = JournalExcerpt.lastSequence(buffer, 0, length);
        }
        return count;
    }

    /**
     * The switch repairs a journal whose newest cycle file has damaged Chronicle excerpt headers by renaming a fresh
     * copy over it (the same indexes) and keeping the damaged one in {@link Queues#DAMAGED_JOURNAL_DIR}: a reader
     * that opened the journal before that still maps the damaged file and would never see what the switch appends
     * next. So, at most every {@link #REPAIR_CHECK_INTERVAL_NS}, a reader that opened the journal itself counts the
     * damaged files kept; when there are more than when it opened, it reopens the journal and resumes after the last
     * excerpt it read (the repair keeps that index).
     */
    private void reopenAfterRepair()
    {
        if (null == dataDir)
        {
            return;
        }
        final long nowNs = System.nanoTime();
        if (nowNs - lastRepairCheckNs < REPAIR_CHECK_INTERVAL_NS)
        {
            return;
        }
        lastRepairCheckNs = nowNs;
        final int repairs = Queues.damagedJournalFiles(dataDir);
        if (repairs == repairsSeen)
        {
            return;
        }
        repairsSeen = repairs;
        final long sequence = lastSequence;
        tailer.close();
        queue.close();
        queue = Queues.open(Queues.journalDir(dataDir));
        tailer = queue.createTailer();
        tailer.singleThreadedCheckDisabled(true);
        reopened++;
        if (lastReadIndex == NO_INDEX || !positionAfter(lastReadIndex))
        {
            tailer.toStart();
            lastReadIndex = NO_INDEX;
            lastSequence = -1;
        }
        else if (lastSequence < 0)
        {
            lastSequence = sequence;
        }
    }

    /**
     * @return how often this reader reopened the journal after the switch repaired it.
     */
    public long reopenedAfterRepair()
    {
        return reopened;
    }

    private void restorePosition()
    {
        final long sequence = lastSequence;
        if (lastReadIndex == NO_INDEX || !positionAfter(lastReadIndex))
        {
            tailer.toStart();
            lastReadIndex = NO_INDEX;
        }
        lastSequence = sequence;
    }

    private int handExcerpt(final JournalHandler handler, final long index, final int length)
    {
        int records = 0;
        int offset = 0;
        try
        {
            while (offset < length)
            {
                // the excerpt's framing and checksums were checked before it is handed out: not again
                final int recordLength = JournalExcerpt.checkedLength(buffer, offset);
                decoder.wrap(buffer, offset, recordLength);
                handler.onRecord(index, decoder);
                offset += recordLength;
                records++;
            }
        }
        catch (final RuntimeException | Error ex)
        {
            if (lastReadIndex == NO_INDEX || !positionAfter(lastReadIndex))
            {
                tailer.toStart();
                lastReadIndex = NO_INDEX;
            }
            throw ex;
        }
        return records;
    }

    /**
     * @return the index of the excerpt whose records were read last (all of them), or {@link #NO_INDEX}.
     */
    public long lastReadIndex()
    {
        return lastReadIndex;
    }

    /**
     * @return the index of the last excerpt in the journal, or {@link #NO_INDEX} when it is empty.
     */
    public long lastIndex()
    {
        final long last = queue.lastIndex();
        return last < 0 ? NO_INDEX : last;
    }

    /**
     * @return excerpts in the journal after the reader's position (0 when caught up). An excerpt holds one record
     * when written outside a batch and up to a whole engine batch otherwise (JOURNAL.md), so this counts excerpts,
     * not records: counting records would mean reading them.
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
        // countExcerpts counts [from, to): the excerpts after lastReadIndex up to and including last
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
