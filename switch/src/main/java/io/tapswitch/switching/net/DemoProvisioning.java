package io.tapswitch.switching.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
        try (CommandPublisher publisher = new CommandPublisher(dataDir))
        {
            final int published = DemoDataset.publish(publisher, cards, terminals);
            LOGGER.info("demo dataset published: {} cards, {} terminals, {} commands", cards, terminals, published);
            return published;
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
