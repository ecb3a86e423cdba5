package io.tapswitch.switching.metrics;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tapswitch.formats.metrics.PrometheusLint;
import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.ReasonCode;

/**
 * The switch's Micrometer registry (Prometheus) and its {@code GET /metrics} HTTP listener. Every switch meter
 * reads the single-writer {@link Counters} of the engine thread and of each event loop at scrape time, so the
 * hot path pays nothing but an ordered store per event; the authorization latency is a histogram per event loop
 * ({@link LatencyHistogram}) summed at scrape time.
 * <p>
 * Thread-safe: meters are registered at start; scrapes run on the HTTP listener's thread.
 */
public final class SwitchMetrics implements AutoCloseable
{
    private static final String[] RESULT_TYPE_NAMES = {"tap", "reversal", "balance"};
    private static final String[] DECISION_NAMES = {"approved", "declined", "recorded", "busy"};

    private final PrometheusMeterRegistry registry = PrometheusLint.apply(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
    /** Micrometer holds meter state weakly: the states are kept alive here for the registry's lifetime. */
    private final List<Object> meterStates = new CopyOnWriteArrayList<>();
    private HttpServer httpServer;
    private ExecutorService httpExecutor;

    public SwitchMetrics()
    {
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        io.tapswitch.formats.metrics.BuildInfo.bindProcessMeters(registry);
    }

    public PrometheusMeterRegistry registry()
    {
        return registry;
    }

    /** Name of the authorization latency histogram (Prometheus name with its unit). */
    public static final String AUTHORIZATION_LATENCY = "tapswitch_authorization_latency_seconds";
    private static final String AUTHORIZATION_LATENCY_HELP = "time from a request's receipt to the release of its response";

    /**
     * Registers {@code tapswitch_authorization_latency_seconds} (histogram: buckets 10 µs .. 100 ms, count, sum) and
     * {@code tapswitch_authorization_latency_seconds_max} (gauge), summed at scrape time over the event loops' own
     * histograms: the same names, buckets and meaning as the Micrometer timer they replace, without its cost per
     * response on the event loop (a clock read, a CAS for the max, adders).
     *
     * @param loops one histogram per event loop, each written by its loop only.
     */
    public void bindAuthorizationLatency(final List<LatencyHistogram> loops)
    {
        final List<LatencyHistogram> histograms = List.copyOf(loops);
        meterStates.add(histograms);
        final int buckets = LatencyHistogram.AUTHORIZATION_BOUNDS_NS.length;
        final double[] upperBounds = new double[buckets + 1];
        for (int i = 0; i < buckets; i++)
        {
            upperBounds[i] = LatencyHistogram.AUTHORIZATION_BOUNDS_NS[i] / 1e9;
        }
        upperBounds[buckets] = Double.POSITIVE_INFINITY;
        registry.getPrometheusRegistry().register(new io.prometheus.metrics.model.registry.MultiCollector()
        {
            @Override
            public io.prometheus.metrics.model.snapshots.MetricSnapshots collect()
            {
                final long[] counts = new long[buckets + 1];
                long sumNs = 0;
                long maxNs = 0;
                final long nowNs = System.nanoTime();
                for (final LatencyHistogram histogram : histograms)
                {
                    // sum first, buckets after: a record landing meanwhile shows in the buckets (and so the count),
                    // never in the sum alone
                    sumNs += histogram.sumNanos();
                    for (int i = 0; i <= buckets; i++)
                    {
                        counts[i] += histogram.bucketCount(i); // per bucket: the exposition makes them cumulative
                    }
                    maxNs = Math.max(maxNs, histogram.maxNanos(nowNs));
                }
                return io.prometheus.metrics.model.snapshots.MetricSnapshots.of(
                    io.prometheus.metrics.model.snapshots.HistogramSnapshot.builder()
                        .name(AUTHORIZATION_LATENCY)
                        .help(AUTHORIZATION_LATENCY_HELP)
                        .dataPoint(io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot.builder()
                            .classicHistogramBuckets(
                                io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets.of(upperBounds, counts))
                            .sum(sumNs / 1e9)
                            .build())
                        .build(),
                    io.prometheus.metrics.model.snapshots.GaugeSnapshot.builder()
                        .name(AUTHORIZATION_LATENCY + "_max")
                        .help(AUTHORIZATION_LATENCY_HELP)
                        .dataPoint(io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot.builder()
                            .value(maxNs / 1e9)
                            .build())
                        .build());
            }

            @Override
            public List<String> getPrometheusNames()
            {
                return List.of(AUTHORIZATION_LATENCY, AUTHORIZATION_LATENCY + "_max");
            }
        });
    }

    /**
     * @return the timer the engine thread records each journal excerpt write into (one record outside a batch, a
     * whole engine batch with group commit), buckets 1 µs .. 10 ms.
     */
    public Timer journalAppendLatencyTimer()
    {
        return Timer.builder("tapswitch.journal.append.latency")
            .description("time spent writing one journal excerpt: one record, or a whole engine batch (engine thread)")
            .serviceLevelObjectives(
                Duration.ofNanos(1_000), Duration.ofNanos(2_500), Duration.ofNanos(5_000), Duration.ofNanos(10_000),
                Duration.ofNanos(25_000), Duration.ofNanos(50_000), Duration.ofNanos(100_000),
                Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(10))
            .minimumExpectedValue(Duration.ofNanos(1_000))
            .maximumExpectedValue(Duration.ofMillis(10))
            .register(registry);
    }

    /**
     * Registers the network and session meters over the counter sets.
     *
     * @param engineCounters    the engine thread's counters.
     * @param loopCounters      one set per event loop.
     * @param openConnections   connections open now.
     */
    public void bindNetwork(
        final Counters engineCounters, final List<Counters> loopCounters, final LongSupplier openConnections)
    {
        final List<Counters> all = new ArrayList<>(loopCounters);
        all.add(engineCounters);
        meterStates.add(all);
        meterStates.add(openConnections);

        for (int typeIndex = 0; typeIndex < Counters.RESULT_TYPES; typeIndex++)
        {
            tapsCounter(all, typeIndex, Decision.APPROVED, ReasonCode.OK);
            tapsCounter(all, typeIndex, Counters.DECISION_BUSY, ReasonCode.BUSY);
            for (int reason = ReasonCode.UNKNOWN_CARD; reason <= ReasonCode.REVERSAL_WINDOW_EXPIRED; reason++)
            {
                if (reason != ReasonCode.NOT_LOGGED_ON && reason != ReasonCode.BUSY)
                {
                    tapsCounter(all, typeIndex, Decision.DECLINED, reason);
                }
            }
            if (0 == typeIndex)
            {
                for (int reason = ReasonCode.UNKNOWN_CARD; reason <= ReasonCode.OUTLET_NOT_ALLOWED; reason++)
                {
                    tapsCounter(all, typeIndex, Decision.RECORDED, reason);
                }
                tapsCounter(all, typeIndex, Decision.RECORDED, ReasonCode.OK);
            }
        }

        for (final int result : new int[]{ReasonCode.OK, ReasonCode.INVALID_REQUEST, ReasonCode.BUSY,
            ReasonCode.BAD_CREDENTIALS, ReasonCode.STALE_LOGON, ReasonCode.SYSTEM_ERROR})
        {
            final int id = Counters.logonsId(result);
            FunctionCounter.builder("tapswitch.logons", all, (c) -> sum(c, id))
                .description("LOGON results by code name")
                .tag("result", ReasonCode.name(result))
                .register(registry);
        }

        counter("tapswitch.busy", "requests answered BUSY (shed)", all, Counters.BUSY);
        counter("tapswitch.connections", "connections accepted", all, Counters.CONNECTIONS_ACCEPTED);
        FunctionCounter.builder("tapswitch.connections.rejected", all, (c) -> sum(c, Counters.CONNECTIONS_REJECTED_MAX))
            .description("connections closed at once, by reason")
            .tag("reason", "max_connections")
            .register(registry);
        counter("tapswitch.malformed.frames", "malformed frames answered MALFORMED_FRAME", all, Counters.MALFORMED_FRAMES);
        counter("tapswitch.logons.throttled", "LOGONs refused at once: too many failed LOGONs from their source address",
            all, Counters.LOGONS_THROTTLED);
        counter("tapswitch.idle.timeouts", "connections closed after 3 x heartbeat of silence", all, Counters.IDLE_TIMEOUTS);
        counter("tapswitch.sessions.replaced", "sessions closed by a newer LOGON of the same terminal", all,
            Counters.SESSIONS_REPLACED);
        counter("tapswitch.engine.errors", "requests the engine failed on (answered SYSTEM_ERROR)", all,
            Counters.ENGINE_ERRORS);
        counter("tapswitch.snapshots", "snapshots written", all, Counters.SNAPSHOTS);
        counter("tapswitch.response.drains.rescued", "answers delivered by the event loop's periodic check because no " +
            "wake-up had scheduled their delivery (should stay 0; each one is an answer that would have waited)", all,
            Counters.DRAINS_RESCUED);
        counter("tapswitch.journal.inline.syncs", "batches the engine thread synced to the disk itself (light load) " +
            "instead of handing them to the journal sync thread", all, Counters.INLINE_SYNCS);
        counter("tapswitch.responses.held", "answers that waited more than 10 ms in the response ring after the " +
            "engine thread released them (a late or lost wake-up of the event loop; should stay 0)", all,
            Counters.RESPONSES_HELD);
        counter("tapswitch.journal.faults", "times the journal stopped being writable (full filesystem, failed or " +
            "stuck sync, failed write)", all, Counters.JOURNAL_FAULTS);
        counter("tapswitch.journal.fault.answers", "requests answered ERROR SYSTEM_ERROR (LOGON_RESULT 18) because " +
            "the journal could not make them durable; nothing was decided", all, Counters.JOURNAL_UNWRITABLE_ANSWERS);

        sumGauge("tapswitch.sessions.active", "logged-on sessions", all,
            (c) -> sum(c, Counters.SESSIONS_OPENED) - sum(c, Counters.SESSIONS_CLOSED));
        sumGauge("tapswitch.engine.queue.depth", "requests waiting for the engine thread", all,
            (c) -> Math.max(0, sum(c, Counters.REQUESTS_QUEUED) - sum(c, Counters.REQUESTS_DECIDED)));
        Gauge.builder("tapswitch.connections.active", openConnections, LongSupplier::getAsLong)
            .description("connections open")
            .register(registry);
    }

    /**
     * Keeps a meter's state object alive as long as the registry (Micrometer references it weakly).
     */
    public void keepAlive(final Object state)
    {
        meterStates.add(state);
    }

    /**
     * Registers the free and total bytes of the file system holding the journal, read at scrape time.
     *
     * @param journalDir the journal directory (or the data directory, on the same file system).
     */
    public void bindJournalDisk(final Path journalDir)
    {
        final File dir = journalDir.toFile();
        meterStates.add(dir);
        Gauge.builder("tapswitch.journal.disk.free.bytes", dir, File::getUsableSpace)
            .description("bytes the switch can still write on the journal's file system")
            .register(registry);
        Gauge.builder("tapswitch.journal.disk.total.bytes", dir, File::getTotalSpace)
            .description("size of the journal's file system")
            .register(registry);
    }

    /**
     * Registers a gauge read at scrape time (for the engine's plain counters).
     */
    public <T> void gauge(final String name, final String description, final T state, final ToDoubleFunction<T> value)
    {
        meterStates.add(state);
        Gauge.builder(name, state, value).description(description).register(registry);
    }

    /**
     * Starts the HTTP listener on host:port (port 0 picks a free one): {@code GET /metrics}, {@code GET /health}
     * (200 while the process answers) and {@code GET /ready} (200 when {@code ready} says so, else 503), each
     * with a JSON or text body. Started before the engine recovers, so Prometheus and a supervisor see the switch
     * from its first second.
     *
     * @param ready     true when the switch is ready.
     * @param readyJson the body of /ready (the checks).
     * @return the bound port.
     */
    public int startHttp(final String host, final int port, final java.util.function.BooleanSupplier ready,
        final java.util.function.Supplier<String> readyJson) throws IOException
    {
        httpServer = HttpServer.create(new InetSocketAddress(host, port), 16);
        httpExecutor = Executors.newSingleThreadExecutor((r) ->
        {
            final Thread thread = new Thread(r, "tapswitch-metrics-http");
            thread.setDaemon(true);
            return thread;
        });
        httpServer.setExecutor(httpExecutor);
        httpServer.createContext("/metrics", (exchange) ->
            respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry::scrape));
        httpServer.createContext("/health", (exchange) ->
            respond(exchange, 200, "application/json", () -> "{\"status\":\"up\"}"));
        httpServer.createContext("/ready", (exchange) ->
        {
            final boolean isReady = ready.getAsBoolean();
            respond(exchange, isReady ? 200 : 503, "application/json", readyJson);
        });
        httpServer.start();
        return httpServer.getAddress().getPort();
    }

