package io.tapswitch.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.tapswitch.bench.fleet.Fleet;
import io.tapswitch.bench.fleet.FleetOptions;
import io.tapswitch.bench.fleet.FleetResult;
import io.tapswitch.formats.journal.JournalRecord;
import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.client.TapResult;
import io.tapswitch.protocol.client.TerminalClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bare durable server of {@code bench load}: every request of the fleet is answered, each TAP and LOGON has been
 * appended to the log as a journal-sized record, and everything appended was covered by an {@code fdatasync}; an
 * answer does not leave while no sync covers its request, and leaves once one does. No timing is asserted.
 */
@Timeout(60)
class BareDurableServerTest
{
    private static final int TERMINALS = 4;

    @Test
    void shouldAnswerEveryRequestAfterASyncCoveringItsRecord(@TempDir final Path dir) throws Exception
    {
        final DurableLog log = new DurableLog(dir.resolve("bare-durable.log"), 4 << 20);
        assertThat(Files.size(dir.resolve("bare-durable.log"))).as("written in full at start").isEqualTo(4 << 20);
        try (BareTapServer server = new BareTapServer("127.0.0.1", 0, 1, log).start())
        {
            final FleetResult result = new Fleet(new FleetOptions().host("127.0.0.1").port(server.port())
                .terminals(TERMINALS).durationMs(1_000).cards(1_000).ioThreads(1).connectTimeoutMs(10_000)
                .drainTimeoutMs(5_000).ratePerSecond(FleetOptions.RATE_MAX).inFlight(8)).run(null);

            assertThat(result.loggedOn()).isEqualTo(TERMINALS);
            assertThat(result.sent()).isPositive();
            assertThat(result.answered()).isEqualTo(result.sent());
            assertThat(result.count(Decision.APPROVED)).isEqualTo(result.answered());
            // the log wraps around its 4 MiB: positions count every byte appended
            assertThat(log.appended()).isEqualTo(server.answered() * JournalRecord.TAP_USAGE_LENGTH +
                (long)TERMINALS * JournalRecord.LOGON_LENGTH);
            assertThat(log.synced()).isEqualTo(log.appended());
            assertThat(log.syncs()).isPositive().isLessThanOrEqualTo(result.answered() + TERMINALS);
        }
    }

    @Test
    void shouldHoldAnAnswerUntilASyncCoversIt(@TempDir final Path dir) throws Exception
    {
        final DurableLog log = new DurableLog(dir.resolve("bare-durable.log"), 1 << 20);
        try (BareTapServer server = new BareTapServer("127.0.0.1", 0, 1, log).start();
            TerminalClient terminal = TerminalClient.connect("127.0.0.1", server.port(), 7, new byte[32]))
        {
            final long syncsBefore = log.syncs();
            log.syncsPaused = true;
            final CompletableFuture<TapResult> answer = CompletableFuture.supplyAsync(() -> terminal.tap(1_000_001L, 1, 1));
            AwaitAppended.until(log, log.synced() + JournalRecord.TAP_USAGE_LENGTH);
            Thread.sleep(200);
            assertThat(answer).as("no answer before a sync covers the request").isNotDone();
            assertThat(log.syncs()).isEqualTo(syncsBefore);

            log.syncsPaused = false;
            assertThat(answer.get(10, TimeUnit.SECONDS).decision()).isEqualTo(Decision.APPROVED);
            assertThat(log.syncs()).isGreaterThan(syncsBefore);
            assertThat(log.synced()).isEqualTo(log.appended());
        }
    }

    /** Waits (bounded) until the server has appended the request's record. */
    private static final class AwaitAppended
    {
        static void until(final DurableLog log, final long position) throws InterruptedException
        {
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (log.appended() < position)
            {
                assertThat(System.nanoTime() - deadlineNs).as("the request reached the server").isNegative();
                Thread.sleep(5);
            }
        }
    }
}
