package io.tapswitch.protocol.netty;

import static io.tapswitch.protocol.TestFrames.tap;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.tapswitch.protocol.Direction;
import io.tapswitch.protocol.FrameHeader;
import io.tapswitch.protocol.TapDecoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoLeaksExtension.class)
class ByteBufFramesTest
{
    private static final byte[] FRAME = tap(0x11223344, 1_000_042L, 3);

    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final byte[] scratch = new byte[FrameHeader.MAX_FRAME_BYTES];
    private final TapDecoder decoder = new TapDecoder();

    @Test
    void shouldReadAFrameTheDecoderEmittedFromADirectBuffer()
    {
        final EmbeddedChannel channel = new EmbeddedChannel(new TapFrameDecoder(Direction.REQUESTS));
        final ByteBuf input = Unpooled.directBuffer().writeBytes(new byte[] {1, 2, 3}).skipBytes(3).writeBytes(FRAME);
        channel.writeInbound(input);
        final ByteBuf frame = channel.readInbound();
        try
        {
            assertThat(ByteBufFrames.wrap(view, frame, scratch)).isEqualTo(FRAME.length);
            assertFields();
        }
        finally
        {
            frame.release();
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void shouldReadAFrameInAHeapBufferAtAnOffset()
    {
        final ByteBuf heap = Unpooled.buffer(64).writeZero(7).writeBytes(FRAME).skipBytes(7);
        try
        {
            ByteBufFrames.wrap(view, heap, scratch);
            assertFields();
            assertThat(view.byteArray()).as("wrapped, not copied").isSameAs(heap.array());
        }
        finally
        {
            heap.release();
        }
    }

    @Test
    void shouldCopyACompositeBufferIntoScratch()
    {
        final CompositeByteBuf composite = Unpooled.compositeBuffer();
        composite.addComponent(true, Unpooled.directBuffer().writeBytes(FRAME, 0, 10));
        composite.addComponent(true, Unpooled.directBuffer().writeBytes(FRAME, 10, FRAME.length - 10));
        try
        {
            assertThat(ByteBufFrames.wrap(view, composite, scratch)).isEqualTo(FRAME.length);
            assertFields();
            assertThat(view.byteArray()).isSameAs(scratch);
        }
        finally
        {
            composite.release();
        }
    }

    private void assertFields()
    {
        decoder.wrap(view, 0);
        assertThat(decoder.correlation()).isEqualTo(0x11223344);
        assertThat(decoder.cardId()).isEqualTo(1_000_042L);
        assertThat(decoder.quantity()).isEqualTo(3);
        assertThat(view.capacity()).isEqualTo(FRAME.length);
    }
}
