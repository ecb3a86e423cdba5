package io.tapswitch.bench.jmh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.tapswitch.bench.fixture.DemoFixture;
import io.tapswitch.protocol.TapEncoder;
import io.tapswitch.switching.engine.Engine;
import io.tapswitch.switching.engine.EngineConfig;
import io.tapswitch.formats.Queues;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Snapshot write and load, and journal replay, on the demo dataset with {@code cards} cards (10 million by default),
 * each invocation timed once ({@link Mode#SingleShotTime}):
 * <ul>
 *   <li>{@link #snapshotWrite}: {@link Engine#snapshot()} of every table (after one more TAP so there is something
 *   new to write);</li>
 *   <li>{@link #snapshotLoad}: {@link Engine#open} from the newest snapshot with nothing after it in the journal;</li>
 *   <li>{@link #journalReplay}: {@link Engine#open} from the snapshot taken before {@value #REPLAY_TAPS} journaled TAP
 *   decisions, which it decides again; the score is per replayed record.</li>
 * </ul>
 * The JVM of the fork is warm; {@code ./tapswitch bench replay} measures restarts in a cold JVM.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms8g", "-Xmx8g", "-XX:+UseParallelGC"})
@Warmup(iterations = 1)
@Measurement(iterations = 3)
public class SnapshotReplayBenchmark
{
    public static final int REPLAY_TAPS = 10_000_000;

    @Param({"10000000"})
    public int cards;

    Path snapshotDir;
    Engine engine;
    Path replayDir;
    Path oldestSnapshot;
    final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(TapEncoder.FRAME_LENGTH));
    final UnsafeBuffer out = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
    final TapEncoder encoder = new TapEncoder();
    int correlation = 1;

    /** The engine of {@link #snapshotWrite}, and the data directory {@link #snapshotLoad} opens. */
    @Setup(Level.Trial)
    public void setup()
    {
        snapshotDir = DemoFixture.copy(cards, 0);
        engine = Engine.open(config(snapshotDir, true));
        encoder.wrap(frame, 0).programId(0).quantity(1).flags(0).terminalTimeMs(DemoFixture.BASE_TIME_MS);
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        if (null != engine)
        {
            engine.close();
        }
        DemoFixture.deleteTree(snapshotDir);
        DemoFixture.deleteTree(replayDir);
    }

    /** State of {@link #snapshotWrite}: one more TAP decided (and journaled) before each timed snapshot. */
    @State(Scope.Benchmark)
    public static class Write
    {
        @Setup(Level.Invocation)
        public void oneMoreTap(final SnapshotReplayBenchmark s)
        {
            s.encoder.correlation(s.correlation++).cardId(1_000_001L + s.correlation);
            s.engine.onRequest(DemoFixture.BASE_TIME_MS, DemoFixture.CANTEEN_TERMINAL, s.frame, 0, s.out, 0);
        }
    }

    /** State of {@link #snapshotLoad}: the engine opened by the previous invocation is closed outside the timing. */
    @State(Scope.Benchmark)
    public static class Load
    {
        @Setup(Level.Invocation)
        public void closeEngine(final SnapshotReplayBenchmark s)
        {
            if (null != s.engine)
            {
                s.engine.close();
                s.engine = null;
            }
        }
    }

    /** State of {@link #journalReplay}: a fixture with {@value #REPLAY_TAPS} taps after its first snapshot. */
    @State(Scope.Benchmark)
    public static class Replay
    {
        @Setup(Level.Trial)
        public void setup(final SnapshotReplayBenchmark s)
        {
            s.replayDir = DemoFixture.copy(s.cards, REPLAY_TAPS);
            s.oldestSnapshot = snapshots(s.replayDir).get(0);
        }

        /**
         * Closes the engine of the previous invocation (which writes a snapshot) and keeps only the snapshot taken
         * before the taps, so the next open() replays all of them.
         */
        @Setup(Level.Invocation)
        public void keepOldestSnapshot(final SnapshotReplayBenchmark s) throws IOException
        {
            if (null != s.engine)
            {
                s.engine.close();
                s.engine = null;
            }
            for (final Path file : snapshots(s.replayDir))
            {
                if (!file.equals(s.oldestSnapshot))
                {
                    Files.delete(file);
                }
            }
        }
    }

    @Benchmark
    public long snapshotWrite(final Write write)
    {
        engine.snapshot();
        return engine.counters().snapshotBytes();
    }

    @Benchmark
    public long snapshotLoad(final Load load)
    {
        engine = Engine.open(config(snapshotDir, true));
        return engine.replayedRecords();
    }

    @Benchmark
    @OperationsPerInvocation(REPLAY_TAPS)
    @Measurement(iterations = 2)
    public long journalReplay(final Replay replay)
    {
        engine = Engine.open(config(replayDir, true));
        final long replayed = engine.replayedRecords();
        if (replayed < REPLAY_TAPS)
        {
            throw new IllegalStateException("replayed " + replayed + " records, expected " + REPLAY_TAPS);
        }
        return replayed;
    }

    private EngineConfig config(final Path dataDir, final boolean loadSnapshot)
    {
        return DemoFixture.engineConfig(dataDir, cards).loadSnapshot(loadSnapshot);
    }

    static List<Path> snapshots(final Path dataDir)
    {
        try (Stream<Path> files = Files.list(Queues.snapshotsDir(dataDir)))
        {
            return files.filter((p) -> p.getFileName().toString().endsWith(".bin")).sorted()
                .collect(Collectors.toList());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
