package io.tapswitch.admin.ingest;

import java.util.Arrays;

/**
 * Numbers distinct (long, long) keys densely, 0, 1, 2… in the order first seen, for the ingester's per-batch sums
 * (the caller keeps each key's values in arrays indexed by that number): no boxed keys and no map entries per row.
 * {@link #reset()} keeps the capacity, so a batch allocates nothing once the first batches sized it.
 * <p>
 * Not thread-safe: one thread at a time.
 */
final class PairIndex
{
    private static final int FREE = -1;

    private int[] slots = new int[1 << 11];
    private int mask = slots.length - 1;
    private long[] first = new long[1 << 10];
    private long[] second = new long[1 << 10];
    private int size;

    PairIndex()
    {
        Arrays.fill(slots, FREE);
    }

    /** Forgets every key (keeps the capacity). */
    void reset()
    {
        if (size > 0)
        {
            Arrays.fill(slots, FREE);
            size = 0;
        }
    }

    int size()
    {
        return size;
    }

    long first(final int id)
    {
        return first[id];
    }

    long second(final int id)
    {
        return second[id];
    }

    /** @return the key's number, or -1 when it was not added since the last {@link #reset()}. */
    int find(final long a, final long b)
    {
        for (int i = hash(a, b) & mask; ; i = i + 1 & mask)
        {
            final int id = slots[i];
            if (id == FREE)
            {
                return -1;
            }
            if (first[id] == a && second[id] == b)
            {
                return id;
            }
        }
    }

    /** @return the key's number, a new one ({@code size() - 1} afterwards) when the key was not there. */
    int add(final long a, final long b)
    {
        if ((size + 1) * 2 > slots.length)
        {
            grow();
        }
        int i = hash(a, b) & mask;
        for (; ; i = i + 1 & mask)
        {
            final int id = slots[i];
            if (id == FREE)
            {
                break;
            }
            if (first[id] == a && second[id] == b)
            {
                return id;
            }
        }
        if (size == first.length)
        {
            first = Arrays.copyOf(first, size * 2);
            second = Arrays.copyOf(second, size * 2);
        }
        first[size] = a;
        second[size] = b;
        slots[i] = size;
        return size++;
    }

    private void grow()
    {
        slots = new int[slots.length * 2];
        mask = slots.length - 1;
        Arrays.fill(slots, FREE);
        for (int id = 0; id < size; id++)
        {
            int i = hash(first[id], second[id]) & mask;
            while (slots[i] != FREE)
            {
                i = i + 1 & mask;
            }
            slots[i] = id;
        }
    }

    private static int hash(final long a, final long b)
    {
        long h = a * 0x9E37_79B9_7F4A_7C15L ^ b * 0xC2B2_AE3D_27D4_EB4FL;
        h ^= h >>> 29;
        h *= 0xBF58_476D_1CE4_E5B9L;
        return (int)(h ^ h >>> 32);
    }
}
