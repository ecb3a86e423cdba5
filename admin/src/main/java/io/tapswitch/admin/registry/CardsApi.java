package io.tapswitch.admin.registry;

import java.time.LocalDate;
import java.util.Set;

import io.tapswitch.admin.AdminContext;
import io.tapswitch.admin.Principal;
import io.tapswitch.admin.api.Api;
import io.tapswitch.admin.api.ApiException;
import io.tapswitch.admin.api.ApiRoutes;
import io.tapswitch.admin.api.Page;
import io.tapswitch.admin.outbox.SwitchCommand;
import io.tapswitch.formats.command.CardKind;
import io.tapswitch.formats.command.CardStatus;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;

import io.vertx.sqlclient.Tuple;

/**
 * Cards: issue, activate (or unblock), block, report lost, replace. Each change is a command for the
 * switch (ISSUE_CARD, SET_CARD_STATUS, REPLACE_CARD). A replacement keeps the holder, and entitlements
 * and their usage belong to the holder on both sides, so they carry over to the new card. Thread-safe.
 */
public final class CardsApi
{
    private static final String COLUMNS = "id, holder_id, kind, status, expiry, replaces, replaced_by, created_at, updated_at";
    private final AdminContext ctx;

    public CardsApi(final AdminContext ctx)
    {
        this.ctx = ctx;
    }

    public void mount(final ApiRoutes routes)
    {
        routes.json("listCards", 200, r ->
        {
            final Page page = Page.of(r.rc());
            return ctx.pool().preparedQuery("SELECT " + COLUMNS + " FROM cards WHERE id > $1 AND ($3::bigint IS NULL OR holder_id = $3) " +
                    "AND ($4::text IS NULL OR status = $4) AND " + io.tapswitch.admin.account.Scope.holderIn("holder_id", 5) +
                    " ORDER BY id LIMIT $2")
                .execute(Tuple.of(page.afterKey(), page.fetch(), Api.queryLong(r.rc(), "holderId"), Api.queryString(r.rc(), "status"),
                    r.principal().scopeDistrict()))
                .map(rows -> page.result(rows, "id", CardsApi::toJson));
        });
        routes.json("getCard", 200, r -> get(ctx.pool(), Api.pathLong(r.rc(), "cardId"), false)
            .compose(card -> io.tapswitch.admin.account.Scope.requireHolder(ctx.pool(), r.principal(), card.getLong("holderId"))
                .recover(ex -> io.vertx.core.Future.failedFuture(io.tapswitch.admin.api.ApiException.notFound("card",
                    card.getLong("id"))))
                .map(card)));
        routes.json("issueCard", 201, r ->
        {
            final JsonObject body = Api.body(r.rc());
            final long id = body.getLong("id");
            final long holderId = body.getLong("holderId");
            final LocalDate expiry = Api.parseDate("/body/expiry", body.getString("expiry"));
            final String status = body.getString("status", "ISSUED");
            return ctx.write(conn -> Sql.requireRef(conn, "cardholders", holderId, "/body/holderId", "cardholder")
                .compose(v -> Sql.exists(conn, "cards", id))
                .compose(found -> found ? Future.failedFuture(ApiException.conflict("/body/id", "card " + id + " is already issued")) :
                    conn.preparedQuery("INSERT INTO cards (id, holder_id, kind, status, expiry, created_at, updated_at) " +
                        "VALUES ($1, $2, $3, $4, $5, $6, $6)").execute(Tuple.of(id, holderId, body.getString("kind"), status, expiry,
                        Sql.now(ctx.clock()))))
                .compose(v -> get(conn, id, false))
                .compose(after -> ctx.command(conn, SwitchCommand.issueCard(id, holderId, expiry, kind(after.getString("kind")),
                    status(status))).map(after))
                .compose(after -> ctx.audit(conn, r.principal(), "card.issue", "card", id, null, after).map(after)));
        });
        routes.json("activateCard", 200, r -> transition(r.principal(), Api.pathLong(r.rc(), "cardId"), "ACTIVE",
            Set.of("ISSUED", "BLOCKED"), "card.activate"));
        routes.json("blockCard", 200, r -> transition(r.principal(), Api.pathLong(r.rc(), "cardId"), "BLOCKED",
            Set.of("ISSUED", "ACTIVE"), "card.block"));
        routes.json("reportCardLost", 200, r -> transition(r.principal(), Api.pathLong(r.rc(), "cardId"), "LOST",
            Set.of("ISSUED", "ACTIVE", "BLOCKED"), "card.lost"));
        routes.json("replaceCard", 201, r ->
        {
            final long oldId = Api.pathLong(r.rc(), "cardId");
            final JsonObject body = Api.body(r.rc());
            final long newId = body.getLong("newCardId");
            final LocalDate expiry = Api.parseDate("/body/expiry", body.getString("expiry"));
            return ctx.write(conn -> get(conn, oldId, true).compose(before ->
            {
                if (!Set.of("ISSUED", "ACTIVE", "BLOCKED", "LOST").contains(before.getString("status")))
                {
                    return Future.failedFuture(ApiException.conflict("/path/cardId",
                        "card " + oldId + " is " + before.getString("status") + " and cannot be replaced"));
                }
                final String kind = body.getString("kind", before.getString("kind"));
                final OffsetNow now = new OffsetNow(ctx);
                return Sql.exists(conn, "cards", newId)
                    .compose(found -> found ? Future.failedFuture(ApiException.conflict("/body/newCardId", "card " + newId + " is already issued")) :
                        conn.preparedQuery("INSERT INTO cards (id, holder_id, kind, status, expiry, replaces, created_at, updated_at) " +
                            "VALUES ($1, $2, $3, 'ACTIVE', $4, $5, $6, $6)")
                            .execute(Tuple.of(newId, before.getLong("holderId"), kind, expiry, oldId, now.value())))
                    .compose(v -> conn.preparedQuery("UPDATE cards SET status = 'REPLACED', replaced_by = $2, updated_at = $3 WHERE id = $1")
                        .execute(Tuple.of(oldId, newId, now.value())))
                    .compose(v -> ctx.command(conn, SwitchCommand.replaceCard(oldId, newId, expiry, kind(kind))))
                    .compose(v -> get(conn, oldId, false))
                    .compose(oldAfter -> ctx.audit(conn, r.principal(), "card.replace", "card", oldId, before, oldAfter))
                    .compose(v -> get(conn, newId, false))
                    .compose(after -> ctx.audit(conn, r.principal(), "card.issue", "card", newId, null,
                        after.copy().put("note", body.getString("note"))).map(after));
            }));
        });
    }

