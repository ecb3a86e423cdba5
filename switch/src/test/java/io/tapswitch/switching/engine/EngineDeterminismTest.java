package io.tapswitch.switching.engine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import io.tapswitch.protocol.Messages;
import io.tapswitch.formats.command.CardStatus;
import io.tapswitch.formats.command.CommandEncoder;
import io.tapswitch.formats.journal.JournalReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.tapswitch.switching.engine.Harness.kyiv;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two engines in two directories fed the same commands and the same stamped request stream write byte-identical
 * journals and hold equal tables.
 */
class EngineDeterminismTest
{
    @TempDir
    Path first;
    @TempDir
    Path second;

    @Test
    void shouldWriteIdenticalJournalsAndTablesForTheSameInputs()
    {
        compare(false);
    }

    /**
     * Staging requests with {@code prepare} and loading their table entries with {@code warm} before deciding them
     * (as the switch's engine thread does per batch) changes no decision, no journal byte and no table entry.
     */
    @Test
    void shouldDecideExactlyTheSameWhenRequestsAreWarmedAhead()
    {
        compare(true);
    }

    private void compare(final boolean secondWarmsAhead)
    {
        final long seed = Long.getLong("tapswitch.seed", System.nanoTime());
        System.out.println("EngineDeterminismTest seed=" + seed);
        final Harness a = new Harness(first).demo(900, 30);
        final Harness b = new Harness(second).demo(900, 30);
        b.warmAhead = secondWarmsAhead;
        try
        {
            drive(a, new SplittableRandom(seed));
            drive(b, new SplittableRandom(seed));
            final List<byte[]> journalA = records(first);
            final List<byte[]> journalB = records(second);
            assertThat(journalA).hasSizeGreaterThan(3_000);
            assertThat(journalB).hasSameSizeAs(journalA);
            for (int i = 0; i < journalA.size(); i++)
            {
                assertThat(journalB.get(i)).as("record %d", i).isEqualTo(journalA.get(i));
            }
            assertThat(b.engine.digest()).isEqualTo(a.engine.digest());
        }
        finally
        {
            a.close();
            b.close();
        }
    }

    private static void drive(final Harness h, final SplittableRandom random)
    {
        long nowMs = kyiv(2026, 11, 23, 6, 0);
        int correlation = 0;
        for (int i = 0; i < 3_000; i++)
        {
            nowMs += random.nextInt(20_000);
            final long terminal = 1 + random.nextInt(30);
            final long card = 1_000_001 + random.nextInt(900);
            final int kind = random.nextInt(100);
            if (kind < 3)
            {
                h.publisher.publish(h.commandBuffer, 0, CommandEncoder.setCardStatus(h.commandBuffer, 0,
                    h.nextCommandId(), card, random.nextBoolean() ? CardStatus.BLOCKED : CardStatus.ACTIVE));
                h.drainCommands(nowMs);
            }
            else if (kind < 15)
            {
                h.reversal(nowMs, terminal, ++correlation, correlation - 1 - random.nextInt(30), card);
            }
            else if (kind < 20)
            {
                h.logon(nowMs, 0, terminal, nowMs, random.nextInt(50),
                    io.tapswitch.formats.demo.DemoDataset.terminalKey(terminal));
            }
            else
            {
                final boolean advice = kind > 92;
                h.tap(nowMs, terminal, ++correlation, card, random.nextInt(6), 1 + random.nextInt(2),
                    advice ? Messages.Tap.FLAG_OFFLINE_ADVICE : 0, advice ? nowMs - random.nextInt(7_200_000) : nowMs);
            }
        }
    }

    private static List<byte[]> records(final Path dataDir)
    {
        final List<byte[]> records = new ArrayList<>();
        try (JournalReader reader = new JournalReader(dataDir))
        {
            reader.poll((index, r) ->
            {
                final byte[] bytes = new byte[r.recordLength()];
                r.buffer().getBytes(r.offset(), bytes);
                records.add(bytes);
            }, Integer.MAX_VALUE);
        }
        return records;
    }
}
