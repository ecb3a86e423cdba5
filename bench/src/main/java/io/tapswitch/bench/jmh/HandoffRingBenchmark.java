package io.tapswitch.bench.jmh;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import io.tapswitch.protocol.TapEncoder;
import io.tapswitch.switching.pipeline.HandoffRecords;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The request handoff of the switch: the Agrona {@link ManyToOneRingBuffer} the event loops write TAP requests into
 * ({@code tryClaim} + header fields + frame copy + {@code commit}, exactly the record of {@link HandoffRecords}) and
 * the engine thread reads in batches, with the default 1 MiB capacity. Also the per-loop {@link OneToOneRingBuffer}
 * the responses return through.
 * <p>
 * Single-thread scores (write a batch of {@value #BATCH}, then read it) give the cost per record without
 * cross-core traffic; the {@code handoff} group runs one event-loop thread against one engine thread (the real
 * shape; on 2 shared cores the two threads also compete with the rest of the machine). Baseline in the same run:
 * {@link #baselineCopyRecord}, the same 64 bytes copied into a plain buffer.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class HandoffRingBenchmark
{
    public static final int BATCH = 256;
    public static final int REQUEST_RING_BYTES = 1 << 20;
    public static final int RESPONSE_RING_BYTES = 4 << 20;
    private static final int REQUEST_RECORD_BYTES = HandoffRecords.REQUEST_FRAME_OFFSET + TapEncoder.FRAME_LENGTH;

    /** A ring with its reader's handler: one per benchmark thread in the single-thread cases. */
    @State(Scope.Thread)
    public static class SingleThread
    {
        final ManyToOneRingBuffer requests = new ManyToOneRingBuffer(ring(REQUEST_RING_BYTES));
        final OneToOneRingBuffer responses = new OneToOneRingBuffer(ring(RESPONSE_RING_BYTES));
        final byte[] frame = tapFrame();
        final UnsafeBuffer plain = new UnsafeBuffer(ByteBuffer.allocateDirect(REQUEST_RECORD_BYTES * BATCH));
        final SumHandler handler = new SumHandler();
        long seq;
    }

    /** One ring shared by the event-loop thread and the engine thread of the {@code handoff} group. */
    @State(Scope.Group)
    public static class Shared
    {
        ManyToOneRingBuffer requests;

        @Setup(Level.Iteration)
        public void setup()
        {
            requests = new ManyToOneRingBuffer(ring(REQUEST_RING_BYTES));
        }
    }

    /** Per-thread scratch of the group's threads. */
    @State(Scope.Thread)
    public static class Local
    {
        final byte[] frame = tapFrame();
        final SumHandler handler = new SumHandler();
        long seq;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long baselineCopyRecord(final SingleThread s)
    {
        final UnsafeBuffer plain = s.plain;
        for (int i = 0; i < BATCH; i++)
        {
            final int index = i * REQUEST_RECORD_BYTES;
            plain.putLong(index + HandoffRecords.CONNECTION_ID_OFFSET, s.seq);
            plain.putLong(index + HandoffRecords.RECEIVED_NS_OFFSET, s.seq);
            plain.putLong(index + HandoffRecords.REQUEST_NOW_MS_OFFSET, s.seq);
            plain.putInt(index + HandoffRecords.REQUEST_SEQ_OFFSET, i);
            plain.putBytes(index + HandoffRecords.REQUEST_FRAME_OFFSET, s.frame, 0, TapEncoder.FRAME_LENGTH);
            s.seq++;
        }
        long sum = 0;
        for (int i = 0; i < BATCH; i++)
        {
            sum += plain.getLong(i * REQUEST_RECORD_BYTES + HandoffRecords.CONNECTION_ID_OFFSET);
        }
        return sum;
    }

    /** Event-loop side then engine side on one thread: {@value #BATCH} TAP requests in, one batched read out. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long requestRingWriteThenRead(final SingleThread s)
    {
        for (int i = 0; i < BATCH; i++)
        {
            if (!offer(s.requests, s.frame, s.seq++))
            {
                throw new IllegalStateException("request ring full in a single-thread run");
            }
        }
        s.handler.sum = 0;
        drain(s.requests, s.handler);
        return s.handler.sum;
    }

    /** Engine side then event-loop side for responses (TAP_RESULT records) on one thread. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long responseRingWriteThenRead(final SingleThread s)
    {
        final AtomicBuffer scratch = s.plain;
        for (int i = 0; i < BATCH; i++)
        {
            scratch.putLong(HandoffRecords.CONNECTION_ID_OFFSET, s.seq++);
            if (!s.responses.write(HandoffRecords.RESPONSE, scratch, 0, HandoffRecords.RESPONSE_FRAME_OFFSET + 24))
            {
                throw new IllegalStateException("response ring full in a single-thread run");
            }
        }
        s.handler.sum = 0;
        drain(s.responses, s.handler);
        return s.handler.sum;
    }

    /** The event-loop thread of the pair: offers one request, spinning while the ring is full. */
    @Benchmark
    @Group("handoff")
    @GroupThreads(1)
    public void eventLoopOffer(final Shared shared, final Local local)
    {
        while (!offer(shared.requests, local.frame, local.seq))
        {
            Thread.onSpinWait();
        }
        local.seq++;
    }

    /** The engine thread of the pair: reads up to a batch; a read of nothing counts as a (cheap) operation. */
    @Benchmark
    @Group("handoff")
    @GroupThreads(1)
    public int engineRead(final Shared shared, final Local local, final Blackhole blackhole)
    {
        final int read = shared.requests.read(local.handler, BATCH);
        blackhole.consume(local.handler.sum);
        return read;
    }

    /**
     * Reads a whole batch: one read stops at the physical end of the ring (and a read that only skips the padding
     * record there returns 0), as the engine's next duty cycle would read the rest.
     */
    static void drain(final RingBuffer ring, final SumHandler handler)
    {
        int read = 0;
        int emptyReads = 0;
        while (read < BATCH)
        {
            final int count = ring.read(handler, BATCH - read);
            if (count == 0 && ++emptyReads > 2)
            {
                throw new IllegalStateException("read " + read + " of " + BATCH);
            }
            read += count;
        }
    }

    static boolean offer(final ManyToOneRingBuffer requests, final byte[] frame, final long seq)
    {
        final int claimIndex = requests.tryClaim(HandoffRecords.REQUEST, REQUEST_RECORD_BYTES);
        if (claimIndex < 0)
        {
            return false;
        }
        final AtomicBuffer buffer = requests.buffer();
        buffer.putLong(claimIndex + HandoffRecords.CONNECTION_ID_OFFSET, seq);
        buffer.putLong(claimIndex + HandoffRecords.RECEIVED_NS_OFFSET, seq);
        buffer.putLong(claimIndex + HandoffRecords.REQUEST_NOW_MS_OFFSET, seq);
        buffer.putInt(claimIndex + HandoffRecords.REQUEST_SEQ_OFFSET, (int)seq);
        buffer.putBytes(claimIndex + HandoffRecords.REQUEST_FRAME_OFFSET, frame, 0, frame.length);
        requests.commit(claimIndex);
        return true;
    }

    static UnsafeBuffer ring(final int capacity)
    {
        return new UnsafeBuffer(ByteBuffer.allocateDirect(capacity + RingBufferDescriptor.TRAILER_LENGTH));
    }

    static byte[] tapFrame()
    {
        final byte[] frame = new byte[TapEncoder.FRAME_LENGTH];
        new TapEncoder().wrap(new UnsafeBuffer(frame), 0).correlation(1).cardId(1_000_001L).programId(1).quantity(1)
            .flags(0).terminalTimeMs(1_700_000_000_000L);
        return frame;
    }

    /** Reads the connection id of each record, as the engine does first. */
    static final class SumHandler implements MessageHandler
    {
        long sum;

        public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
        {
            sum += buffer.getLong(index + HandoffRecords.CONNECTION_ID_OFFSET) + length;
        }
    }
}
