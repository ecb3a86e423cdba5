package io.tapswitch.switching.engine;

import java.util.Arrays;

/**
 * The cards: an open-addressing table whose slot holds the card id <em>and</em> its packed record
 * ({@link Tables#packCard}) side by side, 16 bytes, four slots to a 64-byte cache line. Deciding a TAP on a card
 * reads one cache line (one DRAM miss on a large table) where the {@link LongIndex} of cards and a record column
 * took three dependent ones (index slot, key, record); the line's content is known when its load returns, so the
 * probe's branches of {@link Tables#warm} depend on cached data only and the misses of a batch overlap.
 * <p>
 * A key hashes to a line (the first of its four slots) and probes linearly from there. Empty slots hold key 0 (card
 * ids are positive: {@code ISSUE_CARD} refuses others). A card's handle, {@link #get}'s result, is its slot: valid
 * until the next {@link #add} (which may grow the table and move every card); nothing keeps one across commands.
 * The ids are also kept in insertion order ({@link #key}), for the digest and a growth that keeps the order.
 * <p>
 * Alignment: a large array lives in a region of the G1 heap of its own (a humongous object), so its first element
 * is at the region's start plus the array header; the slots start {@link #PAD} longs in, on a line boundary. Where
 * the array is not so placed (small tables, other collectors) a line may straddle two: slower, same results.
 * <p>
 * Not thread-safe; owned by the engine thread.
 */
final class CardTable
{
    static final int MISSING = LongIndex.MISSING;
    private static final int MAX_CAPACITY = 1 << 29;
    private static final int SLOTS_PER_LINE = 4;
    private static final int LINE_BYTES = 64;
    /** Longs before slot 0, so that it starts on a cache line (array base offset is 16 bytes on HotSpot). */
    static final int PAD = ((LINE_BYTES - sun.misc.Unsafe.ARRAY_LONG_BASE_OFFSET % LINE_BYTES) % LINE_BYTES) / 8;

    /** Card ids in insertion order: [0, size). */
    private long[] keys;
    /** PAD longs, then per slot: key (0: empty), packed record. */
    private long[] table;
    private int lines;
    private int size;

    CardTable(final int initialCapacity)
    {
        keys = new long[Math.max(16, initialCapacity)];
        lines = linesFor(keys.length);
        table = new long[PAD + 2 * SLOTS_PER_LINE * lines];
    }

    /** Lines for a capacity: load factor at most 3/4 at capacity. */
    static int linesFor(final int capacity)
    {
        return (int)(((long)capacity * 4 / 3 + SLOTS_PER_LINE) / SLOTS_PER_LINE);
    }

    private int firstSlotOf(final long key)
    {
        return (int)(((LongIndex.mix(key) >>> 32) * lines) >>> 32) * SLOTS_PER_LINE;
    }

    private static int at(final int slot)
    {
        return PAD + 2 * slot;
    }

    /**
     * @return the card's handle (its slot), or {@link #MISSING}.
     */
    int get(final long key)
    {
        if (key == 0)
        {
            return MISSING;
        }
        final long[] table = this.table;
        final int slots = lines * SLOTS_PER_LINE;
        int slot = firstSlotOf(key);
        while (true)
        {
            final long k = table[at(slot)];
            if (k == key)
            {
                return slot;
            }
            if (k == 0)
            {
                return MISSING;
            }
            if (++slot == slots)
            {
                slot = 0;
            }
        }
    }

    /**
     * Loads the cache line the key hashes to (its id and record), so that a {@link #get} that follows finds it in the
     * cache: called for many keys in a row, the misses overlap. Changes nothing.
     *
     * @return the line's first id (to be folded into a value the caller keeps, so the load is not optimised away).
     */
    long touch(final long key)
    {
        return table[at(firstSlotOf(key))];
    }

    /** @return the packed record of the card at a handle from {@link #get} or {@link #add}. */
    long info(final int card)
    {
        return table[at(card) + 1];
    }

    void info(final int card, final long info)
    {
        table[at(card) + 1] = info;
    }

    /**
     * Adds a card known to be absent, with an empty record (0).
     *
     * @return its handle, or {@link #MISSING} when the table is at its largest capacity.
     */
    int add(final long key)
    {
        if (key == 0)
        {
            throw new IllegalArgumentException("card id 0");
        }
        if (size == keys.length)
        {
            if (keys.length >= MAX_CAPACITY)
            {
                return MISSING;
            }
            grow(Math.min(MAX_CAPACITY, keys.length * 2));
        }
        keys[size++] = key;
        return insert(table, lines, key, 0);
    }

