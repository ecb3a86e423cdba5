package io.tapswitch.admin.workflow;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.tapswitch.admin.AdminContext;
import io.tapswitch.admin.Principal;
import io.tapswitch.admin.Role;
import io.tapswitch.admin.api.Api;
import io.tapswitch.admin.api.ApiException;
import io.tapswitch.admin.api.ApiModule;
import io.tapswitch.admin.api.ApiRoutes;
import io.tapswitch.admin.api.Page;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

/**
 * The workflow part of the admin API: the service-card catalogue, cases and their actions, committee sessions, the
 * case gauges, and card / entitlement outcomes through the command path. Configuration ({@code workflow} section of
 * the admin configuration file): {@code programs} (program id by the catalogue's program key), {@code
 * cardValidityYears} (default 5), {@code calendarFile} (a working-day calendar replacing the shipped one),
 * {@code metricsRefreshMs} (default 5000).
 * <p>
 * Thread-safe after {@link #start}: handlers share only immutable state and the database.
 */
public final class WorkflowModule implements ApiModule
{
    /** Default validity of an issued card. */
    public static final int DEFAULT_CARD_VALIDITY_YEARS = 5;
    /** Default period of the gauge recount. */
    public static final long DEFAULT_METRICS_REFRESH_MS = 5000;

    private volatile AdminContext ctx;
    private volatile CaseEngine engine;
    private volatile CaseStore store;
    private volatile CaseOutcomes outcomes;
    private volatile CaseMetrics metrics;
    private volatile long timerId = -1;

    @Override
    public String name()
    {
        return "workflow";
    }

    @Override
    public String contractResource()
    {
        return "workflow-api.yaml";
    }

    /**
     * @return the case engine (after start).
     */
    public CaseEngine engine()
    {
        return engine;
    }

    /**
     * @return the gauges (after start).
     */
    public CaseMetrics metrics()
    {
        return metrics;
    }

    @Override
    public Future<Void> start(final AdminContext context)
    {
        this.ctx = context;
        final JsonObject config = context.config().extra().getJsonObject("workflow", new JsonObject());
        return context.vertx().executeBlocking(() ->
        {
            final Catalogue catalogue = CatalogueLoader.loadShipped();
            final String calendarFile = config.getString("calendarFile");
            final WorkingCalendar calendar = null == calendarFile ? WorkingCalendar.loadShipped() :
                WorkingCalendar.parse(calendarFile, Files.readString(Path.of(calendarFile)));
            final Map<String, Integer> programs = new HashMap<>();
            final JsonObject programsJson = config.getJsonObject("programs", new JsonObject());
            for (final String key : programsJson.fieldNames())
            {
                final Object id = programsJson.getValue(key);
                if (!(id instanceof Integer) || (Integer)id <= 0)
                {
                    throw new IllegalArgumentException("workflow.programs." + key + " must be a positive program id, was " + id);
                }
                programs.put(key, (Integer)id);
            }
            final int years = config.getInteger("cardValidityYears", DEFAULT_CARD_VALIDITY_YEARS);
            if (years <= 0)
            {
                throw new IllegalArgumentException("workflow.cardValidityYears must be positive, was " + years);
            }
            engine = new CaseEngine(catalogue, calendar);
            store = new CaseStore(catalogue);
            outcomes = new CaseOutcomes(context, calendar, programs, years, engine, store);
            metrics = new CaseMetrics(catalogue, context.registry(), context.pool(), calendar, context.clock());
            return null;
        }).compose(v -> metrics.refresh()).onSuccess(v ->
        {
            final long refreshMs = config.getLong("metricsRefreshMs", DEFAULT_METRICS_REFRESH_MS);
            timerId = context.vertx().setPeriodic(refreshMs, id -> metrics.refresh());
        });
    }

    @Override
    public Future<Void> stop()
    {
        if (timerId >= 0 && null != ctx)
        {
            ctx.vertx().cancelTimer(timerId);
        }
        return Future.succeededFuture();
    }

