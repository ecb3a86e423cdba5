package io.tapswitch.switching.engine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

import io.tapswitch.switching.snapshot.SnapshotInput;
import io.tapswitch.switching.snapshot.SnapshotOutput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The idempotency table against a plain model (a queue of results in decision order, the newest per key found):
 * thousands of random adds, expiries and lookups across every doubling of its chunked ring and of its index (small
 * chunks, so that the oldest position sits mid-chunk when the ring doubles and index buckets are still moving when
 * the next results arrive), at its largest size forgetting the oldest early, and through a snapshot.
 * A broken chain loops forever: the time-out turns that into a failure.
 */
@Timeout(60)
class IdempotencyTableTest
{
    @TempDir
    Path dir;

    private record Entry(long key, long timeMs, long receipt, int slot)
    {
    }

    @Test
    void shouldAgreeWithTheModelAcrossGrowthEvictionAndExpiry() throws Exception
    {
        for (int seed = 1; seed <= 40; seed++)
        {
            final SplittableRandom random = new SplittableRandom(seed);
            final int initial = 1 << random.nextInt(0, 4);
            final int max = initial << random.nextInt(0, 6);
            final int keySpace = 1 + random.nextInt(300);
            final IdempotencyTable table = new IdempotencyTable(initial, max);
            final ArrayDeque<Entry> model = new ArrayDeque<>();
            long evicted = 0;
            long nowMs = 0;
            long cutoffMs = -1;
            long receipt = 0;
            for (int op = 0; op < 3_000; op++)
            {
                final int choice = random.nextInt(10);
                if (choice < 6)
                {
                    nowMs += random.nextInt(3);
                    final long key = IdempotencyTable.key(random.nextInt(4), random.nextInt(keySpace));
                    if (model.size() == Math.max(max, initial))
                    {
                        model.removeFirst();
                        evicted++;
                    }
                    receipt++;
                    final int slot = table.add(key, nowMs, receipt, IdempotencyTable.TYPE_TAP, key, receipt, -key,
                        1 + (int)(receipt % 3), (int)(receipt % 7), (int)(receipt % 100), (int)receipt, 1, 2, 3);
                    model.addLast(new Entry(key, nowMs, receipt, slot));
                }
                else if (choice < 8)
                {
                    cutoffMs = Math.min(nowMs, cutoffMs + random.nextInt(4));
                    table.expire(cutoffMs);
                    while (!model.isEmpty() && model.peekFirst().timeMs() <= cutoffMs)
                    {
                        model.removeFirst();
                    }
                }
                else
                {
                    final long key = IdempotencyTable.key(random.nextInt(4), random.nextInt(keySpace));
                    final long atMs = cutoffMs + random.nextInt(3);
                    assertThat(table.find(key, atMs)).as("seed %d op %d", seed, op).isEqualTo(expectedSlot(model, key, atMs));
                }
                assertThat(table.size()).as("seed %d op %d", seed, op).isEqualTo(model.size());
                assertThat(table.evictedEarly()).isEqualTo(evicted);
                if (op % 500 == 499)
                {
                    assertHolds(table, model, cutoffMs);
                }
            }
            assertHolds(table, model, cutoffMs);
            assertThat(table.capacity()).isLessThanOrEqualTo(Math.max(max, initial));

            final Path file = dir.resolve("idempotency-" + seed + ".snapshot");
            try (SnapshotOutput out = new SnapshotOutput(file))
            {
                table.save(out);
                out.finish();
            }
            assertThat(SnapshotInput.verifyChecksum(file)).isTrue();
            final IdempotencyTable loaded = new IdempotencyTable(1, max);
            try (SnapshotInput in = new SnapshotInput(file))
            {
                loaded.load(in);
            }
            assertThat(loaded.digest()).isEqualTo(table.digest());
            assertThat(loaded.size()).isEqualTo(model.size());
            final List<Entry> reslotted = new ArrayList<>();
            for (final Entry e : model)
            {
                reslotted.add(new Entry(e.key(), e.timeMs(), e.receipt(), loaded.find(e.key(), cutoffMs) == -1 ? -1 :
                    e.slot()));
            }
            for (final Entry e : model)
            {
                final int found = loaded.find(e.key(), cutoffMs);
                final int expected = expectedSlot(model, e.key(), cutoffMs);
                assertThat(found == -1).isEqualTo(expected == -1);
                if (found != -1)
                {
                    assertThat(loaded.receipt(found)).isEqualTo(table.receipt(expected));
                }
            }
            assertThat(reslotted).hasSize(model.size());
        }
    }

