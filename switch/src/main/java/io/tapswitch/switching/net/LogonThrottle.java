package io.tapswitch.switching.net;

import java.net.InetAddress;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * LOGON throttling, so that a flood of failing LOGONs costs the switch little (no engine work, no journal record)
 * while honest terminals are never locked out:
 * <ul>
 * <li>Per source address, for BAD_CREDENTIALS (unknown terminal, wrong mac: the terminal id is not authenticated, so
 * only the address can be counted): past {@code maxFailures} within a fixed window of {@code windowMs}, further LOGONs
 * from that address are answered BUSY (nothing decided, retry later, PROTOCOL.md rule 11) until the window ends. An
 * honest terminal behind the same router (NAT) is told to back off and retry, never that its key is wrong; the
 * client library retries BUSY with back-off and logs on once the window ends.</li>
 * <li>Per terminal id and source address, for STALE_LOGON (a valid mac with a timestamp off by more than 300 s, or a
 * reused nonce: the terminal is authenticated, so it is counted, not its neighbours): past {@code maxFailures} within
 * the window, further LOGONs of that terminal from that address are answered BUSY by the network layer, not
 * journaled. A terminal whose clock is wrong slows down only itself, never its neighbours behind the same address;
 * someone replaying a captured LOGON from another address does not slow the terminal down either.</li>
 * </ul>
 * Both tables are bounded: beyond {@code maxSources} entries the expired and then the oldest windows are evicted, so
 * a flood of sources or terminal ids cannot grow memory without bound. Exempt addresses are never throttled.
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
    private final ConcurrentHashMap<StaleKey, Window> staleWindows = new ConcurrentHashMap<>();

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
     * @param source     the remote address of the connection.
     * @param terminalId the terminal id its LOGON names.
     * @return true when that terminal had too many STALE_LOGONs from that address in the window: its LOGON is
     *     answered BUSY without reaching the engine.
     */
    public boolean isStale(final InetAddress source, final long terminalId, final long nowMs)
    {
        if (0 == maxFailures || staleWindows.isEmpty() || (null != source && exempt.contains(source)))
        {
            return false;
        }
        final Window window = staleWindows.get(new StaleKey(source, terminalId));
        return null != window && window.throttled(nowMs, windowMs, maxFailures);
    }

    /**
     * Counts one BAD_CREDENTIALS LOGON of a source address.
     */
    public void onFailure(final InetAddress source, final long nowMs)
    {
        if (0 == maxFailures || null == source || exempt.contains(source))
        {
            return;
        }
        count(windows, source, nowMs);
    }

    /**
     * Counts one STALE_LOGON of a terminal (its mac was valid): the terminal is counted, not its address.
     */
    public void onStale(final InetAddress source, final long terminalId, final long nowMs)
    {
        if (0 == maxFailures || (null != source && exempt.contains(source)))
        {
            return;
        }
        count(staleWindows, new StaleKey(source, terminalId), nowMs);
    }

    private <K> void count(final ConcurrentHashMap<K, Window> table, final K key, final long nowMs)
    {
        table.compute(key, (k, window) ->
        {
            if (null == window || nowMs - window.startMs >= windowMs)
            {
                return new Window(nowMs, 1);
            }
            return new Window(window.startMs, window.failures + 1);
        });
        if (table.size() > maxSources)
        {
            evict(table, nowMs);
        }
    }

    /**
     * @return sources tracked now (bounded by {@code maxSources}).
     */
    public int trackedSources()
    {
        return windows.size();
    }

    /**
     * @return terminals with STALE_LOGONs tracked now (bounded by {@code maxSources}).
     */
    public int trackedStaleTerminals()
    {
        return staleWindows.size();
    }

    private <K> void evict(final ConcurrentHashMap<K, Window> table, final long nowMs)
    {
        table.entrySet().removeIf((entry) -> nowMs - entry.getValue().startMs >= windowMs);
        while (table.size() > maxSources)
        {
            Map.Entry<K, Window> oldest = null;
            for (final Map.Entry<K, Window> entry : table.entrySet())
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
            table.remove(oldest.getKey(), oldest.getValue());
        }
    }

    private record StaleKey(InetAddress source, long terminalId)
    {
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
