package io.tapswitch.admin;

import java.util.concurrent.TimeUnit;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;

/**
 * The admin API's guards on its HTTP connections: at most {@link AdminConfig#maxConnectionsPerClient()} connections
 * per client address, and a slow-header (slowloris) guard on each connection. Installed by {@link AdminService} as
 * the HTTP server's connection handler ({@link #accept}) and told of each request ({@link #onRequest}).
 * <p>
 * Thread-safe: connections of every event loop share the maps; each guard runs on its connection's event loop.
 */
final class ConnectionGuards
{
    /** How often each connection's {@link SlowHeaderGuard} looks at it. */
    private static final long HEADER_CHECK_MS = 1_000;
    private final java.util.concurrent.ConcurrentHashMap<io.vertx.core.http.HttpConnection, SlowHeaderGuard> headerGuards =
        new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.atomic.AtomicInteger> connectionsByClient =
        new java.util.concurrent.ConcurrentHashMap<>();
    private final Vertx vertx;
    private final AdminConfig config;
    private final PrometheusMeterRegistry registry;

    ConnectionGuards(final Vertx vertx, final AdminConfig config, final PrometheusMeterRegistry registry)
    {
        this.vertx = vertx;
        this.config = config;
        this.registry = registry;
    }

    /**
     * A request arrived on a connection: its slow-header guard times it from now.
     */
    void onRequest(final io.vertx.core.http.HttpServerRequest request)
    {
        final SlowHeaderGuard guard = headerGuards.get(request.connection());
        if (guard != null)
        {
            guard.onRequest(request);
        }
    }

    /**
     * Closes a connection past {@link AdminConfig#maxConnectionsPerClient()} of its client address at once (counted in
     * {@code tapswitch_admin_connections_rejected_total}), so one client cannot hold every connection the service has.
     */
    void accept(final io.vertx.core.http.HttpConnection connection)
    {
        final io.vertx.core.net.SocketAddress remote = connection.remoteAddress();
        final String client = remote == null ? "unknown" : remote.hostAddress();
        final java.util.concurrent.atomic.AtomicInteger open =
            connectionsByClient.computeIfAbsent(client, k -> new java.util.concurrent.atomic.AtomicInteger());
        final int now = open.incrementAndGet();
        if (now > config.maxConnectionsPerClient())
        {
            connection.closeHandler(v ->
            {
                if (open.decrementAndGet() == 0)
                {
                    connectionsByClient.remove(client, open);
                }
            });
            registry.counter("tapswitch_admin_connections_rejected_total").increment();
            connection.close();
            return;
        }
        final SlowHeaderGuard guard = new SlowHeaderGuard(connection);
        headerGuards.put(connection, guard);
        guard.timerId = vertx.setPeriodic(HEADER_CHECK_MS, id -> guard.check());
        connection.closeHandler(v ->
        {
            vertx.cancelTimer(guard.timerId);
            headerGuards.remove(connection);
            if (open.decrementAndGet() == 0)
            {
                connectionsByClient.remove(client, open);
            }
        });
    }

    /**
     * Closes a connection that does not deliver a whole request line and headers in time, however slowly its bytes
     * trickle (each byte resets the HTTP idle timeout, so a slow-header client — slowloris — would hold its connection
     * for ever): the first request within {@link AdminConfig#requestHeaderTimeoutMs()} of the connection, each later
     * one within {@link AdminService#IDLE_TIMEOUT_SECONDS} of the previous answer, a body within {@link AdminService#IDLE_TIMEOUT_SECONDS} of
     * its headers. Counted in
     * {@code tapswitch_admin_slow_requests_closed_total}. Runs on the connection's event loop (its periodic check).
     */
    private final class SlowHeaderGuard
    {
        private final io.vertx.core.http.HttpConnection connection;
        private final long openedNs = System.nanoTime();
        private io.vertx.core.http.HttpServerRequest current;
        private long answeredSeenNs;
        long timerId;

        SlowHeaderGuard(final io.vertx.core.http.HttpConnection connection)
        {
            this.connection = connection;
        }

        private long requestNs;

        void onRequest(final io.vertx.core.http.HttpServerRequest request)
        {
            current = request;
            requestNs = System.nanoTime();
            answeredSeenNs = 0;
        }

        void check()
        {
            final long nowNs = System.nanoTime();
            final boolean late;
            if (current == null)
            {
                late = nowNs - openedNs > TimeUnit.MILLISECONDS.toNanos(config.requestHeaderTimeoutMs());
            }
            else if (current.response().ended() || current.response().closed())
            {
                if (answeredSeenNs == 0)
                {
                    answeredSeenNs = nowNs;
                }
                late = nowNs - answeredSeenNs > TimeUnit.SECONDS.toNanos(AdminService.IDLE_TIMEOUT_SECONDS);
            }
            else if (!current.isEnded())
            {
                // a body trickling in: at most the idle time for the whole body (≤ 1 MiB)
                late = nowNs - requestNs > TimeUnit.SECONDS.toNanos(AdminService.IDLE_TIMEOUT_SECONDS);
            }
            else
            {
                late = false; // a request is being answered: its time is the handler's, not the client's
            }
            if (late)
            {
                registry.counter("tapswitch_admin_slow_requests_closed_total").increment();
                vertx.cancelTimer(timerId);
                connection.close();
            }
        }
    }
}
