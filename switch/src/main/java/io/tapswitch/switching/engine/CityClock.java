package io.tapswitch.switching.engine;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;

import io.tapswitch.formats.command.PeriodRule;

/**
 * City-local calendar of one instant at a time: epoch day, week, month and minute of day in the city zone. The
 * boundaries of the current local day are cached, so converting an instant of the same day allocates nothing;
 * moving to another day recomputes them with {@link ZoneRules} (DST transitions inside the day included).
 * <p>
 * Not thread-safe; owned by the engine thread.
 */
final class CityClock
{
    private static final long DAY_MS = 86_400_000L;

    private final ZoneId zone;
    private final ZoneRules rules;
    private long dayStartMs = Long.MAX_VALUE;
    private long dayEndMs = Long.MIN_VALUE;
    private int epochDay;
    private int monthKey;
    private int weekKey;
    private long transitionMs;
    private long offsetBeforeMs;
    private long offsetAfterMs;
    private long selectedMs;

    CityClock(final ZoneId zone)
    {
        this.zone = zone;
        this.rules = zone.getRules();
    }

    /**
     * Selects the instant the other methods describe.
     */
    CityClock select(final long epochMs)
    {
        selectedMs = epochMs;
        if (epochMs < dayStartMs || epochMs >= dayEndMs)
        {
            recompute(epochMs);
        }
        return this;
    }

    private void recompute(final long epochMs)
    {
        final long offsetMs = rules.getOffset(Instant.ofEpochMilli(epochMs)).getTotalSeconds() * 1000L;
        final LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(epochMs + offsetMs, DAY_MS));
        dayStartMs = date.atStartOfDay(zone).toInstant().toEpochMilli();
        dayEndMs = date.plusDays(1).atStartOfDay(zone).toInstant().toEpochMilli();
        epochDay = (int)date.toEpochDay();
        monthKey = date.getYear() * 12 + date.getMonthValue() - 1;
        weekKey = (int)Math.floorDiv(date.toEpochDay() + 3, 7);
        offsetBeforeMs = rules.getOffset(Instant.ofEpochMilli(dayStartMs)).getTotalSeconds() * 1000L;
        final ZoneOffsetTransition transition = rules.nextTransition(Instant.ofEpochMilli(dayStartMs));
        if (transition != null && transition.toEpochSecond() * 1000L < dayEndMs)
        {
            transitionMs = transition.toEpochSecond() * 1000L;
            offsetAfterMs = transition.getOffsetAfter().getTotalSeconds() * 1000L;
        }
        else
        {
            transitionMs = Long.MAX_VALUE;
            offsetAfterMs = offsetBeforeMs;
        }
    }

    int epochDay()
    {
        return epochDay;
    }

    /**
     * @return local wall-clock minute of the selected instant, 0..1439.
     */
    int minuteOfDay()
    {
        final long offsetMs = selectedMs < transitionMs ? offsetBeforeMs : offsetAfterMs;
        return (int)(Math.floorMod(selectedMs + offsetMs, DAY_MS) / 60_000L);
    }

    /**
     * @return the period key of the selected instant under a period rule; keys increase with time.
     */
    int periodKey(final int periodRule, final int cycleDays, final int anchorDay)
    {
        switch (periodRule)
        {
            case PeriodRule.DAY:
                return epochDay;
            case PeriodRule.WEEK:
                return weekKey;
            case PeriodRule.MONTH:
                return monthKey;
            case PeriodRule.CYCLE:
                return (int)Math.floorDiv((long)epochDay - anchorDay, cycleDays);
            default:
                return 0;
        }
    }
}
