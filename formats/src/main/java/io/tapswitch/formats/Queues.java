package io.tapswitch.formats;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.rollcycles.LargeRollCycles;

/**
 * Opens the Chronicle Queues of a switch data directory with the settings every reader and writer must share.
 * <p>
 * The roll cycle is {@link LargeRollCycles#LARGE_DAILY}: one file per UTC day holding up to 137 438 953 471
 * excerpts (about 1.59 million a second sustained for a whole day). Chronicle's analytics are disabled before
 * the first queue is built: the switch never reaches outside the machine.
 * <p>
 * Thread-safe (static helpers).
 */
public final class Queues
{
    /** Sub-directory of the data directory holding the journal (the write-ahead log). */
    public static final String JOURNAL_DIR = "journal";
    /** Sub-directory of the data directory holding the admin commands. */
    public static final String COMMANDS_DIR = "commands";
    /** Sub-directory of the data directory holding the snapshots. */
    public static final String SNAPSHOTS_DIR = "snapshots";

    /**
     * Sub-directory of the data directory where the switch keeps a journal cycle file it repaired at open (damaged
     * Chronicle excerpt headers past the last readable excerpt), outside the queue directory so that no reader,
     * writer or retention sees it. Never deleted by the switch.
     */
    public static final String DAMAGED_JOURNAL_DIR = "journal-damaged";
    /** Suffix of a damaged journal cycle file kept in {@link #DAMAGED_JOURNAL_DIR}, once it is complete there. */
    public static final String DAMAGED_SUFFIX = ".damaged";

    /** The roll cycle of both queues. */
    public static final RollCycle ROLL_CYCLE = LargeRollCycles.LARGE_DAILY;
    /** Suffix of Chronicle Queue cycle files (one per roll cycle; names sort in cycle order). */
    public static final String CYCLE_FILE_SUFFIX = ".cq4";

    static
    {
        disableAnalytics();
    }

    private Queues()
    {
    }

    /**
     * Sets the system properties that keep Chronicle from reaching the network. Called before any queue is built;
     * safe to call more than once.
     */
    public static void disableAnalytics()
    {
        System.setProperty("chronicle.analytics.disable", "true");
        System.setProperty("chronicle.announcer.disable", "true");
    }

    /**
     * @param dataDir the switch data directory.
     * @return the journal queue directory.
     */
    public static Path journalDir(final Path dataDir)
    {
        return dataDir.resolve(JOURNAL_DIR);
    }

    /**
     * @param dataDir the switch data directory.
     * @return the commands queue directory.
     */
    public static Path commandsDir(final Path dataDir)
    {
        return dataDir.resolve(COMMANDS_DIR);
    }

    /**
     * @param dataDir the switch data directory.
     * @return the snapshots directory.
     */
    public static Path snapshotsDir(final Path dataDir)
    {
        return dataDir.resolve(SNAPSHOTS_DIR);
    }

    /**
     * Opens (creating if needed) a queue directory with the shared settings.
     *
     * @param queueDir the queue directory.
     * @return the open queue; the caller closes it.
     */
    public static SingleChronicleQueue open(final Path queueDir)
    {
        disableAnalytics();
        return SingleChronicleQueueBuilder.binary(queueDir).rollCycle(ROLL_CYCLE).build();
    }

    /**
     * Opens (creating if needed) the journal queue of a data directory for its writer, the engine.
     * <p>
     * With {@code syncToDisk} the queue is built with {@link SyncMode#SYNC}: {@code appender.sync()} then issues
     * {@code msync(MS_SYNC)}, which returns once the pages are on the disk. Chronicle's default
     * ({@link SyncMode#ASYNC}) issues {@code msync(MS_ASYNC)}, which on Linux forces nothing, so an answered tap
     * could be lost to a power cut. Without {@code syncToDisk} the queue keeps Chronicle's default.
     *
     * @param dataDir    the switch data directory.
     * @param syncToDisk whether syncing the journal must force its pages to the disk ({@code journal-sync=batch}).
     * @return the open queue; the caller closes it.
     */
    public static SingleChronicleQueue openJournal(final Path dataDir, final boolean syncToDisk)
    {
        disableAnalytics();
        final SingleChronicleQueueBuilder builder = SingleChronicleQueueBuilder.binary(journalDir(dataDir))
            .rollCycle(ROLL_CYCLE);
        if (syncToDisk)
        {
            builder.syncMode(SyncMode.SYNC);
        }
        return builder.build();
    }

    /**
     * @param dataDir the switch data directory.
     * @return journal cycle files the switch repaired and kept aside in {@link #DAMAGED_JOURNAL_DIR} (0 when none):
     * a reader that holds the journal open reopens it when this grows, since a repair replaces the newest cycle file.
     */
    public static int damagedJournalFiles(final Path dataDir)
    {
        final Path dir = dataDir.resolve(DAMAGED_JOURNAL_DIR);
        if (!Files.isDirectory(dir))
        {
            return 0;
        }
        int n = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + DAMAGED_SUFFIX))
        {
            for (final Path ignored : files)
            {
                n++;
            }
        }
        catch (final IOException ex)
        {
            return 0;
        }
        return n;
    }

    /**
     * @param queueDir a queue directory.
     * @return its newest cycle file (the one an appender writes to), or null when it has none yet.
     * @throws IOException when the directory cannot be listed.
     */
    public static Path newestCycleFile(final Path queueDir) throws IOException
    {
        Path newest = null;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(queueDir, "*" + CYCLE_FILE_SUFFIX))
        {
            for (final Path file : files)
            {
                if (null == newest || file.getFileName().toString().compareTo(newest.getFileName().toString()) > 0)
                {
                    newest = file;
                }
            }
        }
        return newest;
    }
}
