package io.tapswitch.switching.config;

import io.tapswitch.formats.config.ConfigException;
import io.tapswitch.formats.config.LayeredSettings;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.tapswitch.switching.engine.EngineConfig;
import org.agrona.BitUtil;

/**
 * The switch's configuration, resolved once at start from, in increasing precedence: the defaults of
 * {@link Setting}, a file (YAML or properties), environment variables ({@code TAPSWITCH_*}) and
 * command-line flags. Every value is validated here and a bad one fails with the setting's name, value
 * and source. Immutable once built; safe to share between threads.
 */
public final class SwitchConfig
{
    private static final long MIN_QUEUE_BYTES = 4096;
    private static final long MAX_QUEUE_BYTES = 1L << 30;

    private final EnumMap<Setting, String> values;
    private final EnumMap<Setting, String> sources;

    private final String host;
    private final int port;
    private final String metricsHost;
    private final int metricsPort;
    private final Path dataDir;
    private final int heartbeatMs;
    private final long idleTimeoutMs;
    private final int maxConnections;
    private final int maxInFlight;
    private final int ioThreads;
    private final int engineQueueBytes;
    private final int responseQueueBytes;
    private final int engineBatchSize;
    private final String engineIdleStrategy;
    private final int commandPollLimit;
    private final long snapshotIntervalMs;
    private final boolean journalSync;
    private final long journalSyncAnswerMs;
    private final long journalPretouchBytes;
    private final long journalReserveBytes;
    private final int cardCapacity;
    private final int idempotencyCapacity;
    private final Path tlsCertFile;
    private final Path tlsKeyFile;
    private final String tlsKeyPassword;
    private final boolean demo;
    private final boolean replayVerify;
    private final int demoCards;
    private final int demoTerminals;
    private final int logonThrottleFailures;
    private final long logonThrottleWindowMs;
    private final int logonThrottleMaxSources;
    private final Set<InetAddress> logonThrottleExempt;
    private final int clusterMember;
    private final List<String> clusterHosts;
    private final int clusterBasePort;
    private final long clusterLeaderTimeoutMs;
    private final long clusterElectionTimeoutMs;

