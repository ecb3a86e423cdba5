package io.tapswitch.protocol.netty;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.tapswitch.protocol.Direction;
import io.tapswitch.protocol.FrameHeader;
import io.tapswitch.protocol.FrameValidator;
import io.tapswitch.protocol.MessageType;
import io.tapswitch.protocol.Messages;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterProperty;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The frame decoder against random input: whatever arrives, however it is split, the decoder throws nothing,
 * emits exactly the frames the stream holds up to the first malformed one, then at most one
 * {@link MalformedFrame} naming the failure the validator finds there, and nothing after it.
 * jqwik prints the seed of a failing try; rerun it with {@code @Property(seed = "...")}.
 */
class TapFrameDecoderPropertyTest
{
    private static final int TRIES = 300;

    @AfterProperty
    void noByteBufLeaked()
    {
        CollectingLeakDetector.assertNoLeaks();
    }

    @Property(tries = TRIES)
    void shouldDecodeAValidRequestStreamSplitAnywhereIntoExactlyItsFrames(
        @ForAll("requestFrames") final List<byte[]> frames,
        @ForAll("cuts") final List<Integer> cuts)
    {
        assertDecodesExactly(Direction.REQUESTS, frames, cuts);
    }

    @Property(tries = TRIES)
    void shouldDecodeAValidResponseStreamSplitAnywhereIntoExactlyItsFrames(
        @ForAll("responseFrames") final List<byte[]> frames,
        @ForAll("cuts") final List<Integer> cuts)
    {
        assertDecodesExactly(Direction.RESPONSES, frames, cuts);
    }

    @Property(tries = TRIES)
    void shouldOnlyEverEmitFramesThenOneMalformedFrameForRandomBytes(
        @ForAll @Size(max = 600) final byte[] input,
        @ForAll("cuts") final List<Integer> cuts,
        @ForAll final Direction direction)
    {
        assertMatchesModel(direction, input, cuts);
    }

    @Property(tries = TRIES)
    void shouldStopExactlyAtTheFirstDamagedFrame(
        @ForAll("requestFrames") final List<byte[]> frames,
        @ForAll("damages") final int[] damage,
        @ForAll("cuts") final List<Integer> cuts)
    {
        final byte[] stream = concat(frames);
        final byte[] damaged = damage(stream, damage);

        assertMatchesModel(Direction.REQUESTS, damaged, cuts);
    }

    @Property(tries = TRIES)
    void shouldStopExactlyAtTheFirstDamagedResponse(
        @ForAll("responseFrames") final List<byte[]> frames,
        @ForAll("damages") final int[] damage,
        @ForAll("cuts") final List<Integer> cuts)
    {
        final byte[] stream = concat(frames);
        final byte[] damaged = damage(stream, damage);

        assertMatchesModel(Direction.RESPONSES, damaged, cuts);
    }

    @Provide
    Arbitrary<List<byte[]>> requestFrames()
    {
        final Arbitrary<byte[]> frame = Combinators.combine(
            Arbitraries.integers().between(MessageType.LOGON, MessageType.HEARTBEAT),
            Arbitraries.integers(),
            Arbitraries.bytes().array(byte[].class).ofSize(Messages.Logon.BODY_LENGTH))
            .as((type, correlation, body) -> frame(type, correlation, body, MessageType.fixedBodyLength(type)));
        return frame.list().ofMaxSize(12);
    }

