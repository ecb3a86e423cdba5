package io.tapswitch.protocol.client;

import io.tapswitch.protocol.ReasonCode;

/**
 * A LOGON_RESULT: {@code result} 0 (OK) or a {@link ReasonCode}; the heartbeat interval the terminal must keep;
 * the switch's clock. Immutable.
 */
public record LogonResult(int correlation, int result, long heartbeatMs, long serverTimeMs)
{
    public boolean ok()
    {
        return ReasonCode.OK == result;
    }

    @Override
    public String toString()
    {
        return "LogonResult{" + ReasonCode.name(result) + ", heartbeatMs=" + heartbeatMs + ", serverTimeMs=" +
            serverTimeMs + "}";
    }
}
