package io.tapswitch.protocol.netty;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;

/**
 * A Netty leak detector that records every leak it finds, installed for the protocol tests through the system
 * property {@code io.netty.customResourceLeakDetector} (surefire configuration of this module), so that a
 * leaked {@link ByteBuf} fails the test instead of only printing a log line.
 * <p>
 * Netty finds a leak when the garbage collector has collected a tracked buffer that was never released, and
 * reports it on the next tracked allocation; {@link #assertNoLeaks()} provokes both.
 */
public final class CollectingLeakDetector<T> extends ResourceLeakDetector<T>
{
    private static final ConcurrentLinkedQueue<String> LEAKS = new ConcurrentLinkedQueue<>();
    private static final int GC_ROUNDS = 3;

    public CollectingLeakDetector(final Class<?> resourceType, final int samplingInterval)
    {
        super(resourceType, samplingInterval);
    }

    public CollectingLeakDetector(final Class<?> resourceType, final int samplingInterval, final long maxActive)
    {
        this(resourceType, samplingInterval);
    }

    @Override
    protected boolean needReport()
    {
        return true;
    }

    @Override
    protected void reportTracedLeak(final String resourceType, final String records)
    {
        LEAKS.add(resourceType + " leaked:" + records);
    }

    @Override
    protected void reportUntracedLeak(final String resourceType)
    {
        LEAKS.add(resourceType + " leaked (untraced)");
    }

    /**
     * @return true when this detector is the one Netty uses (the surefire property is set).
     */
    public static boolean isInstalled()
    {
        return CollectingLeakDetector.class.getName().equals(System.getProperty("io.netty.customResourceLeakDetector"));
    }

    /**
     * Collects garbage and makes Netty poll for collected, unreleased buffers.
     *
     * @return every leak recorded so far; the record is cleared.
     */
    public static List<String> collectLeaks()
    {
        for (int i = 0; i < GC_ROUNDS; i++)
        {
            System.gc();
            final ByteBuf probe = ByteBufAllocator.DEFAULT.directBuffer(1);
            probe.release();
        }
        final List<String> leaks = new ArrayList<>();
        String leak;
        while ((leak = LEAKS.poll()) != null)
        {
            leaks.add(leak);
        }
        return leaks;
    }

    /**
     * Fails with the leak records when any ByteBuf leaked since the last call.
     */
    public static void assertNoLeaks()
    {
        final List<String> leaks = collectLeaks();
        if (!leaks.isEmpty())
        {
            throw new AssertionError(leaks.size() + " ByteBuf leak(s):\n" + String.join("\n", leaks));
        }
    }
}
