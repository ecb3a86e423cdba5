package io.tapswitch.switching.engine;

import java.io.IOException;

import io.tapswitch.switching.snapshot.SnapshotInput;
import io.tapswitch.switching.snapshot.SnapshotOutput;
import org.agrona.collections.Long2LongHashMap;

/**
 * Nonces of LOGONs whose mac was valid, per terminal, for the nonce window: a ring in time order and a primitive map
 * from a 64-bit hash of (terminal, nonce) to ring position; the full nonce is compared on a hit.
 * <p>
 * Not thread-safe; owned by the engine thread.
 */
final class NonceTable
{
    private static final long MISSING = -1;

    private final int capacity;
    private final Long2LongHashMap positions;
    private final long[] hashes;
    private final int[] terminals;
    private final long[] nonceHi;
    private final long[] nonceLo;
    private final long[] timeMs;
    private long head;
    private long tail;
    private long evictedEarly;

    NonceTable(final int capacity)
    {
        this.capacity = capacity;
        positions = new Long2LongHashMap(Math.max(16, capacity * 2), 0.65f, MISSING);
        hashes = new long[capacity];
        terminals = new int[capacity];
        nonceHi = new long[capacity];
        nonceLo = new long[capacity];
        timeMs = new long[capacity];
    }

    private static long hash(final int terminal, final long hi, final long lo)
    {
        return LongIndex.mix(LongIndex.mix(LongIndex.mix(terminal) ^ hi) ^ lo);
    }

    private int slot(final long position)
    {
        return (int)(position % capacity);
    }

    void expire(final long cutoffMs)
    {
        while (head < tail && timeMs[slot(head)] <= cutoffMs)
        {
            removeHead();
        }
    }

    private void removeHead()
    {
        final int s = slot(head);
        if (positions.get(hashes[s]) == head)
        {
            positions.remove(hashes[s]);
        }
        head++;
    }

    boolean contains(final int terminal, final long hi, final long lo, final long cutoffMs)
    {
        final long position = positions.get(hash(terminal, hi, lo));
        if (position == MISSING || position < head)
        {
            return false;
        }
        final int s = slot(position);
        return terminals[s] == terminal && nonceHi[s] == hi && nonceLo[s] == lo && timeMs[s] > cutoffMs;
    }

    void remember(final int terminal, final long hi, final long lo, final long nowMs)
    {
        if (tail - head == capacity)
        {
            removeHead();
            evictedEarly++;
        }
        final long position = tail++;
        final int s = slot(position);
        final long h = hash(terminal, hi, lo);
        hashes[s] = h;
        terminals[s] = terminal;
        nonceHi[s] = hi;
        nonceLo[s] = lo;
        timeMs[s] = nowMs;
        positions.put(h, position);
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
            d.add(terminals[s]).add(nonceHi[s]).add(nonceLo[s]).add(timeMs[s]);
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
            out.writeInt(terminals[s]);
            out.writeLong(nonceHi[s]);
            out.writeLong(nonceLo[s]);
            out.writeLong(timeMs[s]);
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
        final long skip = Math.max(0, count - capacity);
        for (long i = 0; i < count; i++)
        {
            final int terminal = in.readInt();
            final long hi = in.readLong();
            final long lo = in.readLong();
            final long t = in.readLong();
            if (i < skip)
            {
                head++;
                tail++;
                continue;
            }
            final long position = tail++;
            final int s = slot(position);
            final long h = hash(terminal, hi, lo);
            hashes[s] = h;
            terminals[s] = terminal;
            nonceHi[s] = hi;
            nonceLo[s] = lo;
            timeMs[s] = t;
            positions.put(h, position);
        }
    }
}
