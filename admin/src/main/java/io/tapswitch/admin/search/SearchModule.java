package io.tapswitch.admin.search;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import io.tapswitch.admin.AdminContext;
import io.tapswitch.admin.Principal;
import io.tapswitch.admin.account.Scope;
import io.tapswitch.admin.api.Api;
import io.tapswitch.admin.api.ApiException;
import io.tapswitch.admin.api.ApiModule;
import io.tapswitch.admin.api.ApiRoutes;
import io.tapswitch.admin.api.Page;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/**
 * Search for people and cases ({@code search-api.yaml}). Names are compared as {@code person_search_name} (migration
 * V41: lower case, apostrophes dropped) with pg_trgm's strict word similarity ({@code <<%}, answered from the GIN
 * index, threshold {@link #NAME_THRESHOLD} set for the transaction); exact criteria use their b-tree indexes. Only the
 * criteria given appear in the SQL, so every combination gets a plan that uses its indexes. Paging is by offset
 * (results are ordered by similarity); the cursor is opaque.
 * <p>
 * Every search is written to the audit log by account: the kinds of criteria and the ids of the people or cases shown.
 * Thread-safe.
 */
public final class SearchModule implements ApiModule
{
    /** Least strict word similarity of a name match (pg_trgm's default is 0.5). */
    public static final double NAME_THRESHOLD = 0.45;
    private static final String NAME = "person_search_name(c.family_name, c.given_name, c.patronymic)";
    private static final String CASE_NAME = "person_search_name(k.doc -> 'applicant' ->> 'familyName', " +
        "k.doc -> 'applicant' ->> 'givenName', k.doc -> 'applicant' ->> 'patronymic')";

    @Override
    public String name()
    {
        return "search";
    }

    @Override
    public String contractResource()
    {
        return "search-api.yaml";
    }

    @Override
    public void mount(final AdminContext context, final ApiRoutes routes)
    {
        routes.json("searchPeople", 200, r -> people(context, r.principal(), Page.of(r.rc()), Api.queryString(r.rc(), "name"),
            Api.queryString(r.rc(), "taxNumber"), Api.queryString(r.rc(), "idpCertificate"), Api.queryDate(r.rc(), "birthDate")));
        routes.json("searchCases", 200, r -> cases(context, r.principal(), Page.of(r.rc()), Api.queryString(r.rc(), "applicant"),
            Api.queryString(r.rc(), "status")));
    }

    /**
     * People matching every criterion given, best name match first, within the caller's scope.
     *
     * @return a page {@code {items, nextCursor}}; fails 400 when no criterion is given.
     */
    public static Future<JsonObject> people(final AdminContext ctx, final Principal principal, final Page page, final String name,
        final String taxNumber, final String idpCertificate, final LocalDate birthDate)
    {
        if (blank(name) && blank(taxNumber) && blank(idpCertificate) && birthDate == null)
        {
            return Future.failedFuture(ApiException.badRequest("/query/name", "give a name, a tax number, an IDP certificate or a birth date"));
        }
        final List<Object> args = new ArrayList<>();
        final StringBuilder where = new StringBuilder("TRUE");
        String score = "1.0::real";
        if (!blank(name))
        {
            args.add(name.strip());
            final String q = "person_search_name($" + args.size() + ", NULL, NULL)";
            where.append(" AND ").append(q).append(" <<% ").append(NAME);
            score = "strict_word_similarity(" + q + ", " + NAME + ")";
        }
        if (!blank(taxNumber))
        {
            args.add(taxNumber.strip());
            where.append(" AND c.tax_number = $").append(args.size());
        }
        if (!blank(idpCertificate))
        {
            args.add(idpCertificate.strip());
            where.append(" AND c.idp_certificate = $").append(args.size());
        }
        if (birthDate != null)
        {
            args.add(birthDate);
            where.append(" AND c.birth_date = $").append(args.size());
        }
        if (principal.scopeDistrict() != null)
        {
            args.add(principal.scopeDistrict());
            where.append(" AND h.district = $").append(args.size());
        }
        args.add(page.fetch());
        args.add(page.afterKey());
        final String sql = "SELECT c.id, c.household_id, h.district, c.family_name, c.given_name, c.patronymic, c.birth_date, " +
            "c.tax_number, c.idp_certificate, " + score + " AS score FROM cardholders c LEFT JOIN households h ON h.id = c.household_id " +
            "WHERE " + where + " ORDER BY score DESC, c.id LIMIT $" + (args.size() - 1) + " OFFSET $" + args.size();
        return ctx.pool().withTransaction(conn -> conn.query("SET LOCAL pg_trgm.strict_word_similarity_threshold = " + NAME_THRESHOLD)
            .execute()
            .compose(v -> conn.preparedQuery(sql).execute(Tuple.from(args)))
            .compose(rows ->
            {
                final JsonObject result = offsetPage(page, rows, SearchModule::person);
                final JsonArray shown = new JsonArray();
                result.getJsonArray("items").forEach(item -> shown.add(((JsonObject)item).getLong("id")));
                final JsonObject criteria = new JsonObject().put("name", !blank(name)).put("taxNumber", !blank(taxNumber))
                    .put("idpCertificate", !blank(idpCertificate)).put("birthDate", birthDate != null);
                return ctx.audit(conn, principal, "cardholder.search", "cardholder", null, null,
                    new JsonObject().put("criteria", criteria).put("shown", shown)).map(result);
            }));
    }

