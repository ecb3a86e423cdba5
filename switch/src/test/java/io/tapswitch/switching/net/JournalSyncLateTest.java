package io.tapswitch.switching.net;

import static io.tapswitch.switching.net.LoadSheddingTest.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.tapswitch.formats.journal.JournalReader;
import io.tapswitch.formats.journal.JournalRecord;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.protocol.client.BalanceResult;
import io.tapswitch.protocol.client.TapResult;
import io.tapswitch.protocol.client.TerminalClient;
import io.tapswitch.protocol.client.TerminalErrorException;
import io.tapswitch.switching.journal.JournalSyncer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A journal sync that does not return (PROTOCOL.md rule 14: ERROR SYSTEM_ERROR within a second, connection open):
 * a real switch ({@code journal-sync=batch}, default {@code journal-sync-answer-ms} 800) whose sync thread is held
 * with its test hook ({@link JournalSyncer#pause()}: every sync waits, as behind a hung device; the engine thread
 * never syncs itself meanwhile). The taps waiting for the sync are answered SYSTEM_ERROR with their correlation
 * within a second of being sent, so is every new tap at once (not journaled), a BALANCE is still answered, and the
 * journal-writable signal is down. When the sync returns the switch decides again by itself; the taps answered
 * SYSTEM_ERROR had been decided and journaled before the sync hung, so their byte-identical retries get those
 * decisions and receipts (idempotency: one decision each, the entitlement taken once), and the tap that was never
 * decided is decided as new. A sync still hung after 10 s gives up on the process (exit 74, seen here through a
 * test hook).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JournalSyncLateTest
{
    private static final long CARD = 1_000_201;

    @TempDir
    Path dataDir;

    @Test
    void shouldAnswerSystemErrorWithinASecondWhileTheSyncHangsAndDecideAgainWhenItReturns() throws Exception
    {
        try (TestSwitch testSwitch = TestSwitch.start(dataDir, Map.of("journal-sync", "batch"));
            TerminalClient terminal = testSwitch.terminal(12))
        {
            final SwitchServer server = testSwitch.launcher().server();
            final JournalSyncer syncer = server.journalSyncer();
            final long nowMs = System.currentTimeMillis();
            assertThat(terminal.tap(1, CARD, 2, 1, 0, nowMs).receipt()).isPositive();
            assertThat(server.journalWritable()).isTrue();
            final double faultAnswersBefore = testSwitch.counter("tapswitch.journal.fault.answers");

            syncer.pause();
            final int held = 8;
            final List<CompletableFuture<TapResult>> answers = new ArrayList<>();
            final long[] answeredAfterMs = new long[held];
            for (int i = 0; i < held; i++)
            {
                final int n = i;
                final long sentNs = System.nanoTime();
                answers.add(terminal.async().tap(100 + i, CARD + 1 + i, 2, 1, 0, nowMs)
                    .whenComplete((r, ex) -> answeredAfterMs[n] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sentNs)));
            }
            for (int i = 0; i < held; i++)
            {
                assertSystemError(answers.get(i), 100 + i);
                assertThat(answeredAfterMs[i]).as("tap %d answered SYSTEM_ERROR after, ms (rule 14: within a second)",
                    100 + i).isLessThan(1_000);
            }
            assertThat(server.journalWritable()).as("journal writable while the sync hangs").isFalse();
            System.out.printf("JournalSyncLateTest: %d taps held by the hung sync answered SYSTEM_ERROR after %s ms%n",
                held, java.util.Arrays.toString(answeredAfterMs));
            // decided and journaled before the sync hung: the records are written, their answers were not given
            assertThat(tapRecords(100, 100 + held)).hasSize(held);

            final long newSentNs = System.nanoTime();
            assertSystemError(terminal.async().tap(200, CARD + 50, 2, 1, 0, nowMs), 200);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - newSentNs)).as("a new tap's SYSTEM_ERROR, ms")
                .isLessThan(1_000);
            assertThat(terminal.balance(201, CARD).entries()).as("BALANCE journals nothing: still answered").isNotEmpty();
            assertThat(tapRecords(200, 201)).as("the new tap was not decided").isEmpty();
            assertThat(testSwitch.counter("tapswitch.journal.fault.answers") - faultAnswersBefore).isEqualTo(held + 1);
            assertThat(testSwitch.counter("tapswitch.journal.faults")).isPositive();

            syncer.resume();
            awaitTrue(server::journalWritable);
            final Map<Integer, long[]> journaled = tapRecords(100, 100 + held);
            long highest = 0;
            for (int i = 0; i < held; i++)
            {
                final TapResult again = terminal.tap(100 + i, CARD + 1 + i, 2, 1, 0, nowMs);
                final long[] record = journaled.get(100 + i);
                assertThat(new long[]{again.receipt(), again.decision(), again.reason(), again.remaining()})
                    .as("retry of tap %d: its journaled decision", 100 + i)
                    .containsExactly(java.util.Arrays.copyOf(record, 4));
                highest = Math.max(highest, record[0]);
            }
            final TapResult retriedNew = terminal.tap(200, CARD + 50, 2, 1, 0, nowMs);
            assertThat(retriedNew.receipt()).as("the tap never decided is decided as new").isGreaterThan(highest);
            assertThat(tapRecords(100, 201)).as("one decision per request, retries included").hasSize(held + 1);
            for (int i = 0; i < held; i++)
            {
                final long taken = journaled.get(100 + i)[4];
                final BalanceResult.Entry entry = terminal.balance(300 + i, CARD + 1 + i).entry(2);
                assertThat(entry).as("card %d enrolled in program 2", CARD + 1 + i).isNotNull();
                assertThat(entry.remaining()).as("card %d: its entitlement taken once", CARD + 1 + i)
                    .isEqualTo((int)(entry.quota() - taken));
            }
        }
    }

    /**
     * A sync still hung 10 s after the oldest batch asked for it: the switch gives up on this process (exit 74 for the
     * supervisor, recorded here through the test hook instead): every request is still answered SYSTEM_ERROR at once,
     * before and after.
     */
    @Test
    void shouldGiveUpOnTheProcessWhenTheSyncStaysHungForTenSeconds() throws Exception
    {
        try (TestSwitch testSwitch = TestSwitch.start(dataDir, Map.of("journal-sync", "batch"));
            TerminalClient terminal = testSwitch.terminal(12))
        {
            final SwitchServer server = testSwitch.launcher().server();
            final CompletableFuture<Long> fatalAfterNs = new CompletableFuture<>();
            final long nowMs = System.currentTimeMillis();
            assertThat(terminal.tap(1, CARD, 2, 1, 0, nowMs).receipt()).isPositive();

            server.journalSyncer().pause();
            final long hungAtNs = System.nanoTime();
            server.onJournalFatal(() -> fatalAfterNs.complete(System.nanoTime() - hungAtNs));
            assertSystemError(terminal.async().tap(100, CARD + 1, 2, 1, 0, nowMs), 100);
            int correlation = 101;
            while (!fatalAfterNs.isDone())
            {
                final long sentNs = System.nanoTime();
                assertSystemError(terminal.async().tap(correlation, CARD + 2, 2, 1, 0, nowMs), correlation);
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sentNs))
                    .as("SYSTEM_ERROR of tap %d while the sync hangs, ms", correlation).isLessThan(1_000);
                correlation++;
                Thread.sleep(200);
                assertThat(System.nanoTime() - hungAtNs).as("gave up within 15 s").isLessThan(TimeUnit.SECONDS.toNanos(15));
            }
            assertThat(TimeUnit.NANOSECONDS.toMillis(fatalAfterNs.get())).as("gave up after, ms")
                .isBetween(9_000L, 15_000L);
            System.out.printf("JournalSyncLateTest: sync hung; %d taps answered SYSTEM_ERROR, each < 1 s; gave up on " +
                "the process after %d ms%n", correlation - 100, TimeUnit.NANOSECONDS.toMillis(fatalAfterNs.get()));
            assertThat(server.journalWritable()).isFalse();
            assertSystemError(terminal.async().tap(correlation, CARD + 2, 2, 1, 0, nowMs), correlation);
            assertThat(tapRecords(101, correlation + 1)).as("nothing decided while the sync hung").isEmpty();
            server.journalSyncer().resume();
        }
    }

    private static void assertSystemError(final CompletableFuture<TapResult> answer, final int correlation)
        throws InterruptedException, java.util.concurrent.TimeoutException
    {
        try
        {
            final TapResult result = answer.get(10, TimeUnit.SECONDS);
            throw new AssertionError("tap " + correlation + " answered " + result + " while its sync hangs");
        }
        catch (final ExecutionException ex)
        {
            assertThat(ex.getCause()).isInstanceOf(TerminalErrorException.class);
            final TerminalErrorException error = (TerminalErrorException)ex.getCause();
            assertThat(error.code()).isEqualTo(ReasonCode.SYSTEM_ERROR);
            assertThat(error.correlation()).isEqualTo(correlation);
        }
    }

    /**
     * @return TAP records of terminal 12 with a correlation in [from, to): receipt, decision, reason, remaining, taken.
     */
    private Map<Integer, long[]> tapRecords(final int from, final int to)
    {
        final Map<Integer, long[]> records = new HashMap<>();
        try (JournalReader reader = new JournalReader(dataDir))
        {
            while (reader.poll((index, record) ->
            {
                if (record.type() == JournalRecord.TYPE_TAP && record.terminalId() == 12 &&
                    record.correlation() >= from && record.correlation() < to)
                {
                    final long[] previous = records.put(record.correlation(), new long[]{record.receipt(),
                        record.decision(), record.reason(), record.remaining(), record.taken()});
                    assertThat(previous).as("a second TAP record of correlation %d", record.correlation()).isNull();
                }
            }, 1_000) > 0)
            {
                // to the end
            }
        }
        return records;
    }
}
