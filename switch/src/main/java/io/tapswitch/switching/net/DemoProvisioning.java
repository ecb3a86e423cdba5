package io.tapswitch.switching.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;

import io.tapswitch.formats.command.CommandPublisher;
import io.tapswitch.formats.demo.DemoDataset;
import io.tapswitch.formats.Queues;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --demo}: publishes the demo dataset (DEMO-DATA.md) on the command queue of an empty data directory, so
 * the engine applies and journals it like any admin command. A data directory that already holds a journal or
 * commands is left as it is.
 */
final class DemoProvisioning
{
    private static final Logger LOGGER = LoggerFactory.getLogger(DemoProvisioning.class);

    private DemoProvisioning()
    {
    }

    /**
     * @return commands published; 0 when the data directory was not empty.
     */
    static int provisionIfEmpty(final Path dataDir, final int cards, final int terminals)
    {
        if (!isEmptyDir(Queues.journalDir(dataDir)) || !isEmptyDir(Queues.commandsDir(dataDir)))
        {
            LOGGER.info("data directory {} is not empty: demo data not provisioned again", dataDir);
            return 0;
        }
        final int published;
        try (CommandPublisher publisher = new CommandPublisher(dataDir))
        {
            published = DemoDataset.publish(publisher, cards, terminals);
        }
        final long startNs = System.nanoTime();
        forceToDisk(Queues.commandsDir(dataDir));
        LOGGER.info("demo dataset published: {} cards, {} terminals, {} commands (forced to the disk in {} ms)",
            cards, terminals, published, (System.nanoTime() - startNs) / 1_000_000);
        return published;
    }

    /**
     * Writes the command queue's files to the disk now (issue 14, sixth session). The demo publishes its dataset
     * through memory-mapped pages (≈ 300 MB at 10 M cards) that nothing syncs: left to the kernel, they are written
     * back in one burst about 30 s later ({@code vm.dirty_expire_centisecs}), under the load that follows the start,
     * and the journal's {@code fdatasync}s queue behind that burst (BENCHMARKS.md, "Issue 14, sixth session, B").
     */
    private static void forceToDisk(final Path dir)
    {
        try (Stream<Path> files = Files.list(dir))
        {
            for (final Path file : (Iterable<Path>)files.filter(Files::isRegularFile)::iterator)
            {
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
                {
                    channel.force(false);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static boolean isEmptyDir(final Path dir)
    {
        if (!Files.isDirectory(dir))
        {
            return true;
        }
        try (Stream<Path> entries = Files.list(dir))
        {
            return entries.findAny().isEmpty();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
