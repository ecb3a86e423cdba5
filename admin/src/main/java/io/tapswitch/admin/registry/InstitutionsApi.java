package io.tapswitch.admin.registry;

import io.tapswitch.admin.AdminContext;
import io.tapswitch.admin.api.Api;
import io.tapswitch.admin.api.ApiRoutes;
import io.tapswitch.admin.api.Page;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/**
 * Institutions: the schools, social services and NGOs that run outlets. Registry only; the switch does
 * not know them. Thread-safe.
 */
public final class InstitutionsApi
{
    private static final String COLUMNS = "id, name, kind, district, created_at, updated_at";
    private final AdminContext ctx;

    public InstitutionsApi(final AdminContext ctx)
    {
        this.ctx = ctx;
    }

    public void mount(final ApiRoutes routes)
    {
        routes.json("listInstitutions", 200, r ->
        {
            final Page page = Page.of(r.rc());
            return ctx.pool().preparedQuery("SELECT " + COLUMNS + " FROM institutions WHERE id > $1 ORDER BY id LIMIT $2")
                .execute(Tuple.of(page.afterKey(), page.fetch()))
                .map(rows -> page.result(rows, "id", InstitutionsApi::toJson));
        });
        routes.json("getInstitution", 200, r -> get(Api.pathLong(r.rc(), "institutionId")));
        routes.json("createInstitution", 201, r ->
        {
            final JsonObject body = Api.body(r.rc());
            return ctx.write(conn -> conn.preparedQuery("INSERT INTO institutions (name, kind, district, created_at, updated_at) " +
                    "VALUES ($1, $2, $3, $4, $4) RETURNING " + COLUMNS)
                .execute(Tuple.of(body.getString("name"), body.getString("kind"), body.getString("district"), Sql.now(ctx.clock())))
                .map(rows -> toJson(rows.iterator().next()))
                .compose(after -> ctx.audit(conn, r.principal(), "institution.create", "institution", after.getValue("id"), null, after)
                    .map(after)));
        });
    }

    private Future<JsonObject> get(final long id)
    {
        return Sql.one(ctx.pool(), "SELECT " + COLUMNS + " FROM institutions WHERE id = $1", Tuple.of(id),
            InstitutionsApi::toJson, "institution", id);
    }

    static JsonObject toJson(final Row row)
    {
        return new JsonObject()
            .put("id", row.getInteger("id"))
            .put("name", row.getString("name"))
            .put("kind", row.getString("kind"))
            .put("district", row.getString("district"))
            .put("createdAt", Sql.ts(row.getOffsetDateTime("created_at")))
            .put("updatedAt", Sql.ts(row.getOffsetDateTime("updated_at")));
    }
}
