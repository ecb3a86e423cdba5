package io.tapswitch.admin.workflow;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import io.tapswitch.admin.AdminContext;
import io.tapswitch.admin.Principal;
import io.tapswitch.admin.api.ApiException;
import io.tapswitch.admin.outbox.SwitchCommand;
import io.tapswitch.formats.command.CardStatus;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

/**
 * The outcome of card 41-76 («Зняття з обліку та припинення нарахування й виплати державних соціальних допомог
 * померлим громадянам»), in the transaction of the stage that stops the payments: every issued or active card of
 * the deceased holder is blocked (SET_CARD_STATUS BLOCKED through the command outbox, so a tap is declined
 * CARD_BLOCKED), every active entitlement revoked (REVOKE_ENTITLEMENT), every payment still ORDERED stopped
 * (payments already SENT are the treasury's: they come back as RETURNED), and every other open case of the holder
 * closed with the seed's closing ground «У разі смерті заявника» (APPLICANT_DIED). Each change is audited with the
 * 41-76 case id.
 * <p>
 * Stateless; thread-safe.
 */
final class Deceased
{
    private final AdminContext ctx;
    private final CaseEngine engine;
    private final CaseStore store;

    Deceased(final AdminContext ctx, final CaseEngine engine, final CaseStore store)
    {
        this.ctx = ctx;
        this.engine = engine;
        this.store = store;
    }

    Future<Void> apply(final SqlConnection conn, final Principal principal, final CaseFile after,
        final CaseEffect.HolderDeceased died, final Instant now)
    {
        final long holderId = died.holderId();
        final OffsetDateTime at = now.atOffset(ZoneOffset.UTC);
        final String note = "41-76 case " + died.caseId();
        return conn.preparedQuery("SELECT id FROM cardholders WHERE id = $1 FOR UPDATE").execute(Tuple.of(holderId))
            .compose(rows -> rows.size() > 0 ? Future.succeededFuture() :
                Future.failedFuture(ApiException.unknownReference("/body/subjectHolderId", "cardholder", holderId)))
            .compose(v -> conn.preparedQuery("UPDATE cards SET status = 'BLOCKED', updated_at = $2 WHERE holder_id = $1 " +
                "AND status IN ('ISSUED', 'ACTIVE') RETURNING id").execute(Tuple.of(holderId, at)))
            .compose(cards ->
            {
                Future<Void> chain = Future.succeededFuture();
                for (final Row row : cards)
                {
                    final long cardId = row.getLong(0);
                    chain = chain.compose(v -> ctx.command(conn, SwitchCommand.setCardStatus(cardId, CardStatus.BLOCKED)))
                        .compose(v -> ctx.audit(conn, principal, "card.block", "card", cardId, null,
                            new JsonObject().put("id", cardId).put("status", "BLOCKED").put("caseId", died.caseId())
                                .put("reason", "holder died")));
                }
                return chain;
            })
            .compose(v -> conn.preparedQuery("UPDATE entitlements SET status = 'REVOKED', revoked_at = $2, note = $3 " +
                "WHERE holder_id = $1 AND status = 'ACTIVE' RETURNING id, program_id").execute(Tuple.of(holderId, at, note)))
            .compose(entitlements ->
            {
                Future<Void> chain = Future.succeededFuture();
                for (final Row row : entitlements)
                {
                    final long id = row.getLong(0);
                    final int programId = row.getInteger(1);
                    chain = chain.compose(v -> ctx.command(conn, SwitchCommand.revokeEntitlement(holderId, programId)))
                        .compose(v -> ctx.audit(conn, principal, "entitlement.revoke", "entitlement", id, null,
                            new JsonObject().put("holderId", holderId).put("programId", programId)
                                .put("caseId", died.caseId())));
                }
                return chain;
            })
            .compose(v -> conn.preparedQuery("UPDATE payments SET status = 'STOPPED', stop_reason = $2, updated_at = $3 " +
                "WHERE holder_id = $1 AND status = 'ORDERED' RETURNING id").execute(Tuple.of(holderId, note, at)))
            .compose(payments ->
            {
                Future<Void> chain = Future.succeededFuture();
                for (final Row row : payments)
                {
                    final long id = row.getLong(0);
                    chain = chain.compose(v -> ctx.audit(conn, principal, "payment.stop", "payment", id, null,
                        new JsonObject().put("status", "STOPPED").put("caseId", died.caseId())));
                }
                return chain;
            })
            .compose(v -> conn.preparedQuery("SELECT doc FROM cases WHERE (holder_id = $1 OR " +
                "(doc->>'subjectHolderId')::bigint = $1) AND status IN ('ACTIVE', 'SUSPENDED') AND id <> $2 " +
                "ORDER BY number FOR UPDATE").execute(Tuple.of(holderId, died.caseId())))
            .compose(open ->
            {
                final List<CaseFile> cases = new ArrayList<>();
                for (final Row row : open)
                {
                    cases.add(CaseFile.fromJson(CaseStore.toJson(row.getValue(0))));
                }
                Future<Void> chain = Future.succeededFuture();
                for (final CaseFile before : cases)
                {
                    chain = chain.compose(v ->
                    {
                        final CaseResult closed = engine.closeOnDeath(before, died.caseId(), Actor.of(principal), now);
                        if (!closed.isOk())
                        {
                            return Future.failedFuture(new ApiException(409, "case-not-closable",
                                "A case of the deceased cannot be closed", closed.message(), null));
                        }
                        return store.update(conn, before, closed.caseFile())
                            .compose(u -> ctx.audit(conn, principal, "case.close", "case", before.id,
                                new JsonObject().put("status", before.status.name()),
                                new JsonObject().put("status", "CLOSED").put("reason", CaseEngine.DEATH_GROUND)
                                    .put("caseId", died.caseId())));
                    });
                }
                return chain;
            });
    }
}
