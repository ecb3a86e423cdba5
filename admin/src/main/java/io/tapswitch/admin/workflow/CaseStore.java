package io.tapswitch.admin.workflow;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

import io.tapswitch.admin.api.ApiException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

/**
 * Stores cases in PostgreSQL (tables {@code cases} and {@code case_actions}, migration V20): the whole case as JSON
 * plus the columns listing, overdue checks, gauges and reports need. Updates are optimistic: a case is written only
 * if its stored version is still the one the action started from, otherwise the transaction fails with a 409.
 * <p>
 * Stateless; thread-safe.
 */
public final class CaseStore
{
    private final Catalogue catalogue;

    public CaseStore(final Catalogue catalogue)
    {
        this.catalogue = catalogue;
    }

    /**
     * @param conn the transaction.
     * @return the next case number (used as the case id).
     */
    public Future<Long> nextNumber(final SqlConnection conn)
    {
        return conn.query("SELECT nextval('case_number')").execute().map(rows -> rows.iterator().next().getLong(0));
    }

    /**
     * @param conn     the transaction.
     * @param number   the case number.
     * @param c        a newly registered case.
     * @return completes when stored.
     */
    public Future<Void> insert(final SqlConnection conn, final long number, final CaseFile c)
    {
        final ServiceCard card = catalogue.card(c.serviceCode, c.cardVersion);
        return conn.preparedQuery("INSERT INTO cases (id, number, service_code, card_version, ministry_category, " +
                "status, stage_no, stage_body, intake_body, holder_id, registered_at, stage_due, total_due, finished_at, " +
                "version, doc, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $11)")
            .execute(Tuple.from(new Object[]{ c.id, number, c.serviceCode, c.cardVersion,
                null == card.ministryCategory() ? null : card.ministryCategory().name(), c.status.name(), c.stageNo,
                stageBody(card, c).name(), c.intakeBody.name(), c.applicant.holderId(), ts(c.registeredAt),
                c.stageDue, c.totalDue, ts(c.finishedAt), c.version, c.toJson() }))
            .compose(v -> insertActions(conn, card, null, c));
    }

    /**
     * Writes a changed case if nobody changed it since {@code before} was read.
     *
     * @param conn   the transaction.
     * @param before the case as read.
     * @param after  the case after the action.
     * @return completes when stored; fails with a 409 problem when the stored version moved on.
     */
    public Future<Void> update(final SqlConnection conn, final CaseFile before, final CaseFile after)
    {
        final ServiceCard card = catalogue.card(after.serviceCode, after.cardVersion);
        return conn.preparedQuery("UPDATE cases SET status = $3, stage_no = $4, stage_body = $5, holder_id = $6, " +
                "stage_due = $7, total_due = $8, finished_at = $9, version = $10, doc = $11, updated_at = $12 " +
                "WHERE id = $1 AND version = $2")
            .execute(Tuple.from(new Object[]{ after.id, before.version, after.status.name(), after.stageNo,
                stageBody(card, after).name(), after.applicant.holderId(), after.stageDue, after.totalDue,
                ts(after.finishedAt), after.version, after.toJson(), ts(after.history.get(after.history.size() - 1).at()) }))
            .compose(rows -> rows.rowCount() == 1 ? insertActions(conn, card, before, after) :
                Future.failedFuture(new ApiException(409, "stale-version", "The case was changed meanwhile",
                    "case " + after.id + " is no longer at version " + before.version + "; read it again", "/body/version")));
    }

    /**
     * @param client a client.
     * @param id     the case id.
     * @param forUpdate whether to lock the row.
     * @return the case; fails with a 404 problem when unknown.
     */
    public Future<CaseFile> load(final SqlClient client, final String id, final boolean forUpdate)
    {
        return client.preparedQuery("SELECT doc FROM cases WHERE id = $1" + (forUpdate ? " FOR UPDATE" : ""))
            .execute(Tuple.of(id))
            .compose(rows -> rows.size() == 0 ? Future.failedFuture(ApiException.notFound("case", id)) :
                Future.succeededFuture(CaseFile.fromJson(toJson(rows.iterator().next().getValue("doc")))));
    }

    /**
     * @param client a client.
     * @param where  an SQL condition on {@code cases} with positional parameters.
     * @param args   its parameters.
     * @param forUpdate whether to lock the rows.
     * @return the cases, by number.
     */
    public Future<List<CaseFile>> select(final SqlClient client, final String where, final Tuple args,
        final boolean forUpdate)
    {
        return client.preparedQuery("SELECT doc FROM cases WHERE " + where + " ORDER BY number" +
                (forUpdate ? " FOR UPDATE" : "")).execute(args)
            .map(rows ->
            {
                final List<CaseFile> result = new ArrayList<>();
                for (final Row row : rows)
                {
                    result.add(CaseFile.fromJson(toJson(row.getValue("doc"))));
                }
                return result;
            });
    }

