package io.tapswitch.admin;

import java.io.IOException;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.tapswitch.formats.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./tapswitch admin}: runs the admin service until interrupted (Ctrl-C / SIGTERM stop it cleanly).
 * Exit codes: 0 stopped cleanly, 2 configuration error (message on stderr, no stack trace), 1 failure.
 */
@Command(name = "admin", mixinStandardHelpOptions = true, version = "tapswitch admin",
    description = "Run the admin service: REST API on PostgreSQL, commands to the switch, journal ingest. Settings " +
        "come from --config FILE (YAML or JSON), then TAPSWITCH_ADMIN_* environment variables, then flags " +
        "(highest precedence); see the README. Exit codes: 0 ok, 2 configuration, 1 failure.")
public final class AdminMain implements java.util.concurrent.Callable<Integer>
{
    /** Exit code of a configuration error (a restart cannot fix it: systemd's RestartPreventExitStatus). */
    public static final int EXIT_CONFIG = 2;
    /** Exit code of a failure at run time. */
    public static final int EXIT_FAILURE = 1;
    /** File in the data directory that receives a generated token when a configuration file names none. */
    public static final String TOKEN_FILE = "admin-token";

    private static final Logger LOGGER = LoggerFactory.getLogger(AdminMain.class);

    @Option(names = "--config", paramLabel = "FILE", description = "configuration file (.yaml, .yml or .json)")
    Path configFile;

    @Option(names = "--host", paramLabel = "H", description = "address to bind (default 127.0.0.1)")
    String host;

    @Option(names = "--port", paramLabel = "P", description = "REST API port (default 8080; 0 = any free port)")
    Integer port;

    @Option(names = "--metrics-port", paramLabel = "M", description = "Prometheus /metrics port (default 9465; -1 = off)")
    Integer metricsPort;

