package io.tapswitch.switching.journal;

import java.lang.ref.Cleaner;

import net.openhft.posix.MAdviseFlag;
import net.openhft.posix.PosixAPI;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Off-heap memory for the idempotency table's chunks (issue 14, sixth session; in this package because the engine
 * stays free of {@code net.openhft}, whose POSIX calls map it, as they map the journal's space). The results live a
 * day: on the heap they were born in the young generation as the day filled, in arrays too small to be humongous, and
 * every young collection copied the ones allocated since the last (G1: 47–88 ms pauses at 10 M cards; Shenandoah
 * copies them concurrently). Off the heap no collector copies, marks or counts them.
 * <p>
 * A chunk of at least 2 MiB is an anonymous private mapping, its length a multiple of 2 MiB (so the kernel aligns it
 * to huge pages) and its whole 2 MiB pages advised {@code MADV_HUGEPAGE}, as the heap is (the launcher's
 * {@code -XX:+UseTransparentHugePages}): a lookup is a random read among up to 8 M results (640 MiB), which on 4 KiB
 * pages would add a TLB miss to each. Smaller chunks, or a mapping that fails, are a direct buffer. Either is
 * zero-filled, and is freed (munmap, or the buffer's own cleaner) once the table that holds it is unreachable.
 */
public final class OffHeapChunks
{
    private static final long HUGE_PAGE = 2L << 20;
    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE_ANONYMOUS_NORESERVE = 0x02 | 0x20 | 0x4000;
    private static final Cleaner CLEANER = Cleaner.create();

    private OffHeapChunks()
    {
    }

    public static UnsafeBuffer allocate(final int bytes)
    {
        if (bytes >= HUGE_PAGE)
        {
            final long length = (bytes + HUGE_PAGE - 1) & -HUGE_PAGE;
            final UnsafeBuffer mapped = map(length, bytes);
            if (null != mapped)
            {
                return mapped;
            }
        }
        return new UnsafeBuffer(BufferUtil.allocateDirectAligned(BitUtil.align(bytes, 64), 64), 0, bytes);
    }

    private static UnsafeBuffer map(final long length, final int bytes)
    {
        final long address;
        try
        {
            address = PosixAPI.posix().mmap(0, length, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS_NORESERVE, -1, 0);
        }
        catch (final RuntimeException | LinkageError e)
        {
            return null;
        }
        if (0 == address || -1 == address)
        {
            return null;
        }
        // only whole huge pages of the chunk: a huge page over its end would hold up to 2 MiB nobody uses (the
        // default chunk is 5 MiB: 4 MiB on huge pages, its last MiB on small ones)
        PosixAPI.posix().madvise(address, bytes & -HUGE_PAGE, MAdviseFlag.MADV_HUGEPAGE);
        final UnsafeBuffer buffer = new UnsafeBuffer(address, bytes);
        CLEANER.register(buffer, new Unmap(address, length));
        return buffer;
    }

    private record Unmap(long address, long length) implements Runnable
    {
        @Override
        public void run()
        {
            PosixAPI.posix().munmap(address, length);
        }
    }
}
