package io.tapswitch.admin.console;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.IntSupplier;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.tapswitch.admin.AdminContext;
import io.tapswitch.admin.Principal;
import io.tapswitch.admin.Role;
import io.tapswitch.admin.account.Accounts;
import io.tapswitch.admin.api.Page;
import io.tapswitch.admin.search.SearchModule;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.templ.thymeleaf.ThymeleafTemplateEngine;
import io.vertx.sqlclient.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.thymeleaf.TemplateEngine;
import org.thymeleaf.context.Context;
import org.thymeleaf.templatemode.TemplateMode;
import org.thymeleaf.templateresolver.ClassLoaderTemplateResolver;

/**
 * The caseworkers' console, served by the admin service at {@code /}: server-rendered pages (Thymeleaf through
 * {@code vertx-web-templ-thymeleaf}), htmx 2.0.10 and uPlot 1.6.30 from their webjars, Ukrainian first with an English
 * switch.
 * <p>
 * The console is a client of the REST API: a page's data comes from the API over the loopback interface with the
 * signed-in account's session token, so roles, district scope, validation and the audit log apply to the console
 * exactly as to any API caller. Search is called in-process ({@link SearchModule}) so that names typed into the
 * search form travel in a POST body, never in a URL.
 * <p>
 * Security: the session token lives in an HttpOnly, SameSite=Strict cookie (Secure under TLS); every POST carries a
 * CSRF token, an HMAC of the session token (or, for the sign-in form, of a pre-sign-in nonce cookie) under a key
 * drawn at start, checked in constant time, and a cross-origin {@code Origin} header is refused. Pages are
 * {@code no-store}, framed by nobody, and sent with a Content-Security-Policy that allows scripts of the console's
 * own origin only. Person data appears in URLs as ids only; nothing of a request is logged.
 * <p>
 * Thread-safe: handlers share immutable state.
 */
public final class Console
{
    static final String SESSION_COOKIE = "tapswitch_session";
    static final String PRELOGIN_COOKIE = "tapswitch_prelogin";
    static final String LANG_COOKIE = "tapswitch_lang";
    static final String CSRF_FIELD = "_csrf";
    static final String CSRF_HEADER = "X-CSRF-Token";
    /** A terminal without a tap for this long is flagged silent on the terminals page. */
    static final long SILENT_AFTER_HOURS = 24;
    private static final Logger LOG = LoggerFactory.getLogger(Console.class);
    private static final Set<Role> CASE_ROLES = Set.of(Role.CENTER_ADMIN, Role.DISTRICT_SPECIALIST, Role.DEPARTMENT_SPECIALIST,
        Role.AUDITOR);
    private static final Set<Role> TERMINAL_ROLES = Set.of(Role.CENTER_ADMIN, Role.DEPARTMENT_SPECIALIST, Role.AUDITOR,
        Role.OPERATOR);
    private static final Set<Role> REPORT_ROLES = Set.of(Role.CENTER_ADMIN, Role.DISTRICT_SPECIALIST, Role.DEPARTMENT_SPECIALIST,
        Role.AUDITOR, Role.DONOR, Role.EDUCATION_DEPARTMENT);

    private final AdminContext ctx;
    private final Accounts accounts;
    private final IntSupplier apiPort;
    private final boolean tls;
    private final WebClient client;
    private final TemplateEngine templates;
    private final Messages messages = new Messages();
    private final byte[] csrfKey = new byte[32];

    /**
     * @param ctx      the service's resources.
     * @param accounts the accounts and sessions.
     * @param apiPort  the port of the REST API (known once it listens).
     * @param tls      true when the API is served over TLS (cookies get Secure).
     */
    public Console(final AdminContext ctx, final Accounts accounts, final IntSupplier apiPort, final boolean tls)
    {
        this.ctx = ctx;
        this.accounts = accounts;
        this.apiPort = apiPort;
        this.tls = tls;
        new SecureRandom().nextBytes(csrfKey);
        // loopback only: the service's own certificate is trusted whatever name it carries
        this.client = WebClient.create(ctx.vertx(), new WebClientOptions().setSsl(tls).setTrustAll(tls).setVerifyHost(false)
            .setDefaultHost("127.0.0.1").setUserAgent("tapswitch-console"));
        final ClassLoaderTemplateResolver resolver = new ClassLoaderTemplateResolver(Console.class.getClassLoader());
        resolver.setPrefix("console/templates/");
        resolver.setSuffix(".html");
        resolver.setCharacterEncoding("UTF-8");
        resolver.setTemplateMode(TemplateMode.HTML);
        resolver.setCacheable(true);
        this.templates = ThymeleafTemplateEngine.create(ctx.vertx()).unwrap();
        this.templates.setTemplateResolver(resolver);
        this.templates.setMessageResolver(messages);
    }