    private static void respond(final com.sun.net.httpserver.HttpExchange exchange, final int status,
        final String contentType, final java.util.function.Supplier<String> body) throws IOException
    {
        try (exchange)
        {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod()))
            {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            final String path = exchange.getRequestURI().getPath();
            if (!path.equals(exchange.getHttpContext().getPath()))
            {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            final byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", contentType);
            if ("HEAD".equals(exchange.getRequestMethod()))
            {
                exchange.sendResponseHeaders(status, -1);
                return;
            }
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody())
            {
                out.write(bytes);
            }
        }
    }

    /**
     * Registers the replay progress meters: {@code tapswitch_replay_progress_ratio} (0..1, 1 once recovered) and
     * {@code tapswitch_replay_records_total} (journal records replayed at this start).
     */
    public void bindReplay(final io.tapswitch.switching.engine.ReplayProgress progress)
    {
        meterStates.add(progress);
        Gauge.builder("tapswitch.replay.progress", progress, io.tapswitch.switching.engine.ReplayProgress::ratio)
            .description("share of the journal replayed at start (0 .. 1; 1 once the switch has recovered)")
            .baseUnit("ratio")
            .register(registry);
        FunctionCounter.builder("tapswitch.replay.records", progress,
                io.tapswitch.switching.engine.ReplayProgress::recordsReplayed)
            .description("journal records replayed at this start")
            .register(registry);
    }

    public void close()
    {
        if (null != httpServer)
        {
            httpServer.stop(0);
            httpExecutor.shutdownNow();
            httpServer = null;
        }
        gcMetrics.close();
        registry.close();
    }

    private void tapsCounter(final List<Counters> all, final int typeIndex, final int decision, final int reason)
    {
        final int id = Counters.tapsId(typeIndex, decision, reason);
        FunctionCounter.builder("tapswitch.taps", all, (c) -> sum(c, id))
            .description("results of TAP, REVERSAL and BALANCE by decision and reason")
            .tag("type", RESULT_TYPE_NAMES[typeIndex])
            .tag("decision", DECISION_NAMES[decision])
            .tag("reason", ReasonCode.name(reason))
            .register(registry);
    }

    private void counter(final String name, final String description, final List<Counters> all, final int id)
    {
        FunctionCounter.builder(name, all, (c) -> sum(c, id)).description(description).register(registry);
    }

    private void sumGauge(
        final String name, final String description, final List<Counters> all, final ToLongFunction<List<Counters>> f)
    {
        Gauge.builder(name, all, (c) -> f.applyAsLong(c)).description(description).register(registry);
    }

    private static long sum(final List<Counters> all, final int id)
    {
        long total = 0;
        for (int i = 0, size = all.size(); i < size; i++)
        {
            total += all.get(i).get(id);
        }
        return total;
    }
}
