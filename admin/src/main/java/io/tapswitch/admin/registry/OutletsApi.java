package io.tapswitch.admin.registry;

import io.tapswitch.admin.AdminContext;
import io.tapswitch.admin.api.Api;
import io.tapswitch.admin.api.ApiRoutes;
import io.tapswitch.admin.api.Page;
import io.tapswitch.admin.outbox.SwitchCommand;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

/**
 * Outlets: distribution points and school canteens. The switch knows each outlet's id and default
 * program (DEFINE_OUTLET). Thread-safe.
 */
public final class OutletsApi
{
    private static final String COLUMNS = "id, institution_id, name, kind, address, default_program_id, created_at, updated_at";
    private final AdminContext ctx;

    public OutletsApi(final AdminContext ctx)
    {
        this.ctx = ctx;
    }

    public void mount(final ApiRoutes routes)
    {
        routes.json("listOutlets", 200, r ->
        {
            final Page page = Page.of(r.rc());
            final Long institutionId = Api.queryLong(r.rc(), "institutionId");
            return ctx.pool().preparedQuery("SELECT " + COLUMNS + " FROM outlets WHERE id > $1 " +
                    "AND ($3::int IS NULL OR institution_id = $3) ORDER BY id LIMIT $2")
                .execute(Tuple.of(page.afterKey(), page.fetch(), institutionId == null ? null : institutionId.intValue()))
                .map(rows -> page.result(rows, "id", OutletsApi::toJson));
        });
        routes.json("getOutlet", 200, r -> get(ctx.pool(), Api.pathLong(r.rc(), "outletId")));
        routes.json("createOutlet", 201, r ->
        {
            final JsonObject body = Api.body(r.rc());
            final Integer id = body.getInteger("id");
            return ctx.write(conn -> Sql.requireRef(conn, "institutions", body.getInteger("institutionId"), "/body/institutionId", "institution")
                .compose(v -> Sql.requireRef(conn, "programs", body.getInteger("defaultProgramId"), "/body/defaultProgramId", "program"))
                .compose(v -> id == null ? Future.succeededFuture() : Sql.exists(conn, "outlets", id).compose(found -> found ?
                    Future.failedFuture(io.tapswitch.admin.api.ApiException.conflict("/body/id", "outlet " + id + " already exists")) :
                    Future.succeededFuture()))
                .compose(v -> conn.preparedQuery("INSERT INTO outlets (id, institution_id, name, kind, address, default_program_id, created_at, updated_at) " +
                        "VALUES (COALESCE($1, nextval(pg_get_serial_sequence('outlets', 'id'))::int), $2, $3, $4, $5, $6, $7, $7) RETURNING " + COLUMNS)
                    .execute(Tuple.from(new Object[] {id, body.getInteger("institutionId"), body.getString("name"), body.getString("kind"),
                        body.getString("address"), body.getInteger("defaultProgramId"), Sql.now(ctx.clock())})))
                .map(rows -> toJson(rows.iterator().next()))
                .compose(after -> bumpSequence(conn, "outlets").map(after))
                .compose(after -> ctx.command(conn, define(after)).map(after))
                .compose(after -> ctx.audit(conn, r.principal(), "outlet.create", "outlet", after.getValue("id"), null, after).map(after)));
        });
        routes.json("updateOutlet", 200, r ->
        {
            final long id = Api.pathLong(r.rc(), "outletId");
            final JsonObject body = Api.body(r.rc());
            return ctx.write(conn -> getForUpdate(conn, id).compose(before ->
            {
                final JsonObject after = before.copy();
                body.forEach(e -> after.put(e.getKey(), e.getValue()));
                return Sql.requireRef(conn, "programs", after.getInteger("defaultProgramId"), "/body/defaultProgramId", "program")
                    .compose(v -> conn.preparedQuery("UPDATE outlets SET name = $2, address = $3, default_program_id = $4, updated_at = $5 " +
                            "WHERE id = $1 RETURNING " + COLUMNS)
                        .execute(Tuple.of((int)id, after.getString("name"), after.getString("address"),
                            after.getInteger("defaultProgramId"), Sql.now(ctx.clock()))))
                    .map(rows -> toJson(rows.iterator().next()))
                    .compose(updated -> (java.util.Objects.equals(before.getInteger("defaultProgramId"), updated.getInteger("defaultProgramId")) ?
                        Future.succeededFuture(0L) : ctx.command(conn, define(updated))).map(updated))
                    .compose(updated -> ctx.audit(conn, r.principal(), "outlet.update", "outlet", id, before, updated).map(updated));
            }));
        });
    }

    private static SwitchCommand define(final JsonObject outlet)
    {
        final Integer defaultProgram = outlet.getInteger("defaultProgramId");
        return SwitchCommand.defineOutlet(outlet.getInteger("id"), defaultProgram == null ? 0 : defaultProgram);
    }

    static Future<Void> bumpSequence(final SqlConnection conn, final String table)
    {
        return conn.query("SELECT setval(pg_get_serial_sequence('" + table + "', 'id'), GREATEST((SELECT max(id) FROM " + table + "), 1))")
            .execute().mapEmpty();
    }

    private static Future<JsonObject> get(final io.vertx.sqlclient.SqlClient client, final long id)
    {
        return Sql.one(client, "SELECT " + COLUMNS + " FROM outlets WHERE id = $1", Tuple.of((int)Math.min(id, Integer.MAX_VALUE)),
            OutletsApi::toJson, "outlet", id);
    }

    private static Future<JsonObject> getForUpdate(final SqlConnection conn, final long id)
    {
        return Sql.one(conn, "SELECT " + COLUMNS + " FROM outlets WHERE id = $1 FOR UPDATE", Tuple.of((int)Math.min(id, Integer.MAX_VALUE)),
            OutletsApi::toJson, "outlet", id);
    }

    static JsonObject toJson(final Row row)
    {
        return new JsonObject()
            .put("id", row.getInteger("id"))
            .put("name", row.getString("name"))
            .put("kind", row.getString("kind"))
            .put("institutionId", row.getInteger("institution_id"))
            .put("address", row.getString("address"))
            .put("defaultProgramId", row.getInteger("default_program_id"))
            .put("createdAt", Sql.ts(row.getOffsetDateTime("created_at")))
            .put("updatedAt", Sql.ts(row.getOffsetDateTime("updated_at")));
    }
}
