package io.tapswitch.switching.config;

import io.tapswitch.formats.config.SettingKey;

import java.util.Locale;

import io.tapswitch.switching.engine.EngineConfig;

/**
 * Every setting of the switch: its key (in a configuration file and as a {@code --set key=value} flag),
 * its environment variable, its default and one line of documentation. The README's configuration
 * table is this enum. Immutable; thread-safe.
 */
public enum Setting implements SettingKey
{
    HOST("host", "127.0.0.1", false,
        "address the terminal listener binds to"),
    PORT("port", "7700", false,
        "TCP port of the terminal listener (0 picks a free port)"),
    METRICS_HOST("metrics-host", "", false,
        "address of the /metrics HTTP listener; empty means the same as host"),
    METRICS_PORT("metrics-port", "9464", false,
        "TCP port of GET /metrics (Prometheus text); -1 disables the listener, 0 picks a free port"),
    DATA_DIR("data-dir", "./data/switch", false,
        "data directory: journal/, commands/, snapshots/"),
    HEARTBEAT_MS("heartbeat-ms", "15000", false,
        "heartbeat interval given to terminals in LOGON_RESULT"),
    IDLE_TIMEOUT_MS("idle-timeout-ms", "0", false,
        "a connection silent this long is closed; 0 means 3 x heartbeat-ms (PROTOCOL.md rule 10)"),
    MAX_CONNECTIONS("max-connections", "12000", false,
        "connections held at once; an excess connection is closed at once and counted"),
    MAX_IN_FLIGHT("max-in-flight", "32", false,
        "unanswered requests per connection before the switch stops reading it (the protocol's window is 32)"),
    IO_THREADS("io-threads", "1", false,
        "Netty event loop threads serving connections (epoll where available, NIO otherwise)"),
    ENGINE_QUEUE_BYTES("engine-queue-bytes", "1048576", false,
        "capacity of the request queue to the engine thread (power of two); when full, requests get BUSY"),
    RESPONSE_QUEUE_BYTES("response-queue-bytes", "4194304", false,
        "capacity of each event loop's response queue from the engine thread (power of two)"),
    ENGINE_BATCH_SIZE("engine-batch-size", "256", false,
        "requests the engine decides per batch before releasing their responses"),
    ENGINE_IDLE_STRATEGY("engine-idle-strategy", "park", false,
        "what the engine thread does when idle: park (spin briefly, then park until an event loop queues a request; " +
        "at most 1 ms), backoff (spins, yields, parks of up to 200 us), sleeping, yielding or busy-spin"),
    COMMAND_POLL_LIMIT("command-poll-limit", "256", false,
        "admin commands applied per engine duty cycle"),
    JOURNAL_SYNC("journal-sync", "batch", false,
        "batch: force each batch's journal records to disk before its answers leave (survives power loss); " +
        "none: rely on the memory-mapped journal (survives a process crash)"),
    JOURNAL_SYNC_ANSWER_MS("journal-sync-answer-ms", "800", false,
        "with journal-sync=batch: answers that waited this long for a journal sync that has not returned are " +
        "answered ERROR SYSTEM_ERROR, and so is every request until the sync returns (a sync still hung after 10 s " +
        "makes the switch exit with status 74)"),
    JOURNAL_PRETOUCH_BYTES("journal-pretouch-bytes", String.valueOf(32L << 20), false,
        "bytes of the journal file a background thread keeps faulted in ahead of the engine thread's appends; " +
        "0 disables it (each append then faults its own pages in)"),
    JOURNAL_RESERVE_BYTES("journal-reserve-bytes", String.valueOf(32L << 20), false,
        "bytes of disk space a background thread keeps written ahead (zeros, forced to the disk) of the journal " +
        "writer; a full filesystem is met there, and the switch answers SYSTEM_ERROR once the space written ahead " +
        "is used (min 2 MiB)"),
    CARD_CAPACITY("card-capacity", String.valueOf(EngineConfig.DEFAULT_CARD_CAPACITY), false,
        "cards (and card holders) the tables are sized for at start; beyond it they double, a pause on the " +
        "command path: set it to the expected card count (with --demo, at least demo-cards)"),
    IDEMPOTENCY_CAPACITY("idempotency-capacity", String.valueOf(EngineConfig.DEFAULT_IDEMPOTENCY_CAPACITY), false,
        "TAP/REVERSAL results the idempotency table holds at start (a power of two); it doubles without a pause " +
        "(chunks of 65,536 added as needed, its index moved a few buckets per decision) up to " +
        EngineConfig.DEFAULT_IDEMPOTENCY_MAX_CAPACITY + ", then forgets the oldest early"),
    SNAPSHOT_INTERVAL_MS("snapshot-interval-ms", String.valueOf(EngineConfig.DEFAULT_SNAPSHOT_INTERVAL_MS), false,
        "interval between periodic snapshots, written on the engine thread (it pauses deciding meanwhile: " +
        "seconds at 10 M cards); 0 disables them (one is always written at shutdown)"),
    TLS_CERT_FILE("tls.cert-file", "", false,
        "PEM certificate chain; with tls.key-file it turns TLS on for the terminal listener"),
    TLS_KEY_FILE("tls.key-file", "", false,
        "PEM PKCS#8 private key of the certificate"),
    TLS_KEY_PASSWORD("tls.key-password", "", true,
        "password of an encrypted tls.key-file (never printed)"),
    LOGON_THROTTLE_FAILURES("logon-throttle-failures", "20", false,
        "failed LOGONs tolerated per window: past it, BAD_CREDENTIALS counted per source address and STALE_LOGON " +
        "counted per terminal and address have further LOGONs answered BUSY (retry later; not journaled) for the rest " +
        "of the window, so honest terminals behind one address are never locked out; 0 disables throttling"),
    LOGON_THROTTLE_WINDOW_MS("logon-throttle-window-ms", "10000", false,
        "length of the fixed per-source window of logon-throttle-failures"),
    LOGON_THROTTLE_MAX_SOURCES("logon-throttle-max-sources", "65536", false,
        "source addresses tracked at most; beyond it the expired, then the oldest, windows are evicted"),
    LOGON_THROTTLE_EXEMPT("logon-throttle-exempt", "", false,
        "comma-separated IP address literals never throttled (e.g. a trusted terminal gateway)"),
    REPLAY("replay", "effects", false,
        "how a start replays the journal after the newest snapshot: effects applies each journaled decision's effects " +
        "(usage taken or given back, results remembered for retries); verify decides every TAP and REVERSAL again " +
        "and logs how many differ from the journal (slower; both leave the same tables)"),
    DEMO("demo", "false", false,
        "provision the demo dataset (DEMO-DATA.md) into an empty data directory at start"),
    DEMO_CARDS("demo-cards", "100000", false,
        "demo cards to provision (ids 1000001 ...)"),
    DEMO_TERMINALS("demo-terminals", "2000", false,
        "demo terminals to provision (ids 1 ...)"),
    CLUSTER_MEMBER("cluster-member", "-1", false,
        "this switch's member id in a replicated switch (0 .. number of cluster-hosts - 1); -1 runs the single-node " +
        "switch (switch/CLUSTER.md)"),
    CLUSTER_HOSTS("cluster-hosts", "", false,
        "comma-separated host of every cluster member, by member id (3 for a cluster that survives one failure)"),
    CLUSTER_BASE_PORT("cluster-base-port", "9100", false,
        "member I uses the UDP ports cluster-base-port + 10 x I + 0 (ingress), 1 (consensus), 2 (log), 3 (catch-up), " +
        "4 (archive), 5 (egress to its front end)"),
    CLUSTER_LEADER_TIMEOUT_MS("cluster-leader-timeout-ms", "500", false,
        "a cluster leader silent this long is replaced by an election (it sends heartbeats every tenth of it); the " +
        "main part of the failover time: lower fails over faster, too low elects spuriously on a starved machine"),
    CLUSTER_ELECTION_TIMEOUT_MS("cluster-election-timeout-ms", "150", false,
        "how long a cluster election's ballot waits for votes (a candidate waits it in full when a member is down)");

    private final String key;
    private final String defaultValue;
    private final boolean secret;
    private final String doc;

    Setting(final String key, final String defaultValue, final boolean secret, final String doc)
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

    /**
     * @return the environment variable that sets it: {@code TAPSWITCH_} + the key in upper case with
     * dots and dashes as underscores, e.g. {@code TAPSWITCH_TLS_CERT_FILE}.
     */
    @Override
    public String envName()
    {
        return "TAPSWITCH_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * @param key a configuration key.
     * @return the setting with that key, or null.
     */
    public static Setting byKey(final String key)
    {
        for (final Setting setting : values())
        {
            if (setting.key.equals(key))
            {
                return setting;
            }
        }
        return null;
    }
}
