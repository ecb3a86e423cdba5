package io.tapswitch.switching.engine;

import io.tapswitch.formats.command.CardKind;
import io.tapswitch.formats.command.CardStatus;
import io.tapswitch.formats.command.CommandDecoder;
import io.tapswitch.formats.command.CommandRejectReason;
import io.tapswitch.formats.command.CommandType;
import io.tapswitch.formats.command.Commands;
import io.tapswitch.formats.command.PeriodRule;
import io.tapswitch.formats.command.ProgramKind;
import io.tapswitch.formats.command.ProgramUnit;

/**
 * The rules of the admin commands ({@code switch/COMMANDS.md}): whether a command is valid against the tables
 * ({@link #validate}: a {@link CommandRejectReason}) and what a valid one changes ({@link #apply}). Decides nothing
 * about journaling or ordering: {@link Engine} journals the outcome first, then applies.
 * <p>
 * Not thread-safe; engine thread. {@link #tables} is the engine's current tables (replaced when a recovery resets
 * them).
 */
final class CommandRules
{
    private static final long UNSIGNED_INT_MASK = 0xFFFF_FFFFL;
    private static final int MAX_TABLE_SIZE = 1 << 29;

    private final EngineCounters counters;
    Tables tables;

    CommandRules(final EngineCounters counters)
    {
        this.counters = counters;
    }

    private static boolean validUnsignedId(final long id)
    {
        return id > 0 && id <= UNSIGNED_INT_MASK;
    }

    private static boolean validCardStatus(final int status)
    {
        return CardStatus.isValid(status) && status != CardStatus.REPLACED;
    }

