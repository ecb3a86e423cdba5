package io.tapswitch.formats.command;

/**
 * Beneficiary unit of a program: the quota is per person, or one per household shared by its enrolled members
 * (PROTOCOL.md rule 13).
 */
public final class ProgramUnit
{
    public static final int PERSON = 1;
    public static final int HOUSEHOLD = 2;

    private ProgramUnit()
    {
    }

    public static boolean isValid(final int unit)
    {
        return unit == PERSON || unit == HOUSEHOLD;
    }
}
