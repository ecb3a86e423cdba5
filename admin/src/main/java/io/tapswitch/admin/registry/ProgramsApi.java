package io.tapswitch.admin.registry;

import java.time.LocalDate;
import java.util.Objects;

import io.tapswitch.admin.AdminContext;
import io.tapswitch.admin.api.Api;
import io.tapswitch.admin.api.ApiException;
import io.tapswitch.admin.api.ApiRoutes;
import io.tapswitch.admin.api.Page;
import io.tapswitch.admin.outbox.SwitchCommand;
import io.tapswitch.formats.Limits;
import io.tapswitch.formats.command.PeriodRule;
import io.tapswitch.formats.command.ProgramKind;
import io.tapswitch.formats.command.ProgramUnit;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

/**
 * Programs: what is handed out (aid kits, meals), funded by the city or a donor, per person or household,
 * with a period rule, a quota, the outlets that serve it, a serving window and validity dates. The switch
 * gets every definition as DEFINE_PROGRAM. Thread-safe.
 */
public final class ProgramsApi
{
    private static final String COLUMNS = "p.id, p.name, p.kind, p.funding, p.donor, p.unit, p.period, p.quota, p.categories, " +
        "p.valid_from, p.valid_to, p.window_from, p.window_to, p.cycle_days, p.created_at, p.updated_at, " +
        "ARRAY(SELECT o.outlet_id FROM program_outlets o WHERE o.program_id = p.id ORDER BY o.outlet_id) AS outlet_ids";
    private static final int MINUTES_PER_DAY = 1440;
    private final AdminContext ctx;

    public ProgramsApi(final AdminContext ctx)
    {
        this.ctx = ctx;
    }

    public void mount(final ApiRoutes routes)
    {
        routes.json("listPrograms", 200, r ->
        {
            final Page page = Page.of(r.rc());
            return ctx.pool().preparedQuery("SELECT " + COLUMNS + " FROM programs p WHERE p.id > $1 ORDER BY p.id LIMIT $2")
                .execute(Tuple.of(page.afterKey(), page.fetch()))
                .map(rows -> page.result(rows, "id", ProgramsApi::toJson));
        });
        routes.json("getProgram", 200, r -> get(ctx.pool(), Api.pathLong(r.rc(), "programId"), false));
        routes.json("createProgram", 201, r ->
        {
            final JsonObject body = Api.body(r.rc());
            check(body);
            final Integer id = body.getInteger("id");
            return ctx.write(conn -> conn.query("SELECT count(*) FROM programs").execute()
                .compose(rows -> rows.iterator().next().getLong(0) >= Limits.MAX_PROGRAMS ?
                    Future.<Void>failedFuture(ApiException.conflict(null, "the switch holds at most " + Limits.MAX_PROGRAMS +
                        " programs; update an existing program instead")) : Future.<Void>succeededFuture())
                .compose(v -> id == null ? Future.<Void>succeededFuture() : Sql.exists(conn, "programs", id).compose(found -> found ?
                    Future.failedFuture(ApiException.conflict("/body/id", "program " + id + " already exists")) : Future.succeededFuture()))
                .compose(v -> conn.preparedQuery("INSERT INTO programs (id, name, kind, funding, donor, unit, period, quota, categories, " +
                        "valid_from, valid_to, window_from, window_to, cycle_days, created_at, updated_at) VALUES " +
                        "(COALESCE($1, nextval(pg_get_serial_sequence('programs', 'id'))::int), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) RETURNING id")
                    .execute(values(id, body)))
                .compose(rows -> OutletsApi.bumpSequence(conn, "programs").map(rows.iterator().next().getInteger("id")))
                .compose(newId -> setOutlets(conn, newId, body.getJsonArray("outletIds")).map(newId))
                .compose(newId -> get(conn, newId, false))
                .compose(after -> ctx.command(conn, define(after)).map(after))
                .compose(after -> ctx.audit(conn, r.principal(), "program.create", "program", after.getValue("id"), null, after).map(after)));
        });
        routes.json("updateProgram", 200, r ->
        {
            final long id = Api.pathLong(r.rc(), "programId");
            final JsonObject body = Api.body(r.rc());
            check(body);
            return ctx.write(conn -> get(conn, id, true).compose(before -> conn.preparedQuery("UPDATE programs SET name = $2, kind = $3, funding = $4, " +
                        "donor = $5, unit = $6, period = $7, quota = $8, categories = $9, valid_from = $10, valid_to = $11, " +
                        "window_from = $12, window_to = $13, cycle_days = $14, updated_at = $15 WHERE id = $1")
                    .execute(values((int)id, body))
                    .compose(v -> conn.preparedQuery("DELETE FROM program_outlets WHERE program_id = $1").execute(Tuple.of((int)id)))
                    .compose(v -> setOutlets(conn, (int)id, body.getJsonArray("outletIds")))
                    .compose(v -> get(conn, id, false))
                    .compose(after -> ctx.command(conn, define(after)).map(after))
                    .compose(after -> ctx.audit(conn, r.principal(), "program.update", "program", id, before, after).map(after))));
        });
    }

