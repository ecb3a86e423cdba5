package io.tapswitch.switching.journal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import io.tapswitch.formats.Queues;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The space allocated ahead of the writer, as the engine sees it through {@link JournalReserver#headroom(int, long)}:
 * on a healthy disk, a cycle file just opened (at start, after a daily roll) is never reported with less headroom
 * than the whole reserve. Reporting the first 1 MiB step — less than a decision needs once the writer sits past the
 * page it starts from — answered requests SYSTEM_ERROR right after a restart (seen in JournalDiskFullTest's resend).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JournalReserverTest
{
    private static final long AHEAD = 32L << 20;

    @TempDir
    Path dir;

    @Test
    void shouldReportAFreshCycleOnlyOnceItsWholeReserveIsAllocated() throws Exception
    {
        for (int round = 0; round < 20; round++)
        {
            final Path queue = Files.createDirectories(dir.resolve("q" + round));
            Files.write(queue.resolve("20261207" + Queues.CYCLE_FILE_SUFFIX), new byte[0]);
            final int cycle = 7;
            final long position = 12_345 + round * 4_099L;
            try (JournalReserver reserver = new JournalReserver(queue, AHEAD))
            {
                assertThat(reserver.headroom(cycle, position)).as("nothing known yet: no limit").isEqualTo(Long.MAX_VALUE);
                reserver.onWritten(cycle, position);
                final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                long headroom;
                while ((headroom = reserver.headroom(cycle, position)) == Long.MAX_VALUE)
                {
                    assertThat(System.nanoTime()).as("the reserve is allocated within 20 s").isLessThan(deadlineNs);
                    Thread.onSpinWait();
                }
                assertThat(headroom).as("round %d: the first headroom reported for a fresh cycle", round)
                    .isGreaterThanOrEqualTo(AHEAD);
                assertThat(reserver.failing()).isFalse();
            }
        }
    }
}
