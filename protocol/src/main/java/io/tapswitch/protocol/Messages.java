package io.tapswitch.protocol;

/**
 * Body layouts of every Tap Protocol v1 message: offsets are relative to the start of the body
 * ({@link FrameHeader#BODY_OFFSET} bytes after the start of the frame). All integers little-endian.
 */
public final class Messages
{
    private Messages()
    {
    }

    /** 0x01 LOGON: terminalId, timestampMillis, nonce, mac = HMAC-SHA256(key, body[0..32)). */
    public static final class Logon
    {
        public static final int TERMINAL_ID_OFFSET = 0;
        public static final int TIMESTAMP_MS_OFFSET = 8;
        public static final int NONCE_OFFSET = 16;
        public static final int NONCE_BYTES = 16;
        public static final int MAC_OFFSET = 32;
        public static final int MAC_BYTES = 32;
        /** The bytes the mac is computed over: body[0 .. 32). */
        public static final int MAC_INPUT_BYTES = 32;
        public static final int BODY_LENGTH = 64;

        private Logon()
        {
        }
    }

    /** 0x81 LOGON_RESULT: result code, pad, heartbeatMillis, serverTimeMillis. */
    public static final class LogonResult
    {
        public static final int RESULT_OFFSET = 0;
        public static final int HEARTBEAT_MS_OFFSET = 4;
        public static final int SERVER_TIME_MS_OFFSET = 8;
        public static final int BODY_LENGTH = 16;

        private LogonResult()
        {
        }
    }

    /** 0x02 TAP: cardId, programId, quantity, flags, terminalTimeMillis. */
    public static final class Tap
    {
        public static final int CARD_ID_OFFSET = 0;
        public static final int PROGRAM_ID_OFFSET = 8;
        public static final int QUANTITY_OFFSET = 12;
        public static final int FLAGS_OFFSET = 14;
        public static final int TERMINAL_TIME_MS_OFFSET = 16;
        public static final int BODY_LENGTH = 24;

        /** flags bit 0: the tap was already served while the terminal was offline. */
        public static final int FLAG_OFFLINE_ADVICE = 0x0001;
        /** Every flag bit that has a meaning; any other set bit is INVALID_REQUEST. */
        public static final int KNOWN_FLAGS = FLAG_OFFLINE_ADVICE;

        private Tap()
        {
        }
    }

    /** 0x82 TAP_RESULT and 0x83 REVERSAL_RESULT: decision, reason, pad, remaining (signed), receipt. */
    public static final class TapResult
    {
        public static final int DECISION_OFFSET = 0;
        public static final int REASON_OFFSET = 1;
        public static final int REMAINING_OFFSET = 4;
        public static final int RECEIPT_OFFSET = 8;
        public static final int BODY_LENGTH = 16;

        private TapResult()
        {
        }
    }

    /** 0x03 REVERSAL: originalCorrelation, pad, cardId. */
    public static final class Reversal
    {
        public static final int ORIGINAL_CORRELATION_OFFSET = 0;
        public static final int CARD_ID_OFFSET = 8;
        public static final int BODY_LENGTH = 16;

        private Reversal()
        {
        }
    }

    /** 0x04 BALANCE: cardId. */
    public static final class Balance
    {
        public static final int CARD_ID_OFFSET = 0;
        public static final int BODY_LENGTH = 8;

        private Balance()
        {
        }
    }

    /**
     * 0x84 BALANCE_RESULT: decision, reason, count, then count entries of
     * (programId, remaining (signed), quota (signed), pad).
     */
    public static final class BalanceResult
    {
        public static final int DECISION_OFFSET = 0;
        public static final int REASON_OFFSET = 1;
        public static final int COUNT_OFFSET = 2;
        public static final int ENTRIES_OFFSET = 4;
        public static final int ENTRY_BYTES = 16;
        public static final int ENTRY_PROGRAM_ID_OFFSET = 0;
        public static final int ENTRY_REMAINING_OFFSET = 4;
        public static final int ENTRY_QUOTA_OFFSET = 8;
        public static final int MAX_COUNT = 64;
        public static final int MAX_BODY_LENGTH = ENTRIES_OFFSET + ENTRY_BYTES * MAX_COUNT;

        private BalanceResult()
        {
        }

        public static int bodyLength(final int count)
        {
            return ENTRIES_OFFSET + ENTRY_BYTES * count;
        }
    }

    /** 0x05 HEARTBEAT and 0x85 HEARTBEAT_RESULT: timestampMillis (echoed in the result). */
    public static final class Heartbeat
    {
        public static final int TIMESTAMP_MS_OFFSET = 0;
        public static final int BODY_LENGTH = 8;

        private Heartbeat()
        {
        }
    }

    /** 0x7F ERROR: code, detailLength, then detailLength bytes of UTF-8 (at most 256). */
    public static final class Error
    {
        public static final int CODE_OFFSET = 0;
        public static final int DETAIL_LENGTH_OFFSET = 2;
        public static final int DETAIL_OFFSET = 4;
        public static final int MAX_DETAIL_BYTES = 256;
        public static final int MAX_BODY_LENGTH = DETAIL_OFFSET + MAX_DETAIL_BYTES;

        private Error()
        {
        }

        public static int bodyLength(final int detailLengthBytes)
        {
            return DETAIL_OFFSET + detailLengthBytes;
        }
    }
}
