package io.tapswitch.switching.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.Messages;
import io.tapswitch.formats.command.CardStatus;
import io.tapswitch.formats.command.CommandEncoder;
import io.tapswitch.formats.journal.JournalReader;
import io.tapswitch.formats.journal.JournalRecord;
import io.tapswitch.formats.Queues;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.tapswitch.switching.engine.Harness.kyiv;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Decides a random stream of taps, offline advices, reversals, retries and commands, drops the engine at random
 * points without closing it (no final snapshot, queues left as they were), restarts from the same directory and
 * checks that: the state equals a from-scratch replay of the journal; every result a terminal received is in the
 * journal under its receipt with the same decision; a retried correlation returns its original result; receipts keep
 * increasing. Interval snapshots are taken along the way, so restarts exercise snapshot + replay. The seed is printed
 * and can be fixed with {@code -Dtapswitch.seed=...}.
 */
class EngineCrashTest
{
    private static final long START = kyiv(2026, 11, 23, 7, 0);
    private static final int CARDS = 600;
    private static final int TERMINALS = 20;

    @TempDir
    Path dir;

    record Request(int type, long terminal, int correlation, long card, int program, int quantity, int flags,
        long terminalTimeMs, int originalCorrelation)
    {
        Harness.Result send(final Harness h, final long nowMs)
        {
            return type == 2 ?
                h.reversal(nowMs, terminal, correlation, originalCorrelation, card) :
                h.tap(nowMs, terminal, correlation, card, program, quantity, flags, terminalTimeMs);
        }
    }

    record Sent(Request request, Harness.Result result, long decidedMs)
    {
    }

    @Test
    void shouldRecoverExactlyAfterAbruptStopsAtRandomPoints() throws IOException
    {
        final long seed = Long.getLong("tapswitch.seed", System.nanoTime());
        System.out.println("EngineCrashTest seed=" + seed);
        final SplittableRandom random = new SplittableRandom(seed);
        final EngineConfig config = new EngineConfig().dataDir(dir).snapshotIntervalMs(20 * 60_000L)
            .idempotencyCapacity(1 << 14);
        final Harness h = new Harness(config).demo(CARDS, TERMINALS);
        final Map<Long, Sent> firstByKey = new HashMap<>();
        final List<Sent> sent = new ArrayList<>();
        final int[] nextCorrelation = new int[TERMINALS + 1];
        long nowMs = START;
        long maxReceipt = 0;
        int crashes = 0;
        int retries = 0;
        int reversalsApproved = 0;
        try
        {
            for (int op = 0; op < 4_000; op++)
            {
                nowMs += random.nextInt(30_000);
                if (op % 50 == 0)
                {
                    h.drainCommands(nowMs);
                }
                final int kind = random.nextInt(100);
                if (kind < 2)
                {
                    final long card = 1_000_001 + random.nextInt(CARDS);
                    final int status = random.nextBoolean() ? CardStatus.BLOCKED : CardStatus.ACTIVE;
                    h.publisher.publish(h.commandBuffer, 0,
                        CommandEncoder.setCardStatus(h.commandBuffer, 0, h.nextCommandId(), card, status));
                    continue;
                }
                final long terminal = 1 + random.nextInt(TERMINALS);
                final Request request;
                if (kind < 12 && !sent.isEmpty())
                {
                    // retry of an earlier request, byte-identical
                    final Sent earlier = sent.get(sent.size() - 1 - random.nextInt(Math.min(sent.size(), 200)));
                    final Harness.Result again = earlier.request().send(h, nowMs);
                    if (nowMs - earlier.decidedMs() < 24 * 3_600_000L)
                    {
                        assertThat(again).as("retry of %s", earlier.request()).isEqualTo(earlier.result());
                        retries++;
                    }
                    continue;
                }
                else if (kind < 27 && !sent.isEmpty())
                {
                    final Sent original = sent.get(sent.size() - 1 - random.nextInt(Math.min(sent.size(), 40)));
                    final Request o = original.request();
                    final long card = random.nextInt(10) == 0 ? o.card() + 1 : o.card();
                    request = new Request(2, o.terminal(), ++nextCorrelation[(int)o.terminal()], card, 0, 0, 0, 0,
                        o.correlation());
                }
                else
                {
                    final long card = random.nextInt(50) == 0 ? 999 : 1_000_001 + random.nextInt(CARDS);
                    final boolean advice = kind > 90;
                    final long terminalTimeMs = advice ? nowMs - random.nextInt(3_600_000) : nowMs;
                    request = new Request(1, terminal, ++nextCorrelation[(int)terminal], card, random.nextInt(6),
                        1 + random.nextInt(2), advice ? Messages.Tap.FLAG_OFFLINE_ADVICE : 0, terminalTimeMs, 0);
                }
                final Harness.Result result = request.send(h, nowMs);
                assertThat(result.receipt()).as("receipts increase").isGreaterThan(maxReceipt);
                maxReceipt = result.receipt();
                if (request.type() == 2 && result.decision() == Decision.APPROVED)
                {
                    reversalsApproved++;
                }
                final Sent s = new Sent(request, result, nowMs);
                sent.add(s);
                firstByKey.put(request.terminal() << 32 | request.correlation(), s);

                if (random.nextInt(400) == 0)
                {
                    h.crashAndRestart();
                    crashes++;
                    assertRecovered(h, config);
                    for (int i = Math.max(0, sent.size() - 20); i < sent.size(); i++)
                    {
                        final Sent earlier = sent.get(i);
                        assertThat(earlier.request().send(h, nowMs)).as("retry after restart of %s",
                            earlier.request()).isEqualTo(earlier.result());
                        retries++;
                    }
                }
            }
            h.crashAndRestart();
            crashes++;
            assertRecovered(h, config);
            assertEveryResultJournaled(sent);
            System.out.println("EngineCrashTest decisions=" + sent.size() + " crashes=" + crashes + " retries=" +
                retries + " reversalsApproved=" + reversalsApproved + " snapshots=" + countSnapshots());
            assertThat(crashes).isGreaterThan(1);
            assertThat(retries).isGreaterThan(100);
            assertThat(reversalsApproved).isGreaterThan(10);
        }
        finally
        {
            h.close();
        }
    }

