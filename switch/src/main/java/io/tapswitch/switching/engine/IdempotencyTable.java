package io.tapswitch.switching.engine;

import java.io.IOException;

import io.tapswitch.switching.snapshot.SnapshotInput;
import io.tapswitch.switching.snapshot.SnapshotOutput;

/**
 * The results of recent TAP and REVERSAL requests per (terminal, correlation), kept for the idempotency window: a
 * ring in decision order (so expiry is a walk from the oldest end) and a chained hash index from key to ring position.
 * <p>
 * <b>Expiry without a chain walk</b> (issue 14, fifth session). The index's links are ring positions (+ 1), which
 * never repeat, and its chains are newest first. Expiry only moves {@link #head} (the oldest live position) past the
 * results it forgets; it never unlinks them. An expired result lies behind every live result of its chain, so a walk
 * ({@link #find}, the index's doubling) stops at the first link not above {@code head}, without reading the entry it
 * names (whose slot may hold a newer result of another chain by then). The same results are found and forgotten as
 * when each was unlinked; expiry reads only the ring's times, in order.
 * Also what a reversal needs of its original: the card, what was taken from which usage counter in which period, and
 * whether it was already reversed.
 * <p>
 * <b>Growth without a pause.</b> The table starts small and doubles up to its largest size, on the engine thread, in
 * the middle of a busy day. A doubling never copies the table (the copy of 8 M results and the rehash of their index
 * held every terminal for 0.1–0.9 s):
 * <ul>
 * <li>The ring is stored as chunks of at most 2^16 results, each field a {@code long[]}/{@code int[]} per chunk. A
 * position {@code p} lives in chunk {@code p >>> chunkBits} at ring index {@code (p >>> chunkBits) & ringMask},
 * offset {@code p & chunkMask}. Doubling the ring moves chunk references, allocates chunks lazily as the writer
 * reaches them, and copies at most the part of one chunk that shared its ring index with the oldest one.</li>
 * <li>The index is a bucket array of chain heads with the chains linked through the ring ({@code next}, newest
 * first). Doubling it allocates the new bucket array and moves a few old buckets per {@link #add} (an old bucket
 * {@code b} splits into {@code b} and {@code b + oldSize}, order kept) until all have moved; until then a bucket not
 * moved yet is read in the old array.</li>
 * </ul>
 * A slot given out ({@link #find}, {@link #add}) is the position's low 31 bits: it stays valid across a doubling.
 * Capacities are rounded up to powers of two.
 * <p>
 * Not thread-safe; owned by the engine thread.
 */
final class IdempotencyTable
{
    static final int TYPE_TAP = 1;
    static final int TYPE_REVERSAL = 2;
    static final long MISSING = -1;

    private static final int MAX_CHUNK_BITS = 16;
    private static final int SLOT_MASK = 0x7FFF_FFFF;
    private static final int MAX_CAPACITY = 1 << 30;
    /** Old index buckets moved per {@link #add} while the index doubles. */
    private static final int MIGRATE_PER_ADD = 4;

    private final int chunkBits;
    private final int chunkMask;
    private final int maxCapacity;
    private int capacity;
    private int ringMask;
    private long[][] keys;
    private long[][] timeMs;
    private long[][] receipts;
    private long[][] body0;
    private long[][] body1;
    private long[][] body2;
    /** type | decision << 8 | reason << 16 | programSlot << 24 (7 bits) | reversed << 31. */
    private int[][] meta;
    private int[][] remaining;
    private int[][] taken;
    private int[][] takenUnit;
    private int[][] takenPeriod;
    /**
     * The next (older) entry of the same index chain, as its ring position + 1; 0, or any link not above
     * {@link #head} (an entry already expired, whose slot may hold a newer result by now), ends the chain.
     */
    private long[][] next;
    /** Chain heads (ring position + 1; 0 or a link not above {@link #head} = empty) by hash &amp; bucketMask. */
    private long[] buckets;
    private int bucketMask;
    /** While the index doubles: the old chain heads, of which [0, migrated) have moved. */
    private long[] oldBuckets;
    private int oldBucketMask;
    private int migrated;
    private long head;
    private long tail;
    private long evictedEarly;

