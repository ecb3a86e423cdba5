package io.tapswitch.admin.report;

import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import io.tapswitch.admin.AdminContext;
import io.tapswitch.admin.api.Api;
import io.tapswitch.admin.api.ApiException;
import io.tapswitch.admin.api.ApiModule;
import io.tapswitch.admin.api.ApiRoutes;
import io.tapswitch.admin.workflow.Body;
import io.tapswitch.admin.workflow.Catalogue;
import io.tapswitch.admin.workflow.CatalogueLoader;
import io.tapswitch.admin.workflow.ServiceCard;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

/**
 * The reports the city and its donors need, from the ingested taps and the case actions: aid handed out by day,
 * program, donor and outlet; meals per school, day and meal; offline exceptions to review; overdue cases by service
 * and body; the Ministry's monthly indicators (order No. 45, annex 2). JSON, or CSV with {@code format=csv}.
 * <p>
 * Thread-safe after {@link #start}: handlers share only immutable state and the database.
 */
public final class ReportModule implements ApiModule
{
    private volatile AdminContext ctx;
    private volatile Catalogue catalogue;

    @Override
    public String name()
    {
        return "reports";
    }

    @Override
    public String contractResource()
    {
        return "reports-api.yaml";
    }

    @Override
    public Future<Void> start(final AdminContext context)
    {
        this.ctx = context;
        return context.vertx().executeBlocking(() ->
        {
            catalogue = CatalogueLoader.loadShipped();
            return null;
        });
    }

    @Override
    public void mount(final AdminContext context, final ApiRoutes routes)
    {
        routes.handler("reportAid", rc -> answer(rc, this::aid));
        routes.handler("reportMeals", rc -> answer(rc, this::meals));
        routes.handler("reportOfflineExceptions", rc -> answer(rc, this::offlineExceptions));
        routes.handler("reportOverdueCases", rc -> answer(rc, this::overdueCases));
        routes.handler("reportMinistryMonthly", rc -> answer(rc, this::ministryMonthly));
    }

    private static void answer(final RoutingContext rc, final Function<RoutingContext, Future<Report>> report)
    {
        final Future<Report> result;
        try
        {
            result = report.apply(rc);
        }
        catch (final RuntimeException ex)
        {
            rc.fail(ex);
            return;
        }
        result.onComplete(ar ->
        {
            if (ar.failed())
            {
                rc.fail(ar.cause());
            }
            else if ("csv".equals(Api.queryString(rc, "format")))
            {
                rc.response().setStatusCode(200)
                    .putHeader("Content-Type", "text/csv; charset=utf-8")
                    .putHeader("Content-Disposition", "attachment; filename=\"" + ar.result().name() + ".csv\"")
                    .putHeader("Cache-Control", "no-store")
                    .end(ar.result().toCsv());
            }
            else
            {
                Api.sendJson(rc, 200, ar.result().toJson());
            }
        });
    }

    private LocalDate[] range(final RoutingContext rc)
    {
        final LocalDate from = Api.queryDate(rc, "from");
        final LocalDate to = Api.queryDate(rc, "to");
        if (from.isAfter(to))
        {
            throw ApiException.badRequest("/query/to", "to " + to + " is before from " + from);
        }
        return new LocalDate[]{ from, to };
    }

    private JsonObject rangeParameters(final LocalDate[] range)
    {
        return new JsonObject().put("from", range[0].toString()).put("to", range[1].toString())
            .put("cityZone", ctx.config().cityZone().getId());
    }

    /** The donor whose programs alone a donor's account sees, or null. */
    private static String donorScope(final RoutingContext rc)
    {
        final io.tapswitch.admin.Principal principal = io.tapswitch.admin.api.Api.principal(rc);
        return principal != null && principal.roles().contains(io.tapswitch.admin.Role.DONOR) ? principal.donor() : null;
    }

