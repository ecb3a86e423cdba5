package io.tapswitch.admin.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.tapswitch.formats.config.ConfigException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * An embedded PostgreSQL server (real binaries from a Maven artifact) whose data directory lives in
 * {@code <admin-data-dir>/pg}, so the registry survives restarts. Listens on 127.0.0.1 only.
 * <p>
 * Thread-safe: {@link #start} and {@link #close} are called once each by the owner.
 */
public final class EmbeddedDatabase implements AutoCloseable
{
    public static final String USER = "postgres";
    public static final String DATABASE = "postgres";
    /** Major version of the PostgreSQL binaries this release embeds (zonky's linux-amd64 binaries). */
    public static final String MAJOR_VERSION = "18";

    private final EmbeddedPostgres postgres;
    private final int port;

    private EmbeddedDatabase(final EmbeddedPostgres postgres)
    {
        this.postgres = postgres;
        this.port = postgres.getPort();
    }

    /**
     * Starts PostgreSQL on a data directory, keeping what it already holds.
     *
     * @param dataDir directory of the cluster (created if missing).
     * @param port    TCP port on 127.0.0.1, or 0 to pick a free one.
     * @return the running server.
     */
    public static EmbeddedDatabase start(final Path dataDir, final int port)
    {
        try
        {
            Files.createDirectories(dataDir);
            checkClusterVersion(dataDir);
            final EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(false)
                .setRegisterShutdownHook(true)
                .setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("max_connections", "100")
                // durable commits: zonky's builder defaults to synchronous_commit=off and starts postgres with -F
                // (fsync off), which would let a PostgreSQL crash lose writes already answered 2xx
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("full_page_writes", "on")
                // fewer checkpoints under a sustained ingest (issue 14): at ~0.9 KB of WAL per tap the default 1 GB
                // meant a checkpoint every ~0.5 M taps, and after each one every page changed is written whole into the
                // WAL once more (full-page images: 17 per 1 000 taps at 1 GB, 6 at 4 GB; BENCHMARKS.md "Admin ingest
                // (fifth session, engineer C)"). Costs up to 4 GB in pg_wal and a longer recovery after a crash.
                .setServerConfig("max_wal_size", "4GB")
                .setServerConfig("checkpoint_timeout", "15min")
                // the ingest's working set in memory (issue 14, sixth session): the taps, their indexes and the month
                // rows outgrow PostgreSQL's default 128 MB of buffers early (at 500 000 taps: 69 MB of heap, 130 MB of
                // indexes, 32 MB of tap_month_holder), and past that an insert into a random place of a B-tree (card,
                // holder, month rows) first evicts a page, writing it out when dirty (pg_stat_io after 500 000 taps:
                // 9 220 evictions by the ingest's backends); the default WAL buffers (1/32 of that, 4 MB) hold about one
                // batch's WAL (4 000 taps × ~800 B), so the backends also wrote WAL themselves (25 580 writes). Memory
                // is taken as it is used (mmap), up to ~1.1 GB. BENCHMARKS.md "Admin ingest (sixth session, C)"
                .setServerConfig("shared_buffers", "1GB")
                .setServerConfig("wal_buffers", "64MB");
            if (port > 0)
            {
                builder.setPort(port);
            }
            return new EmbeddedDatabase(builder.start());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start embedded PostgreSQL in " + dataDir, ex);
        }
    }

    /**
     * A cluster written by another major version cannot be opened by these binaries: refuse at once, naming the
     * upgrade steps, instead of letting PostgreSQL fail with a message about its control file.
     *
     * @param dataDir the cluster's directory.
     * @throws ConfigException when {@code PG_VERSION} names another major version.
     */
    static void checkClusterVersion(final Path dataDir) throws IOException
    {
        final Path versionFile = dataDir.resolve("PG_VERSION");
        if (!Files.isRegularFile(versionFile))
        {
            return;
        }
        final String found = Files.readString(versionFile).trim();
        if (!MAJOR_VERSION.equals(found))
        {
            throw new ConfigException("the embedded PostgreSQL data directory " + dataDir + " was written by PostgreSQL " +
                found + "; this release runs PostgreSQL " + MAJOR_VERSION + ". Upgrade it first (ops/RUNBOOK.md, " +
                "\"Upgrade the embedded PostgreSQL\": pg_dump with the previous release, restore into a new directory) " +
                "or point db-url at a PostgreSQL server");
        }
    }

    public int port()
    {
        return port;
    }

    /**
     * @param database database name.
     * @return a JDBC-style URL {@code postgresql://postgres@127.0.0.1:port/database} usable by both Flyway
     * (prefixed with {@code jdbc:}) and the reactive client.
     */
    public String url(final String database)
    {
        return "postgresql://" + USER + "@127.0.0.1:" + port + "/" + database;
    }

    @Override
    public void close()
    {
        try
        {
            postgres.close();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot stop embedded PostgreSQL", ex);
        }
    }
}
