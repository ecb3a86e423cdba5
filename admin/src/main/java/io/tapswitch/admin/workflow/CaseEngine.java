package io.tapswitch.admin.workflow;

import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import io.tapswitch.admin.Role;

/**
 * The case state machine, as pure logic over {@link CaseFile}s: no clock (the caller passes {@code now}), no I/O.
 * An action is allowed only where the stage the case is at lists it and only to the roles the stage names; case
 * actions (resume, close, checklist, attachments) are allowed to the roles of the current stage. Anything else is
 * refused with a {@link ResultCode} and a reason, and the case is unchanged. Each accepted action works on a copy,
 * increments the version and appends one history entry per case. How a case moves between the stages of its card
 * (due dates, the main line, a refusal and its path, finishing) is {@link CaseStages}.
 * <p>
 * Immutable; thread-safe.
 */
public final class CaseEngine
{
    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");

    private final Catalogue catalogue;
    private final WorkingCalendar calendar;
    private final CaseStages stages;

    public CaseEngine(final Catalogue catalogue, final WorkingCalendar calendar)
    {
        this.catalogue = catalogue;
        this.calendar = calendar;
        this.stages = new CaseStages(calendar);
    }

    public Catalogue catalogue()
    {
        return catalogue;
    }

    public WorkingCalendar calendar()
    {
        return calendar;
    }

    /**
     * A committee decision on one case within a session.
     *
     * @param caseId      the case.
     * @param groundsCode the refusal grounds code, or null.
     * @param groundsText the refusal grounds in words.
     * @param appealRoute how to appeal.
     */
    public record CommitteeRefusal(String caseId, String groundsCode, String groundsText, String appealRoute)
    {
    }

    /**
     * The outcome of a committee session: every case it decided, or the reason nothing was decided.
     *
     * @param code    OK or why the whole batch was refused.
     * @param message the reason.
     * @param decided the cases after the decision (empty when refused).
     */
    public record BatchResult(ResultCode code, String message, List<CaseFile> decided)
    {
        public boolean isOk()
        {
            return code == ResultCode.OK;
        }
    }

