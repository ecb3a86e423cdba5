package io.tapswitch.admin;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import io.vertx.core.json.JsonObject;

/**
 * A running admin service on a fresh database of the shared embedded PostgreSQL, with one token per role and a
 * small HTTP client.
 */
public final class AdminHarness implements AutoCloseable
{
    public static final String ADMIN = "token-center-admin-0001";
    public static final String DISTRICT = "token-district-specialist-0001";
    public static final String DEPARTMENT = "token-department-specialist-0001";
    public static final String AUDITOR = "token-auditor-0000000001";
    public static final String OPERATOR = "token-operator-000000001";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String dbUrl;
    private final Path dataDir;
    private final Path switchDataDir;
    private AdminService service;

    /**
     * @param dbUrl         database URL (from {@link TestPostgres#newDatabase()}).
     * @param dataDir       admin data directory.
     * @param switchDataDir switch data directory.
     */
    public AdminHarness(final String dbUrl, final Path dataDir, final Path switchDataDir)
    {
        this.dbUrl = dbUrl;
        this.dataDir = dataDir;
        this.switchDataDir = switchDataDir;
    }

    public static AdminConfig config(final String dbUrl, final Path dataDir, final Path switchDataDir)
    {
        return new AdminConfig()
            .port(0)
            .metricsPort(0)
            .dbUrl(dbUrl)
            .dataDir(dataDir)
            .switchDataDir(switchDataDir)
            .pollIntervalMs(10)
            .tokens(TokenRegistry.of(Map.of(
                ADMIN, new Principal("olena", Set.of(Role.CENTER_ADMIN)),
                DISTRICT, new Principal("taras", Set.of(Role.DISTRICT_SPECIALIST)),
                DEPARTMENT, new Principal("iryna", Set.of(Role.DEPARTMENT_SPECIALIST)),
                AUDITOR, new Principal("auditor", Set.of(Role.AUDITOR)),
                OPERATOR, new Principal("ops", Set.of(Role.OPERATOR)))));
    }

    public AdminHarness start(final AdminConfig config) throws Exception
    {
        service = new AdminService(config.conclude()).start().toCompletionStage().toCompletableFuture().get(2, TimeUnit.MINUTES);
        return this;
    }

    public AdminHarness start() throws Exception
    {
        return start(config(dbUrl, dataDir, switchDataDir));
    }

    public AdminService service()
    {
        return service;
    }

    public String dbUrl()
    {
        return dbUrl;
    }

    /** An HTTP response: status, content type and body. */
    public record Response(int status, String contentType, String text)
    {
        public JsonObject json()
        {
            return new JsonObject(text);
        }

        public String firstErrorField()
        {
            return json().getJsonArray("errors").getJsonObject(0).getString("field");
        }
    }

    public Response get(final String path, final String token) throws Exception
    {
        return send("GET", path, token, null, null);
    }

    public Response post(final String path, final String token, final JsonObject body) throws Exception
    {
        return send("POST", path, token, body == null ? null : body.encode(), "application/json");
    }

    public Response send(final String method, final String path, final String token, final String body,
        final String contentType) throws Exception
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service.baseUrl() + path))
            .timeout(Duration.ofSeconds(30))
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null)
        {
            request.header("Authorization", "Bearer " + token);
        }
        if (contentType != null)
        {
            request.header("Content-Type", contentType);
        }
        final HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Response(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), response.body());
    }

    public Response metrics() throws Exception
    {
        final HttpResponse<String> response = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + service.metricsPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        return new Response(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), response.body());
    }

    public long count(final String sql)
    {
        return TestPostgres.queryLong(dbUrl, sql);
    }

    /**
     * Waits for a condition, polling, failing after the deadline.
     */
    public static void awaitTrue(final String what, final long timeoutMs, final BooleanSupplier condition) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean())
        {
            if (deadlineNs - System.nanoTime() < 0)
            {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    @Override
    public void close() throws java.util.concurrent.ExecutionException, java.util.concurrent.TimeoutException
    {
        if (service != null)
        {
            try
            {
                service.stop().toCompletionStage().toCompletableFuture().get(1, TimeUnit.MINUTES);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while stopping the admin service", ex);
            }
            service = null;
        }
    }
}
