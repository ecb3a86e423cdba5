package io.tapswitch.admin.account;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;

import io.tapswitch.admin.AdminContext;
import io.tapswitch.admin.Principal;
import io.tapswitch.admin.Role;
import io.tapswitch.admin.api.ApiException;
import io.tapswitch.admin.api.Page;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/**
 * Accounts, sign-in and session tokens in PostgreSQL.
 * <ul>
 *   <li>Passwords: {@link PasswordHasher} (PBKDF2-HMAC-SHA512), verified on a worker thread.</li>
 *   <li>Sessions: 32 random bytes (base64url) given once to the caller; only their SHA-256 is stored. A session
 *   expires after {@link #sessionTtl()} and is revoked by sign-out, by disabling the account or by a password
 *   change.</li>
 *   <li>Lockout: after {@link #FAILURES_BEFORE_LOCK} failed sign-ins in a row an account is locked for 30 s, doubling
 *   with each further failure up to one hour; a sign-in while locked is refused without checking the password.</li>
 *   <li>Every change of an account and every sign-in, refused sign-in and sign-out is in the audit log (never the
 *   password or its hash).</li>
 * </ul>
 * Thread-safe (state in the database).
 */
public final class Accounts
{
    /** Failed sign-ins in a row before the account locks. */
    public static final int FAILURES_BEFORE_LOCK = 5;
    /** First lock period; doubles with each further failure. */
    public static final long FIRST_LOCK_SECONDS = 30;
    /** Longest lock period. */
    public static final long MAX_LOCK_SECONDS = 3600;
    /** Default lifetime of a session. */
    public static final Duration DEFAULT_SESSION_TTL = Duration.ofHours(8);
    static final String COLUMNS = "id, username, display_name, roles, district, workplace, donor, enabled, failed_logins, " +
        "locked_until, created_at, updated_at, disabled_at";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final AdminContext ctx;
    private final Duration sessionTtl;

    /**
     * @param ctx        the service's resources.
     * @param sessionTtl lifetime of a session.
     */
    public Accounts(final AdminContext ctx, final Duration sessionTtl)
    {
        this.ctx = ctx;
        this.sessionTtl = sessionTtl;
    }

    public Duration sessionTtl()
    {
        return sessionTtl;
    }

    /**
     * A session given to a caller that signed in.
     *
     * @param token     the token's text (shown once).
     * @param expiresAt when it stops working.
     * @param principal who it stands for.
     */
    public record Session(String token, Instant expiresAt, Principal principal)
    {
    }

    /**
     * A refused sign-in: the problem to answer and, when locked, the seconds until the lock ends (Retry-After).
     */
    public static final class SignInRefused extends RuntimeException
    {
        private static final long serialVersionUID = 1L;
        private final transient ApiException problem;
        private final long retryAfterSeconds;

        SignInRefused(final int status, final String detail, final long retryAfterSeconds)
        {
            super(detail, null, false, false);
            this.problem = new ApiException(status, status == 429 ? "locked" : "unauthorized",
                status == 429 ? "Account locked" : "Sign-in refused", detail, null);
            this.retryAfterSeconds = retryAfterSeconds;
        }

        public ApiException problem()
        {
            return problem;
        }

        /**
         * @return seconds until the lock ends (429), or 0.
         */
        public long retryAfterSeconds()
        {
            return retryAfterSeconds;
        }
    }

    private OffsetDateTime now()
    {
        return OffsetDateTime.now(ctx.clock()).withOffsetSameInstant(ZoneOffset.UTC);
    }

    /**
     * Signs in: checks the password (unless locked), opens a session.
     *
     * @param username the username.
     * @param password the password.
     * @return the session; fails with {@link SignInRefused} (401 wrong name or password, 429 locked).
     */
    public Future<Session> signIn(final String username, final String password)
    {
        final OffsetDateTime now = now();
        return ctx.pool().preparedQuery("SELECT " + COLUMNS + ", password_hash FROM accounts WHERE username = $1")
            .execute(Tuple.of(username))
            .compose(rows ->
            {
                final Row row = rows.size() == 0 ? null : rows.iterator().next();
                if (row != null && row.getBoolean("enabled") && row.getOffsetDateTime("locked_until") != null &&
                    row.getOffsetDateTime("locked_until").isAfter(now))
                {
                    final long seconds = Math.max(1, Duration.between(now, row.getOffsetDateTime("locked_until")).toSeconds());
                    return ctx.pool().withConnection(conn -> ctx.audit(conn, principal(row), "session.locked", "account",
                            row.getLong("id"), null, null))
                        .compose(v -> Future.failedFuture(new SignInRefused(429, "too many failed sign-ins; try again in " +
                            seconds + " s", seconds)));
                }
                final String hash = row == null || !row.getBoolean("enabled") ? null : row.getString("password_hash");
                return ctx.vertx().executeBlocking(() -> PasswordHasher.verify(hash, password), false)
                    .compose(ok -> ok ? openSession(row, now) : failed(row, now));
            });
    }