    /**
     * Registers a new case: the registration stage is done at once and the case moves to the next stage that
     * applies.
     *
     * @param command the registration.
     * @param actor   who registers it.
     * @param now     when.
     * @return OK with the case (version 1), or why it was refused.
     */
    public CaseResult register(final CaseCommand.Register command, final Actor actor, final Instant now)
    {
        if (null == command.caseId() || command.caseId().isBlank())
        {
            return CaseResult.refused(ResultCode.INVALID_REQUEST, "caseId is required");
        }
        final ServiceCard card = null == command.cardVersion() ? catalogue.latest(command.serviceCode()) :
            catalogue.card(command.serviceCode(), command.cardVersion());
        if (null == card)
        {
            return CaseResult.refused(ResultCode.UNKNOWN_SERVICE, "no service card " + command.serviceCode() +
                (null == command.cardVersion() ? "" : " v" + command.cardVersion()));
        }
        final Applicant applicant = command.applicant();
        if (null == applicant || !applicant.isIdentified())
        {
            return CaseResult.refused(ResultCode.INVALID_REQUEST,
                "the applicant needs a holderId (cardholder) or a familyName and givenName (new person)");
        }
        if (card.outcome().type() == OutcomeType.HOLDER_DECEASED &&
            (null == command.subjectHolderId() || command.subjectHolderId() <= 0))
        {
            return CaseResult.refused(ResultCode.INVALID_REQUEST, "card " + card.key() + " is about a deceased " +
                "cardholder: name them in subjectHolderId");
        }
        final ServiceCard.Stage registration = card.registrationStage();
        final ServiceCard.StageAction register = registration.action(CaseAction.REGISTER);
        final Role registering = actor.roleIn(register.roles());
        if (null == registering || !registration.bodies().contains(Body.of(registering)))
        {
            return CaseResult.refused(ResultCode.ROLE_NOT_ALLOWED, "card " + card.key() + " stage " +
                registration.no() + ": REGISTER is done by " + register.roles() + ", not " + actor.rolesText());
        }
        final Body termBody = null == command.termBody() ? card.defaultTermBody() : command.termBody();
        final ServiceCard.Term term = card.term(termBody);
        if (null == term)
        {
            return CaseResult.refused(ResultCode.INVALID_REQUEST, "card " + card.key() + " has no term for body " +
                termBody + "; terms exist for " + termBodies(card));
        }
        final Set<String> received = null == command.documentsReceived() ? Set.of() : command.documentsReceived();
        for (final String code : received)
        {
            if (null == card.document(code))
            {
                return CaseResult.refused(ResultCode.UNKNOWN_DOCUMENT, "card " + card.key() +
                    " has no document '" + code + "' in its checklist");
            }
        }

        final CaseFile c = new CaseFile();
        c.id = command.caseId();
        c.serviceCode = card.code();
        c.cardVersion = card.version();
        c.applicant = applicant;
        c.intakeBody = Body.of(registering);
        c.termBody = termBody;
        c.status = CaseStatus.ACTIVE;
        c.registeredAt = now;
        c.urgent = term.idpImmediate() && applicant.idp();
        // «ВПО — невідкладно»: the term runs from the next day, so an IDP's case is due the next working day
        c.totalDue = c.urgent ? calendar.due(DeadlineKind.NEXT_WORKING_DAY, 0, calendar.dateOf(now)) :
            calendar.due(term.kind(), term.days(), calendar.dateOf(now));
        c.version = 0;
        c.subjectHolderId = command.subjectHolderId();
        for (final ServiceCard.DocumentSpec doc : card.documents())
        {
            final boolean got = received.contains(doc.code());
            c.documents.put(doc.code(), new CaseFile.DocumentCheck(doc.code(), doc.required(), got, got ? now : null));
        }
        c.stageNo = registration.no();
        final Map<String, String> details = new LinkedHashMap<>();
        details.put("intakeBody", c.intakeBody.name());
        details.put("termBody", termBody.name());
        details.put("totalDue", c.totalDue.toString());
        if (c.urgent)
        {
            details.put("urgent", "ВПО — невідкладно");
        }
        stages.moveOnMain(card, c, now, calendar.dateOf(now), details);
        record(c, actor.userId(), registering, CaseAction.REGISTER, registration.no(), now, command.comment(), details);
        return CaseResult.ok(c, List.of());
    }

    /**
     * Applies an action to a case.
     *
     * @param current         the case as stored.
     * @param expectedVersion the version the request was based on.
     * @param command         the action.
     * @param actor           who.
     * @param now             when.
     * @return OK with the changed case (a new instance) and its effects, or why it was refused.
     */
    public CaseResult apply(final CaseFile current, final long expectedVersion, final CaseCommand command,
        final Actor actor, final Instant now)
    {
        if (current.version != expectedVersion)
        {
            return CaseResult.refused(ResultCode.STALE_VERSION, "case " + current.id + " is at version " +
                current.version + ", the request was based on version " + expectedVersion);
        }
        final ServiceCard card = catalogue.card(current.serviceCode, current.cardVersion);
        if (null == card)
        {
            return CaseResult.refused(ResultCode.UNKNOWN_SERVICE, "case " + current.id + " names card " +
                current.serviceCode + " v" + current.cardVersion + " which is not in the catalogue");
        }
        if (!current.status.isOpen())
        {
            return CaseResult.refused(ResultCode.CASE_NOT_OPEN, "case " + current.id + " is " + current.status);
        }
        final ServiceCard.Stage stage = card.stage(current.stageNo);
        final CaseFile c = current.copy();
        final List<CaseEffect> effects = new ArrayList<>();
        final Map<String, String> details = new LinkedHashMap<>();
        final CaseResult refused;
        if (command.action().isStageAction())
        {
            refused = stageAction(card, stage, c, command, actor, now, effects, details);
        }
        else
        {
            refused = caseAction(card, stage, c, command, actor, now, details);
        }
        if (null != refused)
        {
            return refused;
        }
        final Set<Role> permitted = command.action().isStageAction() && !current.refusalTrack ?
            stage.action(command.action()).roles() : stage.roles();
        record(c, actor.userId(), actor.roleIn(permitted), command.action(), stage.no(), now, command.comment(),
            details);
        return CaseResult.ok(c, effects);
    }

