package io.tapswitch.switching.journal;

import java.nio.ByteOrder;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Appends journal records: the caller encodes a record into {@link #buffer()} and calls {@link #append(int)}, which
 * writes it as one raw binary excerpt and returns when the excerpt is complete in the memory-mapped queue file (it
 * survives a crash of the process; it reaches the disk when the OS writes the page back). No allocation per append.
 * <p>
 * Not thread-safe; owned by the engine thread.
 */
public final class JournalWriter implements AutoCloseable
{
    /** Largest record: a COMMAND record holding the largest command. */
    public static final int MAX_RECORD_BYTES = JournalRecord.COMMAND_BYTES_OFFSET + 64 * 1024;

    private final SingleChronicleQueue queue;
    private final ExcerptAppender appender;
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[MAX_RECORD_BYTES]);
    private long bytesAppended;
    private JournalPretoucher pretoucher;
    private long lastWritePosition;

    public JournalWriter(final SingleChronicleQueue queue)
    {
        this.queue = queue;
        this.appender = queue.acquireAppender();
        // the engine may be opened on one thread and handed to its engine thread (one thread at a time)
        appender.singleThreadedCheckDisabled(true);
    }

    /**
     * Has a {@link JournalPretoucher} keep the pages ahead of this writer faulted in (started and closed by the
     * caller).
     */
    public void pretoucher(final JournalPretoucher pretoucher)
    {
        this.pretoucher = pretoucher;
    }

    /**
     * @return the scratch buffer a record is encoded into (offset 0), reused for every record.
     */
    public UnsafeBuffer buffer()
    {
        return buffer;
    }

    /**
     * Sets the header fields of the record in {@link #buffer()}.
     */
    public void header(final int type, final int recordLength, final long sequence, final long timeMs)
    {
        buffer.putInt(JournalRecord.RECORD_LENGTH_OFFSET, recordLength, ByteOrder.LITTLE_ENDIAN);
        buffer.putByte(JournalRecord.TYPE_OFFSET, (byte)type);
        buffer.putByte(JournalRecord.VERSION_OFFSET, (byte)JournalRecord.VERSION);
        buffer.putShort(JournalRecord.VERSION_OFFSET + 1, (short)0, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(JournalRecord.SEQUENCE_OFFSET, sequence, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(JournalRecord.TIME_MS_OFFSET, timeMs, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Appends the first {@code lengthBytes} of {@link #buffer()} as one excerpt.
     *
     * @return the queue index of the excerpt.
     */
    public long append(final int lengthBytes)
    {
        try (DocumentContext dc = appender.writingDocument())
        {
            final Bytes<?> bytes = dc.wire().bytes();
            bytes.write(buffer.byteArray(), 0, lengthBytes);
            lastWritePosition = bytes.writePosition();
            if (null != pretoucher)
            {
                pretoucher.onWritten(appender.cycle(), lastWritePosition);
            }
        }
        bytesAppended += lengthBytes;
        return appender.lastIndexAppended();
    }

    /**
     * Forces the records appended so far in the current cycle file to the disk ({@code msync} of the mapped pages up
     * to the write position): after it returns they survive a power loss. Costs a disk flush (milliseconds): call it
     * once per batch of decisions, before releasing the batch's responses (group commit).
     */
    public void sync()
    {
        appender.sync();
    }

    /**
     * @return the index of the last record forced to the disk by {@link #sync()}, as recorded in the queue.
     */
    public long lastIndexSynced()
    {
        return queue.lastIndexMSynced();
    }

    /**
     * @return the roll cycle appends go to now.
     */
    public int cycle()
    {
        return appender.cycle();
    }

    /**
     * @return the offset in the current cycle file just past the last record appended (0 before the first).
     */
    public long lastWritePosition()
    {
        return lastWritePosition;
    }

    /**
     * @return record bytes appended by this writer since it was opened.
     */
    public long bytesAppended()
    {
        return bytesAppended;
    }

    public SingleChronicleQueue queue()
    {
        return queue;
    }

    @Override
    public void close()
    {
        appender.close();
    }
}
