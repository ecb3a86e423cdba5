package io.tapswitch.admin.workflow;

import java.time.Clock;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/**
 * The case gauges: {@code tapswitch_admin_cases{service,stage}} (open cases at each stage, suspended ones
 * included) and {@code tapswitch_admin_cases_overdue{service}} (active cases past their stage deadline or total
 * term). Labels are bounded by the catalogue: one series per card code and stage. Values are counted in PostgreSQL
 * by {@link #refresh()} (after every case change and periodically) and read by Micrometer at scrape time.
 * <p>
 * Thread-safe: values are atomics; refreshes do not overlap.
 */
public final class CaseMetrics
{
    private final Pool pool;
    private final WorkingCalendar calendar;
    private final Clock clock;
    private final Map<String, AtomicLong> byStage = new HashMap<>();
    private final Map<String, AtomicLong> overdue = new HashMap<>();
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();

    public CaseMetrics(final Catalogue catalogue, final MeterRegistry registry, final Pool pool,
        final WorkingCalendar calendar, final Clock clock)
    {
        this.pool = pool;
        this.calendar = calendar;
        this.clock = clock;
        for (final ServiceCard card : catalogue.allCards())
        {
            for (final ServiceCard.Stage stage : card.stages())
            {
                if (stage.path() == StagePath.MAIN || stage.path() == StagePath.REFUSAL)
                {
                    final String key = card.code() + '\u0000' + stage.no();
                    if (!byStage.containsKey(key))
                    {
                        final AtomicLong value = new AtomicLong();
                        byStage.put(key, value);
                        Gauge.builder("tapswitch_admin_cases", value, AtomicLong::get)
                            .description("open cases (active or left without motion) by service card and stage")
                            .tags("service", card.code(), "stage", stage.no())
                            .register(registry);
                    }
                }
            }
            if (!overdue.containsKey(card.code()))
            {
                final AtomicLong value = new AtomicLong();
                overdue.put(card.code(), value);
                Gauge.builder("tapswitch_admin_cases_overdue", value, AtomicLong::get)
                    .description("active cases past their stage deadline or total term, by service card")
                    .tags("service", card.code())
                    .register(registry);
            }
        }
    }

    /**
     * Recounts both gauges from the database; a refresh asked while one runs is run once after it.
     *
     * @return completes when counted.
     */
    public Future<Void> refresh()
    {
        if (!refreshing.compareAndSet(false, true))
        {
            again.set(true);
            return Future.succeededFuture();
        }
        final LocalDate today = calendar.dateOf(clock.instant());
        return pool.query("SELECT service_code, stage_no, count(*) FROM cases WHERE status IN ('ACTIVE', 'SUSPENDED') " +
                "GROUP BY service_code, stage_no").execute()
            .compose(stages -> pool.preparedQuery("SELECT service_code, count(*) FROM cases WHERE status = 'ACTIVE' " +
                    "AND (stage_due < $1 OR total_due < $1) GROUP BY service_code").execute(Tuple.of(today))
                .map(late ->
                {
                    final Map<String, Long> stageCounts = new HashMap<>();
                    for (final Row row : stages)
                    {
                        stageCounts.put(row.getString(0) + '\u0000' + row.getString(1), row.getLong(2));
                    }
                    for (final Map.Entry<String, AtomicLong> entry : byStage.entrySet())
                    {
                        entry.getValue().set(stageCounts.getOrDefault(entry.getKey(), 0L));
                    }
                    final Map<String, Long> lateCounts = new HashMap<>();
                    for (final Row row : late)
                    {
                        lateCounts.put(row.getString(0), row.getLong(1));
                    }
                    for (final Map.Entry<String, AtomicLong> entry : overdue.entrySet())
                    {
                        entry.getValue().set(lateCounts.getOrDefault(entry.getKey(), 0L));
                    }
                    return (Void)null;
                }))
            .eventually(() ->
            {
                refreshing.set(false);
                return again.getAndSet(false) ? refresh() : Future.succeededFuture();
            });
    }
}
