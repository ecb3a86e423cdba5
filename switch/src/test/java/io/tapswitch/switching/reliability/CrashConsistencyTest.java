package io.tapswitch.switching.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.protocol.client.BalanceResult;
import io.tapswitch.protocol.client.TapResult;
import io.tapswitch.protocol.client.TerminalClient;
import io.tapswitch.switching.engine.Engine;
import io.tapswitch.switching.engine.EngineConfig;
import io.tapswitch.switching.engine.TableDigest;
import io.tapswitch.formats.journal.JournalReader;
import io.tapswitch.formats.journal.JournalRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash consistency end to end: the real switch runs as a separate process on a demo data directory; four
 * terminals (real TCP, the protocol client, one request at a time each) tap and reverse with their own
 * correlations on a small pool of cards so that quotas run out and reversals give back; the test kills the switch
 * with SIGKILL at random moments (4 times, periodic snapshots every 400 ms so kills also land around snapshots),
 * restarts it on the same data directory and port, and each terminal re-sends its unanswered request with the same
 * correlation and the same bytes until it is answered. Then it reconciles what the terminals saw with the switch:
 * <ul>
 *     <li>every result a terminal received is in the journal under its receipt, with the same terminal,
 *     correlation, decision, reason and remaining;</li>
 *     <li>every request is decided exactly once in the journal (a retry after a crash is answered from the
 *     original record, never decided twice) and the journal holds no decision nobody asked for;</li>
 *     <li>a request sent after a result was received gets a higher receipt, across restarts; sequences are
 *     gap-free;</li>
 *     <li>every request re-sent at the end is answered with its original result and receipt;</li>
 *     <li>for every card and program, BALANCE's remaining is the quota minus what the terminals saw approved and not
 *     reversed (nothing lost, nothing applied twice), and the journal's debits agree;</li>
 *     <li>the state after snapshot + replay equals a from-scratch replay of the whole journal, which re-decides
 *     every record with no mismatch.</li>
 * </ul>
 * The seed is printed; rerun with {@code -Dreliability.seed=N}.
 */
class CrashConsistencyTest
{
    private static final int TERMINALS = 4;
    private static final int FIRST_CARD = 1000001;
    private static final int CARDS = 36;
    private static final int KILLS = 4;
    private static final long START_TIMEOUT_MS = 40_000;
    private static final long SETTLE_TIMEOUT_MS = 30_000;
    private static final int PROGRAM_FOOD_KIT = 1;
    private static final int PROGRAM_HYGIENE_KIT = 2;
    private static final int FOOD_KIT_QUOTA = 1;
    private static final int HYGIENE_KIT_QUOTA = 2;

    @TempDir
    Path dataDir;