    @Override
    public void mount(final AdminContext context, final ApiRoutes routes)
    {
        routes.json("listServiceCards", 200, r ->
        {
            final JsonArray items = new JsonArray();
            for (final ServiceCard card : engine.catalogue().latestCards())
            {
                items.add(engine.catalogue().document(card));
            }
            return Future.succeededFuture(new JsonObject().put("items", items));
        });
        routes.json("getServiceCard", 200, r ->
        {
            final String code = r.rc().pathParam("serviceCode");
            final Long version = Api.queryLong(r.rc(), "version");
            final ServiceCard card = null == version ? engine.catalogue().latest(code) :
                engine.catalogue().card(code, version.intValue());
            if (null == card)
            {
                return Future.failedFuture(ApiException.notFound("service card", code + (null == version ? "" : " v" + version)));
            }
            return Future.succeededFuture(engine.catalogue().document(card));
        });
        routes.json("listCases", 200, r ->
        {
            final Page page = Page.of(r.rc());
            final Boolean overdue = Api.queryBoolean(r.rc(), "overdue");
            final String waitingFor = Api.queryString(r.rc(), "waitingFor");
            final LocalDate today = engine.calendar().dateOf(ctx.clock().instant());
            return ctx.pool().preparedQuery("SELECT number, doc FROM cases WHERE number > $1 " +
                    "AND ($3::text IS NULL OR service_code = $3) AND ($4::text IS NULL OR status = $4) " +
                    "AND ($5::bigint IS NULL OR holder_id = $5) AND (NOT $6 OR (status = 'ACTIVE' AND " +
                    "(stage_due < $7 OR total_due < $7))) AND ($8::text[] IS NULL OR (status = 'ACTIVE' AND " +
                    "service_code || '/' || stage_no = ANY($8) AND NOT (doc->>'refusalTrack')::boolean)) " +
                    "AND " + io.tapswitch.admin.account.Scope.holderIn("holder_id", 9) + " ORDER BY number LIMIT $2")
                .execute(Tuple.from(new Object[]{ page.afterKey(), page.fetch(), Api.queryString(r.rc(), "serviceCode"),
                    Api.queryString(r.rc(), "status"), Api.queryLong(r.rc(), "holderId"), Boolean.TRUE.equals(overdue),
                    today, null == waitingFor ? null : committeeStages(waitingFor), r.principal().scopeDistrict() }))
                .map(rows -> page.result(rows, "number", row -> view(fromRow(row), today)));
        });
        routes.json("getCase", 200, r -> io.tapswitch.admin.account.Scope.requireCase(ctx.pool(), r.principal(),
                r.rc().pathParam("caseId"))
            .compose(v -> store.load(ctx.pool(), r.rc().pathParam("caseId"), false))
            .map(c -> view(c, engine.calendar().dateOf(ctx.clock().instant()))));
        routes.json("registerCase", 201, r -> register(r.principal(), Api.body(r.rc())));
        routes.json("actOnCase", 200, r -> act(r.principal(), r.rc().pathParam("caseId"), Api.body(r.rc())));
        routes.json("recordCommitteeSession", 200, r -> committee(r.principal(), Api.body(r.rc())));
    }

    private Future<JsonObject> register(final Principal principal, final JsonObject body)
    {
        final Instant now = ctx.clock().instant();
        final JsonObject applicantJson = body.getJsonObject("applicant", new JsonObject());
        final Applicant given = new Applicant(applicantJson.getLong("holderId"), applicantJson.getString("familyName"),
            applicantJson.getString("givenName"), applicantJson.getString("patronymic"),
            applicantJson.getBoolean("idp", false), applicantJson.getString("idpCertificate"),
            date(applicantJson, "idpCertificateDate"), date(applicantJson, "idpArrivedOn"));
        final Set<String> documents = new LinkedHashSet<>();
        for (final Object code : body.getJsonArray("documentsReceived", new JsonArray()))
        {
            documents.add(String.valueOf(code));
        }
        final Body termBody = null == body.getString("termBody") ? null : Body.valueOf(body.getString("termBody"));
        final Long subjectHolderId = body.getLong("subjectHolderId");
        return ctx.write(conn -> subject(conn, subjectHolderId)
            .compose(s -> null == given.holderId() ? Future.<Void>succeededFuture() :
                io.tapswitch.admin.account.Scope.requireHolder(conn, principal, given.holderId()))
            .compose(v -> applicant(conn, given)).compose(applicant -> store.nextNumber(conn).compose(number ->
        {
            final CaseResult result = engine.register(new CaseCommand.Register(Long.toString(number),
                body.getString("serviceCode"), body.getInteger("cardVersion"), applicant, termBody, documents,
                body.getString("comment", ""), subjectHolderId), Actor.of(principal), now);
            if (!result.isOk())
            {
                return Future.failedFuture(problem(result.code(), result.message()));
            }
            final CaseFile c = result.caseFile();
            return store.insert(conn, number, c)
                .compose(v -> ctx.audit(conn, principal, "case.register", "case", c.id, null, summary(c)))
                .map(v -> view(c, engine.calendar().dateOf(now)));
        }))).onSuccess(v -> metrics.refresh());
    }

