package io.tapswitch.admin.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class WorkingCalendarPropertiesTest
{
    private static final WorkingCalendar CALENDAR = load();

    private static WorkingCalendar load()
    {
        try
        {
            return WorkingCalendarTest.testCalendar();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    @Property(tries = 150)
    void shouldLandOnAWorkingDayWithExactlyNWorkingDaysCounted(
        @ForAll @IntRange(min = 0, max = 200) final int dayOfYear, @ForAll @IntRange(min = 1, max = 40) final int n)
    {
        final LocalDate start = LocalDate.of(2026, 5, 1).plusDays(dayOfYear);
        final LocalDate due = CALENDAR.addWorkingDays(start, n);
        assertThat(CALENDAR.isWorkingDay(due)).isTrue();
        int counted = 0;
        for (LocalDate day = start.plusDays(1); !day.isAfter(due); day = day.plusDays(1))
        {
            counted += CALENDAR.isWorkingDay(day) ? 1 : 0;
        }
        assertThat(counted).isEqualTo(n);
    }

    @Property(tries = 150)
    void shouldNeverEndATermOnADayOffNorBeforeItsCalendarDays(
        @ForAll @IntRange(min = 0, max = 200) final int dayOfYear, @ForAll @IntRange(min = 1, max = 60) final int days)
    {
        final LocalDate start = LocalDate.of(2026, 5, 1).plusDays(dayOfYear);
        final LocalDate due = CALENDAR.addCalendarDays(start, days);
        assertThat(CALENDAR.isWorkingDay(due)).isTrue();
        assertThat(due).isAfterOrEqualTo(start.plusDays(days));
        for (LocalDate day = start.plusDays(days); day.isBefore(due); day = day.plusDays(1))
        {
            assertThat(CALENDAR.isWorkingDay(day)).isFalse();
        }
    }

    @Property(tries = 100)
    void shouldExtendByAtLeastTheSuspendedDays(
        @ForAll @IntRange(min = 0, max = 200) final int dayOfYear, @ForAll @IntRange(min = 0, max = 90) final int days)
    {
        final LocalDate due = LocalDate.of(2026, 5, 1).plusDays(dayOfYear);
        final LocalDate extended = CALENDAR.extend(due, days);
        assertThat(extended).isAfterOrEqualTo(due.plusDays(days));
        if (days > 0)
        {
            assertThat(CALENDAR.isWorkingDay(extended)).isTrue();
        }
    }
}
