package io.tapswitch.bench.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;

/**
 * The bare durable server's log: the disk's own limit for a durable answer. Each event loop appends the records of a
 * socket read's requests (one record of the journal's size per request) to one file with a positional write, and the
 * answers of that read wait until a group-commit {@code fdatasync} ({@link FileChannel#force(boolean) force(false)})
 * covering them has returned; one sync thread runs the syncs back to back, each covering everything appended before
 * it started, and hands the covered answers back to their event loops, which write and flush them in order.
 * <p>
 * The file is written in full at start ({@code sizeBytes} of zeros, synced) and used as a ring, so a sync flushes
 * overwritten data blocks, never block allocation or a size change — as the switch's journal, whose cycle files are
 * reserved ahead of the writer.
 * <p>
 * Threading: {@link #append} from the event loops (a short lock orders the positions of several loops), the waiting
 * answers of each loop confined to it, one sync thread of its own.
 */
final class DurableLog implements AutoCloseable
{
    private final FileChannel file;
    private final long sizeBytes;
    private final Object appendLock = new Object();
    private final AtomicLong appended = new AtomicLong();
    private volatile long synced;
    private volatile boolean running = true;
    private final Thread syncer;
    private final CopyOnWriteArrayList<LoopWaiters> loops = new CopyOnWriteArrayList<>();
    private final AtomicLong syncs = new AtomicLong();
    /** Tests only: holds the sync thread before its next sync (answers must then wait). */
    volatile boolean syncsPaused;

    /**
     * @param path      the log file (created or overwritten).
     * @param sizeBytes its size, written at start and then reused as a ring.
     */
    DurableLog(final Path path, final long sizeBytes) throws IOException
    {
        this.sizeBytes = sizeBytes;
        file = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);
        final ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
        for (long position = 0; position < sizeBytes; position += zeros.capacity())
        {
            zeros.clear().limit((int)Math.min(zeros.capacity(), sizeBytes - position));
            while (zeros.hasRemaining())
            {
                file.write(zeros, position + zeros.position());
            }
        }
        file.force(true);
        syncer = new Thread(this::syncLoop, "bare-durable-sync");
        syncer.setDaemon(true);
        syncer.start();
    }

    /** @return the waiting answers of the calling event loop (one per loop). */
    LoopWaiters waiters(final EventLoop loop)
    {
        for (final LoopWaiters w : loops)
        {
            if (w.loop == loop)
            {
                return w;
            }
        }
        synchronized (loops)
        {
            for (final LoopWaiters w : loops)
            {
                if (w.loop == loop)
                {
                    return w;
                }
            }
            final LoopWaiters w = new LoopWaiters(loop);
            loops.add(w);
            return w;
        }
    }

    /**
     * Writes the records (position to limit of {@code records}) at the log's end.
     *
     * @return the log position after them: the answers of these requests may leave once {@link #synced()} reaches it.
     */
    long append(final ByteBuffer records)
    {
        synchronized (appendLock)
        {
            final long start = appended.get();
            long position = start;
            try
            {
                while (records.hasRemaining())
                {
                    final long offset = position % sizeBytes;
                    final int chunk = (int)Math.min(records.remaining(), sizeBytes - offset);
                    final int limit = records.limit();
                    records.limit(records.position() + chunk);
                    long at = offset;
                    while (records.hasRemaining())
                    {
                        at += file.write(records, at);
                    }
                    records.limit(limit);
                    position += chunk;
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            appended.set(position);
            LockSupport.unpark(syncer);
            return position;
        }
    }

    long synced()
    {
        return synced;
    }

    /** @return the log position after the last record appended. */
    long appended()
    {
        return appended.get();
    }

    long syncs()
    {
        return syncs.get();
    }

    private void syncLoop()
    {
        while (running)
        {
            final long target = appended.get();
            if (target == synced || syncsPaused)
            {
                // woken by the next append
                LockSupport.parkNanos(100_000_000);
                continue;
            }
            try
            {
                file.force(false);
            }
            catch (final IOException ex)
            {
                if (!running)
                {
                    return;
                }
                throw new UncheckedIOException(ex);
            }
            synced = target;
            syncs.incrementAndGet();
            for (final LoopWaiters w : loops)
            {
                w.wake();
            }
        }
    }

    @Override
    public void close() throws IOException
    {
        running = false;
        LockSupport.unpark(syncer);
        try
        {
            syncer.join(5_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        file.close();
    }

    /**
     * The answers waiting for a sync on one event loop, in the order they were produced (positions never decrease).
     * Confined to the loop, except {@link #wake()}.
     */
    final class LoopWaiters implements Runnable
    {
        private final EventLoop loop;
        private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
        private final AtomicBoolean scheduled = new AtomicBoolean();
        /** The records of the socket read in hand (a loop handles one channel's read at a time). */
        private final ByteBuffer staging = ByteBuffer.allocateDirect(1 << 20);
        private long lastPosition;

        private LoopWaiters(final EventLoop loop)
        {
            this.loop = loop;
        }

        /**
         * On the loop: stages one request's record (the first {@code recordBytes} of the frame, zero-padded); a full
         * staging buffer is appended at once.
         */
        void stage(final ByteBuf frame, final int recordBytes)
        {
            if (staging.remaining() < recordBytes)
            {
                appendStaged();
            }
            final int copy = Math.min(recordBytes, frame.readableBytes());
            final int at = staging.position();
            frame.getBytes(frame.readerIndex(), staging.duplicate().position(at).limit(at + copy));
            for (int i = at + copy; i < at + recordBytes; i++)
            {
                staging.put(i, (byte)0);
            }
            staging.position(at + recordBytes);
        }

        /** On the loop: appends the staged records. @return the position the answers so far must wait for. */
        long appendStaged()
        {
            if (staging.position() > 0)
            {
                staging.flip();
                lastPosition = Math.max(lastPosition, append(staging));
                staging.clear();
            }
            return lastPosition;
        }

        /** On the loop: true when answers wait, so a later answer must queue behind them. */
        boolean isEmpty()
        {
            return waiting.isEmpty();
        }

        /** On the loop: the answers leave once the log is synced up to {@code position} (at least the last one's). */
        void add(final ChannelHandlerContext ctx, final ByteBuf answers, final long position)
        {
            lastPosition = Math.max(lastPosition, position);
            waiting.add(new Waiting(ctx, answers, lastPosition));
            if (synced >= lastPosition)
            {
                run();
            }
        }

        /** From the sync thread after each sync: schedules one release task on the loop (unless one is pending). */
        void wake()
        {
            if (scheduled.compareAndSet(false, true))
            {
                loop.execute(this);
            }
        }

        /** On the loop: writes and flushes every answer the last sync covered. */
        @Override
        public void run()
        {
            scheduled.set(false);
            final long covered = synced;
            Waiting w;
            while ((w = waiting.peek()) != null && w.position <= covered)
            {
                waiting.poll();
                w.ctx.writeAndFlush(w.answers, w.ctx.voidPromise());
            }
        }
    }

    private record Waiting(ChannelHandlerContext ctx, ByteBuf answers, long position)
    {
    }
}