    @Test
    void shouldKeepEveryResultReadableThroughTheDoublingsOfABusyDay()
    {
        final IdempotencyTable table = new IdempotencyTable(1 << 10, 1 << 16);
        final int count = 60_000;
        final int[] slots = new int[count];
        for (int i = 0; i < count; i++)
        {
            if (i % 1_000 == 999)
            {
                table.expire(i - 40_000);
            }
            slots[i] = table.add(IdempotencyTable.key(i % 2_000, i), i, 1_000_000 + i, IdempotencyTable.TYPE_TAP, i, 0, 0,
                1, 0, 1, i, 1, 0, 0);
        }
        assertThat(table.capacity()).isEqualTo(1 << 16);
        assertThat(table.evictedEarly()).isZero();
        final long cutoff = count - 1 - 40_000 - 1_000;
        for (int i = 0; i < count; i++)
        {
            final int found = table.find(IdempotencyTable.key(i % 2_000, i), cutoff);
            if (i > cutoff + 1_000)
            {
                assertThat(found).isEqualTo(slots[i]);
                assertThat(table.receipt(found)).isEqualTo(1_000_000 + i);
                assertThat(table.remaining(found)).isEqualTo(i);
            }
        }
    }

    @Test
    void shouldKeepADaysResultsOffTheHeap()
    {
        // Issue 14, sixth session: on the heap a result was 72 bytes in arrays born young and copied by the collector
        // as the day filled. Off the heap, filling the table (and forgetting its oldest at its largest size) allocates
        // on the heap only a chunk's handle, never per result.
        final int capacity = 1 << 18;
        final IdempotencyTable table = new IdempotencyTable(capacity, capacity);
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        final int count = capacity + 50_000;
        addNumbered(table, 0, 1_000);
        final long before = threads.getCurrentThreadAllocatedBytes();
        addNumbered(table, 1_000, count);
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(allocated).as("heap bytes allocated for %d results", count - 1_000).isLessThan(64 * 1024);
        assertThat(table.chunkBytes()).isEqualTo((1 << 17) * IdempotencyTable.ENTRY_BYTES);
        assertThat(table.chunksAllocated()).isEqualTo(2);
        assertThat(table.mappedChunks()).as("chunks mapped on huge pages").isEqualTo(2);
        assertThat(table.evictedEarly()).isEqualTo(count - capacity);
        assertNumbered(table, count - capacity, count);
        assertThat(table.find(IdempotencyTable.key(1, count - capacity - 1), -1)).isEqualTo(-1);
    }

    @Test
    void shouldCopyThePartOfAFullSizeChunkThatSharedItsPlaceWithTheOldestWhenTheRingDoubles()
    {
        // full-size chunks (2^17 results, huge-page mappings): the oldest result sits mid-chunk when the ring doubles,
        // so the newest chunk's part moves to a chunk of its own; every live result stays where its slot says
        final IdempotencyTable table = new IdempotencyTable(1 << 17, 1 << 19);
        addNumbered(table, 0, 70_000);
        table.expire(49_999);
        final int count = 50_000 + (1 << 17) + 30_000;
        addNumbered(table, 70_000, count);
        assertThat(table.capacity()).isEqualTo(1 << 18);
        assertThat(table.size()).isEqualTo(count - 50_000);
        assertThat(table.evictedEarly()).isZero();
        assertNumbered(table, 50_000, count);
        assertThat(table.find(IdempotencyTable.key(1, 49_999), -1)).isEqualTo(-1);
    }

