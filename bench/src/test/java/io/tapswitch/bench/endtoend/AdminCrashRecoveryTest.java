package io.tapswitch.bench.endtoend;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.tapswitch.admin.db.EmbeddedDatabase;
import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.client.BalanceResult;
import io.tapswitch.protocol.client.TerminalClient;
import io.tapswitch.formats.journal.JournalReader;
import io.tapswitch.formats.journal.JournalRecord;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin service under faults: it runs as a child process ({@code io.tapswitch.admin.AdminMain}) on its own
 * embedded PostgreSQL beside a real switch, while a writer issues cardholders, cards and entitlements through REST
 * and a terminal taps at the switch. The test SIGKILLs the admin at random moments (twice) and, once, stops the
 * PostgreSQL server under the running admin and starts it again. The admin is restarted each time it was killed;
 * after the database came back it must recover by itself. Then, with nothing lost or doubled:
 * <ul>
 *     <li>every card the database holds (every write acknowledged with 201 included) is known to the switch with its
 *     entitlement, and every command reached the switch: each outbox id is journaled once by the switch;</li>
 *     <li>every tap the switch journaled is in the database, once, by receipt.</li>
 * </ul>
 * The seed is printed; rerun with {@code -Dreliability.seed=N}.
 */
class AdminCrashRecoveryTest
{
    private static final String TOKEN = "token-reliability-admin-0001";
    private static final long FIRST_CARD = 9_000_001L;
    private static final Pattern URL = Pattern.compile("tapswitch admin: (http://\\S+)/api/v1");

    @TempDir
    Path pgDir;
    @TempDir
    Path adminDir;
    @TempDir
    Path switchDir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final ConcurrentLinkedQueue<Long> acknowledgedCards = new ConcurrentLinkedQueue<>();
    private final List<String> figures = java.util.Collections.synchronizedList(new ArrayList<>());
    private volatile String baseUrl;
    private final List<StringBuilder> adminOutputs = java.util.Collections.synchronizedList(new ArrayList<>());

