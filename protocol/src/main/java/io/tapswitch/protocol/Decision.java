package io.tapswitch.protocol;

/**
 * The {@code decision} byte of TAP_RESULT, REVERSAL_RESULT and BALANCE_RESULT.
 */
public final class Decision
{
    public static final int APPROVED = 0;
    public static final int DECLINED = 1;
    /** An offline advice accepted although it broke a rule; flagged for review. */
    public static final int RECORDED = 2;

    private static final String[] NAMES = {"APPROVED", "DECLINED", "RECORDED"};

    private Decision()
    {
    }

    public static String name(final int decision)
    {
        return decision >= 0 && decision < NAMES.length ? NAMES[decision] : "UNKNOWN(" + decision + ")";
    }
}
