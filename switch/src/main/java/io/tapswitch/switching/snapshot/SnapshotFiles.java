package io.tapswitch.switching.snapshot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The snapshot files of a data directory ({@code <data-dir>/snapshots/snapshot-<sequence, 20 digits>.bin}): their
 * header, how one is written (a temp file, then an atomic rename), found (newest first), checked, loaded and pruned.
 * What follows the header (the tables) is written and read by the caller through {@link Body}.
 * <pre>
 *   magic 8 ("TAPSWSNP")  version 4  sequence 8  lastCommandId 8  lastCommandQueueIndex 8  lastJournalIndex 8
 *   … tables …  CRC32C 8 (SnapshotOutput)
 * </pre>
 * Not thread-safe; used by the engine thread (and by {@code Engine.open} before it).
 */
public final class SnapshotFiles
{
    public static final long MAGIC = 0x5441505357534E50L;
    /** Version 4: the card table with each card's record in its slot (engine {@code CardTable}), issue 14. */
    public static final int VERSION = 4;
    public static final int VERSION_PACKED = 3;
    public static final int VERSION_COLUMNS = 2;
    public static final int VERSION_WITHOUT_GRACE = 1;
    public static final String PREFIX = "snapshot-";
    public static final String SUFFIX = ".bin";

    /** The state a snapshot holds after its header. */
    public interface Body
    {
        void save(SnapshotOutput out) throws IOException;

        void load(SnapshotInput in, int version) throws IOException;
    }

    /** The positions a snapshot's header records; {@link #version} is the layout version it was written with. */
    public record Header(int version, long sequence, long lastCommandId, long lastCommandQueueIndex, long lastJournalIndex)
    {
    }

    private final Path dir;

    /**
     * @param dir the snapshots directory; created if absent.
     */
    public SnapshotFiles(final Path dir)
    {
        this.dir = dir;
        try
        {
            Files.createDirectories(dir);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create " + dir, ex);
        }
    }

    /**
     * @return the snapshot files, newest (highest sequence) first.
     */
    public List<Path> newestFirst()
    {
        final List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX))
        {
            for (final Path file : stream)
            {
                files.add(file);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot list " + dir, ex);
        }
        files.sort((a, b) -> b.getFileName().toString().compareTo(a.getFileName().toString()));
        return files;
    }

    /**
     * Reads a snapshot file whose checksum was verified: its header, then its body.
     *
     * @throws IOException when the file is not a snapshot of a known version, or cannot be read.
     */
    public static Header load(final Path file, final Body body) throws IOException
    {
        try (SnapshotInput in = new SnapshotInput(file))
        {
            final Header header = readHeader(in);
            if (null == header)
            {
                throw new IOException("not a snapshot: " + file);
            }
            body.load(in, header.version());
            return header;
        }
    }

    /**
     * @return the journal index a snapshot file covers, -1 if it is not a readable snapshot.
     */
    public static long journalIndexOf(final Path snapshot)
    {
        try (SnapshotInput in = new SnapshotInput(snapshot))
        {
            final Header header = readHeader(in);
            return null == header ? -1 : header.lastJournalIndex();
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }

    private static Header readHeader(final SnapshotInput in) throws IOException
    {
        final long magic = in.readLong();
        final int version = in.readInt();
        if (magic != MAGIC || (version != VERSION && version != VERSION_PACKED && version != VERSION_COLUMNS &&
            version != VERSION_WITHOUT_GRACE))
        {
            return null;
        }
        return new Header(version, in.readLong(), in.readLong(), in.readLong(), in.readLong());
    }

    /**
     * Writes a snapshot at the current {@link #VERSION}: to a temp file, then renamed into place atomically.
     *
     * @return the bytes written.
     */
    public long write(
        final long sequence, final long lastCommandId, final long lastCommandQueueIndex, final long lastJournalIndex,
        final Body body) throws IOException
    {
        final String name = String.format("%s%020d%s", PREFIX, sequence, SUFFIX);
        final Path file = dir.resolve(name);
        final Path tmp = dir.resolve(name + ".tmp");
        final long bytes;
        try (SnapshotOutput out = new SnapshotOutput(tmp))
        {
            out.writeLong(MAGIC);
            out.writeInt(VERSION);
            out.writeLong(sequence);
            out.writeLong(lastCommandId);
            out.writeLong(lastCommandQueueIndex);
            out.writeLong(lastJournalIndex);
            body.save(out);
            bytes = out.finish();
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return bytes;
    }

    /**
     * Deletes all but the newest {@code retained} snapshots.
     *
     * @return the snapshot files before the deletion, newest first.
     */
    public List<Path> prune(final int retained) throws IOException
    {
        final List<Path> files = newestFirst();
        for (int i = retained; i < files.size(); i++)
        {
            Files.deleteIfExists(files.get(i));
        }
        return files;
    }

    /**
     * @return the snapshots directory.
     */
    public Path dir()
    {
        return dir;
    }
}
