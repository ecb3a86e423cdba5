package io.tapswitch.formats.command;

/**
 * Why the switch rejected a command. A rejected command changes nothing; it is journaled with this code.
 */
public final class CommandRejectReason
{
    public static final int NONE = 0;
    /** The type code is not one of {@link CommandType}. */
    public static final int UNKNOWN_TYPE = 1;
    /** Header or body length does not match the type's layout, or an unsupported version. */
    public static final int MALFORMED = 2;
    /** A field is out of range (status, kind, unit, period, quota, window, dates, ids ≤ 0, counts). */
    public static final int INVALID_VALUE = 3;
    public static final int UNKNOWN_OUTLET = 4;
    public static final int UNKNOWN_PROGRAM = 5;
    public static final int UNKNOWN_TERMINAL = 6;
    public static final int UNKNOWN_CARD = 7;
    public static final int UNKNOWN_HOLDER = 8;
    /** ISSUE_CARD / REPLACE_CARD for a card id that already belongs to another holder or is already issued. */
    public static final int CARD_EXISTS = 9;
    /** A table is at its configured capacity. */
    public static final int CAPACITY_EXCEEDED = 10;
    /** The card was replaced; its status can no longer change. */
    public static final int CARD_REPLACED = 11;

    private static final String[] NAMES = {
        "NONE", "UNKNOWN_TYPE", "MALFORMED", "INVALID_VALUE", "UNKNOWN_OUTLET", "UNKNOWN_PROGRAM", "UNKNOWN_TERMINAL",
        "UNKNOWN_CARD", "UNKNOWN_HOLDER", "CARD_EXISTS", "CAPACITY_EXCEEDED", "CARD_REPLACED"};

    private CommandRejectReason()
    {
    }

    public static String name(final int reason)
    {
        return reason >= 0 && reason < NAMES.length ? NAMES[reason] : "UNKNOWN";
    }
}
