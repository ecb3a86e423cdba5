package io.tapswitch.admin.workflow;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The working-day calendar deadlines are computed with: weekends, public holidays and explicit transfers of working
 * days, all configured data. Under martial law public holidays are working days and transfers do not apply (the
 * {@code martialLaw} switch). A holiday on a weekend moves the day off to the next working day when
 * {@code weekendHolidayMovesToNextWorkingDay} is set (art. 67 of the Labour Code), again only outside martial law.
 * <p>
 * Immutable; thread-safe.
 */
public final class WorkingCalendar
{
    /** The classpath resource of the shipped calendar. */
    public static final String SHIPPED = "calendar/ua.json";

    private final ZoneId zone;
    private final Set<DayOfWeek> weekend;
    private final boolean martialLaw;
    private final boolean calendarDeadlineOnDayOffMovesToNextWorkingDay;
    private final Map<LocalDate, String> holidays;
    private final Set<LocalDate> daysOff = new HashSet<>();
    private final Set<LocalDate> extraWorkingDays = new HashSet<>();

    private WorkingCalendar(final ZoneId zone, final Set<DayOfWeek> weekend, final boolean martialLaw,
        final boolean weekendHolidayMoves, final boolean calendarDeadlineMoves, final Map<LocalDate, String> holidays,
        final List<LocalDate[]> transfers)
    {
        this.zone = zone;
        this.weekend = weekend;
        this.martialLaw = martialLaw;
        this.calendarDeadlineOnDayOffMovesToNextWorkingDay = calendarDeadlineMoves;
        this.holidays = Collections.unmodifiableMap(holidays);
        if (!martialLaw)
        {
            for (final LocalDate holiday : holidays.keySet())
            {
                daysOff.add(holiday);
            }
            if (weekendHolidayMoves)
            {
                for (final LocalDate holiday : holidays.keySet())
                {
                    if (weekend.contains(holiday.getDayOfWeek()))
                    {
                        LocalDate moved = holiday.plusDays(1);
                        while (weekend.contains(moved.getDayOfWeek()) || daysOff.contains(moved))
                        {
                            moved = moved.plusDays(1);
                        }
                        daysOff.add(moved);
                    }
                }
            }
            for (final LocalDate[] transfer : transfers)
            {
                daysOff.add(transfer[0]);
                extraWorkingDays.add(transfer[1]);
            }
        }
    }

