package io.tapswitch.bench.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * PostgreSQL's disk full under load: the embedded PostgreSQL's data directory on a small tmpfs of its own
 * ({@code mount -t tmpfs -o size=...}, needs root), filled to the last byte by a filler file while the admin writes and
 * the switch decides taps. Writes answer 503 problem+json (PostgreSQL's 53100 disk_full, or its connections cut if it
 * restarts), {@code /ready} says the outbox and the ingester are failing, taps go on; nothing half-written (every
 * acknowledged card complete, every command journaled once, every tap ingested once); once the filler is deleted the
 * admin recovers by itself. Rerun: {@code mvn -B -pl bench -am test -Dtest=PostgresDiskFullTest -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class PostgresDiskFullTest extends PostgresFaultLoad
{
    private static final String TMPFS_SIZE = "160m";
    private Path mount;

    @AfterEach
    void unmount() throws Exception
    {
        if (mount != null)
        {
            PgServer.run(List.of("umount", "-l", mount.toString()), 30);
        }
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void embeddedPostgresDiskFullUnderLoad() throws Exception
    {
        mount = pgDir.resolve("tmpfs");
        Files.createDirectories(mount);
        PgServer.run(List.of("mount", "-t", "tmpfs", "-o", "size=" + TMPFS_SIZE + ",mode=0755", "tmpfs", mount.toString()), 30);
        final Path filler = mount.resolve("filler");
        try (PgServer pg = new PgServer.Embedded(mount.resolve("pg")))
        {
            outage(pg, new Fault()
            {
                @Override
                public void inject() throws IOException
                {
                    fill(filler);
                }

                @Override
                public void heal() throws IOException
                {
                    Files.delete(filler);
                }

                @Override
                public String readyMentions()
                {
                    return "failing";
                }

                @Override
                public String toString()
                {
                    return "disk full";
                }
            });
        }
    }

    /** Writes the filler until the file system refuses a single byte more. */
    private static void fill(final Path filler) throws IOException
    {
        final ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
        long written = 0;
        try (FileChannel channel = FileChannel.open(filler, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
        {
            int size = chunk.capacity();
            while (size > 0)
            {
                try
                {
                    chunk.clear().limit(size);
                    while (chunk.hasRemaining())
                    {
                        written += channel.write(chunk);
                    }
                }
                catch (final IOException full)
                {
                    size /= 2;
                }
            }
            channel.force(true);
        }
        assertThat(Files.getFileStore(filler).getUsableSpace()).as("free bytes after the filler").isLessThan(4096);
        System.out.println("PostgresDiskFullTest: filler of " + written + " bytes, " +
            Files.getFileStore(filler).getUsableSpace() + " bytes free");
    }
}
