package io.tapswitch.switching.snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Writes a snapshot file: primitives and primitive arrays, little-endian, through one reused 1 MiB direct buffer, with
 * a CRC32C of the whole content appended by {@link #finish()}. Not thread-safe.
 */
public final class SnapshotOutput implements AutoCloseable
{
    private static final int BUFFER_BYTES = 1 << 20;

    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private final CRC32C crc = new CRC32C();
    private long bytesWritten;

    public SnapshotOutput(final Path file) throws IOException
    {
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE);
    }

    private void ensure(final int bytes) throws IOException
    {
        if (buffer.remaining() < bytes)
        {
            flush();
        }
    }

    private void flush() throws IOException
    {
        buffer.flip();
        crc.update(buffer.duplicate());
        while (buffer.hasRemaining())
        {
            bytesWritten += channel.write(buffer);
        }
        buffer.clear();
    }

    public void writeInt(final int value) throws IOException
    {
        ensure(4);
        buffer.putInt(value);
    }

    public void writeLong(final long value) throws IOException
    {
        ensure(8);
        buffer.putLong(value);
    }

    public void writeLongs(final long[] values, final int count) throws IOException
    {
        writeLongs(values, 0, count);
    }

    /**
     * Writes {@code count} longs of {@code values} from {@code offset} as {@link #writeLongs(long[], int)} writes its
     * first {@code count} (read back by {@link SnapshotInput#readLongs}).
     */
    public void writeLongs(final long[] values, final int offset, final int count) throws IOException
    {
        writeInt(count);
        int done = 0;
        while (done < count)
        {
            ensure(8);
            final int n = Math.min(count - done, buffer.remaining() / 8);
            buffer.asLongBuffer().put(values, offset + done, n);
            buffer.position(buffer.position() + n * 8);
            done += n;
        }
    }

    public void writeInts(final int[] values, final int count) throws IOException
    {
        writeInt(count);
        int done = 0;
        while (done < count)
        {
            ensure(4);
            final int n = Math.min(count - done, buffer.remaining() / 4);
            buffer.asIntBuffer().put(values, done, n);
            buffer.position(buffer.position() + n * 4);
            done += n;
        }
    }

    public void writeBytes(final byte[] values, final int count) throws IOException
    {
        writeInt(count);
        int done = 0;
        while (done < count)
        {
            ensure(1);
            final int n = Math.min(count - done, buffer.remaining());
            buffer.put(values, done, n);
            done += n;
        }
    }

    /**
     * Appends the CRC32C of everything written and forces the file to disk.
     *
     * @return the file size in bytes.
     */
    public long finish() throws IOException
    {
        flush();
        final long checksum = crc.getValue();
        buffer.putLong(checksum);
        buffer.flip();
        while (buffer.hasRemaining())
        {
            bytesWritten += channel.write(buffer);
        }
        buffer.clear();
        channel.force(true);
        return bytesWritten;
    }

    @Override
    public void close() throws IOException
    {
        channel.close();
    }
}
