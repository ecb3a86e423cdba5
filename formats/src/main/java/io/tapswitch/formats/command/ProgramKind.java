package io.tapswitch.formats.command;

/**
 * Program kind codes: aid in kind (kits) or meals.
 */
public final class ProgramKind
{
    public static final int AID = 1;
    public static final int MEAL = 2;

    private ProgramKind()
    {
    }

    public static boolean isValid(final int kind)
    {
        return kind == AID || kind == MEAL;
    }
}
