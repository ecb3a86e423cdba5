package io.tapswitch.switching.engine;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The index a snapshot restores: loaded with the slots saved beside the keys (adopted when built for the same
 * capacity, rebuilt otherwise) it finds every key at its dense index, misses absent keys, and keeps growing.
 */
class LongIndexTest
{
    @Test
    void shouldFindEveryKeyAfterLoadingWithSavedSlotsOrRebuildingThem()
    {
        final SplittableRandom random = new SplittableRandom(7);
        final LongIndex original = new LongIndex(1 << 12);
        final long[] added = new long[3_000];
        for (int i = 0; i < added.length; i++)
        {
            long key;
            do
            {
                key = 1 + random.nextLong(Long.MAX_VALUE - 1);
            }
            while (original.get(key) != LongIndex.MISSING);
            added[i] = key;
            assertThat(original.add(key)).isEqualTo(i);
        }
        final int capacity = original.capacity();

        final LongIndex adopted = new LongIndex(16);
        adopted.load(Arrays.copyOf(original.keys(), capacity), original.size(),
            Arrays.copyOf(original.slots(), original.slots().length), capacity);
        assertThat(adopted.slots()).isEqualTo(original.slots());

        final LongIndex rebuilt = new LongIndex(16);
        rebuilt.load(Arrays.copyOf(original.keys(), 2 * capacity), original.size(),
            Arrays.copyOf(original.slots(), original.slots().length), capacity);
        assertThat(rebuilt.slots().length).isGreaterThan(original.slots().length);

        for (final LongIndex index : new LongIndex[]{adopted, rebuilt})
        {
            for (int i = 0; i < added.length; i++)
            {
                assertThat(index.get(added[i])).isEqualTo(i);
            }
            assertThat(index.get(-5)).isEqualTo(LongIndex.MISSING);
            for (int i = 0; i < 5_000; i++)
            {
                assertThat(index.add(-(i + 10L))).isEqualTo(added.length + i);
            }
            for (int i = 0; i < added.length; i++)
            {
                assertThat(index.get(added[i])).isEqualTo(i);
            }
            assertThat(index.get(-10 - 4_999L)).isEqualTo(added.length + 4_999);
        }
    }
}
