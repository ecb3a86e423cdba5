package io.tapswitch.protocol;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import org.agrona.DirectBuffer;

/**
 * Flyweight that reads a LOGON frame (type 0x01) in place. The frame must have been validated
 * ({@link FrameValidator}); the decoder trusts the header.
 * <p>
 * Allocates nothing. Not thread-safe; reuse one instance per thread by calling {@link #wrap} again.
 */
public final class LogonDecoder
{
    private DirectBuffer buffer;
    private int offset;

    public LogonDecoder wrap(final DirectBuffer buffer, final int frameOffset)
    {
        this.buffer = buffer;
        this.offset = frameOffset;
        return this;
    }

    public int correlation()
    {
        return buffer.getInt(offset + FrameHeader.CORRELATION_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @return the terminal id: unsigned 64-bit on the wire, returned as its raw bits.
     */
    public long terminalId()
    {
        return buffer.getLong(body() + Messages.Logon.TERMINAL_ID_OFFSET, LITTLE_ENDIAN);
    }

    public long timestampMs()
    {
        return buffer.getLong(body() + Messages.Logon.TIMESTAMP_MS_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @return nonce bytes 0..7 as a little-endian long.
     */
    public long nonceLow()
    {
        return buffer.getLong(body() + Messages.Logon.NONCE_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @return nonce bytes 8..15 as a little-endian long.
     */
    public long nonceHigh()
    {
        return buffer.getLong(body() + Messages.Logon.NONCE_OFFSET + 8, LITTLE_ENDIAN);
    }

    /**
     * Copies the 16 nonce bytes into dst.
     */
    public void getNonce(final byte[] dst, final int dstOffset)
    {
        buffer.getBytes(body() + Messages.Logon.NONCE_OFFSET, dst, dstOffset, Messages.Logon.NONCE_BYTES);
    }

    /**
     * Copies the 32 mac bytes into dst.
     */
    public void getMac(final byte[] dst, final int dstOffset)
    {
        buffer.getBytes(body() + Messages.Logon.MAC_OFFSET, dst, dstOffset, Messages.Logon.MAC_BYTES);
    }

    public DirectBuffer buffer()
    {
        return buffer;
    }

    public int offset()
    {
        return offset;
    }

    /**
     * @return the whole frame size, length field included.
     */
    public int encodedLength()
    {
        return LogonEncoder.FRAME_LENGTH;
    }

    private int body()
    {
        return offset + FrameHeader.BODY_OFFSET;
    }
}