    @Provide
    Arbitrary<List<byte[]>> responseFrames()
    {
        final Arbitrary<byte[]> fixed = Combinators.combine(
            Arbitraries.integers().between(MessageType.LOGON_RESULT, MessageType.HEARTBEAT_RESULT)
                .filter((type) -> type != MessageType.BALANCE_RESULT),
            Arbitraries.integers(),
            Arbitraries.bytes().array(byte[].class).ofSize(16))
            .as((type, correlation, body) -> frame(type, correlation, body, MessageType.fixedBodyLength(type)));
        final Arbitrary<byte[]> balance = Combinators.combine(
            Arbitraries.integers(),
            Arbitraries.integers().between(0, Messages.BalanceResult.MAX_COUNT),
            Arbitraries.bytes().array(byte[].class).ofSize(Messages.BalanceResult.MAX_BODY_LENGTH))
            .as((correlation, count, body) ->
            {
                final byte[] frame = frame(
                    MessageType.BALANCE_RESULT, correlation, body, Messages.BalanceResult.bodyLength(count));
                putShortLe(frame, FrameHeader.BODY_OFFSET + Messages.BalanceResult.COUNT_OFFSET, count);
                return frame;
            });
        final Arbitrary<byte[]> error = Combinators.combine(
            Arbitraries.integers(),
            Arbitraries.integers().between(0, Messages.Error.MAX_DETAIL_BYTES),
            Arbitraries.bytes().array(byte[].class).ofSize(Messages.Error.MAX_BODY_LENGTH))
            .as((correlation, detailLength, body) ->
            {
                final byte[] frame = frame(MessageType.ERROR, correlation, body, Messages.Error.bodyLength(detailLength));
                putShortLe(frame, FrameHeader.BODY_OFFSET + Messages.Error.DETAIL_LENGTH_OFFSET, detailLength);
                return frame;
            });
        return Arbitraries.oneOf(fixed, balance, error).list().ofMaxSize(8);
    }

    /**
     * @return cut points as fractions of the stream in 1/10000ths, so that they fit any stream length.
     */
    @Provide
    Arbitrary<List<Integer>> cuts()
    {
        return Arbitraries.integers().between(0, 10_000).list().ofMaxSize(20);
    }

    /**
     * @return {kind, position in 1/10000ths of the stream, value}: kind 0 overwrites a byte, 1 cuts the stream
     * there, 2 inserts a byte.
     */
    @Provide
    Arbitrary<int[]> damages()
    {
        return Combinators.combine(
            Arbitraries.integers().between(0, 2),
            Arbitraries.integers().between(0, 10_000),
            Arbitraries.integers().between(0, 255))
            .as((kind, position, value) -> new int[] {kind, position, value});
    }

    private static void assertDecodesExactly(final Direction direction, final List<byte[]> frames, final List<Integer> cuts)
    {
        final List<ByteBuf> inputs = new ArrayList<>();
        final List<Object> out = decode(direction, concat(frames), cuts, inputs);
        try
        {
            assertThat(out).allMatch((message) -> message instanceof ByteBuf);
            final List<byte[]> decoded = new ArrayList<>();
            for (final Object message : out)
            {
                decoded.add(ByteBufUtil.getBytes((ByteBuf)message));
            }
            assertThat(decoded).containsExactlyElementsOf(frames);
        }
        finally
        {
            release(out);
        }
        assertInputsReleased(inputs);
    }