    private final AtomicReference<CountDownLatch> switchUp = new AtomicReference<>(new CountDownLatch(1));
    private final AtomicBoolean stopNewRequests = new AtomicBoolean();
    private final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    private volatile int port;
    private volatile int generation;
    private final List<Long> lastSequenceAtKill = new ArrayList<>();

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void shouldLoseNothingAndApplyNothingTwiceAcrossRepeatedSigkills() throws Exception
    {
        final long seed = Long.getLong("reliability.seed", System.nanoTime());
        System.out.println("CrashConsistencyTest seed " + seed + " (rerun with -Dreliability.seed=" + seed + ")");
        final Random random = new Random(seed);
        port = ChildSwitch.freePort();

        final List<Terminal> terminals = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();
        for (int i = 1; i <= TERMINALS; i++)
        {
            final Terminal terminal = new Terminal(i, new Random(seed * 31 + i));
            terminals.add(terminal);
            final Thread thread = new Thread(terminal::run, "terminal-" + i);
            thread.setDaemon(true);
            threads.add(thread);
        }

        final long startNs = System.nanoTime();
        ChildSwitch child = startSwitch();
        threads.forEach(Thread::start);
        final List<Long> servedMs = new ArrayList<>();
        try
        {
            for (int kill = 0; kill < KILLS; kill++)
            {
                final long serveMs = 400 + random.nextInt(1600);
                final long answeredBefore = answered(terminals);
                awaitAnswersOrDeadline(terminals, answeredBefore + 20, serveMs, child);
                switchUp.set(new CountDownLatch(1));
                child.kill();
                servedMs.add(serveMs);
                lastSequenceAtKill.add(lastJournalSequence());
                generation = kill + 1;
                child = startSwitch();
            }

            stopNewRequests.set(true);
            for (final Thread thread : threads)
            {
                thread.join(SETTLE_TIMEOUT_MS);
                assertThat(thread.isAlive()).as("%s settled its unanswered requests", thread.getName()).isFalse();
            }
            assertThat(violations).isEmpty();

            resendEverythingAndExpectTheOriginalResults(terminals);
            try (TerminalClient client = connect(1))
            {
                assertBalancesMatchWhatTheTerminalsSaw(client, terminals);
            }
        }
        finally
        {
            assertThat(child.stop(20_000)).as("clean stop after the run:%n%s", child.outputTail(6000)).isNotEqualTo(-1);
        }

        final Map<Long, long[]> journal = assertJournalMatchesTheTerminals(terminals);
        assertReplayFromScratchEqualsSnapshotPlusReplay(journal.size());

        final long requests = terminals.stream().mapToLong((t) -> t.sent.size()).sum();
        final long retried = terminals.stream().mapToLong((t) -> t.retried).sum();
        final long approved = terminals.stream().mapToLong((t) -> t.approved).sum();
        long answeredFromBeforeTheCrash = 0;
        for (final Terminal terminal : terminals)
        {
            for (final Request request : terminal.sent.values())
            {
                if (request.attempts > 1 && request.generation > 0 &&
                    request.result.receipt() <= lastSequenceAtKill.get(request.generation - 1))
                {
                    answeredFromBeforeTheCrash++;
                }
            }
        }
        System.out.printf("CrashConsistencyTest: %d kills after %s ms of serving, %d requests (%d approved), " +
            "%d re-sent after a crash (%d of them decided before the crash and answered with the original receipt), " +
            "%d journal decisions, %.1f s%n", KILLS, servedMs, requests, approved, retried, answeredFromBeforeTheCrash,
            journal.size(), (System.nanoTime() - startNs) / 1e9);
        assertThat(retried).as("the kills interrupted requests in flight").isPositive();
    }

    private ChildSwitch startSwitch()
    {
        final ChildSwitch child = ChildSwitch.start(dataDir, List.of(
            "--demo", "--demo-cards", "200", "--demo-terminals", "10",
            "--port", String.valueOf(port), "--metrics-port", "-1",
            "--set", "snapshot-interval-ms=400"), List.of());
        child.awaitListening(START_TIMEOUT_MS, false);
        switchUp.get().countDown();
        return child;
    }

    private static long answered(final List<Terminal> terminals)
    {
        return terminals.stream().mapToLong((t) -> t.answeredCount).sum();
    }