    private Future<Session> failed(final Row row, final OffsetDateTime now)
    {
        final SignInRefused refused = new SignInRefused(401, "the username or the password is wrong", 0);
        if (row == null)
        {
            return Future.failedFuture(refused);
        }
        return ctx.pool().withTransaction(conn -> conn.preparedQuery("UPDATE accounts SET failed_logins = failed_logins + 1, " +
                    "locked_until = CASE WHEN failed_logins + 1 >= $2 THEN $3::timestamptz + make_interval(secs => " +
                    "LEAST($5, $4 * power(2, failed_logins + 1 - $2))) ELSE locked_until END WHERE id = $1 " +
                    "RETURNING failed_logins, locked_until")
                .execute(Tuple.of(row.getLong("id"), FAILURES_BEFORE_LOCK, now, FIRST_LOCK_SECONDS, MAX_LOCK_SECONDS))
                .compose(updated ->
                {
                    final Row u = updated.iterator().next();
                    return ctx.audit(conn, principal(row), "session.refused", "account", row.getLong("id"), null,
                        new JsonObject().put("failedLogins", u.getInteger("failed_logins"))
                            .put("lockedUntil", u.getOffsetDateTime("locked_until") == null ? null :
                                u.getOffsetDateTime("locked_until").toInstant().toString()));
                }))
            .compose(v -> Future.failedFuture(refused));
    }

    private Future<Session> openSession(final Row row, final OffsetDateTime now)
    {
        final byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        final String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        final OffsetDateTime expires = now.plus(sessionTtl);
        final Principal principal = principal(row);
        return ctx.pool().withTransaction(conn -> conn.preparedQuery("INSERT INTO sessions (token_sha256, account_id, " +
                    "created_at, expires_at) VALUES ($1, $2, $3, $4)")
                .execute(Tuple.of(Buffer.buffer(sha256(token)), row.getLong("id"), now, expires))
                .compose(v -> conn.preparedQuery("UPDATE accounts SET failed_logins = 0, locked_until = NULL WHERE id = $1")
                    .execute(Tuple.of(row.getLong("id"))))
                .compose(v -> ctx.audit(conn, principal, "session.create", "account", row.getLong("id"), null,
                    new JsonObject().put("expiresAt", expires.toInstant().toString()))))
            .map(v -> new Session(token, expires.toInstant(), principal));
    }

    /**
     * @param token a session token's text.
     * @return its principal, or null when the token is unknown, expired or revoked, or its account disabled.
     */
    public Future<Principal> authenticate(final String token)
    {
        return ctx.pool().preparedQuery("SELECT a." + COLUMNS.replace(", ", ", a.") + " FROM sessions s JOIN accounts a " +
                "ON a.id = s.account_id WHERE s.token_sha256 = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND a.enabled")
            .execute(Tuple.of(Buffer.buffer(sha256(token)), now()))
            .map(rows -> rows.size() == 0 ? null : principal(rows.iterator().next()));
    }

    /**
     * Revokes a session (sign-out).
     *
     * @param token     the session token's text.
     * @param principal who signs out.
     * @return true when a live session was revoked.
     */
    public Future<Boolean> signOut(final String token, final Principal principal)
    {
        return ctx.pool().withTransaction(conn -> conn.preparedQuery("UPDATE sessions SET revoked_at = $2 WHERE token_sha256 = $1 " +
                    "AND revoked_at IS NULL RETURNING account_id")
                .execute(Tuple.of(Buffer.buffer(sha256(token)), now()))
                .compose(rows -> rows.size() == 0 ? Future.succeededFuture(false) :
                    ctx.audit(conn, principal, "session.revoke", "account", rows.iterator().next().getLong("account_id"), null, null)
                        .map(true)));
    }

