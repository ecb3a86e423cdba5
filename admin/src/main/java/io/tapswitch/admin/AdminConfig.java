package io.tapswitch.admin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.tapswitch.formats.config.ConfigException;
import io.tapswitch.formats.config.LayeredSettings;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Configuration of the admin service: every setting with its default, validated once by
 * {@link #conclude()} which fails fast naming the setting and its value.
 * <p>
 * Not thread-safe: filled in by one thread before {@link AdminService#start}, read-only afterwards.
 */
public final class AdminConfig
{
    /** HTTP host the REST API binds to. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** HTTP port of the REST API; 0 picks a free port. */
    public static final int DEFAULT_PORT = 8080;
    /** Port of the Prometheus endpoint ({@code GET /metrics}); 0 picks a free port, -1 disables it. */
    public static final int DEFAULT_METRICS_PORT = 9465;
    /** Port of the embedded PostgreSQL on 127.0.0.1; 0 picks a free port. */
    public static final int DEFAULT_EMBEDDED_PG_PORT = 0;
    /** Largest page a list operation returns. */
    public static final int MAX_PAGE_LIMIT = 500;
    /** How often the outbox publisher and the ingester look for work when nothing woke them. */
    public static final long DEFAULT_POLL_INTERVAL_MS = 100;
    /**
     * Journal entries the ingester writes per database transaction, per stream: 4 000 spent 5–12 % less PostgreSQL
     * and 13–25 % less admin CPU per tap than 1 000 (three A/B pairs, BENCHMARKS.md "Admin ingest (fifth session,
     * engineer C)"); two streams' batches are 160 ms of journal at 50 000 taps/s.
     */
    public static final int DEFAULT_INGEST_BATCH = 4000;
    /** COPY streams of the journal ingester (issue 14: two keep both cores of a small machine busy). */
    public static final int DEFAULT_INGEST_STREAMS = 2;
    /** How long a rotated terminal key stays valid for LOGON by default (ROTATE_KEY_WITH_GRACE): 24 h. */
    public static final long DEFAULT_KEY_ROTATION_GRACE_SECONDS = 24 * 3600;
    /** The longest grace a key rotation may give: 7 days. */
    public static final long MAX_KEY_ROTATION_GRACE_SECONDS = 7 * 24 * 3600;
    /** Connections in the reactive pool. */
    public static final int DEFAULT_POOL_SIZE = 8;
    /** The admin's data directory by default: beside the switch's, under one {@code data/} of the working directory. */
    public static final Path DEFAULT_DATA_DIR = Path.of("data", "admin");
    /** The switch's data directory by default: the switch's own default ({@code data-dir} of the switch). */
    public static final Path DEFAULT_SWITCH_DATA_DIR = Path.of("data", "switch");
    /** Top-level keys of the configuration file that are structured sections, not settings. */
    public static final Set<String> SECTIONS = Set.of("tokens", "workflow");

    /** Open HTTP connections one client address may hold; further ones are closed at once. */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_CLIENT = 32;
    /** Sustained REST requests per second of one caller (a token, or an address without a valid token). */
    public static final int DEFAULT_REQUESTS_PER_SECOND_PER_CALLER = 200;
    /** Requests one caller may send at once above the sustained rate before 429. */
    public static final int DEFAULT_REQUEST_BURST_PER_CALLER = 400;
    /** Time a new connection has to send its first request's line and headers (a slow-header client is closed). */
    public static final long DEFAULT_REQUEST_HEADER_TIMEOUT_MS = 10_000;

    private String host = DEFAULT_HOST;
    private int port = DEFAULT_PORT;
    private int metricsPort = DEFAULT_METRICS_PORT;
    private String dbUrl;
    private Path dataDir = DEFAULT_DATA_DIR;
    private Path switchDataDir = DEFAULT_SWITCH_DATA_DIR;
    private int embeddedPgPort = DEFAULT_EMBEDDED_PG_PORT;
    private int poolSize = DEFAULT_POOL_SIZE;
    private int maxConnectionsPerClient = DEFAULT_MAX_CONNECTIONS_PER_CLIENT;
    private int requestsPerSecondPerCaller = DEFAULT_REQUESTS_PER_SECOND_PER_CALLER;
    private int requestBurstPerCaller = DEFAULT_REQUEST_BURST_PER_CALLER;
    private long requestHeaderTimeoutMs = DEFAULT_REQUEST_HEADER_TIMEOUT_MS;
    private long pollIntervalMs = DEFAULT_POLL_INTERVAL_MS;
    private int ingestBatch = DEFAULT_INGEST_BATCH;
    private int ingestStreams = DEFAULT_INGEST_STREAMS;
    private long keyRotationGraceSeconds = DEFAULT_KEY_ROTATION_GRACE_SECONDS;
    private boolean publisherEnabled = true;
    private boolean ingesterEnabled = true;
    private ZoneId cityZone = ZoneId.of("Europe/Kyiv");
    private Clock clock = Clock.systemUTC();
    private TokenRegistry tokens;
    private String generatedToken;
    private JsonObject extra = new JsonObject();
    private Path tlsCertFile;
    private Path tlsKeyFile;
    private boolean accessLog = true;
    private long accountsSessionTtlMinutes = io.tapswitch.admin.account.Accounts.DEFAULT_SESSION_TTL.toMinutes();
    private boolean demo;
    private int demoCards = io.tapswitch.formats.demo.DemoDataset.DEFAULT_CARDS;
    private int demoTerminals = io.tapswitch.formats.demo.DemoDataset.DEFAULT_TERMINALS;
    private Path configFile;
    private String summary = "";

    /**
     * Resolves the configuration in the scheme the switch uses: defaults ({@link AdminSetting}), a file (YAML or
     * JSON: kebab-case settings, nested keys joined with dots, plus the sections {@link #SECTIONS}), environment
     * variables {@code TAPSWITCH_ADMIN_*}, command-line flags (highest precedence). Call {@link #conclude()} next.
     *
     * @param file  the configuration file, or null.
     * @param env   the environment.
     * @param flags values from the command line by setting key.
     * @return the configuration.
     * @throws ConfigException naming the setting, its value and its source.
     */
    public static AdminConfig load(final Path file, final Map<String, String> env, final Map<String, String> flags)
    {
        final AdminConfig config = new AdminConfig();
        config.apply(LayeredSettings.load(List.of(AdminSetting.values()), SECTIONS, file, env, flags), false);
        config.configFile = file;
        return config;
    }

    /**
     * Reads a configuration file over this configuration: only what the file sets changes.
     *
     * @param file the file (YAML or JSON).
     * @return this.
     */
    public AdminConfig loadFile(final Path file)
    {
        apply(LayeredSettings.load(List.of(AdminSetting.values()), SECTIONS, file, Map.of(), Map.of()), true);
        configFile = file;
        return this;
    }

    private void apply(final LayeredSettings<AdminSetting> s, final boolean onlySet)
    {
        summary = s.summary("tapswitch admin configuration:");
        for (final AdminSetting setting : AdminSetting.values())
        {
            if (onlySet && "default".equals(s.source(setting)))
            {
                continue;
            }
            final String value = s.value(setting).trim();
            switch (setting)
            {
                case HOST -> host = nonEmpty(s, setting);
                case PORT -> port = (int)longIn(s, setting, 0, 65535);
                case METRICS_PORT -> metricsPort = (int)longIn(s, setting, -1, 65535);
                case DB_URL -> dbUrl = value.isEmpty() ? null : value;
                case DATA_DIR -> dataDir = Path.of(nonEmpty(s, setting));
                case SWITCH_DATA_DIR -> switchDataDir = Path.of(nonEmpty(s, setting));
                case EMBEDDED_PG_PORT -> embeddedPgPort = (int)longIn(s, setting, 0, 65535);
                case POOL_SIZE -> poolSize = (int)longIn(s, setting, 1, 64);
                case POLL_INTERVAL_MS -> pollIntervalMs = longIn(s, setting, 1, 60_000);
                case INGEST_BATCH -> ingestBatch = (int)longIn(s, setting, 1, 100_000);
                case INGEST_STREAMS -> ingestStreams = (int)longIn(s, setting, 1, 16);
                case KEY_ROTATION_GRACE_SECONDS ->
                    keyRotationGraceSeconds = longIn(s, setting, 0, MAX_KEY_ROTATION_GRACE_SECONDS);
                case MAX_CONNECTIONS_PER_CLIENT -> maxConnectionsPerClient = (int)longIn(s, setting, 1, 100_000);
                case REQUESTS_PER_SECOND_PER_CALLER -> requestsPerSecondPerCaller = (int)longIn(s, setting, 1, 1_000_000);
                case REQUEST_BURST_PER_CALLER -> requestBurstPerCaller = (int)longIn(s, setting, 1, 1_000_000);
                case REQUEST_HEADER_TIMEOUT_MS -> requestHeaderTimeoutMs = longIn(s, setting, 1_000, 600_000);
                case CITY_ZONE ->
                {
                    try
                    {
                        cityZone = ZoneId.of(value);
                    }
                    catch (final java.time.DateTimeException ex)
                    {
                        throw s.invalid(setting, "not a time zone (e.g. Europe/Kyiv)");
                    }
                }
                case TLS_CERT_FILE -> tlsCertFile = value.isEmpty() ? null : Path.of(value);
                case TLS_KEY_FILE -> tlsKeyFile = value.isEmpty() ? null : Path.of(value);
                case ACCESS_LOG -> accessLog = bool(s, setting);
                // read by the account module from extra().accounts, where the file's accounts: section used to be
                case ACCOUNTS_SESSION_TTL_MINUTES -> accountsSessionTtlMinutes = longIn(s, setting, 1, 7 * 24 * 60);
                case DEMO -> demo = bool(s, setting);
                case DEMO_CARDS -> demoCards = (int)longIn(s, setting, 1, 50_000_000);
                case DEMO_TERMINALS -> demoTerminals = (int)longIn(s, setting, 1, 1_000_000);
                default -> throw new IllegalStateException("setting not applied: " + setting);
            }
        }
        final Map<String, Object> sections = s.sections();
        if (sections.containsKey("tokens"))
        {
            if (!(sections.get("tokens") instanceof List<?> list))
            {
                throw new ConfigException("tokens in the configuration file must be a list");
            }
            try
            {
                tokens = TokenRegistry.fromJson(new JsonArray(io.vertx.core.json.Json.encode(list)));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new ConfigException("invalid tokens in the configuration file: " + ex.getMessage(), ex);
            }
        }
        final JsonObject sectionJson = new JsonObject(io.vertx.core.json.Json.encode(sections));
        if (onlySet)
        {
            extra.mergeIn(sectionJson);
        }
        else
        {
            extra = sectionJson;
        }
        if (!onlySet || !"default".equals(s.source(AdminSetting.ACCOUNTS_SESSION_TTL_MINUTES)))
        {
            final JsonObject accounts = extra.getJsonObject("accounts", new JsonObject());
            extra.put("accounts", accounts.put("session-ttl-minutes", accountsSessionTtlMinutes));
        }
    }

    private static String nonEmpty(final LayeredSettings<AdminSetting> s, final AdminSetting setting)
    {
        final String value = s.value(setting).trim();
        if (value.isEmpty())
        {
            throw s.invalid(setting, "must not be empty");
        }
        return value;
    }

    private static long longIn(final LayeredSettings<AdminSetting> s, final AdminSetting setting, final long min, final long max)
    {
        final long value;
        try
        {
            value = Long.parseLong(s.value(setting).trim().replace("_", ""));
        }
        catch (final NumberFormatException ex)
        {
            throw s.invalid(setting, "not an integer");
        }
        if (value < min || value > max)
        {
            throw s.invalid(setting, "must be in " + min + " .. " + max);
        }
        return value;
    }

    private static boolean bool(final LayeredSettings<AdminSetting> s, final AdminSetting setting)
    {
        final String value = s.value(setting).trim().toLowerCase(java.util.Locale.ROOT);
        return switch (value)
        {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw s.invalid(setting, "must be true or false");
        };
    }

    /**
     * Validates every setting; creates a random center administrator token when none is configured
     * (see {@link #generatedToken()}).
     *
     * @return this.
     * @throws ConfigException naming the first invalid setting.
     */
    public AdminConfig conclude()
    {
        checkPort("port", port, false);
        checkPort("metrics-port", metricsPort, true);
        checkPort("embedded-pg-port", embeddedPgPort, false);
        if (poolSize < 1 || poolSize > 64)
        {
            throw new ConfigException("pool-size must be 1..64: " + poolSize);
        }
        if (maxConnectionsPerClient < 1 || maxConnectionsPerClient > 100_000)
        {
            throw new IllegalArgumentException("maxConnectionsPerClient must be 1..100000: " + maxConnectionsPerClient);
        }
        if (requestsPerSecondPerCaller < 1 || requestsPerSecondPerCaller > 1_000_000)
        {
            throw new IllegalArgumentException("requestsPerSecondPerCaller must be 1..1000000: " + requestsPerSecondPerCaller);
        }
        if (requestBurstPerCaller < 1 || requestBurstPerCaller > 1_000_000)
        {
            throw new IllegalArgumentException("requestBurstPerCaller must be 1..1000000: " + requestBurstPerCaller);
        }
        if (pollIntervalMs < 1 || pollIntervalMs > 60_000)
        {
            throw new ConfigException("poll-interval-ms must be 1..60000: " + pollIntervalMs);
        }
        if (keyRotationGraceSeconds < 0 || keyRotationGraceSeconds > MAX_KEY_ROTATION_GRACE_SECONDS)
        {
            throw new ConfigException("key-rotation-grace-seconds must be 0.." + MAX_KEY_ROTATION_GRACE_SECONDS +
                ": " + keyRotationGraceSeconds);
        }
        if (ingestBatch < 1 || ingestBatch > 100_000)
        {
            throw new ConfigException("ingest-batch must be 1..100000: " + ingestBatch);
        }
        if (ingestStreams < 1 || ingestStreams > 16)
        {
            throw new ConfigException("ingest-streams must be 1..16: " + ingestStreams);
        }
        if (dbUrl != null && !(dbUrl.startsWith("postgresql://") || dbUrl.startsWith("postgres://") ||
            dbUrl.startsWith("jdbc:postgresql://")))
        {
            throw new ConfigException("db-url must be a postgresql:// URL: " + redactUrl(dbUrl));
        }
        if ((tlsCertFile == null) != (tlsKeyFile == null))
        {
            throw new ConfigException("tls.cert-file and tls.key-file go together: " + tlsCertFile + ", " + tlsKeyFile);
        }
        if (tlsCertFile != null && (!Files.isReadable(tlsCertFile) || !Files.isReadable(tlsKeyFile)))
        {
            throw new ConfigException("tls.cert-file/tls.key-file not readable: " + tlsCertFile + ", " + tlsKeyFile);
        }
        if (tokens == null)
        {
            generatedToken = TokenRegistry.randomToken();
            tokens = TokenRegistry.of(Map.of(generatedToken, new Principal("admin", Set.of(Role.CENTER_ADMIN))));
        }
        return this;
    }

    private static void checkPort(final String name, final int value, final boolean allowDisabled)
    {
        if (value > 65535 || value < (allowDisabled ? -1 : 0))
        {
            throw new ConfigException(name + " must be " + (allowDisabled ? "-1.." : "0..") + "65535: " + value);
        }
    }

    /**
     * @param url a database URL.
     * @return the URL with any password replaced, for messages.
     */
    public static String redactUrl(final String url)
    {
        return url.replaceAll("(//[^:/@]+):[^@]*@", "$1:***@").replaceAll("(?i)(password=)[^&]*", "$1***");
    }

    public String host()
    {
        return host;
    }

    public AdminConfig host(final String host)
    {
        this.host = host;
        return this;
    }

    public int port()
    {
        return port;
    }

    public AdminConfig port(final int port)
    {
        this.port = port;
        return this;
    }

    public int metricsPort()
    {
        return metricsPort;
    }

    public AdminConfig metricsPort(final int metricsPort)
    {
        this.metricsPort = metricsPort;
        return this;
    }

    /**
     * @return the PostgreSQL URL, or null to run the embedded PostgreSQL in {@code <dataDir>/pg}.
     */
    public String dbUrl()
    {
        return dbUrl;
    }

    public AdminConfig dbUrl(final String dbUrl)
    {
        this.dbUrl = dbUrl;
        return this;
    }

    public Path dataDir()
    {
        return dataDir;
    }

    public AdminConfig dataDir(final Path dataDir)
    {
        this.dataDir = dataDir;
        return this;
    }

    /**
     * @return the switch's data directory: the admin writes {@code commands/} and reads {@code journal/}.
     */
    public Path switchDataDir()
    {
        return switchDataDir;
    }

    public AdminConfig switchDataDir(final Path switchDataDir)
    {
        this.switchDataDir = switchDataDir;
        return this;
    }

    public int embeddedPgPort()
    {
        return embeddedPgPort;
    }

    public AdminConfig embeddedPgPort(final int embeddedPgPort)
    {
        this.embeddedPgPort = embeddedPgPort;
        return this;
    }

    public int maxConnectionsPerClient()
    {
        return maxConnectionsPerClient;
    }

    public AdminConfig maxConnectionsPerClient(final int value)
    {
        this.maxConnectionsPerClient = value;
        return this;
    }

    public int requestsPerSecondPerCaller()
    {
        return requestsPerSecondPerCaller;
    }

    public AdminConfig requestsPerSecondPerCaller(final int value)
    {
        this.requestsPerSecondPerCaller = value;
        return this;
    }

    public int requestBurstPerCaller()
    {
        return requestBurstPerCaller;
    }

    public AdminConfig requestBurstPerCaller(final int value)
    {
        this.requestBurstPerCaller = value;
        return this;
    }

    public long requestHeaderTimeoutMs()
    {
        return requestHeaderTimeoutMs;
    }

    public AdminConfig requestHeaderTimeoutMs(final long value)
    {
        this.requestHeaderTimeoutMs = value;
        return this;
    }

    public int poolSize()
    {
        return poolSize;
    }

    public AdminConfig poolSize(final int poolSize)
    {
        this.poolSize = poolSize;
        return this;
    }

    public long pollIntervalMs()
    {
        return pollIntervalMs;
    }

    public AdminConfig pollIntervalMs(final long pollIntervalMs)
    {
        this.pollIntervalMs = pollIntervalMs;
        return this;
    }

    /**
     * @return seconds a rotated terminal key stays valid for LOGON when the request names no graceSeconds.
     */
    public long keyRotationGraceSeconds()
    {
        return keyRotationGraceSeconds;
    }

    public AdminConfig keyRotationGraceSeconds(final long keyRotationGraceSeconds)
    {
        this.keyRotationGraceSeconds = keyRotationGraceSeconds;
        return this;
    }

    public int ingestBatch()
    {
        return ingestBatch;
    }

    public AdminConfig ingestBatch(final int ingestBatch)
    {
        this.ingestBatch = ingestBatch;
        return this;
    }

    public int ingestStreams()
    {
        return ingestStreams;
    }

    public AdminConfig ingestStreams(final int ingestStreams)
    {
        this.ingestStreams = ingestStreams;
        return this;
    }

    /**
     * @return whether the outbox publisher runs (tests switch it off to hold commands in the outbox).
     */
    public boolean publisherEnabled()
    {
        return publisherEnabled;
    }

    public AdminConfig publisherEnabled(final boolean publisherEnabled)
    {
        this.publisherEnabled = publisherEnabled;
        return this;
    }

    public boolean ingesterEnabled()
    {
        return ingesterEnabled;
    }

    public AdminConfig ingesterEnabled(final boolean ingesterEnabled)
    {
        this.ingesterEnabled = ingesterEnabled;
        return this;
    }

    public ZoneId cityZone()
    {
        return cityZone;
    }

    public AdminConfig cityZone(final ZoneId cityZone)
    {
        this.cityZone = cityZone;
        return this;
    }

    public Clock clock()
    {
        return clock;
    }

    public AdminConfig clock(final Clock clock)
    {
        this.clock = clock;
        return this;
    }

    public TokenRegistry tokens()
    {
        return tokens;
    }

    public AdminConfig tokens(final TokenRegistry tokens)
    {
        this.tokens = tokens;
        return this;
    }

    /**
     * @return the center administrator token generated by {@link #conclude()} when no token was
     * configured, or null. Printed once at start; never logged.
     */
    public String generatedToken()
    {
        return generatedToken;
    }

    /**
     * @return PEM certificate chain of the REST API's TLS, or null for plain HTTP (e.g. behind a TLS proxy).
     */
    public Path tlsCertFile()
    {
        return tlsCertFile;
    }

    public AdminConfig tlsCertFile(final Path tlsCertFile)
    {
        this.tlsCertFile = tlsCertFile;
        return this;
    }

    /**
     * @return PEM private key (PKCS#8) of the REST API's TLS, or null.
     */
    public Path tlsKeyFile()
    {
        return tlsKeyFile;
    }

    public AdminConfig tlsKeyFile(final Path tlsKeyFile)
    {
        this.tlsKeyFile = tlsKeyFile;
        return this;
    }

    /**
     * @return the whole configuration file's JSON (empty without a file): sections for extension modules.
     */
    public JsonObject extra()
    {
        return extra;
    }

    public AdminConfig extra(final JsonObject extra)
    {
        this.extra = extra;
        return this;
    }

    /**
     * @return whether every REST request is logged (logger {@code tapswitch.admin.access}).
     */
    public boolean accessLog()
    {
        return accessLog;
    }

    public AdminConfig accessLog(final boolean accessLog)
    {
        this.accessLog = accessLog;
        return this;
    }

    public boolean demo()
    {
        return demo;
    }

    public int demoCards()
    {
        return demoCards;
    }

    public int demoTerminals()
    {
        return demoTerminals;
    }

    /**
     * @return the configuration file read, or null.
     */
    public Path configFile()
    {
        return configFile;
    }

    /**
     * @return one line per setting with its value and source (secrets masked), as printed at start.
     */
    public String summary()
    {
        return summary;
    }
}
