package io.tapswitch.switching.engine;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.formats.journal.IngestedPosition;
import io.tapswitch.formats.Queues;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.tapswitch.switching.engine.Harness.kyiv;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Snapshots and recovery: a clean shutdown snapshots and restarts without replay; a damaged newest snapshot falls
 * back to an older one (or to the whole journal) with the same state; retention deletes only cycles covered by both
 * a snapshot and the admin's ingested position.
 */
class EngineRecoveryTest
{
    private static final long NOW = kyiv(2026, 11, 23, 12, 0);

    @TempDir
    Path dir;

    private static List<Path> snapshots(final Path dataDir) throws IOException
    {
        try (Stream<Path> files = Files.list(Queues.snapshotsDir(dataDir)))
        {
            return files.filter(p -> p.toString().endsWith(".bin")).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void shouldSnapshotOnCloseAndRestartWithoutReplay() throws IOException
    {
        final Harness h = new Harness(dir).demo(3_000, 10);
        try
        {
            final Harness.Result first = h.tap(NOW, 1, 1, 1000001, 2, 1);
            final TableDigest before = h.engine.digest();
            h.restart();
            assertThat(snapshots(dir)).hasSize(1);
            assertThat(h.engine.replayedRecords()).isZero();
            assertThat(h.engine.digest()).isEqualTo(before);
            assertThat(h.tap(NOW + 1, 1, 1, 1000001, 2, 1, 0, NOW)).isEqualTo(first);
            final Harness.Result next = h.tap(NOW, 1, 2, 1000001, 2, 1);
            assertThat(next.receipt()).isEqualTo(first.receipt() + 1);
            assertThat(next.remaining()).isZero();
        }
        finally
        {
            h.close();
        }
    }

    @Test
    void shouldFallBackToOlderSnapshotWhenNewestIsDamaged() throws IOException
    {
        final Harness h = new Harness(dir).demo(3_000, 10);
        try
        {
            h.tap(NOW, 1, 1, 1000001, 2, 1);
            h.engine.snapshot();
            h.tap(NOW, 1, 2, 1000004, 2, 1);
            h.engine.snapshot();
            h.tap(NOW, 1, 3, 1000007, 2, 1);
            final TableDigest before = h.engine.digest();
            final List<Path> files = snapshots(dir);
            assertThat(files).hasSize(2);
            try (RandomAccessFile file = new RandomAccessFile(files.get(1).toFile(), "rw"))
            {
                file.seek(file.length() / 2);
                file.write(~file.read());
            }
            Files.write(Queues.snapshotsDir(dir).resolve("snapshot-99999999999999999999.bin.tmp"), new byte[10]);
            h.crashAndRestart();
            assertThat(h.engine.replayedRecords()).isEqualTo(2);
            assertThat(h.engine.digest()).isEqualTo(before);

            try (RandomAccessFile file = new RandomAccessFile(files.get(0).toFile(), "rw"))
            {
                file.setLength(file.length() - 1);
            }
            h.crashAndRestart();
            assertThat(h.engine.digest()).isEqualTo(before);
            assertThat(h.tap(NOW, 1, 4, 1000001, 2, 1).remaining()).isZero();
            assertThat(h.tap(NOW, 1, 5, 1000001, 2, 1).reason()).isEqualTo(ReasonCode.QUOTA_EXHAUSTED);
        }
        finally
        {
            h.close();
        }
    }

    @Test
    void shouldForceJournalToDiskUpToLastRecordOnSync()
    {
        final Harness h = new Harness(dir).demo(100, 10);
        try
        {
            h.tap(NOW, 1, 1, 1000001, 1, 1);
            h.tap(NOW, 1, 2, 1000002, 1, 1);
            assertThat(h.engine.lastSyncedJournalIndex()).isLessThan(h.engine.lastJournalIndex());
            h.engine.syncJournal();
            assertThat(h.engine.lastSyncedJournalIndex()).isEqualTo(h.engine.lastJournalIndex());
        }
        finally
        {
            h.close();
        }
    }

    @Test
    void shouldContinueCommandsAfterRestartWithoutReapplying()
    {
        final Harness h = new Harness(dir).demo(100, 10);
        try
        {
            h.crashAndRestart();
            h.drainCommands(NOW);
            assertThat(h.engine.counters().commandsApplied()).isZero();
            assertThat(h.engine.counters().commandsDuplicate()).isZero();
            assertThat(h.tap(NOW, 1, 1, 1000001, 1, 1).decision()).isEqualTo(Decision.APPROVED);
        }
        finally
        {
            h.close();
        }
    }

    @Test
    void shouldDeleteOnlyCyclesCoveredBySnapshotAndIngestedPosition() throws IOException
    {
        final Harness h = new Harness(new EngineConfig().dataDir(dir).snapshotIntervalMs(0).retentionEnabled(false))
            .demo(100, 10);
        try
        {
            h.tap(NOW, 1, 1, 1000001, 1, 1);
            final Path journalDir = Queues.journalDir(dir);
            final Path old = Files.write(journalDir.resolve("20200101L.cq4"), new byte[0]);
            final long index = h.engine.lastJournalIndex();

            assertThat(h.engine.applyRetention(index)).as("no ingested position published").isZero();
            assertThat(old).exists();

            IngestedPosition.write(dir, index);
            assertThat(IngestedPosition.read(dir)).isEqualTo(index);
            assertThat(h.engine.applyRetention(index)).isEqualTo(1);
            assertThat(old).doesNotExist();
            try (Stream<Path> files = Files.list(journalDir))
            {
                assertThat(files.filter(p -> p.toString().endsWith("L.cq4")).count())
                    .as("the current cycle is kept").isEqualTo(1);
            }
            h.crashAndRestart();
            assertThat(h.tap(NOW, 1, 2, 1000002, 1, 1).reason()).isEqualTo(ReasonCode.QUOTA_EXHAUSTED);
        }
        finally
        {
            h.close();
        }
    }
}