    private SwitchConfig(final EnumMap<Setting, String> values, final EnumMap<Setting, String> sources)
    {
        this.values = values;
        this.sources = sources;

        host = nonEmpty(Setting.HOST);
        port = intIn(Setting.PORT, 0, 65535);
        final String metricsHostValue = values.get(Setting.METRICS_HOST).trim();
        metricsHost = metricsHostValue.isEmpty() ? host : metricsHostValue;
        metricsPort = intIn(Setting.METRICS_PORT, -1, 65535);
        dataDir = Paths.get(nonEmpty(Setting.DATA_DIR));
        heartbeatMs = intIn(Setting.HEARTBEAT_MS, 100, 3_600_000);
        final long idle = longIn(Setting.IDLE_TIMEOUT_MS, 0, 3L * 3_600_000);
        idleTimeoutMs = idle == 0 ? 3L * heartbeatMs : idle;
        maxConnections = intIn(Setting.MAX_CONNECTIONS, 1, 1_000_000);
        maxInFlight = intIn(Setting.MAX_IN_FLIGHT, 1, 256);
        ioThreads = intIn(Setting.IO_THREADS, 1, 64);
        engineQueueBytes = powerOfTwo(Setting.ENGINE_QUEUE_BYTES);
        responseQueueBytes = powerOfTwo(Setting.RESPONSE_QUEUE_BYTES);
        engineBatchSize = intIn(Setting.ENGINE_BATCH_SIZE, 1, 65536);
        engineIdleStrategy = oneOf(Setting.ENGINE_IDLE_STRATEGY,
            List.of("park", "backoff", "sleeping", "yielding", "busy-spin"));
        commandPollLimit = intIn(Setting.COMMAND_POLL_LIMIT, 1, 1_000_000);
        snapshotIntervalMs = longIn(Setting.SNAPSHOT_INTERVAL_MS, 0, 7L * 24 * 3_600_000);
        journalSync = "batch".equals(oneOf(Setting.JOURNAL_SYNC, List.of("batch", "none")));
        journalSyncAnswerMs = longIn(Setting.JOURNAL_SYNC_ANSWER_MS, 1, 3_600_000);
        journalPretouchBytes = longIn(Setting.JOURNAL_PRETOUCH_BYTES, 0, 1L << 32);
        journalReserveBytes = longIn(Setting.JOURNAL_RESERVE_BYTES, 2L << 20, 1L << 32);
        cardCapacity = intIn(Setting.CARD_CAPACITY, 1, EngineConfig.MAX_TABLE_CAPACITY);
        idempotencyCapacity = intIn(Setting.IDEMPOTENCY_CAPACITY, 1, EngineConfig.DEFAULT_IDEMPOTENCY_MAX_CAPACITY);
        tlsCertFile = optionalFile(Setting.TLS_CERT_FILE);
        tlsKeyFile = optionalFile(Setting.TLS_KEY_FILE);
        tlsKeyPassword = values.get(Setting.TLS_KEY_PASSWORD);
        if ((tlsCertFile == null) != (tlsKeyFile == null))
        {
            throw new ConfigException("tls.cert-file and tls.key-file must be given together (cert-file="
                + describe(Setting.TLS_CERT_FILE) + ", key-file=" + describe(Setting.TLS_KEY_FILE) + ")");
        }
        demo = bool(Setting.DEMO);
        replayVerify = "verify".equals(oneOf(Setting.REPLAY, List.of("effects", "verify")));
        demoCards = intIn(Setting.DEMO_CARDS, 1, 50_000_000);
        demoTerminals = intIn(Setting.DEMO_TERMINALS, 1, 1_000_000);
        logonThrottleFailures = intIn(Setting.LOGON_THROTTLE_FAILURES, 0, 1_000_000);
        logonThrottleWindowMs = longIn(Setting.LOGON_THROTTLE_WINDOW_MS, 1, 24L * 3_600_000);
        logonThrottleMaxSources = intIn(Setting.LOGON_THROTTLE_MAX_SOURCES, 1, 10_000_000);
        logonThrottleExempt = addresses(Setting.LOGON_THROTTLE_EXEMPT);
        clusterBasePort = intIn(Setting.CLUSTER_BASE_PORT, 1, 65535);
        final String hosts = values.get(Setting.CLUSTER_HOSTS).trim();
        clusterHosts = hosts.isEmpty() ? List.of() : List.of(hosts.split("\\s*,\\s*"));
        clusterMember = intIn(Setting.CLUSTER_MEMBER, -1, Math.max(-1, clusterHosts.size() - 1));
        clusterLeaderTimeoutMs = longIn(Setting.CLUSTER_LEADER_TIMEOUT_MS, 50, 600_000);
        clusterElectionTimeoutMs = longIn(Setting.CLUSTER_ELECTION_TIMEOUT_MS, 10, 600_000);
        if (clusterMember >= 0 && clusterBasePort + 10 * clusterHosts.size() > 65535)
        {
            throw invalid(Setting.CLUSTER_BASE_PORT, "the ports of " + clusterHosts.size() + " members must fit below 65536");
        }
    }

    /**
     * Resolves the configuration.
     *
     * @param configFile a YAML ({@code .yaml}/{@code .yml}) or properties file, or null.
     * @param env        the environment (normally {@code System.getenv()}).
     * @param flags      values given on the command line, by setting key.
     * @return the validated configuration.
     * @throws ConfigException naming the setting when a value is unknown or invalid.
     */
    public static SwitchConfig load(final Path configFile, final Map<String, String> env, final Map<String, String> flags)
    {
        final LayeredSettings<Setting> layered =
            LayeredSettings.load(List.of(Setting.values()), Set.of(), configFile, env, flags);
        final EnumMap<Setting, String> values = new EnumMap<>(Setting.class);
        final EnumMap<Setting, String> sources = new EnumMap<>(Setting.class);
        for (final Setting setting : Setting.values())
        {
            values.put(setting, layered.value(setting));
            sources.put(setting, layered.source(setting));
        }
        return new SwitchConfig(values, sources);
    }