    private static void check(final JsonObject body)
    {
        final boolean donorFunded = "DONOR".equals(body.getString("funding"));
        if (donorFunded && body.getString("donor") == null)
        {
            throw ApiException.badRequest("/body/donor", "donor is required when funding is DONOR");
        }
        if (!donorFunded && body.getString("donor") != null)
        {
            throw ApiException.badRequest("/body/donor", "donor is only given when funding is DONOR");
        }
        final boolean cycle = "CYCLE".equals(body.getString("period"));
        if (cycle != body.containsKey("cycleDays"))
        {
            throw ApiException.badRequest("/body/cycleDays", "cycleDays is required with period CYCLE and only then");
        }
        final LocalDate from = body.getString("validFrom") == null ? null : Api.parseDate("/body/validFrom", body.getString("validFrom"));
        if (cycle && from == null)
        {
            throw ApiException.badRequest("/body/validFrom", "validFrom is required with period CYCLE: cycles are counted from it");
        }
        final LocalDate to = body.getString("validTo") == null ? null : Api.parseDate("/body/validTo", body.getString("validTo"));
        if (from != null && to != null && from.isAfter(to))
        {
            throw ApiException.badRequest("/body/validTo", "validTo " + to + " is before validFrom " + from);
        }
        final JsonObject window = body.getJsonObject("window");
        if (window != null && minutes(window.getString("from")) == minutes(window.getString("to")))
        {
            throw ApiException.badRequest("/body/window/to", "the serving window is empty: from equals to");
        }
    }

    private Tuple values(final Integer id, final JsonObject body)
    {
        final JsonObject window = body.getJsonObject("window");
        return Tuple.from(new Object[] {
            id, body.getString("name"), body.getString("kind"), body.getString("funding"), body.getString("donor"),
            body.getString("unit"), body.getString("period"), body.getInteger("quota"),
            Sql.stringArray(body.getJsonArray("categories")),
            body.getString("validFrom") == null ? null : LocalDate.parse(body.getString("validFrom")),
            body.getString("validTo") == null ? null : LocalDate.parse(body.getString("validTo")),
            window == null ? null : (short)minutes(window.getString("from")),
            window == null ? null : (short)minutes(window.getString("to")),
            body.getInteger("cycleDays"), Sql.now(ctx.clock())});
    }

    private Future<Void> setOutlets(final SqlConnection conn, final int programId, final JsonArray outletIds)
    {
        final int[] ids = new int[outletIds.size()];
        for (int i = 0; i < ids.length; i++)
        {
            ids[i] = outletIds.getInteger(i);
        }
        final Integer[] boxed = new Integer[ids.length];
        for (int i = 0; i < ids.length; i++)
        {
            boxed[i] = ids[i];
        }
        return conn.preparedQuery("SELECT x FROM unnest($1::int[]) AS x WHERE NOT EXISTS (SELECT 1 FROM outlets o WHERE o.id = x) LIMIT 1")
            .execute(Tuple.tuple().addArrayOfInteger(boxed))
            .compose(rows -> rows.size() > 0 ?
                Future.failedFuture(ApiException.unknownReference("/body/outletIds", "outlet", rows.iterator().next().getInteger(0))) :
                conn.preparedQuery("INSERT INTO program_outlets (program_id, outlet_id) SELECT $1, x FROM unnest($2::int[]) AS x")
                    .execute(Tuple.tuple().addInteger(programId).addArrayOfInteger(boxed)).mapEmpty());
    }

