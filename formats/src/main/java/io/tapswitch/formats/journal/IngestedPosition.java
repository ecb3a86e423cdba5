package io.tapswitch.formats.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The small file {@code <data-dir>/admin-ingested.index} in which the admin ingester publishes the journal index up
 * to which it has stored every record (decimal text). The switch's retention deletes a journal cycle only when this
 * position and a snapshot are both past it. Thread-safe (static helpers; the write is atomic by rename).
 */
public final class IngestedPosition
{
    public static final String FILE_NAME = "admin-ingested.index";

    private IngestedPosition()
    {
    }

    /**
     * Publishes the ingested position.
     *
     * @param dataDir the switch data directory.
     * @param index   the journal index of the last record stored by the admin.
     */
    public static void write(final Path dataDir, final long index)
    {
        final Path file = dataDir.resolve(FILE_NAME);
        final Path tmp = dataDir.resolve(FILE_NAME + ".tmp");
        try
        {
            Files.write(tmp, Long.toString(index).getBytes(StandardCharsets.US_ASCII));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write " + file, ex);
        }
    }

    /**
     * @param dataDir the switch data directory.
     * @return the published index, or {@link JournalReader#NO_INDEX} if there is none or it is unreadable.
     */
    public static long read(final Path dataDir)
    {
        final Path file = dataDir.resolve(FILE_NAME);
        try
        {
            if (!Files.exists(file))
            {
                return JournalReader.NO_INDEX;
            }
            return Long.parseLong(new String(Files.readAllBytes(file), StandardCharsets.US_ASCII).trim());
        }
        catch (final IOException | NumberFormatException ex)
        {
            return JournalReader.NO_INDEX;
        }
    }
}
