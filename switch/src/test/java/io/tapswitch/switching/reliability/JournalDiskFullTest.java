package io.tapswitch.switching.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.protocol.client.TapResult;
import io.tapswitch.protocol.client.TerminalClient;
import io.tapswitch.formats.journal.JournalReader;
import io.tapswitch.formats.journal.JournalRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The journal's filesystem fills to the last byte under load, then grows again (PROTOCOL.md rule 14): a real
 * switch (child JVM) on a real 96 MiB tmpfs, four terminals tapping one request at a time on their own connections.
 * While the disk is full every request is answered ERROR SYSTEM_ERROR with its correlation within a second on the
 * same open connection (never silence), a LOGON gets LOGON_RESULT 18, the gauge {@code tapswitch_journal_writable}
 * reads 0 and the fault is counted. When the filesystem grows the switch decides again by itself. After a restart on
 * the same data directory: every result a terminal received is in the journal with its receipt, no request answered
 * SYSTEM_ERROR is, sequences are gap-free, and a SYSTEM_ERROR request re-sent with the same correlation is decided
 * as new.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class JournalDiskFullTest
{
    static final int FIRST_CARD = 1000001;
    static final int CARDS = 200;
    private static final int TERMINALS = 4;
    private static final long RULE_14_BOUND_MS = 1_000;

    @Test
    void shouldAnswerSystemErrorWhileTheDiskIsFullAndDecideAgainWhenItGrows() throws Exception
    {
        try (Tmpfs tmpfs = Tmpfs.mount("96m"))
        {
            final Path dataDir = tmpfs.path().resolve("data");
            final int port = ChildSwitch.freePort();
            final List<String> arguments = List.of("--demo", "--demo-cards", String.valueOf(CARDS),
                "--demo-terminals", "10", "--port", String.valueOf(port),
                "--metrics-port", String.valueOf(ChildSwitch.freePort()),
                // little space allocated ahead, so that the test fills the disk quickly
                "--set", "journal-reserve-bytes=2097152", "--set", "journal-pretouch-bytes=1048576");
            ChildSwitch child = ChildSwitch.start(dataDir, arguments, List.of()).awaitListening(90_000, true);
            final List<TappingTerminal> terminals = new ArrayList<>();
            try
            {
                for (int i = 0; i < TERMINALS; i++)
                {
                    terminals.add(new TappingTerminal(i + 1, port, FIRST_CARD, CARDS));
                }
                terminals.forEach(TappingTerminal::start);
                awaitCondition("answers before the disk fills", 30_000,
                    () -> terminals.stream().allMatch((t) -> t.results.size() >= 50), child, terminals);

                final long filled = tmpfs.fill();
                assertThat(tmpfs.free()).as("free bytes after filling").isZero();
                awaitCondition("SYSTEM_ERROR answers on every terminal while the disk is full", 30_000,
                    () -> terminals.stream().allMatch((t) -> t.systemErrors.size() >= 20), child, terminals);
                final String full = child.scrape();
                assertThat(ChildSwitch.metric(full, "tapswitch_journal_writable")).isZero();
                assertThat(ChildSwitch.metric(full, "tapswitch_journal_faults_total")).isGreaterThanOrEqualTo(1);
                // the reserve thread runs on the writer's wake-ups (every 256 KiB or a sync): its failure may come later
                final ChildSwitch running = child;
                awaitCondition("the journal reserve failing on the full disk", 30_000,
                    () -> ChildSwitch.metric(running.scrape(), "tapswitch_journal_reserve_failures_total") > 0, child,
                    terminals);
                // a LOGON cannot be journaled either: LOGON_RESULT 18, and that connection is closed
                assertThatThrownBy(() -> TerminalClient.connect("127.0.0.1", port, 9, TerminalClient.demoKey(9)))
                    .isInstanceOfSatisfying(TerminalClient.LogonFailedException.class,
                        (ex) -> assertThat(ex.result().result()).isEqualTo(ReasonCode.SYSTEM_ERROR));

                tmpfs.resize("256m");
                final Map<TappingTerminal, Integer> resultsWhenGrown = new HashMap<>();
                terminals.forEach((t) -> resultsWhenGrown.put(t, t.results.size()));
                awaitCondition("decisions again after the disk grew", 30_000,
                    () -> terminals.stream().allMatch((t) -> t.results.size() >= resultsWhenGrown.get(t) + 50),
                    child, terminals);
                assertThat(ChildSwitch.metric(child.scrape(), "tapswitch_journal_writable")).isEqualTo(1);
                terminals.forEach(TappingTerminal::stop);

                long systemErrors = 0;
                long slowest = 0;
                for (final TappingTerminal terminal : terminals)
                {
                    assertThat(terminal.failure).as("terminal %d: every request answered on its one connection",
                        terminal.terminalId).isNull();
                    systemErrors += terminal.systemErrors.size();
                    slowest = Math.max(slowest, terminal.slowestSystemErrorMs);
                }
                assertThat(slowest).as("slowest SYSTEM_ERROR answer, ms (rule 14: within one second)")
                    .isLessThan(RULE_14_BOUND_MS);
                assertThat(ChildSwitch.metric(child.scrape(), "tapswitch_journal_fault_answers_total"))
                    .as("SYSTEM_ERROR answers counted by the switch (the terminals' and the LOGON)")
                    .isEqualTo(systemErrors + 1);
                System.out.printf("JournalDiskFullTest: filled %d bytes; %d SYSTEM_ERROR answers, slowest %d ms; " +
                        "%d results%n", filled, systemErrors, slowest,
                    terminals.stream().mapToInt((t) -> t.results.size()).sum());

                assertThat(child.stop(30_000)).as("stopped by SIGTERM within 30 s after the disk grew").isNotEqualTo(-1);
                child = ChildSwitch.start(dataDir, arguments, List.of()).awaitListening(90_000, true);
                assertJournalHoldsExactlyWhatWasAnswered(dataDir, terminals);
                resendASystemErrorRequest(port, terminals.get(0));
            }
            finally
            {
                terminals.forEach(TappingTerminal::stop);
                child.stop(30_000);
            }
        }
    }

    private static void assertJournalHoldsExactlyWhatWasAnswered(final Path dataDir, final List<TappingTerminal> terminals)
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
                    journaled.put(key(record.terminalId(), record.correlation()),
                        new long[]{record.receipt(), record.decision(), record.reason()});
                }
            }, 10_000) > 0)
            {
                // read on
            }
        }
        assertThat(gaps).as("sequence gaps in the journal").isEmpty();
        for (final TappingTerminal terminal : terminals)
        {
            for (final TapResult result : terminal.results.values())
            {
                assertThat(journaled.get(key(terminal.terminalId, result.correlation())))
                    .as("journal record of terminal %d correlation %d", terminal.terminalId, result.correlation())
                    .containsExactly(result.receipt(), result.decision(), result.reason());
            }
            for (final int correlation : terminal.systemErrors.keySet())
            {
                assertThat(journaled).as("terminal %d correlation %d was answered SYSTEM_ERROR: nothing recorded",
                    terminal.terminalId, correlation).doesNotContainKey(key(terminal.terminalId, correlation));
            }
        }
    }

    private static void resendASystemErrorRequest(final int port, final TappingTerminal terminal)
    {
        final int correlation = terminal.systemErrors.keySet().iterator().next();
        final long highest = terminal.results.values().stream().mapToLong(TapResult::receipt).max().orElseThrow();
        try (TerminalClient client = TerminalClient.connect("127.0.0.1", port, terminal.terminalId,
            TerminalClient.demoKey(terminal.terminalId)))
        {
            final TapResult again = client.tap(correlation, terminal.cardOf(correlation), 2, 1, 0,
                System.currentTimeMillis());
            assertThat(again.receipt()).as("a request answered SYSTEM_ERROR, re-sent, is decided as new")
                .isGreaterThan(highest);
        }
    }

    private static long key(final long terminalId, final int correlation)
    {
        return terminalId << 32 | (correlation & 0xFFFFFFFFL);
    }

    private static void awaitCondition(
        final String what, final long timeoutMs, final BooleanSupplier condition, final ChildSwitch child,
        final List<TappingTerminal> terminals)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean())
        {
            for (final TappingTerminal terminal : terminals)
            {
                assertThat(terminal.failure).as("terminal %d while waiting for %s; switch output:%n%s",
                    terminal.terminalId, what, child.outputTail(4000)).isNull();
            }
            assertThat(System.nanoTime()).as("%s within %d ms; switch output:%n%s", what, timeoutMs,
                child.outputTail(4000)).isLessThan(deadlineNs);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }
}
