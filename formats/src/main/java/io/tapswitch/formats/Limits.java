package io.tapswitch.formats;

/**
 * Limits the switch enforces and the admin must respect before it sends a command. One place, so the admin never
 * needs the engine's configuration to know them.
 */
public final class Limits
{
    /** Programs defined at once in the switch (BALANCE lists at most 64). */
    public static final int MAX_PROGRAMS = 64;

    private Limits()
    {
    }
}
