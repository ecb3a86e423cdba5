package io.tapswitch.switching.journal;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.tapswitch.formats.Queues;
import net.openhft.posix.OpenFlag;
import net.openhft.posix.PosixAPI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the disk space of the journal's current cycle file allocated ahead of the writer, on a thread of its own, so
 * that a full filesystem is met here, as an error code, and never by the writer as a {@code SIGBUS} on a mapped page
 * (which the JVM turns into an {@link InternalError} that may surface after the excerpt was committed, leaving a
 * record of zeros in the journal).
 * <p>
 * The writer publishes where it writes ({@link #onWritten}); this thread {@code fallocate}s the file from there up to
 * {@link #aheadBytes()} beyond it, in steps ({@code FALLOC_FL_KEEP_SIZE}: the file's length, which Chronicle manages,
 * is not changed, and bytes already written are never touched). The writer asks {@link #headroom(int, long)} before
 * deciding: how many bytes past its position are allocated. When an allocation fails (ENOSPC, EIO, …) this thread
 * records the failure ({@link #failing()}, {@link #failures()}), logs it once per episode and retries every
 * {@link #PROBE_NS} ns; when space returns the next allocation succeeds and the headroom grows again: the writer
 * resumes by itself. Nothing here ever throws out of the thread: it never dies.
 * <p>
 * Thread-safe: {@link #onWritten} from the writer thread, the rest from any thread.
 */
public final class JournalReserver implements AutoCloseable
{
    /** Bytes kept allocated beyond the writer's position by default. */
    public static final long DEFAULT_AHEAD_BYTES = 32L << 20;
    /** How often a failed allocation is retried (the probe that notices space has returned). */
    public static final long PROBE_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private static final int FALLOC_FL_KEEP_SIZE = 1;
    private static final long STEP_BYTES = 1L << 20;
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

    private final Path journalDir;
    private final long aheadBytes;
    private final AtomicLong published = new AtomicLong(NONE);
    /** (cycle &lt;&lt; 40) | end of the allocated region, or NONE. */
    private final AtomicLong reserved = new AtomicLong(NONE);
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean failing;
    private volatile long failures;
    private volatile long bytesReserved;

    private int cycle = -1;
    private int fd = -1;
    private long reservedTo;

    /**
     * Starts the reserve thread (a daemon).
     *
     * @param journalDir the journal queue directory the writer appends to.
     * @param aheadBytes how far beyond the writer's position the file is kept allocated.
     */
    public JournalReserver(final Path journalDir, final long aheadBytes)
    {
        this.journalDir = journalDir;
        this.aheadBytes = aheadBytes;
        thread = new Thread(this::run, "tapswitch-journal-reserve");
        thread.setDaemon(true);
        thread.start();
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
     * @return bytes allocated past the writer's position in its cycle; {@link Long#MAX_VALUE} when nothing is known
     * yet (no append since start, or the writer just rolled to a cycle not reserved yet) and the last allocation did
     * not fail, 0 in that case when it did.
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
     * @return true while the last allocation attempt failed (the filesystem is full or failing).
     */
    public boolean failing()
    {
        return failing;
    }

    /**
     * @return allocation attempts that failed since start (each retried after {@link #PROBE_NS}).
     */
    public long failures()
    {
        return failures;
    }

    /**
     * @return bytes allocated ahead of the writer since start.
     */
    public long bytesReserved()
    {
        return bytesReserved;
    }

    /**
     * @return how far beyond the writer's position the file is kept allocated.
     */
    public long aheadBytes()
    {
        return aheadBytes;
    }

    private void run()
    {
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
                // never dies: an unexpected failure is a failed allocation, retried after the probe interval
                onFailure(ex.toString());
                closeFile();
                parkNs = PROBE_NS;
            }
            LockSupport.parkNanos(parkNs);
        }
        closeFile();
    }

    /**
     * @return false when an allocation failed.
     */
    private boolean reserve(final int writtenCycle, final long position)
    {
        // A cycle file just opened (at start, after a roll, after a failure) publishes its region only once the whole
        // target is allocated: a first step of 1 MiB from the page below the writer is less headroom than a decision
        // needs, and publishing it would answer SYSTEM_ERROR on a healthy disk for the moment the next step takes.
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
            cycle = writtenCycle;
            reservedTo = position & ~(PAGE - 1L);
        }
        if (!fresh && !failing && reservedTo - position >= aheadBytes - Math.min(STEP_BYTES, aheadBytes / 2))
        {
            // still at least (ahead - one step) allocated past the writer: nothing to do. Without this the thread
            // called fallocate for the few bytes the writer moved every millisecond (6,000 calls in 8 s of one
            // terminal's round trips, each taking the file's inode lock a concurrent sync of the journal needs)
            return true;
        }
        final long target = position + aheadBytes;
        while (running && reservedTo < target)
        {
            final long length = Math.min(STEP_BYTES, target - reservedTo);
            if (0 != PosixAPI.posix().fallocate(fd, FALLOC_FL_KEEP_SIZE, reservedTo, length))
            {
                onFailure("fallocate " + length + " bytes at " + reservedTo + " of the journal cycle " + cycle +
                    ": " + PosixAPI.posix().lastErrorStr());
                reserved.set(((long)cycle << POSITION_BITS) | reservedTo);
                return false;
            }
            reservedTo += length;
            bytesReserved += length;
            if (!fresh)
            {
                reserved.set(((long)cycle << POSITION_BITS) | reservedTo);
            }
        }
        if (failing)
        {
            failing = false;
            LOGGER.warn("journal space allocated again after {} failed attempts since start: the journal is writable",
                failures);
        }
        reserved.set(((long)cycle << POSITION_BITS) | reservedTo);
        return true;
    }

    private void onFailure(final String what)
    {
        failures++;
        if (!failing)
        {
            failing = true;
            LOGGER.error("cannot allocate journal space ahead of the writer ({}); the switch answers SYSTEM_ERROR " +
                "once the space already allocated is used, and retries every {} ms", what,
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
