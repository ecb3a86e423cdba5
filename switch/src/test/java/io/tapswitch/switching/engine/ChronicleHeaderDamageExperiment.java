package io.tapswitch.switching.engine;

import static io.tapswitch.switching.engine.Harness.kyiv;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.tapswitch.formats.Queues;

/**
 * Experiment, run by hand (not a test: it shows an open gap, switch/JOURNAL.md "Damaged Chronicle excerpt header"):
 * what opening a journal does when the 4-byte Chronicle header of an excerpt past the last sync is damaged. For each
 * damage it prints whether the engine opened, the last sequence kept, the next decision, and the last sequence the
 * next open finds (equal to the next decision when nothing was lost). Run from the repository after a build:
 * <pre>
 * java $(sed -n 's/^tapswitch.jvm.flags=//p' bench/target/classes/io/tapswitch/bench/jvm-flags.properties) \
 *   -cp "switch/target/test-classes:switch/target/classes:protocol/target/classes:formats/target/classes:bench/target/lib/*" \
 *   io.tapswitch.switching.engine.ChronicleHeaderDamageExperiment
 * </pre>
 */
public final class ChronicleHeaderDamageExperiment
{
    private static final long START = kyiv(2026, 11, 23, 9, 0);

    private ChronicleHeaderDamageExperiment()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Path dir = java.nio.file.Files.createTempDirectory("tapswitch-header-damage");
        // the header of the last tail excerpt (a kill -9 mid-write leaves it incomplete), then of a middle one
        final int[][] damages = {{10, 0x1b8}, {10, 0x80000000 | (5 * 88)}, {5, 0}, {5, 0x80000058}, {5, 0x7FFFFFFF},
            {5, 0x12345678}, {5, 0xC0000000}, {5, 0x40000058}, {5, 0xFFFF}};
        for (int k = 0; k < damages.length; k++)
        {
            System.out.println("tail record " + damages[k][0] + ", header " + Integer.toHexString(damages[k][1]) +
                (damages[k][1] == 0x1b8 ? " (unchanged: the control)" : "") + ": " +
                run(dir.resolve("run" + k), damages[k][0], damages[k][1]));
        }
        System.exit(0);
    }

    private static String run(final Path dataDir, final int tailRecord, final int header) throws Exception
    {
        final EngineConfig config = new EngineConfig().dataDir(dataDir).snapshotIntervalMs(0).journalReserveBytes(0);
        long nowMs = START;
        final long lastDurable;
        final long lastTail;
        final Harness h = new Harness(config).demo(100, 4);
        try
        {
            long receipt = 0;
            for (int i = 0; i < 20; i++)
            {
                receipt = h.tap(nowMs, 1, 1 + i, 1_000_001 + i, 2, 1).receipt();
                nowMs += 1_000;
            }
            h.engine.syncJournal();
            lastDurable = receipt;
            int correlation = 10_000;
            for (int b = 0; b < 3; b++)
            {
                h.engine.beginJournalBatch();
                for (int i = 0; i < 5; i++)
                {
                    receipt = h.tap(nowMs, 2, correlation++, 1_000_001 + i, 2, 1).receipt();
                }
                h.engine.flushJournal();
            }
            lastTail = receipt;
        }
        finally
        {
            h.abandonEngine();
        }
        final Path file = Queues.newestCycleFile(Queues.journalDir(dataDir));
        final List<long[]> tail = EngineTornTailTest.recordRanges(file, lastDurable + 1, lastTail);
        // the second batch's excerpt: its header is the 4 bytes before its first record
        final long at = tail.get(tailRecord)[0] - 4;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(at);
            final int before = Integer.reverseBytes(raf.readInt());
            raf.seek(at);
            raf.writeInt(Integer.reverseBytes(header));
            System.out.println("header at " + at + " was " + Integer.toHexString(before));
        }
        try (net.openhft.chronicle.queue.impl.single.SingleChronicleQueue q = Queues.open(Queues.journalDir(dataDir));
            net.openhft.chronicle.queue.ExcerptTailer t = q.createTailer())
        {
            long lastRead = -1;
            int n = 0;
            String error = "";
            try
            {
                while (true)
                {
                    try (net.openhft.chronicle.wire.DocumentContext dc = t.readingDocument())
                    {
                        if (!dc.isPresent())
                        {
                            break;
                        }
                        lastRead = dc.index();
                        n++;
                    }
                }
            }
            catch (final RuntimeException ex)
            {
                error = ex.toString();
            }
            System.out.println("read " + n + " excerpts, last read " + Long.toHexString(lastRead) + ", lastIndex " +
                Long.toHexString(q.lastIndex()) + " " + error);
        }
        final CompletableFuture<String> opened = CompletableFuture.supplyAsync(() ->
        {
            try
            {
                final Harness again = new Harness(Engine.open(config), dataDir, config);
                final long kept = again.engine.counters().lastReceipt();
                final long torn = again.engine.counters().journalTornExcerpts();
                final long next = again.tap(START + 100_000, 3, 1, 1_000_050, 2, 1).receipt();
                again.engine.syncJournal();
                again.abandonEngine();
                try (Harness third = new Harness(Engine.open(config), dataDir, config))
                {
                    return "opened: durable " + lastDurable + ", tail to " + lastTail + ", kept " + kept + ", torn " +
                        torn + ", next " + next + ", reopened last " + third.engine.counters().lastReceipt();
                }
            }
            catch (final Throwable ex)
            {
                return "refused: " + ex;
            }
        });
        try
        {
            return opened.get(30, TimeUnit.SECONDS);
        }
        catch (final java.util.concurrent.TimeoutException ex)
        {
            return "HUNG";
        }
    }
}