    int validate(final CommandDecoder c)
    {
        final Tables t = tables;
        switch (c.type())
        {
            case CommandType.DEFINE_OUTLET:
            {
                final long outletId = c.bodyInt(Commands.DefineOutlet.OUTLET_ID_OFFSET) & UNSIGNED_INT_MASK;
                if (!validUnsignedId(outletId))
                {
                    return CommandRejectReason.INVALID_VALUE;
                }
                if (t.outlets.get(outletId) == LongIndex.MISSING && t.outlets.size() >= MAX_TABLE_SIZE)
                {
                    return CommandRejectReason.CAPACITY_EXCEEDED;
                }
                return CommandRejectReason.NONE;
            }
            case CommandType.DEFINE_PROGRAM:
                return validateProgram(c);
            case CommandType.REGISTER_TERMINAL:
            {
                final long terminalId = c.bodyLong(Commands.RegisterTerminal.TERMINAL_ID_OFFSET);
                final int enabled = c.bodyInt(Commands.RegisterTerminal.ENABLED_OFFSET);
                if (terminalId <= 0 || (enabled != 0 && enabled != 1))
                {
                    return CommandRejectReason.INVALID_VALUE;
                }
                if (t.outlets.get(c.bodyInt(Commands.RegisterTerminal.OUTLET_ID_OFFSET) & UNSIGNED_INT_MASK) ==
                    LongIndex.MISSING)
                {
                    return CommandRejectReason.UNKNOWN_OUTLET;
                }
                return CommandRejectReason.NONE;
            }
            case CommandType.SET_TERMINAL_ENABLED:
            {
                final long enabled = c.bodyLong(Commands.SetTerminalEnabled.ENABLED_OFFSET);
                if (enabled != 0 && enabled != 1)
                {
                    return CommandRejectReason.INVALID_VALUE;
                }
                return t.terminals.get(c.bodyLong(Commands.SetTerminalEnabled.TERMINAL_ID_OFFSET)) ==
                    LongIndex.MISSING ? CommandRejectReason.UNKNOWN_TERMINAL : CommandRejectReason.NONE;
            }
            case CommandType.ROTATE_KEY:
                return t.terminals.get(c.bodyLong(Commands.RotateKey.TERMINAL_ID_OFFSET)) == LongIndex.MISSING ?
                    CommandRejectReason.UNKNOWN_TERMINAL : CommandRejectReason.NONE;
            case CommandType.ROTATE_KEY_WITH_GRACE:
                if (c.bodyLong(Commands.RotateKeyWithGrace.GRACE_UNTIL_MS_OFFSET) < 0)
                {
                    return CommandRejectReason.INVALID_VALUE;
                }
                return t.terminals.get(c.bodyLong(Commands.RotateKeyWithGrace.TERMINAL_ID_OFFSET)) ==
                    LongIndex.MISSING ? CommandRejectReason.UNKNOWN_TERMINAL : CommandRejectReason.NONE;
            case CommandType.SET_HOUSEHOLD:
            {
                final long holderId = c.bodyLong(Commands.SetHousehold.HOLDER_ID_OFFSET);
                final long householdId = c.bodyLong(Commands.SetHousehold.HOUSEHOLD_ID_OFFSET);
                if (holderId <= 0 || householdId < 0)
                {
                    return CommandRejectReason.INVALID_VALUE;
                }
                return capacityFor(1);
            }
            case CommandType.ISSUE_CARD:
            {
                final long cardId = c.bodyLong(Commands.IssueCard.CARD_ID_OFFSET);
                final long holderId = c.bodyLong(Commands.IssueCard.HOLDER_ID_OFFSET);
                if (cardId <= 0 || holderId <= 0 || !CardKind.isValid(c.bodyByte(Commands.IssueCard.KIND_OFFSET)) ||
                    !validCardStatus(c.bodyByte(Commands.IssueCard.STATUS_OFFSET)))
                {
                    return CommandRejectReason.INVALID_VALUE;
                }
                final int card = t.cards.get(cardId);
                if (card != LongIndex.MISSING &&
                    (t.holders.key(t.cardHolder(card)) != holderId || t.cardStatus(card) == CardStatus.REPLACED))
                {
                    return CommandRejectReason.CARD_EXISTS;
                }
                return capacityFor(1);
            }
            case CommandType.SET_CARD_STATUS:
            {
                final long status = c.bodyLong(Commands.SetCardStatus.STATUS_OFFSET);
                if (status < 0 || status > 0xFF || !validCardStatus((int)status))
                {
                    return CommandRejectReason.INVALID_VALUE;
                }
                final int card = t.cards.get(c.bodyLong(Commands.SetCardStatus.CARD_ID_OFFSET));
                if (card == LongIndex.MISSING)
                {
                    return CommandRejectReason.UNKNOWN_CARD;
                }
                return t.cardStatus(card) == CardStatus.REPLACED ?
                    CommandRejectReason.CARD_REPLACED : CommandRejectReason.NONE;
            }
            case CommandType.REPLACE_CARD:
            {
                final long oldCardId = c.bodyLong(Commands.ReplaceCard.OLD_CARD_ID_OFFSET);
                final long newCardId = c.bodyLong(Commands.ReplaceCard.NEW_CARD_ID_OFFSET);
                final long kind = c.bodyInt(Commands.ReplaceCard.KIND_OFFSET);
                if (newCardId <= 0 || newCardId == oldCardId || kind < 0 || !CardKind.isValid((int)kind))
                {
                    return CommandRejectReason.INVALID_VALUE;
                }
                final int card = t.cards.get(oldCardId);
                if (card == LongIndex.MISSING)
                {
                    return CommandRejectReason.UNKNOWN_CARD;
                }
                if (t.cardStatus(card) == CardStatus.REPLACED)
                {
                    return CommandRejectReason.CARD_REPLACED;
                }
                if (t.cards.get(newCardId) != LongIndex.MISSING)
                {
                    return CommandRejectReason.CARD_EXISTS;
                }
                return capacityFor(1);
            }
            case CommandType.GRANT_ENTITLEMENT:
            case CommandType.REVOKE_ENTITLEMENT:
            {
                final long programId = c.bodyLong(Commands.Entitlement.PROGRAM_ID_OFFSET);
                if (!validUnsignedId(programId) || c.bodyLong(Commands.Entitlement.HOLDER_ID_OFFSET) <= 0)
                {
                    return CommandRejectReason.INVALID_VALUE;
                }
                if (t.holders.get(c.bodyLong(Commands.Entitlement.HOLDER_ID_OFFSET)) == LongIndex.MISSING)
                {
                    return CommandRejectReason.UNKNOWN_HOLDER;
                }
                return t.programSlot(programId) == 0 ? CommandRejectReason.UNKNOWN_PROGRAM : CommandRejectReason.NONE;
            }
            case CommandType.ISSUE_CARDS:
                return validateIssueCards(c);
            default:
                return CommandRejectReason.UNKNOWN_TYPE;
        }
    }