    private Future<JsonObject> transition(final Principal principal, final long id, final String target, final Set<String> from,
        final String action)
    {
        return ctx.write(conn -> get(conn, id, true).compose(before ->
        {
            if (!from.contains(before.getString("status")))
            {
                return Future.failedFuture(ApiException.conflict("/path/cardId",
                    "card " + id + " is " + before.getString("status") + "; " + action + " needs one of " + from));
            }
            return conn.preparedQuery("UPDATE cards SET status = $2, updated_at = $3 WHERE id = $1")
                .execute(Tuple.of(id, target, Sql.now(ctx.clock())))
                .compose(v -> get(conn, id, false))
                .compose(after -> ctx.command(conn, SwitchCommand.setCardStatus(id, status(target))).map(after))
                .compose(after -> ctx.audit(conn, principal, action, "card", id, before, after).map(after));
        }));
    }

    static int kind(final String kind)
    {
        return switch (kind)
        {
            case "GUEST" -> CardKind.GUEST;
            case "SOCIAL" -> CardKind.SOCIAL;
            default -> CardKind.RESIDENT;
        };
    }

    static int status(final String status)
    {
        return switch (status)
        {
            case "ISSUED" -> CardStatus.ISSUED;
            case "ACTIVE" -> CardStatus.ACTIVE;
            case "BLOCKED" -> CardStatus.BLOCKED;
            case "LOST" -> CardStatus.LOST;
            case "REPLACED" -> CardStatus.REPLACED;
            case "EXPIRED" -> CardStatus.EXPIRED;
            default -> throw new IllegalArgumentException("unknown card status " + status);
        };
    }

    static Future<JsonObject> get(final SqlClient client, final long id, final boolean forUpdate)
    {
        return Sql.one(client, "SELECT " + COLUMNS + " FROM cards WHERE id = $1" + (forUpdate ? " FOR UPDATE" : ""), Tuple.of(id),
            CardsApi::toJson, "card", id);
    }

    static JsonObject toJson(final Row row)
    {
        return new JsonObject()
            .put("id", row.getLong("id"))
            .put("holderId", row.getLong("holder_id"))
            .put("kind", row.getString("kind"))
            .put("status", row.getString("status"))
            .put("expiry", Sql.date(row.getLocalDate("expiry")))
            .put("replaces", row.getLong("replaces"))
            .put("replacedBy", row.getLong("replaced_by"))
            .put("createdAt", Sql.ts(row.getOffsetDateTime("created_at")))
            .put("updatedAt", Sql.ts(row.getOffsetDateTime("updated_at")));
    }

    /** One timestamp for all rows of a change. */
    private record OffsetNow(java.time.OffsetDateTime value)
    {
        OffsetNow(final AdminContext ctx)
        {
            this(Sql.now(ctx.clock()));
        }
    }

}
