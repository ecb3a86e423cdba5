package io.tapswitch.switching.engine;

import static io.tapswitch.switching.engine.Harness.kyiv;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import io.tapswitch.formats.Queues;
import io.tapswitch.formats.journal.JournalReader;
import io.tapswitch.formats.journal.JournalRecord;
import io.tapswitch.protocol.Decision;
import io.tapswitch.switching.journal.JournalRepair;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A damaged or incomplete Chronicle excerpt header past the last sync (issue 13): before the repair at open
 * ({@link JournalRepair}), the switch opened such a journal and kept what it could read, but the next decisions,
 * synced and answered, were appended behind a header no tailer reads past and were lost at the following open.
 * <p>
 * For each kind of damage, on a real Chronicle Queue in a temp dir: 20 taps decided and synced one by one (answered),
 * 3 batches of 5 taps written without a sync (never answered), the engine dropped as a killed process leaves it; then
 * the 4-byte Chronicle header of one tail excerpt (or the bytes after the last one) is damaged; the engine is opened
 * with its real open path, 10 new taps are decided and synced one by one (answered), the engine is dropped again and
 * opened again. Every answered decision must be there with its receipt (a retry returns it), receipts gap-free
 * (the admin's reader reads sequences 1, 2, 3, … to the last answered one, also from a position it had stored before
 * the damage), each card's BALANCE = quota − what the journal's decisions took, and the last answer's remaining; the
 * damaged file is kept in {@code <data-dir>/journal-damaged}, the repair counted; the undamaged control repairs
 * nothing.
 */
class JournalHeaderDamageTest
{
    private static final long START = kyiv(2026, 11, 23, 9, 0);
    private static final int PROGRAM = 2;

    @TempDir
    Path dir;

    /** Where the damage is written and what it is. */
    /** A TAP record as the engine journals it (version 3). */
    static final int TAP = io.tapswitch.formats.journal.JournalRecord.TAP_USAGE_LENGTH;

    enum Damage
    {
        /** Nothing damaged. */
        CONTROL(-1, 0, false),
        /**
         * The last tail excerpt's header marked incomplete (what Chronicle versions that claim a header before writing
         * an excerpt leave at a kill; 2026.4 writes the header only once complete, see the kill test).
         */
        INCOMPLETE_LAST(10, 0x80000000 | 5 * TAP, true),
        /** A middle tail excerpt's header incomplete. */
        INCOMPLETE_MIDDLE(5, 0x80000000 | 5 * TAP, true),
        /** A middle header zeroed (a page that never reached the disk) with complete excerpts after it. */
        ZEROED_FOLLOWED_BY_DATA(5, 0, true),
        /** A middle header garbled. */
        GARBLED(5, 0x12345678, true),
        /** A middle header of a complete excerpt whose length runs past the end of the file. */
        LENGTH_PAST_END_OF_FILE(5, 0x3FFFFFF0, true),
        /** A middle header turned into a metadata header. */
        METADATA(5, 0x40000000 | 5 * TAP, true),
        /** A middle header turned into Chronicle's end-of-data mark. */
        END_OF_DATA(5, 0xC0000000, true),
        /** A middle header with a short garbage length. */
        SHORT_LENGTH(5, 0xFFFF, true),
        /**
         * Bytes behind the last excerpt with no header (a kill in the middle of a write, a rolled-back excerpt):
         * cleared in place.
         */
        BYTES_AFTER_THE_LAST_EXCERPT(-2, 0x5A5A5A5A, true);

        final int tailRecord;
        final int header;
        final boolean repaired;

        Damage(final int tailRecord, final int header, final boolean repaired)
        {
            this.tailRecord = tailRecord;
            this.header = header;
            this.repaired = repaired;
        }
    }