    /**
     * Closes an open case because the person it is about died, recorded by the 41-76 case that established the death:
     * the card's closing ground for a death (APPLICANT_DIED: «У разі смерті заявника»). Taken on the authority of the
     * 41-76 decision, so whichever stage the case is at.
     *
     * @param current      the open case as stored.
     * @param deceasedCase the 41-76 case.
     * @param actor        who records the 41-76 decision.
     * @param now          when.
     * @return OK with the closed case, or why it cannot be closed (not open).
     */
    public CaseResult closeOnDeath(final CaseFile current, final String deceasedCase, final Actor actor,
        final Instant now)
    {
        if (!current.status.isOpen())
        {
            return CaseResult.refused(ResultCode.CASE_NOT_OPEN, "case " + current.id + " is " + current.status);
        }
        final ServiceCard card = catalogue.card(current.serviceCode, current.cardVersion);
        if (!closingCodes(card).contains(DEATH_GROUND))
        {
            return CaseResult.refused(ResultCode.UNKNOWN_GROUNDS, "card " + card.key() + " has no closing ground " +
                DEATH_GROUND);
        }
        final CaseFile c = current.copy();
        final Map<String, String> details = new LinkedHashMap<>();
        c.closeReason = DEATH_GROUND;
        details.put("reason", DEATH_GROUND);
        details.put("groundsUk", deathGroundText(card));
        details.put("deceasedCase", deceasedCase);
        final String stageNo = c.stageNo;
        CaseStages.finish(c, CaseStatus.CLOSED, now, details);
        final Role role = actor.roles().iterator().next();
        record(c, actor.userId(), role, CaseAction.CLOSE, stageNo, now, "41-76: case " + deceasedCase, details);
        return CaseResult.ok(c, List.of());
    }

    /** The closing ground of a death (41-69, 41-76, 41-89: «У разі смерті заявника.»). */
    public static final String DEATH_GROUND = "APPLICANT_DIED";

    private static String deathGroundText(final ServiceCard card)
    {
        for (final ServiceCard.Grounds g : card.closingGrounds())
        {
            if (g.code().equals(DEATH_GROUND))
            {
                return g.textUk();
            }
        }
        return "У разі смерті заявника.";
    }

    /**
     * A committee session decides every case waiting for it: all open cases at a stage whose committee has the given
     * code. Those named in {@code refusals} are refused (walking the card's refusal stages, if any); the rest are
     * approved and move on, their next deadline counted from the session date. The batch is all or nothing.
     *
     * @param candidates    cases to pick from (typically all open cases of the committee's cards).
     * @param committeeCode the committee.
     * @param sessionDate   the session's date.
     * @param refusals      refusals by case id.
     * @param actor         who records the decision.
     * @param now           when.
     * @return every decided case, or why none was.
     */
    public BatchResult committeeSession(final List<CaseFile> candidates, final String committeeCode,
        final LocalDate sessionDate, final Map<String, CommitteeRefusal> refusals, final Actor actor,
        final Instant now)
    {
        final List<CaseFile> waiting = new ArrayList<>();
        for (final CaseFile candidate : candidates)
        {
            if (waitingFor(candidate, committeeCode))
            {
                waiting.add(candidate);
            }
        }
        final Set<String> waitingIds = new HashSet<>();
        for (final CaseFile c : waiting)
        {
            waitingIds.add(c.id);
        }
        for (final String caseId : refusals.keySet())
        {
            if (!waitingIds.contains(caseId))
            {
                return new BatchResult(ResultCode.NOT_AT_COMMITTEE, "case " + caseId + " is not waiting for " +
                    committeeCode, List.of());
            }
        }
        final List<CaseFile> decided = new ArrayList<>();
        for (final CaseFile current : waiting)
        {
            final ServiceCard card = catalogue.card(current.serviceCode, current.cardVersion);
            final ServiceCard.Stage stage = card.stage(current.stageNo);
            final ServiceCard.StageAction decide = stage.action(CaseAction.COMMITTEE_DECISION);
            final Role deciding = actor.roleIn(decide.roles());
            if (null == deciding)
            {
                return new BatchResult(ResultCode.ROLE_NOT_ALLOWED, "card " + card.key() + " stage " + stage.no() +
                    ": COMMITTEE_DECISION is recorded by " + decide.roles() + ", not " + actor.rolesText(), List.of());
            }
            final CaseFile c = current.copy();
            final Map<String, String> details = new LinkedHashMap<>();
            details.put("committee", committeeCode);
            details.put("sessionDate", sessionDate.toString());
            c.lastCommittee = committeeCode;
            c.lastCommitteeSession = sessionDate;
            final CommitteeRefusal refusal = refusals.get(c.id);
            if (null != refusal)
            {
                details.put("decision", "REFUSED");
                final CaseResult invalid = stages.refuse(card, stage, c, decide.path(), refusal.groundsCode(),
                    refusal.groundsText(), refusal.appealRoute(), committeeCode, now, sessionDate, details);
                if (null != invalid)
                {
                    return new BatchResult(invalid.code(), "case " + c.id + ": " + invalid.message(), List.of());
                }
            }
            else
            {
                details.put("decision", "APPROVED");
                stages.moveOnMain(card, c, now, sessionDate, details);
            }
            record(c, actor.userId(), deciding, CaseAction.COMMITTEE_DECISION, stage.no(), now, "", details);
            decided.add(c);
        }
        return new BatchResult(ResultCode.OK, "", Collections.unmodifiableList(decided));
    }

