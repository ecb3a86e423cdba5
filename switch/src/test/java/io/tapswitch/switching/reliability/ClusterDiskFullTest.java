package io.tapswitch.switching.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A member of the replicated switch whose disk fills up (its data directory on a small tmpfs, filled to the last
 * byte while terminals tap through every member): it stops with exit status 74 (EX_IOERR) instead of deciding
 * differently from the others, saying why; the other two go on deciding every request (terminals of the full member
 * move to them); once the disk has room again it is started on the same data directory and catches up: its journal
 * ends identical to the others'.
 */
class ClusterDiskFullTest
{
    private static final int MEMBERS = 3;
    private static final int FULL = 2;
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
            ClusterFailoverTest.deleteTree(Paths.get("/dev/shm/tapswitch-aeron-" + basePort + "-" + i));
        }
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void shouldStopTheMemberWhoseDiskIsFullAndServeWithTheOthers() throws Exception
    {
        basePort = 26_000 + 10 * ThreadLocalRandom.current().nextInt(590);
        try (Tmpfs tmpfs = Tmpfs.mount("256m"))
        {
            final Path[] dataDirs = {dir.resolve("member-0"), dir.resolve("member-1"), tmpfs.path().resolve("member-2")};
            for (int i = 0; i < MEMBERS; i++)
            {
                members.add(startMember(i, dataDirs[i]));
            }
            for (final ChildSwitch member : members)
            {
                member.awaitListening(90_000, true);
            }
            final AtomicIntegerArray ports = new AtomicIntegerArray(MEMBERS);
            for (int i = 0; i < MEMBERS; i++)
            {
                ports.set(i, members.get(i).port());
            }
            final List<MovingTerminal> terminals = new ArrayList<>();
            for (int i = 0; i < MEMBERS * 2; i++)
            {
                terminals.add(new MovingTerminal(i + 1, ports, i % MEMBERS, 1_000_001, CARDS));
            }
            terminals.forEach(MovingTerminal::start);
            awaitResults(terminals, 100, 60_000);

            final long filled = tmpfs.fill();
            assertThat(tmpfs.free()).as("free bytes after filling").isZero();
            final long filledNs = System.nanoTime();
            final Integer status = members.get(FULL).exitStatus(90_000);
            final long stoppedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - filledNs);
            assertThat(status).as("exit status of the member whose disk is full:%n%s",
                members.get(FULL).outputTail(6_000)).isEqualTo(74);
            final String output = members.get(FULL).output();
            assertThat(output).as("the member says why it stops").containsPattern(
                "cluster member 2: (the journal cannot take a decision|journal write failed|the consensus module " +
                    "stopped|thread .* died)");

            // the other two go on: every terminal (those of the full member moved) gets decisions
            final int atStop = totalResults(terminals);
            awaitResults(terminals, atStop + 100, 60_000);
            assertNoFailures(terminals);

            // room again: the member is started on its data directory and catches up
            Files.deleteIfExists(tmpfs.path().resolve("filler"));
            tmpfs.resize("512m");
            members.set(FULL, startMember(FULL, dataDirs[FULL]).awaitListening(90_000, true));
            ports.set(FULL, members.get(FULL).port());
            // a fill that cut a log fragment in half makes the restart repair the archive first (ArchiveTool verify)
            final String restart = members.get(FULL).output();
            final boolean repaired = restart.contains("ArchiveTool verify:");
            awaitResults(terminals, totalResults(terminals) + 50, 60_000);
            for (final MovingTerminal terminal : terminals)
            {
                terminal.stop();
            }
            assertNoFailures(terminals);
            final long caughtUpNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            List<Double> receipts = lastReceipts();
            while (receipts.stream().distinct().count() != 1 && System.nanoTime() < caughtUpNs)
            {
                Thread.sleep(100);
                receipts = lastReceipts();
            }
            assertThat(receipts).as("last receipt of each member").containsOnly(receipts.get(0));
            for (final ChildSwitch member : members)
            {
                assertThat(member.stop(30_000)).as("clean stop:%n%s", member.outputTail(4000)).isNotEqualTo(-1);
            }
            final List<byte[]> reference = ClusterFailoverTest.readJournal(dataDirs[0]);
            for (int i = 1; i < MEMBERS; i++)
            {
                final List<byte[]> journal = ClusterFailoverTest.readJournal(dataDirs[i]);
                assertThat(journal).as("journal of member " + i).hasSameSizeAs(reference);
                for (int r = 0; r < reference.size(); r++)
                {
                    assertThat(journal.get(r)).as("record " + (r + 1) + " of member " + i).isEqualTo(reference.get(r));
                }
            }
            System.out.printf("ClusterDiskFullTest: filled %d bytes; member %d exited %d after %d ms; %d journal " +
                "records identical on the 3 members, %d decisions answered; archive repaired at restart: %s%n", filled,
                FULL, status, stoppedMs, reference.size(), totalResults(terminals), repaired);
        }
    }

    private ChildSwitch startMember(final int member, final Path dataDir)
    {
        return ChildSwitch.start(dataDir, List.of(
            "--port", "0", "--metrics-port", "0",
            "--demo", "--demo-cards", Integer.toString(CARDS), "--demo-terminals", "20",
            "--cluster-member", Integer.toString(member),
            "--cluster-hosts", "127.0.0.1,127.0.0.1,127.0.0.1",
            "--cluster-base-port", Integer.toString(basePort),
            // little journal space allocated ahead, so that a full disk shows at once
            "--set", "journal-reserve-bytes=2097152", "--set", "journal-pretouch-bytes=1048576",
            "--set", "snapshot-interval-ms=4000"), List.of());
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

    private static void awaitResults(final List<MovingTerminal> terminals, final int atLeast, final long timeoutMs)
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

    private static int totalResults(final List<MovingTerminal> terminals)
    {
        return terminals.stream().mapToInt((t) -> t.results.size()).sum();
    }

    private static void assertNoFailures(final List<MovingTerminal> terminals)
    {
        for (final MovingTerminal terminal : terminals)
        {
            if (null != terminal.failure)
            {
                throw new AssertionError("terminal " + terminal.terminalId + " failed", terminal.failure);
            }
        }
    }
}
