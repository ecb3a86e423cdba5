package io.tapswitch.admin.workflow;

import java.util.Set;

/**
 * A request to act on a case. Each kind carries only what it needs; {@link CaseEngine} checks the rest.
 * <p>
 * Immutable; thread-safe.
 */
public sealed interface CaseCommand
    permits CaseCommand.Advance, CaseCommand.Suspend, CaseCommand.Resume, CaseCommand.Refuse, CaseCommand.Close,
    CaseCommand.Issue, CaseCommand.Pay, CaseCommand.CheckDocument, CaseCommand.Attach
{
    /**
     * @return the action it is.
     */
    CaseAction action();

    /**
     * @return the caseworker's comment (may be empty).
     */
    String comment();

    /**
     * Registers a new case (not a {@link CaseCommand}: there is no case yet).
     *
     * @param caseId            the new case's id.
     * @param serviceCode       the card code.
     * @param cardVersion       the card version, or null for the latest.
     * @param applicant         the applicant.
     * @param termBody          the body whose total term applies, or null for the card's default.
     * @param documentsReceived the checklist codes received with the application.
     * @param comment           the comment.
     * @param subjectHolderId   the cardholder the application is about when it is not the applicant (41-76: the
     *                          deceased), or null.
     */
    record Register(String caseId, String serviceCode, Integer cardVersion, Applicant applicant, Body termBody,
        Set<String> documentsReceived, String comment, Long subjectHolderId)
    {
        public Register(final String caseId, final String serviceCode, final Integer cardVersion,
            final Applicant applicant, final Body termBody, final Set<String> documentsReceived, final String comment)
        {
            this(caseId, serviceCode, cardVersion, applicant, termBody, documentsReceived, comment, null);
        }
    }

    record Advance(String comment) implements CaseCommand
    {
        public CaseAction action()
        {
            return CaseAction.ADVANCE;
        }
    }

    /**
     * @param groundsCode one of the card's suspension grounds (when it lists any).
     * @param groundsText the grounds in words (required when the card lists none).
     * @param comment     the comment.
     */
    record Suspend(String groundsCode, String groundsText, String comment) implements CaseCommand
    {
        public CaseAction action()
        {
            return CaseAction.SUSPEND;
        }
    }

    record Resume(String comment) implements CaseCommand
    {
        public CaseAction action()
        {
            return CaseAction.RESUME;
        }
    }

    /**
     * @param groundsCode one of the card's refusal grounds (when it lists any).
     * @param groundsText the grounds in words (required when the card lists none).
     * @param appealRoute how the applicant may appeal (required).
     * @param comment     the comment.
     */
    record Refuse(String groundsCode, String groundsText, String appealRoute, String comment) implements CaseCommand
    {
        public CaseAction action()
        {
            return CaseAction.REFUSE;
        }
    }

    /**
     * @param reasonCode one of the card's closing grounds, or WITHDRAWN / APPLICANT_DIED when it lists none.
     * @param comment    the comment.
     */
    record Close(String reasonCode, String comment) implements CaseCommand
    {
        public CaseAction action()
        {
            return CaseAction.CLOSE;
        }
    }

    /**
     * @param cardId the card id to issue, for card-issuing services (else null).
     * @param comment the comment.
     */
    record Issue(Long cardId, String comment) implements CaseCommand
    {
        public CaseAction action()
        {
            return CaseAction.ISSUE;
        }
    }

    /**
     * @param order   for a {@link OutcomeType#PAYMENT} card: what to pay, to whom, how; null for a card that grants
     *                an entitlement.
     * @param comment the comment.
     */
    record Pay(PaymentOrder order, String comment) implements CaseCommand
    {
        public Pay(final String comment)
        {
            this(null, comment);
        }

        public CaseAction action()
        {
            return CaseAction.PAY;
        }
    }

    /**
     * A payment the decision granted.
     *
     * @param amountKopiyky the amount in kopiyky (UAH × 100), positive.
     * @param payeeName     who receives it: the applicant's name (default) or the provider's.
     * @param payeeCode     the provider's EDRPOU code (8 digits) for a PROVIDER payee, else null.
     * @param channel       BANK (to an IBAN) or POST (a postal transfer to an address).
     * @param iban          for BANK: the Ukrainian IBAN (UA + 27 digits, checksum valid).
     * @param postAddress   for POST: the address.
     * @param fundingSource the budget, or null for the card's.
     */
    record PaymentOrder(long amountKopiyky, String payeeName, String payeeCode, String channel, String iban,
        String postAddress, String fundingSource)
    {
    }

    /**
     * @param documentCode a checklist code.
     * @param received     whether it is received.
     * @param comment      the comment.
     */
    record CheckDocument(String documentCode, boolean received, String comment) implements CaseCommand
    {
        public CaseAction action()
        {
            return CaseAction.CHECK_DOCUMENT;
        }
    }

    /**
     * @param fileName     the file's name.
     * @param mediaType    its media type.
     * @param sizeBytes    its size.
     * @param sha256       its SHA-256, 64 hex digits.
     * @param documentCode the checklist document it is a copy of, or null.
     * @param comment      the comment.
     */
    record Attach(String fileName, String mediaType, long sizeBytes, String sha256, String documentCode, String comment)
        implements CaseCommand
    {
        public CaseAction action()
        {
            return CaseAction.ATTACH;
        }
    }
}
