package io.tapswitch.switching.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.MessageType;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.protocol.client.AsyncTerminalClient;
import io.tapswitch.protocol.client.BalanceResult;
import io.tapswitch.protocol.client.TapResult;
import io.tapswitch.protocol.client.TerminalClient;
import io.tapswitch.formats.journal.JournalReader;
import io.tapswitch.formats.journal.JournalRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile clients against the real switch in a separate process (the demo data, a connection limit of 48, a
 * 1-second heartbeat so the idle timeout is 3 s, the smallest engine queue of 4 KiB): slow-loris clients, clients
 * that never read, a flood of connections past the limit, oversized frames, a flood of LOGONs with wrong keys and a
 * load beyond capacity. In each case honest terminals keep being served, the case is counted in {@code /metrics},
 * and the process's memory stays bounded; at the end the captured output holds no terminal key.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostileInputTest
{
    private static final int MAX_CONNECTIONS = 48;
    private static final int HEARTBEAT_MS = 1_000;
    private static final int IDLE_TIMEOUT_MS = 3 * HEARTBEAT_MS;
    private static final int DEMO_TERMINALS = 20;
    private static final int LOGON_THROTTLE_FAILURES = 20;
    private static final long CARD = 1000010;

    @TempDir
    static Path dataDir;

    private static ChildSwitch child;
    private static long rssBeforeBytes;
    private static final List<String> figures = new ArrayList<>();

    @BeforeAll
    static void startSwitch()
    {
        child = ChildSwitch.start(dataDir, List.of(
            "--demo", "--demo-cards", "200", "--demo-terminals", String.valueOf(DEMO_TERMINALS),
            "--port", "0", "--metrics-port", "0",
            "--set", "max-connections=" + MAX_CONNECTIONS,
            "--set", "heartbeat-ms=" + HEARTBEAT_MS,
            "--set", "engine-queue-bytes=4096",
            "--set", "logon-throttle-failures=" + LOGON_THROTTLE_FAILURES,
            "--set", "logon-throttle-window-ms=600000"), List.of());
        child.awaitListening(40_000, true);
        try (TerminalClient warmUp = terminal(1))
        {
            assertThat(warmUp.balance(CARD).decision()).isEqualTo(Decision.APPROVED);
        }
        rssBeforeBytes = rssBytes(child.pid());
    }

    @AfterAll
    static void stopSwitch()
    {
        if (null != child)
        {
            child.stop(20_000);
        }
        figures.forEach((line) -> System.out.println("HostileInputTest: " + line));
    }

    @Test
    @Order(1)
    void shouldServeHonestTerminalsWhileSlowLorisClientsTrickleBytes() throws Exception
    {
        final List<RawConnection> lorises = new ArrayList<>();
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread trickler;
        try
        {
            for (int i = 0; i < 16; i++)
            {
                lorises.add(RawConnection.open(child.port(), 0));
            }
            final byte[] logon = RawConnection.logonFrame(DEMO_TERMINALS, TerminalClient.demoKey(DEMO_TERMINALS), 1);
            trickler = new Thread(() ->
            {
                int position = 0;
                while (!stop.get() && position < logon.length - 1)
                {
                    for (final RawConnection loris : lorises)
                    {
                        try
                        {
                            loris.write(new byte[]{logon[position]});
                        }
                        catch (final IOException ignored)
                        {
                            // closed by the switch: fine
                        }
                    }
                    position++;
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
                }
            }, "slow-loris");
            trickler.setDaemon(true);
            trickler.start();

            final long servedNs = System.nanoTime();
            for (int t = 1; t <= 3; t++)
            {
                assertHonestTerminalServed(t, 20);
            }
            figures.add(String.format("16 slow-loris connections: 3 honest terminals x 20 requests served in %.0f ms",
                (System.nanoTime() - servedNs) / 1e6));
        }
        finally
        {
            stop.set(true);
            lorises.forEach(RawConnection::close);
        }
        trickler.join(2_000);
    }

    /**
     * PROTOCOL.md rule 10: a connection that sends no frame for 3 x heartbeat is closed. A client that trickles one
     * byte every 250 ms never completes a frame within that time; if only bytes reset the idle timer, such clients
     * hold connection slots for ever and, at the connection limit, lock honest terminals out.
     */
    @Test
    @Order(2)
    void shouldCloseAConnectionThatSendsNoWholeFrameWithinTheIdleTimeout() throws Exception
    {
        final byte[] logon = RawConnection.logonFrame(DEMO_TERMINALS, TerminalClient.demoKey(DEMO_TERMINALS), 1);
        try (RawConnection loris = RawConnection.open(child.port(), 0))
        {
            final long startNs = System.nanoTime();
            boolean closed = false;
            for (int position = 0; position < logon.length - 1 && !closed; position++)
            {
                try
                {
                    loris.write(new byte[]{logon[position]});
                }
                catch (final IOException ex)
                {
                    closed = true;
                    break;
                }
                closed = loris.awaitClosedBySwitch(250);
                if (TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs) > IDLE_TIMEOUT_MS + 3_000)
                {
                    break;
                }
            }
            final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            figures.add("byte-trickling connection (1 byte / 250 ms, no whole frame): " +
                (closed ? "closed after " + elapsedMs + " ms" : "still open after " + elapsedMs + " ms"));
            assertThat(closed)
                .as("a connection without a whole frame for %d ms (3 x heartbeat) is closed; open after %d ms",
                    IDLE_TIMEOUT_MS, elapsedMs)
                .isTrue();
        }
    }

    @Test
    @Order(3)
    void shouldServeHonestTerminalsAndStayBoundedWhileClientsNeverReadTheirResponses() throws Exception
    {
        final int nonReaders = 8;
        final List<RawConnection> connections = new ArrayList<>();
        final ExecutorService writers = Executors.newFixedThreadPool(nonReaders);
        final AtomicLong requestsWritten = new AtomicLong();
        final double activeBefore = ChildSwitch.metric(child.scrape(), "tapswitch_connections_active");
        try
        {
            for (int i = 0; i < nonReaders; i++)
            {
                final long terminalId = 4 + i;
                final RawConnection connection = RawConnection.open(child.port(), 4096);
                connections.add(connection);
                connection.write(RawConnection.logonFrame(terminalId, TerminalClient.demoKey(terminalId), 1));
                final byte[] logonResult = connection.readFrame(10_000);
                assertThat(logonResult).isNotNull();
                assertThat(logonResult[3] & 0xFF).isEqualTo(MessageType.LOGON_RESULT);
                assertThat(logonResult[8]).isEqualTo((byte)ReasonCode.OK);
            }
            for (final RawConnection connection : connections)
            {
                writers.submit(() ->
                {
                    final byte[] batch = new byte[16 * 256];
                    int correlation = 2;
                    try
                    {
                        // 64 MiB of BALANCE requests a connection, never reading an answer: the writes block once
                        // the switch stops reading this connection.
                        for (int round = 0; round < 16_384; round++)
                        {
                            for (int i = 0; i < 256; i++)
                            {
                                System.arraycopy(RawConnection.balanceFrame(correlation++, CARD), 0, batch, i * 16, 16);
                            }
                            connection.write(batch);
                            requestsWritten.addAndGet(256);
                        }
                    }
                    catch (final IOException ignored)
                    {
                        // closed at the end of the test
                    }
                    return null;
                });
            }

            awaitProgressStops(requestsWritten, 8_000);
            final long rssNow = rssBytes(child.pid());
            int busyRetries = 0;
            for (int t = 1; t <= 3; t++)
            {
                busyRetries += assertHonestTerminalServed(t, 20);
            }
            figures.add(String.format("%d clients never reading: %d requests (16 B each) written before the switch " +
                "stopped reading them, of %d offered; 3 honest terminals x 20 requests served (%d BUSY retried); " +
                "RSS %d -> %d MiB", nonReaders, requestsWritten.get(), nonReaders * 16_384L * 256, busyRetries,
                rssBeforeBytes >> 20, rssNow >> 20));
            assertThat(requestsWritten.get())
                .as("the switch stopped reading clients that do not read (TCP back-pressure)")
                .isLessThan(nonReaders * 16_384L * 256);
            assertThat(rssNow - rssBeforeBytes).as("RSS growth").isLessThan(128L << 20);
        }
        finally
        {
            connections.forEach(RawConnection::close);
            writers.shutdownNow();
            assertThat(writers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        awaitMetric("tapswitch_connections_active", activeBefore, 10_000);
    }

    @Test
    @Order(4)
    void shouldRefuseConnectionsPastTheLimitAndKeepServingConnectedTerminals() throws Exception
    {
        try (TerminalClient honest = terminal(1))
        {
            final String before = child.scrape();
            final int active = (int)ChildSwitch.metric(before, "tapswitch_connections_active");
            final double rejectedBefore = ChildSwitch.metric(before, "tapswitch_connections_rejected_total");
            final int excess = 16;
            final List<RawConnection> flood = new ArrayList<>();
            try
            {
                for (int i = 0; i < MAX_CONNECTIONS - active + excess; i++)
                {
                    flood.add(RawConnection.open(child.port(), 0));
                }
                int refused = 0;
                for (final RawConnection connection : flood.subList(flood.size() - excess, flood.size()))
                {
                    refused += connection.awaitClosedBySwitch(2_000) ? 1 : 0;
                }
                assertThat(refused).as("connections past the limit closed at once").isEqualTo(excess);

                final BalanceResult balance = honest.balance(CARD);
                assertThat(balance.decision()).isEqualTo(Decision.APPROVED);
                assertThat(ChildSwitch.metric(child.scrape(), "tapswitch_connections_rejected_total",
                    "reason=\"max_connections\"") - rejectedBefore).isGreaterThanOrEqualTo(excess);
                figures.add("connection flood: " + flood.size() + " raw connections with " + active +
                    " open and a limit of " + MAX_CONNECTIONS + ": " + refused + " refused, the connected terminal served");
            }
            finally
            {
                flood.forEach(RawConnection::close);
            }
        }
        awaitMetric("tapswitch_connections_active", 0, 10_000);
        assertHonestTerminalServed(2, 5);
    }

    @Test
    @Order(5)
    void shouldAnswerOversizedFramesWithMalformedFrameAndClose() throws Exception
    {
        final double malformedBefore = ChildSwitch.metric(child.scrape(), "tapswitch_malformed_frames_total");
        final byte[][] attacks = {
            {(byte)0xFF, (byte)0x0F, 1, MessageType.TAP, 1, 2, 3, 4},
            withGarbage(new byte[]{(byte)0xFF, (byte)0xFF}, 65_536),
            withGarbage(new byte[]{(byte)0xFE, (byte)0x0F, 1, MessageType.TAP, 9, 0, 0, 0}, 4_094 - 6)};
        final int[] expectedCorrelation = {0, 0, 9};
        for (int i = 0; i < attacks.length; i++)
        {
            try (RawConnection connection = RawConnection.open(child.port(), 0))
            {
                try
                {
                    connection.write(attacks[i]);
                }
                catch (final IOException ignored)
                {
                    // the switch may close before it has read everything: its ERROR is still readable
                }
                final byte[] error = connection.readFrame(5_000);
                assertThat(error).as("ERROR for attack %d", i).isNotNull();
                assertThat(error[3] & 0xFF).isEqualTo(MessageType.ERROR);
                assertThat((error[8] & 0xFF) | ((error[9] & 0xFF) << 8)).isEqualTo(ReasonCode.MALFORMED_FRAME);
                assertThat((error[4] & 0xFF) | ((error[5] & 0xFF) << 8)).isEqualTo(expectedCorrelation[i]);
                assertThat(connection.awaitClosedBySwitch(5_000)).as("closed after attack %d", i).isTrue();
            }
        }
        assertThat(ChildSwitch.metric(child.scrape(), "tapswitch_malformed_frames_total") - malformedBefore)
            .isEqualTo(attacks.length);
        assertHonestTerminalServed(3, 5);
    }

    @Test
    @Order(6)
    void shouldThrottleAFloodOfWrongKeyLogonsFromOneSourceWhileTheRealTerminalLogsOn() throws Exception
    {
        final long victim = 5;
        final int attackers = 4;
        final int logonsEach = 50;
        final String metricsBefore = child.scrape();
        final double badBefore = ChildSwitch.metric(metricsBefore, "tapswitch_logons_total",
            "result=\"BAD_CREDENTIALS\"");
        final double throttledBefore = ChildSwitch.metric(metricsBefore, "tapswitch_logons_throttled_total");
        final ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
        final AtomicInteger refused = new AtomicInteger();
        final ExecutorService pool = Executors.newFixedThreadPool(attackers);
        final List<CompletableFuture<Void>> floods = new ArrayList<>();
        final long startNs = System.nanoTime();
        for (int a = 0; a < attackers; a++)
        {
            floods.add(CompletableFuture.runAsync(() ->
            {
                final byte[] wrongKey = new byte[32];
                for (int i = 0; i < logonsEach; i++)
                {
                    wrongKey[0] = (byte)i;
                    try (RawConnection connection = RawConnection.open(child.port(), 0, "127.0.0.2"))
                    {
                        connection.write(RawConnection.logonFrame(victim, wrongKey, i));
                        final byte[] result = connection.readFrame(10_000);
                        if (null == result || (result[3] & 0xFF) != MessageType.LOGON_RESULT ||
                            (result[8] != ReasonCode.BAD_CREDENTIALS && result[8] != ReasonCode.BUSY) ||
                            !connection.awaitClosedBySwitch(5_000))
                        {
                            unexpected.add(null == result ? "no answer" : HexFormat.of().formatHex(result));
                        }
                        else
                        {
                            refused.incrementAndGet();
                        }
                    }
                    catch (final IOException | RuntimeException ex)
                    {
                        unexpected.add(ex.toString());
                    }
                }
            }, pool));
        }
        try
        {
            assertHonestTerminalServed(victim, 10);
            CompletableFuture.allOf(floods.toArray(new CompletableFuture[0])).get(45, TimeUnit.SECONDS);
        }
        finally
        {
            pool.shutdownNow();
        }
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        assertThat(unexpected).isEmpty();
        assertThat(refused.get()).isEqualTo(attackers * logonsEach);
        final long[] journaledBadLogons = {0};
        try (JournalReader reader = new JournalReader(dataDir))
        {
            while (reader.poll((index, record) ->
            {
                if (record.type() == JournalRecord.TYPE_LOGON && record.logonResult() == ReasonCode.BAD_CREDENTIALS)
                {
                    journaledBadLogons[0]++;
                }
            }, 10_000) > 0)
            {
                // read on
            }
        }
        // Past the threshold the source is throttled: its LOGONs are refused on the event loop, not journaled. The
        // attackers run in parallel, so up to attackers - 1 more may have been in flight to the engine meanwhile.
        assertThat(journaledBadLogons[0]).as("LOGONs that reached the engine (journaled)")
            .isBetween((long)LOGON_THROTTLE_FAILURES + 1, (long)LOGON_THROTTLE_FAILURES + attackers);
        final double throttled = ChildSwitch.metric(child.scrape(), "tapswitch_logons_throttled_total") -
            throttledBefore;
        assertThat(throttled).isEqualTo(attackers * logonsEach - journaledBadLogons[0]);
        // those the engine judged were BAD_CREDENTIALS; the throttled ones were answered BUSY (retry later: an honest
        // terminal behind the same address is never told its key is wrong)
        assertThat(ChildSwitch.metric(child.scrape(), "tapswitch_logons_total", "result=\"BAD_CREDENTIALS\"") -
            badBefore).isEqualTo(journaledBadLogons[0]);
        figures.add(String.format("wrong-key LOGON flood from 127.0.0.2: %d refused (BAD_CREDENTIALS, then BUSY) in %d ms " +
            "(%.0f/s), %d reached the engine (journaled) and %.0f were throttled on the event loop; the real " +
            "terminal %d (from 127.0.0.1) logged on and was served meanwhile", refused.get(), elapsedMs,
            refused.get() * 1000.0 / elapsedMs, journaledBadLogons[0], throttled, victim));
    }

    @Test
    @Order(7)
    void shouldShedLoadBeyondCapacityWithBusyAndServeAgainWhenItDrops() throws Exception
    {
        final int connections = DEMO_TERMINALS;
        final int requestsEach = 500;
        final String metricsBefore = child.scrape();
        final double busyBefore = ChildSwitch.metric(metricsBefore, "tapswitch_busy_total");
        final List<AsyncTerminalClient> clients = new ArrayList<>();
        final AtomicLong busy = new AtomicLong();
        final AtomicLong decided = new AtomicLong();
        final List<CompletableFuture<BalanceResult>> futures = new ArrayList<>();
        try
        {
            final List<AsyncTerminalClient> loggedOn = clients;
            for (long terminalId = 1; terminalId <= connections; terminalId++)
            {
                final AsyncTerminalClient client = new AsyncTerminalClient(new AsyncTerminalClient.Options()
                    .host("127.0.0.1").port(child.port()).terminal(terminalId, TerminalClient.demoKey(terminalId)));
                clients.add(client);
                assertThat(client.connectAndLogon().get(10, TimeUnit.SECONDS).ok()).isTrue();
            }
            final long startNs = System.nanoTime();
            for (int i = 0; i < requestsEach; i++)
            {
                for (final AsyncTerminalClient client : loggedOn)
                {
                    futures.add(client.balance(i, CARD + (i % 50)).whenComplete((result, failure) ->
                    {
                        if (null != result && result.reason() == ReasonCode.BUSY)
                        {
                            busy.incrementAndGet();
                        }
                        else if (null != result)
                        {
                            decided.incrementAndGet();
                        }
                    }));
                }
            }
            try
            {
                CompletableFuture.allOf(futures.toArray(new CompletableFuture[0])).get(40, TimeUnit.SECONDS);
            }
            catch (final java.util.concurrent.ExecutionException ex)
            {
                throw new AssertionError("a pipelining terminal lost its connection under overload; idle timeouts " +
                    "meanwhile: " + (ChildSwitch.metric(child.scrape(), "tapswitch_idle_timeouts_total") -
                    ChildSwitch.metric(metricsBefore, "tapswitch_idle_timeouts_total")), ex);
            }
            final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            assertThat(busy.get() + decided.get()).as("every request answered").isEqualTo(futures.size());
            assertThat(ChildSwitch.metric(child.scrape(), "tapswitch_busy_total") - busyBefore)
                .as("BUSY answers counted in tapswitch_busy_total").isEqualTo(busy.get());
            final String metricsAfter = child.scrape();
            final double answers = ChildSwitch.metric(metricsAfter, "tapswitch_authorization_latency_seconds_count") -
                ChildSwitch.metric(metricsBefore, "tapswitch_authorization_latency_seconds_count");
            final double seconds = ChildSwitch.metric(metricsAfter, "tapswitch_authorization_latency_seconds_sum") -
                ChildSwitch.metric(metricsBefore, "tapswitch_authorization_latency_seconds_sum");
            figures.add(String.format("overload: %d pipelined BALANCEs on %d connections with a 4 KiB engine queue " +
                "answered in %d ms: %d BUSY, %d decided; switch-side receive-to-response mean %.1f us over %.0f " +
                "answers (tapswitch_authorization_latency_seconds)", futures.size(), loggedOn.size(), elapsedMs,
                busy.get(), decided.get(), answers == 0 ? 0 : seconds / answers * 1e6, answers));
        }
        finally
        {
            clients.forEach(AsyncTerminalClient::close);
        }

        try (TerminalClient calm = terminal(1))
        {
            for (int i = 0; i < 50; i++)
            {
                assertThat(calm.balance(CARD).reason()).as("served after the load dropped").isNotEqualTo(ReasonCode.BUSY);
            }
        }
    }

    /**
     * PROTOCOL.md rule 10 closes a connection that <i>sends</i> nothing for 3 x heartbeat. A terminal that keeps
     * sending but reads its answers late (a slow link, a GC pause) makes the switch pause reading it (back-pressure);
     * the paused connection must not then be closed as idle while its requests wait, unread, in the socket.
     */
    @Test
    @Order(9)
    void shouldNotCloseAsIdleATerminalThatSendsButReadsLate() throws Exception
    {
        final int requests = 256 * 3_000;
        final double idleBefore = ChildSwitch.metric(child.scrape(), "tapswitch_idle_timeouts_total");
        try (RawConnection connection = RawConnection.open(child.port(), 4096))
        {
            connection.write(RawConnection.logonFrame(12, TerminalClient.demoKey(12), 1));
            final byte[] logonResult = connection.readFrame(10_000);
            assertThat(logonResult[8]).isEqualTo((byte)ReasonCode.OK);
            final Thread writer = new Thread(() ->
            {
                final byte[] batch = new byte[16 * 256];
                int correlation = 2;
                try
                {
                    for (int round = 0; round < requests / 256; round++)
                    {
                        for (int i = 0; i < 256; i++)
                        {
                            System.arraycopy(RawConnection.balanceFrame(correlation++, CARD), 0, batch, i * 16, 16);
                        }
                        connection.write(batch);
                    }
                }
                catch (final IOException ignored)
                {
                    // closed by the switch: the assertion below reports it
                }
            }, "late-reader-writer");
            writer.setDaemon(true);
            writer.start();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(IDLE_TIMEOUT_MS + 2_000));

            int answers = 0;
            while (answers < requests)
            {
                final byte[] frame;
                try
                {
                    frame = connection.readFrame(10_000);
                }
                catch (final java.net.SocketTimeoutException ex)
                {
                    throw new AssertionError("answer " + (answers + 1) + " of " + requests + " not received in 10 s; " +
                        "switch state:\n" + diagnostics(), ex);
                }
                if (null == frame)
                {
                    throw new AssertionError("answer " + (answers + 1) + " of " + requests + ": the switch closed " +
                        "the connection; idle timeouts counted meanwhile: " + (ChildSwitch.metric(child.scrape(),
                        "tapswitch_idle_timeouts_total") - idleBefore));
                }
                answers++;
            }
            writer.join(10_000);
        }
    }

    /**
     * What the switch was doing when an answer did not come: its journal sync, engine and connection metrics, the
     * stacks of its threads and the end of its output.
     */
    private static String diagnostics()
    {
        final StringBuilder sb = new StringBuilder();
        try
        {
            for (final String line : child.scrape().split("\n"))
            {
                if (line.startsWith("tapswitch_journal_sync") || line.startsWith("tapswitch_engine") ||
                    line.startsWith("tapswitch_busy") || line.startsWith("tapswitch_connections") ||
                    line.startsWith("tapswitch_requests"))
                {
                    sb.append(line).append('\n');
                }
            }
            final Process jstack = new ProcessBuilder("jstack", String.valueOf(child.pid()))
                .redirectErrorStream(true).start();
            sb.append(new String(jstack.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            jstack.waitFor(20, TimeUnit.SECONDS);
        }
        catch (final IOException | RuntimeException ex)
        {
            sb.append("(diagnostics failed: ").append(ex).append(")\n");
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        return sb.append(child.outputTail(4000)).toString();
    }

    @Test
    @Order(8)
    void shouldNeverWriteATerminalKeyToItsOutputAndStayBoundedInMemory()
    {
        final String metrics = child.scrape();
        final long rssAfter = rssBytes(child.pid());
        final double heapUsed = ChildSwitch.metric(metrics, "jvm_memory_used_bytes", "area=\"heap\"");
        figures.add(String.format("after every hostile case: RSS %d -> %d MiB, heap used %.0f MiB (-Xmx384m)",
            rssBeforeBytes >> 20, rssAfter >> 20, heapUsed / (1 << 20)));
        assertThat(rssAfter - rssBeforeBytes).as("RSS growth over the hostile run").isLessThan(160L << 20);
        assertThat(heapUsed).isPositive();

        final String output = child.output();
        assertThat(output).contains("tapswitch switch listening on");
        for (long terminalId = 1; terminalId <= DEMO_TERMINALS; terminalId++)
        {
            final byte[] key = TerminalClient.demoKey(terminalId);
            assertThat(output)
                .doesNotContainIgnoringCase(HexFormat.of().formatHex(key))
                .doesNotContain(Base64.getEncoder().encodeToString(key))
                .doesNotContain(Base64.getEncoder().withoutPadding().encodeToString(key).substring(0, 40))
                .doesNotContain(Base64.getUrlEncoder().withoutPadding().encodeToString(key).substring(0, 40));
        }
    }

    // ================================================================================================ helpers

    private static TerminalClient terminal(final long terminalId)
    {
        return TerminalClient.connect("127.0.0.1", child.port(), terminalId, TerminalClient.demoKey(terminalId));
    }

    /**
     * Logs the terminal on and has it make requests that each must be decided. BUSY (shed load) is retried, as
     * PROTOCOL.md rule 11 tells a terminal to, with the same correlation, until a deadline of 15 s.
     *
     * @return how many BUSY answers (LOGON included) the terminal had to retry.
     */
    private static int assertHonestTerminalServed(final long terminalId, final int requests)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        int busy = 0;
        TerminalClient client = null;
        try
        {
            while (null == client)
            {
                try
                {
                    client = terminal(terminalId);
                }
                catch (final TerminalClient.LogonFailedException ex)
                {
                    assertThat(ex.result().result()).as("LOGON of terminal %d", terminalId).isEqualTo(ReasonCode.BUSY);
                    assertThat(System.nanoTime()).as("terminal %d logged on before the deadline", terminalId)
                        .isLessThan(deadlineNs);
                    busy++;
                }
            }
            int correlation = 1_000_000 + (int)terminalId * 10_000 + CorrelationOffsets.next();
            for (int i = 0; i < requests; i++)
            {
                correlation++;
                while (true)
                {
                    final int reason;
                    if (i % 2 == 0)
                    {
                        reason = client.balance(correlation, CARD + i).reason();
                    }
                    else
                    {
                        final TapResult tap = client.tap(correlation, CARD + i, 2, 1, 0, System.currentTimeMillis());
                        reason = tap.reason();
                        assertThat(tap.receipt() > 0 || reason == ReasonCode.BUSY).as("%s", tap).isTrue();
                    }
                    if (reason != ReasonCode.BUSY)
                    {
                        break;
                    }
                    busy++;
                    assertThat(System.nanoTime()).as("terminal %d served before the deadline", terminalId)
                        .isLessThan(deadlineNs);
                }
            }
            return busy;
        }
        finally
        {
            if (null != client)
            {
                client.close();
            }
        }
    }

    /**
     * Correlation offsets so that repeated calls for one terminal do not reuse a TAP correlation with another body.
     */
    private static final class CorrelationOffsets
    {
        private static final AtomicInteger NEXT = new AtomicInteger();

        static int next()
        {
            return NEXT.addAndGet(100) % 9_000;
        }
    }

    private static void awaitProgressStops(final AtomicLong progress, final long timeoutMs)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        long last = -1;
        while (System.nanoTime() < deadlineNs)
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
            final long now = progress.get();
            if (now == last && now > 0)
            {
                return;
            }
            last = now;
        }
    }

    private static void awaitMetric(final String name, final double expected, final long timeoutMs)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        double value = ChildSwitch.metric(child.scrape(), name);
        while (value > expected && System.nanoTime() < deadlineNs)
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            value = ChildSwitch.metric(child.scrape(), name);
        }
        assertThat(value).as("%s back to %s", name, expected).isLessThanOrEqualTo(expected);
    }

    private static byte[] withGarbage(final byte[] head, final int garbageBytes)
    {
        final byte[] bytes = new byte[head.length + garbageBytes];
        System.arraycopy(head, 0, bytes, 0, head.length);
        for (int i = head.length; i < bytes.length; i++)
        {
            bytes[i] = (byte)(i * 31);
        }
        return bytes;
    }

    static long rssBytes(final long pid)
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status")))
            {
                if (line.startsWith("VmRSS:"))
                {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
            throw new AssertionError("no VmRSS for " + pid);
        }
        catch (final IOException ex)
        {
            throw new AssertionError("cannot read /proc/" + pid + "/status", ex);
        }
    }
}