    private int capacityFor(final int cards)
    {
        final Tables t = tables;
        if (t.cards.size() + cards > MAX_TABLE_SIZE || t.holders.size() + cards > MAX_TABLE_SIZE ||
            t.households.size() + 2L * cards > MAX_TABLE_SIZE)
        {
            return CommandRejectReason.CAPACITY_EXCEEDED;
        }
        return CommandRejectReason.NONE;
    }

    private int validateProgram(final CommandDecoder c)
    {
        final Tables t = tables;
        final long programId = c.bodyInt(Commands.DefineProgram.PROGRAM_ID_OFFSET) & UNSIGNED_INT_MASK;
        final int unit = c.bodyByte(Commands.DefineProgram.UNIT_OFFSET);
        final int period = c.bodyByte(Commands.DefineProgram.PERIOD_OFFSET);
        final int quota = c.bodyInt(Commands.DefineProgram.QUOTA_OFFSET);
        final int cycleDays = c.bodyInt(Commands.DefineProgram.CYCLE_DAYS_OFFSET);
        final int validFrom = c.bodyInt(Commands.DefineProgram.VALID_FROM_DAY_OFFSET);
        final int validTo = c.bodyInt(Commands.DefineProgram.VALID_TO_DAY_OFFSET);
        final int start = c.bodyShort(Commands.DefineProgram.WINDOW_START_MINUTE_OFFSET);
        final int end = c.bodyShort(Commands.DefineProgram.WINDOW_END_MINUTE_OFFSET);
        final int outletCount = c.bodyShort(Commands.DefineProgram.OUTLET_COUNT_OFFSET);
        if (!validUnsignedId(programId) || !ProgramKind.isValid(c.bodyByte(Commands.DefineProgram.KIND_OFFSET)) ||
            !ProgramUnit.isValid(unit) || !PeriodRule.isValid(period) || quota <= 0 || validFrom > validTo ||
            start >= Commands.MINUTES_PER_DAY || end == 0 || end > Commands.MINUTES_PER_DAY || start == end ||
            outletCount > Commands.DefineProgram.MAX_OUTLETS)
        {
            return CommandRejectReason.INVALID_VALUE;
        }
        if (period == PeriodRule.CYCLE ? cycleDays <= 0 || validFrom == Commands.OPEN_FROM_DAY : cycleDays != 0)
        {
            return CommandRejectReason.INVALID_VALUE;
        }
        for (int i = 0; i < outletCount; i++)
        {
            final long outletId = c.bodyInt(Commands.DefineProgram.OUTLETS_OFFSET + 4 * i) & UNSIGNED_INT_MASK;
            if (t.outlets.get(outletId) == LongIndex.MISSING)
            {
                return CommandRejectReason.UNKNOWN_OUTLET;
            }
        }
        final int slot = t.programSlot(programId);
        if (slot == 0)
        {
            return t.programs.size() >= Tables.MAX_PROGRAMS ?
                CommandRejectReason.CAPACITY_EXCEEDED : CommandRejectReason.NONE;
        }
        return t.programUnit[slot] != unit ? CommandRejectReason.INVALID_VALUE : CommandRejectReason.NONE;
    }

