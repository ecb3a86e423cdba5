package io.tapswitch.admin.workflow;

/**
 * What finishing a service card does beyond recording its result.
 * <p>
 * Immutable; thread-safe.
 */
public enum OutcomeType
{
    /** Issues a card to the switch (resident, guest for an IDP, or social). */
    ISSUE_CARD,
    /** Grants the applicant an entitlement to the program configured for the card's program key. */
    GRANT_ENTITLEMENT,
    /** Records the result only; nothing is sent to the switch. */
    RECORD_ONLY
}
