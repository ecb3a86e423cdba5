package io.tapswitch.admin.registry;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import io.tapswitch.admin.AdminContext;
import io.tapswitch.admin.api.Api;
import io.tapswitch.admin.api.ApiRoutes;
import io.tapswitch.admin.api.Page;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/**
 * Tap decisions ingested from the switch's journal, by card, holder, program, outlet, terminal, donor,
 * decision and time range, paged by receipt. Thread-safe.
 */
public final class TapsApi
{
    private static final String COLUMNS = "t.receipt, t.type, t.decided_at, t.terminal_id, t.outlet_id, t.correlation, t.card_id, " +
        "t.holder_id, t.program_id, t.quantity, t.offline, t.terminal_time, t.decision, t.reason, t.remaining";
    /** Every filter of GET /taps but the page's start; parameters $1 after, $3..$12 the filters. */
    private static final String FILTERS = "t.receipt > $1 " +
        "AND ($3::bigint IS NULL OR t.card_id = $3) AND ($4::bigint IS NULL OR t.holder_id = $4) " +
        "AND ($5::int IS NULL OR t.program_id = $5) AND ($6::int IS NULL OR t.outlet_id = $6) " +
        "AND ($7::bigint IS NULL OR t.terminal_id = $7) " +
        "AND ($8::text IS NULL OR t.program_id IN (SELECT p.id FROM programs p WHERE p.donor = $8)) " +
        "AND ($9::text IS NULL OR t.decision = $9) " +
        "AND ($10::timestamptz IS NULL OR t.decided_at >= $10) AND ($11::timestamptz IS NULL OR t.decided_at < $11) " +
        // a district specialist's account: the taps of its district's holders only
        "AND " + io.tapswitch.admin.account.Scope.holderIn("t.holder_id", 12);
    /** A page in receipt order through the primary key (or the card, holder, outlet index). */
    public static final String BY_RECEIPT = "SELECT " + COLUMNS + " FROM taps t WHERE " + FILTERS + " ORDER BY t.receipt LIMIT $2";
    /**
     * A page of a time range ($10 required): the first page's worth of each hour of the range in receipt order
     * ({@code taps_decided_hour}: one short index range per hour), then the lowest receipts of those. The same rows as
     * {@link #BY_RECEIPT}: every tap of the range is in the hour its decision time falls in. The hours run from {@code from}
     * (or the earliest decision stored) to {@code to} (or the latest decision stored).
     */
    public static final String BY_HOUR = "SELECT c.* FROM generate_series(" +
        "GREATEST(date_bin('1 hour', $10::timestamptz, TIMESTAMPTZ '2000-01-01 00:00:00+00'), " +
        "(SELECT min(" + io.tapswitch.admin.report.TapReportSql.DECIDED_HOUR + ") FROM taps t)), " +
        "COALESCE(date_bin('1 hour', $11::timestamptz, TIMESTAMPTZ '2000-01-01 00:00:00+00'), " +
        "(SELECT max(" + io.tapswitch.admin.report.TapReportSql.DECIDED_HOUR + ") FROM taps t)), interval '1 hour') AS h(hour) " +
        "CROSS JOIN LATERAL (SELECT " + COLUMNS + " FROM taps t WHERE " +
        io.tapswitch.admin.report.TapReportSql.DECIDED_HOUR + " = h.hour AND " + FILTERS +
        " ORDER BY t.receipt LIMIT $2) c ORDER BY c.receipt LIMIT $2";

    private final AdminContext ctx;

    public TapsApi(final AdminContext ctx)
    {
        this.ctx = ctx;
    }

    public void mount(final ApiRoutes routes)
    {
        routes.json("listTaps", 200, r ->
        {
            final Page page = Page.of(r.rc());
            final Long programId = Api.queryLong(r.rc(), "programId");
            final Long outletId = Api.queryLong(r.rc(), "outletId");
            final Instant from = Api.queryInstant(r.rc(), "from");
            final Instant to = Api.queryInstant(r.rc(), "to");
            final Long cardId = Api.queryLong(r.rc(), "cardId");
            final Long holderId = Api.queryLong(r.rc(), "holderId");
            // with a time range and no card or holder (their indexes find a page at once): the range hour by hour
            // (taps_decided_hour, V87) instead of the primary key from the first receipt on
            final boolean byHour = from != null && cardId == null && holderId == null;
            return ctx.pool().preparedQuery(byHour ? BY_HOUR : BY_RECEIPT)
                .execute(Tuple.from(new Object[] {page.afterKey(), page.fetch(), cardId, holderId,
                    programId == null ? null : programId.intValue(), outletId == null ? null : outletId.intValue(),
                    Api.queryLong(r.rc(), "terminalId"), Api.queryString(r.rc(), "donor"),
                    Api.queryString(r.rc(), "decision"), utc(from), utc(to), r.principal().scopeDistrict()}))
                .map(rows -> page.result(rows, "receipt", TapsApi::toJson));
        });
        routes.json("getTap", 200, r ->
        {
            final long receipt = Api.pathLong(r.rc(), "receipt");
            return Sql.one(ctx.pool(), "SELECT " + COLUMNS + " FROM taps t WHERE t.receipt = $1", Tuple.of(receipt),
                TapsApi::toJson, "tap", receipt)
                .compose(tap -> io.tapswitch.admin.account.Scope.requireHolder(ctx.pool(), r.principal(), tap.getLong("holderId"))
                    .recover(ex -> io.vertx.core.Future.failedFuture(io.tapswitch.admin.api.ApiException.notFound("tap", receipt)))
                    .map(tap));
        });
    }

    private static OffsetDateTime utc(final Instant instant)
    {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    static JsonObject toJson(final Row row)
    {
        return new JsonObject()
            .put("receipt", row.getLong("receipt"))
            .put("type", row.getString("type"))
            .put("decidedAt", Sql.ts(row.getOffsetDateTime("decided_at")))
            .put("terminalId", row.getLong("terminal_id"))
            .put("outletId", row.getInteger("outlet_id"))
            .put("correlation", row.getLong("correlation"))
            .put("cardId", row.getLong("card_id"))
            .put("holderId", row.getLong("holder_id"))
            .put("programId", row.getInteger("program_id"))
            .put("quantity", row.getInteger("quantity"))
            .put("offline", row.getBoolean("offline"))
            .put("terminalTime", Sql.ts(row.getOffsetDateTime("terminal_time")))
            .put("decision", row.getString("decision"))
            .put("reason", row.getString("reason"))
            .put("remaining", row.getInteger("remaining"));
    }
}
