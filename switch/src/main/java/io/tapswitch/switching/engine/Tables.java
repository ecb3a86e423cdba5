// Why this file is long: the tables' layout, their accessors, the warm pass over them, their digest and their snapshot
// layout (written at version 4, read at versions 1 to 4) change together; the snapshot half (save, load and the older
// layouts' readers) is the first to move out if it grows.
package io.tapswitch.switching.engine;

import java.io.IOException;
import java.util.Arrays;

import io.tapswitch.formats.command.ProgramUnit;
import io.tapswitch.switching.snapshot.SnapshotInput;
import io.tapswitch.switching.snapshot.SnapshotOutput;

/**
 * The reference tables of the engine in flat primitive arrays: cards, holders (household and enrolment bits),
 * households, programs, outlets, terminals, and the usage counters per beneficiary unit × program.
 * <p>
 * Memory per card with the demo's shape (one holder per card, a household per three holders, 3 person and 2
 * household programs): card 8 B (id in insertion order) + 21.3 B of slots (id + packed record, {@link CardTable}),
 * holder 8 B (id) + 5.3 B of index slots + a 64 B row (enrolment bits, household, id and the usage counters of up to
 * four person programs), household 4.4 B, household programs' usage 2 × 8 B / 3 — about 116 bytes (84 before issue
 * 14's fifth session). A TAP on a person program reads two cache lines of them — the card's slot (id and record
 * together) and its holder's row (enrolment, household, id and the counter together) —, on a household program one
 * more (the household's counter); it read six before (the card index slot, the card's id, its record, the holder's
 * id, its record, the counter).
 * <p>
 * Usage of a unit in a program is one long: the period key in the high 32 bits and the quantity used in that period in
 * the low 32 bits; a stored key other than the current one means nothing was used in the current period.
 * <p>
 * Not thread-safe; owned by the engine thread.
 */
final class Tables
{
    static final int MAX_PROGRAMS = EngineConfig.MAX_PROGRAMS;
    static final int KEY_BYTES = 32;

    /**
     * The cards with, in the same slot, everything a decision reads of one in one long ({@link #packCard}): holder
     * index (bits 0-31), expiry day (bits 32-55, 24-bit two's complement, saturated: exact within ±8 million days of
     * 1970), status (bits 56-59), kind (bits 60-63).
     */
    final CardTable cards;

    final LongIndex holders;
    /**
     * Per holder a row of eight longs, one 64-byte cache line (on a line boundary, see {@link CardTable} on
     * alignment), from {@link #HOLDER_PAD}: enrolment bits, household index, holder id, unused, then the usage
     * counters of the first {@link #ROW_COUNTERS} person programs ({@link #programInRow}): what a decision on a person
     * program reads of its holder, in one line.
     */
    long[] holderRecords;
    static final int HOLDER_ROW = 8;
    static final int HOLDER_PAD = ((64 - sun.misc.Unsafe.ARRAY_LONG_BASE_OFFSET % 64) % 64) / 8;
    /** Where a holder row's usage counters start, and how many it holds. */
    static final int ROW_COUNTER_OFFSET = 4;
    static final int ROW_COUNTERS = HOLDER_ROW - ROW_COUNTER_OFFSET;
    /**
     * Per program slot: the offset in a holder row of its usage counter (a person program among the first
     * {@link #ROW_COUNTERS} in slot order), or -1 when its counters are in {@link #usage}.
     */
    final int[] programInRow = new int[MAX_PROGRAMS + 1];
    private int programsInRows;

    final LongIndex households;

