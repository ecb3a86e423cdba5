package io.tapswitch.switching.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import io.tapswitch.formats.command.CommandPublisher;
import io.tapswitch.formats.demo.DemoDataset;
import io.tapswitch.switching.engine.Engine;
import io.tapswitch.switching.engine.EngineConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local commit of the single-node commit stage ({@link EngineAgent}) that the {@code journal-sync} setting
 * selects, on a real engine and journal: {@code none} counts a written batch as committed; {@code batch} commits a batch only once the sync thread forced it to the disk (and
 * not while that thread is paused), or when the engine thread syncs it itself.
 */
class LocalCommitTest
{
    @TempDir
    Path dir;

    @Test
    void shouldCountAWrittenBatchAsCommittedWithJournalSyncNone()
    {
        try (Engine engine = openWithCommands())
        {
            final LocalCommit stage = LocalCommit.of(false, engine, Thread.currentThread());
            assertThat(stage).isSameAs(LocalCommit.WRITTEN);
            assertThat(stage.committedOnWrite()).isTrue();
            assertThat(stage.mayCommitOnEngineThread()).isFalse();
        }
    }

    @Test
    void shouldCommitABatchOnlyOnceTheSyncThreadForcedItWithJournalSyncBatch() throws Exception
    {
        try (Engine engine = openWithCommands();
            LocalCommit stage = LocalCommit.of(true, engine, Thread.currentThread()))
        {
            assertThat(stage).isInstanceOf(LocalGroupCommit.class);
            assertThat(stage.committedOnWrite()).isFalse();
            final LocalGroupCommit local = (LocalGroupCommit)stage;

            // paused: a requested batch stays uncommitted, and the engine thread must not sync it itself
            local.syncer().pause();
            assertThat(stage.mayCommitOnEngineThread()).isFalse();
            stage.request(1);
            TimeUnit.MILLISECONDS.sleep(50);
            assertThat(stage.committedToken()).isZero();

            local.syncer().resume();
            assertThat(stage.mayCommitOnEngineThread()).isTrue();
            stage.request(2);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (stage.committedToken() < 2 && System.nanoTime() < deadline)
            {
                TimeUnit.MILLISECONDS.sleep(1);
            }
            assertThat(stage.committedToken()).isEqualTo(2);
            assertThat(local.syncer().syncs()).isPositive();

            stage.commitOnEngineThread();
            assertThat(engine.lastSyncedJournalIndex()).isEqualTo(engine.lastJournalIndex());
        }
    }

    /** An engine whose journal holds the applied demo commands (written excerpts to commit). */
    private Engine openWithCommands()
    {
        try (CommandPublisher publisher = new CommandPublisher(dir))
        {
            DemoDataset.publish(publisher, 20, 10);
        }
        final Engine engine = Engine.open(new EngineConfig().dataDir(dir).snapshotIntervalMs(0));
        assertThat(engine.pollCommands(System.currentTimeMillis(), 1_000)).isPositive();
        assertThat(engine.lastJournalIndex()).isNotNegative();
        return engine;
    }
}
