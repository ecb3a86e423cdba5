package io.tapswitch.switching.engine;

import static io.tapswitch.switching.engine.Harness.kyiv;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.tapswitch.formats.journal.JournalReader;
import io.tapswitch.formats.journal.JournalRecord;
import io.tapswitch.protocol.Decision;
import io.tapswitch.switching.journal.JournalRepair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real kill -9 in the middle of Chronicle's excerpt write, twice: a child JVM ({@link JournalKilledMidWriteChild})
 * decides and syncs batches of taps on the real engine and journal, printing each answer once its batch is synced,
 * writes three batches without a sync, then starts one more excerpt through Chronicle's appender, writes part of a
 * large batch into it and is killed with SIGKILL in the middle of that write (the excerpt's header still 0, the partial
 * bytes behind it: without the repair the first excerpt after the restart, shorter than them, is written over their
 * start and the next ones are appended behind the rest, where no reader gets). A second child opens the same data directory (the repair runs), answers more
 * batches and is killed the same way; then the journal is opened here, twice. Every answered decision must be there
 * with its receipt (a retry returns it), the journal's sequences gap-free through the admin's reader, each card's
 * BALANCE = quota − what the journal's decisions took, and each kill's damaged file kept aside.
 */
class JournalKilledMidWriteTest
{
    static final long START = kyiv(2026, 11, 23, 9, 0);
    static final int PROGRAM = 2;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldKeepEveryAnsweredDecisionAcrossKillsInTheMiddleOfAChronicleHeaderWrite() throws Exception
    {
        final Path dataDir = dir.resolve("data");
        // terminal << 32 | correlation -> {terminal, correlation, card, receipt, decision, reason, remaining, nowMs}
        final Map<Long, long[]> answered = new HashMap<>();
        final List<String> opened = new ArrayList<>();
        for (int run = 1; run <= 2; run++)
        {
            runAndKill(dataDir, run, 6, answered, opened);
        }
        assertThat(opened.get(0)).as("first run: a new journal").isEqualTo("OPENED 0 0");
        assertThat(opened.get(1)).as("second run: the journal killed mid-write was repaired").endsWith(" 1");
        assertThat(answered).hasSize(2 * 6 * 8);

        final EngineConfig config = new EngineConfig().dataDir(dataDir).snapshotIntervalMs(0).journalReserveBytes(0);
        final long lastAnswered = answered.values().stream().mapToLong(a -> a[3]).max().orElseThrow();
        for (int open = 0; open < 2; open++)
        {
            final Engine engine = Engine.open(config);
            try (Harness h = new Harness(engine, dataDir, config))
            {
                assertThat(engine.counters().journalHeaderRepairs()).as("open %d: repaired", open)
                    .isEqualTo(open == 0 ? 1 : 0);
                assertThat(engine.counters().lastReceipt()).as("open %d: last record kept", open)
                    .isGreaterThanOrEqualTo(lastAnswered);
                final long nowMs = START + 10 * 3_600_000L;
                for (final long[] a : answered.values())
                {
                    final Harness.Result retry = h.tap(nowMs, a[0], (int)a[1], a[2], PROGRAM, 1, 0, a[7]);
                    assertThat(new long[]{retry.receipt(), retry.decision(), retry.reason()})
                        .as("open %d: answered decision of terminal %d correlation %d", open, a[0], a[1])
                        .containsExactly(a[3], a[4], a[5]);
                }
                final Map<Long, Integer> taken = new HashMap<>();
                final Map<Long, Long> receipts = new HashMap<>();
                try (JournalReader reader = new JournalReader(dataDir))
                {
                    final long[] previous = {0};
                    while (reader.poll((index, record) ->
                    {
                        assertThat(record.sequence()).as("sequences gap-free").isEqualTo(previous[0] + 1);
                        previous[0] = record.sequence();
                        if (record.type() == JournalRecord.TYPE_TAP)
                        {
                            receipts.put(record.terminalId() << 32 | record.correlation(), record.receipt());
                            if (record.programId() == PROGRAM)
                            {
                                taken.merge(record.cardId(), record.taken(), Integer::sum);
                            }
                        }
                    }, 10_000) > 0)
                    {
                        // read on
                    }
                    assertThat(previous[0]).as("last sequence read").isEqualTo(engine.counters().lastReceipt());
                }
                for (final Map.Entry<Long, long[]> e : answered.entrySet())
                {
                    assertThat(receipts.get(e.getKey())).as("receipt in the journal").isEqualTo(e.getValue()[3]);
                }
                for (final Map.Entry<Long, Integer> card : taken.entrySet())
                {
                    final int[] entry = programEntry(h.balance(nowMs, 1, card.getKey()).entries());
                    assertThat(entry[1]).as("card %d: remaining = quota - taken", card.getKey())
                        .isEqualTo(entry[2] - card.getValue());
                }
                assertThat(answered.values().stream().filter(a -> a[4] == Decision.APPROVED).count())
                    .as("approved answers").isPositive();
                h.abandonEngine();
            }
        }
        assertThat(JournalRepair.damagedFiles(dataDir)).as("one damaged file kept per kill").isEqualTo(2);
        try (var aside = java.nio.file.Files.list(dataDir.resolve(JournalRepair.DAMAGED_DIR)))
        {
            // a kill mid-write leaves Chronicle's write position on the last complete excerpt: the bytes behind it
            // are cleared in place, the cycle file is not copied
            assertThat(aside.map(f -> f.getFileName().toString()).toList()).as("bytes kept aside, no copy")
                .allMatch(name -> name.contains("-bytes-"));
        }
    }

