package io.tapswitch.bench.jmh;

import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.ReferenceCountUtil;
import io.tapswitch.protocol.Direction;
import io.tapswitch.protocol.TapEncoder;
import io.tapswitch.protocol.netty.TapFrameDecoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The Netty {@link TapFrameDecoder} (framing + validation) on a stream of {@value #FRAMES} TAP frames arriving in
 * reads of {@code chunkBytes}: the whole burst in one read, reads of 100 bytes (frames split across reads) and
 * 7-byte reads (every frame split, headers too). Scores are per frame. The chunks are retained slices of one
 * pooled direct buffer, as a socket read hands the pipeline a pooled buffer; a sink handler counts and releases
 * every frame.
 * <p>
 * Baselines in the same run: {@link #baselinePipelineOnly} (the chunks through the same pipeline without a
 * decoder) and {@link #baselineLengthFieldDecoder} (Netty's stock {@link LengthFieldBasedFrameDecoder}: framing
 * without the protocol's checks).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class FrameDecoderBenchmark
{
    public static final int FRAMES = 64;
    private static final int STREAM_BYTES = FRAMES * TapEncoder.FRAME_LENGTH;

    @Param({"2048", "100", "7"})
    public int chunkBytes;

    private ByteBuf stream;
    private EmbeddedChannel tapChannel;
    private EmbeddedChannel lengthFieldChannel;
    private EmbeddedChannel plainChannel;
    private CountingSink tapSink;
    private CountingSink lengthFieldSink;
    private CountingSink plainSink;

    @Setup(Level.Trial)
    public void setup()
    {
        final byte[] frames = new byte[STREAM_BYTES];
        final UnsafeBuffer buffer = new UnsafeBuffer(frames);
        final TapEncoder encoder = new TapEncoder();
        for (int i = 0; i < FRAMES; i++)
        {
            encoder.wrap(buffer, i * TapEncoder.FRAME_LENGTH).correlation(i).cardId(1_000_001L + i).programId(1)
                .quantity(1).flags(0).terminalTimeMs(1_700_000_000_000L);
        }
        stream = PooledByteBufAllocator.DEFAULT.directBuffer(STREAM_BYTES).writeBytes(frames);

        tapSink = new CountingSink();
        tapChannel = channel(new TapFrameDecoder(Direction.REQUESTS), tapSink);
        lengthFieldSink = new CountingSink();
        lengthFieldChannel = channel(new LengthFieldBasedFrameDecoder(
            ByteOrder.LITTLE_ENDIAN, 4096, 0, 2, 0, 0, true), lengthFieldSink);
        plainSink = new CountingSink();
        plainChannel = channel(null, plainSink);
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        // Every burst holds FRAMES whole frames: a decoder that lost or split one would leave a remainder.
        if (tapSink.frames % FRAMES != 0 || lengthFieldSink.frames % FRAMES != 0 ||
            tapSink.frames + lengthFieldSink.frames + plainSink.frames == 0)
        {
            throw new IllegalStateException("decoded frames " + tapSink.frames + " / " + lengthFieldSink.frames +
                " are not whole bursts of " + FRAMES);
        }
        tapChannel.finishAndReleaseAll();
        lengthFieldChannel.finishAndReleaseAll();
        plainChannel.finishAndReleaseAll();
        stream.release();
    }

    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public long tapFrameDecoder()
    {
        return feed(tapChannel, tapSink);
    }

    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public long baselineLengthFieldDecoder()
    {
        return feed(lengthFieldChannel, lengthFieldSink);
    }

    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public long baselinePipelineOnly()
    {
        return feed(plainChannel, plainSink);
    }

    private long feed(final EmbeddedChannel channel, final CountingSink sink)
    {
        final ChannelPipeline pipeline = channel.pipeline();
        final int chunk = chunkBytes;
        for (int offset = 0; offset < STREAM_BYTES; offset += chunk)
        {
            pipeline.fireChannelRead(stream.retainedSlice(offset, Math.min(chunk, STREAM_BYTES - offset)));
        }
        pipeline.fireChannelReadComplete();
        return sink.frames;
    }

    private static EmbeddedChannel channel(final ChannelHandler decoder, final CountingSink sink)
    {
        final EmbeddedChannel channel = new EmbeddedChannel();
        if (null != decoder)
        {
            channel.pipeline().addLast(decoder);
        }
        channel.pipeline().addLast(sink);
        return channel;
    }

    /** Counts and releases what reaches the end of the pipeline. */
    static final class CountingSink extends ChannelInboundHandlerAdapter
    {
        long frames;

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            frames++;
            ReferenceCountUtil.release(msg);
        }
    }
}