    /** True when the caller is the education department only: meals of the schools' canteens. */
    private static boolean schoolsOnly(final RoutingContext rc)
    {
        final io.tapswitch.admin.Principal principal = io.tapswitch.admin.api.Api.principal(rc);
        return principal != null && principal.roles().contains(io.tapswitch.admin.Role.EDUCATION_DEPARTMENT) &&
            principal.roles().size() == 1;
    }

    private Future<Report> aid(final RoutingContext rc)
    {
        final LocalDate[] range = range(rc);
        final List<String> columns = List.of("day", "programId", "programName", "funding", "donor", "outletId",
            "outletName", "taps", "reversals", "quantity", "persons", "households");
        // one rollup row per day, program and outlet (V75__tap_rollups.sql, kept by the taps' trigger in the same
        // transaction as the taps): persons and households reached are holders whose taps in the row, net of
        // reversals, handed something out, and their households (a holder without a household is a household of one)
        return query(TapReportSql.AID,
            Tuple.of(range[0], range[1]),
            row -> new JsonObject().put("day", row.getLocalDate("day").toString())
                .put("programId", row.getInteger("program_id")).put("programName", row.getString("program_name"))
                .put("funding", row.getString("funding")).put("donor", row.getString("donor"))
                .put("outletId", row.getInteger("outlet_id")).put("outletName", row.getString("outlet_name"))
                .put("taps", row.getLong("taps")).put("reversals", row.getLong("reversals"))
                .put("quantity", row.getLong("quantity")).put("persons", row.getLong("persons"))
                .put("households", row.getLong("households")))
            .map(rows -> new Report("aid", rangeParameters(range), columns, rows));
    }

    private Future<Report> meals(final RoutingContext rc)
    {
        final LocalDate[] range = range(rc);
        final List<String> columns = List.of("day", "schoolId", "schoolName", "outletId", "outletName", "programId",
            "meal", "meals", "persons", "households");
        return query(TapReportSql.MEALS,
            Tuple.of(range[0], range[1]),
            row -> new JsonObject().put("day", row.getLocalDate("day").toString())
                .put("schoolId", row.getInteger("school_id")).put("schoolName", row.getString("school_name"))
                .put("outletId", row.getInteger("outlet_id")).put("outletName", row.getString("outlet_name"))
                .put("programId", row.getInteger("program_id")).put("meal", row.getString("meal"))
                .put("meals", row.getLong("meals")).put("persons", row.getLong("persons"))
                .put("households", row.getLong("households")))
            .map(rows -> new Report("meals", rangeParameters(range), columns, rows));
    }

    private Future<Report> offlineExceptions(final RoutingContext rc)
    {
        final LocalDate[] range = range(rc);
        final List<String> columns = List.of("receipt", "day", "servedAt", "decidedAt", "terminalId", "outletId",
            "cardId", "holderId", "programId", "quantity", "reason");
        // through the offline taps' served-time index (V87): the rows of TapReportSql.OFFLINE_EXCEPTIONS_SCAN
        return query(TapReportSql.OFFLINE_EXCEPTIONS,
            Tuple.of(range[0], range[1], ctx.config().cityZone().getId()),
            row -> new JsonObject().put("receipt", row.getLong("receipt")).put("day", row.getLocalDate("day").toString())
                .put("servedAt", null == row.getOffsetDateTime("terminal_time") ? null :
                    row.getOffsetDateTime("terminal_time").toInstant().toString())
                .put("decidedAt", row.getOffsetDateTime("decided_at").toInstant().toString())
                .put("terminalId", row.getLong("terminal_id")).put("outletId", row.getInteger("outlet_id"))
                .put("cardId", row.getLong("card_id")).put("holderId", row.getLong("holder_id"))
                .put("programId", row.getInteger("program_id")).put("quantity", row.getInteger("quantity"))
                .put("reason", row.getString("reason")))
            .map(rows -> new Report("offline-exceptions", rangeParameters(range), columns, rows));
    }

