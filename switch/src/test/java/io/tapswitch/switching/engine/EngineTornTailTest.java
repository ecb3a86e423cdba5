package io.tapswitch.switching.engine;

import static io.tapswitch.switching.engine.Harness.kyiv;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import io.tapswitch.formats.Queues;
import io.tapswitch.formats.journal.JournalRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A journal cut or garbled past its last synced position, as a crash or a power loss mid-write leaves it, is opened:
 * a seeded loop (the seed is printed; fix it with {@code -Dtapswitch.seed=...}) decides taps, syncs them (the durable
 * point: their answers could have left), decides more taps in batches without a sync (never answered), drops the
 * engine, then cuts (zeroes from a random offset to the end), zeroes a random range of, or writes random bytes at
 * random offsets of the records' headers past the synced position. The engine must open it, every synced decision must
 * be there with its receipt (a retry returns it), the next decision must follow the last record kept (gap-free
 * receipts), and the journal must open again after that (the cut excerpts skipped once more).
 */
class EngineTornTailTest
{
    private static final long START = kyiv(2026, 11, 23, 9, 0);
    private static final int ITERATIONS = 10;

    @TempDir
    Path dir;

    @Test
    void shouldOpenAJournalCutOrGarbledPastItsLastSyncedPosition() throws IOException
    {
        final long seed = Long.getLong("tapswitch.seed", System.nanoTime());
        System.out.println("EngineTornTailTest seed=" + seed);
        final SplittableRandom random = new SplittableRandom(seed);
        int tornSeen = 0;
        for (int iteration = 0; iteration < ITERATIONS; iteration++)
        {
            tornSeen += iteration(random.split(), dir.resolve("run" + iteration), iteration);
        }
        System.out.println("EngineTornTailTest: " + ITERATIONS + " journals damaged past the synced position, " +
            tornSeen + " torn-tail excerpts cut in all");
        assertThat(tornSeen).as("damage that broke framing or sequence was detected and cut").isPositive();
    }

    private static int iteration(final SplittableRandom random, final Path dataDir, final int iteration)
        throws IOException
    {
        final EngineConfig config = new EngineConfig().dataDir(dataDir).snapshotIntervalMs(0).journalReserveBytes(0);
        final List<long[]> durable = new ArrayList<>();
        long nowMs = START;
        final List<long[]> tail;
        final long lastDurableSequence;
        final Harness h = new Harness(config).demo(100, 4);
        try
        {
            // durable: decided and synced, one by one (their answers could have left)
            for (int i = 0; i < 20 + random.nextInt(40); i++)
            {
                final int correlation = 1 + i;
                final long card = 1_000_001 + random.nextInt(100);
                final Harness.Result result = h.tap(nowMs, 1, correlation, card, 2, 1);
                durable.add(new long[]{correlation, card, result.receipt(), result.decision(), result.reason()});
                nowMs += 1_000;
            }
            h.engine.syncJournal();
            lastDurableSequence = durable.get(durable.size() - 1)[2];
            // the tail: batches written after the last sync (never answered)
            final int batches = 1 + random.nextInt(6);
            int correlation = 10_000;
            long lastTailSequence = lastDurableSequence;
            for (int b = 0; b < batches; b++)
            {
                h.engine.beginJournalBatch();
                for (int i = 0; i < 1 + random.nextInt(30); i++)
                {
                    lastTailSequence = h.tap(nowMs, 2, correlation++, 1_000_001 + random.nextInt(100), 2, 1).receipt();
                }
                h.engine.flushJournal();
            }
            final Path file = Queues.newestCycleFile(Queues.journalDir(dataDir));
            tail = recordRanges(file, lastDurableSequence + 1, lastTailSequence);
        }
        finally
        {
            h.abandonEngine();
        }

        final int garbledBody = damage(random, Queues.newestCycleFile(Queues.journalDir(dataDir)), tail);

        final Engine reopened = Engine.open(config);
        final int torn = (int)reopened.counters().journalTornExcerpts();
        final long nextReceipt;
        try (Harness again = new Harness(reopened, dataDir, config))
        {
            assertThat(again.engine.counters().lastReceipt()).as("iteration %d: last record kept", iteration)
                .isGreaterThanOrEqualTo(lastDurableSequence);
            if (garbledBody >= 0)
            {
                // bytes of a record's body garbled behind an intact length and sequence: its checksum tells
                assertThat(again.engine.counters().lastReceipt())
                    .as("iteration %d: last record kept before the record with a garbled body", iteration)
                    .isLessThan(lastDurableSequence + 1 + garbledBody);
                assertThat(torn).as("iteration %d: excerpts cut", iteration).isPositive();
            }
            for (final long[] d : durable)
            {
                final Harness.Result retry = again.tap(nowMs, 1, (int)d[0], d[1], 2, 1, 0, START + (d[0] - 1) * 1_000);
                assertThat(new long[]{retry.receipt(), retry.decision(), retry.reason()})
                    .as("iteration %d: synced decision of correlation %d", iteration, d[0])
                    .containsExactly(d[2], d[3], d[4]);
            }
            final long kept = again.engine.counters().lastReceipt();
            nextReceipt = again.tap(nowMs, 3, 1, 1_000_001, 2, 1).receipt();
            assertThat(nextReceipt).as("iteration %d: the next decision follows the last record kept", iteration)
                .isEqualTo(kept + 1);
            again.engine.syncJournal();
        }

        // the admin's reader skips the cut excerpts too: every record once, sequences 1, 2, 3, ...
        try (io.tapswitch.formats.journal.JournalReader reader = new io.tapswitch.formats.journal.JournalReader(dataDir))
        {
            final long[] previous = {0};
            while (reader.poll((index, record) ->
            {
                assertThat(record.sequence()).as("iteration %d: journal read by the admin's reader", iteration)
                    .isEqualTo(previous[0] + 1);
                previous[0] = record.sequence();
            }, 10_000) > 0)
            {
                // read on
            }
            assertThat(previous[0]).as("iteration %d: last record read", iteration).isEqualTo(nextReceipt);
        }

        // opened again: the cut excerpts are skipped once more, the new record is there
        try (Harness third = new Harness(Engine.open(config), dataDir, config))
        {
            assertThat(third.engine.counters().lastReceipt()).isEqualTo(nextReceipt);
            assertThat(third.tap(nowMs, 3, 1, 1_000_001, 2, 1, 0, nowMs).receipt()).isEqualTo(nextReceipt);
        }
        return torn;
    }

