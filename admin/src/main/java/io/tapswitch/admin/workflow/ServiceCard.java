package io.tapswitch.admin.workflow;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.tapswitch.admin.Role;

/**
 * One version of a service card: the information card's facts (terms, documents, grounds, result) and the
 * technological card's stages, as loaded and validated by {@link CatalogueLoader}. Ukrainian texts are the seed's
 * wording; English titles are ours.
 * <p>
 * Immutable; thread-safe.
 *
 * @param code              the card number as the city writes it ("8", "41-140").
 * @param version           the catalogue version of this card; cases pin it.
 * @param effectiveFrom     the date of the decision that approved it.
 * @param source            where it was transcribed from.
 * @param titleUk           the service's title.
 * @param titleEn           the service's title in English.
 * @param ministryCategory  how the Ministry's monthly indicators count it, or null when they do not.
 * @param defaultTermBody   the body whose total term applies when registration names none.
 * @param terms             the total term, per handling body.
 * @param termNoteUk        the card's footnote on the term.
 * @param documentsGiven    whether the seed gives the exhaustive document list.
 * @param documents         the document checklist.
 * @param suspensionGrounds grounds to leave the application without motion (empty: free text).
 * @param refusalGrounds    grounds to refuse (empty: free text).
 * @param closingGrounds    grounds to close (empty: withdrawn or applicant died).
 * @param seedGaps          what the seed does not give (a document list, grounds, a deadline …), in words: stated,
 *                          not invented.
 * @param result            the result of the service.
 * @param outcome           what finishing the card does.
 * @param stages            every stage in the card's order.
 */
