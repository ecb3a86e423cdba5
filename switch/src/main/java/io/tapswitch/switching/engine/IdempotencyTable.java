package io.tapswitch.switching.engine;

import java.io.IOException;

import io.tapswitch.switching.snapshot.SnapshotInput;
import io.tapswitch.switching.snapshot.SnapshotOutput;
import io.tapswitch.switching.journal.OffHeapChunks;
import org.agrona.concurrent.UnsafeBuffer;

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
 * <li>The ring is stored as chunks of at most 2^17 results of 80 bytes each, off the Java heap
 * ({@link OffHeapChunks}: no collector copies a day's results). A position {@code p} lives in chunk
 * {@code p >>> chunkBits} at ring index {@code (p >>> chunkBits) & ringMask}, offset {@code p & chunkMask}. Doubling
 * the ring moves chunk references, allocates chunks lazily as the writer reaches them, and copies at most the part of
 * one chunk that shared its ring index with the oldest one.</li>
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

    /**
     * 2^17 results of {@link #ENTRY_BYTES} = 10 MiB per chunk: five whole 2 MiB huge pages (issue 14, sixth session;
     * was 2^16 results in twelve heap arrays).
     */
    private static final int MAX_CHUNK_BITS = 17;
    private static final int SLOT_MASK = 0x7FFF_FFFF;
    private static final int MAX_CAPACITY = 1 << 30;
    /** Old index buckets moved per {@link #add} while the index doubles. */
    private static final int MIGRATE_PER_ADD = 4;

    // One result, 80 bytes, in an off-heap chunk; what a chain walk reads (key, link, time) shares its first 24 bytes.
    private static final int KEY = 0;
    /**
     * The next (older) entry of the same index chain, as its ring position + 1; 0, or any link not above
     * {@link #head} (an entry already expired, whose slot may hold a newer result by now), ends the chain.
     */
    private static final int NEXT = 8;
    private static final int TIME_MS = 16;
    private static final int RECEIPT = 24;
    private static final int BODY0 = 32;
    private static final int BODY1 = 40;
    private static final int BODY2 = 48;
    /** type | decision << 8 | reason << 16 | programSlot << 24 (7 bits) | reversed << 31. */
    private static final int META = 56;
    private static final int REMAINING = 60;
    private static final int TAKEN = 64;
    private static final int TAKEN_UNIT = 68;
    private static final int TAKEN_PERIOD = 72;
    static final int ENTRY_BYTES = 80;

    private final int chunkBits;
    private final int chunkMask;
    private final int maxCapacity;
    private int capacity;
    private int ringMask;
    /** The ring's chunks by ring index, off the heap ({@link OffHeapChunks}); null until the writer reaches one. */
    private UnsafeBuffer[] chunks;
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
    private long chunksAllocated;

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
        final int count = capacity >>> chunkBits;
        ringMask = count - 1;
        chunks = new UnsafeBuffer[count];
    }

    private void allocateChunk(final int ringIndex)
    {
        chunks[ringIndex] = OffHeapChunks.allocate((chunkMask + 1) * ENTRY_BYTES);
        chunksAllocated++;
    }

    /**
     * Doubles the ring: chunk references move to their ring index under the new mask; the chunk that shared its index
     * with the oldest chunk (when the oldest position is not at a chunk's start) gets a chunk of its own, with its
     * part copied. No result's slot changes.
     */
    private void growRing()
    {
        final int oldMask = ringMask;
        final UnsafeBuffer[] old = chunks;
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
                // the newest chunk shares its memory with the oldest: its part [0, end) moves to a chunk of its own
                allocateChunk(to);
                final int end = (int)((tail - 1) & chunkMask) + 1;
                chunks[to].putBytes(0, old[from], 0, end * ENTRY_BYTES);
                continue;
            }
            chunks[to] = old[from];
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
                final UnsafeBuffer c = chunkOf(slot);
                final int at = at(slot);
                final long following = c.getLong(at + NEXT);
                c.putLong(at + NEXT, 0);
                final int target = (hash(c.getLong(at + KEY)) & highBit) == 0 ? b : b + highBit;
                final long targetTail = target == b ? lowTail : highTail;
                if (0 == targetTail)
                {
                    buckets[target] = link;
                }
                else
                {
                    final int tailSlot = slotOf(targetTail - 1);
                    chunks[ringIndex(tailSlot)].putLong((tailSlot & chunkMask) * ENTRY_BYTES + NEXT, link);
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

    private UnsafeBuffer chunkOf(final int slot)
    {
        return chunks[(slot >>> chunkBits) & ringMask];
    }

    private int at(final int slot)
    {
        return (slot & chunkMask) * ENTRY_BYTES;
    }

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
        final UnsafeBuffer chunk = chunkOf(slot);
        return null == chunk ? 0 : chunk.getLong(at(slot) + KEY);
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
            final UnsafeBuffer c = chunkOf(slot);
            final int at = at(slot);
            if (c.getLong(at + KEY) == key)
            {
                return c.getLong(at + TIME_MS) > cutoffMs ? slot : -1;
            }
            link = c.getLong(at + NEXT);
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
        if (null == chunks[ri])
        {
            allocateChunk(ri);
        }
        final UnsafeBuffer c = chunks[ri];
        final int at = at(slot);
        c.putLong(at + KEY, key);
        c.putLong(at + TIME_MS, decidedMs);
        c.putLong(at + RECEIPT, receipt);
        c.putLong(at + BODY0, b0);
        c.putLong(at + BODY1, b1);
        c.putLong(at + BODY2, b2);
        c.putInt(at + META, type | decision << 8 | reason << 16 | programSlot << 24);
        c.putInt(at + REMAINING, remainingValue);
        c.putInt(at + TAKEN, takenQuantity);
        c.putInt(at + TAKEN_UNIT, unit);
        c.putInt(at + TAKEN_PERIOD, periodKey);
        final long[] array = bucketArray(hash(key));
        c.putLong(at + NEXT, array[headIndex]);
        array[headIndex] = position + 1;
        return slot;
    }

    boolean sameBody(final int slot, final int type, final long b0, final long b1, final long b2)
    {
        final UnsafeBuffer c = chunkOf(slot);
        final int at = at(slot);
        return type(slot) == type && c.getLong(at + BODY0) == b0 && c.getLong(at + BODY1) == b1 &&
            c.getLong(at + BODY2) == b2;
    }

    int type(final int slot)
    {
        return chunkOf(slot).getInt(at(slot) + META) & 0xFF;
    }

    int decision(final int slot)
    {
        return (chunkOf(slot).getInt(at(slot) + META) >>> 8) & 0xFF;
    }

    int reason(final int slot)
    {
        return (chunkOf(slot).getInt(at(slot) + META) >>> 16) & 0xFF;
    }

    int programSlot(final int slot)
    {
        return (chunkOf(slot).getInt(at(slot) + META) >>> 24) & 0x7F;
    }

    boolean reversed(final int slot)
    {
        return chunkOf(slot).getInt(at(slot) + META) < 0;
    }

    void markReversed(final int slot)
    {
        chunkOf(slot).putInt(at(slot) + META, chunkOf(slot).getInt(at(slot) + META) | 0x8000_0000);
    }

    long body0(final int slot)
    {
        return chunkOf(slot).getLong(at(slot) + BODY0);
    }

    long timeMs(final int slot)
    {
        return chunkOf(slot).getLong(at(slot) + TIME_MS);
    }

    long receipt(final int slot)
    {
        return chunkOf(slot).getLong(at(slot) + RECEIPT);
    }

    int remaining(final int slot)
    {
        return chunkOf(slot).getInt(at(slot) + REMAINING);
    }

    int taken(final int slot)
    {
        return chunkOf(slot).getInt(at(slot) + TAKEN);
    }

    int takenUnit(final int slot)
    {
        return chunkOf(slot).getInt(at(slot) + TAKEN_UNIT);
    }

    int takenPeriod(final int slot)
    {
        return chunkOf(slot).getInt(at(slot) + TAKEN_PERIOD);
    }

    /**
     * @return the off-heap chunks this table allocated so far (each {@link #chunkBytes()}), freed when the table is
     * dropped.
     */
    long chunksAllocated()
    {
        return chunksAllocated;
    }

    /**
     * @return how many of the chunks held are huge-page mappings (the rest are direct buffers).
     */
    int mappedChunks()
    {
        int mapped = 0;
        for (final UnsafeBuffer chunk : chunks)
        {
            mapped += null != chunk && null == chunk.byteBuffer() ? 1 : 0;
        }
        return mapped;
    }

    int chunkBytes()
    {
        return (chunkMask + 1) * ENTRY_BYTES;
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
            final UnsafeBuffer c = chunkOf(slotOf(p));
            final int at = at(slotOf(p));
            d.add(c.getLong(at + KEY)).add(c.getLong(at + TIME_MS)).add(c.getLong(at + RECEIPT))
                .add(c.getLong(at + BODY0)).add(c.getLong(at + BODY1)).add(c.getLong(at + BODY2)).add(c.getInt(at + META))
                .add(c.getInt(at + REMAINING)).add(c.getInt(at + TAKEN)).add(c.getInt(at + TAKEN_UNIT))
                .add(c.getInt(at + TAKEN_PERIOD));
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
            final UnsafeBuffer c = chunkOf(slotOf(p));
            final int at = at(slotOf(p));
            out.writeLong(c.getLong(at + KEY));
            out.writeLong(c.getLong(at + TIME_MS));
            out.writeLong(c.getLong(at + RECEIPT));
            out.writeLong(c.getLong(at + BODY0));
            out.writeLong(c.getLong(at + BODY1));
            out.writeLong(c.getLong(at + BODY2));
            out.writeInt(c.getInt(at + META));
            out.writeInt(c.getInt(at + REMAINING));
            out.writeInt(c.getInt(at + TAKEN));
            out.writeInt(c.getInt(at + TAKEN_UNIT));
            out.writeInt(c.getInt(at + TAKEN_PERIOD));
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
            chunkOf(slot).putInt(at(slot) + META, m);
        }
    }
}
