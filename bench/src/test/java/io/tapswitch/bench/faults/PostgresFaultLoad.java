package io.tapswitch.bench.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import io.tapswitch.admin.AdminConfig;
import io.tapswitch.admin.AdminService;
import io.tapswitch.admin.Principal;
import io.tapswitch.admin.Role;
import io.tapswitch.admin.TokenRegistry;
import io.tapswitch.formats.journal.JournalReader;
import io.tapswitch.formats.journal.JournalRecord;
import io.tapswitch.protocol.client.TapResult;
import io.tapswitch.protocol.client.TerminalClient;
import io.tapswitch.switching.config.SwitchConfig;
import io.tapswitch.switching.net.SwitchLauncher;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fault of PostgreSQL under load, with a real switch and the admin in-process on a real PostgreSQL. While the fault
 * lasts: the switch keeps deciding taps (every tap answered); every REST write answers 201 or 503 problem+json with
 * {@code Retry-After} within the client's 10 s (never 500, never a hang); {@code /ready} answers 503 saying why. When
 * it is healed: ready again by itself; the outbox drains and every command is journaled by the switch exactly once;
 * every journaled tap is in the database exactly once; the ingester's lag is back under 1 s while taps go on; every
 * card acknowledged with 201 is in the database. The fault lasts {@code -Dfaults.pg-outage-seconds} (default 15).
 */
abstract class PostgresFaultLoad
{
    private static final String TOKEN = "token-faults-all-roles-0001";
    static final long OUTAGE_SECONDS = Long.getLong("faults.pg-outage-seconds", 15);
    private static final long FIRST_CARD = 7_000_001L;
    private static final long PROGRAM = 2;