    /**
     * Mounts the console's routes on the service's root router (before its catch-all handlers).
     *
     * @param root the router.
     */
    public void mount(final Router root)
    {
        root.route("/static/webjars/*").handler(StaticHandler.create("META-INF/resources/webjars").setCachingEnabled(true)
            .setMaxAgeSeconds(86400));
        root.route("/static/console/*").handler(StaticHandler.create("console/static").setCachingEnabled(true).setMaxAgeSeconds(3600));
        // bodies are read (and bounded) by the service's body handler, which runs before every route
        root.get("/").handler(rc -> redirect(rc, "/queue"));
        root.get("/lang/:lang").handler(this::language);
        root.get("/login").handler(rc -> loginPage(rc, null, 200));
        root.post("/login").handler(this::login);
        root.post("/logout").handler(rc -> signedIn(rc, Set.of(), this::logout));
        root.get("/search").handler(rc -> signedIn(rc, CASE_ROLES, q -> render(q, "search", new HashMap<>())));
        root.post("/search/people").handler(rc -> signedIn(rc, CASE_ROLES, this::searchPeople));
        root.post("/search/cases").handler(rc -> signedIn(rc, CASE_ROLES, this::searchCases));
        root.get("/people/:holderId").handler(rc -> signedIn(rc, CASE_ROLES, this::person));
        root.get("/cases/new").handler(rc -> signedIn(rc, CASE_ROLES, this::newCase));
        root.get("/cases/checklist").handler(rc -> signedIn(rc, CASE_ROLES, this::checklist));
        root.post("/cases").handler(rc -> signedIn(rc, CASE_ROLES, this::startCase));
        root.get("/cases/:caseId").handler(rc -> signedIn(rc, CASE_ROLES, q -> casePage(q, null)));
        root.post("/cases/:caseId/act").handler(rc -> signedIn(rc, CASE_ROLES, this::act));
        root.get("/queue").handler(rc -> signedIn(rc, Set.of(), this::queue));
        root.get("/committee").handler(rc -> signedIn(rc, CASE_ROLES, q -> committee(q, null, null)));
        root.post("/committee").handler(rc -> signedIn(rc, CASE_ROLES, this::committeeSession));
        root.get("/reports").handler(rc -> signedIn(rc, REPORT_ROLES, this::reports));
        root.get("/reports/:kind").handler(rc -> signedIn(rc, REPORT_ROLES, this::reportCsv));
        root.get("/terminals").handler(rc -> signedIn(rc, TERMINAL_ROLES, this::terminals));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // requests, sessions, CSRF

    /** A signed-in request. */
    record Req(RoutingContext rc, String token, Principal principal, Locale locale)
    {
        MultiMap form()
        {
            return rc.request().formAttributes();
        }

        String field(final String name)
        {
            final String value = form().get(name);
            return value == null || value.isBlank() ? null : value.strip();
        }
    }

    /** What a console handler answers. */
    interface Handler
    {
        Future<Void> handle(Req q);
    }

    private Locale locale(final RoutingContext rc)
    {
        final Cookie cookie = rc.request().getCookie(LANG_COOKIE);
        return cookie != null && "en".equals(cookie.getValue()) ? Messages.EN : Messages.UK;
    }

    private void signedIn(final RoutingContext rc, final Set<Role> roles, final Handler handler)
    {
        secureHeaders(rc);
        final Cookie cookie = rc.request().getCookie(SESSION_COOKIE);
        if (cookie == null || cookie.getValue().isEmpty())
        {
            redirect(rc, "/login");
            return;
        }
        final String token = cookie.getValue();
        accounts.authenticate(token).onComplete(ar ->
        {
            if (ar.failed())
            {
                fail(rc, ar.cause());
                return;
            }
            final Principal principal = ar.result();
            if (principal == null || principal.accountId() == null)
            {
                rc.response().addCookie(expired(SESSION_COOKIE));
                redirect(rc, "/login");
                return;
            }
            final Req q = new Req(rc, token, principal, locale(rc));
            if (rc.request().method() == HttpMethod.POST && !csrfOk(rc, "session:" + token))
            {
                forbidden(q, messages.text(q.locale(), "error.csrf"));
                return;
            }
            if (!roles.isEmpty() && !principal.hasAny(roles))
            {
                forbidden(q, messages.text(q.locale(), "error.role"));
                return;
            }
            try
            {
                handler.handle(q).onFailure(ex -> fail(rc, ex));
            }
            catch (final RuntimeException ex)
            {
                fail(rc, ex);
            }
        });
    }

    private boolean csrfOk(final RoutingContext rc, final String bound)
    {
        final String origin = rc.request().getHeader("Origin");
        if (origin != null && !origin.equals(ownOrigin(rc)))
        {
            return false;
        }
        String given = rc.request().getHeader(CSRF_HEADER);
        if (given == null)
        {
            given = rc.request().formAttributes().get(CSRF_FIELD);
        }
        return given != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
            csrf(bound).getBytes(StandardCharsets.UTF_8));
    }