    /**
     * @param capacity    initial number of results held (rounded up to a power of two).
     * @param maxCapacity the ring doubles when full up to this (rounded up to a power of two); at it, the oldest result
     *                    is forgotten early.
     */
    IdempotencyTable(final int capacity, final int maxCapacity)
    {
        this.capacity = powerOfTwo(capacity);
        this.maxCapacity = Math.max(this.capacity, powerOfTwo(maxCapacity));
        chunkBits = Math.min(MAX_CHUNK_BITS, Integer.numberOfTrailingZeros(this.capacity));
        chunkMask = (1 << chunkBits) - 1;
        allocateRing(this.capacity);
        buckets = new long[this.capacity];
        bucketMask = this.capacity - 1;
    }

    private static int powerOfTwo(final int value)
    {
        final int v = Math.max(1, Math.min(MAX_CAPACITY, value));
        return Integer.bitCount(v) == 1 ? v : Integer.highestOneBit(v) << 1;
    }

    private void allocateRing(final int capacity)
    {
        final int chunks = capacity >>> chunkBits;
        ringMask = chunks - 1;
        keys = new long[chunks][];
        timeMs = new long[chunks][];
        receipts = new long[chunks][];
        body0 = new long[chunks][];
        body1 = new long[chunks][];
        body2 = new long[chunks][];
        meta = new int[chunks][];
        remaining = new int[chunks][];
        taken = new int[chunks][];
        takenUnit = new int[chunks][];
        takenPeriod = new int[chunks][];
        next = new long[chunks][];
    }

    private void allocateChunk(final int ringIndex)
    {
        final int size = chunkMask + 1;
        keys[ringIndex] = new long[size];
        timeMs[ringIndex] = new long[size];
        receipts[ringIndex] = new long[size];
        body0[ringIndex] = new long[size];
        body1[ringIndex] = new long[size];
        body2[ringIndex] = new long[size];
        meta[ringIndex] = new int[size];
        remaining[ringIndex] = new int[size];
        taken[ringIndex] = new int[size];
        takenUnit[ringIndex] = new int[size];
        takenPeriod[ringIndex] = new int[size];
        next[ringIndex] = new long[size];
    }

    /**
     * Doubles the ring: chunk references move to their ring index under the new mask; the chunk that shared its index
     * with the oldest chunk (when the oldest position is not at a chunk's start) gets arrays of its own, with its part
     * copied. No result's slot changes.
     */
    private void growRing()
    {
        final int oldMask = ringMask;
        final long[][] oKeys = keys;
        final long[][] oTimeMs = timeMs;
        final long[][] oReceipts = receipts;
        final long[][] oBody0 = body0;
        final long[][] oBody1 = body1;
        final long[][] oBody2 = body2;
        final int[][] oMeta = meta;
        final int[][] oRemaining = remaining;
        final int[][] oTaken = taken;
        final int[][] oTakenUnit = takenUnit;
        final int[][] oTakenPeriod = takenPeriod;
        final long[][] oNext = next;
        capacity = Math.min(maxCapacity, 2 * capacity);
        allocateRing(capacity);
        final long firstChunk = head >>> chunkBits;
        final long lastChunk = (tail - 1) >>> chunkBits;
        for (long c = firstChunk; c <= lastChunk; c++)
        {
            final int from = (int)(c & oldMask);
            final int to = (int)(c & ringMask);
            if (c != firstChunk && from == (int)(firstChunk & oldMask))
            {
                // the newest chunk shares its arrays with the oldest: its part [0, end) moves to arrays of its own
                allocateChunk(to);
                final int end = (int)((tail - 1) & chunkMask) + 1;
                System.arraycopy(oKeys[from], 0, keys[to], 0, end);
                System.arraycopy(oTimeMs[from], 0, timeMs[to], 0, end);
                System.arraycopy(oReceipts[from], 0, receipts[to], 0, end);
                System.arraycopy(oBody0[from], 0, body0[to], 0, end);
                System.arraycopy(oBody1[from], 0, body1[to], 0, end);
                System.arraycopy(oBody2[from], 0, body2[to], 0, end);
                System.arraycopy(oMeta[from], 0, meta[to], 0, end);
                System.arraycopy(oRemaining[from], 0, remaining[to], 0, end);
                System.arraycopy(oTaken[from], 0, taken[to], 0, end);
                System.arraycopy(oTakenUnit[from], 0, takenUnit[to], 0, end);
                System.arraycopy(oTakenPeriod[from], 0, takenPeriod[to], 0, end);
                System.arraycopy(oNext[from], 0, next[to], 0, end);
                continue;
            }
            keys[to] = oKeys[from];
            timeMs[to] = oTimeMs[from];
            receipts[to] = oReceipts[from];
            body0[to] = oBody0[from];
            body1[to] = oBody1[from];
            body2[to] = oBody2[from];
            meta[to] = oMeta[from];
            remaining[to] = oRemaining[from];
            taken[to] = oTaken[from];
            takenUnit[to] = oTakenUnit[from];
            takenPeriod[to] = oTakenPeriod[from];
            next[to] = oNext[from];
        }
    }

