package io.tapswitch.switching.engine;

import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.formats.demo.DemoDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.tapswitch.switching.engine.Harness.KYIV;
import static io.tapswitch.switching.engine.Harness.kyiv;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Model-based check of the demo dataset over six weeks of random online taps and reversals: an independent,
 * straightforward model of DEMO-DATA.md and PROTOCOL.md (rules 1, 6, 8, 13, calendar periods in Kyiv time) predicts
 * every decision, reason and remaining; the engine must agree on each one, so no quota is ever exceeded and every
 * reversal gives back exactly what was taken. The seed is printed.
 */
class EngineModelTest
{
    private static final int CARDS = 240;
    private static final int TERMINALS = 20;
    private static final long WINDOW_MS = 15 * 60_000L;

    @TempDir
    Path dir;

    private final Map<Long, long[]> used = new HashMap<>();
    private final Map<Long, long[]> approvedTaps = new HashMap<>();

    private static int quota(final int program)
    {
        return program == 2 ? 2 : 1;
    }

    private static boolean household(final int program)
    {
        return program == 1 || program == 5;
    }

    private static long unitKey(final long card, final int program)
    {
        return (household(program) ? DemoDataset.householdOf(card) * 100 : card * 100 + 50) + program;
    }

    private static int periodKey(final int program, final long ms)
    {
        final LocalDateTime local = LocalDateTime.ofInstant(Instant.ofEpochMilli(ms), KYIV);
        switch (program)
        {
            case 1:
            case 2:
                return local.getYear() * 12 + local.getMonthValue() - 1;
            case 3:
            case 4:
                return (int)local.toLocalDate().toEpochDay();
            default:
                return 0;
        }
    }

    private int usedNow(final long unit, final int period)
    {
        final long[] u = used.get(unit);
        return u != null && u[0] == period ? (int)u[1] : 0;
    }

    private int[] predictTap(final long terminal, final long card, final int requested, final int quantity,
        final long nowMs, final long correlation)
    {
        final int outlet = DemoDataset.outletOf(terminal);
        final int program = requested == 0 ? (outlet <= 5 ? 1 : 3) : requested;
        if (quantity == 0 || program > 5)
        {
            return new int[] {Decision.DECLINED, ReasonCode.INVALID_REQUEST, -1};
        }
        if (card < DemoDataset.FIRST_CARD_ID || card >= DemoDataset.FIRST_CARD_ID + CARDS)
        {
            return new int[] {Decision.DECLINED, ReasonCode.UNKNOWN_CARD, -1};
        }
        if (card % 100 == 99)
        {
            return new int[] {Decision.DECLINED, ReasonCode.CARD_BLOCKED, -1};
        }
        if (card % 100 == 98)
        {
            return new int[] {Decision.DECLINED, ReasonCode.CARD_EXPIRED, -1};
        }
        final boolean enrolled = card % 100 != 97;
        final long unit = unitKey(card, program);
        final int period = periodKey(program, nowMs);
        final int usedBefore = usedNow(unit, period);
        final int left = enrolled ? Math.max(0, quota(program) - usedBefore) : -1;
        final boolean allowed = program == 3 || program == 4 ? outlet > 5 : outlet <= 5;
        if (!allowed)
        {
            return new int[] {Decision.DECLINED, ReasonCode.OUTLET_NOT_ALLOWED, left};
        }
        if (!enrolled)
        {
            return new int[] {Decision.DECLINED, ReasonCode.NO_ENTITLEMENT, -1};
        }
        final LocalDateTime local = LocalDateTime.ofInstant(Instant.ofEpochMilli(nowMs), KYIV);
        final int minute = local.getHour() * 60 + local.getMinute();
        if (program == 5 || (program == 4 && (minute < 450 || minute >= 570)))
        {
            return new int[] {Decision.DECLINED, ReasonCode.OUTSIDE_WINDOW, left};
        }
        if (usedBefore + quantity > quota(program))
        {
            return new int[] {Decision.DECLINED, ReasonCode.QUOTA_EXHAUSTED, left};
        }
        used.put(unit, new long[] {period, usedBefore + quantity});
        approvedTaps.put(correlation, new long[] {unit, period, quantity, nowMs, card, 0, program});
        return new int[] {Decision.APPROVED, ReasonCode.OK, quota(program) - usedBefore - quantity};
    }

