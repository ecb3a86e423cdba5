package io.tapswitch.switching;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import io.netty.util.ResourceLeakDetector;
import io.tapswitch.formats.config.ConfigException;
import io.tapswitch.switching.config.Setting;
import io.tapswitch.switching.config.SwitchConfig;
import io.tapswitch.switching.net.SwitchLauncher;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./tapswitch switch}: runs the transaction switch until SIGTERM / Ctrl-C, then stops cleanly (stops
 * accepting, drains, writes a snapshot, closes the journal).
 */
@Command(
    name = "switch",
    mixinStandardHelpOptions = true,
    version = "tapswitch switch 0.1.0",
    description = "Run the tapswitch transaction switch. Settings come from --config FILE (YAML or properties), " +
        "then TAPSWITCH_* environment variables, then flags (highest precedence); see the README.")
public final class SwitchMain implements Callable<Integer>
{
    @Option(names = "--config", paramLabel = "FILE", description = "configuration file (.yaml, .yml or .properties)")
    private Path configFile;

    @Option(names = "--host", paramLabel = "H", description = "listen address (default 127.0.0.1)")
    private String host;

    @Option(names = "--port", paramLabel = "P", description = "terminal port (default 7700)")
    private Integer port;

    @Option(names = "--metrics-port", paramLabel = "M", description = "GET /metrics port (default 9464, -1 off)")
    private Integer metricsPort;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "data directory (default ./data/switch)")
    private Path dataDir;

    @Option(names = "--demo", description = "provision the demo dataset (DEMO-DATA.md) into an empty data directory")
    private boolean demo;

    @Option(names = "--demo-cards", paramLabel = "N", description = "demo cards (default 100000)")
    private Integer demoCards;

    @Option(names = "--demo-terminals", paramLabel = "T", description = "demo terminals (default 2000)")
    private Integer demoTerminals;

    @Option(names = "--cluster-member", paramLabel = "I",
        description = "member id in a replicated switch (switch/CLUSTER.md); default -1: single node")
    private Integer clusterMember;

    @Option(names = "--cluster-hosts", paramLabel = "H0,H1,H2", description = "every cluster member's host, by member id")
    private String clusterHosts;

    @Option(names = "--cluster-base-port", paramLabel = "B",
        description = "member I uses UDP ports B + 10*I + 0..5 (default 9100)")
    private Integer clusterBasePort;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "any setting by its key, e.g. --set max-connections=20000")
    private Map<String, String> settings = new LinkedHashMap<>();

    /** Netty's system properties that choose the leak detection level (current, legacy, older). */
    private static final String[] LEAK_DETECTION_PROPERTIES =
        {"io.netty.leakDetection.level", "io.netty.leakDetectionLevel", "io.netty.noResourceLeakDetection"};

    public static void main(final String[] args)
    {
        leakDetectionOffUnlessSet();
        System.exit(new CommandLine(new SwitchMain()).execute(args));
    }

    public Integer call() throws Exception
    {
        final SwitchConfig config;
        try
        {
            config = SwitchConfig.load(configFile, System.getenv(), flags());
        }
        catch (final ConfigException ex)
        {
            System.err.println("tapswitch switch: " + ex.getMessage());
            return 2;
        }
        System.err.print(config.summary());

        final SwitchLauncher launcher;
        try
        {
            launcher = SwitchLauncher.start(config);
        }
        catch (final java.io.IOException ex)
        {
            // e.g. a port in use (BindException with NIO, NativeIoException with epoll)
            System.err.println("tapswitch switch: cannot start on " + config.host() + ":" + config.port() +
                " (metrics port " + config.metricsPort() + "): " + ex.getMessage());
            return 2;
        }
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            System.err.println("tapswitch switch: stopping (drain, snapshot, journal close)");
            launcher.close();
            System.err.println("tapswitch switch: stopped");
            stopped.countDown();
        }, "tapswitch-shutdown"));

        System.out.println("tapswitch switch listening on " + config.host() + ":" + launcher.port());
        if (launcher.metricsPort() >= 0)
        {
            System.err.println("tapswitch switch: metrics on http://" + config.metricsHost() + ":" +
                launcher.metricsPort() + "/metrics");
        }
        System.out.flush();
        stopped.await();
        return 0;
    }

    /**
     * Netty samples buffer allocations for leak reports (level SIMPLE) unless told otherwise: a stack trace per
     * sampled buffer on the event loops. In production the switch turns it off unless the user chose a level
     * ({@code -Dio.netty.leakDetection.level=...}); tests run at PARANOID.
     *
     * @return true if this call turned it off.
     */
    static boolean leakDetectionOffUnlessSet()
    {
        for (final String property : LEAK_DETECTION_PROPERTIES)
        {
            if (null != System.getProperty(property))
            {
                return false;
            }
        }
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        return true;
    }

    private Map<String, String> flags()
    {
        final Map<String, String> flags = new LinkedHashMap<>(settings);
        put(flags, Setting.HOST, host);
        put(flags, Setting.PORT, port);
        put(flags, Setting.METRICS_PORT, metricsPort);
        put(flags, Setting.DATA_DIR, dataDir);
        if (demo)
        {
            flags.put(Setting.DEMO.key(), "true");
        }
        put(flags, Setting.DEMO_CARDS, demoCards);
        put(flags, Setting.DEMO_TERMINALS, demoTerminals);
        put(flags, Setting.CLUSTER_MEMBER, clusterMember);
        put(flags, Setting.CLUSTER_HOSTS, clusterHosts);
        put(flags, Setting.CLUSTER_BASE_PORT, clusterBasePort);
        return flags;
    }

    private static void put(final Map<String, String> flags, final Setting setting, final Object value)
    {
        if (null != value)
        {
            flags.put(setting.key(), String.valueOf(value));
        }
    }
}
