package io.tapswitch.admin;

import java.nio.ByteOrder;

import io.tapswitch.formats.journal.JournalEncoder;
import io.tapswitch.formats.journal.JournalRecord;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Writes a journal as the switch does ({@code switch/JOURNAL.md}, "Excerpts"): raw binary excerpts of one or more
 * records back to back, in a Chronicle Queue opened with {@link io.tapswitch.formats.Queues}. For the admin's tests
 * that feed the ingester a journal of their own making, without a switch: the admin never depends on the switch
 * artifact ({@code AdminDependenciesTest}); tests with a real switch live in the {@code bench} module.
 * <p>
 * A record is encoded into {@link #buffer()} (offset 0) and appended with {@link #append(int)}: outside a batch as its
 * own excerpt, between {@link #beginBatch()} and {@link #endBatch()} into one excerpt written by {@code endBatch}.
 */
public final class TestJournalWriter implements AutoCloseable
{
    /** Largest excerpt, as the switch writes them: 64 KiB, never less than a largest record. */
    private static final int MAX_EXCERPT_BYTES = Math.max(64 * 1024, JournalRecord.MAX_RECORD_BYTES);

    private final ExcerptAppender appender;
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[JournalRecord.MAX_RECORD_BYTES]);
    private final UnsafeBuffer pending = new UnsafeBuffer(new byte[MAX_EXCERPT_BYTES]);
    private int pendingBytes;
    private boolean batching;
    private long lastIndexAppended = -1;

    public TestJournalWriter(final SingleChronicleQueue queue)
    {
        this.appender = queue.acquireAppender();
    }

    /**
     * @return the buffer the next record is encoded into, at offset 0.
     */
    public UnsafeBuffer buffer()
    {
        return buffer;
    }

    /**
     * Writes the 24-byte header of the record in {@link #buffer()}.
     */
    public void header(final int type, final int recordLength, final long sequence, final long timeMs)
    {
        JournalEncoder.header(buffer, type, recordLength, sequence, timeMs);
    }

    public void beginBatch()
    {
        batching = true;
    }

    /**
     * Appends the first {@code length} bytes of {@link #buffer()} (its header's {@code recordLength}).
     */
    public void append(final int length)
    {
        if (buffer.getInt(JournalRecord.RECORD_LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN) != length)
        {
            throw new IllegalArgumentException("record length " + length + " is not the header's");
        }
        if (!batching)
        {
            write(buffer, length);
            return;
        }
        if (pendingBytes + length > MAX_EXCERPT_BYTES)
        {
            write(pending, pendingBytes);
            pendingBytes = 0;
        }
        pending.putBytes(pendingBytes, buffer, 0, length);
        pendingBytes += length;
    }

    /**
     * Writes the batch's records as one excerpt and ends the batch.
     *
     * @return the index of the last excerpt written.
     */
    public long endBatch()
    {
        if (pendingBytes > 0)
        {
            write(pending, pendingBytes);
            pendingBytes = 0;
        }
        batching = false;
        return lastIndexAppended;
    }

    /**
     * @return the index of the last excerpt written, -1 before the first.
     */
    public long lastIndexAppended()
    {
        return lastIndexAppended;
    }

    private void write(final UnsafeBuffer source, final int length)
    {
        try (DocumentContext dc = appender.writingDocument())
        {
            dc.wire().bytes().write(source.byteArray(), 0, length);
        }
        lastIndexAppended = appender.lastIndexAppended();
    }

    @Override
    public void close()
    {
        appender.close();
    }
}
