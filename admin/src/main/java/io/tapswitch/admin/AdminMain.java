package io.tapswitch.admin;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./tapswitch admin}: runs the admin service until interrupted (Ctrl-C / SIGTERM stop it cleanly).
 */
@Command(name = "admin", mixinStandardHelpOptions = true,
    description = "Run the admin service: REST API on PostgreSQL, commands to the switch, journal ingest.")
public final class AdminMain implements java.util.concurrent.Callable<Integer>
{
    @Option(names = "--host", description = "address to bind (default ${DEFAULT-VALUE})")
    String host = AdminConfig.DEFAULT_HOST;

    @Option(names = "--port", description = "REST API port (default ${DEFAULT-VALUE}; 0 = any free port)")
    int port = AdminConfig.DEFAULT_PORT;

    @Option(names = "--metrics-port", description = "Prometheus /metrics port (default ${DEFAULT-VALUE}; -1 = off)")
    int metricsPort = AdminConfig.DEFAULT_METRICS_PORT;

    @Option(names = "--db-url", description = "PostgreSQL URL postgresql://user:password@host:port/db "
        + "(default: env TAPSWITCH_ADMIN_DB_URL or TAPSWITCH_DB_URL, else an embedded PostgreSQL in <data-dir>/pg)")
    String dbUrl = System.getenv("TAPSWITCH_ADMIN_DB_URL") != null ? System.getenv("TAPSWITCH_ADMIN_DB_URL") :
        System.getenv("TAPSWITCH_DB_URL");

    @Option(names = "--data-dir", description = "admin data directory (default ${DEFAULT-VALUE})")
    Path dataDir = Path.of("tapswitch-data", "admin");

    @Option(names = "--switch-data-dir", description = "the switch's data directory: commands/ and journal/ (default ${DEFAULT-VALUE})")
    Path switchDataDir = Path.of("tapswitch-data", "switch");

    @Option(names = "--config", description = "YAML or JSON configuration file (tokens and roles, cityZone)")
    Path configFile;

    @Option(names = "--tls-cert", description = "PEM certificate chain: serve the REST API over TLS (with --tls-key)")
    Path tlsCert;

    @Option(names = "--tls-key", description = "PEM private key (PKCS#8) of --tls-cert")
    Path tlsKey;

    @Option(names = "--embedded-pg-port", description = "port of the embedded PostgreSQL on 127.0.0.1 (default: any free port)")
    int embeddedPgPort = AdminConfig.DEFAULT_EMBEDDED_PG_PORT;

    @Option(names = "--key-rotation-grace-seconds", description = "seconds a rotated terminal key stays valid for " +
        "LOGON when the request names no graceSeconds, 0..604800 (default ${DEFAULT-VALUE})")
    long keyRotationGraceSeconds = AdminConfig.DEFAULT_KEY_ROTATION_GRACE_SECONDS;

    @Option(names = "--max-connections-per-client", description = "open REST connections one client address may hold; " +
        "further ones are closed at once (default ${DEFAULT-VALUE})")
    int maxConnectionsPerClient = AdminConfig.DEFAULT_MAX_CONNECTIONS_PER_CLIENT;

    @Option(names = "--requests-per-second-per-caller", description = "sustained REST requests per second of one token " +
        "(or one address without a valid token) before 429 with Retry-After (default ${DEFAULT-VALUE})")
    int requestsPerSecondPerCaller = AdminConfig.DEFAULT_REQUESTS_PER_SECOND_PER_CALLER;

    @Option(names = "--request-burst-per-caller", description = "requests one caller may send at once above the " +
        "sustained rate (default ${DEFAULT-VALUE})")
    int requestBurstPerCaller = AdminConfig.DEFAULT_REQUEST_BURST_PER_CALLER;

    @Option(names = "--demo", description = "load the demo dataset (DEMO-DATA.md) into PostgreSQL and, through the outbox, the switch")
    boolean demo;

    @Option(names = "--demo-cards", description = "demo cards (default ${DEFAULT-VALUE})")
    int demoCards = io.tapswitch.formats.demo.DemoDataset.DEFAULT_CARDS;

    @Option(names = "--demo-terminals", description = "demo terminals (default ${DEFAULT-VALUE})")
    int demoTerminals = io.tapswitch.formats.demo.DemoDataset.DEFAULT_TERMINALS;

    @Override
    public Integer call() throws Exception
    {
        // the embedded PostgreSQL's initdb/server chatter stays out of the operator's console
        if (org.slf4j.LoggerFactory.getLogger("io.zonky") instanceof ch.qos.logback.classic.Logger zonky)
        {
            zonky.setLevel(ch.qos.logback.classic.Level.WARN);
        }
        final AdminConfig config = new AdminConfig()
            .host(host)
            .port(port)
            .metricsPort(metricsPort)
            .dbUrl(dbUrl == null || dbUrl.isBlank() ? null : dbUrl)
            .dataDir(dataDir)
            .switchDataDir(switchDataDir)
            .embeddedPgPort(embeddedPgPort)
            .keyRotationGraceSeconds(keyRotationGraceSeconds)
            .maxConnectionsPerClient(maxConnectionsPerClient)
            .requestsPerSecondPerCaller(requestsPerSecondPerCaller)
            .requestBurstPerCaller(requestBurstPerCaller);
        if (configFile != null)
        {
            config.loadFile(configFile);
        }
        if (tlsCert != null || tlsKey != null)
        {
            config.tlsCertFile(tlsCert).tlsKeyFile(tlsKey);
        }
        config.conclude();
        final AdminService service = new AdminService(config);
        service.start().toCompletionStage().toCompletableFuture().get(5, TimeUnit.MINUTES);
        final PrintLine out = new PrintLine();
        if (demo)
        {
            final io.tapswitch.admin.demo.AdminDemoLoader.Result result =
                io.tapswitch.admin.demo.AdminDemoLoader.load(service, demoCards, demoTerminals);
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
            // printed once to the console of the operator who started the service; never logged
            out.line("tapswitch admin: no tokens configured; center_admin token for this run: " + config.generatedToken());
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

    /** Console output for the operator (not the log). */
    private static final class PrintLine
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
            System.exit(code);
        }
    }
}
