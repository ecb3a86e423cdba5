package io.tapswitch.protocol.netty;

import static io.tapswitch.protocol.TestFrames.balanceResult;
import static io.tapswitch.protocol.TestFrames.concat;
import static io.tapswitch.protocol.TestFrames.error;
import static io.tapswitch.protocol.TestFrames.heartbeat;
import static io.tapswitch.protocol.TestFrames.raw;
import static io.tapswitch.protocol.TestFrames.tap;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.tapswitch.protocol.Direction;
import io.tapswitch.protocol.FrameHeader;
import io.tapswitch.protocol.FrameValidator;
import io.tapswitch.protocol.MessageType;
import io.tapswitch.protocol.ReasonCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoLeaksExtension.class)
class TapFrameDecoderTest
{
    private static final int CORRELATION = 0x0A0B0C0D;

    private final List<ByteBuf> inputs = new ArrayList<>();
    private EmbeddedChannel channel = new EmbeddedChannel(new TapFrameDecoder(Direction.REQUESTS));

    @AfterEach
    void closeChannelAndCheckInputsReleased()
    {
        channel.finishAndReleaseAll();
        for (final ByteBuf input : inputs)
        {
            assertThat(input.refCnt()).as("input buffer released by the decoder").isZero();
        }
    }

    @Test
    void shouldEmitAWholeValidFrame()
    {
        final byte[] frame = tap(CORRELATION, 123L, 1);

        write(frame);

        assertThat(readFrames()).containsExactly(frame);
    }

    @Test
    void shouldEmitSeveralFramesArrivingInOneBuffer()
    {
        final byte[] first = tap(1, 1L, 1);
        final byte[] second = heartbeat(2, 99L);
        final byte[] third = tap(3, 3L, 2);

        write(concat(first, second, third));

        assertThat(readFrames()).containsExactly(first, second, third);
    }

    @Test
    void shouldEmitAFrameArrivingOneByteAtATime()
    {
        final byte[] frame = tap(CORRELATION, 123L, 1);

        for (int i = 0; i < frame.length; i++)
        {
            assertThat(channel.<Object>readInbound()).as("nothing before the last byte").isNull();
            write(Arrays.copyOfRange(frame, i, i + 1));
        }

        assertThat(readFrames()).containsExactly(frame);
    }

    @Test
    void shouldTreatTheMaximumLengthAsInRangeAndCopyTheCorrelation()
    {
        write(raw(FrameHeader.MAX_LENGTH, 1, 0x06, CORRELATION, 0));

        final MalformedFrame malformed = readMalformed();
        assertThat(malformed.result()).isEqualTo(FrameValidator.UNKNOWN_TYPE);
        assertThat(malformed.correlation()).isEqualTo(CORRELATION);
    }

    @Test
    void shouldTreatTheMinimumLengthAsInRangeAndCopyTheCorrelation()
    {
        write(raw(FrameHeader.MIN_LENGTH, 1, MessageType.HEARTBEAT, CORRELATION, 0));

        final MalformedFrame malformed = readMalformed();
        assertThat(malformed.result()).isEqualTo(FrameValidator.WRONG_BODY_SIZE);
        assertThat(malformed.correlation()).isEqualTo(CORRELATION);
    }

    @Test
    void shouldRejectALengthAboveTheMaximumFromItsTwoBytes()
    {
        write(new byte[] {(byte)0xFF, (byte)0x0F});

        final MalformedFrame malformed = readMalformed();
        assertThat(malformed.result()).isEqualTo(FrameValidator.LENGTH_TOO_LARGE);
        assertThat(malformed.reasonCode()).isEqualTo(ReasonCode.MALFORMED_FRAME);
        assertThat(malformed.correlation()).isZero();
        assertThat(malformed.length()).isEqualTo(4095);
        assertThat(malformed.detail()).contains("4095").contains("4094");
    }

