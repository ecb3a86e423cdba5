package io.tapswitch.admin.db;

import io.tapswitch.admin.AdminConfig;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.flywaydb.core.Flyway;

/**
 * Connects the admin service to PostgreSQL: the configured server, or an embedded one in
 * {@code <data-dir>/pg}. Applies the Flyway migrations ({@code classpath:db/migration}) over JDBC, then
 * opens the reactive pool used by everything else.
 * <p>
 * Not thread-safe: opened and closed by the service's start/stop.
 */
public final class Database implements AutoCloseable
{
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Database.class);
    /** Longest wait for a TCP connection to PostgreSQL. */
    public static final int CONNECT_TIMEOUT_MS = 3_000;
    /** Longest wait of a request for a pooled connection. */
    public static final int CONNECTION_WAIT_SECONDS = 10;
    /** Requests that may wait for a pooled connection; more are refused at once (503). */
    public static final int MAX_WAITING_REQUESTS = 1_000;

    private final EmbeddedDatabase embedded;
    private final PgConnectOptions options;

    private Database(final EmbeddedDatabase embedded, final PgConnectOptions options)
    {
        this.embedded = embedded;
        this.options = options;
    }

    /**
     * Starts the embedded server when no URL is configured, then migrates.
     *
     * @param config the configuration.
     * @return the database, migrated.
     */
    public static Database open(final AdminConfig config)
    {
        EmbeddedDatabase embedded = null;
        final String url;
        if (config.dbUrl() == null)
        {
            embedded = EmbeddedDatabase.start(config.dataDir().resolve("pg"), config.embeddedPgPort());
            url = embedded.url(EmbeddedDatabase.DATABASE);
        }
        else
        {
            url = config.dbUrl().startsWith("jdbc:") ? config.dbUrl().substring("jdbc:".length()) : config.dbUrl();
        }
        try
        {
            final PgConnectOptions options = PgConnectOptions.fromUri(url);
            migrate(options);
            alignRollupZone(options, config.cityZone());
            return new Database(embedded, options);
        }
        catch (final RuntimeException ex)
        {
            if (embedded != null)
            {
                embedded.close();
            }
            throw ex;
        }
    }

    /**
     * Applies the migrations.
     *
     * @param options where.
     */
    public static void migrate(final PgConnectOptions options)
    {
        Flyway.configure()
            .dataSource(jdbcUrl(options), options.getUser(), options.getPassword())
            .locations("classpath:db/migration")
            .load()
            .migrate();
    }

    /**
     * The tap rollups of the aid and meals reports ({@code V75__tap_rollups.sql}) count each tap on its day in the
     * city zone: when the configured zone differs from the one they were built in, they are rebuilt from the taps
     * (once, in one transaction that holds off writers of taps).
     *
     * @param options  where.
     * @param cityZone the configured city zone.
     */
    public static void alignRollupZone(final PgConnectOptions options, final java.time.ZoneId cityZone)
    {
        try (java.sql.Connection conn = java.sql.DriverManager.getConnection(jdbcUrl(options), options.getUser(),
            options.getPassword()))
        {
            conn.setAutoCommit(false);
            final String stored;
            try (java.sql.Statement statement = conn.createStatement();
                java.sql.ResultSet rs = statement.executeQuery("SELECT city_zone FROM tap_rollup_settings"))
            {
                stored = rs.next() ? rs.getString(1) : null;
            }
            if (!cityZone.getId().equals(stored))
            {
                final long startNs = System.nanoTime();
                try (java.sql.PreparedStatement rebuild = conn.prepareStatement("SELECT tap_rollups_rebuild(?)"))
                {
                    rebuild.setString(1, cityZone.getId());
                    rebuild.execute();
                }
                LOG.info("tap rollups rebuilt for the city zone {} (were {}) in {} ms", cityZone.getId(), stored,
                    (System.nanoTime() - startNs) / 1_000_000);
            }
            conn.commit();
        }
        catch (final java.sql.SQLException ex)
        {
            throw new IllegalStateException("cannot align the tap rollups with the city zone " + cityZone.getId() + ": " +
                ex.getMessage(), ex);
        }
    }

    static String jdbcUrl(final PgConnectOptions options)
    {
        return "jdbc:postgresql://" + options.getHost() + ":" + options.getPort() + "/" + options.getDatabase();
    }

    /**
     * @return the JDBC URL (without credentials), for bulk loading over JDBC.
     */
    public String jdbcUrl()
    {
        return jdbcUrl(options);
    }

    /**
     * @return the embedded PostgreSQL's port, or -1 with a configured server.
     */
    public int embeddedPort()
    {
        return embedded == null ? -1 : embedded.port();
    }

    public PgConnectOptions options()
    {
        return options;
    }

    /**
     * @param vertx    the Vert.x instance.
     * @param poolSize connections.
     * @return a new reactive pool.
     */
    public Pool pool(final Vertx vertx, final int poolSize)
    {
        return PgBuilder.pool()
            // bounded waits: with PostgreSQL unreachable a request fails within seconds (a 503), it never hangs
            .with(new PoolOptions().setMaxSize(poolSize).setConnectionTimeout(CONNECTION_WAIT_SECONDS)
                .setConnectionTimeoutUnit(java.util.concurrent.TimeUnit.SECONDS).setMaxWaitQueueSize(MAX_WAITING_REQUESTS))
            .connectingTo(new PgConnectOptions(options).setCachePreparedStatements(true))
            .with(new io.vertx.core.net.NetClientOptions().setConnectTimeout(CONNECT_TIMEOUT_MS))
            .using(vertx)
            .build();
    }

    /**
     * Opens a JDBC connection, for bulk work the reactive client does not do (COPY). Blocking.
     *
     * @return a new connection; the caller closes it.
     */
    public java.sql.Connection jdbcConnection() throws java.sql.SQLException
    {
        return java.sql.DriverManager.getConnection(jdbcUrl(options), options.getUser(), options.getPassword());
    }

    @Override
    public void close()
    {
        if (embedded != null)
        {
            embedded.close();
        }
    }
}
