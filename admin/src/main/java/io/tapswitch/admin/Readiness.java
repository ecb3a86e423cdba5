package io.tapswitch.admin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import io.tapswitch.admin.api.Api;
import io.tapswitch.admin.api.Problems;
import io.tapswitch.admin.ingest.JournalIngester;
import io.tapswitch.admin.outbox.OutboxPublisher;
import io.tapswitch.formats.Queues;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;

/**
 * {@code GET /ready} of the admin service (see {@link #handle}); the bounds are {@link AdminService}'s
 * {@code READY_*} constants.
 * <p>
 * Thread-safe: runs on the event loop of each request.
 */
final class Readiness
{
    private final Vertx vertx;
    private final Pool pool;
    private final AdminConfig config;
    private final Supplier<OutboxPublisher> publisher;
    private final Supplier<JournalIngester> ingester;

    /**
     * @param publisher the outbox publisher, or null (read at each check).
     * @param ingester  the journal ingester, or null (read at each check).
     */
    Readiness(final Vertx vertx, final Pool pool, final AdminConfig config, final Supplier<OutboxPublisher> publisher,
        final Supplier<JournalIngester> ingester)
    {
        this.vertx = vertx;
        this.pool = pool;
        this.config = config;
        this.publisher = publisher;
        this.ingester = ingester;
    }

    /**
     * Readiness: 200 when PostgreSQL answers, the switch's queues are there, and the outbox and the ingester keep up;
     * otherwise 503 problem+json whose {@code reasons} say why (PostgreSQL unreachable, outbox or ingester failing or
     * behind, a queue missing) and whose {@code checks} hold each check's state.
     */
    void handle(final RoutingContext rc)
    {
        final Path commands = Queues.commandsDir(config.switchDataDir());
        final Path journal = Queues.journalDir(config.switchDataDir());
        final Promise<String> db = Promise.promise();
        final long timer = vertx.setTimer(AdminService.READY_DB_TIMEOUT_MS, id -> db.tryComplete("PostgreSQL did not answer within " +
            AdminService.READY_DB_TIMEOUT_MS + " ms"));
        pool.query("SELECT 1").execute().onComplete(ar ->
        {
            vertx.cancelTimer(timer);
            if (ar.succeeded())
            {
                db.tryComplete(null);
            }
            else
            {
                final String reason = Problems.unavailableReason(ar.cause());
                db.tryComplete(reason != null ? reason : "PostgreSQL refused the check: " + ar.cause());
            }
        });
        db.future().onComplete(ar ->
        {
            final String dbProblem = ar.result();
            final List<String> reasons = new ArrayList<>();
            final JsonObject checks = new JsonObject();
            checks.put("database", dbProblem == null ? "up" : "down");
            if (dbProblem != null)
            {
                reasons.add(dbProblem);
            }
            final boolean commandQueue = Files.isDirectory(commands) && Files.isWritable(commands);
            final boolean journalQueue = Files.isDirectory(journal) && Files.isReadable(journal);
            checks.put("commandQueue", commandQueue ? "up" : "down").put("journal", journalQueue ? "up" : "down");
            if (!commandQueue)
            {
                reasons.add("the switch's command queue " + commands + " is not a writable directory");
            }
            if (!journalQueue)
            {
                reasons.add("the switch's journal " + journal + " is not a readable directory");
            }
            final OutboxPublisher p = publisher.get();
            if (p != null && config.publisherEnabled())
            {
                checks.put("outbox", worker(new JsonObject().put("pending", p.depth()).put("oldestAgeMs", p.oldestAgeMs()),
                    p.failing(), "the outbox publisher is failing: ", p.oldestAgeMs() > AdminService.READY_MAX_OUTBOX_AGE_MS,
                    "the outbox is behind: " + p.depth() + " commands, the oldest " + p.oldestAgeMs() + " ms old", reasons));
            }
            final JournalIngester i = ingester.get();
            if (i != null)
            {
                checks.put("ingester", worker(new JsonObject().put("lagEntries", i.lagEntries()).put("lagMs", i.lagMs()),
                    i.failing(), "the journal ingester is failing: ", i.lagMs() > AdminService.READY_MAX_INGEST_LAG_MS,
                    "the journal ingester is behind: " + i.lagEntries() + " entries, " + i.lagMs() + " ms", reasons));
            }
            if (reasons.isEmpty())
            {
                Api.sendJson(rc, 200, new JsonObject().put("status", "ready").put("checks", checks));
            }
            else
            {
                rc.response().setStatusCode(503).putHeader("Content-Type", Problems.CONTENT_TYPE)
                    .putHeader("Cache-Control", "no-store")
                    .end(new JsonObject().put("type", "/problems/not-ready").put("title", "Not ready").put("status", 503)
                        .put("detail", String.join("; ", reasons)).put("reasons", new io.vertx.core.json.JsonArray(reasons))
                        .put("checks", checks).encode());
            }
        });
    }

    /**
     * The check of a background worker (the outbox publisher, the journal ingester): its state is {@code failing}
     * (with the error), {@code behind} or {@code up}; a failing or late worker adds its reason.
     *
     * @return {@code check} with its state.
     */
    private static JsonObject worker(final JsonObject check, final String failing, final String failingReason,
        final boolean behind, final String behindReason, final List<String> reasons)
    {
        if (failing != null)
        {
            reasons.add(failingReason + failing);
            return check.put("state", "failing").put("error", failing);
        }
        if (behind)
        {
            reasons.add(behindReason);
            return check.put("state", "behind");
        }
        return check.put("state", "up");
    }
}
