package io.tapswitch.switching.net;

import java.io.IOException;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;

import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tapswitch.switching.cluster.ClusterLayout;
import io.tapswitch.switching.cluster.ClusterNode;
import io.tapswitch.switching.cluster.ClusterTiming;
import io.tapswitch.switching.config.SwitchConfig;
import io.tapswitch.switching.engine.Engine;
import io.tapswitch.switching.engine.EngineConfig;
import io.tapswitch.switching.engine.ReplayProgress;
import io.tapswitch.switching.metrics.SwitchMetrics;
import io.tapswitch.switching.pipeline.EngineAgent;

/**
 * Assembles a whole switch from a configuration: data directory, demo provisioning through the command path,
 * engine (snapshot + journal replay), admin commands already queued, metrics and the network server. Used by
 * {@code ./tapswitch switch}, the demo and the integration tests.
 * <p>
 * Start and close from one controlling thread.
 */
public final class SwitchLauncher implements AutoCloseable
{
    /** Interval of the replay progress log line. */
    public static final long PROGRESS_LOG_INTERVAL_MS = 5_000;

    private static final Logger LOGGER = LoggerFactory.getLogger(SwitchLauncher.class);

    private final SwitchConfig config;
    private final SwitchMetrics metrics;
    private final SwitchServer server;
    private final ClusterNode cluster;
    private final SwitchReadiness readiness;
    private final int metricsPort;
    private final long startupCommandsApplied;

    private SwitchLauncher(
        final SwitchConfig config, final SwitchMetrics metrics, final SwitchServer server, final ClusterNode cluster,
        final SwitchReadiness readiness, final int metricsPort, final long startupCommandsApplied)
    {
        this.cluster = cluster;
        this.config = config;
        this.metrics = metrics;
        this.server = server;
        this.readiness = readiness;
        this.metricsPort = metricsPort;
        this.startupCommandsApplied = startupCommandsApplied;
    }

    /**
     * Opens everything and starts accepting connections. The metrics port ({@code /metrics}, {@code /health},
     * {@code /ready}) answers first, before the snapshot load and the journal replay; a line with the replay's
     * progress is logged every {@link #PROGRESS_LOG_INTERVAL_MS} ms while it lasts.
     *
     * @param config the validated configuration.
     * @return the running switch.
     */
    public static SwitchLauncher start(final SwitchConfig config) throws IOException, InterruptedException
    {
        return start(config, null);
    }

