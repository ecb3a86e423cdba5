package io.tapswitch.admin.workflow;

/**
 * What a case action asks the rest of the admin service to do, in the same transaction that stores the case:
 * issue a card to the switch or grant an entitlement. Produced by {@link CaseEngine}, carried out by the command
 * path.
 * <p>
 * Immutable; thread-safe.
 */
public sealed interface CaseEffect
    permits CaseEffect.IssueCard, CaseEffect.GrantEntitlement, CaseEffect.OrderPayment, CaseEffect.HolderDeceased
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

    /**
     * Order a payment (status ORDERED) for the day's register.
     *
     * @param caseId        the case.
     * @param serviceCode   the card.
     * @param holderId      the applicant's holder id, or null when the applicant is not a cardholder.
     * @param payee         APPLICANT or PROVIDER.
     * @param order         what, to whom, how.
     * @param fundingSource the budget it is paid from.
     */
    record OrderPayment(String caseId, String serviceCode, Long holderId, String payee, CaseCommand.PaymentOrder order,
        String fundingSource) implements CaseEffect
    {
    }

    /**
     * The holder died (41-76): block every card at the switch, revoke the entitlements, stop pending payments, close
     * the holder's other open cases.
     *
     * @param caseId   the 41-76 case.
     * @param holderId the deceased cardholder.
     */
    record HolderDeceased(String caseId, long holderId) implements CaseEffect
    {
    }
}
