package io.tapswitch.formats.command;

/**
 * Command type codes of the admin → switch command queue. Layouts in {@link Commands} and {@code switch/COMMANDS.md}.
 */
public final class CommandType
{
    public static final int DEFINE_OUTLET = 1;
    public static final int DEFINE_PROGRAM = 2;
    public static final int REGISTER_TERMINAL = 3;
    public static final int SET_TERMINAL_ENABLED = 4;
    public static final int ROTATE_KEY = 5;
    public static final int SET_HOUSEHOLD = 6;
    public static final int ISSUE_CARD = 7;
    public static final int SET_CARD_STATUS = 8;
    public static final int REPLACE_CARD = 9;
    public static final int GRANT_ENTITLEMENT = 10;
    public static final int REVOKE_ENTITLEMENT = 11;
    public static final int ISSUE_CARDS = 12;
    public static final int ROTATE_KEY_WITH_GRACE = 13;

    private static final String[] NAMES = {
        "UNKNOWN", "DEFINE_OUTLET", "DEFINE_PROGRAM", "REGISTER_TERMINAL", "SET_TERMINAL_ENABLED", "ROTATE_KEY",
        "SET_HOUSEHOLD", "ISSUE_CARD", "SET_CARD_STATUS", "REPLACE_CARD", "GRANT_ENTITLEMENT", "REVOKE_ENTITLEMENT",
        "ISSUE_CARDS", "ROTATE_KEY_WITH_GRACE"};

    private CommandType()
    {
    }

    public static String name(final int type)
    {
        return type > 0 && type < NAMES.length ? NAMES[type] : "UNKNOWN";
    }
}