    /**
     * A stage still ahead of a case with its projected due date.
     *
     * @param stageNo the stage.
     * @param due     the projected due date if every stage before it ends on its own due date, or null when it
     *                cannot be known (it waits for the applicant or a committee, or follows such a stage).
     */
    public record PlannedStage(String stageNo, LocalDate due)
    {
    }

    /**
     * The deadlines of the stages still ahead on the line the case is on (the main line, or its refusal path),
     * projected from the current stage's due date.
     *
     * @param c a case.
     * @return the stages after the current one, in order; empty for a finished case.
     */
    public List<PlannedStage> plan(final CaseFile c)
    {
        final List<PlannedStage> plan = new ArrayList<>();
        if (!c.status.isOpen())
        {
            return plan;
        }
        final ServiceCard card = catalogue.card(c.serviceCode, c.cardVersion);
        LocalDate previous = c.stageDue;
        final List<ServiceCard.Stage> ahead = new ArrayList<>();
        if (c.refusalTrack)
        {
            for (int i = 1; i < c.refusalPathRemaining.size(); i++)
            {
                ahead.add(card.stage(c.refusalPathRemaining.get(i)));
            }
        }
        else
        {
            for (ServiceCard.Stage next = card.nextMainStage(c.stageNo, c.intakeBody); null != next;
                next = card.nextMainStage(next.no(), c.intakeBody))
            {
                ahead.add(next);
            }
        }
        for (final ServiceCard.Stage stage : ahead)
        {
            previous = null == previous ? null : stages.due(stage, previous);
            plan.add(new PlannedStage(stage.no(), previous));
        }
        return plan;
    }

    /**
     * @param c             a case.
     * @param committeeCode a committee.
     * @return whether the case waits for that committee's next session.
     */
    public boolean waitingFor(final CaseFile c, final String committeeCode)
    {
        if (c.status != CaseStatus.ACTIVE || c.refusalTrack)
        {
            return false;
        }
        final ServiceCard card = catalogue.card(c.serviceCode, c.cardVersion);
        final ServiceCard.Stage stage = null == card ? null : card.stage(c.stageNo);
        return null != stage && null != stage.committee() && stage.committee().code().equals(committeeCode);
    }

