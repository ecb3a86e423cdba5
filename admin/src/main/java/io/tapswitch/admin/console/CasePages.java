package io.tapswitch.admin.console;

import static io.tapswitch.admin.console.Console.nz;
import static io.tapswitch.admin.console.Console.parseId;
import static io.tapswitch.admin.console.Console.plain;
import static io.tapswitch.admin.console.Console.redirect;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.tapswitch.admin.Role;
import io.tapswitch.admin.console.Console.ApiFailure;
import io.tapswitch.admin.console.Console.Req;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The console's pages of cases: a new case and its checklist, a case and its actions, the caseworker's queue, and
 * committee sessions.
 * <p>
 * Thread-safe: handlers share immutable state.
 */
final class CasePages extends ConsolePages
{
    CasePages(final Console console)
    {
        super(console);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // cases

    Future<Void> newCase(final Req q)
    {
        final String holder = q.rc().request().getParam("holderId");
        final long holderId = holder == null ? 0 : parseId(holder);
        return console.api(q, HttpMethod.GET, "/service-cards", null).compose(cards ->
        {
            final Future<JsonObject> applicant = holderId == 0 ? Future.succeededFuture(null) :
                console.api(q, HttpMethod.GET, "/cardholders/" + holderId, null);
            return applicant.compose(person ->
            {
                final Map<String, Object> model = new HashMap<>();
                model.put("cards", plain(cards.getJsonArray("items")));
                model.put("applicant", person == null ? null : plain(person));
                model.put("selected", null);
                return console.render(q, "case-new", model);
            });
        });
    }

    Future<Void> checklist(final Req q)
    {
        final String code = q.rc().request().getParam("serviceCode");
        if (code == null || !code.matches("^[0-9]{1,3}(-[0-9]{1,4})?$"))
        {
            q.rc().response().putHeader("Content-Type", "text/html; charset=utf-8").end("");
            return Future.succeededFuture();
        }
        return console.api(q, HttpMethod.GET, "/service-cards/" + code, null).compose(card ->
        {
            final Map<String, Object> model = new HashMap<>();
            model.put("selected", plain(card));
            model.put("fragment", "checklist");
            model.put("cards", List.of());
            model.put("applicant", null);
            return console.render(q, "case-new", model);
        });
    }

    Future<Void> startCase(final Req q)
    {
        final JsonObject applicant = new JsonObject();
        final String holderId = q.field("holderId");
        if (holderId != null)
        {
            applicant.put("holderId", parseId(holderId));
        }
        else
        {
            applicant.put("familyName", q.field("familyName")).put("givenName", q.field("givenName"))
                .put("patronymic", q.field("patronymic"));
            if (q.field("idpCertificate") != null)
            {
                applicant.put("idp", true).put("idpCertificate", q.field("idpCertificate"));
            }
        }
        final JsonArray documents = new JsonArray();
        q.form().getAll("documentsReceived").forEach(documents::add);
        final JsonObject body = new JsonObject().put("serviceCode", q.field("serviceCode")).put("applicant", applicant)
            .put("documentsReceived", documents);
        if (q.field("comment") != null)
        {
            body.put("comment", q.field("comment"));
        }
        applicant.getMap().values().removeIf(v -> v == null);
        return console.api(q, HttpMethod.POST, "/cases", body).compose(created ->
        {
            redirect(q.rc(), "/cases/" + created.getString("id"));
            return Future.<Void>succeededFuture();
        }).recover(ex -> ex instanceof ApiFailure failure ? renderError(q, failure) : Future.failedFuture(ex));
    }

    private Future<Void> renderError(final Req q, final ApiFailure failure)
    {
        final Map<String, Object> model = new HashMap<>();
        model.put("message", failure.getMessage());
        q.rc().response().setStatusCode(failure.status == 409 || failure.status == 422 || failure.status == 400 ? 422 : failure.status);
        return console.render(q, "error", model);
    }

    Future<Void> casePage(final Req q, final String error)
    {
        final String caseId = caseId(q);
        return console.api(q, HttpMethod.GET, "/cases/" + caseId, null).compose(c ->
            console.api(q, HttpMethod.GET, "/service-cards/" + c.getString("serviceCode") + "?version=" + c.getInteger("cardVersion"), null)
                .compose(card ->
                {
                    final Map<String, Object> model = new HashMap<>();
                    final JsonArray mine = new JsonArray();
                    for (final Object o : c.getJsonArray("allowedActions", new JsonArray()))
                    {
                        final JsonObject action = (JsonObject)o;
                        for (final Object role : action.getJsonArray("roles"))
                        {
                            final Role r = Role.fromWireName(String.valueOf(role));
                            if (r != null && q.principal().roles().contains(r) && !mine.contains(action.getString("action")))
                            {
                                mine.add(action.getString("action"));
                            }
                        }
                    }
                    final Map<String, String> docTitles = new HashMap<>();
                    for (final Object o : card.getJsonArray("documents", new JsonArray()))
                    {
                        final JsonObject doc = (JsonObject)o;
                        docTitles.put(doc.getString("code"), "en".equals(q.locale().getLanguage()) && doc.getString("titleEn") != null ?
                            doc.getString("titleEn") : doc.getString("titleUk"));
                    }
                    final JsonArray docs = new JsonArray();
                    for (final Object o : c.getJsonArray("documents", new JsonArray()))
                    {
                        final JsonObject doc = ((JsonObject)o).copy();
                        doc.put("title", docTitles.getOrDefault(doc.getString("code"), doc.getString("code")));
                        docs.add(doc);
                    }
                    final JsonArray history = new JsonArray();
                    for (final Object o : c.getJsonArray("history", new JsonArray()))
                    {
                        final JsonObject entry = ((JsonObject)o).copy();
                        entry.put("when", console.shortTime(entry.getString("at")));
                        history.add(entry);
                    }
                    model.put("c", plain(c));
                    model.put("card", plain(card));
                    model.put("docs", plain(docs));
                    model.put("history", plain(history));
                    model.put("actions", plain(mine));
                    model.put("error", error);
                    return console.render(q, "case", model);
                }));
    }

    private static String caseId(final Req q)
    {
        final String caseId = q.rc().pathParam("caseId");
        if (caseId == null || !caseId.matches("^[0-9]{1,18}$"))
        {
            throw new ApiFailure(404, "no such case");
        }
        return caseId;
    }

    Future<Void> act(final Req q)
    {
        final String caseId = caseId(q);
        final String action = q.field("action");
        final JsonObject body = new JsonObject().put("action", action).put("version", Long.parseLong(q.field("version")));
        for (final String text : List.of("comment", "groundsCode", "groundsText", "appealRoute", "reasonCode", "documentCode"))
        {
            if (q.field(text) != null)
            {
                body.put(text, q.field(text));
            }
        }
        if (q.field("cardId") != null)
        {
            try
            {
                body.put("cardId", Long.parseLong(q.field("cardId")));
            }
            catch (final NumberFormatException ex)
            {
                return casePage(q, messages.text(q.locale(), "case.badCardId"));
            }
        }
        if ("CHECK_DOCUMENT".equals(action))
        {
            body.put("received", "true".equals(q.field("received")));
        }
        return console.api(q, HttpMethod.POST, "/cases/" + caseId + "/actions", body).compose(after ->
        {
            redirect(q.rc(), "/cases/" + caseId);
            return Future.<Void>succeededFuture();
        }).recover(ex -> ex instanceof ApiFailure failure && failure.status < 500 ? casePage(q, failure.getMessage()) :
            Future.failedFuture(ex));
    }

    Future<Void> queue(final Req q)
    {
        if (!q.principal().hasAny(Console.CASE_ROLES))
        {
            redirect(q.rc(), "/reports");
            return Future.succeededFuture();
        }
        final Future<JsonArray> active = console.items(q, "/cases?status=ACTIVE&limit=500");
        final Future<JsonArray> suspended = console.items(q, "/cases?status=SUSPENDED&limit=500");
        return Future.all(active, suspended).compose(all ->
        {
            final LocalDate today = LocalDate.now(ctx.clock().withZone(ctx.config().cityZone()));
            final List<JsonObject> mine = new ArrayList<>();
            final List<JsonObject> every = new ArrayList<>();
            for (final JsonArray list : List.of(active.result(), suspended.result()))
            {
                for (int i = 0; i < list.size(); i++)
                {
                    every.add(list.getJsonObject(i));
                }
            }
            for (final JsonObject c : every)
            {
                boolean acts = false;
                for (final Object a : c.getJsonArray("allowedActions", new JsonArray()))
                {
                    for (final Object role : ((JsonObject)a).getJsonArray("roles"))
                    {
                        final Role r = Role.fromWireName(String.valueOf(role));
                        acts |= r != null && q.principal().roles().contains(r);
                    }
                }
                if (!acts)
                {
                    continue;
                }
                final String due = c.getString("stageDue") != null ? c.getString("stageDue") : c.getString("totalDue");
                final String colour;
                if (Boolean.TRUE.equals(c.getBoolean("overdue")))
                {
                    colour = "overdue";
                }
                else if (due != null && !LocalDate.parse(due).isAfter(today.plusDays(2)))
                {
                    colour = "soon";
                }
                else
                {
                    colour = "ok";
                }
                final JsonObject applicant = c.getJsonObject("applicant", new JsonObject());
                mine.add(new JsonObject().put("id", c.getString("id")).put("serviceCode", c.getString("serviceCode"))
                    .put("service", "en".equals(q.locale().getLanguage()) ? c.getString("serviceTitleEn") : c.getString("serviceTitleUk"))
                    .put("status", c.getString("status")).put("stageNo", c.getString("stageNo"))
                    .put("stage", c.getJsonObject("stage", new JsonObject()).getString("titleUk"))
                    .put("due", due).put("colour", colour).put("holderId", applicant.getLong("holderId")));
            }
            mine.sort(Comparator.<JsonObject>comparingInt(c -> "overdue".equals(c.getString("colour")) ? 0 : 1)
                .thenComparing(c -> c.getString("due") == null ? "9999" : c.getString("due")));
            final Map<String, Object> model = new HashMap<>();
            model.put("cases", plain(new JsonArray(new ArrayList<>(mine))));
            model.put("today", today.toString());
            return console.render(q, "queue", model);
        });
    }

    // ---------------------------------------------------------------------------------------------------------------
    // committee sessions

    Future<Void> committee(final Req q, final String message, final String error)
    {
        final String chosen = q.rc().request().getParam("committee");
        return console.api(q, HttpMethod.GET, "/service-cards", null).compose(cards ->
        {
            final Map<String, String> committees = new LinkedHashMap<>();
            for (final Object o : cards.getJsonArray("items"))
            {
                for (final Object s : ((JsonObject)o).getJsonArray("stages", new JsonArray()))
                {
                    final Object committee = ((JsonObject)s).getValue("committee");
                    if (committee instanceof JsonObject json && json.getString("code") != null)
                    {
                        committees.putIfAbsent(json.getString("code"), json.getString("titleUk", json.getString("code")));
                    }
                    else if (committee instanceof String code)
                    {
                        committees.putIfAbsent(code, code);
                    }
                }
            }
            final String committee = chosen != null && committees.containsKey(chosen) ? chosen :
                committees.isEmpty() ? null : committees.keySet().iterator().next();
            final Future<JsonArray> waiting = committee == null ? Future.succeededFuture(new JsonArray()) :
                console.items(q, "/cases?waitingFor=" + java.net.URLEncoder.encode(committee, StandardCharsets.UTF_8) + "&limit=200");
            return waiting.compose(cases ->
            {
                final Map<String, Object> model = new HashMap<>();
                model.put("committees", committees);
                model.put("committee", committee);
                model.put("cases", plain(cases));
                model.put("today", LocalDate.now(ctx.clock().withZone(ctx.config().cityZone())).toString());
                model.put("message", message);
                model.put("error", error);
                return console.render(q, "committee", model);
            });
        });
    }

    Future<Void> committeeSession(final Req q)
    {
        final JsonArray refusals = new JsonArray();
        for (final String caseId : q.form().getAll("refuse"))
        {
            final String route = q.field("appealRoute-" + caseId);
            refusals.add(new JsonObject().put("caseId", caseId).put("groundsText", nz(q.field("groundsText-" + caseId)))
                .put("appealRoute", route == null ? "" : route));
        }
        final JsonObject body = new JsonObject().put("committee", q.field("committee")).put("sessionDate", q.field("sessionDate"))
            .put("refusals", refusals);
        return console.api(q, HttpMethod.POST, "/committee-sessions", body)
            .compose(result -> committee(q, messages.text(q.locale(), "committee.decided", result.getJsonArray("items").size()), null))
            .recover(ex -> ex instanceof ApiFailure failure && failure.status < 500 ? committee(q, null, failure.getMessage()) :
                Future.failedFuture(ex));
    }
}