    /** Program slot s (1..64) is dense index s − 1. */
    final LongIndex programs;
    final int[] programKind = new int[MAX_PROGRAMS + 1];
    final int[] programUnit = new int[MAX_PROGRAMS + 1];
    final int[] programPeriod = new int[MAX_PROGRAMS + 1];
    final int[] programQuota = new int[MAX_PROGRAMS + 1];
    final int[] programCycleDays = new int[MAX_PROGRAMS + 1];
    final int[] programValidFrom = new int[MAX_PROGRAMS + 1];
    final int[] programValidTo = new int[MAX_PROGRAMS + 1];
    final int[] programWindowStart = new int[MAX_PROGRAMS + 1];
    final int[] programWindowEnd = new int[MAX_PROGRAMS + 1];
    final int[][] programOutlets = new int[MAX_PROGRAMS + 1][];
    /** Usage counters by program slot and unit, for the programs whose counters are not in the holder rows. */
    final long[][] usage = new long[MAX_PROGRAMS + 1][];

    final LongIndex outlets;
    int[] outletDefaultProgram;
    long[] outletAllowed;

    final LongIndex terminals;
    long[] terminalOutlet;
    byte[] terminalEnabled;
    byte[] terminalKeys;
    /** The key a ROTATE_KEY_WITH_GRACE replaced, valid for LOGON while nowMs &lt; terminalGraceUntilMs. */
    byte[] terminalPreviousKeys;
    long[] terminalGraceUntilMs;

    long entitlements;

    Tables(final EngineConfig config)
    {
        Arrays.fill(programInRow, -1);
        cards = new CardTable(config.cardCapacity());
        holders = new LongIndex(config.holderCapacity());
        holderRecords = new long[HOLDER_PAD + HOLDER_ROW * holders.capacity()];
        households = new LongIndex(config.householdCapacity());
        programs = new LongIndex(MAX_PROGRAMS);
        outlets = new LongIndex(config.outletCapacity());
        outletDefaultProgram = new int[outlets.capacity()];
        outletAllowed = new long[outlets.capacity()];
        terminals = new LongIndex(config.terminalCapacity());
        terminalOutlet = new long[terminals.capacity()];
        terminalEnabled = new byte[terminals.capacity()];
        terminalKeys = new byte[terminals.capacity() * KEY_BYTES];
        terminalPreviousKeys = new byte[terminals.capacity() * KEY_BYTES];
        terminalGraceUntilMs = new long[terminals.capacity()];
    }

    // ----------------------------------------------------------------------------------------------------- cards

    /**
     * Adds a card known to be absent (its record empty until {@link #setCard}).
     *
     * @return its handle (valid until the next add), or MISSING when the table is at its largest.
     */
    int addCard(final long cardId)
    {
        return cards.add(cardId);
    }

    static final int EXPIRY_DAY_MIN = -(1 << 23);
    static final int EXPIRY_DAY_MAX = (1 << 23) - 1;

    static long packCard(final int holder, final int expiryDay, final int kind, final int status)
    {
        final int day = Math.max(EXPIRY_DAY_MIN, Math.min(EXPIRY_DAY_MAX, expiryDay));
        return (holder & 0xFFFF_FFFFL) | ((day & 0xFF_FFFFL) << 32) | ((status & 0xFL) << 56) | ((kind & 0xFL) << 60);
    }

    void setCard(final int card, final int holder, final int expiryDay, final int kind, final int status)
    {
        cards.info(card, packCard(holder, expiryDay, kind, status));
    }

    void setCardStatus(final int card, final int status)
    {
        cards.info(card, (cards.info(card) & ~(0xFL << 56)) | ((status & 0xFL) << 56));
    }

    static int holderOf(final long info)
    {
        return (int)info;
    }

    static int expiryDayOf(final long info)
    {
        return ((int)(info >>> 32)) << 8 >> 8;
    }

    static int statusOf(final long info)
    {
        return (int)(info >>> 56) & 0xF;
    }

    static int kindOf(final long info)
    {
        return (int)(info >>> 60) & 0xF;
    }

    int cardHolder(final int card)
    {
        return holderOf(cards.info(card));
    }

    int cardStatus(final int card)
    {
        return statusOf(cards.info(card));
    }

