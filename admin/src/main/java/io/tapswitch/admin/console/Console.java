package io.tapswitch.admin.console;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Base64;
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
 * This class holds what every page shares: the routes, sessions and CSRF, sign-in, rendering and the loopback API
 * client; the pages are by area: {@link PeoplePages} (search, a person), {@link CasePages} (cases, the queue,
 * committee sessions), {@link ReportPages} (reports, terminals).
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
    static final Set<Role> CASE_ROLES = Set.of(Role.CENTER_ADMIN, Role.DISTRICT_SPECIALIST, Role.DEPARTMENT_SPECIALIST,
        Role.AUDITOR);
    private static final Set<Role> TERMINAL_ROLES = Set.of(Role.CENTER_ADMIN, Role.DEPARTMENT_SPECIALIST, Role.AUDITOR,
        Role.OPERATOR);
    private static final Set<Role> REPORT_ROLES = Set.of(Role.CENTER_ADMIN, Role.DISTRICT_SPECIALIST, Role.DEPARTMENT_SPECIALIST,
        Role.AUDITOR, Role.DONOR, Role.EDUCATION_DEPARTMENT);

    final AdminContext ctx;
    private final Accounts accounts;
    private final IntSupplier apiPort;
    private final boolean tls;
    private final WebClient client;
    private final TemplateEngine templates;
    final Messages messages = new Messages();
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
        final PeoplePages people = new PeoplePages(this);
        final CasePages cases = new CasePages(this);
        final ReportPages reports = new ReportPages(this);
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
        root.post("/search/people").handler(rc -> signedIn(rc, CASE_ROLES, people::searchPeople));
        root.post("/search/cases").handler(rc -> signedIn(rc, CASE_ROLES, people::searchCases));
        root.get("/people/:holderId").handler(rc -> signedIn(rc, CASE_ROLES, people::person));
        root.get("/cases/new").handler(rc -> signedIn(rc, CASE_ROLES, cases::newCase));
        root.get("/cases/checklist").handler(rc -> signedIn(rc, CASE_ROLES, cases::checklist));
        root.post("/cases").handler(rc -> signedIn(rc, CASE_ROLES, cases::startCase));
        root.get("/cases/:caseId").handler(rc -> signedIn(rc, CASE_ROLES, q -> cases.casePage(q, null)));
        root.post("/cases/:caseId/act").handler(rc -> signedIn(rc, CASE_ROLES, cases::act));
        root.get("/queue").handler(rc -> signedIn(rc, Set.of(), cases::queue));
        root.get("/committee").handler(rc -> signedIn(rc, CASE_ROLES, q -> cases.committee(q, null, null)));
        root.post("/committee").handler(rc -> signedIn(rc, CASE_ROLES, cases::committeeSession));
        root.get("/reports").handler(rc -> signedIn(rc, REPORT_ROLES, reports::reports));
        root.get("/reports/:kind").handler(rc -> signedIn(rc, REPORT_ROLES, reports::reportCsv));
        root.get("/terminals").handler(rc -> signedIn(rc, TERMINAL_ROLES, reports::terminals));
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

    static void redirect(final RoutingContext rc, final String location)
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

    Future<String> apiText(final Req q, final String uri)
    {
        return client.request(HttpMethod.GET, apiPort.getAsInt(), "127.0.0.1", "/api/v1" + uri)
            .putHeader("Authorization", "Bearer " + q.token()).send()
            .compose(response -> response.statusCode() == 200 ? Future.succeededFuture(response.bodyAsString()) :
                Future.failedFuture(new ApiFailure(response.statusCode(), "HTTP " + response.statusCode())));
    }

    /** The items of a list answer, or an empty list when the caller's roles may not list them. */
    Future<JsonArray> items(final Req q, final String uri)
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
    // helpers of the pages

    static String nz(final String text)
    {
        return text == null ? "" : text;
    }

    String shortTime(final String instant)
    {
        if (instant == null)
        {
            return "";
        }
        final ZoneId zone = ctx.config().cityZone();
        return Instant.parse(instant).atZone(zone).toLocalDateTime().withNano(0).toString().replace('T', ' ');
    }

    static long parseId(final String text)
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
}