    /**
     * Cases whose applicant matches the name (the cardholder's name, or the name the case records) and/or with the
     * status, newest first, within the caller's scope.
     */
    public static Future<JsonObject> cases(final AdminContext ctx, final Principal principal, final Page page, final String applicant,
        final String status)
    {
        if (blank(applicant) && blank(status))
        {
            return Future.failedFuture(ApiException.badRequest("/query/applicant", "give an applicant's name or a status"));
        }
        final List<Object> args = new ArrayList<>();
        final StringBuilder where = new StringBuilder("TRUE");
        if (!blank(applicant))
        {
            args.add(applicant.strip());
            final String q = "person_search_name($" + args.size() + ", NULL, NULL)";
            where.append(" AND (k.holder_id IN (SELECT c.id FROM cardholders c WHERE ").append(q).append(" <<% ").append(NAME)
                .append(") OR ").append(q).append(" <<% ").append(CASE_NAME).append(')');
        }
        if (!blank(status))
        {
            args.add(status);
            where.append(" AND k.status = $").append(args.size());
        }
        args.add(principal.scopeDistrict());
        where.append(" AND ").append(Scope.holderIn("k.holder_id", args.size()));
        args.add(page.fetch());
        args.add(page.afterKey());
        final String sql = "SELECT k.id, k.service_code, k.status, k.stage_no, k.holder_id, k.registered_at, k.stage_due, " +
            "CASE WHEN c.id IS NOT NULL THEN concat_ws(' ', c.family_name, c.given_name, c.patronymic) ELSE concat_ws(' ', k.doc -> 'applicant' ->> 'familyName', " +
            "k.doc -> 'applicant' ->> 'givenName', k.doc -> 'applicant' ->> 'patronymic') END AS applicant_name " +
            "FROM cases k LEFT JOIN cardholders c ON c.id = k.holder_id WHERE " + where +
            " ORDER BY k.registered_at DESC, k.number DESC LIMIT $" + (args.size() - 1) + " OFFSET $" + args.size();
        return ctx.pool().withTransaction(conn -> conn.query("SET LOCAL pg_trgm.strict_word_similarity_threshold = " + NAME_THRESHOLD)
            .execute()
            .compose(v -> conn.preparedQuery(sql).execute(Tuple.from(args)))
            .compose(rows ->
            {
                final JsonObject result = offsetPage(page, rows, SearchModule::caseHit);
                final JsonArray shown = new JsonArray();
                result.getJsonArray("items").forEach(item -> shown.add(((JsonObject)item).getString("id")));
                return ctx.audit(conn, principal, "case.search", "case", null, null, new JsonObject()
                    .put("criteria", new JsonObject().put("applicant", !blank(applicant)).put("status", status)).put("shown", shown))
                    .map(result);
            }));
    }

    private static JsonObject offsetPage(final Page page, final io.vertx.sqlclient.RowSet<Row> rows,
        final java.util.function.Function<Row, JsonObject> mapper)
    {
        final JsonArray items = new JsonArray();
        int count = 0;
        boolean more = false;
        for (final Row row : rows)
        {
            if (count == page.limit())
            {
                more = true;
                break;
            }
            items.add(mapper.apply(row));
            count++;
        }
        return new JsonObject().put("items", items).put("nextCursor", more ? Page.encode(page.afterKey() + page.limit()) : null);
    }

    private static JsonObject person(final Row row)
    {
        final LocalDate birth = row.getLocalDate("birth_date");
        return new JsonObject()
            .put("id", row.getLong("id"))
            .put("householdId", row.getLong("household_id"))
            .put("district", row.getString("district"))
            .put("familyName", row.getString("family_name"))
            .put("givenName", row.getString("given_name"))
            .put("patronymic", row.getString("patronymic"))
            .put("birthDate", birth == null ? null : birth.toString())
            .put("taxNumber", row.getString("tax_number"))
            .put("idpCertificate", row.getString("idp_certificate"))
            .put("score", Math.round(row.getFloat("score") * 1000) / 1000.0);
    }

    private static JsonObject caseHit(final Row row)
    {
        final OffsetDateTime registered = row.getOffsetDateTime("registered_at");
        final LocalDate due = row.getLocalDate("stage_due");
        return new JsonObject()
            .put("id", row.getString("id"))
            .put("serviceCode", row.getString("service_code"))
            .put("status", row.getString("status"))
            .put("stageNo", row.getString("stage_no"))
            .put("holderId", row.getLong("holder_id"))
            .put("applicantName", row.getString("applicant_name"))
            .put("registeredAt", registered == null ? null : registered.toInstant().toString())
            .put("stageDue", due == null ? null : due.toString());
    }

    private static boolean blank(final String text)
    {
        return text == null || text.isBlank();
    }
}
