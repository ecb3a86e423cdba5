package io.tapswitch.switching.engine;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.TemporalAdjusters;
import java.util.SplittableRandom;

import io.tapswitch.formats.command.PeriodRule;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cached city calendar agrees with {@link ZonedDateTime} on day, minute of day, week from Monday and month, for
 * random instants (in time order and jumping back and forth) and around the DST transitions of Kyiv.
 */
class CityClockTest
{
    private static final ZoneId KYIV = ZoneId.of("Europe/Kyiv");

    private static void assertAgrees(final CityClock clock, final long epochMs)
    {
        clock.select(epochMs);
        final ZonedDateTime local = Instant.ofEpochMilli(epochMs).atZone(KYIV);
        final long day = local.toLocalDate().toEpochDay();
        final long monday = local.toLocalDate().with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).toEpochDay();
        assertThat(clock.epochDay()).as("day of %s", local).isEqualTo((int)day);
        assertThat(clock.minuteOfDay()).as("minute of %s", local).isEqualTo(local.getHour() * 60 + local.getMinute());
        assertThat(clock.periodKey(PeriodRule.DAY, 0, 0)).isEqualTo((int)day);
        assertThat(clock.periodKey(PeriodRule.MONTH, 0, 0))
            .as("month of %s", local).isEqualTo(local.getYear() * 12 + local.getMonthValue() - 1);
        assertThat(clock.periodKey(PeriodRule.WEEK, 0, 0)).as("week of %s", local).isEqualTo(
            (int)Math.floorDiv(monday + 3, 7));
        assertThat(clock.periodKey(PeriodRule.CYCLE, 10, 20_000)).isEqualTo((int)Math.floorDiv(day - 20_000, 10));
        assertThat(clock.periodKey(PeriodRule.ONCE, 0, 0)).isZero();
    }

    @Test
    void shouldAgreeWithJavaTimeForRandomInstants()
    {
        final long seed = System.nanoTime();
        System.out.println("CityClockTest seed=" + seed);
        final SplittableRandom random = new SplittableRandom(seed);
        final CityClock clock = new CityClock(KYIV);
        final long from = LocalDateTime.of(2019, 1, 1, 0, 0).atZone(KYIV).toInstant().toEpochMilli();
        final long to = LocalDateTime.of(2031, 1, 1, 0, 0).atZone(KYIV).toInstant().toEpochMilli();
        long sequential = from;
        for (int i = 0; i < 20_000; i++)
        {
            assertAgrees(clock, from + (long)(random.nextDouble() * (to - from)));
            sequential += random.nextInt(3_600_000);
            assertAgrees(clock, sequential);
        }
    }

    @Test
    void shouldFollowKyivDaylightSavingTransitionsMinuteByMinute()
    {
        final CityClock clock = new CityClock(KYIV);
        for (final LocalDateTime start : new LocalDateTime[] {
            LocalDateTime.of(2026, 3, 28, 22, 0), LocalDateTime.of(2026, 10, 24, 22, 0)})
        {
            final long startMs = start.atZone(KYIV).toInstant().toEpochMilli();
            for (int minute = 0; minute < 2 * 24 * 60; minute++)
            {
                assertAgrees(clock, startMs + minute * 60_000L + 59_999);
                assertAgrees(clock, startMs + minute * 60_000L);
            }
        }
    }
}