    static SwitchCommand define(final JsonObject program)
    {
        final JsonArray outlets = program.getJsonArray("outletIds");
        final int[] outletIds = new int[outlets.size()];
        for (int i = 0; i < outletIds.length; i++)
        {
            outletIds[i] = outlets.getInteger(i);
        }
        final JsonObject window = program.getJsonObject("window");
        final Integer cycleDays = program.getInteger("cycleDays");
        return SwitchCommand.defineProgram(program.getInteger("id"),
            "MEAL".equals(program.getString("kind")) ? ProgramKind.MEAL : ProgramKind.AID,
            "HOUSEHOLD".equals(program.getString("unit")) ? ProgramUnit.HOUSEHOLD : ProgramUnit.PERSON,
            periodRule(program.getString("period")), program.getInteger("quota"), cycleDays == null ? 0 : cycleDays,
            program.getString("validFrom") == null ? null : LocalDate.parse(program.getString("validFrom")),
            program.getString("validTo") == null ? null : LocalDate.parse(program.getString("validTo")),
            window == null ? 0 : minutes(window.getString("from")),
            window == null ? MINUTES_PER_DAY : minutes(window.getString("to")),
            outletIds);
    }

    static int periodRule(final String period)
    {
        return switch (period)
        {
            case "DAY" -> PeriodRule.DAY;
            case "WEEK" -> PeriodRule.WEEK;
            case "MONTH" -> PeriodRule.MONTH;
            case "ONCE" -> PeriodRule.ONCE;
            case "CYCLE" -> PeriodRule.CYCLE;
            default -> throw new IllegalArgumentException("unknown period " + period);
        };
    }

    static int minutes(final String hhmm)
    {
        return Integer.parseInt(hhmm.substring(0, 2)) * 60 + Integer.parseInt(hhmm.substring(3, 5));
    }

    static String hhmm(final int minutes)
    {
        return String.format("%02d:%02d", minutes / 60, minutes % 60);
    }

    static Future<JsonObject> get(final SqlClient client, final long id, final boolean forUpdate)
    {
        return Sql.one(client, "SELECT " + COLUMNS + " FROM programs p WHERE p.id = $1" + (forUpdate ? " FOR UPDATE" : ""),
            Tuple.of((int)Math.min(id, Integer.MAX_VALUE)), ProgramsApi::toJson, "program", id);
    }

    static JsonObject toJson(final Row row)
    {
        final Short windowFrom = row.getShort("window_from");
        final Short windowTo = row.getShort("window_to");
        final JsonArray outletIds = new JsonArray();
        for (final Integer outlet : row.getArrayOfIntegers("outlet_ids"))
        {
            outletIds.add(outlet);
        }
        return new JsonObject()
            .put("id", row.getInteger("id"))
            .put("name", row.getString("name"))
            .put("kind", row.getString("kind"))
            .put("funding", row.getString("funding"))
            .put("donor", row.getString("donor"))
            .put("unit", row.getString("unit"))
            .put("period", row.getString("period"))
            .put("cycleDays", row.getInteger("cycle_days"))
            .put("quota", row.getInteger("quota"))
            .put("categories", Sql.strings(row.getArrayOfStrings("categories")))
            .put("validFrom", Sql.date(row.getLocalDate("valid_from")))
            .put("validTo", Sql.date(row.getLocalDate("valid_to")))
            .put("window", windowFrom == null || Objects.isNull(windowTo) ? null :
                new JsonObject().put("from", hhmm(windowFrom)).put("to", hhmm(windowTo)))
            .put("outletIds", outletIds)
            .put("createdAt", Sql.ts(row.getOffsetDateTime("created_at")))
            .put("updatedAt", Sql.ts(row.getOffsetDateTime("updated_at")));
    }
}
