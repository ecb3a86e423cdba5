package io.tapswitch.admin.registry;

import io.tapswitch.admin.AdminContext;
import io.tapswitch.admin.api.Api;
import io.tapswitch.admin.api.ApiException;
import io.tapswitch.admin.api.ApiRoutes;
import io.tapswitch.admin.api.Page;
import io.tapswitch.admin.outbox.SwitchCommand;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/**
 * Entitlements: a holder's enrolment in a program (GRANT_ENTITLEMENT / REVOKE_ENTITLEMENT). For a
 * household program the switch shares one quota among the household's enrolled members. Thread-safe.
 */
public final class EntitlementsApi
{
    private static final String COLUMNS = "id, holder_id, program_id, status, granted_at, revoked_at, note";
    private final AdminContext ctx;

    public EntitlementsApi(final AdminContext ctx)
    {
        this.ctx = ctx;
    }

    public void mount(final ApiRoutes routes)
    {
        routes.json("listEntitlements", 200, r ->
        {
            final Page page = Page.of(r.rc());
            final Long programId = Api.queryLong(r.rc(), "programId");
            return ctx.pool().preparedQuery("SELECT " + COLUMNS + " FROM entitlements WHERE id > $1 AND ($3::bigint IS NULL OR holder_id = $3) " +
                    "AND ($4::int IS NULL OR program_id = $4) AND ($5::text IS NULL OR status = $5) AND " +
                    io.tapswitch.admin.account.Scope.holderIn("holder_id", 6) + " ORDER BY id LIMIT $2")
                .execute(Tuple.of(page.afterKey(), page.fetch(), Api.queryLong(r.rc(), "holderId"),
                    programId == null ? null : programId.intValue(), Api.queryString(r.rc(), "status"), r.principal().scopeDistrict()))
                .map(rows -> page.result(rows, "id", EntitlementsApi::toJson));
        });
        routes.json("listHolderEntitlements", 200, r ->
        {
            final Page page = Page.of(r.rc());
            final long holderId = Api.pathLong(r.rc(), "holderId");
            return io.tapswitch.admin.account.Scope.requireHolder(ctx.pool(), r.principal(), holderId)
                .compose(v -> PeopleApi.getHolder(ctx.pool(), holderId, false))
                .compose(holder -> ctx.pool().preparedQuery("SELECT " + COLUMNS + " FROM entitlements WHERE id > $1 AND holder_id = $3 " +
                    "ORDER BY id LIMIT $2").execute(Tuple.of(page.afterKey(), page.fetch(), holderId)))
                .map(rows -> page.result(rows, "id", EntitlementsApi::toJson));
        });
        routes.json("getEntitlement", 200, r -> get(ctx.pool(), Api.pathLong(r.rc(), "entitlementId"), false));
        routes.json("grantEntitlement", 201, r ->
        {
            final JsonObject body = Api.body(r.rc());
            final long holderId = body.getLong("holderId");
            final int programId = body.getInteger("programId");
            return ctx.write(conn -> Sql.requireRef(conn, "cardholders", holderId, "/body/holderId", "cardholder")
                .compose(v -> Sql.requireRef(conn, "programs", programId, "/body/programId", "program"))
                .compose(v -> io.tapswitch.admin.eligibility.Eligibility.checkProgram(conn, holderId, programId))
                .compose(v -> conn.preparedQuery("SELECT id FROM entitlements WHERE holder_id = $1 AND program_id = $2 AND status = 'ACTIVE'")
                    .execute(Tuple.of(holderId, programId)))
                .compose(rows -> rows.size() > 0 ?
                    Future.failedFuture(ApiException.conflict("/body/programId", "holder " + holderId + " is already enrolled in program " +
                        programId + " (entitlement " + rows.iterator().next().getLong(0) + ")")) :
                    conn.preparedQuery("INSERT INTO entitlements (holder_id, program_id, status, granted_at, note) VALUES ($1, $2, 'ACTIVE', $3, $4) " +
                        "RETURNING id").execute(Tuple.of(holderId, programId, Sql.now(ctx.clock()), body.getString("note"))))
                .compose(rows -> get(conn, rows.iterator().next().getLong("id"), false))
                .compose(after -> ctx.command(conn, SwitchCommand.grantEntitlement(holderId, programId)).map(after))
                .compose(after -> ctx.audit(conn, r.principal(), "entitlement.grant", "entitlement", after.getValue("id"), null, after).map(after)));
        });
        routes.json("revokeEntitlement", 200, r ->
        {
            final long id = Api.pathLong(r.rc(), "entitlementId");
            final JsonObject body = Api.body(r.rc());
            return ctx.write(conn -> get(conn, id, true).compose(before ->
            {
                if (!"ACTIVE".equals(before.getString("status")))
                {
                    return Future.failedFuture(ApiException.conflict("/path/entitlementId", "entitlement " + id + " is already revoked"));
                }
                return conn.preparedQuery("UPDATE entitlements SET status = 'REVOKED', revoked_at = $2, note = COALESCE($3, note) WHERE id = $1")
                    .execute(Tuple.of(id, Sql.now(ctx.clock()), body.getString("note")))
                    .compose(v -> get(conn, id, false))
                    .compose(after -> ctx.command(conn, SwitchCommand.revokeEntitlement(after.getLong("holderId"), after.getInteger("programId")))
                        .map(after))
                    .compose(after -> ctx.audit(conn, r.principal(), "entitlement.revoke", "entitlement", id, before, after).map(after));
            }));
        });
    }

    static Future<JsonObject> get(final SqlClient client, final long id, final boolean forUpdate)
    {
        return Sql.one(client, "SELECT " + COLUMNS + " FROM entitlements WHERE id = $1" + (forUpdate ? " FOR UPDATE" : ""), Tuple.of(id),
            EntitlementsApi::toJson, "entitlement", id);
    }

    static JsonObject toJson(final Row row)
    {
        return new JsonObject()
            .put("id", row.getLong("id"))
            .put("holderId", row.getLong("holder_id"))
            .put("programId", row.getInteger("program_id"))
            .put("status", row.getString("status"))
            .put("grantedAt", Sql.ts(row.getOffsetDateTime("granted_at")))
            .put("revokedAt", Sql.ts(row.getOffsetDateTime("revoked_at")))
            .put("note", row.getString("note"));
    }
}
