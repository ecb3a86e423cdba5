package io.tapswitch.switching.net;

import java.io.IOException;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Timer;

import io.tapswitch.switching.config.SwitchConfig;
import io.tapswitch.switching.engine.Engine;
import io.tapswitch.switching.engine.EngineConfig;
import io.tapswitch.switching.metrics.SwitchMetrics;

/**
 * Assembles a whole switch from a configuration: data directory, demo provisioning through the command path,
 * engine (snapshot + journal replay), admin commands already queued, metrics and the network server. Used by
 * {@code ./tapswitch switch}, the demo and the integration tests.
 * <p>
 * Start and close from one controlling thread.
 */
public final class SwitchLauncher implements AutoCloseable
{
    private final SwitchConfig config;
    private final SwitchMetrics metrics;
    private final SwitchServer server;
    private final long startupCommandsApplied;

    private SwitchLauncher(
        final SwitchConfig config, final SwitchMetrics metrics, final SwitchServer server, final long startupCommandsApplied)
    {
        this.config = config;
        this.metrics = metrics;
        this.server = server;
        this.startupCommandsApplied = startupCommandsApplied;
    }

    /**
     * Opens everything and starts accepting connections.
     *
     * @param config the validated configuration.
     * @return the running switch.
     */
    public static SwitchLauncher start(final SwitchConfig config) throws IOException, InterruptedException
    {
        Files.createDirectories(config.dataDir());
        if (config.demo())
        {
            DemoProvisioning.provisionIfEmpty(config.dataDir(), config.demoCards(), config.demoTerminals());
        }

        final SwitchMetrics metrics = new SwitchMetrics();
        metrics.bindJournalDisk(config.dataDir());
        final Timer appendTimer = metrics.journalAppendLatencyTimer();
        final SwitchServer server = new SwitchServer(config, () -> Engine.open(new EngineConfig()
            .dataDir(config.dataDir())
            .heartbeatMs(config.heartbeatMs())
            .journalSyncToDisk(config.journalSync())
            .journalPretouchBytes(config.journalPretouchBytes())
            .journalReserveBytes(config.journalReserveBytes())
            .cardCapacity(config.cardCapacity())
            .holderCapacity(config.cardCapacity())
            .householdCapacity(Math.max(EngineConfig.DEFAULT_HOUSEHOLD_CAPACITY, config.cardCapacity() / 3 + 1))
            .idempotencyCapacity(config.idempotencyCapacity())
            // periodic snapshots are scheduled by the EngineAgent (snapshot-interval-ms), not a second time by the engine
            .snapshotIntervalMs(0)
            .journalAppendObserver((durationNs, lengthBytes) -> appendTimer.record(durationNs, TimeUnit.NANOSECONDS))),
            metrics);
        try
        {
            server.start();
            return new SwitchLauncher(config, metrics, server, server.startupCommandsApplied());
        }
        catch (final IOException | InterruptedException | RuntimeException ex)
        {
            server.close();
            metrics.close();
            throw ex;
        }
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

    public int metricsPort()
    {
        return server.metricsPort();
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
        try
        {
            server.close();
        }
        finally
        {
            metrics.close();
        }
    }
}