    int cardExpiryDay(final int card)
    {
        return expiryDayOf(cards.info(card));
    }

    int cardKind(final int card)
    {
        return kindOf(cards.info(card));
    }

    static int rowOf(final int holder)
    {
        return HOLDER_PAD + HOLDER_ROW * holder;
    }

    long holderEnrol(final int holder)
    {
        return holderRecords[rowOf(holder)];
    }

    int holderHousehold(final int holder)
    {
        return (int)holderRecords[rowOf(holder) + 1];
    }

    /** @return the holder's id (from its row: the line a decision reads anyway). */
    long holderKey(final int holder)
    {
        return holderRecords[rowOf(holder) + 2];
    }

    void setHolderHousehold(final int holder, final int household)
    {
        holderRecords[rowOf(holder) + 1] = household;
    }

    // --------------------------------------------------------------------------------------------------- holders

    /**
     * @return the holder's index, creating the holder (with a household of its own) if new; MISSING when full.
     */
    int acquireHolder(final long holderId)
    {
        return acquireHolder(holderId, ownHouseholdKey(holderId));
    }

    /**
     * @param householdKey the household a new holder joins (an existing holder keeps its household).
     * @return the holder's index, creating the holder if new; MISSING when full.
     */
    int acquireHolder(final long holderId, final long householdKey)
    {
        int index = holders.get(holderId);
        if (index != LongIndex.MISSING)
        {
            return index;
        }
        final int household = acquireHousehold(householdKey);
        if (household == LongIndex.MISSING)
        {
            return LongIndex.MISSING;
        }
        index = holders.add(holderId);
        if (index == LongIndex.MISSING)
        {
            return LongIndex.MISSING;
        }
        if (rowOf(index) + HOLDER_ROW > holderRecords.length)
        {
            final int capacity = holders.capacity();
            holderRecords = Arrays.copyOf(holderRecords, HOLDER_PAD + HOLDER_ROW * capacity);
            for (int slot = 1; slot <= MAX_PROGRAMS; slot++)
            {
                if (usage[slot] != null && programUnit[slot] == ProgramUnit.PERSON)
                {
                    usage[slot] = Arrays.copyOf(usage[slot], capacity);
                }
            }
        }
        setHolderHousehold(index, household);
        holderRecords[rowOf(index) + 2] = holderId;
        return index;
    }

    /**
     * A holder without a household of its own is keyed by the complement of its id (ids are positive, so these
     * keys never meet a real household id).
     */
    static long ownHouseholdKey(final long holderId)
    {
        return ~holderId;
    }

    static long householdKey(final long holderId, final long householdId)
    {
        return householdId == 0 ? ownHouseholdKey(holderId) : householdId;
    }

    int acquireHousehold(final long householdKey)
    {
        int index = households.get(householdKey);
        if (index != LongIndex.MISSING)
        {
            return index;
        }
        index = households.add(householdKey);
        if (index == LongIndex.MISSING)
        {
            return LongIndex.MISSING;
        }
        if (index >= usageLengthOfHouseholds())
        {
            final int capacity = households.capacity();
            for (int slot = 1; slot <= MAX_PROGRAMS; slot++)
            {
                if (usage[slot] != null && programUnit[slot] == ProgramUnit.HOUSEHOLD)
                {
                    usage[slot] = Arrays.copyOf(usage[slot], capacity);
                }
            }
            householdUsageLength = capacity;
        }
        return index;
    }

    private int householdUsageLength;

    private int usageLengthOfHouseholds()
    {
        if (householdUsageLength == 0)
        {
            householdUsageLength = households.capacity();
        }
        return householdUsageLength;
    }

    void enrol(final int holder, final int slot)
    {
        final long bit = 1L << (slot - 1);
        if ((holderRecords[rowOf(holder)] & bit) == 0)
        {
            holderRecords[rowOf(holder)] |= bit;
            entitlements++;
        }
    }

