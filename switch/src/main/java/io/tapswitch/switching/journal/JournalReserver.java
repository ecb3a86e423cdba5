package io.tapswitch.switching.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.tapswitch.formats.Queues;
import net.openhft.posix.OpenFlag;
import net.openhft.posix.PosixAPI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the disk space of the journal's current cycle file written ahead of the writer, on a thread of its own, so
 * that a full filesystem is met here, as an error code, and never by the writer as a {@code SIGBUS} on a mapped page
 * (which the JVM turns into an {@link InternalError} that may surface after the excerpt was committed, leaving a
 * record of zeros in the journal) — and so that the writer's records land in blocks the filesystem has already
 * allocated and written.
 * <p>
 * <b>Why written, not {@code fallocate}d</b> (issue 14, fifth session): on ext4 a block reserved with
 * {@code fallocate} is an unwritten extent; the first sync after the writer's records went into it converts the
 * extent, a metadata change, so that sync waits for an ext4 journal (jbd2) commit shared with every other process on
 * the filesystem — one such {@code fdatasync} took 241 ms and held every answer of a pipelined run. So this thread
 * writes zeros ahead ({@code pwrite} through the page cache) and forces them to the disk ({@code fdatasync}, which
 * commits the allocation) <em>before</em> it reports the space to the engine: the journal's own syncs then flush data
 * blocks only, as a log file that is reused does (PostgreSQL writes its WAL segments the same way). The cost: every
 * journal byte is written twice (once as a zero, once as a record) and this thread makes one {@code fdatasync} per
 * {@link #refillBytes()} written.
 * <p>
 * <b>Never a zero over a record.</b> Zeros may only go where the writer will not have written: the writer announces,
 * before each excerpt, the highest byte it may touch ({@link #beforeWrite}: its position, the excerpt, and
 * {@link #WRITE_SLACK} for Chronicle's header and index array) with a volatile store followed by a volatile load of
 * the range this thread is zeroing; this thread stores the start of the range it is about to zero, then loads the
 * writer's announcement. Java's volatiles are sequentially consistent, so at least one of the two sees the other:
 * this thread never zeroes at or below an announced byte, and a writer that would write into the range being zeroed
 * waits until that step (at most {@link #STEP_BYTES}) is done. A writer that respects the headroom never meets that
 * wait (the zeroing runs far ahead of it); one that ignores it (a tool writing through the engine directly) is slowed,
 * never damaged. The few hundred KiB between a freshly opened cycle's writer and the first byte that may be zeroed
 * ({@link #WRITE_SLACK} past its last announcement) are allocated with {@code fallocate(FALLOC_FL_KEEP_SIZE)}, which
 * never changes a byte.
 * <p>
 * The writer publishes where it wrote ({@link #onWritten}). The writer asks {@link #headroom(int, long)} before
 * deciding: how many bytes past its position are written ahead. When a write or sync fails (ENOSPC, EIO, …) this
 * thread records the failure ({@link #failing()}, {@link #failures()}), logs it once per episode and retries every
 * {@link #PROBE_NS} ns; when space returns the next attempt succeeds and the headroom grows again: the writer resumes
 * by itself. Nothing here ever throws out of the thread: it never dies.
 * <p>
 * Thread-safe: {@link #beforeWrite} and {@link #onWritten} from the writer thread, the rest from any thread.
 */
public final class JournalReserver implements AutoCloseable
{
    /** Bytes kept written ahead of the writer's position by default. */
    public static final long DEFAULT_AHEAD_BYTES = 32L << 20;
    /** How often a failed write ahead is retried (the probe that notices space has returned). */
    public static final long PROBE_NS = TimeUnit.MILLISECONDS.toNanos(100);
    /**
     * Bytes past an excerpt's end the writer may still touch while writing it: Chronicle's 4-byte header and padding,
     * and an index array it may append after it (8,192 entries of 8 bytes with {@code LARGE_DAILY}), with room to
     * spare.
     */
    public static final long WRITE_SLACK = 256L << 10;
    /** Largest range zeroed between two looks at the writer's announcement (and the longest a writer may wait). */
    static final int STEP_BYTES = 1 << 20;

    private static final int FALLOC_FL_KEEP_SIZE = 1;
    private static final int PAGE = 4096;
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
    private static final Logger LOGGER = LoggerFactory.getLogger(JournalReserver.class);
    /** The position value of the last wake-up ({@link #onWritten}); the writer thread's only. */
    private long nudgedAt = Long.MIN_VALUE / 2;
    /** The last value stored in {@link #announced}; the writer thread's only. */
    private long announcedLocal = NONE;

    private final Path journalDir;
    private final long aheadBytes;
    private final long refillBytes;
    private final long writeSlack;
    private final AtomicLong published = new AtomicLong(NONE);
    /** (cycle &lt;&lt; 40) | the highest byte the writer may have touched in that cycle, or NONE; volatile stores. */
    private final AtomicLong announced = new AtomicLong(NONE);
    /** (cycle &lt;&lt; 40) | the first byte of the range this thread is zeroing, or NONE; volatile stores. */
    private final AtomicLong zeroing = new AtomicLong(NONE);
    /** (cycle &lt;&lt; 40) | end of the region written ahead and forced to the disk, or NONE. */
    private final AtomicLong reserved = new AtomicLong(NONE);
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean failing;
    private volatile long failures;
    private volatile long bytesReserved;
    private volatile long bytesZeroed;
    private volatile long syncs;
    private volatile long writerWaits;

    private int cycle = -1;
    private int fd = -1;
    private FileChannel channel;
    private ByteBuffer zeros;
    /** Everything below this offset of the current cycle file is allocated (written ahead or fallocated). */
    private long reservedTo;

    /**
     * Starts the reserve thread (a daemon).
     *
     * @param journalDir the journal queue directory the writer appends to.
     * @param aheadBytes how far beyond the writer's position the file is kept written ahead.
     */
    public JournalReserver(final Path journalDir, final long aheadBytes)
    {
        this(journalDir, aheadBytes, WRITE_SLACK);
    }

    /**
     * @param writeSlack bytes past an excerpt's end the writer may touch ({@link #WRITE_SLACK}; a test of the
     *                   handshake alone sets 0).
     */
    JournalReserver(final Path journalDir, final long aheadBytes, final long writeSlack)
    {
        this.writeSlack = writeSlack;
        this.journalDir = journalDir;
        this.aheadBytes = aheadBytes;
        // refill once a quarter of the distance is used: one sync of the space per refill, not one per step
        this.refillBytes = Math.max(PAGE, aheadBytes / 4);
        thread = new Thread(this::run, "tapswitch-journal-reserve");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Announces, before an excerpt is written, the highest byte the writer may touch writing it (called by the
     * writer inside Chronicle's writing document, once the position is known; one volatile store and one volatile
     * load, no allocation). Waits while this thread zeroes a range at or below it: never when the writer keeps to
     * its {@link #headroom}.
     *
     * @param cycle    the roll cycle of the file written.
     * @param position where the excerpt's bytes begin in that file.
     * @param length   the excerpt's length.
     */
    public void beforeWrite(final int cycle, final long position, final int length)
    {
        final long value = ((long)cycle << POSITION_BITS) | ((position + length + writeSlack) & POSITION_MASK);
        if (value > announcedLocal)
        {
            announcedLocal = value;
            announced.set(value);
        }
        long range = zeroing.get();
        if (NONE != range && range <= announcedLocal && (int)(range >>> POSITION_BITS) == cycle)
        {
            writerWaits++;
            do
            {
                Thread.onSpinWait();
                range = zeroing.get();
            }
            while (NONE != range && range <= announcedLocal && (int)(range >>> POSITION_BITS) == cycle);
        }
    }

    /**
     * Publishes the writer's position (called by the writer after an append; one ordered store, no allocation).
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
     * @param writerCycle    the cycle the writer appends to.
     * @param writerPosition the writer's position in that cycle's file.
     * @return bytes written ahead (and forced to the disk) past the writer's position in its cycle;
     * {@link Long#MAX_VALUE} when nothing is known yet (no append since start, or the writer just rolled to a cycle
     * not reserved yet) and the last attempt did not fail, 0 in that case when it did.
     */
    public long headroom(final int writerCycle, final long writerPosition)
    {
        final long value = reserved.get();
        if (NONE == value || (int)(value >>> POSITION_BITS) != writerCycle)
        {
            return failing ? 0 : Long.MAX_VALUE;
        }
        return Math.max(0, (value & POSITION_MASK) - writerPosition);
    }

    /**
     * @return true while the last attempt to write space ahead failed (the filesystem is full or failing).
     */
    public boolean failing()
    {
        return failing;
    }

    /**
     * @return attempts that failed since start (each retried after {@link #PROBE_NS}).
     */
    public long failures()
    {
        return failures;
    }

    /**
     * @return bytes allocated ahead of the writer since start (zeroed or, close behind a fresh cycle's writer,
     * fallocated).
     */
    public long bytesReserved()
    {
        return bytesReserved;
    }

    /**
     * @return bytes of zeros written ahead of the writer since start: the journal bytes written twice.
     */
    public long bytesZeroed()
    {
        return bytesZeroed;
    }

    /**
     * @return syncs of the space written ahead since start.
     */
    public long syncs()
    {
        return syncs;
    }

    /**
     * @return times the writer waited for a zeroing step (it wrote past the headroom it was given).
     */
    public long writerWaits()
    {
        return writerWaits;
    }

    /**
     * @return how far beyond the writer's position the file is kept written ahead.
     */
    public long aheadBytes()
    {
        return aheadBytes;
    }

    /**
     * @return bytes the writer writes between two refills (each a write ahead and a sync).
     */
    public long refillBytes()
    {
        return refillBytes;
    }

    private void run()
    {
        zeros = ByteBuffer.allocateDirect(STEP_BYTES);
        while (running)
        {
            long parkNs = IDLE_NS;
            try
            {
                final long value = published.get();
                if (NONE != value && !reserve((int)(value >>> POSITION_BITS), value & POSITION_MASK))
                {
                    parkNs = PROBE_NS;
                }
            }
            catch (final Throwable ex)
            {
                // never dies: an unexpected failure is a failed reservation, retried after the probe interval
                zeroing.set(NONE);
                onFailure(ex.toString());
                closeFile();
                parkNs = PROBE_NS;
            }
            LockSupport.parkNanos(parkNs);
        }
        closeFile();
    }

    /**
     * @return false when writing or syncing the space failed.
     */
    private boolean reserve(final int writtenCycle, final long position) throws IOException
    {
        // A cycle file just opened (at start, after a roll, after a failure) publishes its region only once the whole
        // target is written: a first step from the page below the writer is less headroom than a decision needs, and
        // publishing it would answer SYSTEM_ERROR on a healthy disk for the moment the next step takes.
        boolean fresh = false;
        if (writtenCycle != cycle || fd < 0)
        {
            fresh = true;
            closeFile();
            final Path file = newestCycleFile();
            if (null == file)
            {
                return true;
            }
            fd = PosixAPI.posix().open(file.toString(), OpenFlag.O_RDWR.value(), 0);
            if (fd < 0)
            {
                onFailure("open " + file + ": " + PosixAPI.posix().lastErrorStr());
                return false;
            }
            try
            {
                channel = FileChannel.open(file, StandardOpenOption.WRITE);
            }
            catch (final IOException ex)
            {
                onFailure("open " + file + ": " + ex);
                closeFile();
                return false;
            }
            cycle = writtenCycle;
            reservedTo = position & ~(PAGE - 1L);
        }
        if (!fresh && !failing && reservedTo - position >= aheadBytes - refillBytes)
        {
            // enough written ahead: nothing to do until a quarter of the distance is used (one sync per refill)
            return true;
        }
        final long target = position + aheadBytes;
        final long before = reservedTo;
        boolean ok = true;
        while (running && reservedTo < target && !writerLeft())
        {
            if (!step(target))
            {
                ok = false;
                break;
            }
        }
        if (reservedTo > before || !ok)
        {
            // what was written ahead reaches the disk (and its allocation is committed) before the engine is told
            try
            {
                channel.force(false);
                syncs++;
            }
            catch (final IOException ex)
            {
                onFailure("fdatasync of the journal cycle " + cycle + " after writing its space ahead: " + ex);
                return false;
            }
        }
        reserved.set(((long)cycle << POSITION_BITS) | reservedTo);
        if (!ok)
        {
            return false;
        }
        if (failing)
        {
            failing = false;
            LOGGER.warn("journal space written ahead again after {} failed attempts since start: the journal is " +
                "writable", failures);
        }
        return true;
    }

    /**
     * Allocates the next part of the space below {@code target}: zeros from the first byte the writer cannot touch
     * (above its announcement), {@code fallocate} below it.
     *
     * @return false when it failed (recorded).
     */
    private boolean step(final long target) throws IOException
    {
        final long announcedValue = announced.get();
        long from = reservedTo;
        if (NONE != announcedValue && (int)(announcedValue >>> POSITION_BITS) == cycle)
        {
            from = Math.max(from, (announcedValue & POSITION_MASK) + 1);
        }
        else
        {
            // no announcement in this cycle yet (a writer that only publishes, e.g. a test): its position and slack
            from = Math.max(from, (published.get() & POSITION_MASK) + writeSlack + 1);
        }
        from = Math.min((from + PAGE - 1) & ~(PAGE - 1L), target);
        if (from > reservedTo && !fallocateTo(from))
        {
            return false;
        }
        if (from >= target)
        {
            return true;
        }
        final int length = (int)Math.min(STEP_BYTES, target - from);
        zeroing.set(((long)cycle << POSITION_BITS) | from);
        final long seen = announced.get();
        if (NONE != seen && (int)(seen >>> POSITION_BITS) >= cycle &&
            ((int)(seen >>> POSITION_BITS) > cycle || (seen & POSITION_MASK) >= from))
        {
            // the writer got there (or to a later cycle) in the meantime: look again (or stop, see writerLeft)
            zeroing.set(NONE);
            return true;
        }
        try
        {
            zeros.clear().limit(length);
            long at = from;
            while (zeros.hasRemaining())
            {
                at += channel.write(zeros, at);
            }
            bytesZeroed += length;
            bytesReserved += from + length - reservedTo;
            reservedTo = from + length;
            return true;
        }
        catch (final IOException ex)
        {
            final long written = zeros.position();
            if (written > 0)
            {
                bytesZeroed += written;
                bytesReserved += from + written - reservedTo;
                reservedTo = from + written;
            }
            onFailure("write " + length + " bytes of zeros at " + (from + written) + " of the journal cycle " + cycle +
                ": " + ex.getMessage());
            return false;
        }
        finally
        {
            zeroing.set(NONE);
        }
    }

    /**
     * @return true when the writer announced or published a later cycle than the one this thread reserves in.
     */
    private boolean writerLeft()
    {
        final long announcedValue = announced.get();
        final long publishedValue = published.get();
        return (NONE != announcedValue && (int)(announcedValue >>> POSITION_BITS) > cycle) ||
            (NONE != publishedValue && (int)(publishedValue >>> POSITION_BITS) > cycle);
    }

    /**
     * Allocates [reservedTo, to) without changing a byte ({@code FALLOC_FL_KEEP_SIZE}): the part the writer may be
     * writing.
     */
    private boolean fallocateTo(final long to)
    {
        while (reservedTo < to)
        {
            final long length = Math.min(STEP_BYTES, to - reservedTo);
            if (0 != PosixAPI.posix().fallocate(fd, FALLOC_FL_KEEP_SIZE, reservedTo, length))
            {
                onFailure("fallocate " + length + " bytes at " + reservedTo + " of the journal cycle " + cycle +
                    ": " + PosixAPI.posix().lastErrorStr());
                return false;
            }
            reservedTo += length;
            bytesReserved += length;
        }
        return true;
    }

    private void onFailure(final String what)
    {
        failures++;
        if (!failing)
        {
            failing = true;
            LOGGER.error("cannot write journal space ahead of the writer ({}); the switch answers SYSTEM_ERROR " +
                "once the space already written ahead is used, and retries every {} ms", what,
                TimeUnit.NANOSECONDS.toMillis(PROBE_NS));
        }
    }

    private Path newestCycleFile()
    {
        try
        {
            return Queues.newestCycleFile(journalDir);
        }
        catch (final java.io.IOException ex)
        {
            onFailure("list " + journalDir + ": " + ex);
            return null;
        }
    }

    private void closeFile()
    {
        if (fd >= 0)
        {
            PosixAPI.posix().close(fd);
            fd = -1;
        }
        if (null != channel)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ex)
            {
                LOGGER.debug("closing the journal cycle file written ahead: {}", ex.toString());
            }
            channel = null;
        }
        cycle = -1;
    }

    /**
     * Stops the thread.
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
