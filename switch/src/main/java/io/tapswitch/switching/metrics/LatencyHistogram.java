package io.tapswitch.switching.metrics;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;

/**
 * A fixed-bucket latency histogram with one writer (an event loop), read by the scrape thread: the event loop's
 * side of {@code tapswitch_authorization_latency_seconds}. A record is a few compares and four opaque stores into
 * this loop's own array (plain stores on x86): no clock read, no CAS, no lock, no allocation (the Micrometer timer
 * it replaces read the clock and CASed its max for every response). {@link SwitchMetrics} sums the loops'
 * histograms at scrape time into the same Prometheus histogram (buckets, count, sum) and max gauge as before.
 * <p>
 * Max: the largest value of the current and of the previous window of {@value #MAX_WINDOW_SECONDS} s (so a scrape
 * sees the max of the last 60–120 s, as Micrometer's rolling max did for the timer), rotated by the writer at a
 * record whose time is past the window's end (and a scrape after a quiet spell counts the windows that passed).
 * <p>
 * Single writer ({@link #record}); {@link #bucketCount}, {@link #count}, {@link #sumNanos}, {@link #maxNanos(long)} from
 * any thread (each value is current, the set of values is not one atomic snapshot: a scrape may see a count one
 * record ahead of a bucket, which Prometheus rates absorb).
 */
public final class LatencyHistogram
{
    /** Upper bounds (inclusive) of the buckets of {@code tapswitch_authorization_latency_seconds}, in ns. */
    public static final long[] AUTHORIZATION_BOUNDS_NS = {
        10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000,
        25_000_000, 50_000_000, 100_000_000};
    static final int MAX_WINDOW_SECONDS = 60;
    private static final long MAX_WINDOW_NS = TimeUnit.SECONDS.toNanos(MAX_WINDOW_SECONDS);
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] boundsNs;
    /** [0, buckets]: counts per bucket (not cumulative; the last one past the largest bound), then the fields below. */
    private final long[] values;
    private final int countIndex;
    private final int sumIndex;
    private final int maxIndex;
    private final int previousMaxIndex;
    private final int windowEndIndex;
    private long windowEndNs;
    private boolean windowStarted;

    /**
     * @param boundsNs the buckets' upper bounds in ns, ascending.
     */
    public LatencyHistogram(final long[] boundsNs)
    {
        for (int i = 1; i < boundsNs.length; i++)
        {
            if (boundsNs[i] <= boundsNs[i - 1])
            {
                throw new IllegalArgumentException("bounds must ascend: " + java.util.Arrays.toString(boundsNs));
            }
        }
        this.boundsNs = boundsNs.clone();
        countIndex = boundsNs.length + 1;
        sumIndex = countIndex + 1;
        maxIndex = sumIndex + 1;
        previousMaxIndex = maxIndex + 1;
        windowEndIndex = previousMaxIndex + 1;
        values = new long[windowEndIndex + 1];
    }

    /**
     * @return a histogram with the buckets of {@code tapswitch_authorization_latency_seconds}.
     */
    public static LatencyHistogram authorization()
    {
        return new LatencyHistogram(AUTHORIZATION_BOUNDS_NS);
    }

    /**
     * Records one latency. Writer thread only.
     *
     * @param latencyNs the latency (a negative value counts as 0).
     * @param nowNs     the time of the record ({@link System#nanoTime()}, as the caller read it), for the max window.
     */
    public void record(final long latencyNs, final long nowNs)
    {
        final long value = Math.max(0, latencyNs);
        final long[] bounds = boundsNs;
        final long[] values = this.values;
        int bucket = 0;
        while (bucket < bounds.length && value > bounds[bucket])
        {
            bucket++;
        }
        LONGS.setOpaque(values, bucket, values[bucket] + 1);
        LONGS.setOpaque(values, countIndex, values[countIndex] + 1);
        LONGS.setOpaque(values, sumIndex, values[sumIndex] + value);
        if (!windowStarted || nowNs - windowEndNs > 0)
        {
            rotate(nowNs);
        }
        if (value > values[maxIndex])
        {
            LONGS.setOpaque(values, maxIndex, value);
        }
    }

    private void rotate(final long nowNs)
    {
        // the window that ended becomes the previous one; a gap of more than a window leaves no previous max
        final boolean adjacent = windowStarted && nowNs - windowEndNs <= MAX_WINDOW_NS;
        LONGS.setOpaque(values, previousMaxIndex, adjacent ? values[maxIndex] : 0L);
        LONGS.setOpaque(values, maxIndex, 0L);
        windowStarted = true;
        windowEndNs = nowNs + MAX_WINDOW_NS;
        LONGS.setOpaque(values, windowEndIndex, windowEndNs);
    }

    /**
     * @return the number of buckets with an upper bound (the overflow bucket is index {@code buckets()}).
     */
    public int buckets()
    {
        return boundsNs.length;
    }

    /**
     * @return the upper bound of a bucket in ns.
     */
    public long boundNanos(final int bucket)
    {
        return boundsNs[bucket];
    }

    /**
     * @return the values recorded in one bucket (not cumulative); {@code buckets()} is the overflow bucket.
     */
    public long bucketCount(final int bucket)
    {
        if (bucket < 0 || bucket > boundsNs.length)
        {
            throw new IndexOutOfBoundsException(bucket);
        }
        return (long)LONGS.getOpaque(values, bucket);
    }

    public long count()
    {
        return (long)LONGS.getOpaque(values, countIndex);
    }

    public long sumNanos()
    {
        return (long)LONGS.getOpaque(values, sumIndex);
    }

    /**
     * @param nowNs the reader's {@link System#nanoTime()}.
     * @return the largest value recorded in the last one to two max windows before {@code nowNs} (0 when nothing
     * was recorded for longer than that).
     */
    public long maxNanos(final long nowNs)
    {
        if (0 == count())
        {
            return 0;
        }
        final long windowEnd = (long)LONGS.getOpaque(values, windowEndIndex);
        final long max = (long)LONGS.getOpaque(values, maxIndex);
        if (nowNs - windowEnd <= 0)
        {
            return Math.max(max, (long)LONGS.getOpaque(values, previousMaxIndex));
        }
        // the writer has recorded nothing since its window ended: that window is the previous one now
        return nowNs - windowEnd <= MAX_WINDOW_NS ? max : 0;
    }
}
