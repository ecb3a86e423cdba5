package io.tapswitch.protocol.netty;

import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.tapswitch.protocol.Direction;
import io.tapswitch.protocol.FrameHeader;
import io.tapswitch.protocol.FrameValidator;
import io.tapswitch.protocol.MessageType;

/**
 * Splits a Tap Protocol v1 byte stream into frames and validates each one.
 * <p>
 * <b>Output.</b> For every valid frame it emits one {@link ByteBuf}: a retained slice holding the whole frame,
 * length field included (so flyweights wrap it at offset 0 of its readable bytes). The next handler owns it and
 * must release it. A frame is emitted only when it is complete and passed every check: length range
 * (6..4094), version 1, a type accepted by the decoder's {@link Direction}, and the exact body size (for
 * BALANCE_RESULT and ERROR the size their count/detailLength gives, with count ≤ 64 and detailLength ≤ 256).
 * <p>
 * <b>Malformed input.</b> The decoder never throws for bad input. At the first failure it emits, after every
 * valid frame that preceded it, exactly one {@link MalformedFrame} (reason MALFORMED_FRAME, the correlation to
 * answer with, a detail text) and from then on discards every byte it receives. A failure is detected as soon
 * as the bytes that prove it have arrived: a bad length from the 2 length bytes (correlation 0), a bad version,
 * type or fixed body size from the 8 header bytes, a bad count/detailLength from 2 body bytes more, without
 * waiting for the rest of the frame. So at most 4096 bytes (one maximal frame) are ever buffered for a frame.
 * When the input ends (channel inactive or input shut down) inside a frame, it emits a {@link MalformedFrame}
 * with {@link FrameValidator#TRUNCATED}; the peer is gone, so a reader may just count it.
 * <p>
 * The reader of a server connection answers a {@link MalformedFrame} with ERROR and closes the connection;
 * it should also stop reading ({@code setAutoRead(false)}): the decoder only guarantees that nothing after the
 * failure is ever emitted.
 * <p>
 * One instance per channel (it is stateful, not {@code @Sharable}); runs on the channel's event loop.
 * Decoding a valid frame allocates nothing but the retained slice.
 */
public final class TapFrameDecoder extends ByteToMessageDecoder
{
    private final Direction direction;
    private boolean failed;

    /**
     * @param direction {@link Direction#REQUESTS} on the switch, {@link Direction#RESPONSES} on a terminal.
     */
    public TapFrameDecoder(final Direction direction)
    {
        this.direction = direction;
    }

    /**
     * @return which types this decoder accepts.
     */
    public Direction direction()
    {
        return direction;
    }

    /**
     * @return true once malformed input was seen; every further byte is discarded.
     */
    public boolean hasFailed()
    {
        return failed;
    }

    @Override
    protected void decode(final ChannelHandlerContext ctx, final ByteBuf in, final List<Object> out)
    {
        if (failed)
        {
            in.skipBytes(in.readableBytes());
            return;
        }

        final int readableBytes = in.readableBytes();
        if (readableBytes < FrameHeader.LENGTH_FIELD_BYTES)
        {
            return;
        }

        final int start = in.readerIndex();
        final int length = in.getUnsignedShortLE(start + FrameHeader.LENGTH_OFFSET);
        final int lengthResult = FrameValidator.validateLength(length);
        if (lengthResult != FrameValidator.VALID)
        {
            fail(in, out, new MalformedFrame(lengthResult, 0, length, -1, -1, -1));
            return;
        }
        if (readableBytes < FrameHeader.HEADER_BYTES)
        {
            return;
        }

        final int version = in.getUnsignedByte(start + FrameHeader.VERSION_OFFSET);
        final int type = in.getUnsignedByte(start + FrameHeader.TYPE_OFFSET);
        final int correlation = in.getIntLE(start + FrameHeader.CORRELATION_OFFSET);
        final int headerResult = FrameValidator.validateHeader(length, version, type, direction);
        if (headerResult != FrameValidator.VALID)
        {
            fail(in, out, new MalformedFrame(headerResult, correlation, length, version, type, -1));
            return;
        }

        if (MessageType.hasVariableBody(type))
        {
            if (readableBytes < FrameHeader.HEADER_BYTES + FrameValidator.variableFieldEnd(type))
            {
                return;
            }
            final int variableField = in.getUnsignedShortLE(
                start + FrameHeader.BODY_OFFSET + FrameValidator.variableFieldOffset(type));
            final int bodyResult = FrameValidator.validateVariableBody(
                type, length - FrameHeader.LENGTH_HEADER_PART, variableField);
            if (bodyResult != FrameValidator.VALID)
            {
                fail(in, out, new MalformedFrame(bodyResult, correlation, length, version, type, variableField));
                return;
            }
        }

        final int frameBytes = length + FrameHeader.LENGTH_FIELD_BYTES;
        if (readableBytes < frameBytes)
        {
            return;
        }
        out.add(in.readRetainedSlice(frameBytes));
    }

    @Override
    protected void decodeLast(final ChannelHandlerContext ctx, final ByteBuf in, final List<Object> out)
    {
        // Complete frames were already decoded by the caller; what is left is a frame cut short.
        if (failed || !in.isReadable())
        {
            in.skipBytes(in.readableBytes());
            return;
        }

        final int readableBytes = in.readableBytes();
        final int start = in.readerIndex();
        int length = -1;
        int version = -1;
        int type = -1;
        int correlation = 0;
        if (readableBytes >= FrameHeader.LENGTH_FIELD_BYTES)
        {
            length = in.getUnsignedShortLE(start + FrameHeader.LENGTH_OFFSET);
        }
        if (readableBytes >= FrameHeader.HEADER_BYTES)
        {
            version = in.getUnsignedByte(start + FrameHeader.VERSION_OFFSET);
            type = in.getUnsignedByte(start + FrameHeader.TYPE_OFFSET);
            correlation = in.getIntLE(start + FrameHeader.CORRELATION_OFFSET);
        }
        fail(in, out, new MalformedFrame(FrameValidator.TRUNCATED, correlation, length, version, type, -1));
    }

    private void fail(final ByteBuf in, final List<Object> out, final MalformedFrame malformedFrame)
    {
        failed = true;
        in.skipBytes(in.readableBytes());
        out.add(malformedFrame);
    }
}
