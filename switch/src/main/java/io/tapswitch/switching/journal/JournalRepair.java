package io.tapswitch.switching.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.stream.Stream;

import io.tapswitch.formats.Queues;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Repairs, at open and before anything is appended, a newest journal cycle file whose Chronicle excerpt headers are
 * damaged past the last readable excerpt: an incomplete header ({@code 0x80000000 | length}, what a kill -9 between
 * Chronicle's header claim and its completion leaves), a zeroed header with excerpts after it (a page lost to a
 * power cut), a garbled header, a header with a length past the end of the file, or bytes behind a rolled-back
 * excerpt. Chronicle appends after its recorded write position whatever lies there, so without a repair the next
 * decisions, synced and answered, would be written where no reader gets to and be lost at the next open.
 * <p>
 * Detection ({@link #inspect}): a tailer reads the newest cycle from up to {@link #SCAN_BACK_EXCERPTS} excerpts
 * before Chronicle's {@code lastIndex()} to its end; the cycle is sound when the last excerpt read is Chronicle's last
 * index (or later) and every byte after it, past complete metadata documents (index arrays, padding), is zero up to
 * the end of the file. Repair ({@link #repairNewestCycle}): every excerpt a tailer can read in that cycle, in order, is
 * copied into a fresh cycle file of the same cycle (a queue whose clock is fixed in that cycle), so each keeps its
 * index and snapshots and the admin's ingested position stay valid (checked excerpt by excerpt); the fresh file is
 * forced to the disk and renamed over the damaged one, which is kept, never deleted, as
 * {@code <data-dir>/journal-damaged/<cycle file>-<UTC time>.damaged} (outside the queue directory, so neither
 * Chronicle, retention nor the admin's reader sees it). An excerpt longer than {@link JournalWriter#MAX_EXCERPT_BYTES}
 * (a length the switch never writes: a garbled header) ends the copy. Crash-safe: the damaged file is hard-linked
 * aside first, the fresh file then renamed over it, and the aside name gets its {@code .damaged} suffix last; a crash
 * in between leaves the damaged file in place and the repair runs again at the next open.
 * <p>
 * <p>
 * The common case is cheaper: Chronicle (2026.4) writes an excerpt's header only once the excerpt is complete, so a
 * kill -9 in the middle of a write leaves a zero header with part of the excerpt's bytes behind it, while Chronicle's
 * write position and every reader still agree on the last excerpt. Then only those bytes are in the way; they are
 * copied to {@code <data-dir>/journal-damaged/<cycle file>-<UTC time>-bytes-<from>-<to>.damaged} and zeroed in place
 * (logged at WARN), with no copy of the cycle file.
 * <p>
 * Used once by {@link JournalWriter#open}, before the journal is opened for writing. Not thread-safe.
 */
public final class JournalRepair
{
    private static final Logger LOGGER = LoggerFactory.getLogger(JournalRepair.class);

    /** Sub-directory of the data directory holding damaged journal cycle files moved aside (never deleted). */
    public static final String DAMAGED_DIR = Queues.DAMAGED_JOURNAL_DIR;
    /** Suffix of a damaged cycle file moved aside. */
    public static final String DAMAGED_SUFFIX = Queues.DAMAGED_SUFFIX;
    /** Excerpts before Chronicle's last index from which the newest cycle is read at open to check its tail. */
    public static final int SCAN_BACK_EXCERPTS = 2 * JournalReplay.MAX_TORN_TAIL_EXCERPTS;

    private static final String REPAIR_DIR = "journal-repair";
    private static final int HEADER_BYTES = 4;
    private static final int NOT_COMPLETE = 0x80000000;
    private static final int META_DATA = 0x40000000;
    private static final int LENGTH_MASK = 0x3FFFFFFF;
    private static final DateTimeFormatter STAMP =
        DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

    /** What a repair did. */
    public record Repair(
        Path cycleFile, Path movedAside, long excerptsKept, long lastKeptIndex, long claimedLastIndex,
        long damagePosition, int damageHeader, boolean copied)
    {
    }

    /** What {@link #inspect} found in the newest cycle. */
    record Inspection(
        Path file, int cycle, long lastReadIndex, long claimedLastIndex, long endOfReadable, long damagePosition,
        int damageHeader, long appendAt, long damageEnd, boolean tailOnly)
    {
        boolean damaged()
        {
            return damagePosition >= 0;
        }
    }

    private JournalRepair()
    {
    }

    /**
     * Checks the newest cycle file of the data directory's journal and repairs it when damaged (see
     * {@link JournalRepair}). The journal must not be open for writing.
     *
     * @return what was repaired, or null when the journal was sound (or empty).
     * @throws UncheckedIOException  when the repair cannot be done (e.g. no space for the fresh file); the damaged
     *                               file is then left in place and untouched.
     * @throws IllegalStateException when the copy does not keep an excerpt's index (the damaged file is left in
     *                               place).
     */
    public static Repair repairNewestCycle(final Path dataDir)
    {
        final Path journalDir = Queues.journalDir(dataDir);
        if (!Files.isDirectory(journalDir))
        {
            return null;
        }
        try
        {
            final Inspection found = inspect(journalDir);
            if (null == found || !found.damaged())
            {
                return null;
            }
            if (found.tailOnly())
            {
                // what a kill -9 in the middle of an excerpt's write leaves: Chronicle writes the header only once
                // the excerpt is complete, so it is still 0, with part of the excerpt's bytes behind it. Chronicle's
                // write position and every reader agree on the last excerpt; only the bytes behind the zero header
                // are in the way (the next excerpt is written over their start and may leave the rest where the
                // following ones would go): they are saved aside and zeroed in place, no copy of the file needed
                final Repair repair = clearTail(dataDir, found);
                LOGGER.warn("journal cycle file {}: {} bytes of an excerpt never completed (a crash in the middle " +
                    "of its write) lay behind the last readable excerpt {} at byte {}; zeroed in place (nothing " +
                    "answered was in them), the bytes are kept as {}", found.file(),
                    found.damageEnd() - found.damagePosition(), hex(found.lastReadIndex()), found.damagePosition(),
                    repair.movedAside());
                return repair;
            }
            LOGGER.error("journal cycle file {} is damaged past its last readable excerpt: Chronicle header {} at " +
                "byte {}, last readable excerpt {}, Chronicle's last index {}; decisions appended behind it would be " +
                "unreadable. Copying its readable excerpts into a fresh file with the same indexes",
                found.file(), Integer.toHexString(found.damageHeader()), found.damagePosition(),
                hex(found.lastReadIndex()), hex(found.claimedLastIndex()));
            final Repair repair = repair(dataDir, journalDir, found);
            LOGGER.error("journal cycle file {} repaired: {} excerpts kept (last {}), everything after byte {} cut " +
                "(Chronicle's last index was {}); the damaged file is kept as {}", repair.cycleFile(),
                repair.excerptsKept(), hex(repair.lastKeptIndex()), repair.damagePosition(),
                hex(repair.claimedLastIndex()), repair.movedAside());
            return repair;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot check or repair the journal in " + journalDir, ex);
        }
    }

    /**
     * @return the newest cycle's state, or null when the journal has no cycle file.
     */
    static Inspection inspect(final Path journalDir) throws IOException
    {
        final Path file = Queues.newestCycleFile(journalDir);
        if (null == file)
        {
            return null;
        }
        try (SingleChronicleQueue queue = Queues.open(journalDir);
            ExcerptTailer tailer = queue.createTailer())
        {
            final RollCycle rollCycle = queue.rollCycle();
            final int cycle = queue.lastCycle();
            final long claimed = queue.lastIndex();
            final long first = rollCycle.toIndex(cycle, 0);
            long start = first;
            if (claimed >= 0 && rollCycle.toCycle(claimed) == cycle &&
                rollCycle.toSequenceNumber(claimed) > SCAN_BACK_EXCERPTS)
            {
                start = claimed - SCAN_BACK_EXCERPTS;
            }
            boolean positioned = moveTo(tailer, start);
            if (!positioned && start != first)
            {
                positioned = moveTo(tailer, first);
            }
            long lastRead = -1;
            long end = -1;
            if (positioned)
            {
                final long[] read = readToEnd(tailer, rollCycle, cycle, null);
                lastRead = read[0];
                end = read[1];
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
            {
                // nothing readable in this cycle: its excerpts start after the file's own metadata documents
                final long[] damage = trailingDamage(channel, end >= 0 ? end : 0);
                long damagePosition = damage[0];
                int damageHeader = (int)damage[1];
                final long appendAt = damage[2];
                final boolean claimedHere = claimed >= 0 && rollCycle.toCycle(claimed) == cycle;
                // Chronicle's write position is the last excerpt a reader reads: the appender writes at appendAt
                final boolean agree = claimedHere ? claimed == lastRead : lastRead < 0;
                if (damagePosition < 0 && claimedHere && claimed > lastRead)
                {
                    // Chronicle counts excerpts no tailer reaches (a zeroed header with excerpts after it)
                    damagePosition = end >= 0 ? end : 0;
                    damageHeader = readInt(channel, damagePosition);
                }
                final boolean tailOnly = damagePosition > appendAt && agree && readInt(channel, appendAt) == 0;
                return new Inspection(file, cycle, lastRead, claimed, end, damagePosition, damageHeader, appendAt,
                    damage[3], tailOnly);
            }
        }
    }

    private static boolean moveTo(final ExcerptTailer tailer, final long index)
    {
        try
        {
            return tailer.moveToIndex(index);
        }
        catch (final RuntimeException ex)
        {
            return false;
        }
    }

    /**
     * Reads excerpts of the cycle until none is left (or one cannot be read, or is longer than any the switch
     * writes), optionally appending each to {@code copy}.
     *
     * @return {last index read or -1, file position just past it or -1, excerpts read}.
     */
    private static long[] readToEnd(
        final ExcerptTailer tailer, final RollCycle rollCycle, final int cycle, final Copy copy)
    {
        long lastRead = -1;
        long end = -1;
        long count = 0;
        while (true)
        {
            try (DocumentContext dc = tailer.readingDocument())
            {
                if (!dc.isPresent())
                {
                    break;
                }
                final long index = dc.index();
                final Bytes<?> bytes = dc.wire().bytes();
                if (rollCycle.toCycle(index) != cycle || bytes.readRemaining() > JournalWriter.MAX_EXCERPT_BYTES)
                {
                    dc.rollbackOnClose();
                    break;
                }
                if (null != copy)
                {
                    copy.write(index, bytes);
                }
                lastRead = index;
                end = bytes.readLimit();
                count++;
            }
            catch (final RuntimeException ex)
            {
                // Chronicle cannot read past this point (e.g. a header with a length past the end of the file)
                break;
            }
        }
        return new long[]{lastRead, end, count};
    }

    /**
     * @return {position of the first byte that is neither a complete metadata document nor zero at or after
     * {@code from}, or -1; the 4 bytes (little-endian) of the header there; the position after the complete metadata
     * documents at {@code from} (where Chronicle's appender writes next); the position just past the last non-zero
     * byte of the file}.
     */
    private static long[] trailingDamage(final FileChannel channel, final long from) throws IOException
    {
        final long size = channel.size();
        long position = from;
        // complete metadata documents (index arrays, padding) may follow the last excerpt
        while (position + HEADER_BYTES <= size)
        {
            final int header = readInt(channel, position);
            if ((header & (NOT_COMPLETE | META_DATA)) != META_DATA)
            {
                break;
            }
            final long next = position + HEADER_BYTES + (header & LENGTH_MASK);
            if (next > size)
            {
                return new long[]{position, header, position, size};
            }
            position = next;
        }
        final ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        long first = -1;
        long lastEnd = -1;
        long at = position;
        while (at < size)
        {
            buffer.clear();
            final int n = channel.read(buffer, at);
            if (n <= 0)
            {
                break;
            }
            buffer.flip();
            int i = 0;
            while (i < n)
            {
                if (i + Long.BYTES <= n && buffer.getLong(i) == 0)
                {
                    i += Long.BYTES;
                    continue;
                }
                if (buffer.get(i) != 0)
                {
                    if (first < 0)
                    {
                        first = at + i;
                    }
                    lastEnd = at + i + 1;
                }
                i++;
            }
            at += n;
        }
        if (first < 0)
        {
            return new long[]{-1, 0, position, -1};
        }
        // the 4-byte-aligned word holding the first non-zero byte: where a header would be
        final long word = Math.max(position, first - ((first - position) % HEADER_BYTES));
        return new long[]{word, readInt(channel, word), position, lastEnd};
    }

    private static int readInt(final FileChannel channel, final long position) throws IOException
    {
        final ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining())
        {
            if (channel.read(b, position + b.position()) < 0)
            {
                break;
            }
        }
        return b.getInt(0);
    }

    private static Repair repair(final Path dataDir, final Path journalDir, final Inspection found)
        throws IOException
    {
        final Path repairDir = dataDir.resolve(REPAIR_DIR);
        deleteRecursively(repairDir);
        Files.createDirectories(repairDir);
        final long[] read;
        try (SingleChronicleQueue damaged = Queues.open(journalDir);
            ExcerptTailer tailer = damaged.createTailer())
        {
            final RollCycle rollCycle = damaged.rollCycle();
            final long cycleStartMs = (long)found.cycle() * rollCycle.lengthInMillis();
            final SetTimeProvider clock = new SetTimeProvider(Instant.ofEpochMilli(
                cycleStartMs + rollCycle.lengthInMillis() / 2));
            try (SingleChronicleQueue fresh = SingleChronicleQueueBuilder.binary(repairDir).rollCycle(rollCycle)
                .timeProvider(clock).build();
                ExcerptAppender appender = fresh.createAppender())
            {
                if (fresh.cycle() != found.cycle())
                {
                    throw new IllegalStateException("cannot build a fresh journal file for cycle " + found.cycle() +
                        " (got " + fresh.cycle() + ")");
                }
                final Copy copy = (index, bytes) ->
                {
                    try (DocumentContext out = appender.writingDocument())
                    {
                        out.wire().bytes().write(bytes, bytes.readPosition(), bytes.readRemaining());
                    }
                    if (appender.lastIndexAppended() != index)
                    {
                        throw new IllegalStateException("journal repair: excerpt " + hex(index) + " was copied to " +
                            hex(appender.lastIndexAppended()) + "; the damaged file is left in place");
                    }
                };
                final long first = rollCycle.toIndex(found.cycle(), 0);
                read = moveTo(tailer, first) ? readToEnd(tailer, rollCycle, found.cycle(), copy) : new long[]{-1, -1, 0};
                appender.sync();
            }
        }
        final Path freshFile = repairDir.resolve(found.file().getFileName());
        // nothing readable in the cycle: the damaged file only moves aside (the appender creates the cycle anew)
        final boolean replace = read[2] > 0;
        if (replace && !Files.exists(freshFile))
        {
            throw new IllegalStateException("journal repair: no fresh file " + freshFile + " was written; the " +
                "damaged file " + found.file() + " is left in place");
        }
        if (replace)
        {
            force(freshFile);
        }
        final Path asideDir = dataDir.resolve(DAMAGED_DIR);
        Files.createDirectories(asideDir);
        final String name = found.file().getFileName() + "-" + STAMP.format(Instant.now());
        final Path partial = asideDir.resolve(name + ".partial");
        final Path aside = asideDir.resolve(name + DAMAGED_SUFFIX);
        Files.deleteIfExists(partial);
        if (replace)
        {
            try
            {
                Files.createLink(partial, found.file());
            }
            catch (final IOException | UnsupportedOperationException ex)
            {
                Files.copy(found.file(), partial);
                force(partial);
            }
            forceDirectory(asideDir);
            Files.move(freshFile, found.file(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        else
        {
            Files.move(found.file(), partial);
        }
        forceDirectory(journalDir);
        Files.move(partial, aside, StandardCopyOption.ATOMIC_MOVE);
        forceDirectory(asideDir);
        deleteRecursively(repairDir);
        return new Repair(found.file(), aside, read[2], read[0], found.claimedLastIndex(), found.damagePosition(),
            found.damageHeader(), true);
    }

    /**
     * Saves the bytes from the damage to the last non-zero byte aside, then zeroes them in place (see
     * {@link #repairNewestCycle}); crash-safe: a crash leaves some of them, found and cleared at the next open.
     */
    private static Repair clearTail(final Path dataDir, final Inspection found) throws IOException
    {
        final Path asideDir = dataDir.resolve(DAMAGED_DIR);
        Files.createDirectories(asideDir);
        final String name = found.file().getFileName() + "-" + STAMP.format(Instant.now()) + "-bytes-" +
            found.damagePosition() + "-" + found.damageEnd();
        final Path partial = asideDir.resolve(name + ".partial");
        final Path aside = asideDir.resolve(name + DAMAGED_SUFFIX);
        final long length = found.damageEnd() - found.damagePosition();
        try (FileChannel in = FileChannel.open(found.file(), StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileChannel out = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING))
        {
            long copied = 0;
            while (copied < length)
            {
                copied += in.transferTo(found.damagePosition() + copied, length - copied, out);
            }
            out.force(true);
            final ByteBuffer zeros = ByteBuffer.allocate((int)Math.min(length, 1 << 20));
            long zeroed = 0;
            while (zeroed < length)
            {
                zeros.clear();
                zeros.limit((int)Math.min(zeros.capacity(), length - zeroed));
                zeroed += in.write(zeros, found.damagePosition() + zeroed);
            }
            in.force(true);
        }
        forceDirectory(asideDir);
        Files.move(partial, aside, StandardCopyOption.ATOMIC_MOVE);
        forceDirectory(asideDir);
        return new Repair(found.file(), aside, -1, found.lastReadIndex(), found.claimedLastIndex(),
            found.damagePosition(), found.damageHeader(), false);
    }

    /** Appends one excerpt read from the damaged file to the fresh one. */
    @FunctionalInterface
    private interface Copy
    {
        void write(long index, Bytes<?> bytes);
    }

    /**
     * @return damaged cycle files moved aside so far in the data directory ({@link #DAMAGED_DIR}).
     */
    public static int damagedFiles(final Path dataDir)
    {
        return Queues.damagedJournalFiles(dataDir);
    }

    private static void force(final Path file) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            channel.force(true);
        }
    }

    private static void forceDirectory(final Path dir)
    {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ))
        {
            channel.force(true);
        }
        catch (final IOException ex)
        {
            // not every filesystem syncs a directory through a channel; the rename itself is atomic
        }
    }

    private static void deleteRecursively(final Path dir) throws IOException
    {
        if (!Files.exists(dir))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir))
        {
            for (final Path p : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
    }

    private static String hex(final long value)
    {
        return value < 0 ? "none" : Long.toHexString(value);
    }
}
