package io.tapswitch.protocol.netty;

import io.netty.buffer.ByteBuf;
import io.tapswitch.protocol.FrameHeader;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Bridges the frames {@link TapFrameDecoder} emits to the Agrona flyweights: points an {@link UnsafeBuffer}
 * at a frame's bytes without copying when the {@link ByteBuf} exposes its memory (a direct buffer with a memory
 * address, or a heap buffer with an array), and copies into a caller-owned scratch array only otherwise
 * (e.g. a composite buffer).
 * <p>
 * The view is valid only while the frame is not released. Static, allocation-free; safe from any thread with
 * arguments that thread owns.
 */
public final class ByteBufFrames
{
    private ByteBufFrames()
    {
    }

    /**
     * @param view    re-pointed at the frame; the frame starts at index 0 of the view.
     * @param frame   a frame (its readable bytes), e.g. from {@link TapFrameDecoder}.
     * @param scratch used only when the frame's memory cannot be wrapped; at least
     *                {@link FrameHeader#MAX_FRAME_BYTES} long.
     * @return the frame length in bytes (the view's capacity).
     */
    public static int wrap(final UnsafeBuffer view, final ByteBuf frame, final byte[] scratch)
    {
        final int lengthBytes = frame.readableBytes();
        if (frame.hasMemoryAddress())
        {
            view.wrap(frame.memoryAddress() + frame.readerIndex(), lengthBytes);
        }
        else if (frame.hasArray())
        {
            view.wrap(frame.array(), frame.arrayOffset() + frame.readerIndex(), lengthBytes);
        }
        else
        {
            frame.getBytes(frame.readerIndex(), scratch, 0, lengthBytes);
            view.wrap(scratch, 0, lengthBytes);
        }
        return lengthBytes;
    }
}
