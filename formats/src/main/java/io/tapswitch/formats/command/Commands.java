package io.tapswitch.formats.command;

/**
 * Byte layouts of the admin commands (one Chronicle Queue excerpt each, little-endian). Offsets of the header are
 * relative to the start of the excerpt, offsets of a body relative to {@link #BODY_OFFSET}.
 * <pre>
 *   0:8  commandId   unique, increasing, chosen by the publisher
 *   8:2  type        {@link CommandType}
 *   10:2 version     {@link #VERSION}
 *   12:4 bodyLength  bytes after the header
 *   16:… body
 * </pre>
 */
public final class Commands
{
    public static final int COMMAND_ID_OFFSET = 0;
    public static final int TYPE_OFFSET = 8;
    public static final int VERSION_OFFSET = 10;
    public static final int BODY_LENGTH_OFFSET = 12;
    public static final int BODY_OFFSET = 16;
    public static final int HEADER_BYTES = 16;
    public static final int VERSION = 1;

    /** Largest command excerpt accepted (an ISSUE_CARDS batch of {@link IssueCards#MAX_COUNT} cards fits). */
    public static final int MAX_COMMAND_BYTES = 64 * 1024;

    /** Open lower bound of a program's valid days. */
    public static final int OPEN_FROM_DAY = Integer.MIN_VALUE;
    /** Open upper bound of a program's valid days. */
    public static final int OPEN_TO_DAY = Integer.MAX_VALUE;
    public static final int MINUTES_PER_DAY = 1440;
    public static final int KEY_BYTES = 32;

    private Commands()
    {
    }

    /** DEFINE_OUTLET: create or update an outlet. */
    public static final class DefineOutlet
    {
        public static final int OUTLET_ID_OFFSET = 0;
        /** Program used for TAP programId 0 at this outlet; 0 for none (then programId 0 is INVALID_REQUEST). */
        public static final int DEFAULT_PROGRAM_ID_OFFSET = 4;
        public static final int BODY_LENGTH = 8;

        private DefineOutlet()
        {
        }
    }

    /** DEFINE_PROGRAM: create or update a program; its outlet list replaces the previous one. */
    public static final class DefineProgram
    {
        public static final int PROGRAM_ID_OFFSET = 0;
        public static final int KIND_OFFSET = 4;
        public static final int UNIT_OFFSET = 5;
        public static final int PERIOD_OFFSET = 6;
        public static final int QUOTA_OFFSET = 8;
        public static final int CYCLE_DAYS_OFFSET = 12;
        public static final int VALID_FROM_DAY_OFFSET = 16;
        public static final int VALID_TO_DAY_OFFSET = 20;
        public static final int WINDOW_START_MINUTE_OFFSET = 24;
        public static final int WINDOW_END_MINUTE_OFFSET = 26;
        public static final int OUTLET_COUNT_OFFSET = 28;
        public static final int OUTLETS_OFFSET = 32;
        public static final int MAX_OUTLETS = 4096;

        private DefineProgram()
        {
        }

        public static int bodyLength(final int outletCount)
        {
            return OUTLETS_OFFSET + 4 * outletCount;
        }
    }

    /** REGISTER_TERMINAL: create or update a terminal with its outlet, enabled flag and 32-byte key. */
    public static final class RegisterTerminal
    {
        public static final int TERMINAL_ID_OFFSET = 0;
        public static final int OUTLET_ID_OFFSET = 8;
        public static final int ENABLED_OFFSET = 12;
        public static final int KEY_OFFSET = 16;
        public static final int BODY_LENGTH = 48;

        private RegisterTerminal()
        {
        }
    }

    /** SET_TERMINAL_ENABLED: disable (0) or enable (1) a terminal. */
    public static final class SetTerminalEnabled
    {
        public static final int TERMINAL_ID_OFFSET = 0;
        public static final int ENABLED_OFFSET = 8;
        public static final int BODY_LENGTH = 16;

        private SetTerminalEnabled()
        {
        }
    }

