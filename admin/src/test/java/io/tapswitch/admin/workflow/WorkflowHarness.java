package io.tapswitch.admin.workflow;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.tapswitch.admin.AdminConfig;
import io.tapswitch.admin.AdminService;
import io.tapswitch.admin.Principal;
import io.tapswitch.admin.Role;
import io.tapswitch.admin.TestPostgres;
import io.tapswitch.admin.TokenRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

/**
 * A real admin service for the workflow tests: a fresh database of the shared embedded PostgreSQL, the HTTP API on a free loopback port, a
 * settable clock, one token per role, and the workflow and report modules found by the service loader.
 */
public final class WorkflowHarness implements AutoCloseable
{
    public static final String CENTER = "t-center";
    public static final String DISTRICT = "t-district";
    public static final String DEPARTMENT = "t-department";
    public static final String AUDITOR = "t-auditor";
    public static final String OPERATOR = "t-operator";

    public final SettableClock clock;
    public final AdminService service;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** A clock the test moves. */
    public static final class SettableClock extends Clock
    {
        private final AtomicReference<Instant> now;

        SettableClock(final Instant start)
        {
            now = new AtomicReference<>(start);
        }

        public void set(final Instant instant)
        {
            now.set(instant);
        }

        @Override
        public ZoneId getZone()
        {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(final ZoneId zone)
        {
            return this;
        }

        @Override
        public Instant instant()
        {
            return now.get();
        }
    }

    /** An HTTP answer. */
    public record Reply(int status, String contentType, String text)
    {
        public JsonObject json()
        {
            return new JsonObject(text);
        }
    }

    public WorkflowHarness(final Path dir, final Instant start, final JsonObject workflowConfig) throws Exception
    {
        clock = new SettableClock(start);
        final AdminConfig config = new AdminConfig()
            .port(0)
            .metricsPort(0)
            .dbUrl(TestPostgres.newDatabase())
            .dataDir(dir.resolve("admin"))
            .switchDataDir(dir.resolve("switch"))
            .pollIntervalMs(20)
            .clock(clock)
            .tokens(TokenRegistry.of(Map.of(
                CENTER, new Principal("center-admin-1", Set.of(Role.CENTER_ADMIN)),
                DISTRICT, new Principal("district-1", Set.of(Role.DISTRICT_SPECIALIST)),
                DEPARTMENT, new Principal("department-1", Set.of(Role.DEPARTMENT_SPECIALIST)),
                AUDITOR, new Principal("auditor-1", Set.of(Role.AUDITOR)),
                OPERATOR, new Principal("operator-1", Set.of(Role.OPERATOR)))))
            .extra(new JsonObject().put("workflow", workflowConfig));
        service = await(new AdminService(config).start());
    }

    static <T> T await(final Future<T> future) throws Exception
    {
        return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    public RowSet<Row> sql(final String sql, final Object... args) throws Exception
    {
        return await(service.context().pool().preparedQuery(sql).execute(Tuple.from(args)));
    }

    public Reply get(final String token, final String path) throws Exception
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service.baseUrl() + path))
            .timeout(Duration.ofSeconds(20)).GET();
        if (null != token)
        {
            request.header("Authorization", "Bearer " + token);
        }
        return send(request.build());
    }

    public Reply post(final String token, final String path, final JsonObject body) throws Exception
    {
        return send(HttpRequest.newBuilder(URI.create(service.baseUrl() + path))
            .timeout(Duration.ofSeconds(20))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.encode(), StandardCharsets.UTF_8)).build());
    }

    public Reply put(final String token, final String path, final JsonObject body) throws Exception
    {
        return send(HttpRequest.newBuilder(URI.create(service.baseUrl() + path))
            .timeout(Duration.ofSeconds(20))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(body.encode(), StandardCharsets.UTF_8)).build());
    }

    public CompletableFuture<Reply> postAsync(final String token, final String path,
        final JsonObject body)
    {
        return http.sendAsync(HttpRequest.newBuilder(URI.create(service.baseUrl() + path))
                .timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.encode(), StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
            .thenApply(response -> new Reply(response.statusCode(),
                response.headers().firstValue("Content-Type").orElse(""), response.body()));
    }

    public Reply metrics() throws Exception
    {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.metricsPort() + "/metrics"))
            .timeout(Duration.ofSeconds(20)).GET().build());
    }

    private Reply send(final HttpRequest request) throws Exception
    {
        final HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return new Reply(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
            response.body());
    }

    @Override
    public void close() throws Exception
    {
        await(service.stop());
    }
}
