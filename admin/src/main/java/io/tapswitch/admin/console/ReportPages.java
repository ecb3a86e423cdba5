package io.tapswitch.admin.console;

import static io.tapswitch.admin.console.Console.plain;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.tapswitch.admin.console.Console.ApiFailure;
import io.tapswitch.admin.console.Console.Req;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;

/**
 * The console's pages of reports (aid and meals with their charts and CSV downloads) and terminals (silent ones
 * flagged).
 * <p>
 * Thread-safe: handlers share immutable state.
 */
final class ReportPages extends ConsolePages
{
    ReportPages(final Console console)
    {
        super(console);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // reports and terminals

    private LocalDate[] range(final Req q)
    {
        final LocalDate today = LocalDate.now(ctx.clock().withZone(ctx.config().cityZone()));
        LocalDate from = today.minusDays(13);
        LocalDate to = today;
        try
        {
            if (q.rc().request().getParam("from") != null)
            {
                from = LocalDate.parse(q.rc().request().getParam("from"));
            }
            if (q.rc().request().getParam("to") != null)
            {
                to = LocalDate.parse(q.rc().request().getParam("to"));
            }
        }
        catch (final RuntimeException ex)
        {
            throw new ApiFailure(400, messages.text(q.locale(), "search.badDate"));
        }
        return new LocalDate[] {from, to};
    }

    Future<Void> reports(final Req q)
    {
        final LocalDate[] range = range(q);
        final String period = "from=" + range[0] + "&to=" + range[1];
        final Future<JsonObject> aid = console.api(q, HttpMethod.GET, "/reports/aid?" + period, null)
            .recover(ex -> ex instanceof ApiFailure f && f.status == 403 ? Future.succeededFuture(null) : Future.failedFuture(ex));
        final Future<JsonObject> meals = console.api(q, HttpMethod.GET, "/reports/meals?" + period, null)
            .recover(ex -> ex instanceof ApiFailure f && f.status == 403 ? Future.succeededFuture(null) : Future.failedFuture(ex));
        return Future.all(aid, meals).compose(all ->
        {
            final Map<String, Object> model = new HashMap<>();
            model.put("from", range[0].toString());
            model.put("to", range[1].toString());
            model.put("period", period);
            model.put("aid", aid.result() == null ? null : plain(aid.result()));
            model.put("meals", meals.result() == null ? null : plain(meals.result()));
            // per-day series for the charts: days, aid quantity, meals
            final List<String> days = new ArrayList<>();
            for (LocalDate day = range[0]; !day.isAfter(range[1]) && days.size() < 400; day = day.plusDays(1))
            {
                days.add(day.toString());
            }
            final JsonObject chart = new JsonObject()
                .put("days", new JsonArray(days.stream().map(d -> (Object)LocalDate.parse(d).atStartOfDay(ZoneId.of("UTC")).toEpochSecond()).toList()))
                .put("aid", series(aid.result(), days, "quantity"))
                .put("meals", series(meals.result(), days, "meals"));
            model.put("chart", chart.encode());
            return console.render(q, "reports", model);
        });
    }

    private static JsonArray series(final JsonObject report, final List<String> days, final String column)
    {
        final Map<String, Long> byDay = new HashMap<>();
        if (report != null)
        {
            for (final Object o : report.getJsonArray("rows", new JsonArray()))
            {
                final JsonObject row = (JsonObject)o;
                byDay.merge(row.getString("day"), row.getLong(column, 0L), Long::sum);
            }
        }
        final JsonArray values = new JsonArray();
        days.forEach(day -> values.add(byDay.getOrDefault(day, 0L)));
        return values;
    }

    Future<Void> reportCsv(final Req q)
    {
        final String kind = q.rc().pathParam("kind");
        if (!"aid.csv".equals(kind) && !"meals.csv".equals(kind))
        {
            throw new ApiFailure(404, "no such report");
        }
        final LocalDate[] range = range(q);
        final String name = kind.substring(0, kind.length() - 4);
        return console.apiText(q, "/reports/" + name + "?format=csv&from=" + range[0] + "&to=" + range[1]).map(csv ->
        {
            q.rc().response().putHeader("Content-Type", "text/csv; charset=utf-8")
                .putHeader("Content-Disposition", "attachment; filename=\"" + name + "-" + range[0] + "-" + range[1] + ".csv\"")
                .end(csv);
            return null;
        });
    }

    Future<Void> terminals(final Req q)
    {
        final Instant now = ctx.clock().instant();
        return ctx.pool().preparedQuery("SELECT t.id, t.outlet_id, o.name AS outlet_name, t.enabled, t.description, last.decided_at " +
                "FROM terminals t LEFT JOIN outlets o ON o.id = t.outlet_id LEFT JOIN LATERAL (SELECT decided_at FROM taps " +
                "WHERE terminal_id = t.id ORDER BY receipt DESC LIMIT 1) last ON TRUE ORDER BY last.decided_at ASC NULLS FIRST, t.id LIMIT 500")
            .execute()
            .compose(rows ->
            {
                final JsonArray list = new JsonArray();
                int silent = 0;
                for (final Row row : rows)
                {
                    final Instant last = row.getOffsetDateTime("decided_at") == null ? null : row.getOffsetDateTime("decided_at").toInstant();
                    final boolean quiet = row.getBoolean("enabled") && (last == null ||
                        last.isBefore(now.minusSeconds(Console.SILENT_AFTER_HOURS * 3600)));
                    silent += quiet ? 1 : 0;
                    list.add(new JsonObject().put("id", row.getLong("id")).put("outletId", row.getInteger("outlet_id"))
                        .put("outletName", row.getString("outlet_name")).put("enabled", row.getBoolean("enabled"))
                        .put("description", row.getString("description"))
                        .put("lastSeen", last == null ? null : console.shortTime(last.toString())).put("silent", quiet));
                }
                final Map<String, Object> model = new HashMap<>();
                model.put("terminals", plain(list));
                model.put("silentCount", silent);
                model.put("silentHours", Console.SILENT_AFTER_HOURS);
                return console.render(q, "terminals", model);
            });
    }
}