    private CaseResult stageAction(final ServiceCard card, final ServiceCard.Stage stage, final CaseFile c,
        final CaseCommand command, final Actor actor, final Instant now, final List<CaseEffect> effects,
        final Map<String, String> details)
    {
        final CaseAction action = command.action();
        if (c.status == CaseStatus.SUSPENDED)
        {
            return CaseResult.refused(ResultCode.CASE_SUSPENDED, "case " + c.id + " is left without motion since " +
                c.suspension.since() + "; resume it first");
        }
        final String where = "card " + card.key() + " stage " + stage.no();
        if (c.refusalTrack)
        {
            if (action != CaseAction.ADVANCE)
            {
                return CaseResult.refused(ResultCode.ACTION_NOT_ALLOWED, where + " is on the refusal path; only " +
                    "ADVANCE is allowed, not " + action);
            }
            if (null == actor.roleIn(stage.roles()))
            {
                return CaseResult.refused(ResultCode.ROLE_NOT_ALLOWED, where + ": ADVANCE is done by " +
                    stage.roles() + ", not " + actor.rolesText());
            }
            c.refusalPathRemaining.remove(0);
            if (c.refusalPathRemaining.isEmpty())
            {
                CaseStages.finish(c, CaseStatus.REFUSED, now, details);
            }
            else
            {
                stages.enter(card.stage(c.refusalPathRemaining.get(0)), c, now, calendar.dateOf(now), details);
            }
            return null;
        }
        final ServiceCard.StageAction allowed = stage.action(action);
        if (null == allowed)
        {
            return CaseResult.refused(ResultCode.ACTION_NOT_ALLOWED, where + " allows " + stage.actions().keySet() +
                ", not " + action);
        }
        if (null == actor.roleIn(allowed.roles()))
        {
            return CaseResult.refused(ResultCode.ROLE_NOT_ALLOWED, where + ": " + action + " is done by " +
                allowed.roles() + ", not " + actor.rolesText());
        }
        switch (action)
        {
            case ADVANCE:
            {
                final CaseResult missing = CaseStages.missingDocuments(card, stage, c);
                if (null != missing)
                {
                    return missing;
                }
                stages.moveOnMain(card, c, now, calendar.dateOf(now), details);
                return null;
            }
            case SUSPEND:
            {
                final CaseCommand.Suspend suspend = (CaseCommand.Suspend)command;
                final CaseResult invalid = CaseStages.checkGrounds(card, card.suspensionGrounds(), "suspension",
                    suspend.groundsCode(), suspend.groundsText());
                if (null != invalid)
                {
                    return invalid;
                }
                final LocalDate noticeDue = allowed.path().isEmpty() ? null :
                    stages.due(card.stage(allowed.path().get(0)), calendar.dateOf(now));
                c.status = CaseStatus.SUSPENDED;
                c.suspension = new CaseFile.Suspension(now, suspend.groundsCode(),
                    CaseStages.groundsText(card.suspensionGrounds(), suspend.groundsCode(), suspend.groundsText()),
                    allowed.path(), noticeDue);
                details.put("grounds", c.suspension.groundsText());
                if (null != noticeDue)
                {
                    details.put("noticeDue", noticeDue.toString());
                }
                return null;
            }
            case REFUSE:
            {
                final CaseCommand.Refuse refuse = (CaseCommand.Refuse)command;
                return stages.refuse(card, stage, c, allowed.path(), refuse.groundsCode(), refuse.groundsText(),
                    refuse.appealRoute(), null, now, calendar.dateOf(now), details);
            }
            case COMMITTEE_DECISION:
                return CaseResult.refused(ResultCode.INVALID_REQUEST, where + ": committee decisions are recorded " +
                    "for a whole session of " + stage.committee().code());
            case ISSUE:
            case PAY:
                return finishWithOutcome(card, stage, c, command, now, effects, details);
            default:
                return CaseResult.refused(ResultCode.INVALID_REQUEST, "unexpected action " + action);
        }
    }

