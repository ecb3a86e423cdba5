package io.tapswitch.switching.net;

import java.net.InetAddress;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-source LOGON throttling: a source address whose LOGONs fail (BAD_CREDENTIALS or STALE_LOGON) more than
 * {@code maxFailures} times within a fixed window of {@code windowMs} has its further LOGONs refused until that
 * window ends. The table is bounded: beyond {@code maxSources} entries the expired and then the oldest windows
 * are evicted, so a flood of sources cannot grow memory without bound. Exempt addresses are never throttled.
 * <p>
 * Thread-safe: shared by every event loop (a concurrent map; each entry is updated atomically). Touched only on
 * LOGON and on a failed LOGON result, never per TAP.
 */
public final class LogonThrottle
{
    private final int maxFailures;
    private final long windowMs;
    private final int maxSources;
    private final Set<InetAddress> exempt;
    private final ConcurrentHashMap<InetAddress, Window> windows = new ConcurrentHashMap<>();

    /**
     * @param maxFailures failures tolerated per window; 0 disables throttling.
     * @param windowMs    length of a window.
     * @param maxSources  bound of the per-source table.
     * @param exempt      addresses never throttled.
     */
    public LogonThrottle(final int maxFailures, final long windowMs, final int maxSources, final Set<InetAddress> exempt)
    {
        this.maxFailures = maxFailures;
        this.windowMs = windowMs;
        this.maxSources = maxSources;
        this.exempt = Set.copyOf(exempt);
    }

    /**
     * @param source the remote address of a connection sending a LOGON.
     * @param nowMs  the current time.
     * @return true when the LOGON must be refused without reaching the engine.
     */
    public boolean isThrottled(final InetAddress source, final long nowMs)
    {
        if (0 == maxFailures || null == source)
        {
            return false;
        }
        final Window window = windows.get(source);
        return null != window && window.throttled(nowMs, windowMs, maxFailures);
    }

    /**
     * Counts one failed LOGON (BAD_CREDENTIALS or STALE_LOGON) of a source.
     */
    public void onFailure(final InetAddress source, final long nowMs)
    {
        if (0 == maxFailures || null == source || exempt.contains(source))
        {
            return;
        }
        windows.compute(source, (address, window) ->
        {
            if (null == window || nowMs - window.startMs >= windowMs)
            {
                return new Window(nowMs, 1);
            }
            return new Window(window.startMs, window.failures + 1);
        });
        if (windows.size() > maxSources)
        {
            evict(nowMs);
        }
    }

    /**
     * @return sources tracked now (bounded by {@code maxSources}).
     */
    public int trackedSources()
    {
        return windows.size();
    }

    private void evict(final long nowMs)
    {
        windows.entrySet().removeIf((entry) -> nowMs - entry.getValue().startMs >= windowMs);
        while (windows.size() > maxSources)
        {
            Map.Entry<InetAddress, Window> oldest = null;
            for (final Map.Entry<InetAddress, Window> entry : windows.entrySet())
            {
                if (null == oldest || entry.getValue().startMs < oldest.getValue().startMs)
                {
                    oldest = entry;
                }
            }
            if (null == oldest)
            {
                return;
            }
            windows.remove(oldest.getKey(), oldest.getValue());
        }
    }

    private static final class Window
    {
        final long startMs;
        final int failures;

        Window(final long startMs, final int failures)
        {
            this.startMs = startMs;
            this.failures = failures;
        }

        boolean throttled(final long nowMs, final long windowMs, final int maxFailures)
        {
            return failures > maxFailures && nowMs - startMs < windowMs;
        }
    }
}