    private String ownOrigin(final RoutingContext rc)
    {
        // HTTP/1.1 Host or HTTP/2 :authority
        final io.vertx.core.net.HostAndPort authority = rc.request().authority();
        final String hostAndPort = authority == null ? rc.request().getHeader("Host") :
            authority.host() + (authority.port() >= 0 ? ":" + authority.port() : "");
        return (tls ? "https://" : "http://") + hostAndPort;
    }

    String csrf(final String bound)
    {
        try
        {
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(csrfKey, "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(bound.getBytes(StandardCharsets.UTF_8)));
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("HmacSHA256 missing from the JDK", ex);
        }
    }

    private Cookie cookie(final String name, final String value, final long maxAgeSeconds)
    {
        return Cookie.cookie(name, value).setPath("/").setHttpOnly(true).setSecure(tls).setSameSite(CookieSameSite.STRICT)
            .setMaxAge(maxAgeSeconds);
    }

    private Cookie expired(final String name)
    {
        return cookie(name, "", 0);
    }

    private static void secureHeaders(final RoutingContext rc)
    {
        rc.response()
            .putHeader("Cache-Control", "no-store")
            .putHeader("X-Frame-Options", "DENY")
            .putHeader("X-Content-Type-Options", "nosniff")
            .putHeader("Referrer-Policy", "same-origin")
            .putHeader("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
                "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
    }

    private static void redirect(final RoutingContext rc, final String location)
    {
        if (rc.request().getHeader("HX-Request") != null)
        {
            rc.response().putHeader("HX-Redirect", location).setStatusCode(204).end();
        }
        else
        {
            rc.response().putHeader("Location", location).setStatusCode(303).end();
        }
    }

    private void forbidden(final Req q, final String message)
    {
        final Map<String, Object> model = new HashMap<>();
        model.put("message", message);
        q.rc().response().setStatusCode(403);
        render(q, "error", model);
    }

    private void fail(final RoutingContext rc, final Throwable ex)
    {
        if (rc.response().ended())
        {
            return;
        }
        final int status = ex instanceof ApiFailure api ? api.status : 500;
        if (status == 500)
        {
            // the exception's class and message only: never a request's content
            LOG.warn("console: {} {} failed: {}", rc.request().method(), rc.currentRoute() == null ? "?" : rc.currentRoute().getPath(),
                ex.toString());
        }
        secureHeaders(rc);
        final Locale locale = locale(rc);
        final Context context = new Context(locale);
        context.setVariable("message", ex instanceof ApiFailure ? ex.getMessage() : messages.text(locale, "error.internal"));
        context.setVariable("lang", locale.getLanguage());
        context.setVariable("me", null);
        rc.response().setStatusCode(status == 401 ? 401 : status >= 500 ? 500 : status).putHeader("Content-Type", "text/html; charset=utf-8")
            .end(templates.process("error", context));
    }

    private void language(final RoutingContext rc)
    {
        final String lang = "en".equals(rc.pathParam("lang")) ? "en" : "uk";
        rc.response().addCookie(Cookie.cookie(LANG_COOKIE, lang).setPath("/").setSameSite(CookieSameSite.LAX).setSecure(tls)
            .setHttpOnly(true).setMaxAge(365L * 86400));
        // back to the page the switch was pressed on: a console path only
        final String back = rc.request().getParam("back");
        redirect(rc, back != null && back.startsWith("/") && !back.startsWith("//") ? back : "/");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // rendering

    Future<Void> render(final Req q, final String template, final Map<String, Object> model)
    {
        final Context context = new Context(q.locale());
        context.setVariables(model);
        context.setVariable("lang", q.locale().getLanguage());
        context.setVariable("me", me(q.principal()));
        context.setVariable("csrf", csrf("session:" + q.token()));
        context.setVariable("path", q.rc().request().path());
        final String fragment = q.rc().request().getHeader("HX-Request") != null && model.containsKey("fragment") ?
            (String)model.get("fragment") : null;
        final String html = fragment == null ? templates.process(template, context) :
            templates.process(template, Set.of(fragment), context);
        q.rc().response().putHeader("Content-Type", "text/html; charset=utf-8").end(html);
        return Future.succeededFuture();
    }

    private static Map<String, Object> me(final Principal principal)
    {
        final Map<String, Object> me = new HashMap<>();
        me.put("username", principal.actor());
        me.put("roles", principal.rolesText());
        me.put("district", principal.district());
        me.put("cases", principal.hasAny(CASE_ROLES));
        me.put("acts", principal.hasAny(Set.of(Role.CENTER_ADMIN, Role.DISTRICT_SPECIALIST, Role.DEPARTMENT_SPECIALIST)));
        me.put("terminals", principal.hasAny(TERMINAL_ROLES));
        me.put("reports", principal.hasAny(REPORT_ROLES));
        return me;
    }

    /** JSON from the API as plain maps and lists, which the templates read with {@code a.b}. */
    @SuppressWarnings("unchecked")
    static Object plain(final Object value)
    {
        if (value instanceof JsonObject json)
        {
            final Map<String, Object> map = new LinkedHashMap<>();
            json.forEach(e -> map.put(e.getKey(), plain(e.getValue())));
            return map;
        }
        if (value instanceof JsonArray array)
        {
            final List<Object> list = new ArrayList<>();
            array.forEach(v -> list.add(plain(v)));
            return list;
        }
        if (value instanceof Map<?, ?> map)
        {
            return plain(new JsonObject((Map<String, Object>)map));
        }
        if (value instanceof List<?> list)
        {
            return plain(new JsonArray((List<Object>)list));
        }
        return value;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // the REST API over loopback

    /** A refusal of the REST API, with its problem's detail. */
    static final class ApiFailure extends RuntimeException
    {
        private static final long serialVersionUID = 1L;
        final int status;

        ApiFailure(final int status, final String detail)
        {
            super(detail, null, false, false);
            this.status = status;
        }
    }

    Future<JsonObject> api(final Req q, final HttpMethod method, final String uri, final JsonObject body)
    {
        final var request = client.request(method, apiPort.getAsInt(), "127.0.0.1", "/api/v1" + uri)
            .putHeader("Authorization", "Bearer " + q.token())
            .putHeader("Accept", "application/json");
        final Future<HttpResponse<Buffer>> sent = body == null ? request.send() : request.sendJsonObject(body);
        return sent.compose(response ->
        {
            final Buffer text = response.body();
            if (response.statusCode() >= 200 && response.statusCode() < 300)
            {
                return Future.succeededFuture(text == null || text.length() == 0 ? new JsonObject() : new JsonObject(text));
            }
            String detail = "HTTP " + response.statusCode();
            try
            {
                final JsonObject problem = new JsonObject(text);
                detail = problem.getString("detail", problem.getString("title", detail));
            }
            catch (final RuntimeException ignore)
            {
                // not a problem document: the status says enough
            }
            return Future.failedFuture(new ApiFailure(response.statusCode(), detail));
        });
    }

    private Future<String> apiText(final Req q, final String uri)
    {
        return client.request(HttpMethod.GET, apiPort.getAsInt(), "127.0.0.1", "/api/v1" + uri)
            .putHeader("Authorization", "Bearer " + q.token()).send()
            .compose(response -> response.statusCode() == 200 ? Future.succeededFuture(response.bodyAsString()) :
                Future.failedFuture(new ApiFailure(response.statusCode(), "HTTP " + response.statusCode())));
    }

    /** The items of a list answer, or an empty list when the caller's roles may not list them. */
    private Future<JsonArray> items(final Req q, final String uri)
    {
        return api(q, HttpMethod.GET, uri, null).map(json -> json.getJsonArray("items", new JsonArray()))
            .recover(ex -> ex instanceof ApiFailure f && f.status == 403 ? Future.succeededFuture(new JsonArray()) :
                Future.failedFuture(ex));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // sign-in and sign-out

    private void loginPage(final RoutingContext rc, final String error, final int status)
    {
        secureHeaders(rc);
        final Locale locale = locale(rc);
        final byte[] nonce = new byte[18];
        new SecureRandom().nextBytes(nonce);
        final String value = Base64.getUrlEncoder().withoutPadding().encodeToString(nonce);
        rc.response().addCookie(cookie(PRELOGIN_COOKIE, value, 3600));
        final Context context = new Context(locale);
        context.setVariable("csrf", csrf("prelogin:" + value));
        context.setVariable("error", error);
        context.setVariable("lang", locale.getLanguage());
        context.setVariable("me", null);
        context.setVariable("path", "/login");
        rc.response().setStatusCode(status).putHeader("Content-Type", "text/html; charset=utf-8").end(templates.process("login", context));
    }

    private void login(final RoutingContext rc)
    {
        secureHeaders(rc);
        final Cookie prelogin = rc.request().getCookie(PRELOGIN_COOKIE);
        final Locale locale = locale(rc);
        if (prelogin == null || !csrfOk(rc, "prelogin:" + prelogin.getValue()))
        {
            loginPage(rc, messages.text(locale, "error.csrf"), 403);
            return;
        }
        final String username = rc.request().getFormAttribute("username");
        final String password = rc.request().getFormAttribute("password");
        if (username == null || password == null || username.isBlank() || password.isEmpty() || username.length() > 64 ||
            password.length() > 200)
        {
            loginPage(rc, messages.text(locale, "login.wrong"), 401);
            return;
        }
        accounts.signIn(username.strip(), password).onComplete(ar ->
        {
            if (ar.succeeded())
            {
                final long maxAge = Math.max(1, ar.result().expiresAt().getEpochSecond() - Instant.now().getEpochSecond());
                rc.response().addCookie(cookie(SESSION_COOKIE, ar.result().token(), maxAge)).addCookie(expired(PRELOGIN_COOKIE));
                redirect(rc, ar.result().principal().hasAny(CASE_ROLES) ? "/queue" : "/reports");
            }
            else if (ar.cause() instanceof Accounts.SignInRefused refused)
            {
                loginPage(rc, refused.retryAfterSeconds() > 0 ? messages.text(locale, "login.locked", refused.retryAfterSeconds()) :
                    messages.text(locale, "login.wrong"), refused.problem().status());
            }
            else
            {
                fail(rc, ar.cause());
            }
        });
    }

    private Future<Void> logout(final Req q)
    {
        return accounts.signOut(q.token(), q.principal()).map(v ->
        {
            q.rc().response().addCookie(expired(SESSION_COOKIE));
            redirect(q.rc(), "/login");
            return null;
        });
    }

    // ---------------------------------------------------------------------------------------------------------------
    // search

    private Future<Void> searchPeople(final Req q)
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

    private Future<Void> searchCases(final Req q)
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
        return render(q, "search", model);
    }

    private static String nz(final String text)
    {
        return text == null ? "" : text;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // a person

    private Future<Void> person(final Req q)
    {
        final long id = parseId(q.rc().pathParam("holderId"));
        return api(q, HttpMethod.GET, "/cardholders/" + id, null).compose(holder ->
        {
            final Long householdId = holder.getLong("householdId");
            final Future<JsonObject> household = householdId == null ? Future.succeededFuture(null) :
                api(q, HttpMethod.GET, "/households/" + householdId, null);
            final Future<JsonArray> cards = items(q, "/cards?holderId=" + id + "&limit=50");
            final Future<JsonArray> grants = items(q, "/cardholders/" + id + "/entitlements?limit=100");
            final Future<JsonArray> taps = items(q, "/taps?holderId=" + id + "&limit=20");
            final Future<JsonArray> cases = items(q, "/cases?holderId=" + id + "&limit=50");
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
                        tap.put("at", shortTime(tap.getString("decidedAt")));
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
                    return render(q, "person", model);
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
                loads.add(api(q, HttpMethod.GET, "/cardholders/" + memberId, null));
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
        return items(q, uri).map(items ->
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

    private String shortTime(final String instant)
    {
        if (instant == null)
        {
            return "";
        }
        final ZoneId zone = ctx.config().cityZone();
        return Instant.parse(instant).atZone(zone).toLocalDateTime().withNano(0).toString().replace('T', ' ');
    }

    private static long parseId(final String text)
    {
        try
        {
            final long id = Long.parseLong(text);
            if (id > 0)
            {
                return id;
            }
        }
        catch (final NumberFormatException ignore)
        {
            // answered below
        }
        throw new ApiFailure(404, "no such page");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // cases

    private Future<Void> newCase(final Req q)
    {
        final String holder = q.rc().request().getParam("holderId");
        final long holderId = holder == null ? 0 : parseId(holder);
        return api(q, HttpMethod.GET, "/service-cards", null).compose(cards ->
        {
            final Future<JsonObject> applicant = holderId == 0 ? Future.succeededFuture(null) :
                api(q, HttpMethod.GET, "/cardholders/" + holderId, null);
            return applicant.compose(person ->
            {
                final Map<String, Object> model = new HashMap<>();
                model.put("cards", plain(cards.getJsonArray("items")));
                model.put("applicant", person == null ? null : plain(person));
                model.put("selected", null);
                return render(q, "case-new", model);
            });
        });
    }

    private Future<Void> checklist(final Req q)
    {
        final String code = q.rc().request().getParam("serviceCode");
        if (code == null || !code.matches("^[0-9]{1,3}(-[0-9]{1,4})?$"))
        {
            q.rc().response().putHeader("Content-Type", "text/html; charset=utf-8").end("");
            return Future.succeededFuture();
        }
        return api(q, HttpMethod.GET, "/service-cards/" + code, null).compose(card ->
        {
            final Map<String, Object> model = new HashMap<>();
            model.put("selected", plain(card));
            model.put("fragment", "checklist");
            model.put("cards", List.of());
            model.put("applicant", null);
            return render(q, "case-new", model);
        });
    }

    private Future<Void> startCase(final Req q)
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
        return api(q, HttpMethod.POST, "/cases", body).compose(created ->
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
        return render(q, "error", model);
    }

    private Future<Void> casePage(final Req q, final String error)
    {
        final String caseId = caseId(q);
        return api(q, HttpMethod.GET, "/cases/" + caseId, null).compose(c ->
            api(q, HttpMethod.GET, "/service-cards/" + c.getString("serviceCode") + "?version=" + c.getInteger("cardVersion"), null)
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
                        entry.put("when", shortTime(entry.getString("at")));
                        history.add(entry);
                    }
                    model.put("c", plain(c));
                    model.put("card", plain(card));
                    model.put("docs", plain(docs));
                    model.put("history", plain(history));
                    model.put("actions", plain(mine));
                    model.put("error", error);
                    return render(q, "case", model);
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

    private Future<Void> act(final Req q)
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
        return api(q, HttpMethod.POST, "/cases/" + caseId + "/actions", body).compose(after ->
        {
            redirect(q.rc(), "/cases/" + caseId);
            return Future.<Void>succeededFuture();
        }).recover(ex -> ex instanceof ApiFailure failure && failure.status < 500 ? casePage(q, failure.getMessage()) :
            Future.failedFuture(ex));
    }

    private Future<Void> queue(final Req q)
    {
        if (!q.principal().hasAny(CASE_ROLES))
        {
            redirect(q.rc(), "/reports");
            return Future.succeededFuture();
        }
        final Future<JsonArray> active = items(q, "/cases?status=ACTIVE&limit=500");
        final Future<JsonArray> suspended = items(q, "/cases?status=SUSPENDED&limit=500");
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
            return render(q, "queue", model);
        });
    }

    // ---------------------------------------------------------------------------------------------------------------
    // committee sessions

    private Future<Void> committee(final Req q, final String message, final String error)
    {
        final String chosen = q.rc().request().getParam("committee");
        return api(q, HttpMethod.GET, "/service-cards", null).compose(cards ->
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
                items(q, "/cases?waitingFor=" + java.net.URLEncoder.encode(committee, StandardCharsets.UTF_8) + "&limit=200");
            return waiting.compose(cases ->
            {
                final Map<String, Object> model = new HashMap<>();
                model.put("committees", committees);
                model.put("committee", committee);
                model.put("cases", plain(cases));
                model.put("today", LocalDate.now(ctx.clock().withZone(ctx.config().cityZone())).toString());
                model.put("message", message);
                model.put("error", error);
                return render(q, "committee", model);
            });
        });
    }

    private Future<Void> committeeSession(final Req q)
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
        return api(q, HttpMethod.POST, "/committee-sessions", body)
            .compose(result -> committee(q, messages.text(q.locale(), "committee.decided", result.getJsonArray("items").size()), null))
            .recover(ex -> ex instanceof ApiFailure failure && failure.status < 500 ? committee(q, null, failure.getMessage()) :
                Future.failedFuture(ex));
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

    private Future<Void> reports(final Req q)
    {
        final LocalDate[] range = range(q);
        final String period = "from=" + range[0] + "&to=" + range[1];
        final Future<JsonObject> aid = api(q, HttpMethod.GET, "/reports/aid?" + period, null)
            .recover(ex -> ex instanceof ApiFailure f && f.status == 403 ? Future.succeededFuture(null) : Future.failedFuture(ex));
        final Future<JsonObject> meals = api(q, HttpMethod.GET, "/reports/meals?" + period, null)
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
            return render(q, "reports", model);
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

    private Future<Void> reportCsv(final Req q)
    {
        final String kind = q.rc().pathParam("kind");
        if (!"aid.csv".equals(kind) && !"meals.csv".equals(kind))
        {
            throw new ApiFailure(404, "no such report");
        }
        final LocalDate[] range = range(q);
        final String name = kind.substring(0, kind.length() - 4);
        return apiText(q, "/reports/" + name + "?format=csv&from=" + range[0] + "&to=" + range[1]).map(csv ->
        {
            q.rc().response().putHeader("Content-Type", "text/csv; charset=utf-8")
                .putHeader("Content-Disposition", "attachment; filename=\"" + name + "-" + range[0] + "-" + range[1] + ".csv\"")
                .end(csv);
            return null;
        });
    }

    private Future<Void> terminals(final Req q)
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
                        last.isBefore(now.minusSeconds(SILENT_AFTER_HOURS * 3600)));
                    silent += quiet ? 1 : 0;
                    list.add(new JsonObject().put("id", row.getLong("id")).put("outletId", row.getInteger("outlet_id"))
                        .put("outletName", row.getString("outlet_name")).put("enabled", row.getBoolean("enabled"))
                        .put("description", row.getString("description"))
                        .put("lastSeen", last == null ? null : shortTime(last.toString())).put("silent", quiet));
                }
                final Map<String, Object> model = new HashMap<>();
                model.put("terminals", plain(list));
                model.put("silentCount", silent);
                model.put("silentHours", SILENT_AFTER_HOURS);
                return render(q, "terminals", model);
            });
    }
}
