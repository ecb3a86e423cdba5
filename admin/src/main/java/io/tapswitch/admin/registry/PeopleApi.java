package io.tapswitch.admin.registry;

import java.time.LocalDate;
import java.util.Objects;

import io.tapswitch.admin.AdminContext;
import io.tapswitch.admin.account.Scope;
import io.tapswitch.admin.api.Api;
import io.tapswitch.admin.api.ApiRoutes;
import io.tapswitch.admin.api.Page;
import io.tapswitch.admin.outbox.SwitchCommand;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/**
 * Households and cardholders. Names, birth dates, tax numbers and IDP certificates stay in PostgreSQL:
 * the switch learns only the holder id and its household id (SET_HOUSEHOLD). Thread-safe.
 */
public final class PeopleApi
{
    private static final String HOLDER_COLUMNS = "id, household_id, family_name, given_name, patronymic, birth_date, tax_number, " +
        "categories, idp_certificate, created_at, updated_at";
    private static final String HOUSEHOLD_COLUMNS = "h.id, h.address, h.district, h.created_at, h.updated_at, " +
        "ARRAY(SELECT c.id FROM cardholders c WHERE c.household_id = h.id ORDER BY c.id) AS member_ids";
    private final AdminContext ctx;

    public PeopleApi(final AdminContext ctx)
    {
        this.ctx = ctx;
    }

    public void mount(final ApiRoutes routes)
    {
        routes.json("listHouseholds", 200, r ->
        {
            final Page page = Page.of(r.rc());
            return ctx.pool().preparedQuery("SELECT " + HOUSEHOLD_COLUMNS + " FROM households h WHERE h.id > $1 " +
                    "AND ($3::text IS NULL OR h.district = $3) ORDER BY h.id LIMIT $2")
                .execute(Tuple.of(page.afterKey(), page.fetch(), r.principal().scopeDistrict()))
                .map(rows -> page.result(rows, "id", PeopleApi::household));
        });
        routes.json("getHousehold", 200, r ->
        {
            final long id = Api.pathLong(r.rc(), "householdId");
            return ctx.pool().withConnection(conn -> Scope.requireHousehold(conn, r.principal(), id)
                .compose(v -> getHousehold(conn, id))
                .compose(h -> ctx.audit(conn, r.principal(), "household.read", "household", id, null, null).map(h)));
        });
        routes.json("createHousehold", 201, r ->
        {
            final JsonObject body = Api.body(r.rc());
            return ctx.write(conn -> conn.preparedQuery("INSERT INTO households (address, district, created_at, updated_at) " +
                    "VALUES ($1, $2, $3, $3) RETURNING id")
                .execute(Tuple.of(body.getString("address"), body.getString("district"), Sql.now(ctx.clock())))
                .compose(rows -> getHousehold(conn, rows.iterator().next().getLong("id")))
                .compose(after -> ctx.audit(conn, r.principal(), "household.create", "household", after.getValue("id"), null, after).map(after)));
        });

        routes.json("listCardholders", 200, r ->
        {
            final Page page = Page.of(r.rc());
            final Long householdId = Api.queryLong(r.rc(), "householdId");
            final String category = Api.queryString(r.rc(), "category");
            return ctx.pool().preparedQuery("SELECT " + HOLDER_COLUMNS + " FROM cardholders WHERE id > $1 " +
                    "AND ($3::bigint IS NULL OR household_id = $3) AND ($4::text IS NULL OR $4 = ANY(categories)) AND " +
                    Scope.householdIn("household_id", 5) + " ORDER BY id LIMIT $2")
                .execute(Tuple.of(page.afterKey(), page.fetch(), householdId, category, r.principal().scopeDistrict()))
                .map(rows -> page.result(rows, "id", PeopleApi::holder));
        });
        routes.json("getCardholder", 200, r ->
        {
            final long id = Api.pathLong(r.rc(), "holderId");
            return ctx.pool().withConnection(conn -> Scope.requireHolder(conn, r.principal(), id)
                .compose(v -> getHolder(conn, id, false))
                .compose(h -> ctx.audit(conn, r.principal(), "cardholder.read", "cardholder", id, null, null).map(h)));
        });
        routes.json("createCardholder", 201, r ->
        {
            final JsonObject body = Api.body(r.rc());
            final Long householdId = body.getLong("householdId");
            return ctx.write(conn -> Sql.requireRef(conn, "households", householdId, "/body/householdId", "household")
                .compose(v -> conn.preparedQuery("INSERT INTO cardholders (household_id, family_name, given_name, patronymic, birth_date, " +
                        "tax_number, categories, idp_certificate, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id")
                    .execute(Tuple.from(new Object[] {householdId, body.getString("familyName"), body.getString("givenName"),
                        body.getString("patronymic"), date(body, "birthDate"), body.getString("taxNumber"),
                        Sql.stringArray(body.getJsonArray("categories")), body.getString("idpCertificate"), Sql.now(ctx.clock())})))
                .compose(rows -> getHolder(conn, rows.iterator().next().getLong("id"), false))
                .compose(after -> ctx.command(conn, SwitchCommand.setHousehold(after.getLong("id"), householdId == null ? 0 : householdId))
                    .map(after))
                .compose(after -> ctx.audit(conn, r.principal(), "cardholder.create", "cardholder", after.getValue("id"), null, after).map(after)));
        });
        routes.json("updateCardholder", 200, r ->
        {
            final long id = Api.pathLong(r.rc(), "holderId");
            final JsonObject body = Api.body(r.rc());
            return ctx.write(conn -> Scope.requireHolder(conn, r.principal(), id).compose(v -> getHolder(conn, id, true)).compose(before ->
            {
                final JsonObject merged = before.copy();
                body.forEach(e -> merged.put(e.getKey(), e.getValue()));
                final Long householdId = merged.getLong("householdId");
                return Sql.requireRef(conn, "households", householdId, "/body/householdId", "household")
                    .compose(v -> conn.preparedQuery("UPDATE cardholders SET household_id = $2, family_name = $3, given_name = $4, " +
                            "patronymic = $5, birth_date = $6, tax_number = $7, categories = $8, idp_certificate = $9, updated_at = $10 WHERE id = $1")
                        .execute(Tuple.from(new Object[] {id, householdId, merged.getString("familyName"), merged.getString("givenName"),
                            merged.getString("patronymic"), date(merged, "birthDate"), merged.getString("taxNumber"),
                            Sql.stringArray(merged.getJsonArray("categories")), merged.getString("idpCertificate"), Sql.now(ctx.clock())})))
                    .compose(v -> getHolder(conn, id, false))
                    .compose(after -> (Objects.equals(before.getLong("householdId"), householdId) ? Future.succeededFuture(0L) :
                        ctx.command(conn, SwitchCommand.setHousehold(id, householdId == null ? 0 : householdId))).map(after))
                    .compose(after -> ctx.audit(conn, r.principal(), "cardholder.update", "cardholder", id, before, after).map(after));
            }));
        });
    }