    private CaseResult finishWithOutcome(final ServiceCard card, final ServiceCard.Stage stage, final CaseFile c,
        final CaseCommand command, final Instant now, final List<CaseEffect> effects,
        final Map<String, String> details)
    {
        final ServiceCard.Outcome outcome = card.outcome();
        switch (outcome.type())
        {
            case ISSUE_CARD:
            {
                final Long cardId = command instanceof CaseCommand.Issue ? ((CaseCommand.Issue)command).cardId() : null;
                if (null == cardId || cardId <= 0)
                {
                    return CaseResult.refused(ResultCode.INVALID_REQUEST, "card " + card.key() + " stage " +
                        stage.no() + ": issuing needs the positive cardId of the card handed over");
                }
                final String kind = c.applicant.idp() && null != outcome.idpCardKind() ?
                    outcome.idpCardKind() : outcome.cardKind();
                if ("GUEST".equals(kind))
                {
                    final String missing = io.tapswitch.admin.eligibility.Eligibility.idpConditionMissing(
                        c.applicant.idpCertificate(), c.applicant.idpCertificateDate(), c.applicant.idpArrivedOn());
                    if (null != missing)
                    {
                        return CaseResult.refused(ResultCode.NOT_ELIGIBLE, "rule idp-condition: the guest card is for " +
                            "IDPs who arrived since " + io.tapswitch.admin.eligibility.Eligibility.IDP_ARRIVALS_FROM +
                            " with an IDP certificate: " + missing);
                    }
                }
                c.issuedCardId = cardId;
                c.issuedCardKind = kind;
                effects.add(new CaseEffect.IssueCard(c.id, kind, cardId, c.applicant));
                details.put("cardId", Long.toString(cardId));
                details.put("cardKind", kind);
                break;
            }
            case GRANT_ENTITLEMENT:
            {
                if (null == c.applicant.holderId())
                {
                    return CaseResult.refused(ResultCode.INVALID_REQUEST, "card " + card.key() + " grants an " +
                        "entitlement: the applicant must be a cardholder (holderId)");
                }
                effects.add(new CaseEffect.GrantEntitlement(c.id, outcome.programKey(), c.applicant.holderId()));
                details.put("programKey", outcome.programKey());
                break;
            }
            case PAYMENT:
            {
                final CaseCommand.PaymentOrder order = command instanceof CaseCommand.Pay ?
                    ((CaseCommand.Pay)command).order() : null;
                final String invalid = PaymentRules.invalid(order, outcome.payee());
                if (null != invalid)
                {
                    return CaseResult.refused(ResultCode.INVALID_REQUEST, "card " + card.key() + " stage " +
                        stage.no() + ": " + invalid);
                }
                final String payeeName = null != order.payeeName() && !order.payeeName().isBlank() ?
                    order.payeeName() : c.applicant.fullName();
                final CaseCommand.PaymentOrder named = new CaseCommand.PaymentOrder(order.amountKopiyky(), payeeName,
                    order.payeeCode(), order.channel(), order.iban(), order.postAddress(),
                    null == order.fundingSource() ? outcome.fundingSource() : order.fundingSource());
                effects.add(new CaseEffect.OrderPayment(c.id, c.serviceCode, c.applicant.holderId(), outcome.payee(),
                    named, named.fundingSource()));
                details.put("amountKopiyky", Long.toString(order.amountKopiyky()));
                details.put("channel", order.channel());
                break;
            }
            case HOLDER_DECEASED:
            {
                effects.add(new CaseEffect.HolderDeceased(c.id, c.subjectHolderId));
                details.put("deceasedHolderId", Long.toString(c.subjectHolderId));
                break;
            }
            case RECORD_ONLY:
            default:
                break;
        }
        stages.moveOnMain(card, c, now, calendar.dateOf(now), details);
        return null;
    }