    void unenrol(final int holder, final int slot)
    {
        final long bit = 1L << (slot - 1);
        if ((holderRecords[rowOf(holder)] & bit) != 0)
        {
            holderRecords[rowOf(holder)] &= ~bit;
            entitlements--;
        }
    }

    static boolean isEnrolled(final long enrolMask, final int slot)
    {
        return (enrolMask & (1L << (slot - 1))) != 0;
    }

    /**
     * @return the usage unit of a holder in a program: the holder for a person program, its household otherwise.
     */
    int unitOf(final int holder, final int slot)
    {
        return programUnit[slot] == ProgramUnit.HOUSEHOLD ?
            holderHousehold(holder) : holder;
    }

    /**
     * @return quantity used by the unit in the given period.
     */
    int used(final int slot, final int unit, final int periodKey)
    {
        final long value = counter(slot, unit);
        return (int)(value >>> 32) == periodKey ? (int)value : 0;
    }

    /** @return the usage counter of a unit in a program (period key in the high 32 bits, quantity in the low). */
    long counter(final int slot, final int unit)
    {
        final int inRow = programInRow[slot];
        return inRow >= 0 ? holderRecords[rowOf(unit) + inRow] : usage[slot][unit];
    }

    private void counter(final int slot, final int unit, final long value)
    {
        final int inRow = programInRow[slot];
        if (inRow >= 0)
        {
            holderRecords[rowOf(unit) + inRow] = value;
        }
        else
        {
            usage[slot][unit] = value;
        }
    }

    /**
     * Loads a usage counter into the cache (see {@link #warm}); a unit outside the table is ignored.
     *
     * @return the value loaded.
     */
    long touchCounter(final int slot, final int unit)
    {
        final int inRow = programInRow[slot];
        if (inRow >= 0)
        {
            return unit >= 0 && rowOf(unit) + HOLDER_ROW <= holderRecords.length ? holderRecords[rowOf(unit) + inRow] : 0;
        }
        final long[] counters = usage[slot];
        return null != counters && unit >= 0 && unit < counters.length ? counters[unit] : 0;
    }

    void take(final int slot, final int unit, final int periodKey, final int quantity)
    {
        final long value = counter(slot, unit);
        final long used = (int)(value >>> 32) == periodKey ? (int)value : 0;
        final long total = Math.min(Integer.MAX_VALUE, used + quantity);
        counter(slot, unit, ((long)periodKey << 32) | (total & 0xFFFF_FFFFL));
    }

    /**
     * Gives back a quantity taken in {@code periodKey}, if that period's counter is still the stored one.
     *
     * @return the quantity given back.
     */
    int restore(final int slot, final int unit, final int periodKey, final int quantity)
    {
        final long value = counter(slot, unit);
        if ((int)(value >>> 32) != periodKey)
        {
            return 0;
        }
        final int used = (int)value;
        final int restored = Math.min(used, quantity);
        counter(slot, unit, ((long)periodKey << 32) | ((used - restored) & 0xFFFF_FFFFL));
        return restored;
    }

    // -------------------------------------------------------------------------------------------------- programs