    private static LocalDate date(final JsonObject json, final String field)
    {
        final String text = json.getString(field);
        return null == text ? null : Api.parseDate("/body/applicant/" + field, text);
    }

    /** The cardholder an application is about (41-76: the deceased) must exist. */
    private static Future<Void> subject(final SqlConnection conn, final Long holderId)
    {
        if (null == holderId)
        {
            return Future.succeededFuture();
        }
        return conn.preparedQuery("SELECT 1 FROM cardholders WHERE id = $1").execute(Tuple.of(holderId))
            .compose(rows -> rows.size() > 0 ? Future.<Void>succeededFuture() :
                Future.failedFuture(ApiException.unknownReference("/body/subjectHolderId", "cardholder", holderId)));
    }

    /**
     * An applicant who is a cardholder must exist; they are an IDP when the request says so or their categories
     * include IDP (then their certificate number is taken from the registry when the request gives none).
     */
    private static Future<Applicant> applicant(final SqlConnection conn, final Applicant given)
    {
        if (null == given.holderId())
        {
            return Future.succeededFuture(given);
        }
        return conn.preparedQuery("SELECT categories, idp_certificate, idp_certificate_date, idp_arrived_on " +
                "FROM cardholders WHERE id = $1")
            .execute(Tuple.of(given.holderId()))
            .compose(rows ->
            {
                if (rows.size() == 0)
                {
                    return Future.failedFuture(
                        ApiException.unknownReference("/body/applicant/holderId", "cardholder", given.holderId()));
                }
                final Row row = rows.iterator().next();
                final String[] categories = row.getArrayOfStrings("categories");
                final boolean idp = given.idp() || (null != categories && List.of(categories).contains("IDP"));
                final String certificate = null != given.idpCertificate() ? given.idpCertificate() :
                    row.getString("idp_certificate");
                final boolean registryCertificate = null == given.idpCertificate();
                return Future.succeededFuture(new Applicant(given.holderId(), given.familyName(), given.givenName(),
                    given.patronymic(), idp, certificate,
                    null != given.idpCertificateDate() || !registryCertificate ? given.idpCertificateDate() :
                        row.getLocalDate("idp_certificate_date"),
                    null != given.idpArrivedOn() ? given.idpArrivedOn() : row.getLocalDate("idp_arrived_on")));
            });
    }

    private Future<JsonObject> act(final Principal principal, final String caseId, final JsonObject body)
    {
        final Instant now = ctx.clock().instant();
        final CaseCommand command = command(body);
        final long version = body.getLong("version");
        return ctx.write(conn -> io.tapswitch.admin.account.Scope.requireCase(conn, principal, caseId)
            .compose(v -> store.load(conn, caseId, true)).compose(before ->
        {
            final CaseResult result = engine.apply(before, version, command, Actor.of(principal), now);
            if (!result.isOk())
            {
                return Future.failedFuture(problem(result.code(), result.message()));
            }
            final CaseFile after = result.caseFile();
            return outcomes.execute(conn, principal, after, result.effects(), now)
                .compose(v -> store.update(conn, before, after))
                .compose(v -> ctx.audit(conn, principal, "case." + command.action().name().toLowerCase(Locale.ROOT),
                    "case", caseId, summary(before), summary(after)))
                .map(v -> view(after, engine.calendar().dateOf(now)));
        })).onSuccess(v -> metrics.refresh());
    }

