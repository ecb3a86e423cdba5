package io.tapswitch.switching.engine;

import java.io.IOException;

import io.tapswitch.switching.snapshot.SnapshotInput;
import io.tapswitch.switching.snapshot.SnapshotOutput;
import org.agrona.collections.Long2LongHashMap;

/**
 * The results of recent TAP and REVERSAL requests per (terminal, correlation), kept for the idempotency window: a
 * ring of fixed capacity in decision order (so expiry is a walk from the oldest end) and a primitive hash map from
 * key to ring position. Also what a reversal needs of its original: the card, what was taken from which usage
 * counter in which period, and whether it was already reversed.
 * <p>
 * Not thread-safe; owned by the engine thread.
 */
final class IdempotencyTable
{
    static final int TYPE_TAP = 1;
    static final int TYPE_REVERSAL = 2;
    static final long MISSING = -1;

    private final int maxCapacity;
    private int capacity;
    private final Long2LongHashMap positions;
    private long[] keys;
    private long[] timeMs;
    private long[] receipts;
    private long[] body0;
    private long[] body1;
    private long[] body2;
    /** type | decision << 8 | reason << 16 | programSlot << 24 (7 bits) | reversed << 31. */
    private int[] meta;
    private int[] remaining;
    private int[] taken;
    private int[] takenUnit;
    private int[] takenPeriod;
    private long head;
    private long tail;
    private long evictedEarly;

    /**
     * @param capacity    initial number of results held.
     * @param maxCapacity the ring doubles when full up to this; at it, the oldest result is forgotten early.
     */
    IdempotencyTable(final int capacity, final int maxCapacity)
    {
        this.capacity = capacity;
        this.maxCapacity = Math.max(capacity, maxCapacity);
        positions = new Long2LongHashMap(Math.max(16, (int)Math.min(1 << 30, capacity * 2L)), 0.65f, MISSING);
        allocate(capacity);
    }

    private void allocate(final int capacity)
    {
        keys = new long[capacity];
        timeMs = new long[capacity];
        receipts = new long[capacity];
        body0 = new long[capacity];
        body1 = new long[capacity];
        body2 = new long[capacity];
        meta = new int[capacity];
        remaining = new int[capacity];
        taken = new int[capacity];
        takenUnit = new int[capacity];
        takenPeriod = new int[capacity];
    }

    /**
     * Doubles the ring, keeping every position (a rare pause with allocation, never per decision in steady state).
     */
    private void grow()
    {
        final int oldCapacity = capacity;
        final long[] oldKeys = keys;
        final long[] oldTimeMs = timeMs;
        final long[] oldReceipts = receipts;
        final long[] oldBody0 = body0;
        final long[] oldBody1 = body1;
        final long[] oldBody2 = body2;
        final int[] oldMeta = meta;
        final int[] oldRemaining = remaining;
        final int[] oldTaken = taken;
        final int[] oldTakenUnit = takenUnit;
        final int[] oldTakenPeriod = takenPeriod;
        capacity = (int)Math.min(maxCapacity, 2L * oldCapacity);
        allocate(capacity);
        for (long p = head; p < tail; p++)
        {
            final int from = (int)(p % oldCapacity);
            final int to = slot(p);
            keys[to] = oldKeys[from];
            timeMs[to] = oldTimeMs[from];
            receipts[to] = oldReceipts[from];
            body0[to] = oldBody0[from];
            body1[to] = oldBody1[from];
            body2[to] = oldBody2[from];
            meta[to] = oldMeta[from];
            remaining[to] = oldRemaining[from];
            taken[to] = oldTaken[from];
            takenUnit[to] = oldTakenUnit[from];
            takenPeriod[to] = oldTakenPeriod[from];
        }
    }

    static long key(final int terminalIndex, final int correlation)
    {
        return ((long)terminalIndex << 32) | (correlation & 0xFFFF_FFFFL);
    }

    /**
     * Forgets every result decided at or before {@code cutoffMs}.
     */
    void expire(final long cutoffMs)
    {
        while (head < tail && timeMs[slot(head)] <= cutoffMs)
        {
            removeHead();
        }
    }

    private void removeHead()
    {
        final int slot = slot(head);
        if (positions.get(keys[slot]) == head)
        {
            positions.remove(keys[slot]);
        }
        head++;
    }

