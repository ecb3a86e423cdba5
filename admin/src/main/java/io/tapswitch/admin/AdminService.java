package io.tapswitch.admin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tapswitch.admin.api.Api;

import io.tapswitch.admin.api.ApiModule;
import io.tapswitch.admin.api.ApiRoutes;
import io.tapswitch.admin.api.CallerThrottle;
import io.tapswitch.admin.api.Contract;
import io.tapswitch.admin.api.InputGuard;
import io.tapswitch.admin.api.Problems;
import io.tapswitch.admin.db.Database;
import io.tapswitch.admin.ingest.JournalIngester;
import io.tapswitch.admin.metrics.DbPoolMetrics;
import io.tapswitch.admin.outbox.CommandOutbox;
import io.tapswitch.admin.outbox.KeySealer;
import io.tapswitch.admin.outbox.OutboxPublisher;
import io.tapswitch.admin.registry.RegistryModule;
import io.tapswitch.formats.Queues;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin service, startable and stoppable in-process: PostgreSQL (embedded or configured) migrated by
 * Flyway, the REST API validated against the OpenAPI contract, the outbox publisher to the switch's command
 * queue, the journal ingester, and the Prometheus endpoint.
 * <p>
 * Threading: {@link #start()} and {@link #stop()} are called once each, from any thread; they return futures.
 */
public final class AdminService
{
    /** Largest request body accepted. */
    public static final long MAX_BODY_BYTES = 1024 * 1024;
    /** How long {@code /ready} waits for PostgreSQL to answer {@code SELECT 1}. */
    public static final long READY_DB_TIMEOUT_MS = 2_000;
    /** {@code /ready} says the outbox is behind when its oldest unpublished command is older than this. */
    public static final long READY_MAX_OUTBOX_AGE_MS = 30_000;
    /** {@code /ready} says the ingester is behind when its lag exceeds this. */
    public static final long READY_MAX_INGEST_LAG_MS = 30_000;
    /** Longest request line (method, path and query). */
    public static final int MAX_INITIAL_LINE_BYTES = 8192;
    /** Largest total of a request's headers; more is answered 431. */
    public static final int MAX_HEADER_BYTES = 16 * 1024;
    /** A connection that sends and receives nothing for this long is closed. */
    public static final int IDLE_TIMEOUT_SECONDS = 60;
    private static final Logger LOG = LoggerFactory.getLogger(AdminService.class);
    private static final String MAIN_CONTRACT = "openapi.yaml";
    /** One line per REST request; configure it (or turn it off with access-log=false) as logger tapswitch.admin.access. */
    private static final org.slf4j.Logger ACCESS_LOG = org.slf4j.LoggerFactory.getLogger("tapswitch.admin.access");
    private static final Set<String> FIXED_ROUTES = Set.of("/health", "/ready", "/api/v1/openapi.yaml");

    private final AdminConfig config;
    private final List<ApiModule> modules = new ArrayList<>();
    private final io.tapswitch.admin.account.AccountModule accountModule = new io.tapswitch.admin.account.AccountModule();
    private Vertx vertx;
    private Database database;
    private Pool pool;
    private PrometheusMeterRegistry registry;
    private volatile OutboxPublisher publisher;
    private JournalIngester ingester;
    private AdminContext context;
    private Contract contract;
    private HttpServer httpServer;
    private HttpServer metricsServer;
    private JvmGcMetrics gcMetrics;
    private CallerThrottle throttle;

    /**
     * @param config the configuration; {@link AdminConfig#conclude()} is called at start if needed.
     */
    public AdminService(final AdminConfig config)
    {
        this.config = config;
        modules.add(new RegistryModule());
        modules.add(accountModule);
    }

    /**
     * Adds an API module besides those found by {@link ServiceLoader}. Call before {@link #start()}.
     *
     * @param module the module.
     * @return this.
     */
    public AdminService addModule(final ApiModule module)
    {
        modules.add(module);
        return this;
    }

    /**
     * Starts everything; completes when the HTTP API accepts requests.
     *
     * @return this service once started.
     */
    public Future<AdminService> start()
    {
        if (config.tokens() == null)
        {
            config.conclude();
        }
        for (final ApiModule module : ServiceLoader.load(ApiModule.class))
        {
            if (modules.stream().noneMatch(m -> m.getClass().equals(module.getClass())))
            {
                modules.add(module);
            }
        }
        // completed outside any Vert.x context: the caller's continuations must not run on an event loop that a
        // failed start closes
        final Promise<AdminService> started = Promise.promise();
        registry = io.tapswitch.formats.metrics.PrometheusLint.apply(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        final DbPoolMetrics poolMetrics = new DbPoolMetrics(registry);
        vertx = Vertx.builder().with(DbPoolMetrics.vertxOptions()).withMetrics(poolMetrics.factory()).build();
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        io.tapswitch.formats.metrics.BuildInfo.bindProcessMeters(registry);
        gcMetrics = new JvmGcMetrics();
        gcMetrics.bindTo(registry);
        vertx.executeBlocking(() ->
            {
                Queues.disableAnalytics();
                Files.createDirectories(config.dataDir());
                Files.createDirectories(config.switchDataDir());
                database = Database.open(config);
                return KeySealer.open(config.dataDir().resolve("master.key"));
            })
            .compose(sealer ->
            {
                pool = database.pool(vertx, config.poolSize());
                final CommandOutbox outbox = new CommandOutbox(config.clock(), sealer);
                final Path switchDir = config.switchDataDir();
                context = new AdminContext(vertx, pool, config, new AuditLog(config.clock()), outbox, registry, this::wakePublisher);
                return vertx.executeBlocking(() ->
                {
                    publisher = new OutboxPublisher(pool, switchDir, sealer, config.clock(), config.pollIntervalMs(), registry);
                    publisher.prepare();
                    if (config.publisherEnabled())
                    {
                        publisher.start();
                    }
                    if (config.ingesterEnabled())
                    {
                        ingester = new JournalIngester(database::jdbcConnection, switchDir, config.clock(), config.ingestBatch(),
                            config.ingestStreams(), config.pollIntervalMs(), registry);
                        ingester.start();
                    }
                    return null;
                });
            })
            .compose(v -> startModules(0))
            .compose(v -> buildRouter())
            .compose(this::listen)
            .onComplete(ar ->
            {
                if (ar.succeeded())
                {
                    started.complete(this);
                }
                else
                {
                    LOG.error("admin service failed to start: {}", ar.cause().toString());
                    stop().onComplete(ignore -> started.fail(ar.cause()));
                }
            });
        return started.future();
    }

    private void wakePublisher()
    {
        final OutboxPublisher p = publisher;
        if (p != null)
        {
            p.wake();
        }
    }

    private Future<Void> startModules(final int index)
    {
        if (index == modules.size())
        {
            return Future.succeededFuture();
        }
        return modules.get(index).start(context).compose(v -> startModules(index + 1));
    }

    private Future<Router> buildRouter()
    {
        final List<String> fragments = new ArrayList<>();
        for (final ApiModule module : modules)
        {
            if (module.contractResource() != null)
            {
                fragments.add(module.contractResource());
            }
        }
        contract = Contract.load(MAIN_CONTRACT, fragments);
        return OpenAPIContract.from(vertx, contract.validatorDocument()).map(openApi ->
        {
            final RouterBuilder builder = RouterBuilder.create(vertx, openApi, RequestExtractor.withBodyHandler());
            builder.rootHandler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));
            builder.rootHandler(this::measure);
            builder.rootHandler(this::authorize);
            // raw input checks of every operation, before the contract's validation (InputGuard)
            builder.rootHandler(rc ->
            {
                // the console's pages and forms (issue 17) are not API operations
                if (rc.normalizedPath().startsWith(Contract.BASE_PATH + "/"))
                {
                    InputGuard.handle(rc);
                }
                else
                {
                    rc.next();
                }
            });
            final ApiRoutes routes = new ApiRoutes(builder);
            for (final ApiModule module : modules)
            {
                module.mount(context, routes);
            }
            final List<String> missing = new ArrayList<>();
            for (final Contract.OperationSpec spec : contract.operations())
            {
                if (!routes.mounted().contains(spec.operationId()))
                {
                    missing.add(spec.operationId());
                }
            }
            if (!missing.isEmpty())
            {
                throw new IllegalStateException("contract operations without a handler: " + missing);
            }
            final Router root = builder.createRouter();
            // the caseworkers' console at / (issue 17), before the catch-all handlers below
            new io.tapswitch.admin.console.Console(context, accountModule.accounts(), this::httpPort,
                config.tlsCertFile() != null).mount(root);
            root.get("/health").handler(rc -> Api.sendJson(rc, 200, new JsonObject().put("status", "up")));
            root.get("/ready").handler(new Readiness(vertx, pool, config, () -> publisher, () -> ingester)::handle);
            root.get(Contract.BASE_PATH + "/openapi.yaml").handler(rc -> rc.response()
                .putHeader("Content-Type", "application/yaml; charset=utf-8").end(contract.yaml()));
            root.route().failureHandler(Problems::handleFailure);
            root.errorHandler(404, rc ->
            {
                final io.tapswitch.admin.api.ApiException badPath = InputGuard.checkRawPath(rc);
                Problems.send(rc, badPath != null ? badPath : Problems.forStatus(404, null));
            });
            // the router's own refusals (a malformed path) answer problem+json like everything else
            root.errorHandler(400, rc ->
            {
                final io.tapswitch.admin.api.ApiException badPath = InputGuard.checkRawPath(rc);
                Problems.send(rc, badPath != null ? badPath : rc.failure() != null ? Problems.fromFailure(rc.failure()) :
                    io.tapswitch.admin.api.ApiException.badRequest(null, "the request is not valid"));
            });
            root.errorHandler(405, rc -> Problems.send(rc, Problems.forStatus(405, null)));
            root.errorHandler(413, rc -> Problems.send(rc, Problems.forStatus(413, null)));
            root.errorHandler(500, Problems::handleFailure);
            return root;
        });
    }

    /**
     * Authenticates the bearer token and checks the operation's roles before validation, so a caller
     * without the right learns nothing about the input rules and changes nothing.
     */
    private void authorize(final RoutingContext rc)
    {
        final String fullPath = rc.normalizedPath();
        if (!fullPath.startsWith(Contract.BASE_PATH + "/") || FIXED_ROUTES.contains(fullPath))
        {
            rc.next();
            return;
        }
        final String path = fullPath.substring(Contract.BASE_PATH.length());
        final Contract.OperationSpec operation = contract.match(rc.request().method(), path);
        if (operation == null)
        {
            final io.tapswitch.admin.api.ApiException badPath = InputGuard.checkRawPath(rc);
            Problems.send(rc, badPath != null ? badPath : Problems.forStatus(contract.hasPath(path) ? 405 : 404, null));
            return;
        }
        rc.put(Api.OPERATION_KEY, operation);
        if (operation.open())
        {
            if (throttled(rc, "address:" + clientAddress(rc)))
            {
                return;
            }
            rc.next();
            return;
        }
        final String header = rc.request().getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() <= 7)
        {
            if (!throttled(rc, "address:" + clientAddress(rc)))
            {
                Problems.send(rc, Problems.forStatus(401, "a bearer token is required"));
            }
            return;
        }
        final String token = header.substring(7).trim();
        final Principal configured = config.tokens().authenticate(token);
        if (configured != null)
        {
            admit(rc, operation, configured);
            return;
        }
        // not a configured token: a session of a signed-in account, or nothing
        accountModule.accounts().authenticate(token).onComplete(ar ->
        {
            if (ar.failed())
            {
                rc.fail(ar.cause());
            }
            else if (ar.result() == null)
            {
                if (!throttled(rc, "address:" + clientAddress(rc)))
                {
                    Problems.send(rc, Problems.forStatus(401, "the bearer token is not valid (unknown, expired or revoked)"));
                }
            }
            else
            {
                admit(rc, operation, ar.result());
            }
        });
    }

    private void admit(final RoutingContext rc, final Contract.OperationSpec operation, final Principal principal)
    {
        if (throttled(rc, "principal:" + principal.actor()))
        {
            return;
        }
        if (!principal.hasAny(operation.roles()))
        {
            Problems.send(rc, Problems.forStatus(403, "operation " + operation.operationId() + " needs one of the roles " +
                roleNames(operation.roles()) + "; the token has " + principal.rolesText()));
            return;
        }
        rc.put(Api.PRINCIPAL_KEY, principal);
        rc.next();
    }

    /**
     * @return the accounts and sessions (after start), for the console.
     */
    public io.tapswitch.admin.account.Accounts accounts()
    {
        return accountModule.accounts();
    }

    private static String clientAddress(final RoutingContext rc)
    {
        final io.vertx.core.net.SocketAddress address = rc.request().connection().remoteAddress();
        return address == null ? "unknown" : address.hostAddress();
    }

    /**
     * Takes the request from the caller's bucket; answers 429 with {@code Retry-After} when it is empty.
     *
     * @return true when the request was answered (throttled).
     */
    private boolean throttled(final RoutingContext rc, final String caller)
    {
        final long waitSeconds = throttle.acquire(caller);
        if (waitSeconds == 0)
        {
            return false;
        }
        registry.counter("tapswitch_admin_requests_throttled_total").increment();
        rc.response().putHeader("Retry-After", Long.toString(waitSeconds));
        Problems.send(rc, new io.tapswitch.admin.api.ApiException(429, "too-many-requests", "Too many requests",
            "this caller sent more than " + config.requestsPerSecondPerCaller() + " requests per second (burst " +
                config.requestBurstPerCaller() + "); retry after " + waitSeconds + " s", null));
        return true;
    }

    private static String roleNames(final Set<Role> roles)
    {
        final List<String> names = new ArrayList<>();
        for (final Role role : Role.values())
        {
            if (roles.contains(role))
            {
                names.add(role.wireName());
            }
        }
        return String.join(", ", names);
    }

    private void measure(final RoutingContext rc)
    {
        final long startNs = System.nanoTime();
        rc.addEndHandler(ignore ->
        {
            final Contract.OperationSpec operation = rc.get(Api.OPERATION_KEY);
            final String path = rc.normalizedPath();
            final String route = operation != null ? Contract.BASE_PATH + operation.pathTemplate() :
                FIXED_ROUTES.contains(path) ? path : "unmatched";
            Timer.builder("tapswitch_admin_http_server_requests")
                .description("admin REST requests by method, OpenAPI route and status")
                .tags("method", rc.request().method().name(), "route", route,
                    "status", Integer.toString(rc.response().getStatusCode()))
                .publishPercentileHistogram()
                .register(registry)
                .record(System.nanoTime() - startNs, TimeUnit.NANOSECONDS);
            if (config.accessLog())
            {
                // the route template, never the raw path with its ids, nor a query, a token or a body
                final Principal principal = rc.get(Api.PRINCIPAL_KEY);
                ACCESS_LOG.info("{} {} {} {} ms actor={} from={}", rc.request().method().name(), route,
                    rc.response().getStatusCode(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs),
                    principal == null ? "-" : principal.actor(),
                    rc.request().remoteAddress() == null ? "-" : rc.request().remoteAddress().hostAddress());
            }
        });
        rc.next();
    }

    private Future<Void> listen(final Router router)
    {
        final HttpServerOptions options = new HttpServerOptions().setHost(config.host()).setPort(config.port())
            .setMaxInitialLineLength(MAX_INITIAL_LINE_BYTES)
            .setMaxHeaderSize(MAX_HEADER_BYTES)
            .setMaxFormAttributeSize(MAX_HEADER_BYTES)
            // HTTP/1.1 only on clear text: an h2c upgrade of a request refused for its size ended in GOAWAY (no answer)
            .setHttp2ClearTextEnabled(false)
            .setIdleTimeout(IDLE_TIMEOUT_SECONDS)
            .setIdleTimeoutUnit(TimeUnit.SECONDS);
        if (config.tlsCertFile() != null)
        {
            options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
                .setCertPath(config.tlsCertFile().toString()).setKeyPath(config.tlsKeyFile().toString()));
        }
        httpServer = vertx.createHttpServer(options);
        throttle = new CallerThrottle(config.requestsPerSecondPerCaller(), config.requestBurstPerCaller(), System::nanoTime);
        final ConnectionGuards guards = new ConnectionGuards(vertx, config, registry);
        httpServer.connectionHandler(guards::accept);
        final Future<HttpServer> api = httpServer.requestHandler(request ->
        {
            guards.onRequest(request);
            router.handle(request);
        }).listen();
        if (config.metricsPort() < 0)
        {
            return api.mapEmpty();
        }
        final Router metrics = Router.router(vertx);
        metrics.get("/metrics").handler(rc -> rc.response()
            .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(registry.scrape()));
        metricsServer = vertx.createHttpServer(new HttpServerOptions().setHost(config.host()).setPort(config.metricsPort()));
        return api.compose(s -> metricsServer.requestHandler(metrics).listen()).mapEmpty();
    }

    /**
     * Stops the HTTP servers, modules, publisher, ingester, pool, embedded PostgreSQL and Vert.x, in that order.
     *
     * @return completes when everything is closed.
     */
    public Future<Void> stop()
    {
        if (vertx == null)
        {
            return Future.succeededFuture();
        }
        final Promise<Void> done = Promise.promise();
        final Future<Void> servers = Future.all(
            httpServer == null ? Future.succeededFuture() : httpServer.close(),
            metricsServer == null ? Future.succeededFuture() : metricsServer.close()).mapEmpty();
        servers.transform(ignore -> stopModules(modules.size() - 1))
            .transform(ignore -> vertx.executeBlocking(() ->
            {
                if (publisher != null)
                {
                    publisher.close();
                }
                if (ingester != null)
                {
                    ingester.close();
                }
                return null;
            }))
            .transform(ignore -> pool == null ? Future.succeededFuture() : pool.close())
            .transform(ignore -> vertx.executeBlocking(() ->
            {
                if (database != null)
                {
                    database.close();
                }
                return null;
            }))
            .onComplete(ignore ->
            {
                if (gcMetrics != null)
                {
                    gcMetrics.close();
                }
                if (registry != null)
                {
                    registry.close();
                }
                final Vertx v = vertx;
                vertx = null;
                v.close().onComplete(x -> done.complete());
            });
        return done.future();
    }

    private Future<Void> stopModules(final int index)
    {
        if (index < 0)
        {
            return Future.succeededFuture();
        }
        return modules.get(index).stop().transform(ignore -> stopModules(index - 1));
    }

    /**
     * @return the port the REST API listens on.
     */
    public int httpPort()
    {
        return httpServer.actualPort();
    }

    /**
     * @return the port of the Prometheus endpoint, or -1 when disabled.
     */
    public int metricsPort()
    {
        return metricsServer == null ? -1 : metricsServer.actualPort();
    }

    /**
     * @return {@code http(s)://host:port} of the REST API.
     */
    public String baseUrl()
    {
        return (config.tlsCertFile() != null ? "https://" : "http://") + config.host() + ":" + httpPort();
    }

    /**
     * Waits until every committed command is on the switch's command queue (e.g. after {@code AdminDemoLoader.load},
     * before starting terminals). Blocking: call it off the Vert.x event loop.
     *
     * @param timeoutMs how long to wait.
     * @return true when the outbox is drained, false on timeout.
     */
    public boolean awaitOutboxDrained(final long timeoutMs) throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true)
        {
            final long pending = pool.query("SELECT count(*) FROM outbox WHERE published_at IS NULL").execute()
                .map(rows -> rows.iterator().next().getLong(0))
                .toCompletionStage().toCompletableFuture().get(timeoutMs, TimeUnit.MILLISECONDS);
            if (pending == 0)
            {
                return true;
            }
            if (deadlineNs - System.nanoTime() < 0)
            {
                return false;
            }
            wakePublisher();
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(config.pollIntervalMs()));
        }
    }

    public AdminContext context()
    {
        return context;
    }

    public AdminConfig config()
    {
        return config;
    }

    public Database database()
    {
        return database;
    }

    public OutboxPublisher publisher()
    {
        return publisher;
    }

    public JournalIngester ingester()
    {
        return ingester;
    }

    public PrometheusMeterRegistry registry()
    {
        return registry;
    }
}