    @ParameterizedTest
    @EnumSource(Damage.class)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldKeepEveryAnsweredDecisionAfterAChronicleHeaderDamagedPastTheLastSync(final Damage damage)
        throws IOException
    {
        final Path dataDir = dir.resolve(damage.name());
        final EngineConfig config = new EngineConfig().dataDir(dataDir).snapshotIntervalMs(0).journalReserveBytes(0);
        // answered decisions: correlation -> {terminal, card, receipt, decision, reason, remaining}
        final Map<Long, long[]> answered = new TreeMap<>();
        long nowMs = START;
        final long lastDurable;
        final long lastTail;
        final long storedIndex;
        final long storedSequence;
        final Harness h = new Harness(config).demo(100, 4);
        try
        {
            for (int i = 0; i < 20; i++)
            {
                nowMs += 1_000;
                answer(answered, h, nowMs, 1, 1 + i, 1_000_001 + i % 8);
                h.engine.syncJournal();
            }
            lastDurable = h.engine.counters().lastReceipt();
            // the admin's ingester has read and stored everything synced so far
            try (JournalReader reader = new JournalReader(dataDir))
            {
                while (reader.poll((index, record) -> { }, 10_000) > 0)
                {
                    // read on
                }
                storedIndex = reader.lastReadIndex();
            }
            storedSequence = lastDurable;
            int correlation = 10_000;
            long receipt = 0;
            for (int b = 0; b < 3; b++)
            {
                h.engine.beginJournalBatch();
                for (int i = 0; i < 5; i++)
                {
                    receipt = h.tap(nowMs, 2, correlation++, 1_000_001 + i, PROGRAM, 1).receipt();
                }
                h.engine.flushJournal();
            }
            lastTail = receipt;
        }
        finally
        {
            h.abandonEngine();
        }
        damage(dataDir, damage, lastDurable + 1, lastTail);

        // opened with the real open path: the synced decisions are there, ten new ones are decided and synced
        final Engine opened = Engine.open(config);
        try (Harness again = new Harness(opened, dataDir, config))
        {
            assertThat(opened.counters().journalHeaderRepairs()).as("repairs counted").isEqualTo(damage.repaired ? 1 : 0);
            assertThat(JournalRepair.damagedFiles(dataDir)).as("damaged files kept aside")
                .isEqualTo(damage.repaired ? 1 : 0);
            assertThat(opened.counters().lastReceipt()).as("last record kept").isBetween(lastDurable, lastTail);
            if (!damage.repaired)
            {
                assertThat(opened.counters().lastReceipt()).isEqualTo(lastTail);
            }
            retryAll(again, answered, nowMs);
            long expected = opened.counters().lastReceipt();
            for (int i = 0; i < 10; i++)
            {
                nowMs += 1_000;
                final long receipt = answer(answered, again, nowMs, 3, 100 + i, 1_000_001 + i % 8);
                assertThat(receipt).as("receipts gap-free after the restart").isEqualTo(++expected);
                again.engine.syncJournal();
            }
            again.abandonEngine();
        }
        final long lastAnswered = answered.values().stream().mapToLong(a -> a[2]).max().orElseThrow();

        // opened again (and a third time): every answered decision is there
        for (int open = 0; open < 2; open++)
        {
            final Engine third = Engine.open(config);
            try (Harness h3 = new Harness(third, dataDir, config))
            {
                assertThat(third.counters().journalHeaderRepairs()).as("a repaired journal needs no repair")
                    .isZero();
                assertThat(third.counters().lastReceipt()).as("open %d: the last answered decision is the last record",
                    open).isEqualTo(lastAnswered);
                retryAll(h3, answered, nowMs);
                final Map<Long, Integer> taken = checkJournal(dataDir, answered, lastAnswered, storedIndex,
                    storedSequence);
                final Map<Long, Integer> lastRemaining = new HashMap<>();
                answered.values().stream().filter(a -> a[3] == Decision.APPROVED)
                    .sorted((x, y) -> Long.compare(x[2], y[2])).forEach(a -> lastRemaining.put(a[1], (int)a[5]));
                for (final Map.Entry<Long, Integer> card : taken.entrySet())
                {
                    final int[] entry = programEntry(h3.balance(nowMs, 1, card.getKey()).entries());
                    assertThat(entry[1]).as("card %d: remaining = quota - taken in the journal", card.getKey())
                        .isEqualTo(entry[2] - card.getValue());
                    if (lastRemaining.containsKey(card.getKey()))
                    {
                        assertThat(entry[1]).as("card %d: remaining as last answered", card.getKey())
                            .isEqualTo(lastRemaining.get(card.getKey()));
                    }
                }
                h3.abandonEngine();
            }
        }
        assertThat(JournalRepair.damagedFiles(dataDir)).isEqualTo(damage.repaired ? 1 : 0);
    }