    /**
     * Brings into the cache what deciding a request on each of the given cards will read: the card's slot (its id and
     * record), its holder's row and, for a program slot &gt; 0, the usage counter of the card's unit in that program.
     * Stage by stage over all the cards — every card slot, then every holder row, then every counter — so the cache
     * and TLB misses of one stage overlap (memory-level parallelism) instead of costing one after the other in each
     * decision; each stage's loads depend only on lines the stage before brought in, so no branch waits on a miss.
     * Changes nothing.
     *
     * @param cardIds      the cards, {@code count} of them.
     * @param programSlots the program slot per card (0: none known).
     * @param scratch      room for {@code count} ints.
     * @return a value folded from every load, which the caller keeps so the loads are not optimised away.
     */
    long warm(final long[] cardIds, final int[] programSlots, final int count, final int[] scratch)
    {
        long sink = 0;
        final CardTable cards = this.cards;
        for (int i = 0; i < count; i++)
        {
            sink += cards.touch(cardIds[i]);
        }
        final long[] holderRecords = this.holderRecords;
        for (int i = 0; i < count; i++)
        {
            final int card = cards.get(cardIds[i]);
            if (card == CardTable.MISSING)
            {
                scratch[i] = LongIndex.MISSING;
            }
            else
            {
                final int holder = holderOf(cards.info(card));
                scratch[i] = holder;
                sink += holderRecords[rowOf(holder)];
            }
        }
        for (int i = 0; i < count; i++)
        {
            final int slot = programSlots[i];
            // a counter in the holder row came with it
            if (scratch[i] != LongIndex.MISSING && slot > 0 && programInRow[slot] < 0 && usage[slot] != null)
            {
                sink += usage[slot][unitOf(scratch[i], slot)];
            }
        }
        return sink;
    }

    static boolean isAllowed(final long allowedMask, final int slot)
    {
        return (allowedMask & (1L << (slot - 1))) != 0;
    }

    /**
     * @return the program slot, or 0 when the program is not defined.
     */
    int programSlot(final long programId)
    {
        return programs.get(programId) + 1;
    }

    int addProgram(final long programId, final int unit)
    {
        final int index = programs.add(programId);
        final int slot = index + 1;
        programUnit[slot] = unit;
        if (!placeInRow(slot))
        {
            usage[slot] = new long[unit == ProgramUnit.HOUSEHOLD ?
                usageLengthOfHouseholds() : holders.capacity()];
        }
        return slot;
    }

    /**
     * Gives a person program among the first {@link #ROW_COUNTERS} (in slot order) its counter in the holder rows.
     *
     * @return whether it got one.
     */
    private boolean placeInRow(final int slot)
    {
        if (programUnit[slot] != ProgramUnit.PERSON || programsInRows == ROW_COUNTERS)
        {
            return false;
        }
        programInRow[slot] = ROW_COUNTER_OFFSET + programsInRows++;
        return true;
    }

    void setProgramOutlets(final int slot, final int[] outletIds)
    {
        final long bit = 1L << (slot - 1);
        for (int i = 0; i < outlets.size(); i++)
        {
            outletAllowed[i] &= ~bit;
        }
        for (final int outletId : outletIds)
        {
            final int outlet = outlets.get(outletId & 0xFFFF_FFFFL);
            outletAllowed[outlet] |= bit;
        }
        programOutlets[slot] = outletIds;
    }

    // --------------------------------------------------------------------------------------------------- outlets

    int addOutlet(final long outletId)
    {
        final int index = outlets.add(outletId);
        if (index >= outletDefaultProgram.length)
        {
            outletDefaultProgram = Arrays.copyOf(outletDefaultProgram, outlets.capacity());
            outletAllowed = Arrays.copyOf(outletAllowed, outlets.capacity());
        }
        return index;
    }

    // ------------------------------------------------------------------------------------------------- terminals

    int addTerminal(final long terminalId)
    {
        final int index = terminals.add(terminalId);
        if (index >= terminalEnabled.length)
        {
            final int capacity = terminals.capacity();
            terminalOutlet = Arrays.copyOf(terminalOutlet, capacity);
            terminalEnabled = Arrays.copyOf(terminalEnabled, capacity);
            terminalKeys = Arrays.copyOf(terminalKeys, capacity * KEY_BYTES);
            terminalPreviousKeys = Arrays.copyOf(terminalPreviousKeys, capacity * KEY_BYTES);
            terminalGraceUntilMs = Arrays.copyOf(terminalGraceUntilMs, capacity);
        }
        return index;
    }

    // -------------------------------------------------------------------------------------------- digest, snapshot

