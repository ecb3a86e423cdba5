package io.tapswitch.bench.soak;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the kernel says about a process (or a group of processes, e.g. an embedded PostgreSQL and its backends), read
 * from {@code /proc}: resident memory, open file descriptors, threads; and, for a JVM started with
 * {@code -Xlog:gc:file=…}, the heap in use after its latest collection. Linux only. Stateless; thread-safe.
 */
public final class ProcStats
{
    /** G1/Parallel/Serial unified GC log: {@code … 24M->3M(256M) 5.123ms}. */
    private static final Pattern HEAP_AFTER = Pattern.compile("(\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");

    private ProcStats()
    {
    }

    /**
     * One sample of a process or a group.
     *
     * @param processes processes sampled (alive at the moment).
     * @param rssKb     resident set (VmRSS) summed, KiB; for a group, the proportional set (Pss) so shared memory
     *                  is counted once.
     * @param fds       open file descriptors summed.
     * @param threads   threads summed.
     * @param anonKb    anonymous resident memory (RssAnon: heap, stacks, direct buffers), KiB; for a group 0.
     * @param fileKb    file-backed resident memory (RssFile: mapped files such as the journal, jars), KiB; the kernel
     *                  may drop these pages at any time; for a group 0.
     */
    public record Sample(int processes, long rssKb, long fds, long threads, long anonKb, long fileKb)
    {
    }

    /**
     * @return the sample of one process, or processes 0 when it is gone.
     */
    public static Sample of(final long pid)
    {
        final Path proc = Path.of("/proc", Long.toString(pid));
        try
        {
            final String status = Files.readString(proc.resolve("status"), StandardCharsets.US_ASCII);
            return new Sample(1, field(status, "VmRSS:"), countFds(proc), field(status, "Threads:"), field(status, "RssAnon:"),
                field(status, "RssFile:"));
        }
        catch (final IOException ex)
        {
            return new Sample(0, 0, 0, 0, 0, 0);
        }
    }

    /**
     * @return the sum over the processes alive, with Pss for memory (shared buffers counted once).
     */
    public static Sample ofGroup(final List<ProcessHandle> processes)
    {
        int alive = 0;
        long pss = 0;
        long fds = 0;
        long threads = 0;
        for (final ProcessHandle handle : processes)
        {
            final Path proc = Path.of("/proc", Long.toString(handle.pid()));
            try
            {
                final String status = Files.readString(proc.resolve("status"), StandardCharsets.US_ASCII);
                final String rollup = Files.readString(proc.resolve("smaps_rollup"), StandardCharsets.US_ASCII);
                pss += field(rollup, "Pss:");
                threads += field(status, "Threads:");
                fds += countFds(proc);
                alive++;
            }
            catch (final IOException ex)
            {
                // exited between the listing and the read (a PostgreSQL backend ending): not counted
            }
        }
        return new Sample(alive, pss, fds, threads, 0, 0);
    }

    /**
     * @param gcLog the file given to {@code -Xlog:gc:file=…}.
     * @return heap used after the latest collection in the log, KiB, or -1 when none has happened yet.
     */
    public static long heapAfterLastGcKb(final Path gcLog)
    {
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(gcLog, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            return -1;
        }
        for (int i = lines.size() - 1; i >= 0; i--)
        {
            final String line = lines.get(i);
            if (!line.contains("Pause") && !line.contains("Concurrent Mark Cycle"))
            {
                continue;
            }
            final Matcher matcher = HEAP_AFTER.matcher(line);
            if (matcher.find())
            {
                return kb(Long.parseLong(matcher.group(3)), matcher.group(4));
            }
        }
        return -1;
    }

    /**
     * @return collections logged so far (pauses).
     */
    public static long collections(final Path gcLog)
    {
        try (var lines = Files.lines(gcLog, StandardCharsets.UTF_8))
        {
            return lines.filter(line -> line.contains("Pause") && HEAP_AFTER.matcher(line).find()).count();
        }
        catch (final IOException | java.io.UncheckedIOException ex)
        {
            return 0;
        }
    }

    private static long kb(final long value, final String unit)
    {
        switch (unit)
        {
            case "G":
                return value * 1024 * 1024;
            case "M":
                return value * 1024;
            default:
                return value;
        }
    }

    private static long countFds(final Path proc) throws IOException
    {
        long count = 0;
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd")))
        {
            for (final Path ignored : fds)
            {
                count++;
            }
        }
        return count;
    }

    private static long field(final String text, final String name)
    {
        final int at = text.indexOf(name);
        if (at < 0)
        {
            return 0;
        }
        int i = at + name.length();
        while (i < text.length() && !Character.isDigit(text.charAt(i)))
        {
            i++;
        }
        long value = 0;
        while (i < text.length() && Character.isDigit(text.charAt(i)))
        {
            value = value * 10 + (text.charAt(i) - '0');
            i++;
        }
        return value;
    }
}
