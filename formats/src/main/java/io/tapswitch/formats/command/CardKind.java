package io.tapswitch.formats.command;

/**
 * Card kind codes (DESIGN.md: RESIDENT / GUEST / SOCIAL). Kept in the tables and journaled; no rule depends on it.
 */
public final class CardKind
{
    public static final int RESIDENT = 1;
    public static final int GUEST = 2;
    public static final int SOCIAL = 3;

    private CardKind()
    {
    }

    public static boolean isValid(final int kind)
    {
        return kind >= RESIDENT && kind <= SOCIAL;
    }
}
