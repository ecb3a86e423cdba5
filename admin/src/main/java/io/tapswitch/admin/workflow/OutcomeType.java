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
    /**
     * Orders a payment of the amount the decision granted (integer kopiyky) to the applicant or the service provider,
     * by bank account or post; it goes on the day's payment register for the treasury. Nothing is sent to the switch:
     * cash never goes to it.
     */
    PAYMENT,
    /**
     * The holder the case names died (card 41-76): every card of the holder is blocked at the switch, the
     * entitlements revoked, pending payments stopped and the holder's other open cases closed (APPLICANT_DIED).
     */
    HOLDER_DECEASED,
    /** Records the result only; nothing is sent to the switch. */
    RECORD_ONLY
}