    private int validateIssueCards(final CommandDecoder c)
    {
        final Tables t = tables;
        final int count = c.bodyShort(Commands.IssueCards.COUNT_OFFSET);
        final int programCount = c.bodyShort(Commands.IssueCards.PROGRAM_COUNT_OFFSET);
        if (count == 0 || count > Commands.IssueCards.MAX_COUNT || programCount > Commands.IssueCards.MAX_PROGRAMS)
        {
            return CommandRejectReason.INVALID_VALUE;
        }
        for (int i = 0; i < programCount; i++)
        {
            final long programId = c.bodyInt(Commands.IssueCards.PROGRAM_IDS_OFFSET + 4 * i) & UNSIGNED_INT_MASK;
            if (!validUnsignedId(programId))
            {
                return CommandRejectReason.INVALID_VALUE;
            }
            if (t.programSlot(programId) == 0)
            {
                return CommandRejectReason.UNKNOWN_PROGRAM;
            }
        }
        final int allowedMask = (1 << programCount) - 1;
        for (int i = 0; i < count; i++)
        {
            final int entry = Commands.IssueCards.ENTRIES_OFFSET + Commands.IssueCards.ENTRY_BYTES * i;
            final long cardId = c.bodyLong(entry + Commands.IssueCards.ENTRY_CARD_ID_OFFSET);
            final long holderId = c.bodyLong(entry + Commands.IssueCards.ENTRY_HOLDER_ID_OFFSET);
            final long householdId = c.bodyLong(entry + Commands.IssueCards.ENTRY_HOUSEHOLD_ID_OFFSET);
            final int mask = c.bodyByte(entry + Commands.IssueCards.ENTRY_ENROL_MASK_OFFSET);
            if (cardId <= 0 || holderId <= 0 || householdId < 0 || (mask & ~allowedMask) != 0 ||
                !CardKind.isValid(c.bodyByte(entry + Commands.IssueCards.ENTRY_KIND_OFFSET)) ||
                !validCardStatus(c.bodyByte(entry + Commands.IssueCards.ENTRY_STATUS_OFFSET)))
            {
                return CommandRejectReason.INVALID_VALUE;
            }
            final int card = t.cards.get(cardId);
            if (card != LongIndex.MISSING &&
                (t.holders.key(t.cardHolder(card)) != holderId || t.cardStatus(card) == CardStatus.REPLACED))
            {
                return CommandRejectReason.CARD_EXISTS;
            }
        }
        return capacityFor(count);
    }

