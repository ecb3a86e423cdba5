package io.tapswitch.switching.snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Reads a file written by {@link SnapshotOutput}. {@link #verifyChecksum(Path)} checks the whole file first.
 * Not thread-safe.
 */
public final class SnapshotInput implements AutoCloseable
{
    private static final int BUFFER_BYTES = 1 << 20;

    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private int lastCount;

    public SnapshotInput(final Path file) throws IOException
    {
        channel = FileChannel.open(file, StandardOpenOption.READ);
        buffer.flip();
    }

    /**
     * @return true when the file's trailing CRC32C matches its content.
     */
    public static boolean verifyChecksum(final Path file) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final long size = channel.size();
            if (size < 8)
            {
                return false;
            }
            final CRC32C crc = new CRC32C();
            final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            long remaining = size - 8;
            while (remaining > 0)
            {
                buffer.clear();
                buffer.limit((int)Math.min(buffer.capacity(), remaining));
                final int read = channel.read(buffer);
                if (read < 0)
                {
                    return false;
                }
                buffer.flip();
                crc.update(buffer);
                remaining -= read;
            }
            buffer.clear();
            buffer.limit(8);
            while (buffer.hasRemaining())
            {
                if (channel.read(buffer) < 0)
                {
                    return false;
                }
            }
            buffer.flip();
            return buffer.getLong() == crc.getValue();
        }
    }

    private void need(final int bytes) throws IOException
    {
        if (buffer.remaining() >= bytes)
        {
            return;
        }
        buffer.compact();
        while (buffer.position() < bytes)
        {
            if (channel.read(buffer) < 0)
            {
                throw new IOException("snapshot truncated");
            }
        }
        buffer.flip();
    }

    public int readInt() throws IOException
    {
        need(4);
        return buffer.getInt();
    }

    public long readLong() throws IOException
    {
        need(8);
        return buffer.getLong();
    }

    /**
     * Reads an array written by {@link SnapshotOutput#writeLongs} into an array of at least {@code minLength}.
     */
    public long[] readLongs(final int minLength) throws IOException
    {
        return readLongs(minLength, 0);
    }

    /**
     * Reads an array written by {@link SnapshotOutput#writeLongs} into an array of at least {@code minLength}, its
     * elements from index {@code offset} on (the first {@code offset} are 0).
     */
    public long[] readLongs(final int minLength, final int offset) throws IOException
    {
        final int count = readInt();
        lastCount = count;
        final long[] values = new long[Math.max(offset + count, minLength)];
        int done = 0;
        while (done < count)
        {
            need(8);
            final int n = Math.min(count - done, buffer.remaining() / 8);
            buffer.asLongBuffer().get(values, offset + done, n);
            buffer.position(buffer.position() + n * 8);
            done += n;
        }
        return values;
    }

    public int[] readInts(final int minLength) throws IOException
    {
        final int count = readInt();
        lastCount = count;
        final int[] values = new int[Math.max(count, minLength)];
        int done = 0;
        while (done < count)
        {
            need(4);
            final int n = Math.min(count - done, buffer.remaining() / 4);
            buffer.asIntBuffer().get(values, done, n);
            buffer.position(buffer.position() + n * 4);
            done += n;
        }
        return values;
    }

    public byte[] readBytes(final int minLength) throws IOException
    {
        final int count = readInt();
        lastCount = count;
        final byte[] values = new byte[Math.max(count, minLength)];
        int done = 0;
        while (done < count)
        {
            need(1);
            final int n = Math.min(count - done, buffer.remaining());
            buffer.get(values, done, n);
            done += n;
        }
        return values;
    }

    /**
     * @return the element count of the last array read (arrays may be returned longer than their content).
     */
    public int lastCount()
    {
        return lastCount;
    }

    @Override
    public void close() throws IOException
    {
        channel.close();
    }
}
