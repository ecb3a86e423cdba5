package io.tapswitch.admin.ingest;

import java.util.Arrays;

import io.tapswitch.formats.journal.JournalDecoder;

/**
 * The rows of a batch in PostgreSQL's binary COPY format ({@code COPY taps (...) FROM STDIN (FORMAT binary)}), written
 * straight into a reusable byte buffer. PostgreSQL then parses no text: integers arrive as big-endian words,
 * timestamps as microseconds since 2000-01-01 UTC, booleans as one byte; only the three short names (type, decision,
 * reason) are text. The column types must be the {@code taps} table's exactly (bigint, text, timestamptz, bigint,
 * integer, bigint, bigint, bigint, integer, integer, boolean, timestamptz, text, text, integer, bigint): PostgreSQL
 * reads binary fields by the column's type, so a type change in {@code taps} must change {@link #row} too
 * ({@code CopyBinaryTest} loads the same rows in both formats into the real table and compares them).
 * <p>
 * Layout: a header (signature, flags, extension length) once per buffer, per row a field count and each field's
 * length (-1 for NULL) and bytes, a trailer ({@code -1}) closed by {@link #finish()}.
 * <p>
 * Not thread-safe: one stream's thread at a time.
 */
final class CopyBinary
{
    /** {@code PGCOPY\n\377\r\n\0}, flags 0, header extension length 0. */
    private static final byte[] HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte)0xFF, '\r', '\n', 0, 0, 0, 0, 0, 0, 0,
        0, 0};
    private static final int FIELDS = 16;
    /** Milliseconds from 1970-01-01 to PostgreSQL's epoch, 2000-01-01 UTC. */
    private static final long PG_EPOCH_MS = 946_684_800_000L;

    private byte[] bytes = new byte[256 * 1024];
    private int length;
    private int rows;
    private boolean finished;

    void clear()
    {
        length = 0;
        rows = 0;
        finished = false;
    }

    /** @return the rows appended since {@link #clear()}. */
    int rows()
    {
        return rows;
    }

    /** Appends the trailer (once): the buffer is then a complete COPY BINARY stream. */
    CopyBinary finish()
    {
        if (!finished)
        {
            if (length == 0)
            {
                header();
            }
            ensure(2);
            putShort(-1);
            finished = true;
        }
        return this;
    }

    byte[] bytes()
    {
        return bytes;
    }

    int length()
    {
        return length;
    }

    /**
     * Appends one taps row: receipt, type, decided_at, terminal_id, outlet_id, correlation, card_id, holder_id,
     * program_id, quantity, offline, terminal_time, decision, reason, remaining, journal_index.
     */
    void row(final long index, final JournalDecoder r, final boolean tap, final int quantity, final String decision,
        final String reason)
    {
        row(index, r.receipt(), tap, r.timeMs(), r.terminalId(), r.outletId(), r.correlation(), r.cardId(), r.holderId(),
            r.programId(), quantity, tap && (r.flags() & 1) != 0, tap ? r.terminalTimeMs() : 0, decision, reason,
            r.remaining());
    }

    /**
     * Appends one taps row from its fields ({@code terminalTimeMs} 0: NULL).
     */
    void row(final long index, final long receipt, final boolean tap, final long timeMs, final long terminalId,
        final int outletId, final int correlation, final long cardId, final long holderId, final int programId,
        final int quantity, final boolean offline, final long terminalTimeMs, final String decision, final String reason,
        final int remaining)
    {
        if (finished)
        {
            throw new IllegalStateException("rows after finish()");
        }
        if (length == 0)
        {
            header();
        }
        ensure(256 + 4 * (decision.length() + reason.length()));
        putShort(FIELDS);
        int8(receipt);
        text(tap ? "TAP" : "REVERSAL");
        timestamp(timeMs);
        int8(terminalId);
        int4(outletId);
        int8(Integer.toUnsignedLong(correlation));
        int8(cardId);
        int8(holderId);
        int4(programId);
        int4(quantity);
        putInt(1);
        bytes[length++] = (byte)(offline ? 1 : 0);
        if (terminalTimeMs == 0)
        {
            putInt(-1);
        }
        else
        {
            timestamp(terminalTimeMs);
        }
        text(decision);
        text(reason);
        int4(remaining);
        int8(index);
        rows++;
    }

    private void header()
    {
        ensure(HEADER.length);
        System.arraycopy(HEADER, 0, bytes, length, HEADER.length);
        length += HEADER.length;
    }

    private void ensure(final int more)
    {
        if (length + more > bytes.length)
        {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }

    private void int8(final long value)
    {
        putInt(8);
        putLong(value);
    }

    private void int4(final int value)
    {
        putInt(4);
        putInt(value);
    }

    /** timestamptz: microseconds since 2000-01-01 00:00 UTC (PostgreSQL's integer datetimes). */
    private void timestamp(final long epochMs)
    {
        putInt(8);
        putLong((epochMs - PG_EPOCH_MS) * 1000L);
    }

    /** A name from the protocol's tables (plain ASCII; anything else becomes '?', as in the text format). */
    private void text(final String s)
    {
        putInt(s.length());
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            bytes[length++] = c < 0x20 || c > 0x7E ? (byte)'?' : (byte)c;
        }
    }

    private void putShort(final int v)
    {
        bytes[length++] = (byte)(v >>> 8);
        bytes[length++] = (byte)v;
    }

    private void putInt(final int v)
    {
        bytes[length++] = (byte)(v >>> 24);
        bytes[length++] = (byte)(v >>> 16);
        bytes[length++] = (byte)(v >>> 8);
        bytes[length++] = (byte)v;
    }

    private void putLong(final long v)
    {
        putInt((int)(v >>> 32));
        putInt((int)v);
    }
}
