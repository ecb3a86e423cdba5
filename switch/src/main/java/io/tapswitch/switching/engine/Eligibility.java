package io.tapswitch.switching.engine;

import io.tapswitch.formats.command.CardStatus;
import io.tapswitch.formats.command.Commands;
import io.tapswitch.protocol.ReasonCode;

/**
 * Whether a card may use a program at a city time, read in one place for TAP, REVERSAL and BALANCE: the card's own
 * state ({@link #cardState}), the program's valid days and daily window ({@link #inWindow}) and
 * the period a use counts in ({@link #periodOf}). Reads the tables only.
 */
final class Eligibility
{
    private Eligibility()
    {
    }

    /**
     * The card's own state on the city day of {@code clock}, the same for TAP and BALANCE:
     * CARD_BLOCKED unless ACTIVE or EXPIRED; CARD_EXPIRED when EXPIRED or after its expiry day (the expiry day
     * itself is still served); otherwise OK.
     */
    static int cardState(final Tables t, final int card, final CityClock clock)
    {
        final int status = t.cardStatus(card);
        if (status != CardStatus.ACTIVE && status != CardStatus.EXPIRED)
        {
            return ReasonCode.CARD_BLOCKED;
        }
        if (status == CardStatus.EXPIRED || clock.epochDay() > t.cardExpiryDay(card))
        {
            return ReasonCode.CARD_EXPIRED;
        }
        return ReasonCode.OK;
    }

    /**
     * @return the key of the program's period (day, week, month, once, cycle) holding the city time of {@code clock}.
     */
    static int periodOf(final Tables t, final int slot, final CityClock clock)
    {
        return clock.periodKey(t.programPeriod[slot], t.programCycleDays[slot], t.programValidFrom[slot]);
    }

    /**
     * @return true when the city time of {@code clock} is within the program's valid days (both included) and its
     * daily window [start, end) of minutes (across midnight when end is before start).
     */
    static boolean inWindow(final Tables t, final int slot, final CityClock clock)
    {
        final int day = clock.epochDay();
        if (day < t.programValidFrom[slot] || day > t.programValidTo[slot])
        {
            return false;
        }
        final int start = t.programWindowStart[slot];
        final int end = t.programWindowEnd[slot];
        if (start == 0 && end >= Commands.MINUTES_PER_DAY)
        {
            return true;
        }
        final int minute = clock.minuteOfDay();
        return start <= end ? minute >= start && minute < end : minute >= start || minute < end;
    }
}
