package io.tapswitch.admin.registry;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;

import io.tapswitch.admin.AdminConfig;
import io.tapswitch.admin.AdminContext;
import io.tapswitch.admin.Principal;
import io.tapswitch.admin.api.Api;
import io.tapswitch.admin.api.ApiException;
import io.tapswitch.admin.api.ApiRoutes;
import io.tapswitch.admin.api.Page;
import io.tapswitch.admin.outbox.SwitchCommand;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/**
 * Terminals: register (a random 32-byte key is generated and returned once), rotate the key, disable,
 * enable. PostgreSQL keeps only the key's SHA-256; the key itself travels to the switch sealed in the
 * outbox (REGISTER_TERMINAL / ROTATE_KEY) and is erased from it once published. Keys are never logged
 * nor written to the audit log (only their fingerprint). Thread-safe.
 */
public final class TerminalsApi
{
    private static final String COLUMNS = "id, outlet_id, enabled, key_sha256, key_version, description, created_at, updated_at";
    private static final int KEY_BYTES = 32;
    private final AdminContext ctx;
    private final SecureRandom random = new SecureRandom();

    public TerminalsApi(final AdminContext ctx)
    {
        this.ctx = ctx;
    }

    public void mount(final ApiRoutes routes)
    {
        routes.json("listTerminals", 200, r ->
        {
            final Page page = Page.of(r.rc());
            final Long outletId = Api.queryLong(r.rc(), "outletId");
            return ctx.pool().preparedQuery("SELECT " + COLUMNS + " FROM terminals WHERE id > $1 AND ($3::int IS NULL OR outlet_id = $3) " +
                    "ORDER BY id LIMIT $2")
                .execute(Tuple.of(page.afterKey(), page.fetch(), outletId == null ? null : outletId.intValue()))
                .map(rows -> page.result(rows, "id", TerminalsApi::toJson));
        });
        routes.json("getTerminal", 200, r -> get(ctx.pool(), Api.pathLong(r.rc(), "terminalId"), false));
        routes.json("registerTerminal", 201, r ->
        {
            final JsonObject body = Api.body(r.rc());
            final Long id = body.getLong("id");
            final int outletId = body.getInteger("outletId");
            final boolean enabled = body.getBoolean("enabled", true);
            final byte[] key = newKey();
            return ctx.write(conn -> Sql.requireRef(conn, "outlets", outletId, "/body/outletId", "outlet")
                .compose(v -> id == null ? Future.succeededFuture(false) : Sql.exists(conn, "terminals", id))
                .compose(found -> found ? Future.failedFuture(ApiException.conflict("/body/id", "terminal " + id + " already exists")) :
                    conn.preparedQuery("INSERT INTO terminals (id, outlet_id, enabled, key_sha256, key_version, description, created_at, updated_at) " +
                        "VALUES (COALESCE($1, nextval(pg_get_serial_sequence('terminals', 'id'))), $2, $3, $4, 1, $5, $6, $6) RETURNING id")
                        .execute(Tuple.from(new Object[] {id, outletId, enabled, Buffer.buffer(sha256(key)), body.getString("description"),
                            Sql.now(ctx.clock())})))
                .compose(rows -> OutletsApi.bumpSequence(conn, "terminals").map(rows.iterator().next().getLong("id")))
                .compose(newId -> get(conn, newId, false))
                .compose(after -> ctx.command(conn, SwitchCommand.registerTerminal(after.getLong("id"), outletId, enabled, key)).map(after))
                .compose(after -> ctx.audit(conn, r.principal(), "terminal.register", "terminal", after.getValue("id"), null, after).map(after)))
                .map(after -> after.copy().put("key", HexFormat.of().formatHex(key)))
                .onComplete(ar -> Arrays.fill(key, (byte)0));
        });
        routes.json("rotateTerminalKey", 200, r ->
        {
            final long id = Api.pathLong(r.rc(), "terminalId");
            final long graceSeconds = Api.body(r.rc()).getLong("graceSeconds", ctx.config().keyRotationGraceSeconds());
            if (graceSeconds < 0 || graceSeconds > AdminConfig.MAX_KEY_ROTATION_GRACE_SECONDS)
            {
                throw ApiException.badRequest("/body/graceSeconds",
                    "graceSeconds must be 0.." + AdminConfig.MAX_KEY_ROTATION_GRACE_SECONDS);
            }
            final long graceUntilMs = 0 == graceSeconds ? 0 : ctx.clock().millis() + graceSeconds * 1000L;
            final byte[] key = newKey();
            return ctx.write(conn -> get(conn, id, true).compose(before -> conn.preparedQuery(
                        "UPDATE terminals SET key_sha256 = $2, key_version = key_version + 1, updated_at = $3 WHERE id = $1")
                    .execute(Tuple.of(id, Buffer.buffer(sha256(key)), Sql.now(ctx.clock())))
                    .compose(v -> get(conn, id, false))
                    .compose(after -> ctx.command(conn, SwitchCommand.rotateKeyWithGrace(id, key, graceUntilMs)).map(after))
                    .compose(after -> ctx.audit(conn, r.principal(), "terminal.rotate-key", "terminal", id, before, after).map(after))))
                .map(after -> withGrace(after.copy().put("key", HexFormat.of().formatHex(key)), graceUntilMs))
                .onComplete(ar -> Arrays.fill(key, (byte)0));
        });
        routes.json("disableTerminal", 200, r -> setEnabled(r.principal(), Api.pathLong(r.rc(), "terminalId"), false));
        routes.json("enableTerminal", 200, r -> setEnabled(r.principal(), Api.pathLong(r.rc(), "terminalId"), true));
    }

