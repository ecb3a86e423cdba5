package io.tapswitch.admin.payment;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import io.tapswitch.admin.AdminContext;
import io.tapswitch.admin.Principal;
import io.tapswitch.admin.api.Api;
import io.tapswitch.admin.api.ApiException;
import io.tapswitch.admin.api.ApiModule;
import io.tapswitch.admin.api.ApiRoutes;
import io.tapswitch.admin.api.Page;
import io.tapswitch.admin.report.Report;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

/**
 * Money the service cards pay: the payments the cases ordered (table {@code payments}, migration V30), the day's
 * register for the treasury (CSV: UTF-8 with a BOM so spreadsheet programs read the Cyrillic, semicolons, a total
 * line), the treasury's answers (paid, returned) and the sums by month, service card and funding source. Cash never
 * goes to the switch: nothing here sends a command.
 * <p>
 * Thread-safe: state is set once in {@link #start}.
 */
public final class PaymentsModule implements ApiModule
{
    private static final String COLUMNS = "id, case_id, service_code, holder_id, payee, payee_name, payee_code, " +
        "channel, iban, post_address, amount_kopiyky, currency, funding_source, status, ordered_on, register_date, " +
        "return_reason, stop_reason";
    /** The UTF-8 byte order mark: spreadsheet programs take the file as UTF-8 only with it. */
    static final String BOM = "\uFEFF";

    private volatile AdminContext ctx;

    @Override
    public String name()
    {
        return "payments";
    }

    @Override
    public String contractResource()
    {
        return "payments-api.yaml";
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
        routes.json("listPayments", 200, r ->
        {
            final Page page = Page.of(r.rc());
            final LocalDate registerDate = Api.queryDate(r.rc(), "registerDate");
            // a district specialist signed in with an account sees the payments of its district's holders
            return ctx.pool().preparedQuery("SELECT " + COLUMNS + " FROM payments WHERE id > $1 " +
                    "AND ($3::text IS NULL OR status = $3) AND ($4::date IS NULL OR register_date = $4) " +
                    "AND ($5::text IS NULL OR case_id = $5) AND ($6::bigint IS NULL OR holder_id = $6) AND " +
                    io.tapswitch.admin.account.Scope.holderIn("holder_id", 7) + " ORDER BY id LIMIT $2")
                .execute(Tuple.from(new Object[]{ page.afterKey(), page.fetch(), Api.queryString(r.rc(), "status"),
                    registerDate, Api.queryString(r.rc(), "caseId"), Api.queryLong(r.rc(), "holderId"),
                    r.principal().scopeDistrict() }))
                .map(rows -> page.result(rows, "id", PaymentsModule::toJson));
        });
        routes.json("getPayment", 200, r -> load(ctx.pool()::preparedQuery, Api.pathLong(r.rc(), "paymentId"), false));
        routes.json("markPaymentPaid", 200, r -> settle(r.principal(), Api.pathLong(r.rc(), "paymentId"), "PAID", null));
        routes.json("markPaymentReturned", 200, r -> settle(r.principal(), Api.pathLong(r.rc(), "paymentId"),
            "RETURNED", Api.body(r.rc()).getString("reason")));
        routes.json("formPaymentRegister", 200, r -> form(r.principal(),
            Api.parseDate("/body/date", Api.body(r.rc()).getString("date"))));
        routes.handler("getPaymentRegister", this::register);
        routes.handler("reportPayments", this::report);
    }

    private interface Query
    {
        io.vertx.sqlclient.PreparedQuery<RowSet<Row>> prepare(String sql);
    }

    private static Future<JsonObject> load(final Query client, final long id, final boolean forUpdate)
    {
        return client.prepare("SELECT " + COLUMNS + " FROM payments WHERE id = $1" + (forUpdate ? " FOR UPDATE" : ""))
            .execute(Tuple.of(id))
            .compose(rows -> rows.size() == 0 ? Future.failedFuture(ApiException.notFound("payment", id)) :
                Future.succeededFuture(toJson(rows.iterator().next())));
    }

    private Future<JsonObject> settle(final Principal principal, final long id, final String target,
        final String reason)
    {
        final OffsetDateTime at = ctx.clock().instant().atOffset(ZoneOffset.UTC);
        return ctx.write(conn -> load(conn::preparedQuery, id, true).compose(before ->
        {
            if (!"SENT".equals(before.getString("status")))
            {
                return Future.failedFuture(ApiException.conflict("/path/paymentId", "payment " + id + " is " +
                    before.getString("status") + "; only a SENT payment is " + target.toLowerCase(java.util.Locale.ROOT)));
            }
            return conn.preparedQuery("UPDATE payments SET status = $2, settled_at = $3, return_reason = $4, " +
                    "updated_at = $3 WHERE id = $1").execute(Tuple.of(id, target, at, reason))
                .compose(v -> load(conn::preparedQuery, id, false))
                .compose(after -> ctx.audit(conn, principal, "payment." + target.toLowerCase(java.util.Locale.ROOT),
                    "payment", id, before, after).map(after));
        }));
    }

    private Future<JsonObject> form(final Principal principal, final LocalDate date)
    {
        final OffsetDateTime at = ctx.clock().instant().atOffset(ZoneOffset.UTC);
        return ctx.write(conn -> conn.preparedQuery("UPDATE payments SET status = 'SENT', register_date = $1, " +
                "sent_at = $2, updated_at = $2 WHERE status = 'ORDERED' AND ordered_on <= $1 RETURNING id")
            .execute(Tuple.of(date, at))
            .compose(sent -> ctx.audit(conn, principal, "payment-register.form", "payment-register", date.toString(),
                null, new JsonObject().put("date", date.toString()).put("sent", sent.rowCount())))
            .compose(v -> registerOf(conn, date)));
    }