    @Test
    void shouldRejectALengthBelowTheMinimumWithCorrelationZero()
    {
        write(raw(5, 1, MessageType.TAP, CORRELATION, 24));

        final MalformedFrame malformed = readMalformed();
        assertThat(malformed.result()).isEqualTo(FrameValidator.LENGTH_TOO_SMALL);
        assertThat(malformed.correlation()).isZero();
    }

    @Test
    void shouldRejectAWrongVersionWithTheFramesCorrelation()
    {
        final byte[] frame = tap(CORRELATION, 1L, 1);
        frame[FrameHeader.VERSION_OFFSET] = 2;

        write(Arrays.copyOf(frame, FrameHeader.HEADER_BYTES));

        final MalformedFrame malformed = readMalformed();
        assertThat(malformed.result()).isEqualTo(FrameValidator.UNSUPPORTED_VERSION);
        assertThat(malformed.correlation()).isEqualTo(CORRELATION);
        assertThat(malformed.detail()).contains("version 2");
    }

    @Test
    void shouldRejectAnUnknownTypeWithTheFramesCorrelation()
    {
        write(raw(FrameHeader.lengthFieldFor(8), 1, 0x06, CORRELATION, 8));

        final MalformedFrame malformed = readMalformed();
        assertThat(malformed.result()).isEqualTo(FrameValidator.UNKNOWN_TYPE);
        assertThat(malformed.correlation()).isEqualTo(CORRELATION);
        assertThat(malformed.detail()).contains("0x06");
    }

    @Test
    void shouldRejectAResponseTypeSentToTheSwitch()
    {
        write(raw(FrameHeader.lengthFieldFor(8), 1, MessageType.HEARTBEAT_RESULT, CORRELATION, 8));

        assertThat(readMalformed().result()).isEqualTo(FrameValidator.UNKNOWN_TYPE);
    }

    @Test
    void shouldRejectARequestTypeSentToATerminal()
    {
        channel = new EmbeddedChannel(new TapFrameDecoder(Direction.RESPONSES));

        write(heartbeat(CORRELATION, 5L));

        assertThat(readMalformed().result()).isEqualTo(FrameValidator.UNKNOWN_TYPE);
    }

    @Test
    void shouldRejectAWrongBodySizeWithoutWaitingForTheBody()
    {
        write(raw(FrameHeader.lengthFieldFor(20), 1, MessageType.TAP, CORRELATION, 0));

        final MalformedFrame malformed = readMalformed();
        assertThat(malformed.result()).isEqualTo(FrameValidator.WRONG_BODY_SIZE);
        assertThat(malformed.correlation()).isEqualTo(CORRELATION);
        assertThat(malformed.detail()).isEqualTo("TAP body is 20 bytes, expected 24");
    }

    @Test
    void shouldRejectABalanceResultWhoseCountDoesNotMatchItsBody()
    {
        channel = new EmbeddedChannel(new TapFrameDecoder(Direction.RESPONSES));
        final byte[] frame = balanceResult(CORRELATION, 3);
        frame[FrameHeader.BODY_OFFSET + 2] = 2;

        write(frame);

        final MalformedFrame malformed = readMalformed();
        assertThat(malformed.result()).isEqualTo(FrameValidator.WRONG_BODY_SIZE);
        assertThat(malformed.variableField()).isEqualTo(2);
    }

    @Test
    void shouldRejectABalanceResultWithMoreThan64Entries()
    {
        channel = new EmbeddedChannel(new TapFrameDecoder(Direction.RESPONSES));
        final byte[] frame = raw(FrameHeader.lengthFieldFor(4 + 16 * 65), 1, MessageType.BALANCE_RESULT, CORRELATION, 4);
        frame[FrameHeader.BODY_OFFSET + 2] = 65;

        write(frame);

        final MalformedFrame malformed = readMalformed();
        assertThat(malformed.result()).isEqualTo(FrameValidator.COUNT_TOO_LARGE);
        assertThat(malformed.correlation()).isEqualTo(CORRELATION);
    }

