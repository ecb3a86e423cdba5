package io.tapswitch.admin.workflow;

/**
 * Where a case is in its life.
 * <p>
 * Immutable; thread-safe.
 */
public enum CaseStatus
{
    /** Moving through its stages (main line or refusal line). */
    ACTIVE,
    /** Left without motion: the term is stopped. */
    SUSPENDED,
    /** Finished with the card's result. */
    COMPLETED,
    /** Finished with a refusal. */
    REFUSED,
    /** Closed without a result (withdrawn, applicant died). */
    CLOSED;

    public boolean isOpen()
    {
        return this == ACTIVE || this == SUSPENDED;
    }
}