    long digestCards()
    {
        final Digest d = new Digest().add(cards.size());
        for (int i = 0; i < cards.size(); i++)
        {
            final long key = cards.key(i);
            final long info = cards.info(cards.get(key));
            d.add(key).add(statusOf(info)).add(kindOf(info)).add(expiryDayOf(info)).add(holderOf(info));
        }
        return d.value();
    }

    long digestHolders()
    {
        final Digest d = new Digest().add(holders.size()).add(entitlements);
        for (int i = 0; i < holders.size(); i++)
        {
            d.add(holders.key(i)).add(holderHousehold(i)).add(holderEnrol(i));
        }
        return d.value();
    }

    long digestHouseholds()
    {
        final Digest d = new Digest().add(households.size());
        for (int i = 0; i < households.size(); i++)
        {
            d.add(households.key(i));
        }
        return d.value();
    }

    long digestUsage()
    {
        final Digest d = new Digest();
        for (int slot = 1; slot <= programs.size(); slot++)
        {
            final int units = programUnit[slot] == ProgramUnit.HOUSEHOLD ?
                households.size() : holders.size();
            d.add(slot).add(units);
            for (int u = 0; u < units; u++)
            {
                d.add(counter(slot, u));
            }
        }
        return d.value();
    }

    long digestPrograms()
    {
        final Digest d = new Digest().add(programs.size());
        for (int slot = 1; slot <= programs.size(); slot++)
        {
            d.add(programs.key(slot - 1)).add(programKind[slot]).add(programUnit[slot]).add(programPeriod[slot])
                .add(programQuota[slot]).add(programCycleDays[slot]).add(programValidFrom[slot])
                .add(programValidTo[slot]).add(programWindowStart[slot]).add(programWindowEnd[slot]);
            for (final int outlet : programOutlets[slot])
            {
                d.add(outlet);
            }
        }
        return d.value();
    }

    long digestOutlets()
    {
        final Digest d = new Digest().add(outlets.size());
        for (int i = 0; i < outlets.size(); i++)
        {
            d.add(outlets.key(i)).add(outletDefaultProgram[i]).add(outletAllowed[i]);
        }
        return d.value();
    }

    long digestTerminals()
    {
        final Digest d = new Digest().add(terminals.size());
        for (int i = 0; i < terminals.size(); i++)
        {
            d.add(terminals.key(i)).add(terminalOutlet[i]).add(terminalEnabled[i]).add(terminalGraceUntilMs[i]);
            for (int k = 0; k < KEY_BYTES; k++)
            {
                d.add(terminalKeys[i * KEY_BYTES + k]).add(terminalPreviousKeys[i * KEY_BYTES + k]);
            }
        }
        return d.value();
    }

    void save(final SnapshotOutput out) throws IOException
    {
        // version 4: the card table's capacity, its ids in insertion order, its lines and its slots as they are
        out.writeInt(cards.capacity());
        out.writeLongs(cards.keys(), cards.size());
        out.writeInt(cards.lines());
        out.writeLongs(cards.slots(), CardTable.PAD, cards.slotLongs());

        final int holderCount = holders.size();
        saveIndex(out, holders);
        // enrolment bits and household per holder, as version 3 (the id in each row is the index's key)
        out.writeInt(2 * holderCount);
        for (int i = 0; i < holderCount; i++)
        {
            out.writeLong(holderEnrol(i));
            out.writeLong(holderHousehold(i));
        }
        out.writeLong(entitlements);

        saveIndex(out, households);

        final int programCount = programs.size();
        out.writeLongs(programs.keys(), programCount);
        for (int slot = 1; slot <= programCount; slot++)
        {
            out.writeInt(programKind[slot]);
            out.writeInt(programUnit[slot]);
            out.writeInt(programPeriod[slot]);
            out.writeInt(programQuota[slot]);
            out.writeInt(programCycleDays[slot]);
            out.writeInt(programValidFrom[slot]);
            out.writeInt(programValidTo[slot]);
            out.writeInt(programWindowStart[slot]);
            out.writeInt(programWindowEnd[slot]);
            out.writeInts(programOutlets[slot], programOutlets[slot].length);
            final int units = programUnit[slot] == ProgramUnit.HOUSEHOLD ?
                households.size() : holderCount;
            if (programInRow[slot] >= 0)
            {
                // the same bytes as writeLongs of a column
                out.writeInt(units);
                for (int u = 0; u < units; u++)
                {
                    out.writeLong(counter(slot, u));
                }
            }
            else
            {
                out.writeLongs(usage[slot], units);
            }
        }

        final int outletCount = outlets.size();
        out.writeLongs(outlets.keys(), outletCount);
        out.writeInts(outletDefaultProgram, outletCount);
        out.writeLongs(outletAllowed, outletCount);

        final int terminalCount = terminals.size();
        out.writeLongs(terminals.keys(), terminalCount);
        out.writeLongs(terminalOutlet, terminalCount);
        out.writeBytes(terminalEnabled, terminalCount);
        out.writeBytes(terminalKeys, terminalCount * KEY_BYTES);
        out.writeBytes(terminalPreviousKeys, terminalCount * KEY_BYTES);
        out.writeLongs(terminalGraceUntilMs, terminalCount);
    }

