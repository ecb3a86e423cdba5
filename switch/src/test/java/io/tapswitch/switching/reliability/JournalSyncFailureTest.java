package io.tapswitch.switching.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.tapswitch.protocol.client.TapResult;
import io.tapswitch.protocol.client.TerminalClient;
import io.tapswitch.formats.journal.JournalReader;
import io.tapswitch.formats.journal.JournalRecord;
import io.tapswitch.switching.pipeline.EngineAgent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Journal syncs fail with EIO (PROTOCOL.md rule 14): a real switch (child JVM, {@code journal-sync=batch}) started
 * under libfiu's POSIX preload ({@code fiu-run -x}, Debian's fiu-utils), four terminals tapping one request at a
 * time; then {@code fdatasync} and {@code msync} are made to fail with EIO in the running process
 * ({@code fiu-ctrl}). After a failed sync no later sync can prove the lost pages durable, so the switch must answer
 * every request waiting for it ERROR SYSTEM_ERROR within a second, never a result, and exit with status 74 for its
 * supervisor (never hang). Restarted without the fault on the same data directory it opens it, every result a
 * terminal received is in the journal with its receipt, sequences are gap-free, and every request answered
 * SYSTEM_ERROR, re-sent byte for byte, gets one consistent answer (its journaled decision if its record reached the
 * disk anyway, else a new decision).
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class JournalSyncFailureTest
{
    private static final int TERMINALS = 4;

    @TempDir
    Path dir;

    @Test
    void shouldAnswerSystemErrorAndExitForTheSupervisorWhenTheJournalSyncFails() throws Exception
    {
        final String fiuRun = onPath("fiu-run");
        final String fiuCtrl = onPath("fiu-ctrl");
        final Path dataDir = dir.resolve("data");
        final String ctrl = dir.resolve("fiu").toString();
        final int port = ChildSwitch.freePort();
        final List<String> arguments = List.of("--demo", "--demo-cards", String.valueOf(JournalDiskFullTest.CARDS),
            "--demo-terminals", "10", "--port", String.valueOf(port), "--metrics-port", "-1",
            "--set", "journal-sync=batch");
        ChildSwitch child = ChildSwitch.start(List.of(fiuRun, "-x", "-f", ctrl), dataDir, arguments, List.of(), true)
            .awaitListening(90_000, false);
        final List<TappingTerminal> terminals = new ArrayList<>();
        try
        {
            for (int i = 0; i < TERMINALS; i++)
            {
                terminals.add(new TappingTerminal(i + 1, port, JournalDiskFullTest.FIRST_CARD, JournalDiskFullTest.CARDS));
            }
            terminals.forEach(TappingTerminal::start);
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!terminals.stream().allMatch((t) -> t.results.size() >= 50))
            {
                assertThat(System.nanoTime()).as("answers before the fault; output:%n%s", child.outputTail(4000))
                    .isLessThan(deadlineNs);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }

            final String failed = run(fiuCtrl, "-f", ctrl,
                "-c", "enable name=posix/io/sync/fdatasync,failinfo=5",
                "-c", "enable name=posix/mm/msync,failinfo=5", String.valueOf(child.pid()));
            assertThat(failed).as("fiu-ctrl enabling EIO on fdatasync and msync").isNull();

            final Integer status = child.exitStatus(20_000);
            assertThat(status).as("exit status after the failed sync (the supervisor restarts it); output:%n%s",
                child.outputTail(6000)).isEqualTo(EngineAgent.EXIT_JOURNAL_FAULT);
            assertThat(child.output()).contains("journal sync failed").contains("journal fault this process cannot heal");
            terminals.forEach(TappingTerminal::stop);

            long systemErrors = 0;
            long slowest = 0;
            for (final TappingTerminal terminal : terminals)
            {
                systemErrors += terminal.systemErrors.size();
                slowest = Math.max(slowest, terminal.slowestSystemErrorMs);
                assertThat(String.valueOf(terminal.failure)).as("terminal %d stopped by the exit, not a timeout",
                    terminal.terminalId).doesNotContain("no answer within");
                int unanswered = 0;
                for (final int correlation : terminal.sentAtMs.keySet())
                {
                    if (!terminal.results.containsKey(correlation) && !terminal.systemErrors.containsKey(correlation))
                    {
                        unanswered++;
                    }
                }
                assertThat(unanswered).as("terminal %d: requests without an answer (only one sent as the switch " +
                    "exited may have none)", terminal.terminalId).isLessThanOrEqualTo(1);
            }
            assertThat(systemErrors).as("requests answered SYSTEM_ERROR after the failed sync").isPositive();
            assertThat(slowest).as("slowest SYSTEM_ERROR, ms (rule 14: within a second)").isLessThan(1_000);

            child = ChildSwitch.start(dataDir, arguments, List.of()).awaitListening(90_000, false);
            final Map<Long, long[]> journaled = journal(dataDir);
            long highest = 0;
            for (final TappingTerminal terminal : terminals)
            {
                for (final TapResult result : terminal.results.values())
                {
                    assertThat(journaled.get(key(terminal.terminalId, result.correlation())))
                        .as("journal record of a result terminal %d received", terminal.terminalId)
                        .containsExactly(result.receipt(), result.decision(), result.reason());
                }
            }
            for (final long[] record : journaled.values())
            {
                highest = Math.max(highest, record[0]);
            }
            int answeredFromTheJournal = 0;
            for (final TappingTerminal terminal : terminals)
            {
                try (TerminalClient client = TerminalClient.connect("127.0.0.1", port, terminal.terminalId,
                    TerminalClient.demoKey(terminal.terminalId)))
                {
                    for (final int correlation : terminal.systemErrors.keySet())
                    {
                        final TapResult again = client.tap(correlation, terminal.cardOf(correlation), 2, 1, 0,
                            terminal.sentAtMs.get(correlation));
                        final long[] record = journaled.get(key(terminal.terminalId, correlation));
                        if (null != record)
                        {
                            answeredFromTheJournal++;
                            assertThat(new long[]{again.receipt(), again.decision(), again.reason()})
                                .as("re-sent, its record reached the disk").containsExactly(record);
                        }
                        else
                        {
                            assertThat(again.receipt()).as("re-sent, decided as new").isGreaterThan(highest);
                        }
                    }
                }
            }
            // every request answered SYSTEM_ERROR and retried: one decision each, and each card's entitlement holds
            // exactly what the journal's decisions took (never a retry applied on top of a surviving record)
            final Map<Long, Long> takenByCard = new HashMap<>();
            journal(dataDir, takenByCard);
            int cardsChecked = 0;
            try (TerminalClient client = TerminalClient.connect("127.0.0.1", port, 1, TerminalClient.demoKey(1)))
            {
                final java.util.Set<Long> cards = new java.util.TreeSet<>();
                for (final TappingTerminal terminal : terminals)
                {
                    terminal.systemErrors.keySet().forEach((c) -> cards.add(terminal.cardOf(c)));
                }
                int correlation = 1_000_000;
                for (final long card : cards)
                {
                    final io.tapswitch.protocol.client.BalanceResult.Entry entry =
                        client.balance(correlation++, card).entry(2);
                    if (null == entry)
                    {
                        continue;   // a card of the demo that is blocked, expired or enrolled in nothing
                    }
                    final long taken = takenByCard.getOrDefault(card, 0L);
                    assertThat(taken).as("card %d: taken from program 2 by the journal's decisions", card)
                        .isLessThanOrEqualTo(entry.quota());
                    assertThat((long)entry.remaining()).as("card %d: remaining of program 2", card)
                        .isEqualTo(entry.quota() - taken);
                    cardsChecked++;
                }
            }
            assertThat(cardsChecked).as("cards of SYSTEM_ERROR requests checked").isPositive();
            System.out.printf("JournalSyncFailureTest: %d SYSTEM_ERROR answers (slowest %d ms), %d of them found " +
                "in the journal after the restart; %d results before the fault%n", systemErrors, slowest,
                answeredFromTheJournal, terminals.stream().mapToInt((t) -> t.results.size()).sum());
        }
        finally
        {
            terminals.forEach(TappingTerminal::stop);
            child.stop(30_000);
        }
    }

    private static Map<Long, long[]> journal(final Path dataDir)
    {
        return journal(dataDir, new HashMap<>());
    }

    /**
     * @param takenByCard filled with the quantity the journal's TAP records took from each card's program 2.
     * @return the TAP records by terminal and correlation: receipt, decision, reason (one each, asserted).
     */
    private static Map<Long, long[]> journal(final Path dataDir, final Map<Long, Long> takenByCard)
    {
        final Map<Long, long[]> journaled = new HashMap<>();
        final long[] previous = {0};
        final List<String> gaps = new ArrayList<>();
        try (JournalReader reader = new JournalReader(dataDir))
        {
            while (reader.poll((index, record) ->
            {
                if (record.sequence() != previous[0] + 1)
                {
                    gaps.add(record.sequence() + " after " + previous[0]);
                }
                previous[0] = record.sequence();
                if (record.type() == JournalRecord.TYPE_TAP)
                {
                    final long[] before = journaled.put(key(record.terminalId(), record.correlation()),
                        new long[]{record.receipt(), record.decision(), record.reason()});
                    assertThat(before).as("a second TAP record of terminal %d, correlation %d (receipt %d)",
                        record.terminalId(), record.correlation(), record.receipt()).isNull();
                    if (record.programId() == 2)
                    {
                        takenByCard.merge(record.cardId(), (long)record.taken(), Long::sum);
                    }
                }
            }, 10_000) > 0)
            {
                // read on
            }
        }
        assertThat(gaps).as("sequence gaps in the journal").isEmpty();
        return journaled;
    }

    private static long key(final long terminalId, final int correlation)
    {
        return terminalId << 32 | (correlation & 0xFFFFFFFFL);
    }

    /**
     * @throws AssertionError naming the Debian package when the tool is missing (never a silent skip).
     */
    private static String onPath(final String tool)
    {
        for (final String directory : System.getenv().getOrDefault("PATH", "/usr/bin").split(":"))
        {
            final Path candidate = Path.of(directory, tool);
            if (Files.isExecutable(candidate))
            {
                return candidate.toString();
            }
        }
        throw new AssertionError(tool + " not found: this test injects failed syncs with libfiu; install Debian's " +
            "fiu-utils (apt-get install fiu-utils; .ci/run does)");
    }

    private static String run(final String... command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            return "no exit within 30 s";
        }
        return 0 == process.exitValue() ? null : "exit " + process.exitValue() + ": " + output;
    }
}
