package io.tapswitch.switching.cluster;

import java.io.File;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ClusterControl;
import io.aeron.cluster.ClusteredMediaDriver;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.service.ClusteredServiceContainer;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.tapswitch.switching.engine.Engine;
import io.tapswitch.switching.pipeline.CommitStage;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member of a replicated switch: an embedded Aeron media driver, archive and consensus module
 * ({@link ClusteredMediaDriver}), the service container running {@link TapClusteredService} (the engine), and the
 * factory of this member's {@link ClusterFrontEnd} for the network layer.
 * <p>
 * Idle strategies share a small machine politely ({@link RecentWorkIdleStrategy}): the driver and the archive run on
 * one shared thread each, the consensus module and the service on theirs; each backs off to parks of 250 µs while
 * work came in the last 50 ms, to 1 ms parks after; nothing busy-spins. Timeouts: {@link ClusterTiming} (a leader
 * silent for {@code cluster-leader-timeout-ms} is replaced); a client session silent for 10 s is closed.
 */
public final class ClusterNode implements AutoCloseable
{
    private static final Logger LOGGER = LoggerFactory.getLogger(ClusterNode.class);
    private static final long STARTUP_CANVASS_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    private static final long SESSION_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    private static final long MARK_FILE_WAIT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final String LOG_CHANNEL_PARAMS = "term-length=16m";
    private static final String CLIENT_CHANNEL_PARAMS = "term-length=4m";

    private final ClusterLayout layout;
    private final ClusterTiming timing;
    private final TapClusteredService service;
    private final Runnable onFatal;
    private volatile boolean closing;
    private ClusteredMediaDriver driver;
    private ClusteredServiceContainer container;
    private java.util.concurrent.ScheduledExecutorService snapshots;

    private ClusterNode(
        final ClusterLayout layout, final ClusterTiming timing, final TapClusteredService service,
        final Runnable onFatal)
    {
        this.onFatal = onFatal;
        this.layout = layout;
        this.timing = timing;
        this.service = service;
    }

    /**
     * Starts the member's driver, archive, consensus module and service (the engine opens on the service thread;
     * the member takes part in elections from now on).
     *
     * @param layout        ports and directories.
     * @param timing        the election timeouts.
     * @param engineFactory opens the engine as a replica ({@link Engine#openReplica}).
     * @param onFatal       stops the process after a fault this member cannot go on with.
     */
    public static ClusterNode start(
        final ClusterLayout layout, final ClusterTiming timing, final Supplier<Engine> engineFactory,
        final Runnable onFatal)
    {
        final ClusterNode node = new ClusterNode(layout, timing,
            new TapClusteredService(layout.memberId(), engineFactory, layout.stateDir(), onFatal), onFatal);
        // A thread of the cluster that dies (e.g. writing its mark file's error log on a full disk: a fault on a mapped
        // page) leaves a member that cannot take part: the process stops for its supervisor (exit 74).
        Thread.setDefaultUncaughtExceptionHandler((thread, throwable) ->
        {
            if (!node.closing)
            {
                LOGGER.error("cluster member {}: thread {} died: this member stops; the others go on",
                    layout.memberId(), thread.getName(), throwable);
                onFatal.run();
            }
        });
        final long deadlineNs = System.nanoTime() + MARK_FILE_WAIT_NS;
        boolean repaired = false;
        while (true)
        {
            try
            {
                node.launch();
                return node;
            }
            catch (final RuntimeException ex)
            {
                node.closeParts();
                // A recording whose last fragment may be incomplete (the member stopped on a full disk or was killed
                // in the middle of a write): Aeron refuses to start until `ArchiveTool verify` truncated it. The cut
                // tail is this member's copy of the log past what it fully wrote; it catches up from the leader.
                if (!repaired && String.valueOf(ex.getMessage()).contains("incomplete last fragment"))
                {
                    repaired = true;
                    repairArchive(layout);
                    continue;
                }
                // After a crash (kill -9, power loss) the archive's and the cluster's mark files look active until
                // their heartbeat is older than the driver timeout: wait for that, as a supervisor's restart would.
                final boolean markFile = String.valueOf(ex.getMessage()).contains("active mark file detected");
                if (!markFile || System.nanoTime() - deadlineNs > 0)
                {
                    node.close();
                    throw ex;
                }
                LOGGER.info("cluster member {}: {} (left by a crashed run); retrying in 1 s", layout.memberId(),
                    ex.getMessage());
                try
                {
                    Thread.sleep(1_000);
                }
                catch (final InterruptedException interrupted)
                {
                    Thread.currentThread().interrupt();
                    node.close();
                    throw ex;
                }
            }
        }
    }

