package io.tapswitch.admin.workflow;

/**
 * What a case action asks the rest of the admin service to do, in the same transaction that stores the case:
 * issue a card to the switch or grant an entitlement. Produced by {@link CaseEngine}, carried out by the command
 * path.
 * <p>
 * Immutable; thread-safe.
 */
public sealed interface CaseEffect permits CaseEffect.IssueCard, CaseEffect.GrantEntitlement
{
    /**
     * @return the case that produced it.
     */
    String caseId();

    /**
     * Issue a card to the applicant.
     *
     * @param caseId    the case.
     * @param cardKind  RESIDENT, GUEST or SOCIAL.
     * @param cardId    the 64-bit card id from the card's application.
     * @param applicant the applicant (holder id null for a new person).
     */
    record IssueCard(String caseId, String cardKind, long cardId, Applicant applicant) implements CaseEffect
    {
    }

    /**
     * Grant the applicant the entitlement to the program configured under the key.
     *
     * @param caseId     the case.
     * @param programKey the catalogue's program key.
     * @param holderId   the applicant's holder id.
     */
    record GrantEntitlement(String caseId, String programKey, long holderId) implements CaseEffect
    {
    }
}