    @TempDir
    Path pgDir;
    @TempDir
    Path adminDir;
    @TempDir
    Path switchDir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3))
        .version(HttpClient.Version.HTTP_1_1).build();
    private final ConcurrentLinkedQueue<Long> acknowledgedCards = new ConcurrentLinkedQueue<>();
    private final Map<Integer, AtomicLong> writeStatuses = new ConcurrentHashMap<>();
    private final List<String> badWrites = java.util.Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong slowestWriteMs = new AtomicLong();
    private final AtomicLong tapsAnswered = new AtomicLong();
    private final AtomicLong inDoubtApplied = new AtomicLong();
    private final List<String> figures = new ArrayList<>();
    private volatile String baseUrl;
    private volatile String tapFailure;

    /** A fault of PostgreSQL: injected under load, healed after the outage. */
    interface Fault
    {
        void inject() throws Exception;

        void heal() throws Exception;

        /** @return what {@code /ready}'s reasons must mention while the fault lasts. */
        String readyMentions();
    }

    static Fault stop(final PgServer pg)
    {
        return new Fault()
        {
            @Override
            public void inject() throws Exception
            {
                pg.stop();
            }

            @Override
            public void heal() throws Exception
            {
                pg.start();
            }

            @Override
            public String readyMentions()
            {
                return "PostgreSQL unreachable";
            }

            @Override
            public String toString()
            {
                return "stopped";
            }
        };
    }

    void outage(final PgServer pg, final Fault fault) throws Exception
    {
        final AdminConfig config = new AdminConfig().port(0).metricsPort(-1).dbUrl(pg.url()).dataDir(adminDir)
            .switchDataDir(switchDir).pollIntervalMs(10)
            .tokens(TokenRegistry.of(Map.of(TOKEN, new Principal("faults", Set.of(Role.values())))));
        final Map<String, String> switchSettings = new HashMap<>();
        switchSettings.put("host", "127.0.0.1");
        switchSettings.put("port", "0");
        switchSettings.put("metrics-port", "-1");
        switchSettings.put("data-dir", switchDir.toString());
        switchSettings.put("snapshot-interval-ms", "0");
        try (SwitchLauncher launcher = SwitchLauncher.start(SwitchConfig.of(switchSettings)))
        {
            final AdminService admin = new AdminService(config.conclude()).start().toCompletionStage().toCompletableFuture()
                .get(2, TimeUnit.MINUTES);
            try
            {
                baseUrl = admin.baseUrl();
                run(pg, fault, admin, launcher);
            }
            finally
            {
                admin.stop().toCompletionStage().toCompletableFuture().get(1, TimeUnit.MINUTES);
            }
        }
        figures.forEach(line -> System.out.println(getClass().getSimpleName() + " [" + pg.describe() + " " + fault + "]: " + line));
    }

    private void run(final PgServer pg, final Fault fault, final AdminService admin, final SwitchLauncher launcher) throws Exception
    {
        assertThat(post("/outlets", new JsonObject().put("id", 1).put("name", "Aid point 1").put("kind", "DISTRIBUTION_POINT"))
            .statusCode()).isEqualTo(201);
        assertThat(post("/programs", new JsonObject().put("id", PROGRAM).put("name", "Hot meal").put("kind", "MEAL")
            .put("funding", "CITY_BUDGET").put("unit", "PERSON").put("period", "MONTH").put("quota", 1_000_000)
            .put("outletIds", new JsonArray().add(1))).statusCode()).isEqualTo(201);
        final HttpResponse<String> registered = post("/terminals", new JsonObject().put("outletId", 1));
        assertThat(registered.statusCode()).isEqualTo(201);
        final JsonObject terminal = new JsonObject(registered.body());
        for (int i = 0; i < 10; i++)
        {
            assertThat(writeCard(FIRST_CARD + i)).isTrue();
        }
        final TerminalClient tapper = awaitLogon(launcher.port(), terminal.getLong("id"),
            HexFormat.of().parseHex(terminal.getString("key")));
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread writer = new Thread(() -> writeLoop(running), "rest-writer");
        final Thread taps = new Thread(() -> tapLoop(running, tapper), "tapper");
        writer.start();
        taps.start();
        try
        {
            LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(3));
            final long acknowledgedBefore = acknowledgedCards.size();
            final long tapsBeforeOutage = tapsAnswered.get();
            final long downNs = System.nanoTime();
            fault.inject();
            // while it is down: /ready says why, writes answer 503, taps go on
            final JsonObject notReady = awaitNotReady(15_000);
            figures.add("/ready while down: " + notReady.getString("detail"));
            assertThat(notReady.getJsonArray("reasons").encode()).contains(fault.readyMentions());
            final long tapsAtStopNs = tapsAnswered.get();
            while (System.nanoTime() - downNs < TimeUnit.SECONDS.toNanos(OUTAGE_SECONDS))
            {
                assertThat(tapFailure).as("a tap while PostgreSQL is down").isNull();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
            }
            final long tapsDuringOutage = tapsAnswered.get() - tapsBeforeOutage;
            final long acknowledgedDuring = acknowledgedCards.size() - acknowledgedBefore;
            final long unavailableDuring = writeStatuses.getOrDefault(503, new AtomicLong()).get();
            final long upNs = System.nanoTime();
            fault.heal();
            figures.add(String.format("PostgreSQL " + fault + " %.1f s: %d taps decided by the switch meanwhile (%d after /ready said " +
                "why), %d REST writes answered 503, %d cards acknowledged meanwhile (in flight at the fault, or rows that still fit)",
                (upNs - downNs) / 1e9, tapsDuringOutage, tapsAnswered.get() - tapsAtStopNs, unavailableDuring, acknowledgedDuring));
            assertThat(tapsDuringOutage).as("taps decided while PostgreSQL was down").isPositive();
            assertThat(unavailableDuring).as("REST writes refused with 503 while PostgreSQL was down").isPositive();
            awaitTrue("the admin ready again by itself", 60_000, () -> readyStatus() == 200);
            final long readyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - upNs);
            // the ingester catches up while taps go on
            final long tapsAtReturn = tapsAnswered.get();
            awaitTrue("the ingester's lag under 1 s with taps going on", 60_000, () ->
                admin.ingester().failing() == null && admin.ingester().lagMs() < 1_000 && tapsAnswered.get() > tapsAtReturn + 100);
            final long caughtUpMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - upNs);
            final long acknowledgedAtReturn = acknowledgedCards.size();
            awaitTrue("writes acknowledged again (statuses " + writeStatuses + ", " + badWrites.size() + " bad: " +
                badWrites.stream().limit(3).toList() + ")", 30_000, () -> acknowledgedCards.size() >= acknowledgedAtReturn + 3);
            figures.add("ready " + readyMs + " ms after PostgreSQL started; ingester lag < 1 s after " + caughtUpMs + " ms");
            LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(2));
        }
        finally
        {
            running.set(false);
            writer.join(30_000);
            taps.join(30_000);
            tapper.close();
        }
        assertThat(tapFailure).as("every tap answered").isNull();
        assertThat(badWrites).as("REST writes answered otherwise than 201 or 503 problem+json, or not at all").isEmpty();
        figures.add("REST write statuses " + writeStatuses + " (" + inDoubtApplied.get() + " card writes answered 503 " +
            "but committed, found by their id on retry), slowest answer " + slowestWriteMs.get() + " ms; " +
            tapsAnswered.get() + " taps answered");
        reconcile(pg.url());
    }

    private void reconcile(final String dbUrl) throws Exception
    {
        final String jdbc = "jdbc:" + dbUrl.replace("postgres@", "");
        awaitTrue("the outbox is drained", 60_000,
            () -> queryLongs(jdbc, "SELECT count(*) FROM outbox WHERE published_at IS NULL").get(0) == 0);
        final Set<Long> journalReceipts = new HashSet<>();
        final List<Long> journalTaps = new ArrayList<>();
        final Map<Long, Integer> appliedCommands = new HashMap<>();
        try (JournalReader reader = new JournalReader(switchDir))
        {
            while (reader.poll((index, record) ->
            {
                if (record.type() == JournalRecord.TYPE_TAP || record.type() == JournalRecord.TYPE_REVERSAL)
                {
                    journalReceipts.add(record.receipt());
                    journalTaps.add(record.receipt());
                }
                else if (record.type() == JournalRecord.TYPE_COMMAND)
                {
                    appliedCommands.merge(record.commandId(), 1, Integer::sum);
                }
            }, 10_000) > 0)
            {
                // read on
            }
        }
        assertThat(journalTaps).as("receipts unique in the journal").hasSameSizeAs(journalReceipts);
        assertThat(appliedCommands.entrySet().stream().filter(e -> e.getValue() > 1).toList())
            .as("commands journaled more than once by the switch").isEmpty();
        final Set<Long> outboxIds = new HashSet<>(queryLongs(jdbc, "SELECT id FROM outbox"));
        assertThat(appliedCommands.keySet()).as("commands the switch journaled = the outbox").isEqualTo(outboxIds);
        awaitTrue("every journaled tap ingested", 60_000,
            () -> queryLongs(jdbc, "SELECT count(*) FROM taps").get(0) >= journalReceipts.size());
        final List<Long> ingested = queryLongs(jdbc, "SELECT receipt FROM taps");
        assertThat(ingested).as("taps ingested once each").hasSameSizeAs(new HashSet<>(ingested));
        assertThat(new HashSet<>(ingested)).as("taps in the database = taps in the journal").isEqualTo(journalReceipts);
        final List<Long> cards = queryLongs(jdbc, "SELECT id FROM cards");
        assertThat(cards).as("every acknowledged card stored").containsAll(acknowledgedCards);
        figures.add(cards.size() + " cards stored (" + acknowledgedCards.size() + " acknowledged), " + outboxIds.size() +
            " commands each journaled once, " + journalReceipts.size() + " taps each ingested once");
    }

    private JsonObject awaitNotReady(final long timeoutMs) throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true)
        {
            final HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/ready"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (ready.statusCode() == 503)
            {
                assertThat(ready.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
                return new JsonObject(ready.body());
            }
            assertThat(System.nanoTime()).as("/ready says 503 in time").isLessThan(deadlineNs);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }

    private int readyStatus()
    {
        try
        {
            return http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/ready")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
        }
        catch (final Exception ex)
        {
            return -1;
        }
    }

    private TerminalClient awaitLogon(final int port, final long terminalId, final byte[] key)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true)
        {
            try
            {
                return TerminalClient.connect("127.0.0.1", port, terminalId, key);
            }
            catch (final TerminalClient.LogonFailedException ex)
            {
                assertThat(System.nanoTime()).as("terminal known to the switch in time").isLessThan(deadlineNs);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }
    }

    private void tapLoop(final AtomicBoolean running, final TerminalClient tapper)
    {
        long i = 0;
        while (running.get())
        {
            try
            {
                final TapResult result = tapper.tap(FIRST_CARD + i++ % 10, PROGRAM, 1);
                if (result != null)
                {
                    tapsAnswered.incrementAndGet();
                }
            }
            catch (final RuntimeException ex)
            {
                tapFailure = ex.toString();
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }

    private void writeLoop(final AtomicBoolean running)
    {
        long card = FIRST_CARD + 10;
        while (running.get())
        {
            try
            {
                if (writeCard(card))
                {
                    card++;
                }
                else
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                }
            }
            catch (final Exception ex)
            {
                badWrites.add("no answer: " + ex);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
        }
    }

    /**
     * Holder, card, entitlement one after another.
     *
     * @return true when all three were created (201); false after a 503.
     */
    private boolean writeCard(final long card) throws Exception
    {
        final HttpResponse<String> holder = write("/cardholders", new JsonObject().put("familyName", "Outage").put("givenName",
            "N" + card));
        if (holder.statusCode() != 201)
        {
            return false;
        }
        final long holderId = new JsonObject(holder.body()).getLong("id");
        final HttpResponse<String> created = write("/cards", new JsonObject().put("id", card).put("holderId", holderId)
            .put("kind", "RESIDENT").put("expiry", "2035-12-31").put("status", "ACTIVE"));
        if (created.statusCode() == 409)
        {
            // an earlier attempt answered 503 after its commit (connection lost while committing): applied once, not
            // acknowledged; go on with the next id
            inDoubtApplied.incrementAndGet();
            return true;
        }
        if (created.statusCode() != 201)
        {
            return false;
        }
        if (write("/entitlements", new JsonObject().put("holderId", holderId).put("programId", PROGRAM)).statusCode() != 201)
        {
            return false;
        }
        acknowledgedCards.add(card);
        return true;
    }

    private HttpResponse<String> write(final String path, final JsonObject body) throws Exception
    {
        final long startNs = System.nanoTime();
        final HttpResponse<String> response = post(path, body);
        slowestWriteMs.accumulateAndGet(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs), Math::max);
        writeStatuses.computeIfAbsent(response.statusCode(), k -> new AtomicLong()).incrementAndGet();
        if (response.statusCode() == 503)
        {
            if (!response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json") ||
                response.headers().firstValue("Retry-After").isEmpty())
            {
                badWrites.add("503 without problem+json or Retry-After: " + response.headers().map() + " " + response.body());
            }
        }
        else if (response.statusCode() == 409 && path.equals("/cards") && response.body().contains("already issued"))
        {
            return response;
        }
        else if (response.statusCode() != 201)
        {
            badWrites.add(path + " answered " + response.statusCode() + ": " + response.body());
        }
        return response;
    }

    private HttpResponse<String> post(final String path, final JsonObject body) throws Exception
    {
        return http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/api/v1" + path))
            .timeout(Duration.ofSeconds(10))
            .header("Authorization", "Bearer " + TOKEN)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.encode()))
            .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void awaitTrue(final String what, final long timeoutMs, final BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean())
        {
            assertThat(System.nanoTime()).as("timed out after %d ms waiting for %s", timeoutMs, what).isLessThan(deadlineNs);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    private static List<Long> queryLongs(final String jdbc, final String sql)
    {
        try (Connection conn = DriverManager.getConnection(jdbc, "postgres", null);
            Statement statement = conn.createStatement(); ResultSet rs = statement.executeQuery(sql))
        {
            final List<Long> values = new ArrayList<>();
            while (rs.next())
            {
                values.add(rs.getLong(1));
            }
            return values;
        }
        catch (final java.sql.SQLException ex)
        {
            throw new IllegalStateException(sql, ex);
        }
    }
}