    /**
     * The admin's ingester keeps its reader open while the switch is killed and restarted: after the repair moved
     * the damaged file aside it must read the decisions the restarted switch answers (in the fresh file), resuming
     * after the last excerpt it read, every sequence once.
     */
    @org.junit.jupiter.api.Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldLetARunningAdminReaderFollowTheRepairedJournal() throws Exception
    {
        final Path dataDir = dir.resolve("running-reader");
        final EngineConfig config = new EngineConfig().dataDir(dataDir).snapshotIntervalMs(0).journalReserveBytes(0);
        final List<Long> read = new ArrayList<>();
        long nowMs = START;
        try (JournalReader reader = new JournalReader(dataDir))
        {
            final long lastDurable;
            final long lastTail;
            final Harness h = new Harness(config).demo(100, 4);
            try
            {
                for (int i = 0; i < 20; i++)
                {
                    nowMs += 1_000;
                    h.tap(nowMs, 1, 1 + i, 1_000_001 + i % 8, PROGRAM, 1);
                    h.engine.syncJournal();
                }
                lastDurable = h.engine.counters().lastReceipt();
                int correlation = 10_000;
                long receipt = 0;
                for (int b = 0; b < 3; b++)
                {
                    h.engine.beginJournalBatch();
                    for (int i = 0; i < 5; i++)
                    {
                        receipt = h.tap(nowMs, 2, correlation++, 1_000_001 + i, PROGRAM, 1).receipt();
                    }
                    h.engine.flushJournal();
                }
                lastTail = receipt;
                // the reader has read everything up to the excerpt before the one whose header is damaged next
                while (reader.poll((index, record) -> read.add(record.sequence()), 1) > 0 &&
                    read.get(read.size() - 1) < lastDurable + 5)
                {
                    // read on
                }
            }
            finally
            {
                h.abandonEngine();
            }
            damage(dataDir, Damage.INCOMPLETE_MIDDLE, lastDurable + 1, lastTail);
            final long lastAnswered;
            try (Harness again = new Harness(Engine.open(config), dataDir, config))
            {
                assertThat(again.engine.counters().journalHeaderRepairs()).isEqualTo(1);
                for (int i = 0; i < 10; i++)
                {
                    nowMs += 1_000;
                    again.tap(nowMs, 3, 100 + i, 1_000_001 + i % 8, PROGRAM, 1);
                    again.engine.syncJournal();
                }
                lastAnswered = again.engine.counters().lastReceipt();
            }
            final long followStartNs = System.nanoTime();
            final long deadline = followStartNs + TimeUnit.SECONDS.toNanos(10);
            while (read.get(read.size() - 1) < lastAnswered && System.nanoTime() < deadline)
            {
                if (reader.poll((index, record) -> read.add(record.sequence()), 10_000) == 0)
                {
                    Thread.sleep(50);
                }
            }
            System.out.printf("JournalHeaderDamageTest: the running reader reopened the journal %d time(s) and read " +
                "to sequence %d in %d ms%n", reader.reopenedAfterRepair(), read.get(read.size() - 1),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - followStartNs));
            assertThat(reader.reopenedAfterRepair()).as("reopened after the repair").isEqualTo(1);
            for (int i = 0; i < read.size(); i++)
            {
                assertThat(read.get(i)).as("sequence read by the running reader").isEqualTo(i + 1L);
            }
            assertThat(read.get(read.size() - 1)).as("the running reader reached the last answered decision")
                .isEqualTo(lastAnswered);
        }
    }

    private static long answer(
        final Map<Long, long[]> answered, final Harness h, final long nowMs, final long terminal, final int correlation,
        final long card)
    {
        final Harness.Result r = h.tap(nowMs, terminal, correlation, card, PROGRAM, 1);
        answered.put(terminal << 32 | correlation,
            new long[]{terminal, card, r.receipt(), r.decision(), r.reason(), r.remaining(), nowMs});
        return r.receipt();
    }

    /** Each answered request sent again gets its original decision and receipt (from the journal, rule 5). */
    private static void retryAll(final Harness h, final Map<Long, long[]> answered, final long nowMs)
    {
        for (final Map.Entry<Long, long[]> e : answered.entrySet())
        {
            final long[] a = e.getValue();
            final Harness.Result retry = h.tap(nowMs, a[0], (int)(long)e.getKey(), a[1], PROGRAM, 1, 0, a[6]);
            assertThat(new long[]{retry.receipt(), retry.decision(), retry.reason()})
                .as("answered decision of terminal %d correlation %d", a[0], (int)(long)e.getKey())
                .containsExactly(a[2], a[3], a[4]);
        }
    }

    /**
     * The admin's reader reads sequences 1, 2, … to the last answered one without a gap (from the start, and from
     * the position it stored before the damage), every answered receipt among them.
     *
     * @return per card, what the journal's TAP decisions took from the program.
     */
    private static Map<Long, Integer> checkJournal(
        final Path dataDir, final Map<Long, long[]> answered, final long lastAnswered, final long storedIndex,
        final long storedSequence)
    {
        final Map<Long, Integer> taken = new HashMap<>();
        final Map<Long, Long> receiptOf = new HashMap<>();
        try (JournalReader reader = new JournalReader(dataDir))
        {
            final long[] previous = {0};
            while (reader.poll((index, record) ->
            {
                assertThat(record.sequence()).as("journal read by the admin's reader").isEqualTo(previous[0] + 1);
                previous[0] = record.sequence();
                if (record.type() == JournalRecord.TYPE_TAP)
                {
                    receiptOf.put(record.terminalId() << 32 | record.correlation(), record.receipt());
                    if (record.programId() == PROGRAM)
                    {
                        taken.merge(record.cardId(), record.taken(), Integer::sum);
                    }
                }
            }, 10_000) > 0)
            {
                // read on
            }
            assertThat(previous[0]).as("last record read").isEqualTo(lastAnswered);
        }
        for (final Map.Entry<Long, long[]> e : answered.entrySet())
        {
            assertThat(receiptOf.get(e.getKey())).as("receipt in the journal").isEqualTo(e.getValue()[2]);
        }
        // the admin's stored position still points at the same excerpt: it resumes with the next sequence
        try (JournalReader reader = new JournalReader(dataDir))
        {
            assertThat(reader.moveAfter(storedIndex)).as("stored position still in the journal").isTrue();
            final List<Long> sequences = new ArrayList<>();
            while (reader.poll((index, record) -> sequences.add(record.sequence()), 10_000) > 0)
            {
                // read on
            }
            assertThat(sequences).as("read after the stored position").isNotEmpty();
            for (int i = 0; i < sequences.size(); i++)
            {
                assertThat(sequences.get(i)).isEqualTo(storedSequence + 1 + i);
            }
        }
        return taken;
    }

    private static int[] programEntry(final int[][] entries)
    {
        for (final int[] entry : entries)
        {
            if (entry[0] == PROGRAM)
            {
                return entry;
            }
        }
        throw new AssertionError("no balance entry for program " + PROGRAM);
    }

    /**
     * Overwrites the 4-byte Chronicle header of the excerpt holding a tail record (the 4 bytes before the first
     * record of its batch), or writes bytes after the last excerpt.
     */
    private static void damage(final Path dataDir, final Damage damage, final long firstTail, final long lastTail)
        throws IOException
    {
        if (damage == Damage.CONTROL)
        {
            return;
        }
        final Path file = Queues.newestCycleFile(Queues.journalDir(dataDir));
        final List<long[]> tail = EngineTornTailTest.recordRanges(file, firstTail, lastTail);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            if (damage.tailRecord == -2)
            {
                raf.seek(tail.get(tail.size() - 1)[1] + 4 + 64);
                for (int i = 0; i < 16; i++)
                {
                    raf.writeInt(damage.header);
                }
                return;
            }
            final long at = tail.get(damage.tailRecord)[0] - 4;
            raf.seek(at);
            final int before = Integer.reverseBytes(raf.readInt());
            assertThat(before).as("the excerpt header of 5 TAP records").isEqualTo(5 * TAP);
            raf.seek(at);
            raf.writeInt(Integer.reverseBytes(damage.header));
        }
    }
}