    /**
     * Starts doubling the index (the old buckets move over the next adds).
     */
    private void growIndex()
    {
        finishMigration();
        oldBuckets = buckets;
        oldBucketMask = bucketMask;
        migrated = 0;
        buckets = new long[buckets.length * 2];
        bucketMask = buckets.length - 1;
    }

    private void finishMigration()
    {
        while (null != oldBuckets)
        {
            migrate(oldBuckets.length);
        }
    }

    /**
     * Moves up to {@code count} old buckets into the new index, keeping each chain's order (newest first).
     */
    private void migrate(final int count)
    {
        final long[] old = oldBuckets;
        final int end = Math.min(old.length, migrated + count);
        final int highBit = old.length;
        for (int b = migrated; b < end; b++)
        {
            long lowTail = 0;
            long highTail = 0;
            long link = old[b];
            // only the live part of a chain moves: it ends at the first link not above head
            while (link > head)
            {
                final int slot = slotOf(link - 1);
                final int ri = ringIndex(slot);
                final int off = slot & chunkMask;
                final long following = next[ri][off];
                next[ri][off] = 0;
                final int target = (hash(keys[ri][off]) & highBit) == 0 ? b : b + highBit;
                final long targetTail = target == b ? lowTail : highTail;
                if (0 == targetTail)
                {
                    buckets[target] = link;
                }
                else
                {
                    final int tailSlot = slotOf(targetTail - 1);
                    next[ringIndex(tailSlot)][tailSlot & chunkMask] = link;
                }
                if (target == b)
                {
                    lowTail = link;
                }
                else
                {
                    highTail = link;
                }
                link = following;
            }
            old[b] = 0;
        }
        migrated = end;
        if (migrated == old.length)
        {
            oldBuckets = null;
        }
    }

    private static int hash(final long key)
    {
        long h = key * 0x9E37_79B9_7F4A_7C15L;
        h ^= h >>> 32;
        return (int)h;
    }

    /**
     * @return the array holding the chain head of the hash, and sets {@link #headIndex} to its index.
     */
    private long[] bucketArray(final int hash)
    {
        if (null != oldBuckets)
        {
            final int ob = hash & oldBucketMask;
            if (ob >= migrated)
            {
                headIndex = ob;
                return oldBuckets;
            }
        }
        headIndex = hash & bucketMask;
        return buckets;
    }

    private int headIndex;

    private int ringIndex(final int slot)
    {
        return (slot >>> chunkBits) & ringMask;
    }

    private static int slotOf(final long position)
    {
        return (int)(position & SLOT_MASK);
    }

    /**
     * Forgets every result decided at or before {@code cutoffMs}: moves {@link #head} past them, reading only their
     * times, in ring order. Nothing is unlinked from the index (issue 14, fifth session: unlinking the oldest result
     * from its hash chain was one dependent cache miss per result, 40 % of a replay's time): a chain is newest first,
     * so an expired result is behind every live one of its chain, and every walk stops at the first link not above
     * {@link #head} without reading it.
     */
    void expire(final long cutoffMs)
    {
        while (head < tail && timeMs(slotOf(head)) <= cutoffMs)
        {
            head++;
        }
    }