    private Future<JsonObject> setEnabled(final Principal principal, final long id, final boolean enabled)
    {
        return ctx.write(conn -> get(conn, id, true).compose(before ->
        {
            if (before.getBoolean("enabled") == enabled)
            {
                return Future.failedFuture(ApiException.conflict("/path/terminalId",
                    "terminal " + id + " is already " + (enabled ? "enabled" : "disabled")));
            }
            return conn.preparedQuery("UPDATE terminals SET enabled = $2, updated_at = $3 WHERE id = $1")
                .execute(Tuple.of(id, enabled, Sql.now(ctx.clock())))
                .compose(v -> get(conn, id, false))
                .compose(after -> ctx.command(conn, SwitchCommand.setTerminalEnabled(id, enabled)).map(after))
                .compose(after -> ctx.audit(conn, principal, enabled ? "terminal.enable" : "terminal.disable", "terminal", id, before, after)
                    .map(after));
        }));
    }

    private static JsonObject withGrace(final JsonObject terminal, final long graceUntilMs)
    {
        if (0 != graceUntilMs)
        {
            terminal.put("previousKeyValidUntil", Instant.ofEpochMilli(graceUntilMs).toString());
        }
        return terminal;
    }

    private byte[] newKey()
    {
        final byte[] key = new byte[KEY_BYTES];
        random.nextBytes(key);
        return key;
    }

    static byte[] sha256(final byte[] key)
    {
        try
        {
            return MessageDigest.getInstance("SHA-256").digest(key);
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 missing from the JDK", ex);
        }
    }

    static Future<JsonObject> get(final SqlClient client, final long id, final boolean forUpdate)
    {
        return Sql.one(client, "SELECT " + COLUMNS + " FROM terminals WHERE id = $1" + (forUpdate ? " FOR UPDATE" : ""), Tuple.of(id),
            TerminalsApi::toJson, "terminal", id);
    }

    static JsonObject toJson(final Row row)
    {
        final byte[] digest = row.getBuffer("key_sha256").getBytes();
        return new JsonObject()
            .put("id", row.getLong("id"))
            .put("outletId", row.getInteger("outlet_id"))
            .put("enabled", row.getBoolean("enabled"))
            .put("keyVersion", row.getInteger("key_version"))
            .put("keyFingerprint", HexFormat.of().formatHex(digest, 0, 8))
            .put("description", row.getString("description"))
            .put("createdAt", Sql.ts(row.getOffsetDateTime("created_at")))
            .put("updatedAt", Sql.ts(row.getOffsetDateTime("updated_at")));
    }
}
