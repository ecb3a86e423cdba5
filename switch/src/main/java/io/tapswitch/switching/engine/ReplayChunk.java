package io.tapswitch.switching.engine;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Journal records gathered during recovery to be replayed together (their table reads warmed first): copies of the
 * records with the queue index of the excerpt each came from. Allocation-free once built.
 * <p>
 * Not thread-safe; used by the engine while it recovers.
 */
final class ReplayChunk
{
    private final UnsafeBuffer buffer;
    private final int[] offsets;
    private final int[] lengths;
    private final long[] indexes;
    private int count;
    private int bytes;

    ReplayChunk(final int maxRecords, final int capacityBytes)
    {
        buffer = new UnsafeBuffer(new byte[capacityBytes]);
        offsets = new int[maxRecords];
        lengths = new int[maxRecords];
        indexes = new long[maxRecords];
    }

    /**
     * @return false, adding nothing, when the chunk has no room for the record (replay it and {@link #clear()}).
     */
    boolean add(final DirectBuffer source, final int offset, final int length, final long index)
    {
        if (count == offsets.length || bytes + length > buffer.capacity())
        {
            return false;
        }
        buffer.putBytes(bytes, source, offset, length);
        offsets[count] = bytes;
        lengths[count] = length;
        indexes[count] = index;
        count++;
        bytes += length;
        return true;
    }

    int count()
    {
        return count;
    }

    UnsafeBuffer buffer()
    {
        return buffer;
    }

    int offset(final int i)
    {
        return offsets[i];
    }

    int length(final int i)
    {
        return lengths[i];
    }

    long index(final int i)
    {
        return indexes[i];
    }

    void clear()
    {
        count = 0;
        bytes = 0;
    }
}