    private static int[] programEntry(final int[][] entries)
    {
        for (final int[] entry : entries)
        {
            if (entry[0] == PROGRAM)
            {
                return entry;
            }
        }
        throw new AssertionError("no balance entry for program " + PROGRAM);
    }

    /** Runs the child until it holds an excerpt header mid-write, then kills it with SIGKILL. */
    private static void runAndKill(
        final Path dataDir, final int run, final int batches, final Map<Long, long[]> answered,
        final List<String> opened) throws Exception
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
        command.add("-Dchronicle.analytics.disable=true");
        command.add("-Xmx256m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(JournalKilledMidWriteChild.class.getName());
        command.add(dataDir.toString());
        command.add(Integer.toString(run));
        command.add(Integer.toString(batches));
        final Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        final StringBuilder output = new StringBuilder();
        final CompletableFuture<Boolean> midWrite = CompletableFuture.supplyAsync(() ->
        {
            try (BufferedReader in = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = in.readLine()) != null)
                {
                    output.append(line).append('\n');
                    if (line.startsWith("ANSWERED "))
                    {
                        final String[] f = line.substring("ANSWERED ".length()).split(" ");
                        final long[] a = new long[f.length];
                        for (int i = 0; i < f.length; i++)
                        {
                            a[i] = Long.parseLong(f[i]);
                        }
                        synchronized (answered)
                        {
                            answered.put(a[0] << 32 | a[1], a);
                        }
                    }
                    else if (line.startsWith("OPENED "))
                    {
                        synchronized (opened)
                        {
                            opened.add(line);
                        }
                    }
                    else if (line.equals("MIDWRITE"))
                    {
                        return true;
                    }
                }
                return false;
            }
            catch (final java.io.IOException ex)
            {
                return false;
            }
        });
        try
        {
            final Boolean reached = midWrite.get(60, TimeUnit.SECONDS);
            assertThat(reached).as("child %d reached the middle of a write:\n%s", run, output).isTrue();
        }
        finally
        {
            child.destroyForcibly();
            assertThat(child.waitFor(20, TimeUnit.SECONDS)).as("child killed").isTrue();
        }
        assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);
    }
}