    /**
     * @param flags values by setting key, over the defaults (for tests and embedding).
     * @return the validated configuration.
     */
    public static SwitchConfig of(final Map<String, String> flags)
    {
        return load(null, Map.of(), flags);
    }

    /**
     * @return one line per setting, value and source; secrets are shown as {@code <set>} or {@code <unset>}.
     */
    public String summary()
    {
        final StringBuilder sb = new StringBuilder("tapswitch switch configuration:\n");
        for (final Setting setting : Setting.values())
        {
            final String value = values.get(setting);
            final String shown = setting.shown(value);
            sb.append(String.format(Locale.ROOT, "  %-22s %-28s (%s)%n", setting.key(), shown, sources.get(setting)));
        }
        sb.append(String.format(Locale.ROOT, "  %-22s %s%n", "=> idle timeout", idleTimeoutMs + " ms"));
        sb.append(String.format(Locale.ROOT, "  %-22s %s%n", "=> tls", isTls() ? "on" : "off"));
        return sb.toString();
    }

    private String describe(final Setting setting)
    {
        return "'" + values.get(setting) + "' from " + sources.get(setting);
    }

    private ConfigException invalid(final Setting setting, final String why)
    {
        return new ConfigException("invalid " + setting.key() + " = " + describe(setting) + ": " + why);
    }

    private String nonEmpty(final Setting setting)
    {
        final String value = values.get(setting).trim();
        if (value.isEmpty())
        {
            throw invalid(setting, "must not be empty");
        }
        return value;
    }

    private long longIn(final Setting setting, final long min, final long max)
    {
        final long value;
        try
        {
            value = Long.parseLong(values.get(setting).trim().replace("_", ""));
        }
        catch (final NumberFormatException ex)
        {
            throw invalid(setting, "not an integer");
        }
        if (value < min || value > max)
        {
            throw invalid(setting, "must be in " + min + " .. " + max);
        }
        return value;
    }

    private int intIn(final Setting setting, final int min, final int max)
    {
        return (int)longIn(setting, min, max);
    }

    private int powerOfTwo(final Setting setting)
    {
        final long value = longIn(setting, MIN_QUEUE_BYTES, MAX_QUEUE_BYTES);
        if (!BitUtil.isPowerOfTwo(value))
        {
            throw invalid(setting, "must be a power of two");
        }
        return (int)value;
    }

    private boolean bool(final Setting setting)
    {
        final String value = values.get(setting).trim().toLowerCase(Locale.ROOT);
        if ("true".equals(value) || "yes".equals(value) || "1".equals(value))
        {
            return true;
        }
        if ("false".equals(value) || "no".equals(value) || "0".equals(value))
        {
            return false;
        }
        throw invalid(setting, "must be true or false");
    }

    private String oneOf(final Setting setting, final List<String> allowed)
    {
        final String value = values.get(setting).trim().toLowerCase(Locale.ROOT);
        if (!allowed.contains(value))
        {
            throw invalid(setting, "must be one of " + allowed);
        }
        return value;
    }

    private Set<InetAddress> addresses(final Setting setting)
    {
        final Set<InetAddress> addresses = new HashSet<>();
        for (final String item : values.get(setting).split(","))
        {
            final String literal = item.trim();
            if (literal.isEmpty())
            {
                continue;
            }
            // IP literals only: a host name would need a DNS lookup, and the switch reaches nothing outside.
            if (!literal.matches("[0-9A-Fa-f.:]+"))
            {
                throw invalid(setting, "must be comma-separated IP address literals");
            }
            try
            {
                addresses.add(InetAddress.getByName(literal));
            }
            catch (final UnknownHostException ex)
            {
                throw invalid(setting, "not an IP address: " + literal);
            }
        }
        return Set.copyOf(addresses);
    }

    private Path optionalFile(final Setting setting)
    {
        final String value = values.get(setting).trim();
        if (value.isEmpty())
        {
            return null;
        }
        final Path path = Paths.get(value);
        if (!Files.isReadable(path))
        {
            throw invalid(setting, "file not readable");
        }
        return path;
    }