    private Future<JsonObject> committee(final Principal principal, final JsonObject body)
    {
        final Instant now = ctx.clock().instant();
        final String committee = body.getString("committee");
        final LocalDate sessionDate = Api.parseDate("/body/sessionDate", body.getString("sessionDate"));
        final List<String> services = new ArrayList<>();
        for (final ServiceCard card : engine.catalogue().allCards())
        {
            for (final ServiceCard.Stage stage : card.stages())
            {
                if (null != stage.committee() && stage.committee().code().equals(committee) &&
                    !services.contains(card.code()))
                {
                    services.add(card.code());
                }
            }
        }
        if (services.isEmpty())
        {
            return Future.failedFuture(new ApiException(422, "unknown-committee", "No service card names the committee",
                "no stage of the catalogue is decided by committee '" + committee + "'", "/body/committee"));
        }
        final Map<String, CaseEngine.CommitteeRefusal> refusals = new LinkedHashMap<>();
        for (final Object o : body.getJsonArray("refusals", new JsonArray()))
        {
            final JsonObject refusal = (JsonObject)o;
            refusals.put(refusal.getString("caseId"), new CaseEngine.CommitteeRefusal(refusal.getString("caseId"),
                refusal.getString("groundsCode"), refusal.getString("groundsText"), refusal.getString("appealRoute")));
        }
        return ctx.write(conn -> store.select(conn, "status = 'ACTIVE' AND service_code = ANY($1)",
                Tuple.of(services.toArray(new String[0])), true)
            .compose(candidates ->
            {
                final Map<String, CaseFile> before = new HashMap<>();
                for (final CaseFile c : candidates)
                {
                    before.put(c.id, c);
                }
                final CaseEngine.BatchResult result = engine.committeeSession(candidates, committee, sessionDate,
                    refusals, Actor.of(principal), now);
                if (!result.isOk())
                {
                    return Future.failedFuture(problem(result.code(), result.message()));
                }
                Future<Void> chain = Future.succeededFuture();
                final JsonArray items = new JsonArray();
                final LocalDate today = engine.calendar().dateOf(now);
                for (final CaseFile after : result.decided())
                {
                    final CaseFile old = before.get(after.id);
                    chain = chain.compose(v -> store.update(conn, old, after))
                        .compose(v -> ctx.audit(conn, principal, "case.committee_decision", "case", after.id,
                            summary(old), summary(after)));
                    items.add(view(after, today));
                }
                return chain.map(v -> new JsonObject().put("items", items));
            })).onSuccess(v -> metrics.refresh());
    }

    /**
     * @param committee a committee code.
     * @return "service/stage" of every stage it decides (empty when none).
     */
    private String[] committeeStages(final String committee)
    {
        final List<String> stages = new ArrayList<>();
        for (final ServiceCard card : engine.catalogue().allCards())
        {
            for (final ServiceCard.Stage stage : card.stages())
            {
                if (null != stage.committee() && stage.committee().code().equals(committee))
                {
                    stages.add(card.code() + "/" + stage.no());
                }
            }
        }
        return stages.toArray(new String[0]);
    }

    private static CaseCommand command(final JsonObject body)
    {
        final String comment = body.getString("comment", "");
        final CaseAction action = CaseAction.valueOf(body.getString("action"));
        switch (action)
        {
            case ADVANCE:
                return new CaseCommand.Advance(comment);
            case SUSPEND:
                return new CaseCommand.Suspend(body.getString("groundsCode"), body.getString("groundsText"), comment);
            case RESUME:
                return new CaseCommand.Resume(comment);
            case REFUSE:
                return new CaseCommand.Refuse(body.getString("groundsCode"), body.getString("groundsText"),
                    body.getString("appealRoute"), comment);
            case CLOSE:
                return new CaseCommand.Close(body.getString("reasonCode"), comment);
            case ISSUE:
                return new CaseCommand.Issue(body.getLong("cardId"), comment);
            case PAY:
            {
                final JsonObject payment = body.getJsonObject("payment");
                return new CaseCommand.Pay(null == payment ? null : new CaseCommand.PaymentOrder(
                    payment.getLong("amountKopiyky"), payment.getString("payeeName"), payment.getString("payeeCode"),
                    payment.getString("channel"), payment.getString("iban"), payment.getString("postAddress"),
                    payment.getString("fundingSource")), comment);
            }
            case CHECK_DOCUMENT:
                if (null == body.getString("documentCode") || null == body.getBoolean("received"))
                {
                    throw ApiException.badRequest("/body/documentCode", "CHECK_DOCUMENT needs documentCode and received");
                }
                return new CaseCommand.CheckDocument(body.getString("documentCode"), body.getBoolean("received"), comment);
            case ATTACH:
            {
                final JsonObject attachment = body.getJsonObject("attachment");
                if (null == attachment)
                {
                    throw ApiException.badRequest("/body/attachment", "ATTACH needs the attachment's metadata");
                }
                return new CaseCommand.Attach(attachment.getString("fileName"), attachment.getString("mediaType"),
                    attachment.getLong("sizeBytes"), attachment.getString("sha256"),
                    attachment.getString("documentCode"), comment);
            }
            default:
                throw ApiException.badRequest("/body/action", action + " is not taken through this operation");
        }
    }