    static JsonObject toJson(final Object value)
    {
        return value instanceof JsonObject json ? json : new JsonObject(String.valueOf(value));
    }

    private Future<Void> insertActions(final SqlConnection conn, final ServiceCard card, final CaseFile before,
        final CaseFile after)
    {
        final int from = null == before ? 0 : before.history.size();
        final List<Tuple> batch = new ArrayList<>();
        for (int i = from; i < after.history.size(); i++)
        {
            final CaseFile.HistoryEntry entry = after.history.get(i);
            final boolean refusalTrackBefore = null != before && before.refusalTrack;
            batch.add(Tuple.from(new Object[]{ after.id, entry.seq(), ts(entry.at()), entry.userId(),
                entry.role().name(), entry.action().name(), entry.stageNo(), entry.status().name(), after.serviceCode,
                null == card.ministryCategory() ? null : card.ministryCategory().name(),
                indicator(card, entry, refusalTrackBefore), entry.comment(),
                new JsonObject(new LinkedHashMap<String, Object>(entry.details())) }));
        }
        if (batch.isEmpty())
        {
            return Future.succeededFuture();
        }
        return conn.preparedQuery("INSERT INTO case_actions (case_id, seq, at, actor, role, action, stage_no, status, " +
                "service_code, ministry_category, indicator, comment, details) " +
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)")
            .executeBatch(batch).mapEmpty();
    }

    /**
     * Which of the Ministry's monthly indicators (order No. 45, annex 2, rows 4–7) a history entry counts for, by the
     * order's definitions:
     * <ul>
     * <li>PASSED_ON (row 4, «сформованих та переданих до структурного підрозділу з питань соціального захисту
     * населення»): the e-case reached the social protection unit (a district administration or the department),
     * wherever it was registered: at registration when the unit registered it itself, at the Center's hand-over when
     * the Center did;</li>
     * <li>ACCEPTED (row 5, «прийнятих … для подальшої роботи»): the unit advanced it past its document check;</li>
     * <li>RETURNED (row 6, «повернуті … на доопрацювання»): left without motion;</li>
     * <li>DECIDED (row 7, «прийнято рішення про призначення (відмову у призначенні) соціальних виплат»): only cards
     * whose result is a social payment (money or aid granted): a refusal, a committee's refusal, the last committee's
     * approval or, without a committee, the payment. Issuing a card (No. 8, 41-140) is no payment decision.</li>
     * </ul>
     *
     * @param card               the case's card.
     * @param entry              the entry.
     * @param refusalTrackBefore whether the case was walking a refusal before the entry.
     * @return PASSED_ON, ACCEPTED, RETURNED, DECIDED or null.
     */
    static String indicator(final ServiceCard card, final CaseFile.HistoryEntry entry, final boolean refusalTrackBefore)
    {
        final ServiceCard.Stage stage = card.stage(entry.stageNo());
        final boolean payment = card.outcome().type() == OutcomeType.PAYMENT ||
            card.outcome().type() == OutcomeType.GRANT_ENTITLEMENT;
        switch (entry.action())
        {
            case REGISTER:
                return Body.CENTER.name().equals(entry.details().get("intakeBody")) ? null : "PASSED_ON";
            case ADVANCE:
                if (refusalTrackBefore || stage.path() != StagePath.MAIN)
                {
                    return null;
                }
                if (stage.onlyIfIntakeAt() == Body.CENTER || stage.bodies().equals(java.util.Set.of(Body.CENTER)))
                {
                    return "PASSED_ON";
                }
                return stage.actions().containsKey(CaseAction.SUSPEND) ? "ACCEPTED" : null;
            case SUSPEND:
                return "RETURNED";
            case REFUSE:
                return payment ? "DECIDED" : null;
            case COMMITTEE_DECISION:
                return payment && ("REFUSED".equals(entry.details().get("decision")) ||
                    !card.committeeAfter(entry.stageNo())) ? "DECIDED" : null;
            case ISSUE:
            case PAY:
                return payment && !card.hasCommittee() ? "DECIDED" : null;
            default:
                return null;
        }
    }

    private static Body stageBody(final ServiceCard card, final CaseFile c)
    {
        return ServiceCard.responsibleBody(card.stage(c.stageNo), c.intakeBody);
    }

    private static OffsetDateTime ts(final Instant instant)
    {
        return null == instant ? null : instant.atOffset(ZoneOffset.UTC);
    }
}
