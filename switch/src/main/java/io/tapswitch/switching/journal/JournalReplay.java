package io.tapswitch.switching.journal;

import java.nio.ByteOrder;

import io.tapswitch.formats.journal.JournalExcerpt;
import io.tapswitch.formats.journal.JournalRecord;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read of the journal at recovery: every record from a given excerpt index (the one a snapshot covers) or from
 * the start, in order, each with the index of the excerpt that holds it. An excerpt that is not a sequence of
 * whole records following the sequence before it is a torn tail (a crash or power loss while it was written, past
 * the last durable point: with {@code journal-sync=batch} nobody was answered for it): it and every excerpt after it
 * are cut off, that is not replayed, logged and counted; the records the switch writes next continue the sequence
 * from the last record kept, so a later read skips the cut excerpts until the excerpt whose first record has that
 * next sequence. More than {@link #MAX_TORN_TAIL_EXCERPTS} excerpts after a bad one is damage, not a torn tail: the
 * recovery stops (the switch must not serve from a state that lost answered decisions).
 * Not thread-safe; used once by {@code Engine.open}.
 */
public final class JournalReplay
{
    private static final Logger LOGGER = LoggerFactory.getLogger(JournalReplay.class);

    /** Receives the records; the buffer is valid during the call only. */
    @FunctionalInterface
    public interface Records
    {
        void onRecord(long excerptIndex, DirectBuffer buffer, int offset, int length);
    }

    /**
     * Receives the excerpts, each a well-framed sequence of records following the record before it
     * ({@link JournalExcerpt#follows}); the buffer is valid during the call only: it is the journal's mapped memory
     * itself whenever the excerpt lies in one mapping (no copy), else a copy.
     */
    @FunctionalInterface
    public interface Excerpts
    {
        void onExcerpt(long excerptIndex, DirectBuffer buffer, int length);
    }

    private JournalReplay()
    {
    }

    /** Most excerpts a torn tail can span: the batches waiting for their sync at a crash, and the one being written. */
    public static final int MAX_TORN_TAIL_EXCERPTS = 4097;

    /**
     * @param journalQueue the open journal.
     * @param fromIndex    the excerpt to start at (it is read again), or a negative value for the journal's start.
     * @param records      receives every record.
     * @return excerpts of a torn tail cut off (0 normally): see {@link JournalReplay}.
     * @throws IllegalStateException when the journal does not hold fromIndex, or a bad excerpt is followed by more
     *                               than {@link #MAX_TORN_TAIL_EXCERPTS} excerpts (not a torn tail: the journal is
     *                               damaged where answered decisions were durable; the switch must not serve).
     */
    public static int read(final JournalWriter journal, final long fromIndex, final Records records)
    {
        return read(journal.queue(), fromIndex, records);
    }

    /**
     * @param journal   the open journal.
     * @param fromIndex the excerpt a replay starts at, or a negative value for the journal's start.
     * @return excerpts from there to the end (for the replay's progress), or -1 when Chronicle Queue cannot count
     * them.
     */
    public static long excerptsFrom(final JournalWriter journal, final long fromIndex)
    {
        try
        {
            final SingleChronicleQueue queue = journal.queue();
            final long last = queue.lastIndex();
            if (last < 0)
            {
                return 0;
            }
            final long first = fromIndex >= 0 ? fromIndex : queue.firstIndex();
            return queue.countExcerpts(first, last) + 1;
        }
        catch (final RuntimeException ex)
        {
            return -1;
        }
    }

    /**
     * As {@link #read(JournalWriter, long, Records)}, on an open journal queue.
     *
     * @return excerpts of a torn tail cut off.
     */
    public static int read(final SingleChronicleQueue journalQueue, final long fromIndex, final Records records)
    {
        return readExcerpts(journalQueue, fromIndex, (index, buffer, length) ->
        {
            // every record of an excerpt (one, or a whole batch) has the excerpt's index
            int offset = 0;
            while (offset < length)
            {
                final int recordLength = JournalExcerpt.checkedLength(buffer, offset);
                records.onRecord(index, buffer, offset, recordLength);
                offset += recordLength;
            }
        });
    }

    /**
     * As {@link #read(SingleChronicleQueue, long, Records)}, an excerpt at a time, read in place in the journal's
     * mapped memory (issue 14: the replay read each excerpt into a heap buffer, then copied each record again).
     *
     * @return excerpts of a torn tail cut off.
     */
    public static int readExcerpts(final JournalWriter journal, final long fromIndex, final Excerpts excerpts)
    {
        return readExcerpts(journal.queue(), fromIndex, excerpts);
    }

    /**
     * As {@link #readExcerpts(JournalWriter, long, Excerpts)}, on an open journal queue.
     *
     * @return excerpts of a torn tail cut off.
     */
    public static int readExcerpts(
        final SingleChronicleQueue journalQueue, final long fromIndex, final Excerpts excerpts)
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
            final UnsafeBuffer copy = new UnsafeBuffer(new byte[JournalWriter.MAX_EXCERPT_BYTES]);
            final UnsafeBuffer mapped = new UnsafeBuffer(0, 0);
            long lastSequence = -1;
            long badIndex = -1;
            long badSequence = -1;
            int skipped = 0;
            int resumed = 0;
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
                    final int length = (int)Math.min(available, copy.capacity());
                    final UnsafeBuffer buffer = inPlace(bytes, length, mapped) ? mapped : copy;
                    if (buffer == copy)
                    {
                        bytes.read(copy.byteArray(), 0, length);
                    }
                    final boolean wellFormed = available <= copy.capacity() &&
                        JournalExcerpt.follows(buffer, 0, length, badIndex >= 0 ? -1 : lastSequence);
                    if (badIndex >= 0)
                    {
                        // past a bad excerpt: skip until the records written after an earlier recovery cut it
                        if (wellFormed && JournalExcerpt.firstSequence(buffer, 0) == badSequence)
                        {
                            badIndex = -1;
                            resumed++;
                        }
                        else
                        {
                            if (++skipped > MAX_TORN_TAIL_EXCERPTS)
                            {
                                throw new IllegalStateException("journal excerpt at index " +
                                    Long.toHexString(dc.index()) + " follows a bad excerpt by more than " +
                                    MAX_TORN_TAIL_EXCERPTS + " excerpts: not a torn tail; cannot recover");
                            }
                            continue;
                        }
                    }
                    else if (!wellFormed)
                    {
                        badIndex = dc.index();
                        badSequence = lastSequence + 1;
                        skipped++;
                        LOGGER.warn("journal excerpt at index {} ({} bytes) is not a sequence of records following " +
                            "sequence {}: a torn tail from a crash or power loss, cut off with what follows it",
                            Long.toHexString(badIndex), available, lastSequence);
                        continue;
                    }
                    excerpts.onExcerpt(dc.index(), buffer, length);
                    lastSequence = JournalExcerpt.lastSequence(buffer, 0, length);
                }
            }
            if (skipped > 0)
            {
                LOGGER.warn("journal: {} excerpt(s) of a torn tail cut off (not replayed, {} earlier cut(s) " +
                    "resumed after); the last record kept has sequence {}; new records continue from it", skipped,
                    resumed, lastSequence);
            }
            return skipped;
        }
    }

    /**
     * Points {@code view} at the excerpt's bytes in the journal's mapped memory when they lie in one mapping.
     *
     * @return false when they do not (or the bytes are not in native memory): the caller copies them.
     */
    private static boolean inPlace(final Bytes<?> bytes, final int length, final UnsafeBuffer view)
    {
        if (length <= 0 || !bytes.isDirectMemory())
        {
            return false;
        }
        final long position = bytes.readPosition();
        final long address = bytes.addressForRead(position, length);
        if (!bytes.bytesStore().inside(position, length))
        {
            return false;
        }
        view.wrap(address, length);
        return true;
    }
}