    /**
     * How refused case actions answer: 409 for a stale version or a state that does not allow the action, 403 for a
     * role the stage does not name, 422 for an unknown service card and for grounds, documents or fields the card does
     * not know.
     */
    static ApiException problem(final ResultCode code, final String message)
    {
        final String type = "case-" + code.name().toLowerCase(Locale.ROOT).replace('_', '-');
        switch (code)
        {
            case STALE_VERSION:
                return new ApiException(409, "stale-version", "The case was changed meanwhile", message, "/body/version");
            case CASE_NOT_OPEN:
            case CASE_SUSPENDED:
            case NOT_SUSPENDED:
            case ACTION_NOT_ALLOWED:
            case MISSING_DOCUMENTS:
            case NOT_AT_COMMITTEE:
                return new ApiException(409, type, "The case does not allow this action now", message, null);
            case ROLE_NOT_ALLOWED:
                return new ApiException(403, type, "The stage does not allow this action to your role", message, null);
            case UNKNOWN_SERVICE:
                return new ApiException(422, type, "No such service card", message, "/body/serviceCode");
            case NOT_ELIGIBLE:
                return new ApiException(422, "not-eligible", "Not eligible", message, null);
            default:
                return new ApiException(422, type, "The request does not fit the service card", message, null);
        }
    }

    private JsonObject view(final CaseFile c, final LocalDate today)
    {
        final ServiceCard card = engine.catalogue().card(c.serviceCode, c.cardVersion);
        final ServiceCard.Stage stage = card.stage(c.stageNo);
        final JsonObject json = c.toJson();
        json.put("serviceTitleUk", card.titleUk()).put("serviceTitleEn", card.titleEn());
        json.put("overdue", c.isOverdue(today));
        json.put("stage", new JsonObject().put("no", stage.no()).put("path", stage.path().name())
            .put("titleUk", stage.titleUk()).put("titleEn", stage.titleEn()).put("officialUk", stage.officialUk())
            .put("bodyUk", stage.bodyUk()).put("responsibleBody", ServiceCard.responsibleBody(stage, c.intakeBody).name())
            .put("deadlineUk", stage.deadline().textUk()).put("deadlineKind", stage.deadline().kind().name())
            .put("committee", null == stage.committee() ? null : stage.committee().code()));
        final JsonArray plan = new JsonArray();
        for (final CaseEngine.PlannedStage planned : engine.plan(c))
        {
            plan.add(new JsonObject().put("stageNo", planned.stageNo()).put("titleUk", card.stage(planned.stageNo()).titleUk())
                .put("deadlineUk", card.stage(planned.stageNo()).deadline().textUk())
                .put("projectedDue", null == planned.due() ? null : planned.due().toString()));
        }
        json.put("plan", plan);
        final JsonArray allowed = new JsonArray();
        if (c.status.isOpen())
        {
            if (c.status == CaseStatus.SUSPENDED)
            {
                for (final CaseAction action : List.of(CaseAction.RESUME, CaseAction.CLOSE, CaseAction.CHECK_DOCUMENT,
                    CaseAction.ATTACH))
                {
                    allowed.add(allowedAction(action, stage.roles()));
                }
            }
            else if (c.refusalTrack)
            {
                allowed.add(allowedAction(CaseAction.ADVANCE, stage.roles()));
            }
            else
            {
                for (final ServiceCard.StageAction action : stage.actions().values())
                {
                    allowed.add(allowedAction(action.action(), action.roles()));
                }
                for (final CaseAction action : List.of(CaseAction.CLOSE, CaseAction.CHECK_DOCUMENT, CaseAction.ATTACH))
                {
                    allowed.add(allowedAction(action, stage.roles()));
                }
            }
        }
        json.put("allowedActions", allowed);
        return json;
    }

    private static JsonObject allowedAction(final CaseAction action, final Set<Role> roles)
    {
        final JsonArray names = new JsonArray();
        for (final Role role : Role.values())
        {
            if (roles.contains(role))
            {
                names.add(role.wireName());
            }
        }
        return new JsonObject().put("action", action.name()).put("roles", names);
    }

    private static JsonObject summary(final CaseFile c)
    {
        return new JsonObject().put("id", c.id).put("serviceCode", c.serviceCode).put("status", c.status.name())
            .put("stageNo", c.stageNo).put("version", c.version)
            .put("lastAction", c.history.isEmpty() ? null : c.history.get(c.history.size() - 1).action().name());
    }

    private static CaseFile fromRow(final Row row)
    {
        return CaseFile.fromJson(CaseStore.toJson(row.getValue("doc")));
    }
}
