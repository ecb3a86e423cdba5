package io.tapswitch.formats.command;

import java.nio.ByteOrder;
import java.nio.file.Path;

import io.tapswitch.formats.Queues;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Appends admin commands to {@code <data-dir>/commands}, one excerpt per command.
 * <p>
 * Command ids must be strictly increasing: the switch applies each id once and skips any id not above the last it
 * applied, so a publisher refuses ({@link #NOT_INCREASING}) an id that is not above the last id in the queue,
 * whoever wrote it. Thread-safe: every method is synchronized (not a hot path). Only one publisher process should
 * write a data directory at a time.
 */
public final class CommandPublisher implements AutoCloseable
{
    /** {@link #publish} result: the command id is not above the last published id; nothing written. */
    public static final long NOT_INCREASING = -1;
    /** {@link #publish} result: the command fails {@link CommandDecoder#check()}; nothing written. */
    public static final long MALFORMED = -2;

    private final SingleChronicleQueue queue;
    private final ExcerptAppender appender;
    private final CommandDecoder decoder = new CommandDecoder();
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[Commands.MAX_COMMAND_BYTES]);
    private long lastCommandId;

    /**
     * Opens (creating if needed) the command queue of a switch data directory.
     *
     * @param dataDir the switch data directory.
     */
    public CommandPublisher(final Path dataDir)
    {
        queue = Queues.open(Queues.commandsDir(dataDir));
        appender = queue.acquireAppender();
        // Chronicle binds an appender to its first thread; every use here is under this object's lock
        appender.singleThreadedCheckDisabled(true);
        lastCommandId = readLastCommandId(queue);
    }

    /**
     * @return the id of the last command in the queue, 0 if none.
     */
    public synchronized long lastCommandId()
    {
        return lastCommandId;
    }

    /**
     * @return the next id a caller may use (last + 1).
     */
    public synchronized long nextCommandId()
    {
        return lastCommandId + 1;
    }

    /**
     * Appends one encoded command.
     *
     * @return the queue index of the excerpt (&ge; 0), or {@link #NOT_INCREASING} or {@link #MALFORMED}.
     */
    public synchronized long publish(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length > Commands.MAX_COMMAND_BYTES)
        {
            return MALFORMED;
        }
        decoder.wrap(buffer, offset, length);
        if (decoder.check() != CommandRejectReason.NONE)
        {
            return MALFORMED;
        }
        final long commandId = decoder.commandId();
        if (commandId <= lastCommandId)
        {
            return NOT_INCREASING;
        }
        buffer.getBytes(offset, scratch, 0, length);
        try (DocumentContext dc = appender.writingDocument())
        {
            dc.wire().bytes().write(scratch.byteArray(), 0, length);
        }
        lastCommandId = commandId;
        return appender.lastIndexAppended();
    }

    @Override
    public synchronized void close()
    {
        appender.close();
        queue.close();
    }

    static long readLastCommandId(final SingleChronicleQueue queue)
    {
        try (ExcerptTailer tailer = queue.createTailer())
        {
            tailer.direction(TailerDirection.BACKWARD).toEnd();
            try (DocumentContext dc = tailer.readingDocument())
            {
                if (!dc.isPresent())
                {
                    return 0;
                }
                final Bytes<?> bytes = dc.wire().bytes();
                if (bytes.readRemaining() < Commands.HEADER_BYTES)
                {
                    return 0;
                }
                final byte[] header = new byte[Commands.HEADER_BYTES];
                bytes.read(header, 0, Commands.HEADER_BYTES);
                return new UnsafeBuffer(header).getLong(Commands.COMMAND_ID_OFFSET, ByteOrder.LITTLE_ENDIAN);
            }
        }
    }
}