    private int slot(final long position)
    {
        return (int)(position % capacity);
    }

    /**
     * Loads the hash-map entry of the key into the cache ahead of {@link #find} and {@link #add} (see
     * {@link Engine#warm()}).
     *
     * @return a value derived from the loaded entry.
     */
    long touch(final long key)
    {
        return positions.get(key);
    }

    /**
     * @return the ring slot of the live result for the key, or -1.
     */
    int find(final long key, final long cutoffMs)
    {
        final long position = positions.get(key);
        if (position == MISSING || position < head)
        {
            return -1;
        }
        final int slot = slot(position);
        return timeMs[slot] > cutoffMs ? slot : -1;
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
                grow();
            }
            else
            {
                removeHead();
                evictedEarly++;
            }
        }
        final long position = tail++;
        final int slot = slot(position);
        keys[slot] = key;
        timeMs[slot] = decidedMs;
        receipts[slot] = receipt;
        body0[slot] = b0;
        body1[slot] = b1;
        body2[slot] = b2;
        meta[slot] = type | decision << 8 | reason << 16 | programSlot << 24;
        remaining[slot] = remainingValue;
        taken[slot] = takenQuantity;
        takenUnit[slot] = unit;
        takenPeriod[slot] = periodKey;
        positions.put(key, position);
        return slot;
    }

    boolean sameBody(final int slot, final int type, final long b0, final long b1, final long b2)
    {
        return type(slot) == type && body0[slot] == b0 && body1[slot] == b1 && body2[slot] == b2;
    }

    int type(final int slot)
    {
        return meta[slot] & 0xFF;
    }

    int decision(final int slot)
    {
        return (meta[slot] >>> 8) & 0xFF;
    }

    int reason(final int slot)
    {
        return (meta[slot] >>> 16) & 0xFF;
    }

    int programSlot(final int slot)
    {
        return (meta[slot] >>> 24) & 0x7F;
    }

    boolean reversed(final int slot)
    {
        return meta[slot] < 0;
    }

    void markReversed(final int slot)
    {
        meta[slot] |= 0x8000_0000;
    }

    long body0(final int slot)
    {
        return body0[slot];
    }

    long timeMs(final int slot)
    {
        return timeMs[slot];
    }

    long receipt(final int slot)
    {
        return receipts[slot];
    }

    int remaining(final int slot)
    {
        return remaining[slot];
    }

    int taken(final int slot)
    {
        return taken[slot];
    }

    int takenUnit(final int slot)
    {
        return takenUnit[slot];
    }

    int takenPeriod(final int slot)
    {
        return takenPeriod[slot];
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
            final int s = slot(p);
            d.add(keys[s]).add(timeMs[s]).add(receipts[s]).add(body0[s]).add(body1[s]).add(body2[s]).add(meta[s])
                .add(remaining[s]).add(taken[s]).add(takenUnit[s]).add(takenPeriod[s]);
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
            final int s = slot(p);
            out.writeLong(keys[s]);
            out.writeLong(timeMs[s]);
            out.writeLong(receipts[s]);
            out.writeLong(body0[s]);
            out.writeLong(body1[s]);
            out.writeLong(body2[s]);
            out.writeInt(meta[s]);
            out.writeInt(remaining[s]);
            out.writeInt(taken[s]);
            out.writeInt(takenUnit[s]);
            out.writeInt(takenPeriod[s]);
        }
    }

    void load(final SnapshotInput in) throws IOException
    {
        final long loadedHead = in.readLong();
        final long loadedTail = in.readLong();
        evictedEarly = in.readLong();
        positions.clear();
        head = loadedHead;
        tail = loadedHead;
        final long count = loadedTail - loadedHead;
        while (capacity < count && capacity < maxCapacity)
        {
            capacity = (int)Math.min(maxCapacity, 2L * capacity);
        }
        if (keys.length != capacity)
        {
            allocate(capacity);
        }
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
            final long position = tail++;
            final int s = slot(position);
            keys[s] = key;
            timeMs[s] = decidedMs;
            receipts[s] = receipt;
            body0[s] = b0;
            body1[s] = b1;
            body2[s] = b2;
            meta[s] = m;
            remaining[s] = r;
            taken[s] = t;
            takenUnit[s] = u;
            takenPeriod[s] = pk;
            positions.put(key, position);
        }
    }
}