    /**
     * @param config the validated configuration.
     * @param onMetricsPort told the bound metrics port as soon as the listener answers (before the replay), or null.
     * @return the running switch.
     */
    public static SwitchLauncher start(final SwitchConfig config, final java.util.function.IntConsumer onMetricsPort)
        throws IOException, InterruptedException
    {
        Files.createDirectories(config.dataDir());
        final SwitchMetrics metrics = new SwitchMetrics();
        final ReplayProgress progress = new ReplayProgress();
        final SwitchReadiness readiness = new SwitchReadiness(progress, config.dataDir().resolve("journal"));
        metrics.bindReplay(progress);
        metrics.bindJournalDisk(config.dataDir());
        int metricsPort = -1;
        final ScheduledExecutorService progressLog = Executors.newSingleThreadScheduledExecutor((r) ->
        {
            final Thread thread = new Thread(r, "tapswitch-replay-progress");
            thread.setDaemon(true);
            return thread;
        });
        SwitchServer server = null;
        ClusterNode cluster = null;
        try
        {
            if (config.metricsPort() >= 0)
            {
                metricsPort = metrics.startHttp(config.metricsHost(), config.metricsPort(), readiness::ready, readiness::json);
                if (null != onMetricsPort)
                {
                    onMetricsPort.accept(metricsPort);
                }
            }
            if (config.demo())
            {
                DemoProvisioning.provisionIfEmpty(config.dataDir(), config.demoCards(), config.demoTerminals());
            }
            progressLog.scheduleAtFixedRate(() -> logProgress(progress), PROGRESS_LOG_INTERVAL_MS,
                PROGRESS_LOG_INTERVAL_MS, TimeUnit.MILLISECONDS);

            // a demo switch is sized for its demo cards, as an operator sizes a switch for its cards: the tables
            // would otherwise double during provisioning (the user's demo and bench load run the same tables)
            final int cardCapacity = config.demo() ? Math.max(config.cardCapacity(), config.demoCards())
                : config.cardCapacity();
            final Timer appendTimer = metrics.journalAppendLatencyTimer();
            final java.util.function.Supplier<EngineConfig> engineConfig = () -> new EngineConfig()
                .dataDir(config.dataDir())
                .heartbeatMs(config.heartbeatMs())
                .journalSyncToDisk(config.journalSync())
                .journalPretouchBytes(config.journalPretouchBytes())
                .journalReserveBytes(config.journalReserveBytes())
                .cardCapacity(cardCapacity)
                .holderCapacity(cardCapacity)
                .householdCapacity(Math.max(EngineConfig.DEFAULT_HOUSEHOLD_CAPACITY, cardCapacity / 3 + 1))
                .idempotencyCapacity(config.idempotencyCapacity())
                .replayVerify(config.replayVerify())
                // periodic snapshots are scheduled by the EngineAgent (snapshot-interval-ms), not a second time by the engine
                .snapshotIntervalMs(0)
                .replayProgress(progress)
                .journalAppendObserver((durationNs, lengthBytes) -> appendTimer.record(durationNs, TimeUnit.NANOSECONDS));
            server = new SwitchServer(config, () -> Engine.open(engineConfig.get()), metrics);
            if (config.clusterMember() >= 0)
            {
                // The replicated switch (switch/CLUSTER.md): the engine runs as this member's clustered service;
                // the network layer hands its requests to the cluster front end instead of an engine thread.
                final ClusterLayout layout = new ClusterLayout(config.clusterMember(), config.clusterHosts(),
                    config.clusterBasePort(), config.dataDir());
                cluster = ClusterNode.start(layout,
                    ClusterTiming.ofMillis(config.clusterLeaderTimeoutMs(), config.clusterElectionTimeoutMs()),
                    () -> Engine.openReplica(engineConfig.get()),
                    SwitchLauncher::exitAfterMemberFault);
                server.commitStage(cluster.frontEnd(config.engineBatchSize()));
                cluster.snapshotEvery(config.snapshotIntervalMs());
                final ClusterNode node = cluster;
                metrics.gauge("tapswitch_cluster_leader", "1 on the replicated switch's leader, 0 on the other members",
                    node, (n) -> n.isLeader() ? 1 : 0);
                metrics.gauge("tapswitch_cluster_elections", "elections this member took part in since it started " +
                    "(its first included; one more with every member alive is a spurious election)", node,
                    ClusterNode::elections);
                metrics.gauge("tapswitch_cluster_leadership_term", "the cluster's leadership term (one more per " +
                    "election, the same on every member)", node, ClusterNode::leadershipTerm);
            }
            server.start();
            progressLog.shutdownNow();
            LOGGER.info("recovered: {} journal records replayed ({}) in {} s", progress.recordsReplayed(),
                config.replayVerify() ? "decided again and compared, replay=verify" : "effects applied",
                String.format(Locale.ROOT, "%.1f", progress.elapsedSeconds()));
            if (config.replayVerify() && server.replayMismatches() > 0)
            {
                LOGGER.warn("replay=verify: {} journal records decided differently from the journal at this start " +
                    "(a rule or the data changed since they were decided; the tables follow the decisions made now, replay=effects " +
                    "follows the journal)",
                    server.replayMismatches());
            }
            readiness.syncer(server.journalSyncer());
            readiness.journalWritable(server::journalWritable);
            readiness.serving(true);
            return new SwitchLauncher(config, metrics, server, cluster, readiness, metricsPort,
                server.startupCommandsApplied());
        }
        catch (final IOException | InterruptedException | RuntimeException ex)
        {
            progressLog.shutdownNow();
            if (null != server)
            {
                server.close();
            }
            if (null != cluster)
            {
                cluster.close();
            }
            metrics.close();
            throw ex;
        }
    }

    private static void logProgress(final ReplayProgress progress)
    {
        if (progress.phase() == ReplayProgress.REPLAYING)
        {
            final long total = progress.excerptsTotal();
            LOGGER.info("replaying the journal: {} of {} excerpts ({}), {} records, {} s", progress.excerptsRead(),
                total < 0 ? "?" : Long.toString(total),
                total <= 0 ? "?" : String.format(Locale.ROOT, "%.1f %%", 100.0 * progress.ratio()),
                progress.recordsReplayed(), String.format(Locale.ROOT, "%.0f", progress.elapsedSeconds()));
        }
        else if (progress.phase() == ReplayProgress.LOADING_SNAPSHOT)
        {
            LOGGER.info("loading the latest snapshot: {} s", String.format(Locale.ROOT, "%.0f", progress.elapsedSeconds()));
        }
    }

    /**
     * @return what /ready answers; its journal check is a hook ({@link SwitchReadiness#journalWritable}).
     */
    /**
     * @return the cluster member of a replicated switch, null for the single-node switch.
     */
    public ClusterNode cluster()
    {
        return cluster;
    }

    private static void exitAfterMemberFault()
    {
        final Thread exit = new Thread(() -> System.exit(EngineAgent.EXIT_JOURNAL_FAULT), "tapswitch-member-fault-exit");
        exit.setDaemon(true);
        exit.start();
    }

    public SwitchReadiness readiness()
    {
        return readiness;
    }

    public SwitchConfig config()
    {
        return config;
    }

    public SwitchServer server()
    {
        return server;
    }

    public SwitchMetrics metrics()
    {
        return metrics;
    }

    public int port()
    {
        return server.port();
    }

    /**
     * @return the port of {@code /metrics}, {@code /health} and {@code /ready}, or -1 when disabled.
     */
    public int metricsPort()
    {
        return metricsPort;
    }

    /**
     * @return admin commands applied at start, before the listener opened.
     */
    public long startupCommandsApplied()
    {
        return startupCommandsApplied;
    }

    /**
     * Stops accepting, drains, writes a snapshot, closes the journal, stops the metrics listener.
     */
    public void close()
    {
        readiness.serving(false);
        try
        {
            server.close();
        }
        finally
        {
            try
            {
                if (null != cluster)
                {
                    cluster.close();
                }
            }
            finally
            {
                metrics.close();
            }
        }
    }
}
