package io.tapswitch.admin.ingest;

import java.util.Arrays;

import io.tapswitch.formats.journal.JournalDecoder;

/**
 * The rows of a batch in PostgreSQL's COPY text format (tab-separated, {@code \N} for NULL, one line per row),
 * written straight into a reusable byte buffer: numbers and timestamps are formatted without allocating, so the
 * ingester's cost per row is the bytes it sends. Timestamps are UTC, {@code YYYY-MM-DD HH:MM:SS.mmm+00}.
 * <p>
 * The text format the ingester wrote before COPY BINARY ({@link CopyBinary}); kept in the tests as the reference
 * {@code CopyBinaryTest} compares the binary rows with. Not thread-safe.
 */
final class CopyText
{
    private static final byte TAB = '\t';
    private static final byte NEWLINE = '\n';
    private static final long MS_PER_DAY = 86_400_000L;

    private byte[] bytes = new byte[256 * 1024];
    private int length;

    void clear()
    {
        length = 0;
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
        ensure(512);
        number(r.receipt()).tab();
        ascii(tap ? "TAP" : "REVERSAL").tab();
        timestamp(r.timeMs()).tab();
        number(r.terminalId()).tab();
        number(r.outletId()).tab();
        number(Integer.toUnsignedLong(r.correlation())).tab();
        number(r.cardId()).tab();
        number(r.holderId()).tab();
        number(r.programId()).tab();
        number(quantity).tab();
        ascii(tap && (r.flags() & 1) != 0 ? "t" : "f").tab();
        final long terminalTimeMs = tap ? r.terminalTimeMs() : 0;
        if (terminalTimeMs == 0)
        {
            ascii("\\N");
        }
        else
        {
            timestamp(terminalTimeMs);
        }
        tab();
        text(decision).tab();
        text(reason).tab();
        number(r.remaining()).tab();
        number(index);
        bytes[length++] = NEWLINE;
    }

    private void ensure(final int more)
    {
        if (length + more > bytes.length)
        {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }

    private CopyText tab()
    {
        bytes[length++] = TAB;
        return this;
    }

    private CopyText ascii(final String s)
    {
        for (int i = 0; i < s.length(); i++)
        {
            bytes[length++] = (byte)s.charAt(i);
        }
        return this;
    }

    /** A name from the protocol's tables, escaped for COPY (they are plain ASCII; anything else becomes '?'). */
    private CopyText text(final String s)
    {
        ensure(s.length() * 2);
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            if (c == '\\' || c == '\t' || c == '\n' || c == '\r')
            {
                bytes[length++] = '\\';
                bytes[length++] = (byte)(c == '\\' ? '\\' : c == '\t' ? 't' : c == '\n' ? 'n' : 'r');
            }
            else
            {
                bytes[length++] = c < 0x20 || c > 0x7E ? (byte)'?' : (byte)c;
            }
        }
        return this;
    }

    CopyText number(final long value)
    {
        if (value == Long.MIN_VALUE)
        {
            return ascii("-9223372036854775808");
        }
        long v = value;
        if (v < 0)
        {
            bytes[length++] = '-';
            v = -v;
        }
        int digits = 1;
        for (long p = 10; digits < 19 && v >= p; p *= 10)
        {
            digits++;
        }
        for (int i = length + digits - 1; i >= length; i--)
        {
            bytes[i] = (byte)('0' + v % 10);
            v /= 10;
        }
        length += digits;
        return this;
    }

    /** {@code YYYY-MM-DD HH:MM:SS.mmm+00} of a UTC instant (years 0–9999). */
    CopyText timestamp(final long epochMs)
    {
        final long days = Math.floorDiv(epochMs, MS_PER_DAY);
        final long msOfDay = epochMs - days * MS_PER_DAY;
        // days to civil date (H. Hinnant's algorithm)
        final long z = days + 719_468;
        final long era = Math.floorDiv(z, 146_097);
        final long doe = z - era * 146_097;
        final long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        final long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        final long mp = (5 * doy + 2) / 153;
        final long day = doy - (153 * mp + 2) / 5 + 1;
        final long month = mp < 10 ? mp + 3 : mp - 9;
        final long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
        digits(year, 4);
        bytes[length++] = '-';
        digits(month, 2);
        bytes[length++] = '-';
        digits(day, 2);
        bytes[length++] = ' ';
        digits(msOfDay / 3_600_000, 2);
        bytes[length++] = ':';
        digits(msOfDay / 60_000 % 60, 2);
        bytes[length++] = ':';
        digits(msOfDay / 1000 % 60, 2);
        bytes[length++] = '.';
        digits(msOfDay % 1000, 3);
        bytes[length++] = '+';
        bytes[length++] = '0';
        bytes[length++] = '0';
        return this;
    }

    private void digits(final long value, final int count)
    {
        long v = value;
        for (int i = length + count - 1; i >= length; i--)
        {
            bytes[i] = (byte)('0' + v % 10);
            v /= 10;
        }
        length += count;
    }

    /** @return the buffer's text, for tests. */
    String text()
    {
        return new String(bytes, 0, length, java.nio.charset.StandardCharsets.US_ASCII);
    }
}
