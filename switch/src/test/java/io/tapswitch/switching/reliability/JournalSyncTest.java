package io.tapswitch.switching.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.tapswitch.protocol.client.TapResult;
import io.tapswitch.protocol.client.TerminalClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Power-loss durability of an answered tap with {@code journal-sync=batch} (the default): while the real switch
 * (child process) answers taps one at a time, {@code strace} attached to it records every {@code fdatasync} and
 * {@code msync}. Each answer waits for a sync of its batch (the journal sync thread's {@code fdatasync}, which waits
 * for the disk), so there is at least one per tap; and no {@code msync} is the {@code MS_ASYNC} kind (which on Linux
 * forces nothing).
 * Skipped where {@code strace} is missing or may not attach.
 */
class JournalSyncTest
{
    @TempDir
    Path dataDir;
    @TempDir
    Path traceDir;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldForceEveryAnsweredTapToDiskBeforeItsAnswer() throws Exception
    {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/strace")), "strace is not installed");
        final Path trace = traceDir.resolve("msync.txt");
        try (ChildSwitch child = ChildSwitch.start(dataDir, List.of(
            "--demo", "--demo-cards", "200", "--demo-terminals", "10", "--port", "0", "--metrics-port", "-1",
            "--set", "journal-sync=batch"), List.of()))
        {
            child.awaitListening(40_000, false);
            final Process strace = new ProcessBuilder("/usr/bin/strace", "-f", "-qq", "-e", "trace=msync,fdatasync,fsync",
                "-o", trace.toString(), "-p", String.valueOf(child.pid())).redirectErrorStream(true).start();
            try
            {
                final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!Files.exists(trace) && strace.isAlive() && System.nanoTime() < deadlineNs)
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                }
                assumeTrue(strace.isAlive() && Files.exists(trace), "strace could not attach to the switch");
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));

                try (TerminalClient terminal = TerminalClient.connect("127.0.0.1", child.port(), 1,
                    TerminalClient.demoKey(1)))
                {
                    for (int i = 0; i < 20; i++)
                    {
                        final TapResult tap = terminal.tap(1000001 + i, 2, 1);
                        assertThat(tap.receipt()).isPositive();
                    }
                }
            }
            finally
            {
                strace.destroy();
                strace.waitFor(10, TimeUnit.SECONDS);
            }
        }
        final List<String> lines = readLines(trace);
        final List<String> msyncs = lines.stream().filter((line) -> line.contains("msync(")).toList();
        final long syncs = lines.stream().filter((line) -> line.contains("fdatasync(") || line.contains("fsync(") ||
            (line.contains("msync(") && line.contains("MS_SYNC"))).count();
        System.out.println("JournalSyncTest: " + syncs + " disk syncs while answering 20 taps one at a time; " +
            msyncs.size() + " msync calls, " + msyncs.stream().filter((line) -> line.contains("MS_ASYNC")).count() +
            " of them MS_ASYNC");
        assertThat(syncs).as("disk syncs while answering 20 taps, one at a time").isGreaterThanOrEqualTo(20);
        assertThat(msyncs).as("every msync waits for the disk").allMatch((line) -> line.contains("MS_SYNC"));
    }

    private static List<String> readLines(final Path file) throws IOException
    {
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }
}