    /**
     * Runs Aeron's {@code ArchiveTool verify} on the member's archive, truncating a recording's incomplete last
     * fragment (what the tool asks an operator to confirm), and logs what it did.
     */
    private static void repairArchive(final ClusterLayout layout)
    {
        LOGGER.error("cluster member {}: the archive's log recording in {} ends with a possibly incomplete fragment " +
            "(a full disk or a crash in the middle of a write): verifying it and cutting that fragment (ArchiveTool " +
            "verify); the member catches the log up from the leader", layout.memberId(), layout.archiveDir());
        final java.io.ByteArrayOutputStream report = new java.io.ByteArrayOutputStream();
        try (java.io.PrintStream out = new java.io.PrintStream(report, true, java.nio.charset.StandardCharsets.UTF_8))
        {
            final boolean valid = io.aeron.archive.ArchiveTool.verify(out, layout.archiveDir().toFile(),
                java.util.EnumSet.noneOf(io.aeron.archive.ArchiveTool.VerifyOption.class), null, (file) ->
                {
                    LOGGER.warn("cluster member {}: cutting the incomplete last fragment of {}", layout.memberId(),
                        file);
                    return true;
                });
            LOGGER.info("cluster member {}: ArchiveTool verify: {}{}", layout.memberId(),
                valid ? "valid" : "found invalid recordings", System.lineSeparator() + report);
        }
    }

    private static Supplier<IdleStrategy> polite()
    {
        return RecentWorkIdleStrategy::new;
    }

    private void launch()
    {
        final int memberId = layout.memberId();
        final String aeronDir = layout.aeronDir();
        final ErrorHandler errors = (throwable) -> LOGGER.warn("cluster member {}: {}", memberId, throwable.toString());

        final MediaDriver.Context driverContext = new MediaDriver.Context()
            .aeronDirectoryName(aeronDir)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(polite().get())
            .termBufferSparseFile(true)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .errorHandler(errors);

        final AeronArchive.Context replicationArchiveContext = new AeronArchive.Context()
            .controlResponseChannel(layout.ephemeralChannel());
        final Archive.Context archiveContext = new Archive.Context()
            .aeronDirectoryName(aeronDir)
            .archiveId(memberId)
            .archiveDir(layout.archiveDir().toFile())
            .controlChannel(layout.archiveControlChannel())
            .archiveClientContext(replicationArchiveContext)
            .localControlChannel("aeron:ipc?term-length=64k")
            .replicationChannel(layout.ephemeralChannel())
            .recordingEventsEnabled(false)
            .threadingMode(ArchiveThreadingMode.SHARED)
            .idleStrategySupplier(polite())
            .errorHandler(errors);

        final AeronArchive.Context localArchive = new AeronArchive.Context()
            .lock(NoOpLock.INSTANCE)
            .controlRequestChannel(archiveContext.localControlChannel())
            .controlResponseChannel(archiveContext.localControlChannel())
            .aeronDirectoryName(aeronDir);

        final File clusterDir = layout.clusterDir().toFile();
        final ConsensusModule.Context consensusContext = new ConsensusModule.Context()
            .clusterMemberId(memberId)
            .clusterMembers(layout.clusterMembers())
            .clusterDir(clusterDir)
            .aeronDirectoryName(aeronDir)
            .ingressChannel("aeron:udp?" + CLIENT_CHANNEL_PARAMS)
            .logChannel("aeron:udp?" + LOG_CHANNEL_PARAMS)
            .replicationChannel(layout.ephemeralChannel())
            .archiveContext(localArchive.clone())
            .idleStrategySupplier(polite())
            .leaderHeartbeatTimeoutNs(timing.leaderTimeoutNs())
            .leaderHeartbeatIntervalNs(timing.leaderHeartbeatIntervalNs())
            .electionTimeoutNs(timing.electionTimeoutNs())
            .electionStatusIntervalNs(timing.electionStatusIntervalNs())
            .startupCanvassTimeoutNs(STARTUP_CANVASS_TIMEOUT_NS)
            .sessionTimeoutNs(SESSION_TIMEOUT_NS)
            .terminationHook(() -> onTermination("consensus module"))
            .errorHandler(errors);

        driver = ClusteredMediaDriver.launch(driverContext, archiveContext, consensusContext);

        final ClusteredServiceContainer.Context serviceContext = new ClusteredServiceContainer.Context()
            .aeronDirectoryName(aeronDir)
            .archiveContext(localArchive.clone())
            .clusterDir(clusterDir)
            .clusteredService(service)
            .terminationHook(() -> onTermination("service container"))
            .idleStrategySupplier(polite())
            .errorHandler(errors);
        container = ClusteredServiceContainer.launch(serviceContext);
        LOGGER.info("cluster member {} of {} started: {} (aeron dir {})", memberId, layout.memberCount(),
            layout.clusterMembers(), aeronDir);
    }

