package io.tapswitch.switching.pipeline;

import org.agrona.collections.Long2LongHashMap;

/**
 * Which connection is logged on as which terminal, as the engine thread sees it (PROTOCOL.md rule 2): one session
 * per terminal, a connection without a session decides nothing but a LOGON. Not thread-safe; engine thread.
 */
final class SessionTable
{
    /** No session: the terminal id of a connection not logged on, the connection of a terminal not connected. */
    static final long NONE = 0;

    private final Long2LongHashMap terminalByConnection = new Long2LongHashMap(NONE);
    private final Long2LongHashMap connectionByTerminal = new Long2LongHashMap(NONE);

    /**
     * @return the terminal the connection is logged on as, {@link #NONE} if none.
     */
    long terminalOf(final long connectionId)
    {
        return terminalByConnection.get(connectionId);
    }

    /**
     * The connection is logged on as the terminal now.
     *
     * @return the terminal's older connection, which decides nothing more and must be closed, or {@link #NONE}.
     */
    long logOn(final long connectionId, final long terminalId)
    {
        terminalByConnection.put(connectionId, terminalId);
        final long olderConnectionId = connectionByTerminal.put(terminalId, connectionId);
        if (NONE != olderConnectionId && olderConnectionId != connectionId)
        {
            terminalByConnection.remove(olderConnectionId);
            return olderConnectionId;
        }
        return NONE;
    }

    /** The connection is gone (or closing): its session ends. */
    void disconnect(final long connectionId)
    {
        final long terminalId = terminalByConnection.remove(connectionId);
        if (NONE != terminalId && connectionByTerminal.get(terminalId) == connectionId)
        {
            connectionByTerminal.remove(terminalId);
        }
    }

    /** Sessions logged on. */
    int size()
    {
        return terminalByConnection.size();
    }
}
