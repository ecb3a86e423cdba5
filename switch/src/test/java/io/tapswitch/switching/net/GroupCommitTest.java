package io.tapswitch.switching.net;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.tapswitch.protocol.client.TapResult;
import io.tapswitch.protocol.client.TerminalClient;
import io.tapswitch.formats.journal.JournalReader;
import io.tapswitch.formats.journal.JournalRecord;
import io.tapswitch.switching.journal.JournalSyncer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.tapswitch.switching.net.LoadSheddingTest.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Group commit with {@code journal-sync=batch}: the engine thread hands each batch to the journal sync thread and
 * goes on deciding; an answer leaves only once the sync covering its journal record has returned.
 */
class GroupCommitTest
{
    private static final int CARD = 1_000_101;
    /** Answers wait for their sync however long the test pauses it (SyncLateTest: what 800 ms of waiting does). */
    private static final Map<String, String> HELD = Map.of("journal-sync", "batch", "journal-sync-answer-ms", "60000");

    @TempDir
    Path dataDir;

    @Test
    void shouldHoldAnswersUntilTheSyncCoveringTheirRecordsReturns() throws Exception
    {
        try (TestSwitch testSwitch = TestSwitch.start(dataDir, HELD);
            TerminalClient terminal = testSwitch.terminal(11))
        {
            final JournalSyncer syncer = testSwitch.launcher().server().journalSyncer();
            assertThat(syncer).isNotNull();
            final long nowMs = System.currentTimeMillis();
            assertThat(terminal.tap(1, CARD, 2, 1, 0, nowMs).receipt()).isPositive();

            syncer.pause();
            final long requestedBefore = syncer.requestedToken();
            final List<CompletableFuture<TapResult>> answers = new ArrayList<>();
            for (int i = 0; i < 8; i++)
            {
                answers.add(terminal.async().tap(100 + i, CARD + 1 + i, 2, 1, 0, nowMs));
            }
            // decided and journaled: the engine asked for the sync of the batches holding them
            awaitTrue(() -> recordsOfCorrelationsFrom(100) == 8 && syncer.requestedToken() > requestedBefore);
            assertThat(answers).as("no answer leaves before its sync").noneMatch(CompletableFuture::isDone);

            syncer.resume();
            for (int i = 0; i < answers.size(); i++)
            {
                final TapResult answer = answers.get(i).get(10, TimeUnit.SECONDS);
                assertThat(answer.correlation()).isEqualTo(100 + i);
                assertThat(answer.receipt()).isPositive();
            }
            assertThat(syncer.durableToken()).isGreaterThan(requestedBefore);
            assertThat(syncer.failures()).isZero();
        }
    }

    /**
     * A BALANCE journals nothing: alone it needs no sync and is answered while syncs are held; pipelined behind a TAP
     * that waits for its sync, it waits too (answers leave in order).
     */
    @Test
    void shouldAnswerABalanceWithoutASyncButNeverAheadOfAnEarlierTap() throws Exception
    {
        try (TestSwitch testSwitch = TestSwitch.start(dataDir, HELD);
            TerminalClient terminal = testSwitch.terminal(11))
        {
            final JournalSyncer syncer = testSwitch.launcher().server().journalSyncer();
            final long nowMs = System.currentTimeMillis();
            assertThat(terminal.tap(1, CARD, 2, 1, 0, nowMs).receipt()).isPositive();
            syncer.pause();
            final long syncsBefore = syncer.syncs();
            assertThat(terminal.async().balance(2, CARD).get(10, TimeUnit.SECONDS).entries()).isNotEmpty();

            final long requestedBefore = syncer.requestedToken();
            final CompletableFuture<TapResult> tap = terminal.async().tap(3, CARD + 7, 2, 1, 0, nowMs);
            awaitTrue(() -> syncer.requestedToken() > requestedBefore);
            final CompletableFuture<io.tapswitch.protocol.client.BalanceResult> balance =
                terminal.async().balance(4, CARD);
            awaitTrue(() -> testSwitch.launcher().server().journalSyncer().requestedToken() > requestedBefore);
            assertThat(tap).isNotDone();
            assertThat(balance).isNotDone();
            assertThat(syncer.syncs()).isEqualTo(syncsBefore);

            syncer.resume();
            assertThat(tap.get(10, TimeUnit.SECONDS).receipt()).isPositive();
            assertThat(balance.get(10, TimeUnit.SECONDS).correlation()).isEqualTo(4);
        }
    }

    @Test
    void shouldAnswerWithoutASyncThreadWhenJournalSyncIsNone() throws Exception
    {
        try (TestSwitch testSwitch = TestSwitch.start(dataDir, Map.of("journal-sync", "none"));
            TerminalClient terminal = testSwitch.terminal(11))
        {
            assertThat(testSwitch.launcher().server().journalSyncer()).isNull();
            assertThat(terminal.tap(1, CARD, 2, 1, 0, System.currentTimeMillis()).receipt()).isPositive();
        }
    }

    private long recordsOfCorrelationsFrom(final int firstCorrelation)
    {
        final long[] count = new long[1];
        try (JournalReader reader = new JournalReader(dataDir))
        {
            while (reader.poll((index, record) ->
            {
                if (record.type() == JournalRecord.TYPE_TAP && record.correlation() >= firstCorrelation)
                {
                    count[0]++;
                }
            }, 1_000) > 0)
            {
                // to the end
            }
        }
        return count[0];
    }
}
