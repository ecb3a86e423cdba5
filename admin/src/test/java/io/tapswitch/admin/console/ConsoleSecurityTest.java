package io.tapswitch.admin.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.tapswitch.admin.AdminHarness;
import io.tapswitch.admin.TestPostgres;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's protections over plain HTTP (no browser): cookie attributes, CSRF tokens on every form, a
 * cross-origin form refused, pages not cached nor framed, sign-out ending the session, a page of another district
 * answered as not found.
 */
class ConsoleSecurityTest
{
    private static final String PASSWORD = "console password 1";
    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");
    @TempDir
    static Path dataDir;
    @TempDir
    static Path switchDir;
    private static AdminHarness admin;
    private static String base;
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception
    {
        admin = new AdminHarness(TestPostgres.newDatabase(), dataDir, switchDir).start();
        base = admin.service().baseUrl();
        final AdminHarness.Response created = admin.post("/api/v1/accounts", AdminHarness.ADMIN, new JsonObject()
            .put("username", "olena.k").put("displayName", "Олена К.").put("roles", new JsonArray().add("district_specialist"))
            .put("workplace", "SOCIAL_PROTECTION_UNIT").put("district", "Північний").put("password", PASSWORD));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
    }

    @AfterAll
    static void stop() throws Exception
    {
        admin.close();
    }

    private HttpResponse<String> get(final String path, final String cookies) throws Exception
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).GET();
        if (cookies != null)
        {
            request.header("Cookie", cookies);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(final String path, final String cookies, final String origin, final String... form)
        throws Exception
    {
        final StringBuilder body = new StringBuilder();
        for (int i = 0; i < form.length; i += 2)
        {
            body.append(body.length() == 0 ? "" : "&").append(form[i]).append('=')
                .append(URLEncoder.encode(form[i + 1], StandardCharsets.UTF_8));
        }
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (cookies != null)
        {
            request.header("Cookie", cookies);
        }
        if (origin != null)
        {
            request.header("Origin", origin);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String cookie(final HttpResponse<?> response, final String name)
    {
        return response.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(name + "=")).findFirst().orElse(null);
    }

    private static String csrf(final String html)
    {
        final Matcher matcher = CSRF.matcher(html);
        assertThat(matcher.find()).as("a CSRF field in the page").isTrue();
        return matcher.group(1);
    }

    /** Signs in; returns the session cookie pair. */
    private String signIn() throws Exception
    {
        final HttpResponse<String> page = get("/login", null);
        final String prelogin = cookie(page, Console.PRELOGIN_COOKIE).split(";")[0];
        final HttpResponse<String> signedIn = post("/login", prelogin, null, "_csrf", csrf(page.body()), "username", "olena.k",
            "password", PASSWORD);
        assertThat(signedIn.statusCode()).isEqualTo(303);
        return cookie(signedIn, Console.SESSION_COOKIE).split(";")[0];
    }

    @Test
    void shouldSetStrictHttpOnlyCookiesAndRefuseFormsWithoutTheirToken() throws Exception
    {
        final HttpResponse<String> page = get("/login", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Cache-Control")).contains("no-store");
        assertThat(page.headers().firstValue("X-Frame-Options")).contains("DENY");
        assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("script-src 'self'")
            .contains("frame-ancestors 'none'");
        final String prelogin = cookie(page, Console.PRELOGIN_COOKIE);
        assertThat(prelogin).containsIgnoringCase("HttpOnly").contains("SameSite=Strict").doesNotContain("Secure");
        final String preloginPair = prelogin.split(";")[0];

        // no token, a wrong token, a token of another pre-sign-in cookie: refused, no session
        for (final List<String> form : List.of(List.of("username", "olena.k", "password", PASSWORD),
            List.of("_csrf", "AAAA", "username", "olena.k", "password", PASSWORD)))
        {
            final HttpResponse<String> refused = post("/login", preloginPair, null, form.toArray(new String[0]));
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(cookie(refused, Console.SESSION_COOKIE)).isNull();
        }
        final HttpResponse<String> other = get("/login", null);
        assertThat(post("/login", preloginPair, null, "_csrf", csrf(other.body()), "username", "olena.k", "password", PASSWORD)
            .statusCode()).isEqualTo(403);
        // a wrong password: 401, no session
        final HttpResponse<String> wrong = post("/login", preloginPair, null, "_csrf", csrf(page.body()), "username", "olena.k",
            "password", "not the password");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(cookie(wrong, Console.SESSION_COOKIE)).isNull();

        final HttpResponse<String> signedIn = post("/login", preloginPair, null, "_csrf", csrf(page.body()), "username", "olena.k",
            "password", PASSWORD);
        assertThat(signedIn.statusCode()).isEqualTo(303);
        assertThat(signedIn.headers().firstValue("Location")).contains("/queue");
        final String session = cookie(signedIn, Console.SESSION_COOKIE);
        assertThat(session).containsIgnoringCase("HttpOnly").contains("SameSite=Strict").contains("Max-Age=");
        assertThat(admin.count("SELECT count(*) FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE a.username = 'olena.k' " +
            "AND s.revoked_at IS NULL")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void shouldRefuseACrossOriginOrTokenlessPostAndEndTheSessionOnSignOut() throws Exception
    {
        final String session = signIn();
        final HttpResponse<String> search = get("/search", session);
        assertThat(search.statusCode()).isEqualTo(200);
        assertThat(search.body()).contains("olena.k");
        final String token = csrf(search.body());

        assertThat(post("/search/people", session, null, "name", "Мельник").statusCode()).isEqualTo(403);
        assertThat(post("/search/people", session, "http://evil.example", "_csrf", token, "name", "Мельник").statusCode())
            .isEqualTo(403);
        final HttpResponse<String> found = post("/search/people", session, base, "_csrf", token, "name", "Мельник");
        assertThat(found.statusCode()).as(found.body()).isEqualTo(200);
        assertThat(found.body()).contains("id=\"people-results\"");

        // another district's person: not found, and nothing of it shown
        final long south = admin.post("/api/v1/households", AdminHarness.ADMIN, new JsonObject().put("district", "Південний")).json()
            .getLong("id");
        final long holder = admin.post("/api/v1/cardholders", AdminHarness.ADMIN, new JsonObject().put("householdId", south)
            .put("familyName", "Бойко").put("givenName", "Тетяна")).json().getLong("id");
        final HttpResponse<String> hidden = get("/people/" + holder, session);
        assertThat(hidden.statusCode()).isEqualTo(404);
        assertThat(hidden.body()).doesNotContain("Бойко");

        final HttpResponse<String> out = post("/logout", session, null, "_csrf", token);
        assertThat(out.statusCode()).isEqualTo(303);
        assertThat(out.headers().firstValue("Location")).contains("/login");
        final HttpResponse<String> after = get("/queue", session);
        assertThat(after.statusCode()).isEqualTo(303);
        assertThat(after.headers().firstValue("Location")).contains("/login");
    }
}
