package io.tapswitch.switching.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

import io.tapswitch.formats.Queues;
import io.tapswitch.formats.journal.IngestedPosition;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;

/**
 * Journal retention: deletes the journal's daily cycle files whose records are all covered both by a snapshot and by
 * the admin's ingested position ({@link IngestedPosition}); never the cycle appends go to. Engine thread.
 */
public final class JournalRetention
{
    private JournalRetention()
    {
    }

    /**
     * @param dataDir       the switch data directory (for the ingested position and the journal directory).
     * @param journalQueue  the open journal.
     * @param snapshotIndex the journal index the oldest retained snapshot covers, -1 if none.
     * @return the number of cycle files deleted.
     */
    public static int apply(final Path dataDir, final JournalWriter journal, final long snapshotIndex)
    {
        return apply(dataDir, journal.queue(), snapshotIndex);
    }

    /**
     * As {@link #apply(Path, JournalWriter, long)}, on an open journal queue.
     */
    public static int apply(final Path dataDir, final SingleChronicleQueue journalQueue, final long snapshotIndex)
    {
        final long ingestedIndex = IngestedPosition.read(dataDir);
        if (ingestedIndex < 0 || snapshotIndex < 0)
        {
            return 0;
        }
        final int coveredCycle = Queues.ROLL_CYCLE.toCycle(Math.min(ingestedIndex, snapshotIndex));
        final int lastCycle = journalQueue.lastCycle();
        final Path dir = Queues.journalDir(dataDir);
        final DateTimeFormatter format = DateTimeFormatter.ofPattern("yyyyMMdd");
        int deleted = 0;
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*" + SingleChronicleQueue.SUFFIX))
        {
            for (final Path file : stream)
            {
                final String name = file.getFileName().toString();
                if (name.length() < 8)
                {
                    continue;
                }
                final int cycle;
                try
                {
                    cycle = (int)LocalDate.parse(name.substring(0, 8), format).toEpochDay();
                }
                catch (final DateTimeParseException ex)
                {
                    continue;
                }
                if (cycle < coveredCycle && cycle < lastCycle)
                {
                    Files.deleteIfExists(file);
                    deleted++;
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot apply retention in " + dir, ex);
        }
        if (deleted > 0)
        {
            journalQueue.refreshDirectoryListing();
        }
        return deleted;
    }
}
