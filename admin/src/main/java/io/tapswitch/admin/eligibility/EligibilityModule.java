package io.tapswitch.admin.eligibility;

import java.time.LocalDate;
import java.util.List;

import io.tapswitch.admin.AdminContext;
import io.tapswitch.admin.api.Api;
import io.tapswitch.admin.api.ApiException;
import io.tapswitch.admin.api.ApiModule;
import io.tapswitch.admin.api.ApiRoutes;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/**
 * The IDP condition of a cardholder (certificate number and date, arrival date), recorded and read over the API;
 * the rules themselves are in {@link Eligibility}.
 * <p>
 * Thread-safe: state is set once in {@link #start}.
 */
public final class EligibilityModule implements ApiModule
{
    private volatile AdminContext ctx;

    @Override
    public String name()
    {
        return "eligibility";
    }

    @Override
    public String contractResource()
    {
        return "eligibility-api.yaml";
    }

    @Override
    public Future<Void> start(final AdminContext context)
    {
        this.ctx = context;
        return Future.succeededFuture();
    }

    @Override
    public void mount(final AdminContext context, final ApiRoutes routes)
    {
        routes.json("getIdpStatus", 200, r -> io.tapswitch.admin.account.Scope.requireHolder(ctx.pool(), r.principal(),
            Api.pathLong(r.rc(), "holderId")).compose(v -> status(ctx.pool(), Api.pathLong(r.rc(), "holderId"))));
        routes.json("setIdpStatus", 200, r ->
        {
            final long holderId = Api.pathLong(r.rc(), "holderId");
            final JsonObject body = Api.body(r.rc());
            final LocalDate issued = Api.parseDate("/body/certificateDate", body.getString("certificateDate"));
            final LocalDate arrived = Api.parseDate("/body/arrivedOn", body.getString("arrivedOn"));
            final LocalDate today = LocalDate.ofInstant(ctx.clock().instant(), ctx.config().cityZone());
            if (arrived.isBefore(Eligibility.IDP_ARRIVALS_FROM))
            {
                throw Eligibility.notEligible("idp-condition", "arrived on " + arrived + ", before " +
                    Eligibility.IDP_ARRIVALS_FROM + ": the guest card is for IDPs who arrived since then");
            }
            if (arrived.isAfter(today) || issued.isAfter(today))
            {
                throw ApiException.badRequest(arrived.isAfter(today) ? "/body/arrivedOn" : "/body/certificateDate",
                    "a date after today (" + today + ")");
            }
            return ctx.write(conn -> io.tapswitch.admin.account.Scope.requireHolder(conn, r.principal(), holderId)
                .compose(v -> status(conn, holderId)).compose(before -> conn.preparedQuery(
                    "UPDATE cardholders SET idp_certificate = $2, idp_certificate_date = $3, idp_arrived_on = $4, " +
                    "categories = CASE WHEN 'IDP' = ANY(categories) THEN categories ELSE array_append(categories, 'IDP') END, " +
                    "updated_at = $5 WHERE id = $1")
                .execute(Tuple.from(new Object[]{ holderId, body.getString("certificate"), issued, arrived,
                    ctx.clock().instant().atOffset(java.time.ZoneOffset.UTC) }))
                .compose(v -> status(conn, holderId))
                .compose(after -> ctx.audit(conn, r.principal(), "cardholder.idp-status", "cardholder", holderId,
                    before, after).map(after))));
        });
    }

    private static Future<JsonObject> status(final SqlClient client, final long holderId)
    {
        return client.preparedQuery("SELECT categories, idp_certificate, idp_certificate_date, idp_arrived_on " +
                "FROM cardholders WHERE id = $1").execute(Tuple.of(holderId))
            .compose(rows ->
            {
                if (rows.size() == 0)
                {
                    return Future.failedFuture(ApiException.notFound("cardholder", holderId));
                }
                final Row row = rows.iterator().next();
                final String missing = Eligibility.idpConditionMissing(row.getString("idp_certificate"),
                    row.getLocalDate("idp_certificate_date"), row.getLocalDate("idp_arrived_on"));
                final String[] categories = row.getArrayOfStrings("categories");
                return Future.succeededFuture(new JsonObject().put("holderId", holderId)
                    .put("idp", null != categories && List.of(categories).contains(Eligibility.IDP))
                    .put("certificate", row.getString("idp_certificate"))
                    .put("certificateDate", str(row.getLocalDate("idp_certificate_date")))
                    .put("arrivedOn", str(row.getLocalDate("idp_arrived_on")))
                    .put("meetsCondition", null == missing).put("missing", missing));
            });
    }

    private static String str(final Object value)
    {
        return null == value ? null : value.toString();
    }
}
