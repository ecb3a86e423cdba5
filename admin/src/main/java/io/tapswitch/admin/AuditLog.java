package io.tapswitch.admin;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/**
 * Writes audit records (who, when, what, before, after) in the caller's transaction, so a change and
 * its record commit or roll back together. The table is append-only (a trigger refuses UPDATE, DELETE,
 * TRUNCATE). Records stay in PostgreSQL; nothing of them is logged.
 * <p>
 * Stateless apart from the clock, thread-safe.
 */
public final class AuditLog
{
    private final Clock clock;

    public AuditLog(final Clock clock)
    {
        this.clock = clock;
    }

    /**
     * @param conn       the transaction's connection.
     * @param principal  who.
     * @param action     what, e.g. {@code card.block}.
     * @param resource   the resource kind, e.g. {@code card}.
     * @param resourceId its id.
     * @param before     state before, or null for a creation.
     * @param after      state after, or null for a deletion.
     * @return completes when written.
     */
    public Future<Void> record(final SqlClient conn, final Principal principal, final String action,
        final String resource, final Object resourceId, final JsonObject before, final JsonObject after)
    {
        return conn.preparedQuery("INSERT INTO audit_log (at, actor, role, action, resource, resource_id, before, after) " +
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .execute(Tuple.from(new Object[] {
                OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC), principal.actor(), principal.rolesText(),
                action, resource, resourceId == null ? null : String.valueOf(resourceId), before, after}))
            .mapEmpty();
    }
}
