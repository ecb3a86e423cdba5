package io.tapswitch.switching.cluster;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.IdleStrategy;

/**
 * A backoff idle strategy for the threads of a cluster member (media driver, archive, consensus module, service,
 * front end) that parks shorter while work arrived recently: after work it spins a little, yields a little, then parks
 * from {@link #MIN_PARK_NS} doubling up to {@link #HOT_MAX_PARK_NS} for as long as the last work is younger than
 * {@link #HOT_WINDOW_NS}, and up to {@link #COLD_MAX_PARK_NS} once it is older. A request crosses about ten such
 * threads between a front end and its answer: with 1 ms parks throughout (Agrona's backoff), each crossing at low
 * load waits up to 1 ms, a p50 of 5–15 ms; parks of at most {@value #HOT_MAX_PARK_NS} ns while traffic flows keep
 * that near 1 ms. No thread busy-spins: an idle member (nothing for {@link #HOT_WINDOW_NS}) wakes each thread about
 * 1 000 times a second, as before; a member with light traffic about 4 000 times a second.
 * <p>
 * Not thread-safe: one per thread (the suppliers make a new one each call).
 */
public final class RecentWorkIdleStrategy implements IdleStrategy
{
    static final long MIN_PARK_NS = TimeUnit.MICROSECONDS.toNanos(10);
    static final long HOT_MAX_PARK_NS = TimeUnit.MICROSECONDS.toNanos(250);
    static final long COLD_MAX_PARK_NS = TimeUnit.MILLISECONDS.toNanos(1);
    static final long HOT_WINDOW_NS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final int SPINS = 10;
    private static final int YIELDS = 20;

    private int spins;
    private int yields;
    private long parkNs = MIN_PARK_NS;
    private boolean workSeen = true;
    private long lastWorkNs = System.nanoTime();

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            reset();
        }
        else
        {
            idle();
        }
    }

    @Override
    public void idle()
    {
        if (workSeen)
        {
            // the first idle round after work: work was seen just now (one clock read per busy period)
            workSeen = false;
            lastWorkNs = System.nanoTime();
        }
        if (spins < SPINS)
        {
            spins++;
            Thread.onSpinWait();
            return;
        }
        if (yields < YIELDS)
        {
            yields++;
            Thread.yield();
            return;
        }
        LockSupport.parkNanos(parkNs);
        final long maxNs = System.nanoTime() - lastWorkNs < HOT_WINDOW_NS ? HOT_MAX_PARK_NS : COLD_MAX_PARK_NS;
        parkNs = Math.min(parkNs << 1, maxNs);
    }

    @Override
    public void reset()
    {
        spins = 0;
        yields = 0;
        parkNs = MIN_PARK_NS;
        workSeen = true;
    }

    @Override
    public String alias()
    {
        return "recent-work-backoff";
    }
}
