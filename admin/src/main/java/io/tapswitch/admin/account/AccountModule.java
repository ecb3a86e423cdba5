package io.tapswitch.admin.account;

import java.time.Duration;
import java.time.LocalDate;

import io.tapswitch.admin.AdminContext;
import io.tapswitch.admin.Principal;
import io.tapswitch.admin.api.Api;
import io.tapswitch.admin.api.ApiModule;
import io.tapswitch.admin.api.ApiRoutes;
import io.tapswitch.admin.api.Page;
import io.tapswitch.admin.api.Problems;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Sign-in, sign-out and accounts ({@code accounts-api.yaml}), and rows 1-3 of the Ministry's annex 2. Configuration:
 * {@code accounts.session-ttl-minutes} in the admin configuration's extra section (default 480).
 * <p>
 * Thread-safe after {@link #start}.
 */
public final class AccountModule implements ApiModule
{
    private volatile Accounts accounts;

    @Override
    public String name()
    {
        return "accounts";
    }

    @Override
    public String contractResource()
    {
        return "accounts-api.yaml";
    }

    /**
     * @return the account store (after start).
     */
    public Accounts accounts()
    {
        return accounts;
    }

    @Override
    public Future<Void> start(final AdminContext context)
    {
        final JsonObject config = context.config().extra().getJsonObject("accounts", new JsonObject());
        final long minutes = config.getLong("session-ttl-minutes", Accounts.DEFAULT_SESSION_TTL.toMinutes());
        if (minutes < 1 || minutes > 7 * 24 * 60)
        {
            return Future.failedFuture(new IllegalArgumentException("accounts.session-ttl-minutes must be 1..10080, was " + minutes));
        }
        accounts = new Accounts(context, Duration.ofMinutes(minutes));
        return Future.succeededFuture();
    }

    @Override
    public void mount(final AdminContext context, final ApiRoutes routes)
    {
        routes.handler("createSession", rc ->
        {
            final JsonObject body = Api.body(rc);
            accounts.signIn(body.getString("username"), body.getString("password")).onComplete(ar ->
            {
                if (ar.succeeded())
                {
                    rc.response().putHeader("Cache-Control", "no-store");
                    Api.sendJson(rc, 201, new JsonObject().put("token", ar.result().token())
                        .put("expiresAt", ar.result().expiresAt().toString()));
                }
                else if (ar.cause() instanceof Accounts.SignInRefused refused)
                {
                    if (refused.retryAfterSeconds() > 0)
                    {
                        rc.response().putHeader("Retry-After", Long.toString(refused.retryAfterSeconds()));
                    }
                    Problems.send(rc, refused.problem());
                }
                else
                {
                    rc.fail(ar.cause());
                }
            });
        });
        routes.handler("deleteCurrentSession", rc ->
        {
            final Principal principal = Api.principal(rc);
            final String token = rc.request().getHeader("Authorization").substring(7).trim();
            accounts.signOut(token, principal).onComplete(ar ->
            {
                if (ar.failed())
                {
                    rc.fail(ar.cause());
                }
                else if (!ar.result())
                {
                    Problems.send(rc, Problems.forStatus(409, "this token is not a session (a configured token is revoked by " +
                        "removing it from the configuration)"));
                }
                else
                {
                    rc.response().setStatusCode(204).end();
                }
            });
        });
        routes.json("listAccounts", 200, r -> accounts.list(Page.of(r.rc())));
        routes.json("getAccount", 200, r -> accounts.get(context.pool(), Api.pathLong(r.rc(), "accountId")));
        routes.json("createAccount", 201, r -> accounts.create(r.principal(), Api.body(r.rc())));
        routes.json("updateAccount", 200, r -> accounts.update(r.principal(), Api.pathLong(r.rc(), "accountId"), Api.body(r.rc())));
        routes.json("reportOfficialsConnected", 200, r ->
        {
            final LocalDate asOf = Api.queryDate(r.rc(), "asOf");
            final LocalDate day = asOf != null ? asOf : LocalDate.now(context.clock().withZone(context.config().cityZone())).withDayOfMonth(1);
            return OfficialsConnected.count(context.pool(), day, context.config().cityZone()).map(OfficialsConnected.Rows::json);
        });
    }
}
