package io.tapswitch.formats.command;

/**
 * Card status codes used by the commands, the engine tables and the snapshots.
 * Only {@link #ACTIVE} cards are served; see {@code switch/COMMANDS.md} for the reason each other status gives.
 */
public final class CardStatus
{
    /** Issued, not yet activated: declined CARD_BLOCKED until a SET_CARD_STATUS ACTIVE. */
    public static final int ISSUED = 1;
    public static final int ACTIVE = 2;
    public static final int BLOCKED = 3;
    public static final int LOST = 4;
    /** Set only by REPLACE_CARD on the old card. */
    public static final int REPLACED = 5;
    /** Declined CARD_EXPIRED whatever the expiry date. */
    public static final int EXPIRED = 6;

    private static final String[] NAMES = {"NONE", "ISSUED", "ACTIVE", "BLOCKED", "LOST", "REPLACED", "EXPIRED"};

    private CardStatus()
    {
    }

    public static boolean isValid(final int status)
    {
        return status >= ISSUED && status <= EXPIRED;
    }

    public static String name(final int status)
    {
        return status >= 0 && status < NAMES.length ? NAMES[status] : "UNKNOWN";
    }
}