    /**
     * Version 3: the index's capacity, its keys, and its slots as they are (a load adopts them instead of inserting
     * every key again).
     */
    private static void saveIndex(final SnapshotOutput out, final LongIndex index) throws IOException
    {
        out.writeInt(index.capacity());
        out.writeLongs(index.keys(), index.size());
        out.writeInts(index.slots(), index.slots().length);
    }

    /**
     * @return the number of keys loaded.
     */
    private static int loadIndex(final SnapshotInput in, final int version, final LongIndex index) throws IOException
    {
        if (version < 3)
        {
            final long[] keys = in.readLongs(index.capacity());
            index.load(keys, in.lastCount());
            return in.lastCount();
        }
        final int savedCapacity = in.readInt();
        final long[] keys = in.readLongs(Math.max(savedCapacity, index.capacity()));
        final int count = in.lastCount();
        final int[] slots = in.readInts(0);
        index.load(keys, count, slots, savedCapacity);
        return count;
    }

    /**
     * Version 4 and later: the card table's capacity, ids and lines, and its slots (id and packed record) as they are.
     */
    private void loadCards(final SnapshotInput in) throws IOException
    {
        final int savedCapacity = in.readInt();
        final long[] keys = in.readLongs(Math.max(savedCapacity, cards.capacity()));
        final int count = in.lastCount();
        final int savedLines = in.readInt();
        final long[] slots = in.readLongs(0, CardTable.PAD);
        cards.load(keys, count, slots, savedLines, savedCapacity);
    }

    /**
     * Versions 1 to 3: an index of the cards, then their records by insertion index (3: packed; 1 and 2: a column per
     * field); the cards are inserted into the table again.
     */
    private void loadCardColumns(final SnapshotInput in, final int version) throws IOException
    {
        final long[] keys;
        final int cardCount;
        if (version < 3)
        {
            keys = in.readLongs(cards.capacity());
            cardCount = in.lastCount();
        }
        else
        {
            final int savedCapacity = in.readInt();
            keys = in.readLongs(Math.max(savedCapacity, cards.capacity()));
            cardCount = in.lastCount();
            in.readInts(0); // the index's slots: the table is built again
        }
        final long[] infos;
        if (version >= 3)
        {
            infos = in.readLongs(cardCount);
        }
        else
        {
            final byte[] status = in.readBytes(cardCount);
            final byte[] kind = in.readBytes(cardCount);
            final int[] expiryDay = in.readInts(cardCount);
            final int[] holder = in.readInts(cardCount);
            infos = new long[cardCount];
            for (int i = 0; i < cardCount; i++)
            {
                infos[i] = packCard(holder[i], expiryDay[i], kind[i], status[i]);
            }
        }
        cards.load(keys, cardCount, infos);
    }

