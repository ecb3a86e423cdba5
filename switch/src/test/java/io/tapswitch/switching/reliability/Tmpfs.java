package io.tapswitch.switching.reliability;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs mounted for a test (needs root, as CI runs): a real filesystem that fills up, and grows again with
 * {@code mount -o remount,size=}. Never skips: when it cannot mount, the test fails and says why.
 */
final class Tmpfs implements AutoCloseable
{
    private final Path mountPoint;

    private Tmpfs(final Path mountPoint)
    {
        this.mountPoint = mountPoint;
    }

    /**
     * Mounts a tmpfs of {@code size} (e.g. "64m") on a new temp directory.
     *
     * @throws AssertionError with mount's own words when it cannot (not root, no mount namespace rights).
     */
    static Tmpfs mount(final String size)
    {
        final Path mountPoint;
        try
        {
            mountPoint = Files.createTempDirectory("tapswitch-tmpfs-");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final String output = run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", mountPoint.toString());
        if (null != output)
        {
            throw new AssertionError("this test needs a real small filesystem: it mounts a tmpfs, which needs root " +
                "(CI runs as root). `mount -t tmpfs -o size=" + size + " tmpfs " + mountPoint + "` failed: " + output);
        }
        return new Tmpfs(mountPoint);
    }

    Path path()
    {
        return mountPoint;
    }

    /**
     * Grows (or shrinks) the filesystem in place.
     */
    void resize(final String size)
    {
        final String output = run("mount", "-o", "remount,size=" + size, mountPoint.toString());
        if (null != output)
        {
            throw new AssertionError("remount,size=" + size + " of " + mountPoint + " failed: " + output);
        }
    }

    /**
     * Fills the filesystem to the last byte with a file of its own (1 MiB writes, then 4 KiB, then single bytes,
     * each until ENOSPC).
     *
     * @return bytes written.
     */
    long fill()
    {
        long written = 0;
        try (FileOutputStream out = new FileOutputStream(mountPoint.resolve("filler").toFile(), true))
        {
            for (final int size : new int[]{1 << 20, 4096, 1})
            {
                final byte[] bytes = new byte[size];
                while (true)
                {
                    try
                    {
                        out.write(bytes);
                        written += size;
                    }
                    catch (final IOException full)
                    {
                        break;
                    }
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return written;
    }

    /**
     * @return bytes still free for an unprivileged writer.
     */
    long free()
    {
        return mountPoint.toFile().getUsableSpace();
    }

    @Override
    public void close()
    {
        if (null != run("umount", mountPoint.toString()))
        {
            run("umount", "-l", mountPoint.toString());
        }
        try
        {
            Files.deleteIfExists(mountPoint);
        }
        catch (final IOException ignored)
        {
            // a lazily unmounted directory goes away once released
        }
    }

    /**
     * @return null when the command succeeded, else its output and exit status.
     */
    private static String run(final String... command)
    {
        try
        {
            final Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
            final byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(30, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                return String.join(" ", command) + ": no exit within 30 s";
            }
            return 0 == process.exitValue() ? null :
                "exit " + process.exitValue() + ": " + new String(output, StandardCharsets.UTF_8).trim();
        }
        catch (final IOException ex)
        {
            return ex.toString();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