    /**
     * Loads the index's chain head for the key into the cache ahead of {@link #find} and {@link #add} (see
     * {@link Engine#warm()}).
     *
     * @return a value derived from the loaded entry.
     */
    long touch(final long key)
    {
        final long[] array = bucketArray(hash(key));
        return array[headIndex];
    }

    /**
     * Loads the key of the first entry of the key's chain (where {@link #find} compares first), after {@link #touch}
     * loaded the chain head: in a table near its size most chains are not empty, and that key was the miss
     * {@link #find} still took (issue 14: a fifth of a warmed decision's samples).
     *
     * @return a value derived from the loaded entry.
     */
    long touchFirst(final long key)
    {
        final long link = bucketArray(hash(key))[headIndex];
        if (link <= head)
        {
            return 0;
        }
        final int slot = slotOf(link - 1);
        final long[] chunk = keys[ringIndex(slot)];
        return null == chunk ? 0 : chunk[slot & chunkMask];
    }

    /**
     * @return the ring slot of the live result for the key (its newest), or -1.
     */
    int find(final long key, final long cutoffMs)
    {
        final long[] array = bucketArray(hash(key));
        long link = array[headIndex];
        while (link > head)
        {
            final int slot = slotOf(link - 1);
            final int ri = ringIndex(slot);
            final int off = slot & chunkMask;
            if (keys[ri][off] == key)
            {
                return timeMs[ri][off] > cutoffMs ? slot : -1;
            }
            link = next[ri][off];
        }
        return -1;
    }

    static long key(final int terminalIndex, final int correlation)
    {
        return ((long)terminalIndex << 32) | (correlation & 0xFFFF_FFFFL);
    }

    /**
     * Stores a result; when the ring is full the oldest result is forgotten first.
     *
     * @return its slot.
     */
    int add(
        final long key, final long decidedMs, final long receipt, final int type, final long b0, final long b1,
        final long b2, final int decision, final int reason, final int programSlot, final int remainingValue,
        final int takenQuantity, final int unit, final int periodKey)
    {
        if (tail - head == capacity)
        {
            if (capacity < maxCapacity)
            {
                growRing();
            }
            else
            {
                head++;
                evictedEarly++;
            }
        }
        if (null != oldBuckets)
        {
            migrate(MIGRATE_PER_ADD);
        }
        else if (tail - head >= buckets.length)
        {
            growIndex();
        }
        final long position = tail++;
        final int slot = slotOf(position);
        final int ri = ringIndex(slot);
        final int off = slot & chunkMask;
        if (null == keys[ri])
        {
            allocateChunk(ri);
        }
        keys[ri][off] = key;
        timeMs[ri][off] = decidedMs;
        receipts[ri][off] = receipt;
        body0[ri][off] = b0;
        body1[ri][off] = b1;
        body2[ri][off] = b2;
        meta[ri][off] = type | decision << 8 | reason << 16 | programSlot << 24;
        remaining[ri][off] = remainingValue;
        taken[ri][off] = takenQuantity;
        takenUnit[ri][off] = unit;
        takenPeriod[ri][off] = periodKey;
        final long[] array = bucketArray(hash(key));
        next[ri][off] = array[headIndex];
        array[headIndex] = position + 1;
        return slot;
    }

    boolean sameBody(final int slot, final int type, final long b0, final long b1, final long b2)
    {
        final int ri = ringIndex(slot);
        final int off = slot & chunkMask;
        return type(slot) == type && body0[ri][off] == b0 && body1[ri][off] == b1 && body2[ri][off] == b2;
    }

    int type(final int slot)
    {
        return meta[ringIndex(slot)][slot & chunkMask] & 0xFF;
    }

    int decision(final int slot)
    {
        return (meta[ringIndex(slot)][slot & chunkMask] >>> 8) & 0xFF;
    }

    int reason(final int slot)
    {
        return (meta[ringIndex(slot)][slot & chunkMask] >>> 16) & 0xFF;
    }