    void apply(final CommandDecoder c)
    {
        final Tables t = tables;
        switch (c.type())
        {
            case CommandType.DEFINE_OUTLET:
            {
                final long outletId = c.bodyInt(Commands.DefineOutlet.OUTLET_ID_OFFSET) & UNSIGNED_INT_MASK;
                int outlet = t.outlets.get(outletId);
                if (outlet == LongIndex.MISSING)
                {
                    outlet = t.addOutlet(outletId);
                }
                t.outletDefaultProgram[outlet] = c.bodyInt(Commands.DefineOutlet.DEFAULT_PROGRAM_ID_OFFSET);
                break;
            }
            case CommandType.DEFINE_PROGRAM:
                applyProgram(c);
                break;
            case CommandType.REGISTER_TERMINAL:
            {
                final long terminalId = c.bodyLong(Commands.RegisterTerminal.TERMINAL_ID_OFFSET);
                int terminal = t.terminals.get(terminalId);
                if (terminal == LongIndex.MISSING)
                {
                    terminal = t.addTerminal(terminalId);
                }
                t.terminalOutlet[terminal] =
                    t.outlets.get(c.bodyInt(Commands.RegisterTerminal.OUTLET_ID_OFFSET) & UNSIGNED_INT_MASK);
                t.terminalEnabled[terminal] = (byte)c.bodyInt(Commands.RegisterTerminal.ENABLED_OFFSET);
                c.buffer().getBytes(c.bodyOffset() + Commands.RegisterTerminal.KEY_OFFSET, t.terminalKeys,
                    terminal * Tables.KEY_BYTES, Tables.KEY_BYTES);
                t.terminalGraceUntilMs[terminal] = 0;
                break;
            }
            case CommandType.SET_TERMINAL_ENABLED:
            {
                final int terminal = t.terminals.get(c.bodyLong(Commands.SetTerminalEnabled.TERMINAL_ID_OFFSET));
                t.terminalEnabled[terminal] = (byte)c.bodyLong(Commands.SetTerminalEnabled.ENABLED_OFFSET);
                break;
            }
            case CommandType.ROTATE_KEY:
            {
                final int terminal = t.terminals.get(c.bodyLong(Commands.RotateKey.TERMINAL_ID_OFFSET));
                c.buffer().getBytes(c.bodyOffset() + Commands.RotateKey.KEY_OFFSET, t.terminalKeys,
                    terminal * Tables.KEY_BYTES, Tables.KEY_BYTES);
                t.terminalGraceUntilMs[terminal] = 0;
                break;
            }
            case CommandType.ROTATE_KEY_WITH_GRACE:
            {
                final int terminal = t.terminals.get(c.bodyLong(Commands.RotateKeyWithGrace.TERMINAL_ID_OFFSET));
                System.arraycopy(t.terminalKeys, terminal * Tables.KEY_BYTES, t.terminalPreviousKeys,
                    terminal * Tables.KEY_BYTES, Tables.KEY_BYTES);
                t.terminalGraceUntilMs[terminal] = c.bodyLong(Commands.RotateKeyWithGrace.GRACE_UNTIL_MS_OFFSET);
                c.buffer().getBytes(c.bodyOffset() + Commands.RotateKeyWithGrace.KEY_OFFSET, t.terminalKeys,
                    terminal * Tables.KEY_BYTES, Tables.KEY_BYTES);
                break;
            }
            case CommandType.SET_HOUSEHOLD:
            {
                final long holderId = c.bodyLong(Commands.SetHousehold.HOLDER_ID_OFFSET);
                final long householdId = c.bodyLong(Commands.SetHousehold.HOUSEHOLD_ID_OFFSET);
                setHousehold(holderId, householdId);
                break;
            }
            case CommandType.ISSUE_CARD:
            {
                final int holder = t.acquireHolder(c.bodyLong(Commands.IssueCard.HOLDER_ID_OFFSET));
                issueCard(c.bodyLong(Commands.IssueCard.CARD_ID_OFFSET), holder,
                    c.bodyInt(Commands.IssueCard.EXPIRY_DAY_OFFSET), c.bodyByte(Commands.IssueCard.KIND_OFFSET),
                    c.bodyByte(Commands.IssueCard.STATUS_OFFSET));
                break;
            }
            case CommandType.SET_CARD_STATUS:
            {
                final int card = t.cards.get(c.bodyLong(Commands.SetCardStatus.CARD_ID_OFFSET));
                t.setCardStatus(card, (int)c.bodyLong(Commands.SetCardStatus.STATUS_OFFSET));
                break;
            }
            case CommandType.REPLACE_CARD:
            {
                final int oldCard = t.cards.get(c.bodyLong(Commands.ReplaceCard.OLD_CARD_ID_OFFSET));
                t.setCardStatus(oldCard, CardStatus.REPLACED);
                issueCard(c.bodyLong(Commands.ReplaceCard.NEW_CARD_ID_OFFSET), t.cardHolder(oldCard),
                    c.bodyInt(Commands.ReplaceCard.EXPIRY_DAY_OFFSET), c.bodyInt(Commands.ReplaceCard.KIND_OFFSET),
                    CardStatus.ACTIVE);
                break;
            }
            case CommandType.GRANT_ENTITLEMENT:
            {
                final int holder = t.holders.get(c.bodyLong(Commands.Entitlement.HOLDER_ID_OFFSET));
                t.enrol(holder, t.programSlot(c.bodyLong(Commands.Entitlement.PROGRAM_ID_OFFSET)));
                break;
            }
            case CommandType.REVOKE_ENTITLEMENT:
            {
                final int holder = t.holders.get(c.bodyLong(Commands.Entitlement.HOLDER_ID_OFFSET));
                t.unenrol(holder, t.programSlot(c.bodyLong(Commands.Entitlement.PROGRAM_ID_OFFSET)));
                break;
            }
            case CommandType.ISSUE_CARDS:
                applyIssueCards(c);
                break;
            default:
                throw new IllegalStateException("validated command of unknown type " + c.type());
        }
    }

    private int setHousehold(final long holderId, final long householdId)
    {
        final Tables t = tables;
        final long householdKey = Tables.householdKey(holderId, householdId);
        final int holder = t.acquireHolder(holderId, householdKey);
        t.setHolderHousehold(holder, t.acquireHousehold(householdKey));
        return holder;
    }

