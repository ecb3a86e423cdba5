package io.tapswitch.admin.outbox;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

/**
 * The write side of the outbox: appends commands for the switch in the caller's transaction. Every
 * transaction that appends first takes {@link #LOCK_KEY} as a transaction-scoped advisory lock
 * ({@link #lock}), so outbox ids are assigned in commit order and the publisher, which sends in id
 * order, sends in commit order.
 * <p>
 * Stateless apart from the clock, thread-safe.
 */
public final class CommandOutbox
{
    /** Advisory lock key serializing the transactions that write the outbox. */
    public static final long LOCK_KEY = 0x7461_7073_7769_7463L;

    private final Clock clock;
    private final KeySealer sealer;

    public CommandOutbox(final Clock clock, final KeySealer sealer)
    {
        this.clock = clock;
        this.sealer = sealer;
    }

    /**
     * Takes the outbox lock for the rest of the transaction; call before anything else in a write
     * transaction (taking it late could deadlock with row locks).
     *
     * @param conn the transaction's connection.
     * @return completes when held.
     */
    public Future<Void> lock(final SqlConnection conn)
    {
        return conn.preparedQuery("SELECT pg_advisory_xact_lock($1)").execute(Tuple.of(LOCK_KEY)).mapEmpty();
    }

    /**
     * @param command a command.
     * @return the bytes to store in {@code outbox.body}: the body, sealed when it holds a secret.
     */
    public byte[] storedBody(final SwitchCommand command)
    {
        return command.secret() ? sealer.seal(command.body()).getBytes(java.nio.charset.StandardCharsets.US_ASCII) : command.body();
    }

    /**
     * @param conn    the transaction's connection (holding {@link #lock}).
     * @param command the command.
     * @return the command id (the outbox row id).
     */
    public Future<Long> append(final SqlConnection conn, final SwitchCommand command)
    {
        final byte[] body = storedBody(command);
        return conn.preparedQuery("INSERT INTO outbox (type, body, sealed, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
            .execute(Tuple.of((short)command.type(), io.vertx.core.buffer.Buffer.buffer(body), command.secret(),
                OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC)))
            .map(rows -> rows.iterator().next().getLong(0));
    }
}