    int programSlot(final int slot)
    {
        return (meta[ringIndex(slot)][slot & chunkMask] >>> 24) & 0x7F;
    }

    boolean reversed(final int slot)
    {
        return meta[ringIndex(slot)][slot & chunkMask] < 0;
    }

    void markReversed(final int slot)
    {
        meta[ringIndex(slot)][slot & chunkMask] |= 0x8000_0000;
    }

    long body0(final int slot)
    {
        return body0[ringIndex(slot)][slot & chunkMask];
    }

    long timeMs(final int slot)
    {
        return timeMs[ringIndex(slot)][slot & chunkMask];
    }

    long receipt(final int slot)
    {
        return receipts[ringIndex(slot)][slot & chunkMask];
    }

    int remaining(final int slot)
    {
        return remaining[ringIndex(slot)][slot & chunkMask];
    }

    int taken(final int slot)
    {
        return taken[ringIndex(slot)][slot & chunkMask];
    }

    int takenUnit(final int slot)
    {
        return takenUnit[ringIndex(slot)][slot & chunkMask];
    }

    int takenPeriod(final int slot)
    {
        return takenPeriod[ringIndex(slot)][slot & chunkMask];
    }

    int size()
    {
        return (int)(tail - head);
    }

    int capacity()
    {
        return capacity;
    }

    long evictedEarly()
    {
        return evictedEarly;
    }

    long digest()
    {
        final Digest d = new Digest().add(head).add(tail);
        for (long p = head; p < tail; p++)
        {
            final int s = ringIndex(slotOf(p));
            final int o = (int)(p & chunkMask);
            d.add(keys[s][o]).add(timeMs[s][o]).add(receipts[s][o]).add(body0[s][o]).add(body1[s][o]).add(body2[s][o])
                .add(meta[s][o]).add(remaining[s][o]).add(taken[s][o]).add(takenUnit[s][o]).add(takenPeriod[s][o]);
        }
        return d.value();
    }

    void save(final SnapshotOutput out) throws IOException
    {
        out.writeLong(head);
        out.writeLong(tail);
        out.writeLong(evictedEarly);
        for (long p = head; p < tail; p++)
        {
            final int s = ringIndex(slotOf(p));
            final int o = (int)(p & chunkMask);
            out.writeLong(keys[s][o]);
            out.writeLong(timeMs[s][o]);
            out.writeLong(receipts[s][o]);
            out.writeLong(body0[s][o]);
            out.writeLong(body1[s][o]);
            out.writeLong(body2[s][o]);
            out.writeInt(meta[s][o]);
            out.writeInt(remaining[s][o]);
            out.writeInt(taken[s][o]);
            out.writeInt(takenUnit[s][o]);
            out.writeInt(takenPeriod[s][o]);
        }
    }

    void load(final SnapshotInput in) throws IOException
    {
        final long loadedHead = in.readLong();
        final long loadedTail = in.readLong();
        evictedEarly = in.readLong();
        head = loadedHead;
        tail = loadedHead;
        final long count = loadedTail - loadedHead;
        while (capacity < count && capacity < maxCapacity)
        {
            capacity = Math.min(maxCapacity, 2 * capacity);
        }
        allocateRing(capacity);
        oldBuckets = null;
        buckets = new long[capacity];
        bucketMask = capacity - 1;
        // entries beyond this engine's largest capacity are read and dropped oldest-first
        final long skip = Math.max(0, count - capacity);
        for (long i = 0; i < count; i++)
        {
            final long key = in.readLong();
            final long decidedMs = in.readLong();
            final long receipt = in.readLong();
            final long b0 = in.readLong();
            final long b1 = in.readLong();
            final long b2 = in.readLong();
            final int m = in.readInt();
            final int r = in.readInt();
            final int t = in.readInt();
            final int u = in.readInt();
            final int pk = in.readInt();
            if (i < skip)
            {
                head++;
                tail++;
                continue;
            }
            final int slot = add(key, decidedMs, receipt, m & 0xFF, b0, b1, b2, 0, 0, 0, r, t, u, pk);
            meta[ringIndex(slot)][slot & chunkMask] = m;
        }
    }
}
