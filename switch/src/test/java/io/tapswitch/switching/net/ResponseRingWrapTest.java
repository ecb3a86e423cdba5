package io.tapswitch.switching.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import io.netty.channel.DefaultEventLoop;
import io.tapswitch.switching.pipeline.EngineWaker;
import io.tapswitch.switching.pipeline.HandoffRecords;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.api.Test;

/**
 * The root cause of the lost wake-up (RELIABILITY.md finding 7), deterministically: responses the engine thread
 * wrote so that they wrap around the end of the response ring's buffer, followed by one wake-up, must all be drained
 * by the drain that wake-up schedules. Agrona's {@code read} stops at the end of the buffer, so a drain that read
 * once left the responses after the wrap in the ring with no drain scheduled, until unrelated traffic or the
 * periodic check came (with one request in flight per terminal: never, without the check). No periodic check runs
 * here.
 */
class ResponseRingWrapTest
{
    private static final int RING_BYTES = 4096;
    private static final int RECORD_BYTES = HandoffRecords.RESPONSE_FRAME_OFFSET + 24;

    @Test
    void shouldDrainResponsesThatWrapAroundTheEndOfTheRingAfterOneWakeUp() throws Exception
    {
        final DefaultEventLoop loop = new DefaultEventLoop();
        try
        {
            final OneToOneRingBuffer ring = new OneToOneRingBuffer(new UnsafeBuffer(
                ByteBuffer.allocateDirect(RING_BYTES + RingBufferDescriptor.TRAILER_LENGTH)));
            final ManyToOneRingBuffer requests = new ManyToOneRingBuffer(new UnsafeBuffer(
                ByteBuffer.allocateDirect(RING_BYTES + RingBufferDescriptor.TRAILER_LENGTH)));
            final LoopResponder responder = new LoopResponder(0, loop, requests, ring,
                new EngineWaker(1_000_000));
            final UnsafeBuffer record = new UnsafeBuffer(new byte[RECORD_BYTES]);

            for (int round = 0; round < 20; round++)
            {
                // as the engine thread: a batch of responses (for connections already gone: dropped when drained),
                // then one wake-up
                for (int i = 0; i < 7 + round % 5; i++)
                {
                    assertThat(ring.write(HandoffRecords.RESPONSE, record, 0, RECORD_BYTES)).isTrue();
                }
                responder.wake();
                final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (ring.size() > 0 && System.nanoTime() < deadlineNs)
                {
                    Thread.sleep(1);
                }
                assertThat(ring.size()).as("round %d: bytes left in the ring after the drain of one wake-up " +
                    "(consumer at %d of a %d-byte ring)", round, ring.consumerPosition(), RING_BYTES).isZero();
            }
            assertThat(ring.consumerPosition()).as("the ring wrapped several times").isGreaterThan(2L * RING_BYTES);
        }
        finally
        {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}
