package io.tapswitch.switching.engine;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The authorization engine: decides LOGON, TAP, REVERSAL and BALANCE requests against in-memory tables and appends
 * every decision to the journal before returning the response.
 * <p>
 * Not thread-safe; owned by the engine thread (single writer). The engine reads no clock: every input carries the
 * time it was stamped with on entry ({@code nowMs}), which is journaled so a replay decides the same.
 */
public final class Engine implements AutoCloseable
{
    private Engine()
    {
    }

    /** Opens the engine on a data directory: loads the latest snapshot, replays the journal after it. */
    public static Engine open(final EngineConfig config)
    {
        throw new UnsupportedOperationException("in progress");
    }

    /**
     * Decides one request frame (header included, already validated for length/version/type/body size
     * by the network layer) received on a session. sessionTerminalId is 0 before a successful LOGON.
     * Handles LOGON (credentials, freshness, nonce; INVALID_REQUEST if sessionTerminalId != 0),
     * TAP, REVERSAL, BALANCE. The decision is appended to the journal before this method returns.
     * Writes the complete response frame (header included) at out[outOffset] and returns its length.
     */
    public int onRequest(
        final long nowMs, final long sessionTerminalId, final DirectBuffer frame, final int frameOffset,
        final MutableDirectBuffer out, final int outOffset)
    {
        throw new UnsupportedOperationException("in progress");
    }

    /** Applies up to limit pending admin commands from the command queue; returns how many. */
    public int pollCommands(final long nowMs, final int limit)
    {
        throw new UnsupportedOperationException("in progress");
    }

    /** Heartbeat interval given to terminals in LOGON_RESULT. */
    public int heartbeatMs()
    {
        throw new UnsupportedOperationException("in progress");
    }

    /** Writes a snapshot of all tables now (engine thread). */
    public void snapshot()
    {
        throw new UnsupportedOperationException("in progress");
    }

    /** Counters for the metrics layer (read at scrape time). */
    public EngineCounters counters()
    {
        throw new UnsupportedOperationException("in progress");
    }

    /** Sequence of the last journal record (the last receipt issued or the last command / logon journaled). */
    public long lastSequence()
    {
        throw new UnsupportedOperationException("in progress");
    }

    /** Id of the last command applied or rejected. */
    public long lastCommandId()
    {
        throw new UnsupportedOperationException("in progress");
    }

    /** Digest of every table, for comparing two engines' state (allocates; not for the hot path). */
    public TableDigest digest()
    {
        throw new UnsupportedOperationException("in progress");
    }

    @Override
    public void close()
    {
        throw new UnsupportedOperationException("in progress");
    }
}
