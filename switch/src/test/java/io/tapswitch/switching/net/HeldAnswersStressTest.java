package io.tapswitch.switching.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.tapswitch.protocol.client.TapResult;
import io.tapswitch.protocol.client.TerminalClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * No answer waits for a wake-up that never comes: thousands of one-in-flight round trips on several terminals at
 * once, each round right after a pipelined burst, with {@code journal-sync=batch} (the engine thread syncs a batch
 * itself when nothing else waits). The event loop's periodic check counts a response it finds in its ring with no
 * drain scheduled for a whole 10 ms period ({@code tapswitch_response_drains_rescued_total}, a lost wake-up): it
 * must stay 0. The switch also counts answers drained more than 10 ms after the engine thread released them
 * ({@code tapswitch_responses_held_total}); on this shared 2-core machine (load average 20-25) threads wait that long
 * for a CPU, so that figure is printed, not asserted.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class HeldAnswersStressTest
{
    private static final long FIRST_CARD = 1_000_001;
    private static final int TERMINALS = 8;
    private static final int ROUNDS = 12;
    private static final int BURST = 32;
    private static final int ROUND_TRIPS = 60;

    @TempDir
    Path dataDir;

    @Test
    void shouldNeverHoldAnAnswerAfterItsRelease() throws Exception
    {
        try (TestSwitch testSwitch = TestSwitch.start(dataDir, Map.of("journal-sync", "batch")))
        {
            final List<TerminalClient> terminals = new ArrayList<>();
            try
            {
                for (int t = 0; t < TERMINALS; t++)
                {
                    terminals.add(testSwitch.terminal(21 + t));
                }
                final AtomicLong roundTrips = new AtomicLong();
                final AtomicLong slowRoundTrips = new AtomicLong();
                for (int round = 0; round < ROUNDS; round++)
                {
                    // a pipelined burst on every terminal: batches queue up for the sync thread
                    final List<CompletableFuture<TapResult>> burst = new ArrayList<>();
                    for (int t = 0; t < TERMINALS; t++)
                    {
                        for (int i = 0; i < BURST; i++)
                        {
                            burst.add(terminals.get(t).async().tap(correlation(round, 0, i), card(t, i), 2, 1, 0,
                                System.currentTimeMillis()));
                        }
                    }
                    // right after it, one request in flight per terminal, all terminals at once
                    final List<CompletableFuture<Void>> trips = new ArrayList<>();
                    final int r = round;
                    for (int t = 0; t < TERMINALS; t++)
                    {
                        final TerminalClient terminal = terminals.get(t);
                        final int tt = t;
                        trips.add(CompletableFuture.runAsync(() ->
                        {
                            for (int i = 0; i < ROUND_TRIPS; i++)
                            {
                                final long startNs = System.nanoTime();
                                assertThat(terminal.tap(correlation(r, 1, i), card(tt, i), 2, 1, 0,
                                    System.currentTimeMillis()).receipt()).isPositive();
                                roundTrips.incrementAndGet();
                                if (System.nanoTime() - startNs > TimeUnit.MILLISECONDS.toNanos(10))
                                {
                                    slowRoundTrips.incrementAndGet();
                                }
                            }
                        }));
                    }
                    CompletableFuture.allOf(burst.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
                    CompletableFuture.allOf(trips.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
                }
                final double held = testSwitch.counter("tapswitch.responses.held");
                final double rescued = testSwitch.counter("tapswitch.response.drains.rescued");
                System.out.printf("HeldAnswersStressTest: %d round trips (%d over 10 ms at the client, machine " +
                        "load included), %d burst requests; answers held > 10 ms after release: %.0f, drains " +
                        "rescued: %.0f%n", roundTrips.get(), slowRoundTrips.get(), ROUNDS * TERMINALS * BURST, held,
                    rescued);
                assertThat(rescued).as("drains the periodic check had to start (lost wake-ups)").isZero();
            }
            finally
            {
                terminals.forEach(TerminalClient::close);
            }
        }
    }

    private static int correlation(final int round, final int phase, final int i)
    {
        return 1 + round * 10_000 + phase * 5_000 + i;
    }

    private static long card(final int terminal, final int i)
    {
        return FIRST_CARD + (terminal * 97L + i) % 1_000;
    }
}