    @Option(names = "--db-url", paramLabel = "URL", description = "PostgreSQL URL postgresql://user:password@host:port/db " +
        "(default: an embedded PostgreSQL in <data-dir>/pg); prefer TAPSWITCH_ADMIN_DB_URL, a flag shows in ps")
    String dbUrl;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "admin data directory (default data/admin)")
    Path dataDir;

    @Option(names = "--switch-data-dir", paramLabel = "DIR",
        description = "the switch's data directory: commands/ and journal/ (default data/switch)")
    Path switchDataDir;

    @Option(names = {"--tls-cert"}, paramLabel = "FILE", description = "PEM certificate chain (setting tls.cert-file)")
    Path tlsCert;

    @Option(names = {"--tls-key"}, paramLabel = "FILE", description = "PEM PKCS#8 private key (setting tls.key-file)")
    Path tlsKey;

    @Option(names = "--embedded-pg-port", paramLabel = "P", description = "port of the embedded PostgreSQL (default any free)")
    Integer embeddedPgPort;

    @Option(names = "--key-rotation-grace-seconds", paramLabel = "S",
        description = "seconds a rotated terminal key stays valid (default 86400)")
    Long keyRotationGraceSeconds;

    @Option(names = "--demo", description = "load the demo dataset (DEMO-DATA.md) into PostgreSQL and, through the outbox, the switch")
    boolean demo;

    @Option(names = "--demo-cards", paramLabel = "N", description = "demo cards")
    Integer demoCards;

    @Option(names = "--demo-terminals", paramLabel = "T", description = "demo terminals")
    Integer demoTerminals;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "any setting by its key, e.g. --set pool-size=16")
    Map<String, String> settings = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception
    {
        // the embedded PostgreSQL's initdb/server chatter stays out of the operator's console
        if (LoggerFactory.getLogger("io.zonky") instanceof ch.qos.logback.classic.Logger zonky)
        {
            zonky.setLevel(ch.qos.logback.classic.Level.WARN);
        }
        final AdminConfig config;
        try
        {
            config = AdminConfig.load(configFile, System.getenv(), flags()).conclude();
        }
        catch (final ConfigException ex)
        {
            System.err.println("tapswitch admin: " + ex.getMessage());
            return EXIT_CONFIG;
        }
        System.err.print(config.summary());

        final AdminService service = new AdminService(config);
        try
        {
            service.start().toCompletionStage().toCompletableFuture().get(5, TimeUnit.MINUTES);
        }
        catch (final ExecutionException ex)
        {
            final Throwable cause = ex.getCause();
            if (isConfiguration(cause))
            {
                System.err.println("tapswitch admin: cannot start: " + cause.getMessage());
                stopQuietly(service);
                return EXIT_CONFIG;
            }
            LOGGER.error("admin service failed to start", cause);
            System.err.println("tapswitch admin: failed to start: " + cause);
            stopQuietly(service);
            return EXIT_FAILURE;
        }
        final PrintLine out = new PrintLine();
        if (config.demo())
        {
            final io.tapswitch.admin.demo.AdminDemoLoader.Result result =
                io.tapswitch.admin.demo.AdminDemoLoader.load(service, config.demoCards(), config.demoTerminals());
            out.line(result.loaded() ?
                "tapswitch admin: demo data loaded: " + result.cards() + " cards, " + result.terminals() + " terminals, " +
                    result.commands() + " commands for the switch in " + result.elapsedMs() + " ms" :
                "tapswitch admin: demo data already loaded");
        }
        out.line("tapswitch admin: " + service.baseUrl() + "/api/v1 (contract: " + service.baseUrl() + "/api/v1/openapi.yaml)");
        if (service.database().embeddedPort() > 0)
        {
            out.line("tapswitch admin: embedded PostgreSQL on 127.0.0.1:" + service.database().embeddedPort() + " (user postgres), data in " +
                config.dataDir().resolve("pg"));
        }
        if (service.metricsPort() > 0)
        {
            out.line("tapswitch admin: metrics at http://" + config.host() + ":" + service.metricsPort() + "/metrics");
        }
        if (config.generatedToken() != null)
        {
            announceGeneratedToken(config, out);
        }
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            try
            {
                service.stop().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
            }
            catch (final Exception ex)
            {
                System.err.println("tapswitch admin: stop failed: " + ex);
            }
            stopped.countDown();
        }, "admin-shutdown"));
        stopped.await();
        return 0;
    }

    /**
     * A generated token is printed only for an interactive run without a configuration file. With a configuration
     * file (a service: its standard output ends in the system journal) it goes to {@code <data-dir>/admin-token},
     * readable by the service's user only, and only that path is printed.
     */
    static void announceGeneratedToken(final AdminConfig config, final PrintLine out) throws IOException
    {
        if (config.configFile() == null)
        {
            out.line("tapswitch admin: no tokens configured; center_admin token for this run: " + config.generatedToken());
            return;
        }
        final Path file = config.dataDir().resolve(TOKEN_FILE);
        Files.createDirectories(config.dataDir());
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, config.generatedToken() + "\n", StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
        out.line("tapswitch admin: " + config.configFile() + " names no tokens; a center_admin token for this run is in " +
            file + " (mode 0600)");
    }

    private static boolean isConfiguration(final Throwable failure)
    {
        for (Throwable t = failure; t != null; t = t.getCause())
        {
            if (t instanceof ConfigException || t instanceof BindException)
            {
                return true;
            }
        }
        return false;
    }

    private static void stopQuietly(final AdminService service)
    {
        try
        {
            service.stop().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
        catch (final Exception ex)
        {
            LOGGER.warn("stop after a failed start: {}", ex.toString());
        }
    }

    private Map<String, String> flags()
    {
        final Map<String, String> flags = new LinkedHashMap<>(settings);
        put(flags, AdminSetting.HOST, host);
        put(flags, AdminSetting.PORT, port);
        put(flags, AdminSetting.METRICS_PORT, metricsPort);
        put(flags, AdminSetting.DB_URL, dbUrl);
        put(flags, AdminSetting.DATA_DIR, dataDir);
        put(flags, AdminSetting.SWITCH_DATA_DIR, switchDataDir);
        put(flags, AdminSetting.TLS_CERT_FILE, tlsCert);
        put(flags, AdminSetting.TLS_KEY_FILE, tlsKey);
        put(flags, AdminSetting.EMBEDDED_PG_PORT, embeddedPgPort);
        put(flags, AdminSetting.KEY_ROTATION_GRACE_SECONDS, keyRotationGraceSeconds);
        if (demo)
        {
            flags.put(AdminSetting.DEMO.key(), "true");
        }
        put(flags, AdminSetting.DEMO_CARDS, demoCards);
        put(flags, AdminSetting.DEMO_TERMINALS, demoTerminals);
        return flags;
    }

    private static void put(final Map<String, String> flags, final AdminSetting setting, final Object value)
    {
        if (null != value)
        {
            flags.put(setting.key(), String.valueOf(value));
        }
    }

    /** Console output for the operator (not the log). */
    static final class PrintLine
    {
        void line(final String text)
        {
            System.out.println(text);
            System.out.flush();
        }
    }

    public static void main(final String[] args)
    {
        final int code = new CommandLine(new AdminMain()).execute(args);
        if (code != 0)
        {
            // 0 returns only after a shutdown hook stopped the service: the JVM is exiting already
            System.exit(code);
        }
    }
}