    private void issueCard(final long cardId, final int holder, final int expiryDay, final int kind, final int status)
    {
        final Tables t = tables;
        int card = t.cards.get(cardId);
        if (card == LongIndex.MISSING)
        {
            card = t.addCard(cardId);
        }
        t.setCard(card, holder, expiryDay, kind, status);
    }

    private void applyProgram(final CommandDecoder c)
    {
        final Tables t = tables;
        final long programId = c.bodyInt(Commands.DefineProgram.PROGRAM_ID_OFFSET) & UNSIGNED_INT_MASK;
        final int unit = c.bodyByte(Commands.DefineProgram.UNIT_OFFSET);
        int slot = t.programSlot(programId);
        if (slot == 0)
        {
            slot = t.addProgram(programId, unit);
            counters.programSlot(slot, (int)programId);
        }
        t.programKind[slot] = c.bodyByte(Commands.DefineProgram.KIND_OFFSET);
        t.programPeriod[slot] = c.bodyByte(Commands.DefineProgram.PERIOD_OFFSET);
        t.programQuota[slot] = c.bodyInt(Commands.DefineProgram.QUOTA_OFFSET);
        t.programCycleDays[slot] = c.bodyInt(Commands.DefineProgram.CYCLE_DAYS_OFFSET);
        t.programValidFrom[slot] = c.bodyInt(Commands.DefineProgram.VALID_FROM_DAY_OFFSET);
        t.programValidTo[slot] = c.bodyInt(Commands.DefineProgram.VALID_TO_DAY_OFFSET);
        t.programWindowStart[slot] = c.bodyShort(Commands.DefineProgram.WINDOW_START_MINUTE_OFFSET);
        t.programWindowEnd[slot] = c.bodyShort(Commands.DefineProgram.WINDOW_END_MINUTE_OFFSET);
        final int outletCount = c.bodyShort(Commands.DefineProgram.OUTLET_COUNT_OFFSET);
        final int[] outletIds = new int[outletCount];
        for (int i = 0; i < outletCount; i++)
        {
            outletIds[i] = c.bodyInt(Commands.DefineProgram.OUTLETS_OFFSET + 4 * i);
        }
        t.setProgramOutlets(slot, outletIds);
    }

    private void applyIssueCards(final CommandDecoder c)
    {
        final Tables t = tables;
        final int count = c.bodyShort(Commands.IssueCards.COUNT_OFFSET);
        final int programCount = c.bodyShort(Commands.IssueCards.PROGRAM_COUNT_OFFSET);
        final int[] slots = new int[programCount];
        for (int i = 0; i < programCount; i++)
        {
            slots[i] = t.programSlot(c.bodyInt(Commands.IssueCards.PROGRAM_IDS_OFFSET + 4 * i) & UNSIGNED_INT_MASK);
        }
        for (int i = 0; i < count; i++)
        {
            final int entry = Commands.IssueCards.ENTRIES_OFFSET + Commands.IssueCards.ENTRY_BYTES * i;
            final long holderId = c.bodyLong(entry + Commands.IssueCards.ENTRY_HOLDER_ID_OFFSET);
            final int holder =
                setHousehold(holderId, c.bodyLong(entry + Commands.IssueCards.ENTRY_HOUSEHOLD_ID_OFFSET));
            issueCard(c.bodyLong(entry + Commands.IssueCards.ENTRY_CARD_ID_OFFSET), holder,
                c.bodyInt(entry + Commands.IssueCards.ENTRY_EXPIRY_DAY_OFFSET),
                c.bodyByte(entry + Commands.IssueCards.ENTRY_KIND_OFFSET),
                c.bodyByte(entry + Commands.IssueCards.ENTRY_STATUS_OFFSET));
            final int mask = c.bodyByte(entry + Commands.IssueCards.ENTRY_ENROL_MASK_OFFSET);
            for (int p = 0; p < programCount; p++)
            {
                if ((mask & (1 << p)) != 0)
                {
                    t.enrol(holder, slots[p]);
                }
            }
        }
    }
}
