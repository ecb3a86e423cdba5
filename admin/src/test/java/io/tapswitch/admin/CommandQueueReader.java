package io.tapswitch.admin;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.tapswitch.formats.command.CommandDecoder;
import io.tapswitch.formats.command.CommandRejectReason;

import io.tapswitch.formats.Queues;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Reads back every command of a switch's command queue with the switch's own {@link CommandDecoder}.
 */
public final class CommandQueueReader
{
    /** One command as the switch will read it. */
    public record Command(long commandId, int type, byte[] bytes)
    {
        public CommandDecoder decoder()
        {
            return new CommandDecoder().wrap(new UnsafeBuffer(bytes), 0, bytes.length);
        }
    }

    private CommandQueueReader()
    {
    }

    public static List<Command> readAll(final Path switchDataDir)
    {
        final List<Command> commands = new ArrayList<>();
        try (SingleChronicleQueue queue = Queues.open(Queues.commandsDir(switchDataDir));
            ExcerptTailer tailer = queue.createTailer())
        {
            while (true)
            {
                try (DocumentContext dc = tailer.readingDocument())
                {
                    if (!dc.isPresent())
                    {
                        break;
                    }
                    final Bytes<?> bytes = dc.wire().bytes();
                    final byte[] data = new byte[(int)bytes.readRemaining()];
                    bytes.read(data);
                    final CommandDecoder decoder = new CommandDecoder().wrap(new UnsafeBuffer(data), 0, data.length);
                    if (decoder.check() != CommandRejectReason.NONE)
                    {
                        throw new AssertionError("malformed command in the queue: " + decoder.check());
                    }
                    commands.add(new Command(decoder.commandId(), decoder.type(), data));
                }
            }
        }
        return commands;
    }

    public static long bodyLong(final Command command, final int fieldOffset)
    {
        return command.decoder().bodyLong(fieldOffset);
    }

}