    private static LocalDate date(final JsonObject body, final String field)
    {
        final String text = body.getString(field);
        return text == null ? null : Api.parseDate("/body/" + field, text);
    }

    static Future<JsonObject> getHolder(final SqlClient client, final long id, final boolean forUpdate)
    {
        return Sql.one(client, "SELECT " + HOLDER_COLUMNS + " FROM cardholders WHERE id = $1" + (forUpdate ? " FOR UPDATE" : ""),
            Tuple.of(id), PeopleApi::holder, "cardholder", id);
    }

    private static Future<JsonObject> getHousehold(final SqlClient client, final long id)
    {
        return Sql.one(client, "SELECT " + HOUSEHOLD_COLUMNS + " FROM households h WHERE h.id = $1", Tuple.of(id),
            PeopleApi::household, "household", id);
    }

    static JsonObject household(final Row row)
    {
        final JsonArray members = new JsonArray();
        for (final Long member : row.getArrayOfLongs("member_ids"))
        {
            members.add(member);
        }
        return new JsonObject()
            .put("id", row.getLong("id"))
            .put("address", row.getString("address"))
            .put("district", row.getString("district"))
            .put("memberIds", members)
            .put("createdAt", Sql.ts(row.getOffsetDateTime("created_at")))
            .put("updatedAt", Sql.ts(row.getOffsetDateTime("updated_at")));
    }

    static JsonObject holder(final Row row)
    {
        return new JsonObject()
            .put("id", row.getLong("id"))
            .put("householdId", row.getLong("household_id"))
            .put("familyName", row.getString("family_name"))
            .put("givenName", row.getString("given_name"))
            .put("patronymic", row.getString("patronymic"))
            .put("birthDate", Sql.date(row.getLocalDate("birth_date")))
            .put("taxNumber", row.getString("tax_number"))
            .put("categories", Sql.strings(row.getArrayOfStrings("categories")))
            .put("idpCertificate", row.getString("idp_certificate"))
            .put("createdAt", Sql.ts(row.getOffsetDateTime("created_at")))
            .put("updatedAt", Sql.ts(row.getOffsetDateTime("updated_at")));
    }
}