    /**
     * @param page      the page.
     * @return a page of accounts by id.
     */
    public Future<JsonObject> list(final Page page)
    {
        return ctx.pool().preparedQuery("SELECT " + COLUMNS + " FROM accounts WHERE id > $1 ORDER BY id LIMIT $2")
            .execute(Tuple.of(page.afterKey(), page.fetch()))
            .map(rows -> page.result(rows, "id", Accounts::json));
    }

    /**
     * @param client where to read.
     * @param id     the account.
     * @return the account; fails 404.
     */
    public Future<JsonObject> get(final SqlClient client, final long id)
    {
        return client.preparedQuery("SELECT " + COLUMNS + " FROM accounts WHERE id = $1").execute(Tuple.of(id))
            .compose(rows -> rows.size() == 0 ? Future.failedFuture(ApiException.notFound("account", id)) :
                Future.succeededFuture(json(rows.iterator().next())));
    }

    /**
     * Creates an account.
     *
     * @param by   who.
     * @param body username, displayName, roles, workplace, district, donor, password.
     * @return the account.
     */
    public Future<JsonObject> create(final Principal by, final JsonObject body)
    {
        final Set<Role> roles = roles(body.getJsonArray("roles"));
        checkAttributes(roles, body.getString("district"), body.getString("donor"));
        final String refusal = PasswordHasher.refusal(body.getString("password"));
        if (refusal != null)
        {
            throw ApiException.badRequest("/body/password", refusal);
        }
        final OffsetDateTime now = now();
        return ctx.vertx().executeBlocking(() -> PasswordHasher.hash(body.getString("password")), false)
            .compose(hash -> ctx.pool().withTransaction(conn -> conn.preparedQuery("SELECT 1 FROM accounts WHERE username = $1")
                .execute(Tuple.of(body.getString("username")))
                .compose(existing -> existing.size() > 0 ?
                    Future.failedFuture(ApiException.conflict("/body/username", "username " + body.getString("username") +
                        " is taken")) :
                    conn.preparedQuery("INSERT INTO accounts (username, display_name, roles, district, workplace, donor, " +
                            "password_hash, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id")
                        .execute(Tuple.from(new Object[] {body.getString("username"), body.getString("displayName"),
                            roleNames(roles), body.getString("district"), body.getString("workplace"), body.getString("donor"), hash,
                            now})))
                .compose(rows -> get(conn, rows.iterator().next().getLong("id")))
                .compose(after -> ctx.audit(conn, by, "account.create", "account", after.getLong("id"), null, after).map(after))));
    }

    /**
     * Changes an account: displayName, roles, workplace, district, donor, enabled, password. Disabling it or
     * setting a password revokes its sessions.
     *
     * @param by   who.
     * @param id   the account.
     * @param body the fields to change.
     * @return the account after.
     */
    public Future<JsonObject> update(final Principal by, final long id, final JsonObject body)
    {
        final String password = body.getString("password");
        if (password != null && PasswordHasher.refusal(password) != null)
        {
            throw ApiException.badRequest("/body/password", PasswordHasher.refusal(password));
        }
        final OffsetDateTime now = now();
        final Future<String> hash = password == null ? Future.succeededFuture(null) :
            ctx.vertx().executeBlocking(() -> PasswordHasher.hash(password), false);
        return hash.compose(newHash -> ctx.pool().withTransaction(conn -> conn.preparedQuery("SELECT " + COLUMNS +
                " FROM accounts WHERE id = $1 FOR UPDATE").execute(Tuple.of(id))
            .compose(rows ->
            {
                if (rows.size() == 0)
                {
                    return Future.failedFuture(ApiException.notFound("account", id));
                }
                final JsonObject before = json(rows.iterator().next());
                final JsonObject merged = before.copy();
                for (final String field : new String[] {"displayName", "roles", "workplace", "district", "donor", "enabled"})
                {
                    if (body.containsKey(field))
                    {
                        merged.put(field, body.getValue(field));
                    }
                }
                final Set<Role> roles = roles(merged.getJsonArray("roles"));
                checkAttributes(roles, merged.getString("district"), merged.getString("donor"));
                final boolean enabled = merged.getBoolean("enabled");
                final boolean revoke = !enabled || newHash != null;
                return conn.preparedQuery("UPDATE accounts SET display_name = $2, roles = $3, workplace = $4, district = $5, " +
                        "donor = $6, enabled = $7, disabled_at = CASE WHEN $7 THEN NULL ELSE COALESCE(disabled_at, $8) END, " +
                        "password_hash = COALESCE($9, password_hash), failed_logins = CASE WHEN $9 IS NULL THEN failed_logins " +
                        "ELSE 0 END, locked_until = CASE WHEN $9 IS NULL THEN locked_until ELSE NULL END, updated_at = $8 WHERE id = $1")
                    .execute(Tuple.from(new Object[] {id, merged.getString("displayName"), roleNames(roles),
                        merged.getString("workplace"), merged.getString("district"), merged.getString("donor"), enabled, now, newHash}))
                    .compose(v -> revoke ? conn.preparedQuery("UPDATE sessions SET revoked_at = $2 WHERE account_id = $1 AND " +
                        "revoked_at IS NULL").execute(Tuple.of(id, now)).mapEmpty() : Future.succeededFuture())
                    .compose(v -> get(conn, id))
                    .compose(after -> ctx.audit(conn, by, newHash != null ? "account.update+password" : "account.update", "account",
                        id, before, after).map(after));
            })));
    }