    @Test
    @Timeout(value = 170, unit = TimeUnit.SECONDS)
    void shouldRecoverFromAdminKillsAndADatabaseRestartWithNothingLostOrDoubled() throws Exception
    {
        final long seed = Long.getLong("reliability.seed", System.nanoTime());
        System.out.println("AdminCrashRecoveryTest seed " + seed + " (rerun with -Dreliability.seed=" + seed + ")");
        final Random random = new Random(seed);
        final Path config = adminDir.resolve("tokens.json");
        Files.writeString(config, new JsonObject().put("tokens", new JsonArray().add(new JsonObject()
            .put("actor", "reliability").put("token", TOKEN)
            .put("roles", new JsonArray().add("center_admin").add("district_specialist").add("operator")))).encode());

        EmbeddedDatabase database = EmbeddedDatabase.start(pgDir, 0);
        final int pgPort = database.port();
        final String dbUrl = database.url(EmbeddedDatabase.DATABASE);
        try (RealSwitch realSwitch = RealSwitch.start(switchDir, 0))
        {
            Process admin = startAdmin(dbUrl, config);
            try
            {
                assertThat(post("/outlets", new JsonObject().put("id", 1).put("name", "Aid point 1")
                    .put("kind", "DISTRIBUTION_POINT"))).isEqualTo(201);
                assertThat(post("/programs", new JsonObject().put("id", 2).put("name", "Hygiene kit").put("kind", "AID")
                    .put("funding", "CITY_BUDGET").put("unit", "PERSON").put("period", "MONTH").put("quota", 2)
                    .put("outletIds", new JsonArray().add(1)))).isIn(201);
                final HttpResponse<String> registered = send("POST", "/terminals", new JsonObject().put("outletId", 1));
                assertThat(registered.statusCode()).isEqualTo(201);
                final JsonObject terminal = new JsonObject(registered.body());
                final TerminalClient tapper = awaitLogon(realSwitch, terminal.getLong("id"),
                    HexFormat.of().parseHex(terminal.getString("key")));

                final AtomicBoolean running = new AtomicBoolean(true);
                final Thread writer = new Thread(() -> write(running), "rest-writer");
                writer.setDaemon(true);
                writer.start();
                final Thread taps = new Thread(() -> tap(running, tapper), "tapper");
                taps.setDaemon(true);
                taps.start();
                try
                {
                    for (int fault = 0; fault < 3; fault++)
                    {
                        awaitAcknowledgedCards(acknowledgedCards.size() + 3, 400 + random.nextInt(1500));
                        if (fault == 1)
                        {
                            database.close();
                            final long downNs = System.nanoTime();
                            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500 + random.nextInt(1000)));
                            database = EmbeddedDatabase.start(pgDir, pgPort);
                            figures.add(String.format("PostgreSQL stopped under the running admin for %.1f s",
                                (System.nanoTime() - downNs) / 1e9));
                            awaitReady(60_000);
                        }
                        else
                        {
                            admin.destroyForcibly();
                            assertThat(admin.waitFor(10, TimeUnit.SECONDS)).isTrue();
                            figures.add("admin SIGKILLed with " + acknowledgedCards.size() + " cards acknowledged");
                            admin = startAdmin(dbUrl, config);
                        }
                    }
                    awaitAcknowledgedCards(acknowledgedCards.size() + 3, 500);
                }
                finally
                {
                    running.set(false);
                    writer.join(20_000);
                    taps.join(20_000);
                    tapper.close();
                }

                reconcile(dbUrl, realSwitch);
                final String key = terminal.getString("key");
                for (final StringBuilder output : adminOutputs)
                {
                    synchronized (output)
                    {
                        assertThat(output.toString()).as("admin output").isNotEmpty()
                            .doesNotContainIgnoringCase(key)
                            .doesNotContain(java.util.Base64.getEncoder().encodeToString(HexFormat.of().parseHex(key)));
                    }
                }
            }
            finally
            {
                admin.destroy();
                if (!admin.waitFor(30, TimeUnit.SECONDS))
                {
                    admin.destroyForcibly();
                }
            }
        }
        finally
        {
            database.close();
        }
        figures.forEach((line) -> System.out.println("AdminCrashRecoveryTest: " + line));
    }

    private void reconcile(final String dbUrl, final RealSwitch realSwitch) throws Exception
    {
        final String jdbc = "jdbc:" + dbUrl.replace("postgres@", "");
        awaitTrue("the outbox is drained", 60_000,
            () -> queryLong(jdbc, "SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0);

        final Set<Long> journalReceipts = new HashSet<>();
        final Map<Long, Integer> appliedCommands = new HashMap<>();
        try (JournalReader reader = new JournalReader(switchDir))
        {
            while (reader.poll((index, record) ->
            {
                if (record.type() == JournalRecord.TYPE_TAP || record.type() == JournalRecord.TYPE_REVERSAL)
                {
                    journalReceipts.add(record.receipt());
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
        assertThat(appliedCommands.entrySet().stream().filter((e) -> e.getValue() > 1).toList())
            .as("commands journaled more than once by the switch").isEmpty();
        final Set<Long> outboxIds = new HashSet<>(queryLongs(jdbc, "SELECT id FROM outbox"));
        assertThat(appliedCommands.keySet()).as("commands the switch journaled = the outbox").isEqualTo(outboxIds);

        awaitTrue("every journaled tap ingested", 60_000,
            () -> queryLong(jdbc, "SELECT count(*) FROM taps") >= journalReceipts.size());
        assertThat(new HashSet<>(queryLongs(jdbc, "SELECT receipt FROM taps"))).isEqualTo(journalReceipts);

        final List<Long> cards = queryLongs(jdbc, "SELECT id FROM cards");
        assertThat(cards).containsAll(acknowledgedCards);
        final long terminalId = queryLong(jdbc, "SELECT min(id) FROM terminals");
        final List<Long> entitled = queryLongs(jdbc,
            "SELECT c.id FROM cards c JOIN entitlements e ON e.holder_id = c.holder_id WHERE e.program_id = 2 AND e.status = 'ACTIVE'");
        figures.add(cards.size() + " cards in the database (" + acknowledgedCards.size() + " acknowledged), " +
            entitled.size() + " entitled, " + outboxIds.size() + " commands, " + journalReceipts.size() + " taps");
        assertThat(terminalId).isPositive();
        try (TerminalClient balance = realSwitch.terminal(terminalId, terminalKey))
        {
            for (final long card : cards)
            {
                final BalanceResult result = balance.balance(card);
                assertThat(result.decision()).as("card %d known to the switch: %s", card, result)
                    .isEqualTo(Decision.APPROVED);
                if (entitled.contains(card))
                {
                    assertThat(result.entry(2)).as("entitlement of card %d at the switch", card).isNotNull();
                }
            }
        }
    }

    private byte[] terminalKey;

    private TerminalClient awaitLogon(final RealSwitch realSwitch, final long terminalId, final byte[] key)
    {
        terminalKey = key;
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true)
        {
            try
            {
                return realSwitch.terminal(terminalId, key);
            }
            catch (final TerminalClient.LogonFailedException ex)
            {
                assertThat(System.nanoTime()).as("terminal known to the switch in time").isLessThan(deadlineNs);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }
    }

    /**
     * Issues holder, card and entitlement after one another; a card counts as acknowledged when all three got 201.
     */
    private void write(final AtomicBoolean running)
    {
        long card = FIRST_CARD;
        while (running.get())
        {
            try
            {
                final HttpResponse<String> holder = send("POST", "/cardholders",
                    new JsonObject().put("familyName", "Holder").put("givenName", "N" + card));
                if (holder.statusCode() != 201)
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                    continue;
                }
                final long holderId = new JsonObject(holder.body()).getLong("id");
                final long id = card++;
                if (post("/cards", new JsonObject().put("id", id).put("holderId", holderId).put("kind", "RESIDENT")
                    .put("expiry", "2035-12-31").put("status", "ACTIVE")) == 201 &&
                    post("/entitlements", new JsonObject().put("holderId", holderId).put("programId", 2)) == 201)
                {
                    acknowledgedCards.add(id);
                }
            }
            catch (final IOException ex)
            {
                // the admin is down: try again shortly
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
        }
    }

    private void tap(final AtomicBoolean running, final TerminalClient tapper)
    {
        while (running.get())
        {
            final Long card = acknowledgedCards.peek();
            try
            {
                tapper.tap(null == card ? FIRST_CARD : card + acknowledgedCards.size() % 7, 2, 1);
            }
            catch (final RuntimeException ex)
            {
                figures.add("tap failed: " + ex);
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    private void awaitAcknowledgedCards(final int count, final long minimumMs)
    {
        final long minimumEndNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(minimumMs);
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < minimumEndNs || acknowledgedCards.size() < count)
        {
            assertThat(System.nanoTime()).as("the admin acknowledged %d cards in time", count).isLessThan(deadlineNs);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    private void awaitReady(final long timeoutMs) throws Exception
    {
        awaitTrue("the admin is ready again", timeoutMs, () ->
        {
            try
            {
                return http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/ready")).timeout(Duration.ofSeconds(5))
                    .build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
            }
            catch (final IOException ex)
            {
                return false;
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return false;
            }
        });
    }

    private Process startAdmin(final String dbUrl, final Path config) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        for (final String argument : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (argument.startsWith("--add-opens") || argument.startsWith("--add-exports") ||
                argument.startsWith("-Dchronicle."))
            {
                command.add(argument);
            }
        }
        command.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-cp", System.getProperty("java.class.path"), "io.tapswitch.admin.AdminMain",
            "--host", "127.0.0.1", "--port", "0", "--metrics-port", "-1", "--db-url", dbUrl,
            "--data-dir", adminDir.toString(), "--switch-data-dir", switchDir.toString(), "--config", config.toString()));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final StringBuilder output = new StringBuilder();
        adminOutputs.add(output);
        final Thread pump = new Thread(() -> pump(process.getInputStream(), output), "admin-output");
        pump.setDaemon(true);
        pump.start();
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        synchronized (output)
        {
            while (true)
            {
                final Matcher matcher = URL.matcher(output);
                if (matcher.find())
                {
                    baseUrl = matcher.group(1);
                    return process;
                }
                if (!process.isAlive() || System.nanoTime() > deadlineNs)
                {
                    process.destroyForcibly();
                    throw new AssertionError("admin did not start:\n" + output);
                }
                try
                {
                    output.wait(200);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(ex);
                }
            }
        }
    }

    private static void pump(final InputStream in, final StringBuilder output)
    {
        final byte[] chunk = new byte[8192];
        try
        {
            int read;
            while ((read = in.read(chunk)) >= 0)
            {
                synchronized (output)
                {
                    output.append(new String(chunk, 0, read, StandardCharsets.UTF_8));
                    output.notifyAll();
                }
            }
        }
        catch (final IOException ignored)
        {
            // the process is gone
        }
    }

    private int post(final String path, final JsonObject body) throws IOException
    {
        return send("POST", path, body).statusCode();
    }

    private HttpResponse<String> send(final String method, final String path, final JsonObject body) throws IOException
    {
        try
        {
            return http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/api/v1" + path))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body.encode()))
                .build(), HttpResponse.BodyHandlers.ofString());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException(ex);
        }
    }

    private static void awaitTrue(final String what, final long timeoutMs, final java.util.function.BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean())
        {
            assertThat(System.nanoTime()).as("timed out after %d ms waiting for %s", timeoutMs, what)
                .isLessThan(deadlineNs);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    private static long queryLong(final String jdbc, final String sql)
    {
        final List<Long> values = queryLongs(jdbc, sql);
        return values.isEmpty() ? 0 : values.get(0);
    }

    private static List<Long> queryLongs(final String jdbc, final String sql)
    {
        try (Connection conn = DriverManager.getConnection(jdbc, EmbeddedDatabase.USER, null);
            Statement statement = conn.createStatement(); ResultSet rs = statement.executeQuery(sql))
        {
            final List<Long> values = new ArrayList<>();
            while (rs.next())
            {
                values.add(rs.getLong(1));
            }
            return values;
        }
        catch (final SQLException ex)
        {
            throw new IllegalStateException(sql, ex);
        }
    }
}
