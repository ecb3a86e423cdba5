package io.tapswitch.admin;

import java.time.Clock;
import java.util.function.Function;

import io.micrometer.core.instrument.MeterRegistry;
import io.tapswitch.admin.outbox.CommandOutbox;
import io.tapswitch.admin.outbox.SwitchCommand;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;

/**
 * The shared resources of the admin service, handed to every API part and extension module: Vert.x,
 * the PostgreSQL pool, the configuration and clock, the audit log, the command outbox and the metrics
 * registry.
 * <p>
 * Changes go through {@link #write}: one transaction that first takes the outbox lock, so commands
 * appended with {@link #command} get ids in commit order, and that wakes the publisher after the commit.
 * Thread-safe.
 */
public final class AdminContext
{
    private final Vertx vertx;
    private final Pool pool;
    private final AdminConfig config;
    private final AuditLog audit;
    private final CommandOutbox outbox;
    private final MeterRegistry registry;
    private final Runnable afterCommit;

    public AdminContext(final Vertx vertx, final Pool pool, final AdminConfig config, final AuditLog audit,
        final CommandOutbox outbox, final MeterRegistry registry, final Runnable afterCommit)
    {
        this.vertx = vertx;
        this.pool = pool;
        this.config = config;
        this.audit = audit;
        this.outbox = outbox;
        this.registry = registry;
        this.afterCommit = afterCommit;
    }

    public Vertx vertx()
    {
        return vertx;
    }

    public Pool pool()
    {
        return pool;
    }

    public AdminConfig config()
    {
        return config;
    }

    public Clock clock()
    {
        return config.clock();
    }

    public AuditLog audit()
    {
        return audit;
    }

    public CommandOutbox outbox()
    {
        return outbox;
    }

    public MeterRegistry registry()
    {
        return registry;
    }

    /**
     * Runs a change in one transaction holding the outbox lock; on commit, wakes the outbox publisher.
     * A failed future rolls everything back (rows, audit records, commands).
     *
     * @param work the change.
     * @param <T>  its result.
     * @return the result once committed.
     */
    public <T> Future<T> write(final Function<SqlConnection, Future<T>> work)
    {
        return pool.withTransaction(conn -> outbox.lock(conn).compose(ignore -> work.apply(conn)))
            .onSuccess(ignore -> afterCommit.run());
    }

    /**
     * Appends a command for the switch in the transaction of {@link #write}.
     *
     * @param conn    the transaction's connection.
     * @param command the command.
     * @return the command id.
     */
    public Future<Long> command(final SqlConnection conn, final SwitchCommand command)
    {
        return outbox.append(conn, command);
    }

    /**
     * Records an audit entry in the transaction of {@link #write}.
     */
    public Future<Void> audit(final io.vertx.sqlclient.SqlClient conn, final Principal principal, final String action,
        final String resource, final Object resourceId, final io.vertx.core.json.JsonObject before,
        final io.vertx.core.json.JsonObject after)
    {
        return audit.record(conn, principal, action, resource, resourceId, before, after);
    }
}