    private static void addNumbered(final IdempotencyTable table, final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            table.add(IdempotencyTable.key(1, i), i, 1_000_000L + i, IdempotencyTable.TYPE_TAP, i, -i, 7L * i, 1, 3,
                i % 100, i, i % 9, i % 1_000, 20_000 + i);
        }
    }

    private static void assertNumbered(final IdempotencyTable table, final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            final int slot = table.find(IdempotencyTable.key(1, i), -1);
            assertThat(slot).as("result %d", i).isGreaterThanOrEqualTo(0);
            if (table.receipt(slot) != 1_000_000L + i || table.timeMs(slot) != i || !table.sameBody(slot,
                IdempotencyTable.TYPE_TAP, i, -i, 7L * i) || table.decision(slot) != 1 || table.reason(slot) != 3 ||
                table.programSlot(slot) != i % 100 || table.remaining(slot) != i || table.taken(slot) != i % 9 ||
                table.takenUnit(slot) != i % 1_000 || table.takenPeriod(slot) != 20_000 + i)
            {
                throw new AssertionError("result " + i + " read back wrong at slot " + slot);
            }
        }
    }

    @Test
    void shouldLoadASnapshotOfTheLayoutWrittenBeforeExpiryStoppedUnlinkingAndSaveItByteForByte() throws Exception
    {
        // The snapshot holds the ring's results in order (head, tail, evictedEarly, then each result's fields), never
        // the index: the index of positions (issue 14, fifth session) is rebuilt from it, so the layout is unchanged
        // and a snapshot written before loads as it is. Written here field by field as the table wrote it before,
        // with positions past 2^31 (slots are their low 31 bits) and keys repeated (the newest is found).
        final long head = 3_000_000_000L;
        final int count = 100;
        final Path file = dir.resolve("before.snapshot");
        try (SnapshotOutput out = new SnapshotOutput(file))
        {
            out.writeLong(head);
            out.writeLong(head + count);
            out.writeLong(7);
            for (int i = 0; i < count; i++)
            {
                final long key = IdempotencyTable.key(i % 3, i % 40);
                out.writeLong(key);
                out.writeLong(1_000 + i);
                out.writeLong(500 + i);
                out.writeLong(key);
                out.writeLong(i);
                out.writeLong(-i);
                out.writeInt(IdempotencyTable.TYPE_TAP | 1 << 8 | (i % 5) << 16 | (i % 100) << 24 |
                    (i % 2 == 0 ? 0x8000_0000 : 0));
                out.writeInt(i);
                out.writeInt(1);
                out.writeInt(i % 9);
                out.writeInt(20_000 + i);
            }
            out.finish();
        }
        final IdempotencyTable table = new IdempotencyTable(1, 128);
        try (SnapshotInput in = new SnapshotInput(file))
        {
            table.load(in);
        }
        assertThat(table.size()).isEqualTo(count);
        assertThat(table.evictedEarly()).isEqualTo(7);
        for (int i = count - 40; i < count; i++)
        {
            final int slot = table.find(IdempotencyTable.key(i % 3, i % 40), 999);
            assertThat(slot).as("result %d", i).isEqualTo((int)((head + i) & 0x7FFF_FFFF));
            assertThat(table.receipt(slot)).isEqualTo(500 + i);
            assertThat(table.reversed(slot)).isEqualTo(i % 2 == 0);
            assertThat(table.programSlot(slot)).isEqualTo(i % 100);
            assertThat(table.takenUnit(slot)).isEqualTo(i % 9);
            assertThat(table.takenPeriod(slot)).isEqualTo(20_000 + i);
        }
        final Path again = dir.resolve("again.snapshot");
        try (SnapshotOutput out = new SnapshotOutput(again))
        {
            table.save(out);
            out.finish();
        }
        assertThat(Files.readAllBytes(again)).as("saved as it was loaded").isEqualTo(Files.readAllBytes(file));

        // then a day goes by: everything expires, the ring wraps over the old slots (their links are stale, never
        // followed), and only the new results are found
        table.expire(1_000 + count);
        assertThat(table.size()).isZero();
        for (int i = 0; i < 300; i++)
        {
            table.add(IdempotencyTable.key(i % 3, 1_000 + i), 5_000 + i, 9_000 + i, IdempotencyTable.TYPE_TAP, i, 0, 0,
                1, 0, 0, i, 1, 0, 0);
            if (i % 50 == 49)
            {
                table.expire(5_000 + i - 60);
            }
        }
        for (int i = 0; i < count; i++)
        {
            assertThat(table.find(IdempotencyTable.key(i % 3, i % 40), 0)).as("an expired result, %d", i).isEqualTo(-1);
        }
        for (int i = 0; i < 300; i++)
        {
            final int slot = table.find(IdempotencyTable.key(i % 3, 1_000 + i), 5_000 + 299 - 60);
            if (i > 299 - 60)
            {
                assertThat(table.receipt(slot)).as("result %d", i).isEqualTo(9_000 + i);
            }
            else
            {
                assertThat(slot).as("result %d, past the cutoff", i).isEqualTo(-1);
            }
        }
    }

    private static int expectedSlot(final ArrayDeque<Entry> model, final long key, final long cutoffMs)
    {
        final Iterator<Entry> newestFirst = model.descendingIterator();
        while (newestFirst.hasNext())
        {
            final Entry e = newestFirst.next();
            if (e.key() == key)
            {
                return e.timeMs() > cutoffMs ? e.slot() : -1;
            }
        }
        return -1;
    }

    private static void assertHolds(final IdempotencyTable table, final ArrayDeque<Entry> model, final long cutoffMs)
    {
        for (final Entry e : model)
        {
            assertThat(table.receipt(e.slot())).isEqualTo(e.receipt());
            assertThat(table.timeMs(e.slot())).isEqualTo(e.timeMs());
            assertThat(table.body0(e.slot())).isEqualTo(e.key());
            assertThat(table.sameBody(e.slot(), IdempotencyTable.TYPE_TAP, e.key(), e.receipt(), -e.key())).isTrue();
            assertThat(table.decision(e.slot())).isEqualTo(1 + (int)(e.receipt() % 3));
            assertThat(table.reason(e.slot())).isEqualTo((int)(e.receipt() % 7));
            assertThat(table.programSlot(e.slot())).isEqualTo((int)(e.receipt() % 100));
            assertThat(table.remaining(e.slot())).isEqualTo((int)e.receipt());
            assertThat(table.find(e.key(), cutoffMs)).isEqualTo(expectedSlot(model, e.key(), cutoffMs));
        }
    }
}
