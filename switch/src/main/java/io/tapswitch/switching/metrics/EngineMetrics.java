package io.tapswitch.switching.metrics;

import java.util.function.BooleanSupplier;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tapswitch.switching.engine.Engine;
import io.tapswitch.switching.engine.EngineCounters;
import io.tapswitch.switching.journal.JournalReserver;
import io.tapswitch.switching.journal.JournalSyncer;

/**
 * Exposes the engine's plain counters ({@link EngineCounters}, written by the engine thread) as meters read at
 * scrape time: journal, snapshot, commands, table sizes.
 */
public final class EngineMetrics
{
    private EngineMetrics()
    {
    }

    public static void bind(final SwitchMetrics metrics, final Engine engine)
    {
        final EngineCounters counters = engine.counters();
        final MeterRegistry registry = metrics.registry();
        metrics.keepAlive(counters);

        // counts since start: counters (Prometheus applies rate() and increase() across restarts), not gauges
        FunctionCounter.builder("tapswitch.journal.bytes", counters, EngineCounters::journalBytes)
            .description("journal bytes appended since start").register(registry);
        FunctionCounter.builder("tapswitch.journal.records", counters, EngineCounters::journalRecords)
            .description("journal records written since start").register(registry);
        FunctionCounter.builder("tapswitch.journal.excerpts", counters, EngineCounters::journalExcerpts)
            .description("journal excerpts written since start (a batch's records share one excerpt)").register(registry);
        gauge(registry, "tapswitch.journal.torn.tail.excerpts", "journal excerpts of a torn tail (a crash or power " +
            "loss while they were written, never answered) cut off at the last start", counters,
            EngineCounters::journalTornExcerpts);
        gauge(registry, "tapswitch.journal.header.repairs", "journal cycle files with Chronicle excerpt headers " +
            "damaged past the last readable excerpt (a kill -9 or power loss mid-write) repaired at the last start: " +
            "readable excerpts copied with their indexes, the damaged file kept in <data-dir>/journal-damaged",
            counters, EngineCounters::journalHeaderRepairs);
        gauge(registry, "tapswitch.snapshot.bytes", "size of the last snapshot written or loaded", counters,
            EngineCounters::snapshotBytes);
        gauge(registry, "tapswitch.journal.receipt", "receipt of the last decision journaled", counters,
            EngineCounters::lastReceipt);

        commands(registry, counters, "applied", EngineCounters::commandsApplied);
        commands(registry, counters, "rejected", EngineCounters::commandsRejected);
        commands(registry, counters, "duplicate", EngineCounters::commandsDuplicate);

        table(registry, counters, "cards", EngineCounters::cards);
        table(registry, counters, "holders", EngineCounters::holders);
        table(registry, counters, "entitlements", EngineCounters::entitlements);
        table(registry, counters, "terminals", EngineCounters::terminals);
        table(registry, counters, "programs", EngineCounters::programs);
        table(registry, counters, "outlets", EngineCounters::outlets);
        table(registry, counters, "idempotency", EngineCounters::idempotencyEntries);
    }

    /**
     * Whether the journal is writable (the engine decides), journal faults, requests answered SYSTEM_ERROR for them,
     * and the failed attempts to allocate journal space ahead of the writer.
     */
    public static void bindJournalState(
        final SwitchMetrics metrics, final Engine engine, final BooleanSupplier journalWritable)
    {
        final MeterRegistry registry = metrics.registry();
        metrics.keepAlive(journalWritable);
        Gauge.builder("tapswitch.journal.writable", journalWritable, (w) -> w.getAsBoolean() ? 1 : 0)
            .description("1 while the journal can make decisions durable and requests are decided; 0 while they are " +
                "answered SYSTEM_ERROR (full filesystem, failed sync or write)")
            .register(registry);
        final JournalReserver reserver = engine.journalReserver();
        if (null != reserver)
        {
            metrics.keepAlive(reserver);
            FunctionCounter.builder("tapswitch.journal.reserve.failures", reserver, JournalReserver::failures)
                .description("failed attempts to allocate journal space ahead of the writer (full filesystem), " +
                    "retried every 100 ms")
                .register(registry);
        }
    }

    /**
     * The journal sync thread of {@code journal-sync=batch}: syncs done, syncs failed (answers wait while the disk
     * fails), and batches whose answers wait for their sync now.
     */
    public static void bindSyncer(final SwitchMetrics metrics, final JournalSyncer syncer)
    {
        final MeterRegistry registry = metrics.registry();
        metrics.keepAlive(syncer);
        FunctionCounter.builder("tapswitch.journal.syncs", syncer, JournalSyncer::syncs)
            .description("journal syncs to the disk (fdatasync) that released the answers of one or more batches")
            .register(registry);
        FunctionCounter.builder("tapswitch.journal.sync.failures", syncer, JournalSyncer::failures)
            .description("journal syncs that failed and were retried; answers wait until a sync succeeds")
            .register(registry);
        Gauge.builder("tapswitch.journal.sync.pending", syncer,
                (s) -> Math.max(0, s.requestedToken() - s.durableToken()))
            .description("engine batches whose answers wait for their journal sync")
            .baseUnit("batches")
            .register(registry);
    }

    private static void gauge(
        final MeterRegistry registry,
        final String name,
        final String description,
        final EngineCounters counters,
        final ToDoubleFunction<EngineCounters> value)
    {
        Gauge.builder(name, counters, value).description(description).register(registry);
    }

    private static void commands(
        final MeterRegistry registry, final EngineCounters counters, final String outcome,
        final ToDoubleFunction<EngineCounters> value)
    {
        FunctionCounter.builder("tapswitch.commands", counters, value)
            .description("admin commands by outcome")
            .tag("outcome", outcome)
            .register(registry);
    }

    private static void table(
        final MeterRegistry registry, final EngineCounters counters, final String table,
        final ToDoubleFunction<EngineCounters> value)
    {
        Gauge.builder("tapswitch.table.entries", counters, value)
            .description("entries per engine table")
            .tag("table", table)
            .register(registry);
    }
}