    private int[] predictReversal(final long originalCorrelation, final long card, final long nowMs)
    {
        final long[] original = approvedTaps.get(originalCorrelation);
        if (original == null || original[4] != card)
        {
            return new int[] {Decision.DECLINED, ReasonCode.ORIGINAL_NOT_FOUND, -1};
        }
        if (original[5] != 0)
        {
            return new int[] {Decision.DECLINED, ReasonCode.ALREADY_REVERSED, -1};
        }
        if (nowMs - original[3] > WINDOW_MS)
        {
            return new int[] {Decision.DECLINED, ReasonCode.REVERSAL_WINDOW_EXPIRED, -1};
        }
        original[5] = 1;
        final long[] u = used.get(original[0]);
        if (u[0] == original[1])
        {
            u[1] -= original[2];
        }
        final int program = (int)original[6];
        return new int[] {Decision.APPROVED, ReasonCode.OK,
            Math.max(0, quota(program) - usedNow(original[0], periodKey(program, nowMs)))};
    }

    @Test
    void shouldAgreeWithIndependentModelOnEveryDecision()
    {
        final long seed = Long.getLong("tapswitch.seed", System.nanoTime());
        System.out.println("EngineModelTest seed=" + seed);
        final SplittableRandom random = new SplittableRandom(seed);
        final List<long[]> recent = new ArrayList<>();
        int approved = 0;
        int reversed = 0;
        try (Harness h = new Harness(dir).demo(CARDS, TERMINALS))
        {
            long nowMs = kyiv(2026, 11, 23, 6, 0);
            for (int i = 1; i <= 4_000; i++)
            {
                final boolean reversal = random.nextInt(4) == 0 && !recent.isEmpty();
                nowMs += reversal ? random.nextInt(10 * 60_000) :
                    random.nextInt(random.nextInt(10) == 0 ? 6 * 3_600_000 : 20 * 60_000);
                // one correlation space for the whole test: terminal t uses correlations t * 1_000_000 + i
                final long terminal = 1 + random.nextInt(TERMINALS);
                final int correlation = (int)(terminal * 1_000_000 + i);
                final int[] expected;
                final Harness.Result actual;
                if (reversal)
                {
                    final long[] original = recent.get(recent.size() - 1 - random.nextInt(Math.min(4, recent.size())));
                    final long card = random.nextInt(8) == 0 ? original[2] + 3 : original[2];
                    expected = predictReversal(original[1], card, nowMs);
                    actual = h.reversal(nowMs, original[0], correlation, (int)original[1], card);
                    reversed += expected[0] == Decision.APPROVED ? 1 : 0;
                }
                else
                {
                    final long card = DemoDataset.FIRST_CARD_ID - 1 + random.nextInt(CARDS + 2);
                    final int program = random.nextInt(7);
                    final int quantity = random.nextInt(20) == 0 ? 0 : 1 + random.nextInt(2);
                    expected = predictTap(terminal, card, program, quantity, nowMs, correlation);
                    actual = h.tap(nowMs, terminal, correlation, card, program, quantity);
                    recent.add(new long[] {terminal, correlation, card});
                    approved += expected[0] == Decision.APPROVED ? 1 : 0;
                }
                assertThat(new int[] {actual.decision(), actual.reason(), actual.remaining()})
                    .as("operation %d at %s", i, Instant.ofEpochMilli(nowMs)).containsExactly(expected);
            }
        }
        System.out.println("EngineModelTest approved=" + approved + " reversed=" + reversed);
        assertThat(approved).isGreaterThan(300);
        assertThat(reversed).isGreaterThan(20);
    }
}
