package io.tapswitch.switching.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.tapswitch.formats.Queues;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Faults in the pages of the journal's current cycle file ahead of the writer, on a thread of its own, so that the
 * engine thread's appends do not stop for the kernel to allocate, zero and map a page of the file: a fault costs
 * microseconds and, with records of about a hundred bytes, one append in forty would otherwise pay one (a fifth of
 * the engine thread's time in a JMH profile of journaled decisions).
 * <p>
 * The writer publishes where it writes ({@link #onWritten}: cycle and file position, one ordered store). This
 * thread then keeps the pages from there up to {@code aheadBytes} beyond it touched: it reads one int of each page
 * through its own read-only mapping of the file, which makes the kernel allocate and zero the page in the page cache
 * (the part of the fault that costs), so the writer's own mapping finds it there. A read writes nothing and leaves
 * the page clean: a journal sync ({@code msync}) has no extra page to write back (a touching write did: each page
 * then went to the disk twice, and group commit slowed by half). It never touches beyond the file's current length
 * (Chronicle grows the file itself) and never the page the writer is in.
 * <p>
 * Thread-safe: {@link #onWritten} from the writer thread, {@link #close} from any thread.
 */
public final class JournalPretoucher implements AutoCloseable
{
    /** Bytes of the file kept touched beyond the writer's position by default. */
    public static final long DEFAULT_AHEAD_BYTES = 32L << 20;

    private static final int PAGE = 4096;
    private static final long WINDOW_BYTES = 256L << 20;
    private static final int POSITION_BITS = 40;
    private static final long POSITION_MASK = (1L << POSITION_BITS) - 1;
    private static final long NONE = -1;
    /**
     * The longest park: the thread is woken by the writer whenever it has written {@link #NUDGE_BYTES} more (or
     * moved to another cycle), so it needs no polling; this bound is a safety net only (issue 14: the 1 ms polling of
     * this thread, the sync and the other helper thread was 3,000 wake-ups a second on an idle switch).
     */
    private static final long IDLE_NS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Bytes the writer writes between two wake-ups of this thread (a small part of the bytes kept ahead). */
    static final long NUDGE_BYTES = 256L << 10;
    private static final long RETRY_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final Logger LOGGER = LoggerFactory.getLogger(JournalPretoucher.class);
    /** The position value of the last wake-up ({@link #onWritten}); the writer thread's only. */
    private long nudgedAt = Long.MIN_VALUE / 2;

    private final Path journalDir;
    private final long aheadBytes;
    private final AtomicLong published = new AtomicLong(NONE);
    private final Thread thread;
    private final UnsafeBuffer window = new UnsafeBuffer(0, 0);
    private volatile boolean running = true;

    private int cycle = -1;
    private FileChannel channel;
    private MappedByteBuffer mapped;
    private long windowStart;
    private long windowEnd;
    private long touchedTo;
    private volatile long pagesTouched;
    private volatile long failures;
    private volatile JournalReserver reserver;
    /** Folds every value read, so the reads are not optimised away. */
    private int sink;

    /**
     * Starts the pretouch thread (a daemon) for a journal directory.
     *
     * @param journalDir the journal queue directory the writer appends to.
     * @param aheadBytes how far beyond the writer's position pages are kept touched.
     */
    public JournalPretoucher(final Path journalDir, final long aheadBytes)
    {
        this.journalDir = journalDir;
        this.aheadBytes = aheadBytes;
        thread = new Thread(this::run, "tapswitch-journal-pretouch");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Publishes the writer's position (called by the writer after an append; one ordered store, no allocation).
     *
     * @param cycle    the roll cycle of the file written.
     * @param position the file offset written up to.
     */
    public void onWritten(final int cycle, final long position)
    {
        final long value = ((long)cycle << POSITION_BITS) | (position & POSITION_MASK);
        published.lazySet(value);
        if (value - nudgedAt >= NUDGE_BYTES || value < nudgedAt)
        {
            // once per NUDGE_BYTES written (or a new cycle): one unpark, not one per append
            nudgedAt = value;
            LockSupport.unpark(thread);
        }
    }

    /**
     * Touches only pages the reserver has allocated (a page of a full filesystem cannot be faulted in: SIGBUS).
     */
    public void limitTo(final JournalReserver reserver)
    {
        this.reserver = reserver;
    }

    /**
     * @return pages touched so far (read by tests and metrics; approximate while running).
     */
    public long pagesTouched()
    {
        return pagesTouched;
    }

    private void run()
    {
        boolean failed = false;
        while (running)
        {
            try
            {
                final long value = published.get();
                if (value != NONE)
                {
                    touch((int)(value >>> POSITION_BITS), value & POSITION_MASK);
                }
                if (failed)
                {
                    failed = false;
                    LOGGER.info("journal pretouch resumed");
                }
                LockSupport.parkNanos(IDLE_NS);
            }
            catch (final Throwable ex)
            {
                // Only an optimisation, and it must never die: a page that cannot be faulted in (SIGBUS on a full
                // filesystem surfaces as an InternalError) is retried later; the writer never writes past the
                // space JournalReserver allocated.
                if (!failed)
                {
                    failed = true;
                    LOGGER.warn("journal pretouch failed, retrying every {} ms: {}",
                        TimeUnit.NANOSECONDS.toMillis(RETRY_NS), ex.toString());
                }
                failures++;
                try
                {
                    release();
                }
                catch (final Throwable ignored)
                {
                    // released as far as possible; the next attempt opens the file again
                    channel = null;
                    cycle = -1;
                }
                LockSupport.parkNanos(RETRY_NS);
            }
        }
        release();
    }

    /**
     * @return attempts that failed (each retried after 100 ms).
     */
    public long failures()
    {
        return failures;
    }

    private void touch(final int writtenCycle, final long position) throws IOException
    {
        if (writtenCycle != cycle)
        {
            release();
            final Path file = Queues.newestCycleFile(journalDir);
            if (null == file)
            {
                return;
            }
            channel = FileChannel.open(file, StandardOpenOption.READ);
            cycle = writtenCycle;
            touchedTo = 0;
        }
        final long fileLength = channel.size();
        long limit = Math.min(position + aheadBytes, fileLength);
        final JournalReserver reserver = this.reserver;
        if (null != reserver)
        {
            limit = Math.min(limit, position + Math.min(reserver.headroom(writtenCycle, position), aheadBytes));
        }
        final long target = limit & ~(PAGE - 1L);
        long page = Math.max(touchedTo, (position + PAGE) & ~(PAGE - 1L));
        while (running && page < target)
        {
            if (page < windowStart || page >= windowEnd)
            {
                map(page, fileLength);
            }
            sink += window.getInt((int)(page - windowStart));
            pagesTouched++;
            page += PAGE;
        }
        touchedTo = Math.max(touchedTo, page);
    }

    private void map(final long from, final long fileLength) throws IOException
    {
        unmap();
        windowStart = from;
        windowEnd = Math.min(from + WINDOW_BYTES, fileLength);
        mapped = channel.map(FileChannel.MapMode.READ_ONLY, windowStart, windowEnd - windowStart);
        window.wrap(mapped);
    }

    private void unmap()
    {
        if (null != mapped)
        {
            window.wrap(0, 0);
            IoUtil.unmap(mapped);
            mapped = null;
        }
        windowStart = 0;
        windowEnd = 0;
    }

    private void release()
    {
        unmap();
        if (null != channel)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            channel = null;
        }
        cycle = -1;
    }

    /**
     * Stops the thread and waits for it to release its mapping.
     */
    @Override
    public void close()
    {
        running = false;
        LockSupport.unpark(thread);
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