    /**
     * @return the calendar shipped in the admin module's resources.
     */
    public static WorkingCalendar loadShipped()
    {
        try (InputStream in = WorkingCalendar.class.getClassLoader().getResourceAsStream(SHIPPED))
        {
            if (null == in)
            {
                throw new CatalogueException(List.of(SHIPPED + ": missing"));
            }
            return parse(SHIPPED, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Parses and validates a calendar file.
     *
     * @param fileName the file's name, used in problems.
     * @param text     its JSON.
     * @return the calendar.
     * @throws CatalogueException naming every problem.
     */
    public static WorkingCalendar parse(final String fileName, final String text)
    {
        final List<String> problems = new ArrayList<>();
        final JsonObject json;
        try
        {
            json = new JsonObject(text);
        }
        catch (final DecodeException ex)
        {
            throw new CatalogueException(List.of(fileName + ": not valid JSON: " + ex.getMessage()));
        }
        ZoneId zone = null;
        try
        {
            zone = ZoneId.of(String.valueOf(json.getValue("zone")));
        }
        catch (final DateTimeException ex)
        {
            problems.add(fileName + ": zone must be a time zone id, was " + json.getValue("zone"));
        }
        final Set<DayOfWeek> weekend = EnumSet.noneOf(DayOfWeek.class);
        final JsonArray weekendJson = json.getJsonArray("weekend", new JsonArray());
        for (final Object day : weekendJson)
        {
            try
            {
                weekend.add(DayOfWeek.valueOf(String.valueOf(day)));
            }
            catch (final IllegalArgumentException ex)
            {
                problems.add(fileName + ": weekend: '" + day + "' is not a day of the week");
            }
        }
        final Object martialLaw = json.getValue("martialLaw");
        if (!(martialLaw instanceof Boolean))
        {
            problems.add(fileName + ": martialLaw is required and must be true or false, was " + martialLaw);
        }
        final Map<LocalDate, String> holidays = new HashMap<>();
        final JsonArray holidaysJson = json.getJsonArray("holidays", new JsonArray());
        for (int i = 0; i < holidaysJson.size(); i++)
        {
            final JsonObject holiday = holidaysJson.getJsonObject(i);
            final LocalDate date = date(problems, fileName + ": holidays[" + i + "]", holiday.getValue("date"));
            if (null != date && null != holidays.put(date, holiday.getString("nameUk", "")))
            {
                problems.add(fileName + ": holidays[" + i + "]: " + date + " is listed twice");
            }
        }
        final List<LocalDate[]> transfers = new ArrayList<>();
        final JsonArray transfersJson = json.getJsonArray("transfers", new JsonArray());
        for (int i = 0; i < transfersJson.size(); i++)
        {
            final JsonObject transfer = transfersJson.getJsonObject(i);
            final String where = fileName + ": transfers[" + i + "]";
            final LocalDate dayOff = date(problems, where + ": dayOff", transfer.getValue("dayOff"));
            final LocalDate workingDay = date(problems, where + ": workingDay", transfer.getValue("workingDay"));
            if (null != workingDay && !weekend.contains(workingDay.getDayOfWeek()) && !holidays.containsKey(workingDay))
            {
                problems.add(where + ": workingDay " + workingDay + " is already a working day");
            }
            if (null != dayOff && null != workingDay)
            {
                transfers.add(new LocalDate[]{ dayOff, workingDay });
            }
        }
        if (!problems.isEmpty())
        {
            throw new CatalogueException(problems);
        }
        return new WorkingCalendar(zone, Collections.unmodifiableSet(weekend), (Boolean)martialLaw,
            json.getBoolean("weekendHolidayMovesToNextWorkingDay", false),
            json.getBoolean("calendarDeadlineOnDayOffMovesToNextWorkingDay", false), holidays, transfers);
    }

    private static LocalDate date(final List<String> problems, final String where, final Object value)
    {
        try
        {
            return LocalDate.parse(String.valueOf(value));
        }
        catch (final DateTimeParseException ex)
        {
            problems.add(where + ": must be a date yyyy-mm-dd, was " + value);
            return null;
        }
    }

    public ZoneId zone()
    {
        return zone;
    }

    public boolean martialLaw()
    {
        return martialLaw;
    }

    /**
     * @param instant a moment.
     * @return its date in the calendar's zone.
     */
    public LocalDate dateOf(final Instant instant)
    {
        return instant.atZone(zone).toLocalDate();
    }

    /**
     * @param date a date.
     * @return whether it is a working day.
     */
    public boolean isWorkingDay(final LocalDate date)
    {
        if (extraWorkingDays.contains(date))
        {
            return true;
        }
        return !weekend.contains(date.getDayOfWeek()) && !daysOff.contains(date);
    }

    /**
     * @param date a date.
     * @return the public holiday's name, or null.
     */
    public String holidayName(final LocalDate date)
    {
        return holidays.get(date);
    }

    /**
     * @param date a date.
     * @return the first working day after it.
     */
    public LocalDate nextWorkingDay(final LocalDate date)
    {
        return addWorkingDays(date, 1);
    }

    /**
     * @param date a date.
     * @return the date itself when it is a working day, else the next working day.
     */
    public LocalDate onOrAfterWorkingDay(final LocalDate date)
    {
        LocalDate day = date;
        while (!isWorkingDay(day))
        {
            day = day.plusDays(1);
        }
        return day;
    }

    /**
     * Counting starts the day after {@code date} ("перебіг строку починається з наступного дня").
     *
     * @param date        the start day.
     * @param workingDays how many, at least 0.
     * @return the {@code workingDays}-th working day after {@code date} ({@code date} itself for 0).
     */
    public LocalDate addWorkingDays(final LocalDate date, final int workingDays)
    {
        if (workingDays < 0)
        {
            throw new IllegalArgumentException("workingDays must be >= 0, was " + workingDays);
        }
        LocalDate day = date;
        int remaining = workingDays;
        while (remaining > 0)
        {
            day = day.plusDays(1);
            if (isWorkingDay(day))
            {
                remaining--;
            }
        }
        return day;
    }

    /**
     * @param date         the start day.
     * @param calendarDays how many.
     * @return {@code date + calendarDays}, moved to the next working day when it is a day off and the calendar says so.
     */
    public LocalDate addCalendarDays(final LocalDate date, final int calendarDays)
    {
        final LocalDate day = date.plusDays(calendarDays);
        return calendarDeadlineOnDayOffMovesToNextWorkingDay ? onOrAfterWorkingDay(day) : day;
    }

    /**
     * The due date of a deadline rule for something started on {@code start}.
     *
     * @param kind  the rule.
     * @param days  its days.
     * @param start the day the stage (or the case) started.
     * @return the last day it may be done on, or null when the rule sets no date.
     */
    public LocalDate due(final DeadlineKind kind, final int days, final LocalDate start)
    {
        switch (kind)
        {
            case AT_APPLICATION:
            case SAME_DAY:
                return start;
            case NEXT_WORKING_DAY:
                return nextWorkingDay(start);
            case WORKING_DAYS:
                return addWorkingDays(start, days);
            case CALENDAR_DAYS:
                return addCalendarDays(start, days);
            case AFTER_COMMITTEE:
                return days > 0 ? addWorkingDays(start, days) : null;
            case ON_APPLICANT_VISIT:
            case NONE:
            default:
                return null;
        }
    }

    /**
     * Extends a due date by a suspension: the term stopped for {@code suspendedDays} calendar days and resumes
     * extended by them; a date landing on a day off moves to the next working day.
     *
     * @param due           the due date before, or null.
     * @param suspendedDays calendar days the case was suspended.
     * @return the extended due date, or null.
     */
    public LocalDate extend(final LocalDate due, final long suspendedDays)
    {
        if (null == due || suspendedDays <= 0)
        {
            return due;
        }
        return onOrAfterWorkingDay(due.plusDays(suspendedDays));
    }
}
