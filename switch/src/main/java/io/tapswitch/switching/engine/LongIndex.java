package io.tapswitch.switching.engine;

import java.util.Arrays;

/**
 * Open-addressing index from a 64-bit key to a dense index 0, 1, 2 … in insertion order. The keys live in a dense
 * array; the slots hold dense index + 1 (0 = empty), so a lookup allocates nothing and an entry costs 8 bytes of key
 * plus about 5.3 bytes of slots. Entries are never removed. Grows by doubling (a pause on the command path only).
 * <p>
 * Not thread-safe; owned by the engine thread.
 */
final class LongIndex
{
    static final int MISSING = -1;
    private static final int MAX_CAPACITY = 1 << 29;

    private long[] keys;
    private int[] slots;
    private int size;

    LongIndex(final int initialCapacity)
    {
        keys = new long[Math.max(16, initialCapacity)];
        slots = new int[slotsFor(keys.length)];
    }

    private static int slotsFor(final int capacity)
    {
        return (int)Math.min(Integer.MAX_VALUE - 8, (long)capacity * 4 / 3 + 1);
    }

    static long mix(final long key)
    {
        long h = key;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    private int slotOf(final long key)
    {
        return (int)(((mix(key) >>> 32) * slots.length) >>> 32);
    }

    /**
     * @return the dense index of the key, or {@link #MISSING}.
     */
    int get(final long key)
    {
        final int[] slots = this.slots;
        final long[] keys = this.keys;
        int slot = slotOf(key);
        while (true)
        {
            final int value = slots[slot];
            if (value == 0)
            {
                return MISSING;
            }
            if (keys[value - 1] == key)
            {
                return value - 1;
            }
            if (++slot == slots.length)
            {
                slot = 0;
            }
        }
    }

    /**
     * Loads the first slot the key hashes to, so a {@link #get} that follows finds it in the cache: called for many
     * keys in a row, the cache misses overlap instead of following one another.
     *
     * @return the slot's content (to be folded into a value the caller keeps, so the load is not optimised away).
     */
    int touch(final long key)
    {
        return slots[slotOf(key)];
    }

    /**
     * Adds a key known to be absent.
     *
     * @return its dense index, or {@link #MISSING} when the index is at its largest capacity.
     */
    int add(final long key)
    {
        if (size == keys.length)
        {
            if (keys.length >= MAX_CAPACITY)
            {
                return MISSING;
            }
            grow(Math.min(MAX_CAPACITY, keys.length * 2));
        }
        final int index = size++;
        keys[index] = key;
        insertSlot(key, index);
        return index;
    }

    private void insertSlot(final long key, final int index)
    {
        int slot = slotOf(key);
        while (slots[slot] != 0)
        {
            if (++slot == slots.length)
            {
                slot = 0;
            }
        }
        slots[slot] = index + 1;
    }

    private void grow(final int newCapacity)
    {
        keys = Arrays.copyOf(keys, newCapacity);
        slots = new int[slotsFor(newCapacity)];
        for (int i = 0; i < size; i++)
        {
            insertSlot(keys[i], i);
        }
    }

    /**
     * Replaces the content with the given keys (snapshot load).
     */
    void load(final long[] loadedKeys, final int loadedSize)
    {
        final int capacity = Math.max(keys.length, loadedSize);
        keys = loadedKeys.length >= capacity ? loadedKeys : Arrays.copyOf(loadedKeys, capacity);
        size = loadedSize;
        slots = new int[slotsFor(keys.length)];
        for (int i = 0; i < size; i++)
        {
            insertSlot(keys[i], i);
        }
    }

    /**
     * Replaces the content with the given keys and the slots saved with them (snapshot load without rebuilding the
     * slots: a random write per key otherwise, about a second per 10 million keys). The saved slots are used only if
     * they were built for the capacity the keys are loaded with; else the slots are rebuilt.
     *
     * @param savedCapacity the capacity the slots were built for.
     */
    void load(final long[] loadedKeys, final int loadedSize, final int[] savedSlots, final int savedCapacity)
    {
        if (loadedKeys.length == savedCapacity && savedSlots.length == slotsFor(savedCapacity) &&
            loadedSize <= savedCapacity)
        {
            keys = loadedKeys;
            size = loadedSize;
            slots = savedSlots;
        }
        else
        {
            load(loadedKeys, loadedSize);
        }
    }

    int[] slots()
    {
        return slots;
    }

    long key(final int index)
    {
        return keys[index];
    }

    long[] keys()
    {
        return keys;
    }

    int size()
    {
        return size;
    }

    /**
     * @return how many dense entries the parallel arrays of the owner must hold.
     */
    int capacity()
    {
        return keys.length;
    }
}