    /**
     * ROTATE_KEY_WITH_GRACE: replace a terminal's key; the key it replaces stays valid for LOGON while the
     * decision's time is before graceUntilMs (0 = no grace, as ROTATE_KEY).
     */
    public static final class RotateKeyWithGrace
    {
        public static final int TERMINAL_ID_OFFSET = 0;
        public static final int KEY_OFFSET = 8;
        public static final int GRACE_UNTIL_MS_OFFSET = 40;
        public static final int BODY_LENGTH = 48;

        private RotateKeyWithGrace()
        {
        }
    }

    /** ROTATE_KEY: replace a terminal's key. */
    public static final class RotateKey
    {
        public static final int TERMINAL_ID_OFFSET = 0;
        public static final int KEY_OFFSET = 8;
        public static final int BODY_LENGTH = 40;

        private RotateKey()
        {
        }
    }

    /** SET_HOUSEHOLD: create a holder or move it to a household (0 = a household of its own). */
    public static final class SetHousehold
    {
        public static final int HOLDER_ID_OFFSET = 0;
        public static final int HOUSEHOLD_ID_OFFSET = 8;
        public static final int BODY_LENGTH = 16;

        private SetHousehold()
        {
        }
    }

    /** ISSUE_CARD: issue a card to a holder (the holder is created if new). */
    public static final class IssueCard
    {
        public static final int CARD_ID_OFFSET = 0;
        public static final int HOLDER_ID_OFFSET = 8;
        public static final int EXPIRY_DAY_OFFSET = 16;
        public static final int KIND_OFFSET = 20;
        public static final int STATUS_OFFSET = 21;
        public static final int BODY_LENGTH = 24;

        private IssueCard()
        {
        }
    }

    /** SET_CARD_STATUS: activate, block, mark lost or expired. */
    public static final class SetCardStatus
    {
        public static final int CARD_ID_OFFSET = 0;
        public static final int STATUS_OFFSET = 8;
        public static final int BODY_LENGTH = 16;

        private SetCardStatus()
        {
        }
    }

    /** REPLACE_CARD: the old card becomes REPLACED, the new card is ACTIVE for the same holder. */
    public static final class ReplaceCard
    {
        public static final int OLD_CARD_ID_OFFSET = 0;
        public static final int NEW_CARD_ID_OFFSET = 8;
        public static final int EXPIRY_DAY_OFFSET = 16;
        public static final int KIND_OFFSET = 20;
        public static final int BODY_LENGTH = 24;

        private ReplaceCard()
        {
        }
    }

    /** GRANT_ENTITLEMENT and REVOKE_ENTITLEMENT: enrol a holder in a program or end the enrolment. */
    public static final class Entitlement
    {
        public static final int HOLDER_ID_OFFSET = 0;
        public static final int PROGRAM_ID_OFFSET = 8;
        public static final int BODY_LENGTH = 16;

        private Entitlement()
        {
        }
    }

    /**
     * ISSUE_CARDS: compact provisioning of up to {@link #MAX_COUNT} cards. Each entry issues a card, sets its holder's
     * household and enrols the holder in the programs of the batch's program list selected by its enrolment mask.
     */
    public static final class IssueCards
    {
        public static final int COUNT_OFFSET = 0;
        public static final int PROGRAM_COUNT_OFFSET = 2;
        public static final int PROGRAM_IDS_OFFSET = 8;
        public static final int MAX_PROGRAMS = 8;
        public static final int ENTRIES_OFFSET = PROGRAM_IDS_OFFSET + 4 * MAX_PROGRAMS;
        public static final int ENTRY_BYTES = 32;
        public static final int ENTRY_CARD_ID_OFFSET = 0;
        public static final int ENTRY_HOLDER_ID_OFFSET = 8;
        public static final int ENTRY_HOUSEHOLD_ID_OFFSET = 16;
        public static final int ENTRY_EXPIRY_DAY_OFFSET = 24;
        public static final int ENTRY_KIND_OFFSET = 28;
        public static final int ENTRY_STATUS_OFFSET = 29;
        public static final int ENTRY_ENROL_MASK_OFFSET = 30;
        public static final int MAX_COUNT = 1024;

        private IssueCards()
        {
        }

        public static int bodyLength(final int count)
        {
            return ENTRIES_OFFSET + ENTRY_BYTES * count;
        }
    }
}
