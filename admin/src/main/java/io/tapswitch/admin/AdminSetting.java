package io.tapswitch.admin;

import java.util.Locale;

import io.tapswitch.formats.config.SettingKey;

/**
 * Every setting of the admin service, in the scheme the switch uses (the switch's Setting):
 * a kebab-case key (configuration file, {@code --set key=value}), an environment variable
 * {@code TAPSWITCH_ADMIN_<KEY>} (the {@code ADMIN_} part keeps the two services' variables apart on one host), a
 * default and one line of documentation. The README's admin configuration table is this enum.
 * <p>
 * To add a setting: add a constant here, read it in {@link AdminConfig#load} and give it an accessor there.
 */
public enum AdminSetting implements SettingKey
{
    HOST("host", AdminConfig.DEFAULT_HOST, false, "address the REST API (and /metrics) binds to"),
    PORT("port", String.valueOf(AdminConfig.DEFAULT_PORT), false, "REST API port (0 picks a free port)"),
    METRICS_PORT("metrics-port", String.valueOf(AdminConfig.DEFAULT_METRICS_PORT), false,
        "port of GET /metrics (Prometheus text); -1 disables it, 0 picks a free port"),
    DB_URL("db-url", "", true,
        "PostgreSQL URL postgresql://user:password@host:port/db; empty runs an embedded PostgreSQL in <data-dir>/pg " +
        "(printed with its password masked)"),
    DATA_DIR("data-dir", AdminConfig.DEFAULT_DATA_DIR.toString(), false,
        "admin data directory: embedded PostgreSQL (pg/), master.key, the generated token file"),
    SWITCH_DATA_DIR("switch-data-dir", AdminConfig.DEFAULT_SWITCH_DATA_DIR.toString(), false,
        "the switch's data directory (its data-dir): the admin writes commands/ and reads journal/"),
    EMBEDDED_PG_PORT("embedded-pg-port", String.valueOf(AdminConfig.DEFAULT_EMBEDDED_PG_PORT), false,
        "port of the embedded PostgreSQL on 127.0.0.1 (0 picks a free port)"),
    POOL_SIZE("pool-size", String.valueOf(AdminConfig.DEFAULT_POOL_SIZE), false,
        "connections in the reactive PostgreSQL pool (1..64)"),
    POLL_INTERVAL_MS("poll-interval-ms", String.valueOf(AdminConfig.DEFAULT_POLL_INTERVAL_MS), false,
        "how often the outbox publisher and the journal ingester look for work when nothing woke them (1..60000)"),
    INGEST_BATCH("ingest-batch", String.valueOf(AdminConfig.DEFAULT_INGEST_BATCH), false,
        "journal entries the ingester writes per database transaction, per stream (1..100000)"),
    INGEST_STREAMS("ingest-streams", String.valueOf(AdminConfig.DEFAULT_INGEST_STREAMS), false,
        "COPY streams the journal ingester writes at once, each on its own connection, the taps split by holder (1..16)"),
    KEY_ROTATION_GRACE_SECONDS("key-rotation-grace-seconds", String.valueOf(AdminConfig.DEFAULT_KEY_ROTATION_GRACE_SECONDS),
        false, "seconds a rotated terminal key stays valid for LOGON when the request names no graceSeconds (0..604800)"),
    MAX_CONNECTIONS_PER_CLIENT("max-connections-per-client", String.valueOf(AdminConfig.DEFAULT_MAX_CONNECTIONS_PER_CLIENT),
        false, "open REST connections one client address may hold; further ones are closed at once (1..100000)"),
    REQUESTS_PER_SECOND_PER_CALLER("requests-per-second-per-caller",
        String.valueOf(AdminConfig.DEFAULT_REQUESTS_PER_SECOND_PER_CALLER), false,
        "sustained REST requests per second of one token (or one address without a valid token) before 429 (1..1000000)"),
    REQUEST_BURST_PER_CALLER("request-burst-per-caller", String.valueOf(AdminConfig.DEFAULT_REQUEST_BURST_PER_CALLER), false,
        "requests one caller may send at once above the sustained rate (1..1000000)"),
    REQUEST_HEADER_TIMEOUT_MS("request-header-timeout-ms", String.valueOf(AdminConfig.DEFAULT_REQUEST_HEADER_TIMEOUT_MS),
        false, "a new REST connection must send its first request's line and headers within this time, and a kept-alive " +
        "one its next request's within the 60 s idle time after its previous answer, however slowly bytes trickle in; " +
        "else it is closed (slow-header clients; 1000..600000)"),
    CITY_ZONE("city-zone", "Europe/Kyiv", false, "time zone of the city's days (reports, deadlines)"),
    TLS_CERT_FILE("tls.cert-file", "", false, "PEM certificate chain; with tls.key-file the REST API is served over TLS"),
    TLS_KEY_FILE("tls.key-file", "", false, "PEM PKCS#8 private key of tls.cert-file"),
    ACCESS_LOG("access-log", "true", false,
        "log one line per REST request (logger tapswitch.admin.access: method, route, status, duration, actor; " +
        "never a token or a body)"),
    ACCOUNTS_SESSION_TTL_MINUTES("accounts.session-ttl-minutes",
        String.valueOf(io.tapswitch.admin.account.Accounts.DEFAULT_SESSION_TTL.toMinutes()), false,
        "minutes a console session token stays valid after sign-in (1..10080)"),
    DEMO("demo", "false", false, "load the demo dataset (DEMO-DATA.md) into PostgreSQL and, through the outbox, the switch"),
    DEMO_CARDS("demo-cards", String.valueOf(io.tapswitch.formats.demo.DemoDataset.DEFAULT_CARDS), false,
        "demo cards to load"),
    DEMO_TERMINALS("demo-terminals", String.valueOf(io.tapswitch.formats.demo.DemoDataset.DEFAULT_TERMINALS), false,
        "demo terminals to load");

    private final String key;
    private final String defaultValue;
    private final boolean secret;
    private final String doc;

    AdminSetting(final String key, final String defaultValue, final boolean secret, final String doc)
    {
        this.key = key;
        this.defaultValue = defaultValue;
        this.secret = secret;
        this.doc = doc;
    }

    @Override
    public String key()
    {
        return key;
    }

    @Override
    public String defaultValue()
    {
        return defaultValue;
    }

    @Override
    public boolean secret()
    {
        return secret;
    }

    @Override
    public String doc()
    {
        return doc;
    }

    @Override
    public String envName()
    {
        return "TAPSWITCH_ADMIN_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    @Override
    public String shown(final String value)
    {
        if (this == DB_URL)
        {
            return value.isEmpty() ? "<embedded>" : AdminConfig.redactUrl(value);
        }
        return SettingKey.super.shown(value);
    }
}