public record ServiceCard(
    String code,
    int version,
    LocalDate effectiveFrom,
    Source source,
    String titleUk,
    String titleEn,
    MinistryCategory ministryCategory,
    Body defaultTermBody,
    List<Term> terms,
    String termNoteUk,
    boolean documentsGiven,
    List<DocumentSpec> documents,
    List<Grounds> suspensionGrounds,
    List<Grounds> refusalGrounds,
    List<Grounds> closingGrounds,
    List<String> seedGaps,
    Result result,
    Outcome outcome,
    List<Stage> stages)
{
    /** Closing grounds used when a card lists none: the two the admin-services practice knows. */
    public static final Set<String> DEFAULT_CLOSING_GROUNDS = Set.of("WITHDRAWN", "APPLICANT_DIED");

    /**
     * The Ministry's split of administrative services of a social nature (order No. 45, annex 2).
     */
    public enum MinistryCategory
    {
        SOCIAL_ASSISTANCE("соціальної допомоги"),
        BENEFITS("пільг"),
        SUBSIDIES("субсидій");

        private final String titleUk;

        MinistryCategory(final String titleUk)
        {
            this.titleUk = titleUk;
        }

        public String titleUk()
        {
            return titleUk;
        }
    }

    /**
     * @param seed        the seed file name.
     * @param documentUk  the approving decision.
     * @param cardUk      the card's heading.
     */
    public record Source(String seed, String documentUk, String cardUk)
    {
    }

    /**
     * @param body         the body handling the case.
     * @param kind         {@link DeadlineKind#CALENDAR_DAYS} or {@link DeadlineKind#WORKING_DAYS}.
     * @param days         the number of days.
     * @param textUk       as written.
     * @param idpImmediate the term says an IDP is served at once («Внутрішньо переміщеним особам - невідкладно»,
     *                     41-69): an IDP applicant's case is urgent, due the next working day.
     */
    public record Term(Body body, DeadlineKind kind, int days, String textUk, boolean idpImmediate)
    {
    }

    /**
     * @param code          stable code used by the checklist.
     * @param groupUk       the heading the seed lists it under ("Копії документів …:"), or empty.
     * @param titleUk       as written.
     * @param titleEn       in English.
     * @param required      whether the checklist needs it (conditional documents are not required).
     * @param conditionUk   when it is needed, as written, or empty.
     * @param addedByOffice whether the office adds it itself during processing.
     */
    public record DocumentSpec(String code, String groupUk, String titleUk, String titleEn, boolean required, String conditionUk,
        boolean addedByOffice)
    {
    }

    /**
     * @param code   stable code.
     * @param textUk as written.
     * @param textEn in English.
     */
    public record Grounds(String code, String textUk, String textEn)
    {
    }

    /**
     * @param textUk as written (or assembled from the stages when the card has no result field).
     * @param textEn in English.
     */
    public record Result(String textUk, String textEn)
    {
    }

    /**
     * @param type          what it does.
     * @param cardKind      for {@link OutcomeType#ISSUE_CARD}: RESIDENT or SOCIAL.
     * @param idpCardKind   for {@link OutcomeType#ISSUE_CARD}: the kind issued to an IDP (GUEST), or null.
     * @param programKey    for {@link OutcomeType#GRANT_ENTITLEMENT}: the configured program's key.
     * @param payee         for {@link OutcomeType#PAYMENT}: APPLICANT, or PROVIDER (the utility services provider
     *                      the compensation is transferred to).
     * @param fundingSource for {@link OutcomeType#PAYMENT}: the budget the card's aid is paid from (CITY_BUDGET).
     */
    public record Outcome(OutcomeType type, String cardKind, String idpCardKind, String programKey, String payee,
        String fundingSource)
    {
    }

    /**
     * @param code    stable code; a committee session decides every case waiting at a stage with this code.
     * @param titleUk the committee's name.
     * @param titleEn in English.
     */
    public record Committee(String code, String titleUk, String titleEn)
    {
    }

    /**
     * @param kind   how it is written.
     * @param days   the number of days, 0 when the kind has none.
     * @param textUk as written.
     */
    public record Deadline(DeadlineKind kind, int days, String textUk)
    {
    }

    /**
     * @param action the action.
     * @param roles  who may take it.
     * @param path   for SUSPEND: the notice stages; for REFUSE and COMMITTEE_DECISION: the refusal stages to walk.
     */
    public record StageAction(CaseAction action, Set<Role> roles, List<String> path)
    {
    }

    /**
     * @param no             the stage number as written.
     * @param path           which line it belongs to.
     * @param titleUk        as written.
     * @param titleEn        in English.
     * @param officialUk     the responsible official as written.
     * @param bodyUk         the responsible body as written.
     * @param roles          the roles the officials map to.
     * @param bodies         the bodies.
     * @param deadline       the stage deadline.
     * @param actions        the stage actions allowed, by action.
     * @param committee      the committee deciding at this stage, or null.
     * @param requiresDocuments documents that must be checked as received before advancing.
     * @param onlyIfIntakeAt the stage applies only when the application was received at this body, or null.
     */
    public record Stage(
        String no,
        StagePath path,
        String titleUk,
        String titleEn,
        String officialUk,
        String bodyUk,
        Set<Role> roles,
        Set<Body> bodies,
        Deadline deadline,
        Map<CaseAction, StageAction> actions,
        Committee committee,
        List<String> requiresDocuments,
        Body onlyIfIntakeAt)
    {
        public StageAction action(final CaseAction action)
        {
            return actions.get(action);
        }
    }

    /**
     * @param no the stage number.
     * @return the stage or null.
     */
    public Stage stage(final String no)
    {
        for (final Stage stage : stages)
        {
            if (stage.no().equals(no))
            {
                return stage;
            }
        }
        return null;
    }

    /**
     * @return the stage whose REGISTER action creates a case.
     */
    public Stage registrationStage()
    {
        for (final Stage stage : stages)
        {
            if (stage.actions().containsKey(CaseAction.REGISTER))
            {
                return stage;
            }
        }
        throw new IllegalStateException("card " + code + " v" + version + " has no REGISTER stage");
    }

    /**
     * The main-line stage after the given one that applies to an application received at the given body.
     *
     * @param no          the current stage.
     * @param intakeBody  where the application was received.
     * @return the next stage, or null when the main line ends.
     */
    public Stage nextMainStage(final String no, final Body intakeBody)
    {
        boolean seen = false;
        for (final Stage stage : stages)
        {
            if (seen && stage.path() == StagePath.MAIN &&
                (stage.onlyIfIntakeAt() == null || stage.onlyIfIntakeAt() == intakeBody))
            {
                return stage;
            }
            if (stage.no().equals(no))
            {
                seen = true;
            }
        }
        return null;
    }

    /**
     * @param body the handling body.
     * @return its term, or null.
     */
    public Term term(final Body body)
    {
        for (final Term term : terms)
        {
            if (term.body() == body)
            {
                return term;
            }
        }
        return null;
    }

    /**
     * @param code a document code.
     * @return the document or null.
     */
    public DocumentSpec document(final String code)
    {
        for (final DocumentSpec document : documents)
        {
            if (document.code().equals(code))
            {
                return document;
            }
        }
        return null;
    }

    /**
     * @param stage      a stage.
     * @param intakeBody where the case's application was received.
     * @return the body responsible for the stage in this case: the intake body when the stage names it, else the
     * first body it names.
     */
    public static Body responsibleBody(final Stage stage, final Body intakeBody)
    {
        return stage.bodies().contains(intakeBody) ? intakeBody : stage.bodies().iterator().next();
    }

    /**
     * @param no a stage number.
     * @return whether a main-line stage after it has a committee.
     */
    public boolean committeeAfter(final String no)
    {
        boolean seen = false;
        for (final Stage stage : stages)
        {
            if (seen && stage.path() == StagePath.MAIN && null != stage.committee())
            {
                return true;
            }
            seen |= stage.no().equals(no);
        }
        return false;
    }

    /**
     * @return whether any stage has a committee.
     */
    public boolean hasCommittee()
    {
        for (final Stage stage : stages)
        {
            if (null != stage.committee())
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return "code v version", how cases name the card.
     */
    public String key()
    {
        return code + " v" + version;
    }
}
