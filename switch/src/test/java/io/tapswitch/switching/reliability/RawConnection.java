package io.tapswitch.switching.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.tapswitch.protocol.BalanceEncoder;
import io.tapswitch.protocol.LogonEncoder;
import io.tapswitch.protocol.LogonMac;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A plain blocking TCP socket to the switch for hostile clients: raw bytes out, whole frames in, and a bounded wait
 * for the switch to close the connection. Not thread-safe, except {@link #close()}.
 */
public final class RawConnection implements AutoCloseable
{
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawConnection(final Socket socket) throws IOException
    {
        this.socket = socket;
        this.in = new java.io.BufferedInputStream(socket.getInputStream(), 65_536);
        this.out = socket.getOutputStream();
    }

    /**
     * @param receiveBufferBytes the socket's receive buffer (small for a client that never reads), or 0 for the
     *                           default.
     */
    public static RawConnection open(final int port, final int receiveBufferBytes)
    {
        return open(port, receiveBufferBytes, null);
    }

    /**
     * @param sourceAddress a loopback address to connect from (e.g. 127.0.0.2, another source to the switch's
     *                      per-source LOGON throttling), or null for the default.
     */
    public static RawConnection open(final int port, final int receiveBufferBytes, final String sourceAddress)
    {
        final Socket socket = new Socket();
        try
        {
            if (null != sourceAddress)
            {
                socket.bind(new InetSocketAddress(sourceAddress, 0));
            }
            if (receiveBufferBytes > 0)
            {
                socket.setReceiveBufferSize(receiveBufferBytes);
            }
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            return new RawConnection(socket);
        }
        catch (final IOException ex)
        {
            try
            {
                socket.close();
            }
            catch (final IOException ignored)
            {
                // nothing to release
            }
            throw new UncheckedIOException(ex);
        }
    }

    public void write(final byte[] bytes) throws IOException
    {
        out.write(bytes);
        out.flush();
    }

    /**
     * @return the next whole frame, or null when the switch closed the connection.
     * @throws SocketTimeoutException when nothing complete arrived within the timeout.
     */
    public byte[] readFrame(final long timeoutMs) throws IOException
    {
        socket.setSoTimeout((int)timeoutMs);
        final byte[] lengthField = readFully(2);
        if (null == lengthField)
        {
            return null;
        }
        final int length = (lengthField[0] & 0xFF) | ((lengthField[1] & 0xFF) << 8);
        final byte[] rest = readFully(length);
        if (null == rest)
        {
            return null;
        }
        final byte[] frame = Arrays.copyOf(lengthField, 2 + length);
        System.arraycopy(rest, 0, frame, 2, length);
        return frame;
    }

    /**
     * Reads and discards until the switch closes the connection or the deadline passes.
     *
     * @return true when the switch closed (EOF or reset) within the timeout.
     */
    public boolean awaitClosedBySwitch(final long timeoutMs)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        final byte[] sink = new byte[4096];
        try
        {
            while (true)
            {
                final long leftMs = TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime());
                if (leftMs <= 0)
                {
                    return false;
                }
                socket.setSoTimeout((int)leftMs);
                if (in.read(sink) < 0)
                {
                    return true;
                }
            }
        }
        catch (final SocketTimeoutException ex)
        {
            return false;
        }
        catch (final IOException ex)
        {
            return true;
        }
    }

    private byte[] readFully(final int lengthBytes) throws IOException
    {
        final byte[] bytes = new byte[lengthBytes];
        int read = 0;
        while (read < lengthBytes)
        {
            final int count = in.read(bytes, read, lengthBytes - read);
            if (count < 0)
            {
                return null;
            }
            read += count;
        }
        return bytes;
    }

    @Override
    public void close()
    {
        try
        {
            socket.close();
        }
        catch (final IOException ignored)
        {
            // closing anyway
        }
    }

    /**
     * @return a signed LOGON frame for the terminal with the given key, the current time and a random nonce.
     */
    public static byte[] logonFrame(final long terminalId, final byte[] key, final int correlation)
    {
        return logonFrame(terminalId, key, correlation, System.currentTimeMillis());
    }

    /**
     * @return a signed LOGON frame stamped with the given time (a terminal whose clock is off) and a random nonce.
     */
    public static byte[] logonFrame(final long terminalId, final byte[] key, final int correlation, final long timestampMs)
    {
        final byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        final byte[] frame = new byte[LogonEncoder.FRAME_LENGTH];
        final UnsafeBuffer buffer = new UnsafeBuffer(frame);
        new LogonEncoder().wrap(buffer, 0).correlation(correlation).terminalId(terminalId)
            .timestampMs(timestampMs).nonce(nonce, 0);
        new LogonMac().key(key).sign(buffer, 0);
        return frame;
    }

    public static byte[] balanceFrame(final int correlation, final long cardId)
    {
        final byte[] frame = new byte[BalanceEncoder.FRAME_LENGTH];
        new BalanceEncoder().wrap(new UnsafeBuffer(frame), 0).correlation(correlation).cardId(cardId);
        return frame;
    }
}