    /**
     * @param version the snapshot's version: 1 has no previous keys (no grace), 2 has them, 3 has the packed card and
     * holder records (1 and 2 hold a column per field) and the slots of the card, holder and household indexes, 4 has
     * the card table (ids and records in its slots, {@link CardTable}) instead of the card index and records.
     */
    void load(final SnapshotInput in, final int version) throws IOException
    {
        if (version >= 4)
        {
            loadCards(in);
        }
        else
        {
            loadCardColumns(in, version);
        }

        final int holderCount = loadIndex(in, version, holders);
        final int holderCapacity = holders.capacity();
        holderRecords = new long[HOLDER_PAD + HOLDER_ROW * holderCapacity];
        if (version >= 3)
        {
            final long[] records = in.readLongs(0);
            for (int i = 0; i < holderCount; i++)
            {
                holderRecords[rowOf(i)] = records[2 * i];
                holderRecords[rowOf(i) + 1] = records[2 * i + 1];
            }
        }
        else
        {
            final int[] households = in.readInts(holderCapacity);
            final long[] enrolments = in.readLongs(holderCapacity);
            for (int i = 0; i < holderCount; i++)
            {
                holderRecords[rowOf(i)] = enrolments[i];
                holderRecords[rowOf(i) + 1] = households[i];
            }
        }
        for (int i = 0; i < holderCount; i++)
        {
            holderRecords[rowOf(i) + 2] = holders.key(i);
        }
        entitlements = in.readLong();

        loadIndex(in, version, households);
        householdUsageLength = households.capacity();

        final long[] programKeys = in.readLongs(programs.capacity());
        final int programCount = in.lastCount();
        programs.load(programKeys, programCount);
        Arrays.fill(programInRow, -1);
        programsInRows = 0;
        for (int slot = 1; slot <= programCount; slot++)
        {
            programKind[slot] = in.readInt();
            programUnit[slot] = in.readInt();
            programPeriod[slot] = in.readInt();
            programQuota[slot] = in.readInt();
            programCycleDays[slot] = in.readInt();
            programValidFrom[slot] = in.readInt();
            programValidTo[slot] = in.readInt();
            programWindowStart[slot] = in.readInt();
            programWindowEnd[slot] = in.readInt();
            final int[] outletIds = in.readInts(0);
            programOutlets[slot] = outletIds;
            final long[] counters = in.readLongs(programUnit[slot] == ProgramUnit.HOUSEHOLD ?
                householdUsageLength : holderCapacity);
            if (placeInRow(slot))
            {
                for (int u = 0; u < in.lastCount(); u++)
                {
                    holderRecords[rowOf(u) + programInRow[slot]] = counters[u];
                }
                usage[slot] = null;
            }
            else
            {
                usage[slot] = counters;
            }
        }

        final long[] outletKeys = in.readLongs(outlets.capacity());
        outlets.load(outletKeys, in.lastCount());
        outletDefaultProgram = in.readInts(outlets.capacity());
        outletAllowed = in.readLongs(outlets.capacity());

        final long[] terminalKeyIds = in.readLongs(terminals.capacity());
        terminals.load(terminalKeyIds, in.lastCount());
        terminalOutlet = in.readLongs(terminals.capacity());
        terminalEnabled = in.readBytes(terminals.capacity());
        terminalKeys = in.readBytes(terminals.capacity() * KEY_BYTES);
        if (version >= 2)
        {
            terminalPreviousKeys = in.readBytes(terminals.capacity() * KEY_BYTES);
            terminalGraceUntilMs = in.readLongs(terminals.capacity());
        }
        else
        {
            terminalPreviousKeys = new byte[terminals.capacity() * KEY_BYTES];
            terminalGraceUntilMs = new long[terminals.capacity()];
        }
    }
}