    /**
     * Damages the tail's records where the journal can tell (the Chronicle excerpt headers around them are left
     * alone): zeroes whole records from a random one on (pages that never reached the disk), zeroes a random range
     * starting in a record's header, writes random bytes into records' headers (length, type, version, sequence), or
     * garbles bytes of records' bodies behind their intact length and sequence (found by the record checksum).
     *
     * @return the index in {@code records} of the first record whose body was garbled, or -1 for the other damages.
     */
    private static int damage(final SplittableRandom random, final Path file, final List<long[]> records)
        throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            final int first = random.nextInt(records.size());
            switch (random.nextInt(4))
            {
                case 3 ->
                {
                    // 1-8 bytes of the body (offsets 24-87) of the first record, and maybe of later ones
                    for (int i = first; i < records.size(); i += 1 + random.nextInt(records.size()))
                    {
                        final long[] r = records.get(i);
                        final int count = 1 + random.nextInt(8);
                        for (int k = 0; k < count; k++)
                        {
                            final long at = r[0] + JournalRecord.HEADER_BYTES +
                                random.nextInt((int)(r[1] - r[0]) - JournalRecord.HEADER_BYTES);
                            raf.seek(at);
                            final int old = raf.read();
                            raf.seek(at);
                            raf.write(old ^ (1 + random.nextInt(255)));
                        }
                    }
                    return first;
                }
                case 0 ->
                {
                    for (int i = first; i < records.size(); i++)
                    {
                        raf.seek(records.get(i)[0]);
                        raf.write(new byte[(int)(records.get(i)[1] - records.get(i)[0])]);
                    }
                }
                case 1 ->
                {
                    final long[] r = records.get(first);
                    final long at = r[0] + random.nextInt(16);
                    raf.seek(at);
                    raf.write(new byte[(int)(r[1] - at)]);
                }
                default ->
                {
                    for (int i = 0; i < 1 + random.nextInt(4); i++)
                    {
                        final long[] r = records.get(first + random.nextInt(records.size() - first));
                        final long at = r[0] + random.nextInt(16);
                        raf.seek(at);
                        final int old = raf.read();
                        raf.seek(at);
                        raf.write(old ^ (1 + random.nextInt(255)));
                    }
                }
            }
        }
        return -1;
    }

    /**
     * @return [start, end) in the file of each journal record with a sequence in [first, last].
     */
    static List<long[]> recordRanges(final Path file, final long first, final long last) throws IOException
    {
        final List<long[]> ranges = new ArrayList<>();
        for (long sequence = first; sequence <= last; sequence++)
        {
            final long end = endOfRecord(file, sequence);
            ranges.add(new long[]{end - JournalRecord.TAP_USAGE_LENGTH, end});
        }
        return ranges;
    }

    /**
     * @return the file offset just past the last TAP record with this sequence (found by its header bytes).
     */
    private static long endOfRecord(final Path file, final long sequence) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file))
        {
            final ByteBuffer bytes = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size())
                .order(ByteOrder.LITTLE_ENDIAN);
            long found = -1;
            final int tap = JournalRecord.TAP_USAGE_LENGTH;
            for (int at = 0; at + tap <= bytes.limit(); at += 4)
            {
                // a TAP record's header as the engine writes it: recordLength 96, type 1, version 3 (checksummed,
                // with the usage counter), then the sequence
                if (bytes.getInt(at) == tap && bytes.get(at + 4) == 1 &&
                    bytes.get(at + 5) == JournalRecord.VERSION_USAGE && bytes.getLong(at + 8) == sequence)
                {
                    found = at + tap;
                }
            }
            if (found >= 0)
            {
                return found;
            }
        }
        throw new AssertionError("record " + sequence + " not found in " + file + " (" + Files.size(file) + " bytes)");
    }
}
