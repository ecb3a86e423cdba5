package io.tapswitch.switching.journal;

import java.nio.file.Path;

import io.tapswitch.formats.Queues;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Reads the admin commands ({@code <data-dir>/commands}, {@code switch/COMMANDS.md}) for the engine, one queue
 * document at a time, so the engine itself touches no Chronicle type. Not thread-safe: one thread at a time (it may
 * be opened on one thread and handed to the engine thread).
 */
public final class CommandQueueTailer implements AutoCloseable
{
    private final SingleChronicleQueue queue;
    private final ExcerptTailer tailer;
    private long index = -1;

    /**
     * Opens the command queue of a data directory (created empty if absent), positioned at its start.
     */
    public CommandQueueTailer(final Path dataDir)
    {
        this.queue = Queues.open(Queues.commandsDir(dataDir));
        this.tailer = queue.createTailer();
        // opened on one thread, used by the engine thread (one thread at a time)
        tailer.singleThreadedCheckDisabled(true);
    }

    /**
     * Reads the next command into {@code buffer} from offset 0, at most its capacity.
     *
     * @return the command's length in the queue (more than the buffer's capacity when it did not fit: then only the
     * first capacity bytes were read), or -1 when no command is pending.
     */
    public long next(final UnsafeBuffer buffer)
    {
        try (DocumentContext dc = tailer.readingDocument())
        {
            if (!dc.isPresent())
            {
                return -1;
            }
            final Bytes<?> bytes = dc.wire().bytes();
            final long available = bytes.readRemaining();
            final int length = (int)Math.min(available, buffer.capacity());
            bytes.read(buffer.byteArray(), 0, length);
            index = dc.index();
            return available;
        }
    }

    /**
     * @return the queue index of the command {@link #next} read last, -1 before any.
     */
    public long index()
    {
        return index;
    }

    /**
     * Positions the tailer after the command at {@code lastIndex} (the last one applied or rejected), or at the
     * queue's start when that command is not found.
     */
    public void positionAfter(final long lastIndex)
    {
        if (lastIndex >= 0 && tailer.moveToIndex(lastIndex))
        {
            try (DocumentContext dc = tailer.readingDocument())
            {
                if (dc.isPresent())
                {
                    return;
                }
            }
        }
        tailer.toStart();
    }

    @Override
    public void close()
    {
        tailer.close();
        queue.close();
    }
}