    @Test
    void shouldRejectAnErrorWithADetailLongerThan256Bytes()
    {
        channel = new EmbeddedChannel(new TapFrameDecoder(Direction.RESPONSES));
        final byte[] frame = raw(FrameHeader.lengthFieldFor(4 + 257), 1, MessageType.ERROR, CORRELATION, 4);
        frame[FrameHeader.BODY_OFFSET + 2] = 1;
        frame[FrameHeader.BODY_OFFSET + 3] = 1;

        write(frame);

        assertThat(readMalformed().result()).isEqualTo(FrameValidator.DETAIL_TOO_LONG);
    }

    @Test
    void shouldEmitVariableSizeResponsesWhole()
    {
        channel = new EmbeddedChannel(new TapFrameDecoder(Direction.RESPONSES));
        final byte[] balance = balanceResult(1, 64);
        final byte[] empty = balanceResult(2, 0);
        final byte[] err = error(3, ReasonCode.MALFORMED_FRAME, "frame length 4095 is above the maximum 4094");

        write(concat(balance, empty, err));

        assertThat(readFrames()).containsExactly(balance, empty, err);
    }

    @Test
    void shouldReportATruncatedFrameWhenTheInputEnds()
    {
        final byte[] frame = tap(CORRELATION, 1L, 1);
        write(Arrays.copyOf(frame, frame.length - 1));
        assertThat(channel.<Object>readInbound()).isNull();

        channel.finish();

        final MalformedFrame malformed = readMalformed();
        assertThat(malformed.result()).isEqualTo(FrameValidator.TRUNCATED);
        assertThat(malformed.correlation()).isEqualTo(CORRELATION);
    }

    @Test
    void shouldReportNothingWhenTheInputEndsBetweenFrames()
    {
        final byte[] frame = tap(CORRELATION, 1L, 1);
        write(frame);

        channel.finish();

        assertThat(readFrames()).containsExactly(frame);
    }

    @Test
    void shouldEmitTheValidFramesBeforeTheMalformedOneAndDiscardEverythingAfter()
    {
        final byte[] good = tap(1, 1L, 1);
        final byte[] bad = tap(2, 2L, 1);
        bad[FrameHeader.VERSION_OFFSET] = 9;
        final byte[] after = tap(3, 3L, 1);

        write(concat(good, bad, after));
        write(after);
        write(heartbeat(4, 4L));
        channel.finish();

        final List<Object> out = readAll();
        assertThat(out).hasSize(2);
        assertThat(toBytes(out.get(0))).isEqualTo(good);
        assertThat(out.get(1)).isInstanceOfSatisfying(
            MalformedFrame.class,
            (malformed) ->
            {
                assertThat(malformed.result()).isEqualTo(FrameValidator.UNSUPPORTED_VERSION);
                assertThat(malformed.correlation()).isEqualTo(2);
            });
    }

    private void write(final byte[] bytes)
    {
        final ByteBuf input = Unpooled.directBuffer(bytes.length).writeBytes(bytes);
        inputs.add(input);
        channel.writeInbound(input);
    }

    private MalformedFrame readMalformed()
    {
        final List<Object> out = readAll();
        assertThat(out).hasSize(1);
        assertThat(out.get(0)).isInstanceOf(MalformedFrame.class);
        return (MalformedFrame)out.get(0);
    }

    private List<byte[]> readFrames()
    {
        final List<byte[]> frames = new ArrayList<>();
        for (final Object message : readAll())
        {
            frames.add(toBytes(message));
        }
        return frames;
    }

    private List<Object> readAll()
    {
        final List<Object> out = new ArrayList<>();
        Object message;
        while ((message = channel.readInbound()) != null)
        {
            out.add(message);
        }
        return out;
    }

    private static byte[] toBytes(final Object message)
    {
        assertThat(message).isInstanceOf(ByteBuf.class);
        final ByteBuf frame = (ByteBuf)message;
        try
        {
            return ByteBufUtil.getBytes(frame);
        }
        finally
        {
            frame.release();
        }
    }
}
