package io.tapswitch.admin.registry;

import io.tapswitch.admin.AdminContext;
import io.tapswitch.admin.api.Api;
import io.tapswitch.admin.api.ApiRoutes;
import io.tapswitch.admin.api.Page;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/**
 * Reads the append-only audit log. Thread-safe.
 */
public final class AuditApi
{
    private final AdminContext ctx;

    public AuditApi(final AdminContext ctx)
    {
        this.ctx = ctx;
    }

    public void mount(final ApiRoutes routes)
    {
        routes.json("listAudit", 200, r ->
        {
            final Page page = Page.of(r.rc());
            return ctx.pool().preparedQuery("SELECT id, at, actor, role, action, resource, resource_id, before, after FROM audit_log " +
                    "WHERE id > $1 AND ($3::text IS NULL OR actor = $3) AND ($4::text IS NULL OR resource = $4) " +
                    "AND ($5::text IS NULL OR resource_id = $5) ORDER BY id LIMIT $2")
                .execute(Tuple.of(page.afterKey(), page.fetch(), Api.queryString(r.rc(), "actor"), Api.queryString(r.rc(), "resource"),
                    Api.queryString(r.rc(), "resourceId")))
                .map(rows -> page.result(rows, "id", AuditApi::toJson));
        });
    }

    static JsonObject toJson(final Row row)
    {
        return new JsonObject()
            .put("id", row.getLong("id"))
            .put("at", Sql.ts(row.getOffsetDateTime("at")))
            .put("actor", row.getString("actor"))
            .put("role", row.getString("role"))
            .put("action", row.getString("action"))
            .put("resource", row.getString("resource"))
            .put("resourceId", row.getString("resource_id"))
            .put("before", row.getJsonObject("before"))
            .put("after", row.getJsonObject("after"));
    }
}