    /**
     * The model: walk the input with {@link FrameValidator#validate}; every VALID frame must come out whole and in
     * order; the first failure (TRUNCATED when the input ends inside a frame) must come out as one
     * {@link MalformedFrame} with that result and the correlation rule of the protocol, and nothing after it.
     */
    private static void assertMatchesModel(final Direction direction, final byte[] input, final List<Integer> cuts)
    {
        final List<ByteBuf> inputs = new ArrayList<>();
        final List<Object> out = decode(direction, input, cuts, inputs);
        try
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(input);
            int offset = 0;
            int index = 0;
            while (offset < input.length)
            {
                final int available = input.length - offset;
                final int result = FrameValidator.validate(buffer, offset, available, direction);
                assertThat(out.size()).as("output %d expected at input offset %d", index, offset).isGreaterThan(index);
                final Object message = out.get(index++);
                if (result == FrameValidator.VALID)
                {
                    final int frameLength = FrameHeader.frameLength(buffer, offset);
                    assertThat(message).isInstanceOf(ByteBuf.class);
                    assertThat(ByteBufUtil.getBytes((ByteBuf)message))
                        .isEqualTo(Arrays.copyOfRange(input, offset, offset + frameLength));
                    offset += frameLength;
                }
                else
                {
                    assertThat(message).isInstanceOf(MalformedFrame.class);
                    final MalformedFrame malformed = (MalformedFrame)message;
                    assertThat(malformed.result()).as(malformed.toString()).isEqualTo(result);
                    assertThat(malformed.reasonCode()).isEqualTo(FrameValidator.reasonCode(result));
                    final boolean headerBelongsToFrame = available >= FrameHeader.HEADER_BYTES &&
                        FrameValidator.validateLength(FrameHeader.length(buffer, offset)) == FrameValidator.VALID;
                    assertThat(malformed.correlation())
                        .isEqualTo(headerBelongsToFrame ? FrameHeader.correlation(buffer, offset) : 0);
                    assertThat(malformed.detail()).isNotEmpty();
                    break;
                }
            }
            assertThat(out).as("nothing after the model's last output").hasSize(index);
        }
        finally
        {
            release(out);
        }
        assertInputsReleased(inputs);
    }

    private static List<Object> decode(
        final Direction direction, final byte[] input, final List<Integer> cuts, final List<ByteBuf> inputs)
    {
        final EmbeddedChannel channel = new EmbeddedChannel(new TapFrameDecoder(direction));
        final List<Object> out = new ArrayList<>();
        try
        {
            final TreeSet<Integer> positions = new TreeSet<>();
            for (final int cut : cuts)
            {
                positions.add((int)((long)cut * input.length / 10_000));
            }
            positions.add(input.length);
            int start = 0;
            for (final int end : positions)
            {
                final ByteBuf chunk = Unpooled.directBuffer(Math.max(1, end - start)).writeBytes(input, start, end - start);
                inputs.add(chunk);
                channel.writeInbound(chunk);
                drain(channel, out);
                start = end;
            }
            channel.finish();
            drain(channel, out);
        }
        catch (final RuntimeException | Error ex)
        {
            release(out);
            throw ex;
        }
        finally
        {
            channel.finishAndReleaseAll();
        }
        return out;
    }

    /**
     * Called once every emitted frame was released: the decoder must hold no reference to any input left.
     */
    private static void assertInputsReleased(final List<ByteBuf> inputs)
    {
        for (final ByteBuf chunk : inputs)
        {
            assertThat(chunk.refCnt()).as("input chunk released by the decoder").isZero();
        }
    }

    private static void drain(final EmbeddedChannel channel, final List<Object> out)
    {
        Object message;
        while ((message = channel.readInbound()) != null)
        {
            out.add(message);
        }
    }

    private static void release(final List<Object> out)
    {
        for (final Object message : out)
        {
            if (message instanceof ByteBuf)
            {
                final ByteBuf frame = (ByteBuf)message;
                if (frame.refCnt() > 0)
                {
                    frame.release();
                }
            }
        }
        out.clear();
    }

    private static byte[] frame(final int type, final int correlation, final byte[] bodySource, final int bodyLength)
    {
        final byte[] frame = new byte[FrameHeader.HEADER_BYTES + bodyLength];
        putShortLe(frame, 0, FrameHeader.lengthFieldFor(bodyLength));
        frame[FrameHeader.VERSION_OFFSET] = FrameHeader.VERSION;
        frame[FrameHeader.TYPE_OFFSET] = (byte)type;
        frame[4] = (byte)correlation;
        frame[5] = (byte)(correlation >>> 8);
        frame[6] = (byte)(correlation >>> 16);
        frame[7] = (byte)(correlation >>> 24);
        System.arraycopy(bodySource, 0, frame, FrameHeader.HEADER_BYTES, bodyLength);
        return frame;
    }

    private static void putShortLe(final byte[] bytes, final int offset, final int value)
    {
        bytes[offset] = (byte)value;
        bytes[offset + 1] = (byte)(value >>> 8);
    }

    private static byte[] concat(final List<byte[]> frames)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] frame : frames)
        {
            out.writeBytes(frame);
        }
        return out.toByteArray();
    }

    private static byte[] damage(final byte[] stream, final int[] damage)
    {
        final int position = (int)((long)damage[1] * stream.length / 10_000);
        switch (damage[0])
        {
            case 0:
                if (stream.length == 0)
                {
                    return new byte[] {(byte)damage[2]};
                }
                final byte[] overwritten = stream.clone();
                final int index = Math.min(position, stream.length - 1);
                overwritten[index] = (byte)(overwritten[index] == (byte)damage[2] ? damage[2] + 1 : damage[2]);
                return overwritten;
            case 1:
                return Arrays.copyOf(stream, position);
            default:
                final byte[] inserted = new byte[stream.length + 1];
                System.arraycopy(stream, 0, inserted, 0, position);
                inserted[position] = (byte)damage[2];
                System.arraycopy(stream, position, inserted, position + 1, stream.length - position);
                return inserted;
        }
    }
}