    private static Future<JsonObject> registerOf(final SqlConnection conn, final LocalDate date)
    {
        return conn.preparedQuery("SELECT " + COLUMNS + " FROM payments WHERE register_date = $1 ORDER BY id")
            .execute(Tuple.of(date)).map(rows -> register(date, rows));
    }

    private static JsonObject register(final LocalDate date, final RowSet<Row> rows)
    {
        final JsonArray items = new JsonArray();
        long total = 0;
        for (final Row row : rows)
        {
            final JsonObject p = toJson(row);
            items.add(p);
            total = Math.addExact(total, p.getLong("amountKopiyky"));
        }
        return new JsonObject().put("date", date.toString()).put("count", items.size()).put("totalKopiyky", total)
            .put("items", items);
    }

    private void register(final RoutingContext rc)
    {
        final LocalDate date;
        try
        {
            date = Api.parseDate("/path/date", rc.pathParam("date"));
        }
        catch (final RuntimeException ex)
        {
            rc.fail(ex);
            return;
        }
        ctx.pool().preparedQuery("SELECT " + COLUMNS + " FROM payments WHERE register_date = $1 ORDER BY id")
            .execute(Tuple.of(date)).map(rows -> register(date, rows))
            .onFailure(rc::fail)
            .onSuccess(register ->
            {
                if ("csv".equals(Api.queryString(rc, "format")))
                {
                    rc.response().setStatusCode(200)
                        .putHeader("Content-Type", "text/csv; charset=utf-8")
                        .putHeader("Content-Disposition", "attachment; filename=\"payment-register-" + date + ".csv\"")
                        .putHeader("Cache-Control", "no-store")
                        .end(TreasuryCsv.render(register));
                }
                else
                {
                    Api.sendJson(rc, 200, register);
                }
            });
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
        final List<String> columns = List.of("month", "serviceCode", "fundingSource", "payments", "orderedKopiyky",
            "sentKopiyky", "paidKopiyky", "returnedKopiyky", "stoppedKopiyky");
        ctx.pool().preparedQuery("SELECT to_char(ordered_on, 'YYYY-MM') AS month, service_code, funding_source, " +
                "count(*) AS payments, " +
                "COALESCE(sum(amount_kopiyky) FILTER (WHERE status <> 'STOPPED'), 0) AS ordered, " +
                "COALESCE(sum(amount_kopiyky) FILTER (WHERE status = 'SENT'), 0) AS sent, " +
                "COALESCE(sum(amount_kopiyky) FILTER (WHERE status = 'PAID'), 0) AS paid, " +
                "COALESCE(sum(amount_kopiyky) FILTER (WHERE status = 'RETURNED'), 0) AS returned, " +
                "COALESCE(sum(amount_kopiyky) FILTER (WHERE status = 'STOPPED'), 0) AS stopped " +
                "FROM payments WHERE ordered_on BETWEEN $1 AND $2 GROUP BY 1, 2, 3 " +
                "ORDER BY 1, length(service_code), 2, 3")
            .execute(Tuple.of(from, to))
            .map(rows ->
            {
                final List<JsonObject> out = new ArrayList<>();
                for (final Row row : rows)
                {
                    out.add(new JsonObject().put("month", row.getString("month"))
                        .put("serviceCode", row.getString("service_code"))
                        .put("fundingSource", row.getString("funding_source"))
                        .put("payments", row.getLong("payments")).put("orderedKopiyky", row.getLong("ordered"))
                        .put("sentKopiyky", row.getLong("sent")).put("paidKopiyky", row.getLong("paid"))
                        .put("returnedKopiyky", row.getLong("returned")).put("stoppedKopiyky", row.getLong("stopped")));
                }
                return new Report("payments", new JsonObject().put("from", from.toString()).put("to", to.toString())
                    .put("currency", "UAH"), columns, out);
            })
            .onFailure(rc::fail)
            .onSuccess(report ->
            {
                if ("csv".equals(Api.queryString(rc, "format")))
                {
                    rc.response().setStatusCode(200)
                        .putHeader("Content-Type", "text/csv; charset=utf-8")
                        .putHeader("Content-Disposition", "attachment; filename=\"payments.csv\"")
                        .putHeader("Cache-Control", "no-store")
                        .end(BOM + report.toCsv());
                }
                else
                {
                    Api.sendJson(rc, 200, report.toJson());
                }
            });
    }

    static JsonObject toJson(final Row row)
    {
        return new JsonObject()
            .put("id", row.getLong("id"))
            .put("caseId", row.getString("case_id"))
            .put("serviceCode", row.getString("service_code"))
            .put("holderId", row.getLong("holder_id"))
            .put("payee", row.getString("payee"))
            .put("payeeName", row.getString("payee_name"))
            .put("payeeCode", row.getString("payee_code"))
            .put("channel", row.getString("channel"))
            .put("iban", row.getString("iban"))
            .put("postAddress", row.getString("post_address"))
            .put("amountKopiyky", row.getLong("amount_kopiyky"))
            .put("currency", row.getString("currency"))
            .put("fundingSource", row.getString("funding_source"))
            .put("status", row.getString("status"))
            .put("orderedOn", String.valueOf(row.getLocalDate("ordered_on")))
            .put("registerDate", null == row.getLocalDate("register_date") ? null : row.getLocalDate("register_date").toString())
            .put("returnReason", row.getString("return_reason"))
            .put("stopReason", row.getString("stop_reason"));
    }
}