    /**
     * The cluster stopped this member's consensus module or service without this process asking (its archive could
     * not record the log: a full disk; an unrecoverable cluster error): the member cannot take part any more, so the
     * process stops (exit status 74, as a journal fault) for its supervisor; the others go on, and it catches up from
     * them when restarted.
     */
    private void onTermination(final String part)
    {
        if (closing)
        {
            return;
        }
        LOGGER.error("cluster member {}: the consensus module stopped (the {} terminated; see the errors above, e.g. " +
            "the archive cannot record the log on a full disk): this member stops; the others go on", layout.memberId(),
            part);
        onFatal.run();
    }

    /**
     * @return a new cluster client context for this member's front end (its egress port, this member's driver).
     */
    AeronCluster.Context clientContext()
    {
        return new AeronCluster.Context()
            .aeronDirectoryName(layout.aeronDir())
            .ingressChannel("aeron:udp?" + CLIENT_CHANNEL_PARAMS)
            .ingressEndpoints(layout.ingressEndpoints())
            .egressChannel(layout.egressChannel() + "|" + CLIENT_CHANNEL_PARAMS)
            .messageTimeoutNs(TimeUnit.SECONDS.toNanos(5))
            .newLeaderTimeoutNs(timing.newLeaderTimeoutNs())
            .idleStrategy(polite().get());
    }

    /**
     * @param batchSize requests per ingress message at most.
     * @return the commit stage the network layer runs in place of the engine thread (this member's front end).
     */
    public CommitStage.Factory frontEnd(final int batchSize)
    {
        return (requests, responses, wakers, counters) -> new ClusterFrontEnd(layout.memberId(), this::clientContext,
            service, layout.dataDir(), requests, responses, wakers, counters, batchSize);
    }

    public TapClusteredService service()
    {
        return service;
    }

    public ClusterLayout layout()
    {
        return layout;
    }

    /**
     * Asks the cluster for a snapshot (every member's service writes one at the same log position); only the leader
     * asks.
     *
     * @return true when asked.
     */
    public boolean takeSnapshot()
    {
        final ClusteredMediaDriver driver = this.driver;
        if (null == driver || !isLeader())
        {
            return false;
        }
        return ClusterControl.ToggleState.SNAPSHOT.toggle(driver.consensusModule().context().controlToggleCounter());
    }

    /**
     * Takes a snapshot every {@code intervalMs} (on the leader), from a daemon thread.
     */
    public void snapshotEvery(final long intervalMs)
    {
        if (intervalMs <= 0)
        {
            return;
        }
        snapshots = java.util.concurrent.Executors.newSingleThreadScheduledExecutor((r) ->
        {
            final Thread thread = new Thread(r, "tapswitch-cluster-snapshots");
            thread.setDaemon(true);
            return thread;
        });
        snapshots.scheduleAtFixedRate(this::takeSnapshot, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    /**
     * @return elections this member took part in since it started (its first one included); an election with every
     * member alive is a spurious one (a leader's heartbeats came late: a starved machine, a long GC pause).
     */
    public long elections()
    {
        final ClusteredMediaDriver driver = this.driver;
        if (null == driver)
        {
            return 0;
        }
        final io.aeron.Counter counter = driver.consensusModule().context().electionCounter();
        return null == counter || counter.isClosed() ? 0 : counter.get();
    }

    /**
     * @return the current leadership term (the same on every member once an election ended; one more per election).
     */
    public long leadershipTerm()
    {
        final ClusteredMediaDriver driver = this.driver;
        if (null == driver)
        {
            return -1;
        }
        final io.aeron.Counter counter = driver.consensusModule().context().leadershipTermIdCounter();
        return null == counter || counter.isClosed() ? -1 : counter.get();
    }

    public ClusterTiming timing()
    {
        return timing;
    }

    /**
     * @return true while this member is the leader.
     */
    public boolean isLeader()
    {
        return service.isLeader();
    }

    private void closeParts()
    {
        CloseHelper.quietClose(container);
        CloseHelper.quietClose(driver);
        container = null;
        driver = null;
    }

    @Override
    public void close()
    {
        closing = true;
        if (null != snapshots)
        {
            snapshots.shutdownNow();
        }
        CloseHelper.quietClose(container);
        CloseHelper.quietClose(driver);
        service.closeEngine();
    }
}
