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
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member of a replicated switch: an embedded Aeron media driver, archive and consensus module
 * ({@link ClusteredMediaDriver}), the service container running {@link TapClusteredService} (the engine), and the
 * factory of this member's {@link ClusterFrontEnd} for the network layer.
 * <p>
 * Idle strategies share a small machine politely: the driver and the archive run on one shared thread each backing
 * off to 1 ms parks, the consensus module and the service back off to 1 ms parks too; nothing busy-spins.
 * Timeouts: a leader silent for {@link #LEADER_HEARTBEAT_TIMEOUT_NS} is replaced (heartbeats every 100 ms); a
 * client session silent for 10 s is closed.
 */
public final class ClusterNode implements AutoCloseable
{
    private static final Logger LOGGER = LoggerFactory.getLogger(ClusterNode.class);
    static final long LEADER_HEARTBEAT_TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(1_500);
    private static final long LEADER_HEARTBEAT_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long ELECTION_TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long STARTUP_CANVASS_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    private static final long SESSION_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    private static final long MARK_FILE_WAIT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final String LOG_CHANNEL_PARAMS = "term-length=16m";
    private static final String CLIENT_CHANNEL_PARAMS = "term-length=4m";

    private final ClusterLayout layout;
    private final TapClusteredService service;
    private ClusteredMediaDriver driver;
    private ClusteredServiceContainer container;
    private java.util.concurrent.ScheduledExecutorService snapshots;

    private ClusterNode(final ClusterLayout layout, final TapClusteredService service)
    {
        this.layout = layout;
        this.service = service;
    }

    /**
     * Starts the member's driver, archive, consensus module and service (the engine opens on the service thread;
     * the member takes part in elections from now on).
     *
     * @param layout        ports and directories.
     * @param engineFactory opens the engine as a replica ({@link Engine#openReplica}).
     * @param onFatal       stops the process after a fault this member cannot go on with.
     */
    public static ClusterNode start(
        final ClusterLayout layout, final Supplier<Engine> engineFactory, final Runnable onFatal)
    {
        final ClusterNode node = new ClusterNode(layout,
            new TapClusteredService(layout.memberId(), engineFactory, layout.stateDir(), onFatal));
        final long deadlineNs = System.nanoTime() + MARK_FILE_WAIT_NS;
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

    private static Supplier<IdleStrategy> polite()
    {
        return () -> new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(10), TimeUnit.MILLISECONDS.toNanos(1));
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
            .leaderHeartbeatTimeoutNs(LEADER_HEARTBEAT_TIMEOUT_NS)
            .leaderHeartbeatIntervalNs(LEADER_HEARTBEAT_INTERVAL_NS)
            .electionTimeoutNs(ELECTION_TIMEOUT_NS)
            .startupCanvassTimeoutNs(STARTUP_CANVASS_TIMEOUT_NS)
            .sessionTimeoutNs(SESSION_TIMEOUT_NS)
            .errorHandler(errors);

        driver = ClusteredMediaDriver.launch(driverContext, archiveContext, consensusContext);

        final ClusteredServiceContainer.Context serviceContext = new ClusteredServiceContainer.Context()
            .aeronDirectoryName(aeronDir)
            .archiveContext(localArchive.clone())
            .clusterDir(clusterDir)
            .clusteredService(service)
            .idleStrategySupplier(polite())
            .errorHandler(errors);
        container = ClusteredServiceContainer.launch(serviceContext);
        LOGGER.info("cluster member {} of {} started: {} (aeron dir {})", memberId, layout.memberCount(),
            layout.clusterMembers(), aeronDir);
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
        if (null != snapshots)
        {
            snapshots.shutdownNow();
        }
        CloseHelper.quietClose(container);
        CloseHelper.quietClose(driver);
        service.closeEngine();
    }
}