    public String host()
    {
        return host;
    }

    public int port()
    {
        return port;
    }

    public String metricsHost()
    {
        return metricsHost;
    }

    public int metricsPort()
    {
        return metricsPort;
    }

    public Path dataDir()
    {
        return dataDir;
    }

    public int heartbeatMs()
    {
        return heartbeatMs;
    }

    public long idleTimeoutMs()
    {
        return idleTimeoutMs;
    }

    public int maxConnections()
    {
        return maxConnections;
    }

    public int maxInFlight()
    {
        return maxInFlight;
    }

    public int ioThreads()
    {
        return ioThreads;
    }

    public int engineQueueBytes()
    {
        return engineQueueBytes;
    }

    public int responseQueueBytes()
    {
        return responseQueueBytes;
    }

    public int engineBatchSize()
    {
        return engineBatchSize;
    }

    public String engineIdleStrategy()
    {
        return engineIdleStrategy;
    }

    public int commandPollLimit()
    {
        return commandPollLimit;
    }

    public long snapshotIntervalMs()
    {
        return snapshotIntervalMs;
    }

    /**
     * @return true when each batch's journal records are forced to disk before its responses are released.
     */
    public boolean journalSync()
    {
        return journalSync;
    }

    /**
     * @return how long answers wait for a journal sync before they are answered SYSTEM_ERROR (journal-sync=batch).
     */
    public long journalSyncAnswerMs()
    {
        return journalSyncAnswerMs;
    }

    /**
     * @return bytes of the journal kept faulted in ahead of the writer, 0 for none.
     */
    public long journalPretouchBytes()
    {
        return journalPretouchBytes;
    }

    /**
     * @return bytes of journal disk space kept allocated ahead of the writer.
     */
    public long journalReserveBytes()
    {
        return journalReserveBytes;
    }

    /**
     * @return cards (and holders) the engine's tables are sized for at start.
     */
    public int cardCapacity()
    {
        return cardCapacity;
    }

    /**
     * @return results the idempotency table holds at start.
     */
    public int idempotencyCapacity()
    {
        return idempotencyCapacity;
    }

    public boolean isTls()
    {
        return null != tlsCertFile;
    }

    public Path tlsCertFile()
    {
        return tlsCertFile;
    }

    public Path tlsKeyFile()
    {
        return tlsKeyFile;
    }

    /**
     * @return the key password, or null when none; a secret, never logged.
     */
    public String tlsKeyPassword()
    {
        return tlsKeyPassword.isEmpty() ? null : tlsKeyPassword;
    }

    /** @return true when the start decides the journal's TAPs and REVERSALs again (replay=verify). */
    public boolean replayVerify()
    {
        return replayVerify;
    }

    public boolean demo()
    {
        return demo;
    }

    /**
     * @return this member's id in a replicated switch, -1 for the single-node switch.
     */
    public int clusterMember()
    {
        return clusterMember;
    }

    /**
     * @return every member's host by member id (empty for the single-node switch).
     */
    public List<String> clusterHosts()
    {
        return clusterHosts;
    }

    public int clusterBasePort()
    {
        return clusterBasePort;
    }

    /**
     * @return how long a silent cluster leader is tolerated before an election, in ms.
     */
    public long clusterLeaderTimeoutMs()
    {
        return clusterLeaderTimeoutMs;
    }

    /**
     * @return how long a cluster election's ballot waits for votes, in ms.
     */
    public long clusterElectionTimeoutMs()
    {
        return clusterElectionTimeoutMs;
    }

    public int demoCards()
    {
        return demoCards;
    }

    public int demoTerminals()
    {
        return demoTerminals;
    }

    public int logonThrottleFailures()
    {
        return logonThrottleFailures;
    }

    public long logonThrottleWindowMs()
    {
        return logonThrottleWindowMs;
    }

    public int logonThrottleMaxSources()
    {
        return logonThrottleMaxSources;
    }

    public Set<InetAddress> logonThrottleExempt()
    {
        return logonThrottleExempt;
    }
}