    private CaseResult caseAction(final ServiceCard card, final ServiceCard.Stage stage, final CaseFile c,
        final CaseCommand command, final Actor actor, final Instant now, final Map<String, String> details)
    {
        final String where = "card " + card.key() + " stage " + stage.no();
        if (null == actor.roleIn(stage.roles()))
        {
            return CaseResult.refused(ResultCode.ROLE_NOT_ALLOWED, where + ": " + command.action() +
                " is done by " + stage.roles() + ", not " + actor.rolesText());
        }
        switch (command.action())
        {
            case RESUME:
            {
                if (c.status != CaseStatus.SUSPENDED)
                {
                    return CaseResult.refused(ResultCode.NOT_SUSPENDED, "case " + c.id + " is not left without motion");
                }
                final long days = ChronoUnit.DAYS.between(calendar.dateOf(c.suspension.since()), calendar.dateOf(now));
                c.stageDue = calendar.extend(c.stageDue, days);
                c.totalDue = calendar.extend(c.totalDue, days);
                c.suspendedDays += days;
                c.status = CaseStatus.ACTIVE;
                c.suspension = null;
                details.put("suspendedDays", Long.toString(days));
                details.put("stageDue", String.valueOf(c.stageDue));
                details.put("totalDue", String.valueOf(c.totalDue));
                return null;
            }
            case CLOSE:
            {
                final CaseCommand.Close close = (CaseCommand.Close)command;
                final Set<String> allowed = closingCodes(card);
                if (null == close.reasonCode() || !allowed.contains(close.reasonCode()))
                {
                    return CaseResult.refused(ResultCode.UNKNOWN_GROUNDS, "card " + card.key() + " closes for " +
                        allowed + ", not " + close.reasonCode());
                }
                c.closeReason = close.reasonCode();
                details.put("reason", close.reasonCode());
                CaseStages.finish(c, CaseStatus.CLOSED, now, details);
                return null;
            }
            case CHECK_DOCUMENT:
            {
                final CaseCommand.CheckDocument check = (CaseCommand.CheckDocument)command;
                final ServiceCard.DocumentSpec doc = card.document(check.documentCode());
                if (null == doc)
                {
                    return CaseResult.refused(ResultCode.UNKNOWN_DOCUMENT, "card " + card.key() +
                        " has no document '" + check.documentCode() + "' in its checklist");
                }
                c.documents.put(doc.code(), new CaseFile.DocumentCheck(doc.code(), doc.required(), check.received(),
                    check.received() ? now : null));
                details.put("document", doc.code());
                details.put("received", Boolean.toString(check.received()));
                return null;
            }
            case ATTACH:
            {
                final CaseCommand.Attach attach = (CaseCommand.Attach)command;
                if (null == attach.fileName() || attach.fileName().isBlank() || null == attach.mediaType() ||
                    attach.mediaType().isBlank() || attach.sizeBytes() < 0 || null == attach.sha256() ||
                    !SHA256.matcher(attach.sha256()).matches())
                {
                    return CaseResult.refused(ResultCode.INVALID_REQUEST, "an attachment needs fileName, mediaType, " +
                        "sizeBytes >= 0 and a sha256 of 64 hex digits");
                }
                if (null != attach.documentCode() && null == card.document(attach.documentCode()))
                {
                    return CaseResult.refused(ResultCode.UNKNOWN_DOCUMENT, "card " + card.key() +
                        " has no document '" + attach.documentCode() + "' in its checklist");
                }
                final String id = "a" + (c.attachments.size() + 1);
                c.attachments.add(new CaseFile.Attachment(id, attach.fileName(), attach.mediaType(),
                    attach.sizeBytes(), attach.sha256().toLowerCase(Locale.ROOT), attach.documentCode(),
                    actor.userId(), now));
                details.put("attachment", id);
                return null;
            }
            default:
                return CaseResult.refused(ResultCode.INVALID_REQUEST, "unexpected action " + command.action());
        }
    }

    private static Set<String> closingCodes(final ServiceCard card)
    {
        if (card.closingGrounds().isEmpty())
        {
            return ServiceCard.DEFAULT_CLOSING_GROUNDS;
        }
        final Set<String> codes = new HashSet<>();
        for (final ServiceCard.Grounds g : card.closingGrounds())
        {
            codes.add(g.code());
        }
        return codes;
    }

    private static void record(final CaseFile c, final String userId, final Role role, final CaseAction action,
        final String stageNo, final Instant now, final String comment, final Map<String, String> details)
    {
        c.version++;
        c.history.add(new CaseFile.HistoryEntry(c.history.size() + 1, now, userId, role, action,
            stageNo, c.status, null == comment ? "" : comment, Collections.unmodifiableMap(details)));
    }

    private static List<Body> termBodies(final ServiceCard card)
    {
        final List<Body> bodies = new ArrayList<>();
        for (final ServiceCard.Term term : card.terms())
        {
            bodies.add(term.body());
        }
        return bodies;
    }
}
