package io.tapswitch.admin.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;

import org.junit.jupiter.api.Test;

class WorkingCalendarTest
{
    static String testCalendarJson() throws IOException
    {
        try (InputStream in = WorkingCalendarTest.class.getResourceAsStream("/workflow/test-calendar.json"))
        {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static WorkingCalendar testCalendar() throws IOException
    {
        return WorkingCalendar.parse("test-calendar.json", testCalendarJson());
    }

    private static WorkingCalendar martialLawCalendar() throws IOException
    {
        return WorkingCalendar.parse("test-calendar.json",
            testCalendarJson().replace("\"martialLaw\": false", "\"martialLaw\": true"));
    }

    @Test
    void shouldSkipWeekendHolidayAndTransferredDayOffWhenCountingWorkingDays() throws IOException
    {
        final WorkingCalendar calendar = testCalendar();
        // Wed 30.09 + 1 working day: Thu 01.10 holiday, Fri 02.10 transferred off, Sat/Sun weekend -> Mon 05.10.
        assertThat(calendar.addWorkingDays(LocalDate.of(2026, 9, 30), 1)).isEqualTo(LocalDate.of(2026, 10, 5));
        assertThat(calendar.due(DeadlineKind.NEXT_WORKING_DAY, 0, LocalDate.of(2026, 9, 30)))
            .isEqualTo(LocalDate.of(2026, 10, 5));
        // Mon 28.09 + 5 working days: 29, 30, (01 holiday, 02 off, weekend) 05, 06, 07.
        assertThat(calendar.due(DeadlineKind.WORKING_DAYS, 5, LocalDate.of(2026, 9, 28)))
            .isEqualTo(LocalDate.of(2026, 10, 7));
    }

    @Test
    void shouldCountTheTransferredSaturdayAsAWorkingDay() throws IOException
    {
        final WorkingCalendar calendar = testCalendar();
        assertThat(calendar.isWorkingDay(LocalDate.of(2026, 10, 10))).isTrue();
        assertThat(calendar.isWorkingDay(LocalDate.of(2026, 10, 2))).isFalse();
        assertThat(calendar.addWorkingDays(LocalDate.of(2026, 10, 9), 1)).isEqualTo(LocalDate.of(2026, 10, 10));
    }

    @Test
    void shouldMoveACalendarDeadlineFallingOnADayOffToTheNextWorkingDay() throws IOException
    {
        final WorkingCalendar calendar = testCalendar();
        // Mon 28.09 + 3 calendar days = Thu 01.10, a holiday -> Mon 05.10.
        assertThat(calendar.due(DeadlineKind.CALENDAR_DAYS, 3, LocalDate.of(2026, 9, 28)))
            .isEqualTo(LocalDate.of(2026, 10, 5));
        // Mon 28.09 + 2 calendar days = Wed 30.10, a working day: unchanged.
        assertThat(calendar.due(DeadlineKind.CALENDAR_DAYS, 2, LocalDate.of(2026, 9, 28)))
            .isEqualTo(LocalDate.of(2026, 9, 30));
    }

    @Test
    void shouldGiveTheMondayOffWhenAHolidayFallsOnSunday() throws IOException
    {
        final WorkingCalendar calendar = testCalendar();
        assertThat(calendar.isWorkingDay(LocalDate.of(2026, 6, 29))).isFalse();
        assertThat(calendar.addWorkingDays(LocalDate.of(2026, 6, 26), 1)).isEqualTo(LocalDate.of(2026, 6, 30));
    }

    @Test
    void shouldTreatHolidaysAsWorkingDaysAndIgnoreTransfersUnderMartialLaw() throws IOException
    {
        final WorkingCalendar calendar = martialLawCalendar();
        assertThat(calendar.isWorkingDay(LocalDate.of(2026, 10, 1))).isTrue();
        assertThat(calendar.isWorkingDay(LocalDate.of(2026, 10, 2))).isTrue();
        assertThat(calendar.isWorkingDay(LocalDate.of(2026, 10, 10))).isFalse();
        assertThat(calendar.isWorkingDay(LocalDate.of(2026, 6, 29))).isTrue();
        assertThat(calendar.addWorkingDays(LocalDate.of(2026, 9, 30), 1)).isEqualTo(LocalDate.of(2026, 10, 1));
        assertThat(calendar.holidayName(LocalDate.of(2026, 10, 1))).isEqualTo("День захисників і захисниць України");
    }

    @Test
    void shouldShipAMartialLawCalendarWithTheHolidaysOfTheLabourCode()
    {
        final WorkingCalendar calendar = WorkingCalendar.loadShipped();
        assertThat(calendar.martialLaw()).isTrue();
        assertThat(calendar.holidayName(LocalDate.of(2026, 8, 24))).isEqualTo("День незалежності України");
        assertThat(calendar.isWorkingDay(LocalDate.of(2026, 8, 24))).isTrue();
        assertThat(calendar.isWorkingDay(LocalDate.of(2026, 8, 22))).isFalse();
    }

    @Test
    void shouldExtendADueDateBySuspendedDaysLandingOnAWorkingDay() throws IOException
    {
        final WorkingCalendar calendar = testCalendar();
        assertThat(calendar.extend(LocalDate.of(2026, 9, 21), 7)).isEqualTo(LocalDate.of(2026, 9, 28));
        // 24.09 + 7 = Thu 01.10 holiday -> Mon 05.10.
        assertThat(calendar.extend(LocalDate.of(2026, 9, 24), 7)).isEqualTo(LocalDate.of(2026, 10, 5));
        assertThat(calendar.extend(null, 7)).isNull();
    }

    @Test
    void shouldRejectACalendarWithBadDatesNamingTheFileAndEntry() throws IOException
    {
        final String broken = testCalendarJson().replace("\"2026-10-01\"", "\"2026-13-01\"")
            .replace("\"martialLaw\": false", "\"martialLaw\": \"no\"");
        assertThatThrownBy(() -> WorkingCalendar.parse("bad-calendar.json", broken))
            .isInstanceOf(CatalogueException.class)
            .hasMessageContaining("bad-calendar.json: holidays[1]: must be a date yyyy-mm-dd, was 2026-13-01")
            .hasMessageContaining("bad-calendar.json: martialLaw is required and must be true or false");
    }
}
