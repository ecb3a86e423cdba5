package io.tapswitch.admin.workflow;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How a case moves along the stages of its service card, for {@link CaseEngine}: entering a stage (its due date from
 * the working-day calendar, capped by the total deadline for an urgent case), moving on along the main line,
 * finishing, a refusal (its grounds checked against the card, then the refusal path entered or the case finished) and
 * the documents a stage needs before it may be left. Works on the copy of the case the engine changes; records the
 * details of the move in the history entry's details.
 * <p>
 * Immutable; thread-safe.
 */
final class CaseStages
{
    private final WorkingCalendar calendar;

    CaseStages(final WorkingCalendar calendar)
    {
        this.calendar = calendar;
    }

    CaseResult refuse(final ServiceCard card, final ServiceCard.Stage stage, final CaseFile c,
        final List<String> path, final String groundsCode, final String groundsText, final String appealRoute,
        final String committee, final Instant now, final LocalDate startDate, final Map<String, String> details)
    {
        final CaseResult invalid = checkGrounds(card, card.refusalGrounds(), "refusal", groundsCode, groundsText);
        if (null != invalid)
        {
            return invalid;
        }
        if (null == appealRoute || appealRoute.isBlank())
        {
            return CaseResult.refused(ResultCode.INVALID_REQUEST, "a refusal must state the route of appeal");
        }
        c.refusal = new CaseFile.Refusal(now, stage.no(), groundsCode,
            groundsText(card.refusalGrounds(), groundsCode, groundsText), appealRoute, committee);
        details.put("grounds", c.refusal.groundsText());
        details.put("appealRoute", appealRoute);
        if (path.isEmpty())
        {
            finish(c, CaseStatus.REFUSED, now, details);
        }
        else
        {
            c.refusalTrack = true;
            c.refusalPathRemaining = new ArrayList<>(path);
            enter(card.stage(path.get(0)), c, now, startDate, details);
        }
        return null;
    }

    static CaseResult checkGrounds(final ServiceCard card, final List<ServiceCard.Grounds> grounds,
        final String what, final String code, final String text)
    {
        if (grounds.isEmpty())
        {
            if (null == text || text.isBlank())
            {
                return CaseResult.refused(ResultCode.INVALID_REQUEST, "card " + card.key() + " lists no " + what +
                    " grounds: state them in groundsText");
            }
            return null;
        }
        for (final ServiceCard.Grounds g : grounds)
        {
            if (g.code().equals(code))
            {
                return null;
            }
        }
        final List<String> codes = new ArrayList<>();
        for (final ServiceCard.Grounds g : grounds)
        {
            codes.add(g.code());
        }
        return CaseResult.refused(ResultCode.UNKNOWN_GROUNDS, "card " + card.key() + " allows " + what +
            " only on grounds " + codes + ", not " + code);
    }

    static String groundsText(final List<ServiceCard.Grounds> grounds, final String code, final String text)
    {
        for (final ServiceCard.Grounds g : grounds)
        {
            if (g.code().equals(code))
            {
                return null == text || text.isBlank() ? g.textUk() : g.textUk() + " — " + text;
            }
        }
        return text;
    }

    static CaseResult missingDocuments(final ServiceCard card, final ServiceCard.Stage stage, final CaseFile c)
    {
        final List<String> missing = new ArrayList<>();
        for (final String code : stage.requiresDocuments())
        {
            if (!c.documents.get(code).received())
            {
                missing.add(code);
            }
        }
        if (stage.actions().containsKey(CaseAction.SUSPEND))
        {
            for (final ServiceCard.DocumentSpec doc : card.documents())
            {
                if (doc.required() && !doc.addedByOffice() && !c.documents.get(doc.code()).received())
                {
                    missing.add(doc.code());
                }
            }
        }
        if (missing.isEmpty())
        {
            return null;
        }
        return CaseResult.refused(ResultCode.MISSING_DOCUMENTS, "card " + card.key() + " stage " + stage.no() +
            " needs documents " + missing + " checked as received (or leave the application without motion)");
    }

    void moveOnMain(final ServiceCard card, final CaseFile c, final Instant now, final LocalDate startDate,
        final Map<String, String> details)
    {
        final ServiceCard.Stage next = card.nextMainStage(c.stageNo, c.intakeBody);
        if (null == next)
        {
            finish(c, CaseStatus.COMPLETED, now, details);
        }
        else
        {
            enter(next, c, now, startDate, details);
        }
    }

    void enter(final ServiceCard.Stage stage, final CaseFile c, final Instant now, final LocalDate startDate,
        final Map<String, String> details)
    {
        c.stageNo = stage.no();
        c.stageEnteredAt = now;
        c.stageDue = due(stage, startDate);
        if (c.urgent && null != c.stageDue && null != c.totalDue && c.stageDue.isAfter(c.totalDue))
        {
            c.stageDue = c.totalDue;
        }
        details.put("toStage", stage.no());
        if (null != c.stageDue)
        {
            details.put("stageDue", c.stageDue.toString());
        }
    }

    LocalDate due(final ServiceCard.Stage stage, final LocalDate startDate)
    {
        return calendar.due(stage.deadline().kind(), stage.deadline().days(), startDate);
    }

    static void finish(final CaseFile c, final CaseStatus status, final Instant now,
        final Map<String, String> details)
    {
        c.status = status;
        c.finishedAt = now;
        c.stageDue = null;
        c.refusalTrack = false;
        c.refusalPathRemaining = new ArrayList<>();
        details.put("finished", status.name());
    }
}
