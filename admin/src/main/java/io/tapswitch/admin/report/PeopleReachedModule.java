package io.tapswitch.admin.report;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import io.tapswitch.admin.AdminContext;
import io.tapswitch.admin.api.Api;
import io.tapswitch.admin.api.ApiException;
import io.tapswitch.admin.api.ApiModule;
import io.tapswitch.admin.api.ApiRoutes;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/**
 * People reached, not taps: distinct persons and households the aid and the meals reached, per month, program,
 * donor and outlet (GET /reports/people-reached). JSON, or CSV with {@code format=csv}.
 * <p>
 * Thread-safe: state is set once in {@link #start}.
 */
public final class PeopleReachedModule implements ApiModule
{
    static final List<String> COLUMNS = List.of("month", "level", "kind", "programId", "programName", "funding", "donor",
        "outletId", "outletName", "persons", "households", "quantity");

    private volatile AdminContext ctx;

    @Override
    public String name()
    {
        return "people-reached";
    }

    @Override
    public String contractResource()
    {
        return "reach-api.yaml";
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
        routes.handler("reportPeopleReached", this::report);
    }

    private void report(final RoutingContext rc)
    {
        final LocalDate from;
        final LocalDate to;
        try
        {
            from = Api.queryDate(rc, "from");
            to = Api.queryDate(rc, "to");
            if (from.isAfter(to))
            {
                throw ApiException.badRequest("/query/to", "to " + to + " is before from " + from);
            }
        }
        catch (final RuntimeException ex)
        {
            rc.fail(ex);
            return;
        }
        // whole city months from tap_month_holder (V87), the days of the range that make no whole month from their
        // taps: the rows of TapReportSql.PEOPLE_REACHED_SCAN (PeopleReachedRollupTest)
        ctx.pool().preparedQuery(TapReportSql.PEOPLE_REACHED)
            .execute(Tuple.of(from, to, ctx.config().cityZone().getId()))
            .map(rows ->
            {
                final List<JsonObject> out = new ArrayList<>();
                for (final Row row : rows)
                {
                    final int grouping = row.getInteger("grouping");
                    // GROUPING(program, outlet, donor): 0 every column, 2 (outlet rolled up), 6 (program, outlet), 7
                    final String level = switch (grouping)
                    {
                        case 0 -> "OUTLET";
                        case 2 -> "PROGRAM";
                        case 6 -> "DONOR";
                        default -> "KIND";
                    };
                    out.add(new JsonObject().put("month", row.getString("month")).put("level", level)
                        .put("kind", row.getString("kind")).put("programId", row.getInteger("program_id"))
                        .put("programName", row.getString("program_name")).put("funding", row.getString("funding"))
                        .put("donor", row.getString("donor")).put("outletId", row.getInteger("outlet_id"))
                        .put("outletName", row.getString("outlet_name")).put("persons", row.getLong("persons"))
                        .put("households", row.getLong("households")).put("quantity", row.getLong("quantity")));
                }
                return new Report("people-reached", new JsonObject().put("from", from.toString())
                    .put("to", to.toString()).put("cityZone", ctx.config().cityZone().getId()), COLUMNS, out);
            })
            .onFailure(rc::fail)
            .onSuccess(report ->
            {
                if ("csv".equals(Api.queryString(rc, "format")))
                {
                    rc.response().setStatusCode(200)
                        .putHeader("Content-Type", "text/csv; charset=utf-8")
                        .putHeader("Content-Disposition", "attachment; filename=\"people-reached.csv\"")
                        .putHeader("Cache-Control", "no-store")
                        .end(report.toCsv());
                }
                else
                {
                    Api.sendJson(rc, 200, report.toJson());
                }
            });
    }
}