    private long countSnapshots() throws IOException
    {
        try (var files = Files.list(Queues.snapshotsDir(dir)))
        {
            return files.count();
        }
    }

    private void assertRecovered(final Harness h, final EngineConfig config)
    {
        assertThat(h.engine.replayMismatches()).isZero();
        final Engine scratch = Engine.open(new EngineConfig().dataDir(dir).loadSnapshot(false)
            .snapshotIntervalMs(0).idempotencyCapacity(config.idempotencyCapacity()));
        try
        {
            assertThat(scratch.replayMismatches()).isZero();
            assertThat(h.engine.digest()).isEqualTo(scratch.digest());
        }
        finally
        {
            scratch.abandon();
        }
    }

    private void assertEveryResultJournaled(final List<Sent> sent)
    {
        final Map<Long, long[]> journaled = new HashMap<>();
        try (JournalReader reader = new JournalReader(dir))
        {
            reader.poll((index, r) ->
            {
                if (r.type() == JournalRecord.TYPE_TAP || r.type() == JournalRecord.TYPE_REVERSAL)
                {
                    journaled.put(r.receipt(), new long[] {r.decision(), r.reason(), r.remaining(), r.terminalId(),
                        r.correlation()});
                }
            }, Integer.MAX_VALUE);
        }
        for (final Sent s : sent)
        {
            final long[] record = journaled.get(s.result().receipt());
            assertThat(record).as("journal record of receipt %d", s.result().receipt()).isNotNull();
            assertThat(record).containsExactly(s.result().decision(), s.result().reason(), s.result().remaining(),
                s.request().terminal(), s.request().correlation());
        }
    }
}
