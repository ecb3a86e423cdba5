package io.tapswitch.admin.ingest;

/** Tuples of {@code width} longs, appended. */
final class LongList
{
    private final int width;
    private long[] values = new long[256];
    int size;

    LongList(final int width)
    {
        this.width = width;
    }

    void clear()
    {
        size = 0;
    }

    void add(final long... tuple)
    {
        if ((size + 1) * width > values.length)
        {
            values = java.util.Arrays.copyOf(values, values.length * 2);
        }
        System.arraycopy(tuple, 0, values, size * width, width);
        size++;
    }

    long get(final int row, final int column)
    {
        return values[row * width + column];
    }
}
