package io.tapswitch.switching.engine;

import java.nio.ByteOrder;

import io.tapswitch.formats.journal.JournalDecoder;
import io.tapswitch.formats.journal.JournalRecord;
import io.tapswitch.protocol.Messages;
import io.tapswitch.protocol.ReasonCode;
import org.agrona.DirectBuffer;

/**
 * The LOGON rule (PROTOCOL.md rules 1 and 2): INVALID_REQUEST on a connection already logged on; BAD_CREDENTIALS
 * for an unknown or disabled terminal or a wrong mac (the key replaced by a rotation is still accepted until its
 * grace deadline); STALE_LOGON for a timestamp further than the allowed skew from the switch's time or a nonce seen
 * within the nonce window; otherwise OK. Every LOGON is journaled; a nonce whose mac was valid is remembered, whether
 * or not the LOGON succeeded, and restored from the journal by a recovery ({@link #replay}).
 * <p>
 * Not thread-safe; engine thread. Allocates nothing.
 */
final class LogonRule
{
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private final EngineConfig config;
    private final EngineState state;
    private final DecisionJournal journal;
    private final EngineCounters counters;
    private final HmacSha256 hmac = new HmacSha256();

    LogonRule(
        final EngineConfig config, final EngineState state, final DecisionJournal journal,
        final EngineCounters counters)
    {
        this.config = config;
        this.state = state;
        this.journal = journal;
        this.counters = counters;
    }

    /**
     * Decides the LOGON whose body is at frame[body] on a session logged on as sessionTerminalId (0: none yet).
     *
     * @return the LOGON_RESULT code.
     */
    int decide(final long nowMs, final long sessionTerminalId, final DirectBuffer frame, final int body)
    {
        final Tables tables = state.tables;
        final NonceTable nonces = state.nonces;
        final long terminalId = frame.getLong(body + Messages.Logon.TERMINAL_ID_OFFSET, LE);
        final long timestampMs = frame.getLong(body + Messages.Logon.TIMESTAMP_MS_OFFSET, LE);
        final long nonceHi = frame.getLong(body + Messages.Logon.NONCE_OFFSET, LE);
        final long nonceLo = frame.getLong(body + Messages.Logon.NONCE_OFFSET + 8, LE);
        nonces.expire(nowMs - config.nonceWindowMs());
        int result;
        boolean macValid = false;
        final int terminal = tables.terminals.get(terminalId);
        if (sessionTerminalId != 0)
        {
            result = ReasonCode.INVALID_REQUEST;
        }
        else if (terminal == LongIndex.MISSING)
        {
            result = ReasonCode.BAD_CREDENTIALS;
        }
        else
        {
            macValid = hmac.verify(tables.terminalKeys, terminal * Tables.KEY_BYTES, frame,
                body + Messages.Logon.TERMINAL_ID_OFFSET, Messages.Logon.MAC_INPUT_BYTES, frame,
                body + Messages.Logon.MAC_OFFSET);
            if (!macValid && nowMs < tables.terminalGraceUntilMs[terminal])
            {
                // Rotated with a grace period: the replaced key is still valid until the deadline.
                macValid = hmac.verify(tables.terminalPreviousKeys, terminal * Tables.KEY_BYTES, frame,
                    body + Messages.Logon.TERMINAL_ID_OFFSET, Messages.Logon.MAC_INPUT_BYTES, frame,
                    body + Messages.Logon.MAC_OFFSET);
            }
            if (!macValid || tables.terminalEnabled[terminal] == 0)
            {
                result = ReasonCode.BAD_CREDENTIALS;
            }
            else if (Math.abs(timestampMs - nowMs) > config.logonSkewMs() ||
                nonces.contains(terminal, nonceHi, nonceLo, nowMs - config.nonceWindowMs()))
            {
                result = ReasonCode.STALE_LOGON;
            }
            else
            {
                result = ReasonCode.OK;
            }
        }
        final long seq = journal.nextSequence();
        journal.logon(seq, nowMs, terminalId, timestampMs, nonceHi, nonceLo, result, macValid);
        if (macValid)
        {
            nonces.remember(terminal, nonceHi, nonceLo, nowMs);
        }
        counters.logon(result);
        counters.nonceEvictedEarly = nonces.evictedEarly();
        return result;
    }

    /** Replays a journaled LOGON: its sequence, and its nonce when its mac was valid. */
    void replay(final JournalDecoder record)
    {
        final NonceTable nonces = state.nonces;
        final long nowMs = record.timeMs();
        nonces.expire(nowMs - config.nonceWindowMs());
        journal.sequence = record.sequence();
        if (record.logonMacValid())
        {
            final int terminal = state.tables.terminals.get(record.terminalId());
            final DirectBuffer b = record.buffer();
            final int offset = record.offset();
            nonces.remember(terminal, b.getLong(offset + JournalRecord.LOGON_NONCE_OFFSET, LE),
                b.getLong(offset + JournalRecord.LOGON_NONCE_OFFSET + 8, LE), nowMs);
        }
    }
}
