package io.tapswitch.switching.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.tapswitch.protocol.client.TapResult;
import io.tapswitch.protocol.client.TerminalClient;
import io.tapswitch.formats.journal.JournalReader;
import io.tapswitch.formats.journal.JournalRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit through the network layer: requests decided in one engine batch are journaled as one excerpt, and
 * every answer a terminal receives is already in the journal when it arrives.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JournalGroupCommitTest
{
    private static final int REQUESTS = 20;
    private static final long HYGIENE_KIT = 2;

    @TempDir
    Path dataDir;

    @Test
    void shouldJournalABatchOfPipelinedRequestsAsOneExcerptBeforeAnsweringThem() throws Exception
    {
        try (TestSwitch testSwitch = TestSwitch.start(dataDir))
        {
            final SwitchServer server = testSwitch.launcher().server();
            final TerminalClient terminal = TerminalClient.connect(testSwitch.options(24));
            try
            {
                final long nowMs = System.currentTimeMillis();
                final double recordsBefore = counter(testSwitch, "tapswitch.journal.records");
                server.pauseEngine();
                final List<CompletableFuture<TapResult>> pending = new ArrayList<>();
                for (int i = 0; i < REQUESTS; i++)
                {
                    pending.add(terminal.async().tap(3_000_001 + i, 1000101 + i, HYGIENE_KIT, 1, 0, nowMs));
                }
                LoadSheddingTest.awaitTrue(() -> queueDepth(testSwitch) == REQUESTS);
                server.resumeEngine();

                final Map<Long, TapResult> answered = new HashMap<>();
                for (final CompletableFuture<TapResult> future : pending)
                {
                    final TapResult result = future.get(10, TimeUnit.SECONDS);
                    answered.put(result.receipt(), result);
                }

                // read as soon as the answers arrived: the batch was flushed before they were released
                final Map<Long, Long> indexByReceipt = new HashMap<>();
                final Map<Long, Integer> decisionByReceipt = new HashMap<>();
                try (JournalReader reader = new JournalReader(dataDir))
                {
                    reader.poll((index, r) ->
                    {
                        if (r.type() == JournalRecord.TYPE_TAP)
                        {
                            indexByReceipt.put(r.receipt(), index);
                            decisionByReceipt.put(r.receipt(), r.decision());
                        }
                    }, Integer.MAX_VALUE);
                }
                assertThat(indexByReceipt).containsKeys(answered.keySet().toArray(new Long[0]));
                answered.forEach((receipt, result) ->
                    assertThat(decisionByReceipt.get(receipt)).isEqualTo(result.decision()));
                assertThat(answered.keySet().stream().map(indexByReceipt::get).distinct().count())
                    .as("one engine batch, one excerpt").isEqualTo(1);
                assertThat(counter(testSwitch, "tapswitch.journal.records") - recordsBefore).isEqualTo(REQUESTS);
            }
            finally
            {
                server.resumeEngine();
                terminal.close();
            }
        }
    }

    private static double queueDepth(final TestSwitch testSwitch)
    {
        return gauge(testSwitch, "tapswitch.engine.queue.depth");
    }

    private static double gauge(final TestSwitch testSwitch, final String name)
    {
        final Gauge gauge = testSwitch.launcher().metrics().registry().find(name).gauge();
        return null == gauge ? 0 : gauge.value();
    }

    private static double counter(final TestSwitch testSwitch, final String name)
    {
        final FunctionCounter counter = testSwitch.launcher().metrics().registry().find(name).functionCounter();
        return null == counter ? 0 : counter.count();
    }
}
