package io.tapswitch.bench.jmh;

import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import io.tapswitch.bench.fixture.DemoFixture;
import io.tapswitch.formats.journal.JournalRecord;
import io.tapswitch.switching.journal.JournalWriter;
import io.tapswitch.formats.Queues;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The journal append alone: the engine's {@link JournalWriter} writing one 88-byte TAP record (JOURNAL.md) as one
 * Chronicle Queue excerpt into a memory-mapped file in a temp directory, no fsync (as the switch does). Baseline in the
 * same run: {@link #baselineEncodeRecord}, the same record encoded into the writer's buffer without the append.
 * {@code EngineDecisionBenchmark} minus this is the decision without the journal.
 * <p>
 * {@link #journalAppendTapRecordsBatched}: the same records with group commit, as the engine thread writes a batch
 * ({@link JournalWriter#beginBatch()}): {@value #BATCH} TAP records copied into the pending excerpt and written as one
 * excerpt; its score is per record ({@code @OperationsPerInvocation}), so the two appends compare directly.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class JournalBenchmark
{
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    static final int TAP_RECORD_BYTES = JournalRecord.TAP_TERMINAL_TIME_MS_OFFSET + 8;
    /** Records per excerpt in the batched benchmark (a busy engine batch). */
    static final int BATCH = 64;

    Path dir;
    SingleChronicleQueue queue;
    JournalWriter writer;
    long sequence;
    long sequenceAtStart;
    long cpuStartNs;

    @Setup(Level.Trial)
    public void setup() throws java.io.IOException
    {
        dir = Files.createTempDirectory("tapswitch-bench-journal-");
        queue = Queues.open(Queues.journalDir(dir));
        writer = new JournalWriter(queue);
    }

    @Setup(Level.Iteration)
    public void startIteration()
    {
        cpuStartNs = ThreadCpu.nowNs();
        sequenceAtStart = sequence;
    }

    /** CPU per record on the benchmark thread, printed into the JMH log (see {@link ThreadCpu}). */
    @TearDown(Level.Iteration)
    public void reportIteration()
    {
        ThreadCpu.report(cpuStartNs, sequence - sequenceAtStart);
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        writer.close();
        queue.close();
        DemoFixture.deleteTree(dir);
    }

    @Benchmark
    public long baselineEncodeRecord()
    {
        return encode();
    }

    @Benchmark
    public long journalAppendTapRecord()
    {
        return writer.append((int)encode());
    }

    /** {@value #BATCH} TAP records appended in one batch, written as one excerpt; score per record. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long journalAppendTapRecordsBatched()
    {
        writer.beginBatch();
        for (int i = 0; i < BATCH; i++)
        {
            writer.append((int)encode());
        }
        return writer.endBatch();
    }

    private long encode()
    {
        final long seq = ++sequence;
        final UnsafeBuffer b = writer.buffer();
        writer.header(JournalRecord.TYPE_TAP, TAP_RECORD_BYTES, seq, DemoFixture.BASE_TIME_MS + seq);
        b.putLong(JournalRecord.TERMINAL_ID_OFFSET, 6, LE);
        b.putInt(JournalRecord.CORRELATION_OFFSET, (int)seq, LE);
        b.putInt(JournalRecord.OUTLET_ID_OFFSET, 6, LE);
        b.putLong(JournalRecord.CARD_ID_OFFSET, 1_000_001L + (seq & 0xFFFFF), LE);
        b.putLong(JournalRecord.HOLDER_ID_OFFSET, 1_000_001L + (seq & 0xFFFFF), LE);
        b.putInt(JournalRecord.TAP_REQUESTED_PROGRAM_ID_OFFSET, 0, LE);
        b.putInt(JournalRecord.PROGRAM_ID_OFFSET, 3, LE);
        b.putShort(JournalRecord.TAP_QUANTITY_OFFSET, (short)1, LE);
        b.putShort(JournalRecord.TAP_FLAGS_OFFSET, (short)0, LE);
        b.putByte(JournalRecord.DECISION_OFFSET, (byte)0);
        b.putByte(JournalRecord.REASON_OFFSET, (byte)0);
        b.putInt(JournalRecord.REMAINING_OFFSET, 0, LE);
        b.putInt(JournalRecord.TAP_TAKEN_OFFSET, 1, LE);
        b.putLong(JournalRecord.TAP_TERMINAL_TIME_MS_OFFSET, DemoFixture.BASE_TIME_MS + seq, LE);
        return TAP_RECORD_BYTES;
    }
}
