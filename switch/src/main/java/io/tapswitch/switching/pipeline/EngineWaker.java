package io.tapswitch.switching.pipeline;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import org.agrona.concurrent.IdleStrategy;

/**
 * The engine thread's idle strategy {@code park} (the default) and its wake-up: when the engine thread has nothing
 * to do it spins briefly, then parks until an event loop queues a request ({@link #wake()}), the journal sync thread
 * makes a batch durable (it unparks the engine thread itself), or at most {@code maxParkNs} pass (admin commands and
 * snapshots are polled at least that often). A light load then costs a park and an unpark per request instead of a
 * round of spins and yields (most of a core at 10 000 requests/s), and a request does not wait out a backoff park.
 * <p>
 * No wake-up is lost: the engine thread announces that it parks (a volatile write), then looks for queued work once
 * more before parking; an event loop queues its request, then reads the announcement (volatile) — one of the two sees
 * the other. A missed one would cost at most {@code maxParkNs}.
 * <p>
 * Thread-safe: {@link #wake()} from any thread; {@link #idle} from the engine thread.
 */
public final class EngineWaker implements IdleStrategy
{
    private static final int SPINS = 100;

    private final AtomicBoolean parked = new AtomicBoolean();
    private final long maxParkNs;
    private volatile Thread engineThread;
    private BooleanSupplier hasWork = () -> false;
    private int spins;

    /**
     * @param maxParkNs the longest park.
     */
    public EngineWaker(final long maxParkNs)
    {
        this.maxParkNs = maxParkNs;
    }

    /**
     * @param hasWork true when a request is queued for the engine thread (read after announcing a park).
     */
    public EngineWaker hasWork(final BooleanSupplier hasWork)
    {
        this.hasWork = hasWork;
        return this;
    }

    /**
     * Wakes the engine thread if it is parked (called by an event loop after queuing a request: a volatile read when
     * the engine is busy, one unpark when it is parked).
     */
    public void wake()
    {
        if (parked.get() && parked.compareAndSet(true, false))
        {
            final Thread thread = engineThread;
            if (null != thread)
            {
                LockSupport.unpark(thread);
            }
        }
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            spins = 0;
            return;
        }
        idle();
    }

    @Override
    public void idle()
    {
        if (spins < SPINS)
        {
            spins++;
            Thread.onSpinWait();
            return;
        }
        if (null == engineThread)
        {
            engineThread = Thread.currentThread();
        }
        parked.set(true);
        if (!hasWork.getAsBoolean())
        {
            LockSupport.parkNanos(maxParkNs);
        }
        parked.set(false);
    }

    @Override
    public void reset()
    {
        spins = 0;
    }

    @Override
    public String alias()
    {
        return "park";
    }

    public static long defaultMaxParkNs()
    {
        return TimeUnit.MILLISECONDS.toNanos(1);
    }
}