    private Future<Report> overdueCases(final RoutingContext rc)
    {
        final LocalDate asOfParam = Api.queryDate(rc, "asOf");
        final ZoneId zone = ctx.config().cityZone();
        final LocalDate asOf = null == asOfParam ? ctx.clock().instant().atZone(zone).toLocalDate() : asOfParam;
        final List<String> columns = List.of("serviceCode", "serviceTitleUk", "body", "bodyUk", "overdue",
            "earliestStageDue", "earliestTotalDue");
        return query("SELECT service_code, stage_body, count(*) AS overdue, min(stage_due) AS stage_due, " +
                "min(total_due) AS total_due FROM cases WHERE status = 'ACTIVE' AND (stage_due < $1 OR total_due < $1) " +
                "GROUP BY service_code, stage_body ORDER BY service_code, stage_body",
            Tuple.of(asOf),
            row ->
            {
                final ServiceCard card = catalogue.latest(row.getString("service_code"));
                final Body body = Body.valueOf(row.getString("stage_body"));
                return new JsonObject().put("serviceCode", row.getString("service_code"))
                    .put("serviceTitleUk", null == card ? null : card.titleUk())
                    .put("body", body.name()).put("bodyUk", body.titleUk()).put("overdue", row.getLong("overdue"))
                    .put("earliestStageDue", str(row.getLocalDate("stage_due")))
                    .put("earliestTotalDue", str(row.getLocalDate("total_due")));
            })
            .map(rows -> new Report("overdue-cases", new JsonObject().put("asOf", asOf.toString()), columns, rows));
    }

    private Future<Report> ministryMonthly(final RoutingContext rc)
    {
        // «Станом на 1 число щомісяця»: the state as of 00:00 on the 1st of the month (cases counted up to then);
        // the previous month's share beside it
        final YearMonth month = YearMonth.parse(Api.queryString(rc, "month"));
        final ZoneId zone = ctx.config().cityZone();
        final Tuple args = Tuple.of(month.atDay(1).atStartOfDay(zone).toOffsetDateTime(),
            month.minusMonths(1).atDay(1).atStartOfDay(zone).toOffsetDateTime());
        final List<String> columns = List.of("no", "key", "indicatorUk", "unit", "value", "previousMonth");
        return ctx.pool().preparedQuery("SELECT indicator, ministry_category, count(DISTINCT case_id), " +
                "count(DISTINCT case_id) FILTER (WHERE at >= $2) FROM case_actions " +
                "WHERE indicator IS NOT NULL AND ministry_category IS NOT NULL AND at < $1 " +
                "GROUP BY indicator, ministry_category").execute(args)
            .map(rows ->
            {
                final Map<String, Long> counts = new HashMap<>();
                for (final Row row : rows)
                {
                    counts.put(row.getString(0) + "/" + row.getString(1), row.getLong(2));
                    counts.put("previous:" + row.getString(0) + "/" + row.getString(1), row.getLong(3));
                }
                final List<JsonObject> result = new ArrayList<>();
                line(result, "1", "1", "Кількість посадових осіб суб'єкта упровадження, робочі місця яких підключено до " +
                    "Програмного комплексу для виконання функцій з прийому документів для надання адміністративних послуг " +
                    "соціального характеру, усього", "осіб", null);
                line(result, "", "1.of", "з них:", "", null);
                line(result, "", "1.socialProtectionUnit", "у структурному підрозділі з питань соціального захисту " +
                    "населення", "", null);
                line(result, "", "1.cnap", "у ЦНАП", "", null);
                line(result, "", "1.starosta", "у старостинському окрузі", "", null);
                line(result, "2", "2", "Кількість посадових осіб структурного підрозділу з питань соціального захисту " +
                    "населення _____ райдержадміністрації, виконавчого комітету міської ради міста обласного значення, що " +
                    "надають адміністративні послуги соціального характеру з використанням Програмного комплексу*", "осіб",
                    null);
                line(result, "3", "3", "Кількість посадових осіб органу соціального захисту населення _____ " +
                    "облдержадміністрації, робочі місця яких підключено до Програмного комплексу**", "осіб", null);
                cases(result, counts, "4", "PASSED_ON", "Кількість сформованих та переданих до структурного підрозділу з " +
                    "питань соціального захисту населення райдержадміністрації, виконавчого комітету міської ради міста " +
                    "обласного значення електронних справ, усього");
                cases(result, counts, "5", "ACCEPTED", "Кількість електронних справ, прийнятих структурним підрозділом з " +
                    "питань соціального захисту населення райдержадміністрації, виконавчого комітету міської ради міста " +
                    "обласного значення для подальшої роботи, усього");
                cases(result, counts, "6", "RETURNED", "Кількість справ заявників, що були повернуті структурним " +
                    "підрозділом з питань соціального захисту населення райдержадміністрації, виконавчого комітету міської " +
                    "ради міста обласного значення на доопрацювання, усього");
                cases(result, counts, "7", "DECIDED", "Кількість електронних справ, за якими структурним підрозділом з " +
                    "питань соціального захисту населення райдержадміністрації, виконавчого комітету міської ради міста " +
                    "обласного значення прийнято рішення про призначення (відмову у призначенні) соціальних виплат, усього");
                return new Report("ministry-monthly", new JsonObject().put("month", month.toString())
                    .put("asOf", month.atDay(1).toString())
                    .put("cityZone", zone.getId())
                    .put("titleUk", "Орієнтовний перелік індикаторів оцінювання виконання функцій у сфері надання " +
                        "адміністративних послуг соціального характеру під час упровадження програмного комплексу " +
                        "“Інтегрована інформаційна система “Соціальна громада” (наказ Мінсоцполітики № 45, додаток 2)")
                    .put("valueColumnUk", "Станом на 1 число щомісяця")
                    .put("notTrackedUk", "рядки 1–3 (посадові особи, робочі місця яких підключено) tapswitch не обліковує"),
                    columns, result);
            });
    }