    /**
     * Waits until the terminals got some answers from this switch and the serving time has passed.
     */
    private void awaitAnswersOrDeadline(
        final List<Terminal> terminals, final long answers, final long serveMs, final ChildSwitch child)
    {
        final long minimumEndNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(serveMs);
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < minimumEndNs || (answered(terminals) < answers && System.nanoTime() < deadlineNs))
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        assertThat(answered(terminals))
            .as("terminals were served after the restart; last errors %s; switch output:%n%s",
                terminals.stream().map((t) -> t.lastError).toList(), child.outputTail(6000))
            .isGreaterThanOrEqualTo(answers);
    }

    private TerminalClient connect(final long terminalId)
    {
        return TerminalClient.connect("127.0.0.1", port, terminalId, TerminalClient.demoKey(terminalId));
    }

    private void resendEverythingAndExpectTheOriginalResults(final List<Terminal> terminals)
    {
        for (final Terminal terminal : terminals)
        {
            try (TerminalClient client = connect(terminal.terminalId))
            {
                for (final Request request : terminal.sent.values())
                {
                    final TapResult again = request.send(client);
                    final TapResult original = request.result;
                    assertThat(new long[]{again.decision(), again.reason(), again.remaining(), again.receipt()})
                        .as("re-sent %s (first answer %s)", request, original)
                        .containsExactly(original.decision(), original.reason(), original.remaining(), original.receipt());
                }
            }
        }
    }

    private void assertBalancesMatchWhatTheTerminalsSaw(final TerminalClient client, final List<Terminal> terminals)
    {
        final Map<Long, Integer> usedByUnit = usedByUnit(terminals);
        for (int card = FIRST_CARD; card < FIRST_CARD + CARDS; card++)
        {
            final BalanceResult balance = client.balance(card);
            assertThat(balance.decision()).isEqualTo(Decision.APPROVED);
            final int foodUsed = usedByUnit.getOrDefault(unit(PROGRAM_FOOD_KIT, card), 0);
            final int hygieneUsed = usedByUnit.getOrDefault(unit(PROGRAM_HYGIENE_KIT, card), 0);
            assertThat(foodUsed).as("food kits used by household of %d", card).isBetween(0, FOOD_KIT_QUOTA);
            assertThat(hygieneUsed).as("hygiene kits used by %d", card).isBetween(0, HYGIENE_KIT_QUOTA);
            assertThat(balance.entry(PROGRAM_FOOD_KIT).remaining()).as("food kit left for card %d", card)
                .isEqualTo(FOOD_KIT_QUOTA - foodUsed);
            assertThat(balance.entry(PROGRAM_HYGIENE_KIT).remaining()).as("hygiene kits left for card %d", card)
                .isEqualTo(HYGIENE_KIT_QUOTA - hygieneUsed);
        }
    }

    /**
     * @return per entitlement unit, what the terminals saw approved and not reversed.
     */
    private static Map<Long, Integer> usedByUnit(final List<Terminal> terminals)
    {
        final Map<Long, Integer> used = new HashMap<>();
        for (final Terminal terminal : terminals)
        {
            for (final Request request : terminal.sent.values())
            {
                if (request.result.decision() != Decision.APPROVED)
                {
                    continue;
                }
                if (request.isTap)
                {
                    used.merge(unit(request.programId, request.cardId), request.quantity, Integer::sum);
                }
                else
                {
                    final Request original = terminal.sent.get(request.originalCorrelation);
                    used.merge(unit(original.programId, original.cardId), -original.quantity, Integer::sum);
                }
            }
        }
        return used;
    }

    /**
     * @return the entitlement unit: the household for the food kit (DEMO-DATA: 3 cards a household), else the card.
     */
    private static long unit(final int programId, final long cardId)
    {
        return programId == PROGRAM_FOOD_KIT ?
            -(1 + (cardId - FIRST_CARD) / 3) : cardId * 100 + programId;
    }

    /**
     * @return every TAP/REVERSAL journal record by terminal and correlation: {receipt, decision, reason, remaining}.
     */
    private Map<Long, long[]> assertJournalMatchesTheTerminals(final List<Terminal> terminals)
    {
        final Map<Long, long[]> decisions = new LinkedHashMap<>();
        final Map<Long, Integer> takenByUnit = new HashMap<>();
        final List<String> problems = new ArrayList<>();
        final long[] previousSequence = {0};
        try (JournalReader reader = new JournalReader(dataDir))
        {
            while (reader.poll((index, record) ->
            {
                if (record.sequence() != previousSequence[0] + 1)
                {
                    problems.add("sequence " + record.sequence() + " after " + previousSequence[0]);
                }
                previousSequence[0] = record.sequence();
                if (record.type() != JournalRecord.TYPE_TAP && record.type() != JournalRecord.TYPE_REVERSAL)
                {
                    return;
                }
                final long key = key(record.terminalId(), record.correlation());
                final long[] previous = decisions.put(key, new long[]{
                    record.receipt(), record.decision(), record.reason(), record.remaining()});
                if (null != previous)
                {
                    problems.add("decided twice: terminal " + record.terminalId() + " correlation " +
                        record.correlation() + " receipts " + previous[0] + " and " + record.receipt());
                }
                if (record.type() == JournalRecord.TYPE_TAP && record.taken() != 0)
                {
                    takenByUnit.merge(unit(record.programId(), record.cardId()), record.taken(), Integer::sum);
                }
                if (record.type() == JournalRecord.TYPE_REVERSAL && record.restored() != 0)
                {
                    takenByUnit.merge(unit(record.programId(), record.cardId()), -record.restored(), Integer::sum);
                }
            }, 10_000) > 0)
            {
                // read on
            }
        }
        assertThat(problems).isEmpty();

        int matched = 0;
        for (final Terminal terminal : terminals)
        {
            for (final Request request : terminal.sent.values())
            {
                final long[] journaled = decisions.get(key(terminal.terminalId, request.correlation));
                assertThat(journaled).as("journal record of %s", request).isNotNull();
                assertThat(journaled).as("journal record of %s", request).containsExactly(
                    request.result.receipt(), request.result.decision(), request.result.reason(),
                    request.result.remaining());
                matched++;
            }
        }
        assertThat(decisions).as("journal decisions nobody asked for").hasSize(matched);

        final Map<Long, Integer> used = usedByUnit(terminals);
        used.values().removeIf((value) -> value == 0);
        takenByUnit.values().removeIf((value) -> value == 0);
        assertThat(takenByUnit).as("debits in the journal per unit").isEqualTo(used);
        return decisions;
    }

    private void assertReplayFromScratchEqualsSnapshotPlusReplay(final int journalDecisions)
    {
        final TableDigest fromSnapshot;
        try (Engine engine = Engine.open(new EngineConfig().dataDir(dataDir)))
        {
            assertThat(engine.replayMismatches()).isZero();
            fromSnapshot = engine.digest();
        }
        try (Engine engine = Engine.open(new EngineConfig().dataDir(dataDir).loadSnapshot(false)))
        {
            assertThat(engine.replayedRecords()).isGreaterThanOrEqualTo(journalDecisions);
            assertThat(engine.replayMismatches()).as("records decided differently by a from-scratch replay").isZero();
            assertThat(engine.digest()).isEqualTo(fromSnapshot);
        }
    }

    /**
     * @return the sequence of the last journal record (read while no switch runs).
     */
    private long lastJournalSequence()
    {
        final long[] last = {0};
        try (JournalReader reader = new JournalReader(dataDir))
        {
            while (reader.poll((index, record) -> last[0] = record.sequence(), 10_000) > 0)
            {
                // read on
            }
        }
        return last[0];
    }

    private static long key(final long terminalId, final int correlation)
    {
        return (terminalId << 32) | (correlation & 0xFFFF_FFFFL);
    }

    /**
     * One TAP or REVERSAL with its exact bytes, so that a retry is byte-identical.
     */
    private static final class Request
    {
        final boolean isTap;
        final int correlation;
        final long cardId;
        final int programId;
        final int quantity;
        final long terminalTimeMs;
        final int originalCorrelation;
        final long receiptFloor;
        int attempts;
        int generation;
        TapResult result;

        Request(final boolean isTap, final int correlation, final long cardId, final int programId,
            final int quantity, final long terminalTimeMs, final int originalCorrelation, final long receiptFloor)
        {
            this.isTap = isTap;
            this.correlation = correlation;
            this.cardId = cardId;
            this.programId = programId;
            this.quantity = quantity;
            this.terminalTimeMs = terminalTimeMs;
            this.originalCorrelation = originalCorrelation;
            this.receiptFloor = receiptFloor;
        }

        TapResult send(final TerminalClient client)
        {
            return isTap ?
                client.tap(correlation, cardId, programId, quantity, 0, terminalTimeMs) :
                client.reversal(correlation, originalCorrelation, cardId);
        }

        @Override
        public String toString()
        {
            return (isTap ? "TAP" : "REVERSAL") + "{correlation=" + correlation + ", card=" + cardId +
                (isTap ? ", program=" + programId + ", quantity=" + quantity : ", original=" + originalCorrelation) +
                ", attempts=" + attempts + "}";
        }
    }

    /**
     * A terminal: one request at a time; on a lost connection it waits for the switch to be back, logs on again
     * and re-sends the unanswered request, same correlation, same bytes, until it gets a decision.
     */
    private final class Terminal
    {
        final long terminalId;
        final Random random;
        final Map<Integer, Request> sent = new LinkedHashMap<>();
        final List<Request> approvedTaps = new ArrayList<>();
        volatile long answeredCount;
        volatile String lastError;
        long retried;
        long approved;
        int nextCorrelation;
        long maxReceipt;
        TerminalClient client;

        Terminal(final long terminalId, final Random random)
        {
            this.terminalId = terminalId;
            this.random = random;
            this.nextCorrelation = 1 + random.nextInt(1 << 20);
        }

        void run()
        {
            Request pending = null;
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(140);
            try
            {
                while (System.nanoTime() < deadlineNs)
                {
                    if (null == pending)
                    {
                        if (stopNewRequests.get())
                        {
                            break;
                        }
                        pending = next();
                        sent.put(pending.correlation, pending);
                    }
                    if (null == client && !reconnect())
                    {
                        continue;
                    }
                    try
                    {
                        pending.attempts++;
                        if (pending.attempts == 2)
                        {
                            retried++;
                        }
                        final TapResult result = pending.send(client);
                        if (result.reason() == ReasonCode.BUSY)
                        {
                            continue;
                        }
                        accept(pending, result);
                        pending = null;
                    }
                    catch (final RuntimeException ex)
                    {
                        lastError = String.valueOf(ex);
                        client.close();
                        client = null;
                    }
                }
                if (null != pending)
                {
                    violations.add("terminal " + terminalId + " never got an answer to " + pending);
                }
            }
            catch (final Throwable ex)
            {
                violations.add("terminal " + terminalId + " failed: " + ex);
            }
            finally
            {
                if (null != client)
                {
                    client.close();
                }
            }
        }

        private boolean reconnect()
        {
            try
            {
                if (!switchUp.get().await(60, TimeUnit.SECONDS))
                {
                    return false;
                }
                client = connect(terminalId);
                return true;
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
            catch (final RuntimeException ex)
            {
                // The switch is being killed or restarted: try again shortly.
                lastError = String.valueOf(ex);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                return false;
            }
        }

        private Request next()
        {
            final int correlation = nextCorrelation++;
            if (!approvedTaps.isEmpty() && random.nextInt(4) == 0)
            {
                final Request original = approvedTaps.remove(random.nextInt(approvedTaps.size()));
                return new Request(false, correlation, original.cardId, 0, 0, 0, original.correlation, maxReceipt);
            }
            final long card = FIRST_CARD + random.nextInt(CARDS);
            final boolean food = random.nextInt(3) == 0;
            return new Request(true, correlation, card, food ? PROGRAM_FOOD_KIT : PROGRAM_HYGIENE_KIT,
                food ? 1 : 1 + random.nextInt(2), System.currentTimeMillis(), 0, maxReceipt);
        }

        private void accept(final Request request, final TapResult result)
        {
            if (result.correlation() != request.correlation)
            {
                violations.add("answer to " + request + " carries correlation " + result.correlation());
            }
            if (result.receipt() <= request.receiptFloor)
            {
                violations.add("receipt " + result.receipt() + " of " + request + " is not above " +
                    request.receiptFloor + ", the last receipt received before it was sent");
            }
            if (result.reason() == ReasonCode.DUPLICATE_CORRELATION)
            {
                violations.add("byte-identical retry of " + request + " answered DUPLICATE_CORRELATION");
            }
            maxReceipt = Math.max(maxReceipt, result.receipt());
            request.result = result;
            request.generation = generation;
            if (request.isTap && result.decision() == Decision.APPROVED)
            {
                approvedTaps.add(request);
                approved++;
            }
            if (!request.isTap && result.decision() != Decision.APPROVED)
            {
                violations.add("reversal of an approved, unreversed tap was refused: " + request + " -> " + result);
            }
            answeredCount++;
        }
    }
}
