package io.tapswitch.switching.journal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.tapswitch.formats.Queues;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit off the engine thread: forces the journal's current cycle file to the disk ({@code fdatasync}, which
 * waits for the disk like {@code msync(MS_SYNC)} and covers the pages the writer dirtied through its mapping) on a
 * thread of its own, so the engine decides the next batch while the previous one is being made durable.
 * <p>
 * The engine thread asks for a sync after appending a batch ({@link #request}: a token that grows by one per batch)
 * and releases the batch's responses only once {@link #durableToken()} has reached its token. A token is marked
 * durable only after a sync that started after it was requested returned without error. Once a sync failed
 * ({@code EIO}: the kernel may already have dropped the pages it could not write and marked them clean, so a later
 * successful sync proves nothing about them), no token is ever marked durable again ({@link #failedToken()}): the
 * engine thread answers the waiting requests SYSTEM_ERROR and the switch exits for its supervisor to restart it.
 * <p>
 * When no batch waits for a sync and no request waits to be decided, the engine thread syncs a batch itself instead
 * (light load: it would idle meanwhile, and the two thread hand-offs cost more than the sync); it never does while
 * this syncer is {@link #pause()}d (tests), so a paused syncer holds every answer that needs a sync.
 * <p>
 * Thread-safe: {@link #request} from the engine thread, the rest from any thread.
 */
public final class JournalSyncer implements AutoCloseable
{
    /**
     * The longest idle park: {@link #request}, {@link #resume()} and {@link #close()} unpark this thread, so it needs
     * no polling (issue 14: it woke every millisecond, a thousand futex calls a second on an idle switch).
     */
    private static final long IDLE_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long RETRY_NS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long SLOW_SYNC_NS = TimeUnit.SECONDS.toNanos(1);
    private static final Logger LOGGER = LoggerFactory.getLogger(JournalSyncer.class);

    private final Path journalDir;
    private final Runnable onDurable;
    private final Thread thread;
    private final AtomicLong requestedToken = new AtomicLong();
    private final AtomicLong durableToken = new AtomicLong();
    /** Tokens up to this one were covered by a sync that failed: they never become durable (see {@link #run}). */
    private final AtomicLong failedToken = new AtomicLong();
    private volatile int requestedCycle = Integer.MIN_VALUE;
    private volatile boolean running = true;
    private volatile boolean paused;
    private volatile long syncs;
    private volatile long failures;
    private volatile boolean failing;
    private volatile long slowSyncs;

    private int cycle = Integer.MIN_VALUE;
    private FileChannel channel;

    /**
     * Starts the sync thread (a daemon).
     *
     * @param journalDir the journal queue directory.
     * @param onDurable  run on the sync thread after each sync that made new tokens durable (e.g. wakes the engine
     *                   thread); must not block.
     */
    public JournalSyncer(final Path journalDir, final Runnable onDurable)
    {
        this.journalDir = journalDir;
        this.onDurable = onDurable;
        thread = new Thread(this::run, "tapswitch-journal-sync");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Asks for everything appended so far to be forced to the disk.
     *
     * @param writerCycle the roll cycle the writer appends to now.
     * @param token       greater than every token requested before.
     */
    public void request(final int writerCycle, final long token)
    {
        requestedCycle = writerCycle;
        requestedToken.set(token);
        LockSupport.unpark(thread);
    }

    /**
     * @return the largest token whose appends are on the disk (0 before the first sync).
     */
    public long durableToken()
    {
        return durableToken.get();
    }

    /**
     * @return the largest token asked for.
     */
    public long requestedToken()
    {
        return requestedToken.get();
    }

    /**
     * @return syncs completed.
     */
    public long syncs()
    {
        return syncs;
    }

    /**
     * @return syncs that took more than a second (each logged).
     */
    public long slowSyncs()
    {
        return slowSyncs;
    }

    /**
     * @return syncs that failed (and were retried).
     */
    public long failures()
    {
        return failures;
    }

    /**
     * @return the largest token a failed sync covered (0 while no sync failed): it and every later token never
     * become durable.
     */
    public long failedToken()
    {
        return failedToken.get();
    }

    /**
     * @return true while the last sync attempt failed (the answers waiting for it are held; the engine thread gives
     * up on them after a bound and answers SYSTEM_ERROR).
     */
    public boolean failing()
    {
        return failing;
    }

    /**
     * Holds every sync until {@link #resume()} (tests: answers must wait for their sync).
     */
    public void pause()
    {
        paused = true;
    }

    /**
     * @return true while {@link #pause()}d.
     */
    public boolean paused()
    {
        return paused;
    }

    public void resume()
    {
        paused = false;
        LockSupport.unpark(thread);
    }

    private void run()
    {
        while (running)
        {
            final long token = requestedToken.get();
            if (token > durableToken.get() && !paused)
            {
                try
                {
                    final long startNs = System.nanoTime();
                    sync(requestedCycle);
                    final long tookNs = System.nanoTime() - startNs;
                    if (tookNs > SLOW_SYNC_NS)
                    {
                        slowSyncs++;
                        LOGGER.warn("journal sync took {} ms (answers of the batches since the last sync waited)",
                            TimeUnit.NANOSECONDS.toMillis(tookNs));
                    }
                    syncs++;
                    if (failing)
                    {
                        failing = false;
                        LOGGER.warn("journal sync succeeded again after {} failures since start", failures);
                    }
                    if (failedToken.get() == 0)
                    {
                        durableToken.set(token);
                    }
                    onDurable.run();
                }
                catch (final IOException | RuntimeException ex)
                {
                    failures++;
                    if (!failing)
                    {
                        // once per episode (the retries are counted, not logged)
                        LOGGER.error("journal sync failed; answers wait until a sync succeeds: {}", ex.toString());
                    }
                    failing = true;
                    // After a failed fsync the kernel may have dropped the dirty pages and marked them clean: a later
                    // sync that succeeds says nothing about them. Nothing requested so far (or later: the file is
                    // suspect) is ever marked durable; the engine thread answers SYSTEM_ERROR and the switch exits.
                    failedToken.accumulateAndGet(token, Math::max);
                    onDurable.run();
                    release();
                    LockSupport.parkNanos(RETRY_NS);
                }
            }
            else
            {
                LockSupport.parkNanos(IDLE_NS);
            }
        }
        release();
    }

    private void sync(final int writerCycle) throws IOException
    {
        if (writerCycle != cycle || null == channel)
        {
            if (null != channel)
            {
                // the batch may have begun in the previous cycle's file
                channel.force(false);
            }
            release();
            final Path file = Queues.newestCycleFile(journalDir);
            if (null == file)
            {
                throw new IOException("no journal cycle file in " + journalDir);
            }
            channel = FileChannel.open(file, StandardOpenOption.READ);
            cycle = writerCycle;
        }
        channel.force(false);
    }

    private void release()
    {
        if (null != channel)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ex)
            {
                LOGGER.warn("closing the journal file: {}", ex.toString());
            }
            channel = null;
        }
        cycle = Integer.MIN_VALUE;
    }

    /**
     * Stops the thread after its current sync.
     */
    @Override
    public void close()
    {
        running = false;
        LockSupport.unpark(thread);
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
