package io.tapswitch.formats.demo;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;

import io.tapswitch.formats.command.CardKind;
import io.tapswitch.formats.command.CardStatus;
import io.tapswitch.formats.command.CommandEncoder;
import io.tapswitch.formats.command.CommandPublisher;
import io.tapswitch.formats.command.Commands;
import io.tapswitch.formats.command.IssueCardsEncoder;
import io.tapswitch.formats.command.PeriodRule;
import io.tapswitch.formats.command.ProgramKind;
import io.tapswitch.formats.command.ProgramUnit;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Provisions the fixed demo dataset of {@code shared/DEMO-DATA.md} through the command path: 10 outlets, programs
 * 1–5, terminals {@code 1..T} with their public demo keys, and cards {@code 1000001..1000000+N} in ISSUE_CARDS
 * batches of 1 024 cards (each entry issues the card, sets the holder's household and enrols the holder), so ten
 * million cards take 9 766 commands. Not thread-safe; static helpers.
 */
public final class DemoDataset
{
    public static final long FIRST_CARD_ID = 1_000_001L;
    /** A card id that is never issued. */
    public static final long UNKNOWN_CARD_ID = 999L;
    public static final int OUTLETS = 10;
    public static final int DEFAULT_CARDS = 100_000;
    public static final int DEFAULT_TERMINALS = 2_000;

    public static final int PROGRAM_FOOD_KIT = 1;
    public static final int PROGRAM_HYGIENE_KIT = 2;
    public static final int PROGRAM_SCHOOL_LUNCH = 3;
    public static final int PROGRAM_BREAKFAST = 4;
    public static final int PROGRAM_WINTER_KIT = 5;

    public static final int ACTIVE_EXPIRY_DAY = (int)LocalDate.of(2099, 12, 31).toEpochDay();
    public static final int EXPIRED_EXPIRY_DAY = (int)LocalDate.of(2021, 12, 31).toEpochDay();
    private static final int[] ALL_PROGRAMS = {1, 2, 3, 4, 5};
    private static final int[] AID_OUTLETS = {1, 2, 3, 4, 5};
    private static final int[] CANTEEN_OUTLETS = {6, 7, 8, 9, 10};

    private DemoDataset()
    {
    }

    /**
     * Publishes the whole dataset with command ids starting at {@code publisher.nextCommandId()}.
     *
     * @param cards     number of cards N (card ids 1000001 … 1000000+N).
     * @param terminals number of terminals T (ids 1 … T).
     * @return the number of commands published.
     * @throws IllegalStateException if the publisher refuses a command.
     */
    public static int publish(final CommandPublisher publisher, final int cards, final int terminals)
    {
        if (cards < 0 || terminals < 0)
        {
            throw new IllegalArgumentException("cards and terminals must be >= 0: " + cards + ", " + terminals);
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[Commands.MAX_COMMAND_BYTES]);
        int published = 0;
        for (int outlet = 1; outlet <= OUTLETS; outlet++)
        {
            final int defaultProgram = outlet <= 5 ? PROGRAM_FOOD_KIT : PROGRAM_SCHOOL_LUNCH;
            published += send(publisher, buffer,
                CommandEncoder.defineOutlet(buffer, 0, publisher.nextCommandId(), outlet, defaultProgram));
        }
        final int open = Commands.OPEN_FROM_DAY;
        final int close = Commands.OPEN_TO_DAY;
        final int allDay = Commands.MINUTES_PER_DAY;
        published += send(publisher, buffer, CommandEncoder.defineProgram(buffer, 0, publisher.nextCommandId(),
            PROGRAM_FOOD_KIT, ProgramKind.AID, ProgramUnit.HOUSEHOLD, PeriodRule.MONTH, 1, 0, open, close, 0, allDay,
            AID_OUTLETS));
        published += send(publisher, buffer, CommandEncoder.defineProgram(buffer, 0, publisher.nextCommandId(),
            PROGRAM_HYGIENE_KIT, ProgramKind.AID, ProgramUnit.PERSON, PeriodRule.MONTH, 2, 0, open, close, 0, allDay,
            AID_OUTLETS));
        published += send(publisher, buffer, CommandEncoder.defineProgram(buffer, 0, publisher.nextCommandId(),
            PROGRAM_SCHOOL_LUNCH, ProgramKind.MEAL, ProgramUnit.PERSON, PeriodRule.DAY, 1, 0, open, close, 0, allDay,
            CANTEEN_OUTLETS));
        published += send(publisher, buffer, CommandEncoder.defineProgram(buffer, 0, publisher.nextCommandId(),
            PROGRAM_BREAKFAST, ProgramKind.MEAL, ProgramUnit.PERSON, PeriodRule.DAY, 1, 0, open, close,
            7 * 60 + 30, 9 * 60 + 30, CANTEEN_OUTLETS));
        published += send(publisher, buffer, CommandEncoder.defineProgram(buffer, 0, publisher.nextCommandId(),
            PROGRAM_WINTER_KIT, ProgramKind.AID, ProgramUnit.HOUSEHOLD, PeriodRule.ONCE, 1, 0,
            (int)LocalDate.of(2020, 1, 1).toEpochDay(), (int)LocalDate.of(2020, 3, 31).toEpochDay(), 0, allDay,
            AID_OUTLETS));
        for (int terminal = 1; terminal <= terminals; terminal++)
        {
            published += send(publisher, buffer, CommandEncoder.registerTerminal(buffer, 0,
                publisher.nextCommandId(), terminal, outletOf(terminal), true, terminalKey(terminal)));
        }
        final IssueCardsEncoder batch = new IssueCardsEncoder();
        long cardId = FIRST_CARD_ID;
        final long lastCardId = FIRST_CARD_ID + cards - 1;
        while (cardId <= lastCardId)
        {
            batch.wrap(buffer, 0, publisher.nextCommandId(), ALL_PROGRAMS);
            while (cardId <= lastCardId && batch.add(cardId, cardId, householdOf(cardId), expiryDayOf(cardId),
                CardKind.RESIDENT, statusOf(cardId), enrolMaskOf(cardId)))
            {
                cardId++;
            }
            published += send(publisher, buffer, batch.length());
        }
        return published;
    }

    private static int send(final CommandPublisher publisher, final UnsafeBuffer buffer, final int length)
    {
        final long result = publisher.publish(buffer, 0, length);
        if (result < 0)
        {
            throw new IllegalStateException("demo command refused by the publisher: " + result);
        }
        return 1;
    }

    /**
     * @return the outlet of demo terminal {@code t}: {@code ((t − 1) mod 10) + 1}.
     */
    public static int outletOf(final long terminalId)
    {
        return (int)((terminalId - 1) % OUTLETS) + 1;
    }

    /**
     * @return the household of demo card (= holder) {@code c}: {@code (c − 1000001) / 3 + 1}.
     */
    public static long householdOf(final long cardId)
    {
        return (cardId - FIRST_CARD_ID) / 3 + 1;
    }

    public static int statusOf(final long cardId)
    {
        final long mod = cardId % 100;
        if (mod == 99)
        {
            return CardStatus.BLOCKED;
        }
        return mod == 98 ? CardStatus.EXPIRED : CardStatus.ACTIVE;
    }

    public static int expiryDayOf(final long cardId)
    {
        return cardId % 100 == 98 ? EXPIRED_EXPIRY_DAY : ACTIVE_EXPIRY_DAY;
    }

    /**
     * @return the enrolment mask over programs 1–5: all of them, or none for {@code c mod 100 = 97}.
     */
    public static int enrolMaskOf(final long cardId)
    {
        return cardId % 100 == 97 ? 0 : 0x1F;
    }

    /**
     * @return the public demo key of terminal {@code t}: SHA-256 of the UTF-8 text {@code tapswitch-demo-<t>}.
     */
    public static byte[] terminalKey(final long terminalId)
    {
        try
        {
            return MessageDigest.getInstance("SHA-256")
                .digest(("tapswitch-demo-" + terminalId).getBytes(StandardCharsets.UTF_8));
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 unavailable", ex);
        }
    }
}
