package io.tapswitch.admin.console;

import static io.tapswitch.admin.console.Console.nz;
import static io.tapswitch.admin.console.Console.parseId;
import static io.tapswitch.admin.console.Console.plain;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.tapswitch.admin.api.Page;
import io.tapswitch.admin.console.Console.Req;
import io.tapswitch.admin.search.SearchModule;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The console's pages of people: search (people and cases, in-process so that names travel in a POST body) and a
 * person's page (household, cards, entitlements, recent taps, cases).
 * <p>
 * Thread-safe: handlers share immutable state.
 */
final class PeoplePages extends ConsolePages
{
    PeoplePages(final Console console)
    {
        super(console);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // search

    Future<Void> searchPeople(final Req q)
    {
        final String birth = q.field("birthDate");
        final LocalDate birthDate;
        try
        {
            birthDate = birth == null ? null : LocalDate.parse(birth);
        }
        catch (final RuntimeException ex)
        {
            return renderSearch(q, "people", null, messages.text(q.locale(), "search.badDate"));
        }
        final String cursor = q.field("cursor");
        final long offset = cursor == null ? 0 : Math.max(0, Long.parseLong(cursor));
        return SearchModule.people(ctx, q.principal(), new Page(offset, 20), q.field("name"), q.field("taxNumber"),
                q.field("idpCertificate"), birthDate)
            .compose(result -> renderSearch(q, "people", result.put("offset", offset + 20), null))
            .recover(ex -> renderSearch(q, "people", null, ex.getMessage()));
    }

    Future<Void> searchCases(final Req q)
    {
        final String cursor = q.field("cursor");
        final long offset = cursor == null ? 0 : Math.max(0, Long.parseLong(cursor));
        return SearchModule.cases(ctx, q.principal(), new Page(offset, 20), q.field("applicant"), q.field("status"))
            .compose(result -> renderSearch(q, "cases", result.put("offset", offset + 20), null))
            .recover(ex -> renderSearch(q, "cases", null, ex.getMessage()));
    }

    private Future<Void> renderSearch(final Req q, final String kind, final JsonObject result, final String error)
    {
        final Map<String, Object> model = new HashMap<>();
        model.put(kind, result == null ? null : plain(result));
        model.put(kind + "Error", error);
        model.put("fragment", kind + "-results");
        model.put("form", plain(new JsonObject(new HashMap<>(Map.of(
            "name", nz(q.field("name")), "taxNumber", nz(q.field("taxNumber")), "idpCertificate", nz(q.field("idpCertificate")),
            "birthDate", nz(q.field("birthDate")), "applicant", nz(q.field("applicant")), "status", nz(q.field("status")))))));
        return console.render(q, "search", model);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // a person

    Future<Void> person(final Req q)
    {
        final long id = parseId(q.rc().pathParam("holderId"));
        return console.api(q, HttpMethod.GET, "/cardholders/" + id, null).compose(holder ->
        {
            final Long householdId = holder.getLong("householdId");
            final Future<JsonObject> household = householdId == null ? Future.succeededFuture(null) :
                console.api(q, HttpMethod.GET, "/households/" + householdId, null);
            final Future<JsonArray> cards = console.items(q, "/cards?holderId=" + id + "&limit=50");
            final Future<JsonArray> grants = console.items(q, "/cardholders/" + id + "/entitlements?limit=100");
            final Future<JsonArray> taps = console.items(q, "/taps?holderId=" + id + "&limit=20");
            final Future<JsonArray> cases = console.items(q, "/cases?holderId=" + id + "&limit=50");
            final Future<Map<Long, String>> outlets = names(q, "/outlets?limit=500");
            final Future<Map<Long, String>> programs = names(q, "/programs?limit=500");
            return Future.all(List.of(household, cards, grants, taps, cases, outlets, programs)).compose(all ->
            {
                final Future<JsonArray> members = household.result() == null ? Future.succeededFuture(new JsonArray()) :
                    members(q, household.result().getJsonArray("memberIds", new JsonArray()), id);
                return members.compose(memberList ->
                {
                    final Map<Long, String> outletNames = outlets.result();
                    final Map<Long, String> programNames = programs.result();
                    final JsonArray tapRows = new JsonArray();
                    for (final Object o : taps.result())
                    {
                        final JsonObject tap = ((JsonObject)o).copy();
                        tap.put("outletName", outletNames.get(tap.getLong("outletId")));
                        tap.put("programName", programNames.get(tap.getLong("programId")));
                        tap.put("at", console.shortTime(tap.getString("decidedAt")));
                        tapRows.add(tap);
                    }
                    final JsonArray grantRows = new JsonArray();
                    for (final Object o : grants.result())
                    {
                        final JsonObject grant = ((JsonObject)o).copy();
                        grant.put("programName", programNames.get(grant.getLong("programId")));
                        grantRows.add(grant);
                    }
                    final Map<String, Object> model = new HashMap<>();
                    model.put("holder", plain(holder));
                    model.put("household", household.result() == null ? null : plain(household.result()));
                    model.put("members", plain(memberList));
                    model.put("cards", plain(cards.result()));
                    model.put("grants", plain(grantRows));
                    model.put("taps", plain(tapRows));
                    model.put("cases", plain(cases.result()));
                    return console.render(q, "person", model);
                });
            });
        });
    }

    private Future<JsonArray> members(final Req q, final JsonArray memberIds, final long self)
    {
        final List<Future<JsonObject>> loads = new ArrayList<>();
        for (final Object memberId : memberIds)
        {
            if (((Number)memberId).longValue() != self && loads.size() < 12)
            {
                loads.add(console.api(q, HttpMethod.GET, "/cardholders/" + memberId, null));
            }
        }
        return Future.all(loads).map(all ->
        {
            final JsonArray members = new JsonArray();
            for (final Future<JsonObject> load : loads)
            {
                members.add(load.result());
            }
            return members;
        });
    }

    private Future<Map<Long, String>> names(final Req q, final String uri)
    {
        return console.items(q, uri).map(items ->
        {
            final Map<Long, String> names = new HashMap<>();
            for (final Object o : items)
            {
                final JsonObject item = (JsonObject)o;
                names.put(item.getLong("id"), item.getString("name"));
            }
            return names;
        });
    }
}