    private static int insert(final long[] table, final int lines, final long key, final long info)
    {
        final int slots = lines * SLOTS_PER_LINE;
        int slot = (int)(((LongIndex.mix(key) >>> 32) * lines) >>> 32) * SLOTS_PER_LINE;
        while (table[at(slot)] != 0)
        {
            if (++slot == slots)
            {
                slot = 0;
            }
        }
        table[at(slot)] = key;
        table[at(slot) + 1] = info;
        return slot;
    }

    private void grow(final int newCapacity)
    {
        final long[] old = table;
        final int oldLines = lines;
        keys = Arrays.copyOf(keys, newCapacity);
        lines = linesFor(newCapacity);
        table = new long[PAD + 2 * SLOTS_PER_LINE * lines];
        // in insertion order, so a table grown here and one rebuilt from the keys lay out alike
        for (int i = 0; i < size; i++)
        {
            final long key = keys[i];
            insert(table, lines, key, old[at(slotIn(old, oldLines, key)) + 1]);
        }
    }

    private static int slotIn(final long[] table, final int lines, final long key)
    {
        final int slots = lines * SLOTS_PER_LINE;
        int slot = (int)(((LongIndex.mix(key) >>> 32) * lines) >>> 32) * SLOTS_PER_LINE;
        while (table[at(slot)] != key)
        {
            if (++slot == slots)
            {
                slot = 0;
            }
        }
        return slot;
    }

    /**
     * Replaces the content with cards in insertion order and their records (a snapshot of the column layout, or of a
     * table built for another capacity): every card inserted again.
     *
     * @param loadedKeys the ids, {@code loadedSize} of them; kept (not copied) when at least the capacity.
     * @param infos      the records, by insertion index.
     */
    void load(final long[] loadedKeys, final int loadedSize, final long[] infos)
    {
        final int capacity = Math.max(keys.length, loadedSize);
        keys = loadedKeys.length >= capacity ? loadedKeys : Arrays.copyOf(loadedKeys, capacity);
        size = loadedSize;
        lines = linesFor(keys.length);
        table = new long[PAD + 2 * SLOTS_PER_LINE * lines];
        for (int i = 0; i < size; i++)
        {
            insert(table, lines, keys[i], infos[i]);
        }
    }

    /**
     * Replaces the content with cards and the slots saved with them ({@link #slots()}), adopted as they are when they
     * were built for the capacity the keys are loaded with (no insert per card: a random write each, about a second
     * per 10 million); else every saved card is inserted again.
     *
     * @param savedSlots    the saved slots (id, record per slot) from index {@link #PAD} on.
     * @param savedLines    the cache lines the saved slots fill.
     * @param savedCapacity the capacity the slots were built for.
     */
    void load(final long[] loadedKeys, final int loadedSize, final long[] savedSlots, final int savedLines,
        final int savedCapacity)
    {
        if (loadedKeys.length == savedCapacity && loadedSize <= savedCapacity && savedLines == linesFor(savedCapacity) &&
            savedSlots.length == PAD + 2 * SLOTS_PER_LINE * savedLines)
        {
            keys = loadedKeys;
            size = loadedSize;
            lines = savedLines;
            table = savedSlots;
            return;
        }
        final int capacity = Math.max(keys.length, loadedSize);
        keys = loadedKeys.length >= capacity ? loadedKeys : Arrays.copyOf(loadedKeys, capacity);
        size = loadedSize;
        lines = linesFor(keys.length);
        table = new long[PAD + 2 * SLOTS_PER_LINE * lines];
        for (int s = 0; s < savedLines * SLOTS_PER_LINE && at(s) < savedSlots.length; s++)
        {
            if (savedSlots[at(s)] != 0)
            {
                insert(table, lines, savedSlots[at(s)], savedSlots[at(s) + 1]);
            }
        }
    }

    /** @return the cache lines the slots fill. */
    int lines()
    {
        return lines;
    }

    /** @return the slots array (PAD longs first), for a snapshot. */
    long[] slots()
    {
        return table;
    }

    /** @return how many longs of {@link #slots()} after PAD hold slots. */
    int slotLongs()
    {
        return 2 * SLOTS_PER_LINE * lines;
    }

    static int slotLongsOf(final int lines)
    {
        return 2 * SLOTS_PER_LINE * lines;
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

    int capacity()
    {
        return keys.length;
    }
}
