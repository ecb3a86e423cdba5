package io.tapswitch.protocol;

/**
 * Reason codes of Tap Protocol v1: the {@code reason} of a result, the {@code result} of LOGON_RESULT
 * and the {@code code} of ERROR share this one code space.
 */
public final class ReasonCode
{
    public static final int OK = 0;
    public static final int UNKNOWN_CARD = 1;
    public static final int CARD_BLOCKED = 2;
    public static final int CARD_EXPIRED = 3;
    public static final int NO_ENTITLEMENT = 4;
    public static final int QUOTA_EXHAUSTED = 5;
    public static final int OUTSIDE_WINDOW = 6;
    public static final int OUTLET_NOT_ALLOWED = 7;
    public static final int DUPLICATE_CORRELATION = 8;
    public static final int INVALID_REQUEST = 9;
    public static final int NOT_LOGGED_ON = 10;
    public static final int BUSY = 11;
    public static final int ORIGINAL_NOT_FOUND = 12;
    public static final int ALREADY_REVERSED = 13;
    public static final int REVERSAL_WINDOW_EXPIRED = 14;
    public static final int BAD_CREDENTIALS = 15;
    public static final int STALE_LOGON = 16;
    public static final int MALFORMED_FRAME = 17;
    public static final int SYSTEM_ERROR = 18;

    /** Number of defined codes; valid codes are 0 .. COUNT - 1. */
    public static final int COUNT = 19;

    private static final String[] NAMES = {
        "OK", "UNKNOWN_CARD", "CARD_BLOCKED", "CARD_EXPIRED", "NO_ENTITLEMENT", "QUOTA_EXHAUSTED",
        "OUTSIDE_WINDOW", "OUTLET_NOT_ALLOWED", "DUPLICATE_CORRELATION", "INVALID_REQUEST", "NOT_LOGGED_ON",
        "BUSY", "ORIGINAL_NOT_FOUND", "ALREADY_REVERSED", "REVERSAL_WINDOW_EXPIRED", "BAD_CREDENTIALS",
        "STALE_LOGON", "MALFORMED_FRAME", "SYSTEM_ERROR"};

    private ReasonCode()
    {
    }

    /**
     * @param code a reason code.
     * @return its name as PROTOCOL.md spells it; the names are interned constants, so no allocation.
     */
    public static String name(final int code)
    {
        return code >= 0 && code < COUNT ? NAMES[code] : "UNKNOWN";
    }
}
