package io.tapswitch.switching.journal;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.zip.CRC32C;

import io.tapswitch.formats.Queues;
import io.tapswitch.formats.journal.JournalChecksum;
import io.tapswitch.formats.journal.JournalEncoder;
import io.tapswitch.formats.journal.JournalExcerpt;
import io.tapswitch.formats.journal.JournalRecord;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Appends journal records: the caller encodes a record into {@link #buffer()} and calls {@link #append(int)}.
 * <p>
 * Outside a batch each record is written as its own raw binary excerpt, complete in the memory-mapped queue file
 * when {@code append} returns (it survives a crash of the process; it reaches the disk when the OS writes the page
 * back). Between {@link #beginBatch()} and {@link #endBatch()} (group commit) {@code append} only copies the record
 * into a pending excerpt; {@link #flush()} (or {@code endBatch}, or {@link #sync()}) writes the pending records as
 * ONE excerpt, records back to back ({@link JournalExcerpt}). A record that would make the pending excerpt longer
 * than {@link #MAX_EXCERPT_BYTES} flushes it first. Records are written in the order they were appended, whatever
 * the mode. No allocation per append or flush.
 * <p>
 * If writing an excerpt throws, its records stay pending and the next flush writes them again (nothing appended is
 * dropped); the caller must not answer for records that were not flushed.
 * <p>
 * Not thread-safe; owned by the engine thread.
 */
public final class JournalWriter implements AutoCloseable
{
    /** Largest record: {@link JournalRecord#MAX_RECORD_BYTES}. */
    public static final int MAX_RECORD_BYTES = JournalRecord.MAX_RECORD_BYTES;

    /** Largest excerpt a batch writes: 64 KiB, and never less than one largest record. */
    public static final int MAX_EXCERPT_BYTES = Math.max(64 * 1024, MAX_RECORD_BYTES);

    /** {@link #lastIndexAppended()} before this writer wrote any excerpt. */
    public static final long NO_INDEX = -1;

    private final SingleChronicleQueue queue;
    private final ExcerptAppender appender;
    private final JournalAppendObserver observer;
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[MAX_RECORD_BYTES]);
    private final UnsafeBuffer pending = new UnsafeBuffer(new byte[MAX_EXCERPT_BYTES]);
    private final CRC32C crc = new CRC32C();
    /** A view of the journal's mapped memory where an excerpt is copied ({@link #writeInPlace}). */
    private final UnsafeBuffer mapped = new UnsafeBuffer(0, 0);
    private int pendingBytes;
    private int pendingRecords;
    private boolean batching;
    private long lastIndexAppended = NO_INDEX;
    private long bytesAppended;
    private long recordsAppended;
    private long excerptsAppended;
    private JournalPretoucher pretoucher;
    private JournalReserver reserver;
    private boolean ownsQueue;
    private long lastWritePosition;
    private JournalRepair.Repair repair;

    public JournalWriter(final SingleChronicleQueue queue)
    {
        this(queue, null);
    }

    /**
     * @param queue    the journal queue.
     * @param observer told about every excerpt written (its duration and bytes), or null.
     */
    public JournalWriter(final SingleChronicleQueue queue, final JournalAppendObserver observer)
    {
        this.queue = queue;
        this.observer = observer;
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
     * Starts a {@link JournalReserver} that keeps the file space {@code aheadBytes} beyond this writer allocated
     * (closed with this writer), so that {@link #headroom()} tells how much can be written without meeting a full
     * filesystem.
     */
    public void reserveAhead(final long aheadBytes)
    {
        if (null == reserver && aheadBytes > 0)
        {
            reserver = new JournalReserver(queue.file().toPath(), aheadBytes);
            if (null != pretoucher)
            {
                pretoucher.limitTo(reserver);
            }
        }
    }

    /**
     * @return the reserver started by {@link #reserveAhead(long)}, or null.
     */
    public JournalReserver reserver()
    {
        return reserver;
    }

    /**
     * @return bytes that can be written past the last excerpt without meeting a full filesystem: allocated ahead by
     * the {@link JournalReserver}; {@link Long#MAX_VALUE} without one (or before it knows where this writer is, while
     * its allocations succeed).
     */
    public long headroom()
    {
        final JournalReserver reserver = this.reserver;
        return null == reserver ? Long.MAX_VALUE : reserver.headroom(appender.cycle(), lastWritePosition);
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
        JournalEncoder.header(buffer, type, recordLength, sequence, timeMs);
    }

    /**
     * Starts a batch: records appended from now on are written together, as one excerpt, by {@link #flush()} or
     * {@link #endBatch()}. Does nothing when a batch is already open.
     */
    public void beginBatch()
    {
        batching = true;
    }

    /**
     * @return true between {@link #beginBatch()} and {@link #endBatch()}.
     */
    public boolean inBatch()
    {
        return batching;
    }

    /**
     * Appends the first {@code lengthBytes} of {@link #buffer()}: outside a batch as one excerpt, inside a batch
     * into the pending excerpt (which is written first if the record would not fit).
     *
     * @param lengthBytes the record's length; must equal the {@code recordLength} in its header.
     * @return {@link #lastIndexAppended()}: outside a batch the index of this record's excerpt; inside a batch the
     * index of the last excerpt written so far (this record's index is known once it is flushed).
     * @throws IllegalArgumentException if the length is shorter than a header, longer than
     *                                  {@link #MAX_RECORD_BYTES} or not the header's {@code recordLength} (nothing is
     *                                  appended).
     */
    public long append(final int lengthBytes)
    {
        if (lengthBytes < JournalRecord.HEADER_BYTES || lengthBytes > MAX_RECORD_BYTES ||
            buffer.getInt(JournalRecord.RECORD_LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN) != lengthBytes)
        {
            throw new IllegalArgumentException("record length " + lengthBytes + " with recordLength " +
                buffer.getInt(JournalRecord.RECORD_LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN) + " in its header");
        }
        seal(lengthBytes);
        if (!batching)
        {
            write(buffer, lengthBytes, 1);
            return lastIndexAppended;
        }
        if (pendingBytes + lengthBytes > MAX_EXCERPT_BYTES)
        {
            flush();
        }
        pending.putBytes(pendingBytes, buffer, 0, lengthBytes);
        pendingBytes += lengthBytes;
        pendingRecords++;
        return lastIndexAppended;
    }

    /**
     * Writes the pending records of the batch as one excerpt (nothing when none is pending); the batch stays open.
     *
     * @return {@link #lastIndexAppended()}.
     */
    public long flush()
    {
        if (pendingBytes > 0)
        {
            write(pending, pendingBytes, pendingRecords);
            pendingBytes = 0;
            pendingRecords = 0;
        }
        return lastIndexAppended;
    }

    /**
     * Flushes the pending records and closes the batch: records appended from now on are written one excerpt each.
     * If the flush throws, the batch stays open with its records pending.
     *
     * @return {@link #lastIndexAppended()}.
     */
    public long endBatch()
    {
        final long index = flush();
        batching = false;
        return index;
    }

    /**
     * @return records appended to the batch and not yet written (0 outside a batch).
     */
    public int pendingRecords()
    {
        return pendingRecords;
    }

    /**
     * Makes the record in {@link #buffer()} a checksummed one ({@link JournalChecksum}: version 2, or 3 when the
     * encoder wrote a version 3 TAP, CRC-32C folded to
     * 16 bits in the header), so that a reader tells damaged bytes from a record. The intrinsic CRC-32C of the JDK
     * on the record's bytes: no allocation.
     */
    private void seal(final int lengthBytes)
    {
        if (buffer.getByte(JournalRecord.VERSION_OFFSET) != JournalRecord.VERSION_USAGE)
        {
            buffer.putByte(JournalRecord.VERSION_OFFSET, (byte)JournalRecord.VERSION_CHECKSUMMED);
        }
        buffer.putShort(JournalRecord.CHECKSUM_OFFSET, (short)0, ByteOrder.LITTLE_ENDIAN);
        crc.reset();
        crc.update(buffer.byteArray(), 0, lengthBytes);
        final int value = (int)crc.getValue();
        buffer.putShort(JournalRecord.CHECKSUM_OFFSET, (short)(value ^ (value >>> 16)), ByteOrder.LITTLE_ENDIAN);
    }

    private void write(final UnsafeBuffer source, final int length, final int records)
    {
        final JournalAppendObserver observer = this.observer;
        final long startNs = null == observer ? 0 : System.nanoTime();
        try (DocumentContext dc = appender.writingDocument())
        {
            try
            {
                final Bytes<?> bytes = dc.wire().bytes();
                final JournalReserver reserver = this.reserver;
                if (null != reserver)
                {
                    // the highest byte this write may touch, before touching it: the reserver never zeroes there
                    reserver.beforeWrite(appender.cycle(), bytes.writePosition(), length);
                }
                if (!writeInPlace(bytes, source, length))
                {
                    bytes.write(source.byteArray(), 0, length);
                }
                lastWritePosition = bytes.writePosition();
            }
            catch (final RuntimeException | Error ex)
            {
                // never leave a partial excerpt in the journal: the records stay pending
                dc.rollbackOnClose();
                throw ex;
            }
            if (null != pretoucher)
            {
                pretoucher.onWritten(appender.cycle(), lastWritePosition);
            }
            if (null != reserver)
            {
                reserver.onWritten(appender.cycle(), lastWritePosition);
            }
        }
        lastIndexAppended = appender.lastIndexAppended();
        if (null != observer)
        {
            observer.onAppend(System.nanoTime() - startNs, length);
        }
        bytesAppended += length;
        recordsAppended += records;
        excerptsAppended++;
    }

    /**
     * Copies the excerpt's bytes straight into the journal's mapped memory with one {@code Unsafe.copyMemory} (a
     * memcpy), when the place they go lies in the current mapping, and moves the write position past them. Chronicle's
     * {@code Bytes.write(byte[])} copies a heap array into native memory with a Java loop of 8-byte reads and writes
     * ({@code UnsafeMemory.copyMemoryLoop}: a quarter of the engine thread's samples under load, issue 14).
     *
     * @return false when the bytes are not in native memory or would cross the mapping: the caller writes them
     * through Chronicle.
     */
    private boolean writeInPlace(final Bytes<?> bytes, final UnsafeBuffer source, final int length)
    {
        if (!bytes.isDirectMemory())
        {
            return false;
        }
        final long position = bytes.writePosition();
        if (position + length > bytes.writeLimit())
        {
            return false;
        }
        final long address = bytes.addressForWrite(position);
        if (!bytes.bytesStore().inside(position, length))
        {
            return false;
        }
        mapped.wrap(address, length);
        mapped.putBytes(0, source, 0, length);
        bytes.writeSkip(length);
        return true;
    }

    /**
     * Writes the pending records (if any, see {@link #flush()}), then forces the records written so far in the
     * current cycle file to the disk ({@code msync} of the mapped pages up to the write position): after it returns
     * they survive a power loss. Costs a disk flush (milliseconds): call it once per batch of decisions, before
     * releasing the batch's responses (group commit).
     */
    public void sync()
    {
        flush();
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
     * @return the queue index of the last excerpt this writer wrote, {@link #NO_INDEX} if none.
     */
    public long lastIndexAppended()
    {
        return lastIndexAppended;
    }

    /**
     * @return the offset in the current cycle file just past the last excerpt written (0 before the first).
     */
    public long lastWritePosition()
    {
        return lastWritePosition;
    }

    /**
     * @return record bytes written by this writer since it was opened (pending records not included).
     */
    public long bytesAppended()
    {
        return bytesAppended;
    }

    /**
     * @return records written by this writer since it was opened (pending records not included).
     */
    public long recordsAppended()
    {
        return recordsAppended;
    }

    /**
     * @return excerpts written by this writer since it was opened: {@link #recordsAppended()} over this is the
     * average number of records per excerpt.
     */
    public long excerptsAppended()
    {
        return excerptsAppended;
    }

    public SingleChronicleQueue queue()
    {
        return queue;
    }

    /**
     * @return the repair of a damaged newest cycle file done by {@link #open} before the journal was opened, or null
     * when it was sound.
     */
    public JournalRepair.Repair repair()
    {
        return repair;
    }

    /**
     * Opens the journal of a data directory ({@link Queues#openJournal}) with a writer that owns it: {@link #close()}
     * closes the queue too. First repairs a newest cycle file whose Chronicle excerpt headers are damaged past its
     * last readable excerpt ({@link JournalRepair}), so that what this writer appends can be read.
     *
     * @param syncToDisk whether {@link #sync()} waits for the disk.
     * @param observer   told of each excerpt written, or null.
     */
    public static JournalWriter open(final Path dataDir, final boolean syncToDisk, final JournalAppendObserver observer)
    {
        final JournalRepair.Repair repair = JournalRepair.repairNewestCycle(dataDir);
        final JournalWriter writer = new JournalWriter(Queues.openJournal(dataDir, syncToDisk), observer);
        writer.ownsQueue = true;
        writer.repair = repair;
        return writer;
    }

    /**
     * Closes the appender. Records still pending are NOT written (as if the process had stopped): flush first.
     */
    @Override
    public void close()
    {
        if (null != reserver)
        {
            reserver.close();
        }
        appender.close();
        if (ownsQueue)
        {
            queue.close();
        }
    }
}
