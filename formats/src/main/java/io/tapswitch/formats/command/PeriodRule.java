package io.tapswitch.formats.command;

/**
 * Period rule of a program, evaluated in the city time zone.
 */
public final class PeriodRule
{
    /** One city calendar day. */
    public static final int DAY = 1;
    /** A week starting on Monday 00:00 city time. */
    public static final int WEEK = 2;
    /** A calendar month. */
    public static final int MONTH = 3;
    /** The whole life of the program: the quota is given once. */
    public static final int ONCE = 4;
    /** Distribution cycles of {@code cycleDays} days counted from the program's first valid day. */
    public static final int CYCLE = 5;

    private PeriodRule()
    {
    }

    public static boolean isValid(final int rule)
    {
        return rule >= DAY && rule <= CYCLE;
    }
}
