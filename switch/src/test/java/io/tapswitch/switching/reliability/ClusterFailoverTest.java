package io.tapswitch.switching.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.tapswitch.formats.journal.JournalReader;
import io.tapswitch.formats.journal.JournalRecord;
import io.tapswitch.protocol.client.TapResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replicated switch with real processes: 3 members (child JVMs, loopback, their own Aeron media drivers) and
 * terminals tapping through the members that survive.
 * <ol>
 *   <li>one session per terminal cluster-wide: a LOGON on member 1 closes the terminal's connection on member 0;</li>
 *   <li>kill -9 of the leader under load: a new leader is elected and serves; every request sent is answered (a
 *       result, or SYSTEM_ERROR for a request caught in the election); no receipt is given twice;</li>
 *   <li>the killed member is started again on its data directory and catches up (its journal ends identical to the
 *       others');</li>
 *   <li>the new leader is paused with SIGSTOP (its traffic stops, as in a partition) for longer than the leader
 *       timeout, then resumed: another leader decides meanwhile, the paused one steps down, never two deciders;</li>
 *   <li>reconciliation: after a clean stop the three journals hold the same records byte for byte, sequences
 *       1, 2, 3, … without a gap, every receipt a terminal was given is the journaled TAP of that terminal and
 *       correlation with the same decision, and no (terminal, correlation) is decided twice.</li>
 * </ol>
 */
class ClusterFailoverTest
{
    private static final int MEMBERS = 3;
    private static final int TERMINALS_PER_MEMBER = 2;
    private static final int CARDS = 500;

    @TempDir
    Path dir;

    private final List<ChildSwitch> members = new ArrayList<>();
    private int basePort;

    @AfterEach
    void stopAll() throws IOException
    {
        for (final ChildSwitch member : members)
        {
            if (null != member)
            {
                member.close();
            }
        }
        for (int i = 0; i < MEMBERS; i++)
        {
            deleteTree(Paths.get("/dev/shm/tapswitch-aeron-" + basePort + "-" + i));
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldFailOverWithoutLosingOrDoublingADecision() throws Exception
    {
        try
        {
            failOver();
        }
        catch (final Exception | AssertionError ex)
        {
            // what each member logged about roles, leaders and its front end (in the test's output file)
            for (int i = 0; i < members.size(); i++)
            {
                if (null == members.get(i))
                {
                    continue;
                }
                for (final String line : members.get(i).output().split("\n"))
                {
                    if (line.contains("ClusterFrontEnd") || line.contains("TapClusteredService") ||
                        line.contains("ClusterNode") || line.contains("ERROR") || line.contains("Exception"))
                    {
                        System.out.println("[member " + i + "] " + line);
                    }
                }
            }
            throw ex;
        }
    }

    private void failOver() throws Exception
    {
        // below the ephemeral port range (32768+) and above the engineers' manual ranges (21000-25999)
        basePort = 26_000 + 10 * ThreadLocalRandom.current().nextInt(590);
        for (int i = 0; i < MEMBERS; i++)
        {
            members.add(startMember(i));
        }
        for (final ChildSwitch member : members)
        {
            member.awaitListening(90_000, true);
        }
        final int leader = awaitOneLeader(-1, 20_000);

        // one session per terminal, cluster-wide: a LOGON on another member closes the older connection
        try (io.tapswitch.protocol.client.TerminalClient older = io.tapswitch.protocol.client.TerminalClient.connect(
            "127.0.0.1", members.get(0).port(), 19, io.tapswitch.protocol.client.TerminalClient.demoKey(19)))
        {
            assertThat(older.tap(1, 1_000_001, 2, 1, 0, System.currentTimeMillis()).receipt()).isPositive();
            try (io.tapswitch.protocol.client.TerminalClient newer =
                io.tapswitch.protocol.client.TerminalClient.connect("127.0.0.1", members.get(1).port(), 19,
                    io.tapswitch.protocol.client.TerminalClient.demoKey(19)))
            {
                assertThat(older.awaitClosed(10_000)).as("the older connection on member 0 is closed").isTrue();
                assertThat(newer.tap(2, 1_000_002, 2, 1, 0, System.currentTimeMillis()).receipt()).isPositive();
            }
        }

        // terminals on the two followers: they stay connected through the leader's death
        final List<TappingTerminal> terminals = new ArrayList<>();
        long terminalId = 1;
        for (int i = 0; i < MEMBERS; i++)
        {
            if (i == leader)
            {
                continue;
            }
            for (int t = 0; t < TERMINALS_PER_MEMBER; t++)
            {
                terminals.add(new TappingTerminal(terminalId++, members.get(i).port(), 1_000_001, CARDS));
            }
        }
        terminals.forEach(TappingTerminal::start);
        awaitResults(terminals, 20, 30_000);
        // every terminal logged on before the kill (a LOGON caught in the election is answered SYSTEM_ERROR, which
        // the test terminal does not retry)
        final long loggedOnNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (terminals.stream().anyMatch((t) -> t.results.isEmpty()) && System.nanoTime() < loggedOnNs)
        {
            assertNoFailures(terminals);
            Thread.sleep(20);
        }
        assertThat(terminals).allMatch((t) -> !t.results.isEmpty(), "every terminal answered before the kill");

        // 1. kill -9 the leader under load
        final long killedAtNs = System.nanoTime();
        members.get(leader).kill();
        final int second = awaitOneLeader(leader, 20_000);
        final int before = totalResults(terminals);
        awaitResults(terminals, before + 20, 30_000);
        final long failoverMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAtNs);
        assertNoFailures(terminals);

        // 2. the killed member comes back and catches up
        members.set(leader, startMember(leader).awaitListening(90_000, true));

        // 3. the second leader is paused past the leader timeout (its traffic stops), then resumed
        final ChildSwitch paused = members.get(second);
        signal(paused.pid(), "STOP");
        final int third;
        try
        {
            third = awaitOneLeaderAmong(second, 20_000);
            // terminals connected to the paused member wait; the others go on with the new leader
            final int beforePause = totalResults(terminals);
            awaitResults(terminals, beforePause + 10, 30_000);
        }
        finally
        {
            signal(paused.pid(), "CONT");
        }
        // the resumed member learns the new term and steps down: one leader (leadership may move on meanwhile)
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (leaders().size() != 1 && System.nanoTime() < deadlineNs)
        {
            Thread.sleep(100);
        }
        assertThat(leaders()).as("one leader after the paused member came back").hasSize(1);
        final int last = leaders().get(0);
        awaitResults(terminals, totalResults(terminals) + 10, 30_000);

        terminals.forEach(TappingTerminal::stop);
        assertNoFailures(terminals);

        // every member catches up with the log (the paused one is behind by what was decided during its pause)
        final long caughtUpNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<Double> receipts = lastReceipts();
        while (receipts.stream().distinct().count() != 1 && System.nanoTime() < caughtUpNs)
        {
            Thread.sleep(100);
            receipts = lastReceipts();
        }
        assertThat(receipts).as("last receipt of each member").containsOnly(receipts.get(0));

        // 4. reconcile: stop cleanly, compare the journals, check every answer against them
        for (final ChildSwitch member : members)
        {
            assertThat(member.stop(30_000)).as("clean stop:%n%s", member.outputTail(4000)).isNotEqualTo(-1);
        }
        final List<List<byte[]>> journals = new ArrayList<>();
        for (int i = 0; i < MEMBERS; i++)
        {
            journals.add(readJournal(memberDir(i)));
        }
        final List<byte[]> reference = journals.get(last);
        for (int i = 0; i < MEMBERS; i++)
        {
            assertThat(journals.get(i)).as("journal of member " + i).hasSameSizeAs(reference);
            for (int r = 0; r < reference.size(); r++)
            {
                assertThat(journals.get(i).get(r)).as("record " + (r + 1) + " of member " + i).isEqualTo(reference.get(r));
            }
        }

        final Map<Long, JournaledTap> taps = new HashMap<>();
        final Map<String, Long> decidedOnce = new HashMap<>();
        final org.agrona.concurrent.UnsafeBuffer view = new org.agrona.concurrent.UnsafeBuffer(new byte[0]);
        final io.tapswitch.formats.journal.JournalDecoder decoder = new io.tapswitch.formats.journal.JournalDecoder();
        long expectedSequence = 1;
        for (final byte[] record : reference)
        {
            view.wrap(record);
            decoder.wrap(view, 0, record.length);
            assertThat(decoder.sequence()).as("sequence").isEqualTo(expectedSequence++);
            if (decoder.type() == JournalRecord.TYPE_TAP)
            {
                taps.put(decoder.sequence(), new JournaledTap(decoder.terminalId(), decoder.correlation(),
                    decoder.decision()));
                final Long earlier = decidedOnce.put(decoder.terminalId() + "/" + decoder.correlation(),
                    decoder.sequence());
                assertThat(earlier).as("terminal " + decoder.terminalId() + " correlation " + decoder.correlation() +
                    " decided twice").isNull();
            }
        }

        int receiptCount = 0;
        int systemErrors = 0;
        for (final TappingTerminal terminal : terminals)
        {
            systemErrors += terminal.systemErrors.size();
            for (final Map.Entry<Integer, TapResult> result : terminal.results.entrySet())
            {
                final TapResult tap = result.getValue();
                if (tap.receipt() == 0)
                {
                    continue; // BUSY: never decided
                }
                receiptCount++;
                final JournaledTap journaled = taps.get(tap.receipt());
                assertThat(journaled).as("receipt " + tap.receipt() + " in the journal").isNotNull();
                assertThat(journaled.terminalId()).isEqualTo(terminal.terminalId);
                assertThat(journaled.correlation()).isEqualTo(result.getKey());
                assertThat(journaled.decision()).isEqualTo(tap.decision());
            }
        }
        System.out.printf("cluster failover: leader %d killed, new leader %d answering %d ms after the kill; " +
            "member %d paused, leader %d, then %d; %d receipts reconciled, %d SYSTEM_ERROR answers, %d journal records%n",
            leader, second, failoverMs, second, third, last, receiptCount, systemErrors, reference.size());
        assertThat(receiptCount).isGreaterThan(50);
    }

    private record JournaledTap(long terminalId, int correlation, int decision)
    {
    }

    private ChildSwitch startMember(final int member)
    {
        return ChildSwitch.start(memberDir(member), List.of(
            "--port", "0", "--metrics-port", "0",
            "--demo", "--demo-cards", Integer.toString(CARDS), "--demo-terminals", "20",
            "--cluster-member", Integer.toString(member),
            "--cluster-hosts", "127.0.0.1,127.0.0.1,127.0.0.1",
            "--cluster-base-port", Integer.toString(basePort),
            "--set", "snapshot-interval-ms=4000"), List.of());
    }

    private Path memberDir(final int member)
    {
        return dir.resolve("member-" + member);
    }

    private List<Integer> leaders()
    {
        final List<Integer> leaders = new ArrayList<>();
        for (int i = 0; i < members.size(); i++)
        {
            final ChildSwitch member = members.get(i);
            if (null == member || !member.isAlive())
            {
                continue;
            }
            try
            {
                if (ChildSwitch.metric(member.scrapeWithin(1_000), "tapswitch_cluster_leader") == 1.0)
                {
                    leaders.add(i);
                }
            }
            catch (final RuntimeException | AssertionError ex)
            {
                // not answering (paused or dying)
            }
        }
        return leaders;
    }

    private List<Double> lastReceipts()
    {
        final List<Double> receipts = new ArrayList<>();
        for (final ChildSwitch member : members)
        {
            receipts.add(ChildSwitch.metric(member.scrapeWithin(2_000), "tapswitch_journal_receipt"));
        }
        return receipts;
    }

    private int awaitOneLeader(final int notThis, final long timeoutMs) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadlineNs)
        {
            final List<Integer> leaders = leaders();
            leaders.remove(Integer.valueOf(notThis));
            if (leaders.size() == 1)
            {
                return leaders.get(0);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no single leader within " + timeoutMs + " ms: " + leaders());
    }

    private int awaitOneLeaderAmong(final int notThis, final long timeoutMs) throws InterruptedException
    {
        return awaitOneLeader(notThis, timeoutMs);
    }

    private static void awaitResults(final List<TappingTerminal> terminals, final int atLeast, final long timeoutMs)
        throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (totalResults(terminals) < atLeast && System.nanoTime() < deadlineNs)
        {
            assertNoFailures(terminals);
            Thread.sleep(20);
        }
        assertThat(totalResults(terminals)).as("answers").isGreaterThanOrEqualTo(atLeast);
    }

    private static int totalResults(final List<TappingTerminal> terminals)
    {
        int total = 0;
        for (final TappingTerminal terminal : terminals)
        {
            total += terminal.results.size();
        }
        return total;
    }

    private static void assertNoFailures(final List<TappingTerminal> terminals)
    {
        for (final TappingTerminal terminal : terminals)
        {
            if (null != terminal.failure)
            {
                throw new AssertionError("terminal " + terminal.terminalId + " failed", terminal.failure);
            }
        }
    }

    private static void signal(final long pid, final String signal) throws IOException, InterruptedException
    {
        final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor()).as("kill -" + signal).isZero();
    }

    private static List<byte[]> readJournal(final Path dataDir)
    {
        final List<byte[]> records = new ArrayList<>();
        try (JournalReader reader = new JournalReader(dataDir))
        {
            while (reader.poll((index, record) ->
            {
                final byte[] bytes = new byte[record.length()];
                record.buffer().getBytes(record.offset(), bytes);
                records.add(bytes);
            }, 10_000) > 0)
            {
                // read on
            }
        }
        return records;
    }

    private static void deleteTree(final Path root) throws IOException
    {
        if (!Files.exists(root))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(root))
        {
            for (final Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(path);
            }
        }
    }
}
