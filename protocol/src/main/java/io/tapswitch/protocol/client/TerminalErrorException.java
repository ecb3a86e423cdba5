package io.tapswitch.protocol.client;

import io.tapswitch.protocol.ReasonCode;

/**
 * The switch answered a request with ERROR (NOT_LOGGED_ON, MALFORMED_FRAME, SYSTEM_ERROR); the switch closes
 * the connection after NOT_LOGGED_ON and MALFORMED_FRAME.
 */
public final class TerminalErrorException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final int code;
    private final int correlation;
    private final String detail;

    public TerminalErrorException(final int code, final int correlation, final String detail)
    {
        super("ERROR " + ReasonCode.name(code) + " (correlation " + correlation + ")" +
            (detail.isEmpty() ? "" : ": " + detail));
        this.code = code;
        this.correlation = correlation;
        this.detail = detail;
    }

    /**
     * @return the {@link ReasonCode} of the ERROR.
     */
    public int code()
    {
        return code;
    }

    public int correlation()
    {
        return correlation;
    }

    public String detail()
    {
        return detail;
    }
}
