package io.tapswitch.switching.engine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.formats.command.CardStatus;
import io.tapswitch.formats.command.CommandEncoder;
import io.tapswitch.formats.journal.JournalReader;
import io.tapswitch.formats.journal.JournalRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.tapswitch.switching.engine.Harness.kyiv;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Group commit in the engine: the decisions of a journal batch are written as one excerpt by
 * {@link Engine#flushJournal()}; a crash loses only the decisions of a batch that was not flushed (never answered);
 * replay walks every record of an excerpt; snapshots, syncs, commands and close flush what is pending first.
 */
class EngineJournalBatchTest
{
    private static final long NOW = kyiv(2026, 11, 23, 12, 0);
    private static final long CARD = 1_000_000;

    @TempDir
    Path dir;

    record Read(long index, long sequence, int type)
    {
    }

    private List<Read> journal()
    {
        final List<Read> read = new ArrayList<>();
        try (JournalReader reader = new JournalReader(dir))
        {
            reader.poll((index, r) -> read.add(new Read(index, r.sequence(), r.type())), Integer.MAX_VALUE);
        }
        return read;
    }

    private Engine scratchReplay()
    {
        return Engine.open(new EngineConfig().dataDir(dir).loadSnapshot(false).snapshotIntervalMs(0));
    }

    @Test
    void shouldRecoverExactlyTheFlushedBatchWhenDroppedWithABatchPending()
    {
        final List<Integer> excerptBytes = new ArrayList<>();
        final Harness h = new Harness(new EngineConfig().dataDir(dir).snapshotIntervalMs(0)
            .journalAppendObserver((durationNs, lengthBytes) -> excerptBytes.add(lengthBytes))).demo(100, 10);
        try
        {
            final long before = h.engine.lastJournalIndex();
            final long excerptsBefore = h.engine.counters().journalExcerpts();
            excerptBytes.clear();
            final List<Harness.Result> answered = new ArrayList<>();
            h.engine.beginJournalBatch();
            for (int i = 1; i <= 5; i++)
            {
                answered.add(h.tap(NOW, 1, i, CARD + i, 1, 1));
            }
            assertThat(h.engine.lastJournalIndex()).as("nothing written before the flush").isEqualTo(before);
            final long batchIndex = h.engine.flushJournal();
            assertThat(batchIndex).isGreaterThan(before).isEqualTo(h.engine.lastJournalIndex());
            assertThat(excerptBytes).as("one excerpt observed for the batch").containsExactly(5 * JournalRecord.TAP_USAGE_LENGTH);
            assertThat(h.engine.counters().journalExcerpts()).isEqualTo(excerptsBefore + 1);
            assertThat(h.engine.counters().journalRecords()).isEqualTo(h.engine.lastSequence());
            assertThat(journal()).filteredOn(r -> r.index() == batchIndex).extracting(Read::sequence)
                .containsExactlyElementsOf(answered.stream().map(Harness.Result::receipt).toList());
            final long flushedSequence = h.engine.lastSequence();
            final TableDigest flushed = h.engine.digest();

            // a second batch decided but never flushed, so never answered, then the process dies
            h.engine.beginJournalBatch();
            final List<Harness.Result> unanswered = new ArrayList<>();
            for (int i = 6; i <= 8; i++)
            {
                unanswered.add(h.tap(NOW, 1, i, CARD + i, 1, 1));
            }
            h.crashAndRestart();

            assertThat(h.engine.replayMismatches()).isZero();
            assertThat(h.engine.replayedRecords()).as("every record, the batch's one by one").isEqualTo(flushedSequence);
            assertThat(h.engine.lastSequence()).isEqualTo(flushedSequence);
            assertThat(h.engine.lastJournalIndex()).isEqualTo(batchIndex);
            assertThat(h.engine.digest()).isEqualTo(flushed);
            for (int i = 1; i <= 5; i++)
            {
                assertThat(h.tap(NOW + 1_000, 1, i, CARD + i, 1, 1, 0, NOW)).as("retry of answered tap %d", i)
                    .isEqualTo(answered.get(i - 1));
            }
            // the lost decision is decided afresh, the same way, under the receipt it never handed out
            final Harness.Result again = h.tap(NOW, 1, 6, CARD + 6, 1, 1);
            assertThat(again).isEqualTo(unanswered.get(0));
            assertThat(again.receipt()).isEqualTo(flushedSequence + 1);
        }
        finally
        {
            h.close();
        }
    }

    @Test
    void shouldReplayOnlyTheRecordsAfterASnapshotTakenBetweenOrInsideBatches()
    {
        final Harness h = new Harness(dir).demo(100, 10);
        try
        {
            h.engine.beginJournalBatch();
            for (int i = 1; i <= 4; i++)
            {
                h.tap(NOW, 1, i, CARD + i, 1, 1);
            }
            h.engine.flushJournal();
            h.engine.snapshot();
            h.crashAndRestart();
            assertThat(h.engine.replayedRecords()).isZero();

            h.engine.beginJournalBatch();
            h.tap(NOW, 1, 5, CARD + 5, 1, 1);
            h.tap(NOW, 1, 6, CARD + 6, 1, 1);
            final long pendingIndex = h.engine.lastJournalIndex();
            h.engine.snapshot();
            assertThat(h.engine.lastJournalIndex()).as("the snapshot flushed the batch first").isGreaterThan(pendingIndex);
            final long snapshotIndex = h.engine.lastJournalIndex();
            h.tap(NOW, 1, 7, CARD + 7, 1, 1);
            h.tap(NOW, 1, 8, CARD + 8, 1, 1);
            h.tap(NOW, 1, 9, CARD + 9, 1, 1);
            final long lastIndex = h.engine.flushJournal();
            final TableDigest decided = h.engine.digest();
            assertThat(journal()).filteredOn(r -> r.index() == snapshotIndex).hasSize(2);
            assertThat(journal()).filteredOn(r -> r.index() == lastIndex).hasSize(3);

            h.crashAndRestart();
            assertThat(h.engine.replayedRecords()).as("only the batch after the snapshot").isEqualTo(3);
            assertThat(h.engine.replayMismatches()).isZero();
            assertThat(h.engine.lastJournalIndex()).isEqualTo(lastIndex);
            assertThat(h.engine.digest()).isEqualTo(decided);
            final Engine scratch = scratchReplay();
            try
            {
                assertThat(scratch.replayMismatches()).isZero();
                assertThat(scratch.digest()).isEqualTo(decided);
            }
            finally
            {
                scratch.abandon();
            }
        }
        finally
        {
            h.close();
        }
    }

    @Test
    void shouldKeepDecisionOrderWhenCommandsAreAppliedInsideABatch()
    {
        final Harness h = new Harness(dir).demo(100, 10);
        try
        {
            h.engine.beginJournalBatch();
            final Harness.Result before = h.tap(NOW, 1, 1, CARD + 3, 1, 1);
            final long beforeIndex = h.engine.lastJournalIndex();
            // pollCommands flushes the tap decided before the command first; the command joins the batch
            h.command(CommandEncoder.setCardStatus(h.commandBuffer, 0, h.nextCommandId(), CARD + 3,
                CardStatus.BLOCKED));
            assertThat(h.engine.lastJournalIndex()).isGreaterThan(beforeIndex);
            final Harness.Result after = h.tap(NOW, 1, 2, CARD + 3, 1, 1);
            assertThat(after.reason()).isEqualTo(ReasonCode.CARD_BLOCKED);
            final long lastIndex = h.engine.flushJournal();
            final TableDigest decided = h.engine.digest();

            final List<Read> journal = journal();
            final List<Read> tail = journal.subList(journal.size() - 3, journal.size());
            assertThat(tail).extracting(Read::type).containsExactly(JournalRecord.TYPE_TAP, JournalRecord.TYPE_COMMAND,
                JournalRecord.TYPE_TAP);
            assertThat(tail).extracting(Read::sequence).containsExactly(before.receipt(), before.receipt() + 1,
                after.receipt());
            assertThat(tail.get(0).index()).isGreaterThan(beforeIndex).isLessThan(tail.get(1).index());
            assertThat(tail.get(1).index()).isLessThanOrEqualTo(tail.get(2).index());
            assertThat(tail.get(2).index()).isEqualTo(lastIndex);
            for (int i = 1; i < journal.size(); i++)
            {
                assertThat(journal.get(i).sequence()).isEqualTo(journal.get(i - 1).sequence() + 1);
            }

            h.crashAndRestart();
            assertThat(h.engine.replayMismatches()).isZero();
            assertThat(h.engine.digest()).isEqualTo(decided);
        }
        finally
        {
            h.close();
        }
    }

    @Test
    void shouldFlushAPendingBatchOnSyncAndOnClose()
    {
        final Harness h = new Harness(dir).demo(100, 10);
        try
        {
            h.engine.beginJournalBatch();
            h.tap(NOW, 1, 1, CARD + 1, 1, 1);
            h.engine.syncJournal();
            assertThat(h.engine.lastSyncedJournalIndex()).isEqualTo(h.engine.lastJournalIndex());
            assertThat(journal()).extracting(Read::sequence).endsWith(h.engine.lastSequence());

            final Harness.Result pending = h.tap(NOW, 1, 2, CARD + 2, 1, 1);
            final TableDigest decided = h.engine.digest();
            h.restart();
            assertThat(journal()).extracting(Read::sequence).endsWith(pending.receipt());
            assertThat(h.engine.digest()).isEqualTo(decided);
            assertThat(h.tap(NOW, 1, 2, CARD + 2, 1, 1)).isEqualTo(pending);
        }
        finally
        {
            h.close();
        }
    }
}