    private static void cases(final List<JsonObject> result, final Map<String, Long> counts, final String no,
        final String indicator, final String titleUk)
    {
        final long[] now = new long[3];
        final long[] previous = new long[3];
        final ServiceCard.MinistryCategory[] categories = ServiceCard.MinistryCategory.values();
        for (int i = 0; i < categories.length; i++)
        {
            now[i] = counts.getOrDefault(indicator + "/" + categories[i], 0L);
            previous[i] = counts.getOrDefault("previous:" + indicator + "/" + categories[i], 0L);
        }
        line(result, no, no, titleUk, "одиниць", now[0] + now[1] + now[2]).put("previousMonth",
            previous[0] + previous[1] + previous[2]);
        line(result, "", no + ".of", "з них щодо надання:", "", null);
        line(result, "", no + ".socialAssistance", ServiceCard.MinistryCategory.SOCIAL_ASSISTANCE.titleUk(), "", now[0])
            .put("previousMonth", previous[0]);
        line(result, "", no + ".benefits", ServiceCard.MinistryCategory.BENEFITS.titleUk(), "", now[1])
            .put("previousMonth", previous[1]);
        line(result, "", no + ".subsidies", ServiceCard.MinistryCategory.SUBSIDIES.titleUk(), "", now[2])
            .put("previousMonth", previous[2]);
    }

    private static JsonObject line(final List<JsonObject> result, final String no, final String key,
        final String titleUk, final String unit, final Long value)
    {
        final JsonObject line = new JsonObject().put("no", no).put("key", key).put("indicatorUk", titleUk)
            .put("unit", unit).put("value", value).put("previousMonth", null);
        result.add(line);
        return line;
    }

    private Future<List<JsonObject>> query(final String sql, final Tuple args, final Function<Row, JsonObject> mapper)
    {
        return ctx.pool().preparedQuery(sql).execute(args).map((RowSet<Row> rows) ->
        {
            final List<JsonObject> result = new ArrayList<>();
            for (final Row row : rows)
            {
                result.add(mapper.apply(row));
            }
            return result;
        });
    }

    private static String str(final Object value)
    {
        return null == value ? null : value.toString();
    }
}
