package io.tapswitch.admin.api;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A token bucket per caller (a token's principal, or a client address without a valid token): {@code ratePerSecond}
 * requests per second sustained, {@code burst} at once. A caller over its rate is told how many whole seconds to
 * wait ({@code Retry-After}); other callers are not affected. The table forgets callers whose bucket is full again,
 * so it stays bounded by the callers active within the last {@code burst / ratePerSecond} seconds.
 * <p>
 * Thread-safe (one lock per caller's bucket, taken for a few arithmetic operations).
 */
public final class CallerThrottle
{
    private static final int SWEEP_ABOVE = 10_000;

    private final double ratePerNs;
    private final double burst;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket
    {
        double tokens;
        long refilledNs;

        Bucket(final double tokens, final long nowNs)
        {
            this.tokens = tokens;
            this.refilledNs = nowNs;
        }
    }

    /**
     * @param ratePerSecond sustained requests per second.
     * @param burst         requests at once.
     * @param nanoClock     monotonic nanoseconds ({@code System::nanoTime}).
     */
    public CallerThrottle(final int ratePerSecond, final int burst, final LongSupplier nanoClock)
    {
        this.ratePerNs = ratePerSecond / (double) TimeUnit.SECONDS.toNanos(1);
        this.burst = burst;
        this.nanoClock = nanoClock;
    }

    /**
     * Takes one request from the caller's bucket.
     *
     * @param caller the caller's key.
     * @return 0 when the request may proceed, else the seconds to wait (at least 1).
     */
    public long acquire(final String caller)
    {
        final long now = nanoClock.getAsLong();
        if (buckets.size() > SWEEP_ABOVE)
        {
            sweep(now);
        }
        final Bucket bucket = buckets.computeIfAbsent(caller, k -> new Bucket(burst, now));
        synchronized (bucket)
        {
            refill(bucket, now);
            if (bucket.tokens >= 1)
            {
                bucket.tokens -= 1;
                return 0;
            }
            final double waitNs = (1 - bucket.tokens) / ratePerNs;
            return Math.max(1, (long) Math.ceil(waitNs / TimeUnit.SECONDS.toNanos(1)));
        }
    }

    private void refill(final Bucket bucket, final long now)
    {
        final long elapsed = now - bucket.refilledNs;
        if (elapsed > 0)
        {
            bucket.tokens = Math.min(burst, bucket.tokens + elapsed * ratePerNs);
            bucket.refilledNs = now;
        }
    }

    private void sweep(final long now)
    {
        buckets.entrySet().removeIf(e ->
        {
            synchronized (e.getValue())
            {
                refill(e.getValue(), now);
                return e.getValue().tokens >= burst;
            }
        });
    }

    /**
     * @return callers currently tracked.
     */
    public int size()
    {
        return buckets.size();
    }
}