    private static void checkAttributes(final Set<Role> roles, final String district, final String donor)
    {
        if (roles.contains(Role.DISTRICT_SPECIALIST) && district == null)
        {
            throw ApiException.badRequest("/body/district", "a district specialist's account needs its district");
        }
        if (roles.contains(Role.DONOR) && donor == null)
        {
            throw ApiException.badRequest("/body/donor", "a donor's account needs the donor whose programs it reports on");
        }
        if (roles.contains(Role.DONOR) && roles.size() > 1)
        {
            throw ApiException.badRequest("/body/roles", "a donor's account has the donor role only (it never sees a person)");
        }
    }

    private static Set<Role> roles(final JsonArray names)
    {
        final Set<Role> roles = EnumSet.noneOf(Role.class);
        if (names == null || names.isEmpty())
        {
            throw ApiException.badRequest("/body/roles", "an account needs at least one role");
        }
        for (int i = 0; i < names.size(); i++)
        {
            final Role role = Role.fromWireName(String.valueOf(names.getValue(i)));
            if (role == null)
            {
                throw ApiException.badRequest("/body/roles/" + i, "unknown role '" + names.getValue(i) + "'");
            }
            roles.add(role);
        }
        return roles;
    }

    private static String[] roleNames(final Set<Role> roles)
    {
        return roles.stream().map(Role::wireName).toArray(String[]::new);
    }

    static Principal principal(final Row row)
    {
        final Set<Role> roles = EnumSet.noneOf(Role.class);
        for (final String name : row.getArrayOfStrings("roles"))
        {
            final Role role = Role.fromWireName(name);
            if (role != null)
            {
                roles.add(role);
            }
        }
        return new Principal(row.getString("username"), Set.copyOf(roles), row.getLong("id"), row.getString("district"),
            row.getString("donor"));
    }

    static JsonObject json(final Row row)
    {
        final JsonArray roles = new JsonArray();
        for (final String role : row.getArrayOfStrings("roles"))
        {
            roles.add(role);
        }
        return new JsonObject()
            .put("id", row.getLong("id"))
            .put("username", row.getString("username"))
            .put("displayName", row.getString("display_name"))
            .put("roles", roles)
            .put("workplace", row.getString("workplace"))
            .put("district", row.getString("district"))
            .put("donor", row.getString("donor"))
            .put("enabled", row.getBoolean("enabled"))
            .put("failedLogins", row.getInteger("failed_logins"))
            .put("lockedUntil", ts(row.getOffsetDateTime("locked_until")))
            .put("createdAt", ts(row.getOffsetDateTime("created_at")))
            .put("updatedAt", ts(row.getOffsetDateTime("updated_at")));
    }

    private static String ts(final OffsetDateTime value)
    {
        return value == null ? null : value.toInstant().toString();
    }

    /**
     * @param token a token's text.
     * @return its SHA-256.
     */
    public static byte[] sha256(final String token)
    {
        try
        {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 missing from the JDK", ex);
        }
    }
}
