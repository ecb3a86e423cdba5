package io.tapswitch.admin.ingest;

import java.util.Arrays;

/**
 * The journal ingester's per-holder and per-household rollup bookkeeping, in its own memory (issue 14): for each
 * (city day, program, outlet, holder) row still open, the holder's net quantity there and the household the row counts
 * the holder in; for each (city day, program, outlet, household), how many of its holders are reached there. From them
 * the ingester derives, per batch, how the persons and households columns of {@code tap_day_rollup} change, and writes
 * those changes in the batch's transaction — what the rollup trigger did in PostgreSQL with two upserts per tap.
 * <p>
 * It is a function of the committed taps only: built from them at start and after any failed batch
 * ({@link JournalIngester}), changed only after the transaction that stored the taps committed. So a restart or a crash
 * (of the admin or of PostgreSQL) counts nobody twice. Bounded: rows of city days more than 31 days before the newest
 * decision are removed ({@link #prune}), as no decision can land in them any more (PROTOCOL.md rule 12).
 * <p>
 * Open addressing on two long keys (an id and {@link #packed} day, program and outlet), ~64 bytes per row at the
 * highest load. One thread writes (the ingester's reader thread, between batches); the stream threads read it during
 * a batch, when nothing writes.
 */
final class RollupMemory
{
    private static final long EMPTY = Long.MIN_VALUE;

    /** (holder, packed) → net quantity, household. */
    final Table holders = new Table();
    /** (household, packed) → holders reached. */
    final Table households = new Table();

    /**
     * @return day (days since 1970-01-01, 0..2^23), program (0..255) and outlet (as unsigned) in one long, ordered as
     * (day, program, outlet).
     */
    static long packed(final int day, final int program, final int outlet)
    {
        if (day < 0 || day >= 1 << 23 || program < 0 || program > 255)
        {
            throw new IllegalArgumentException("day " + day + " or program " + program + " outside the rollup keys' range");
        }
        return (long)day << 40 | (long)program << 32 | outlet & 0xFFFF_FFFFL;
    }

    static int day(final long packed)
    {
        return (int)(packed >>> 40);
    }

    static int program(final long packed)
    {
        return (int)(packed >>> 32 & 0xFF);
    }

    static int outlet(final long packed)
    {
        return (int)packed;
    }

    void clear()
    {
        holders.clear();
        households.clear();
    }

    /** Removes the rows of days before {@code firstOpenDay}; @return the rows removed. */
    long prune(final int firstOpenDay)
    {
        return holders.removeDaysBefore(firstOpenDay) + households.removeDaysBefore(firstOpenDay);
    }

    /** A map of (long, long) keys to two long values; keys' second part is never {@link Long#MIN_VALUE}. */
    static final class Table
    {
        private long[] k1;
        private long[] k2;
        private long[] v1;
        private long[] v2;
        private int size;
        private int mask;

        Table()
        {
            clear();
        }

        void clear()
        {
            allocate(1 << 12);
        }

        private void allocate(final int capacity)
        {
            k1 = new long[capacity];
            k2 = new long[capacity];
            v1 = new long[capacity];
            v2 = new long[capacity];
            Arrays.fill(k2, EMPTY);
            size = 0;
            mask = capacity - 1;
        }

        int size()
        {
            return size;
        }

        private static int hash(final long a, final long b)
        {
            long h = a * 0x9E37_79B9_7F4A_7C15L ^ b * 0xC2B2_AE3D_27D4_EB4FL;
            h ^= h >>> 29;
            h *= 0xBF58_476D_1CE4_E5B9L;
            return (int)(h ^ h >>> 32);
        }

        /** @return the slot of the key, or -1. */
        int find(final long a, final long b)
        {
            for (int i = hash(a, b) & mask; ; i = i + 1 & mask)
            {
                if (k2[i] == EMPTY)
                {
                    return -1;
                }
                if (k2[i] == b && k1[i] == a)
                {
                    return i;
                }
            }
        }

        long value1(final int slot)
        {
            return v1[slot];
        }

        long value2(final int slot)
        {
            return v2[slot];
        }

        void put(final long a, final long b, final long value1, final long value2)
        {
            if (b == EMPTY)
            {
                throw new IllegalArgumentException("key");
            }
            if ((size + 1) * 3L > (mask + 1) * 2L)
            {
                grow();
            }
            int i = hash(a, b) & mask;
            while (k2[i] != EMPTY && !(k2[i] == b && k1[i] == a))
            {
                i = i + 1 & mask;
            }
            if (k2[i] == EMPTY)
            {
                size++;
            }
            k1[i] = a;
            k2[i] = b;
            v1[i] = value1;
            v2[i] = value2;
        }

        private void grow()
        {
            rehash(k1.length * 2, Integer.MIN_VALUE);
        }

        /** Keeps the rows of days at or after {@code firstOpenDay}; @return the rows removed. */
        long removeDaysBefore(final int firstOpenDay)
        {
            final int before = size;
            int capacity = 1 << 12;
            long live = 0;
            for (int i = 0; i < k2.length; i++)
            {
                if (k2[i] != EMPTY && day(k2[i]) >= firstOpenDay)
                {
                    live++;
                }
            }
            if (live == size)
            {
                return 0;
            }
            while (live * 3 > capacity * 2L)
            {
                capacity <<= 1;
            }
            rehash(capacity, firstOpenDay);
            return before - size;
        }

        private void rehash(final int capacity, final int firstOpenDay)
        {
            final long[] a = k1;
            final long[] b = k2;
            final long[] x = v1;
            final long[] y = v2;
            allocate(capacity);
            for (int i = 0; i < b.length; i++)
            {
                if (b[i] != EMPTY && day(b[i]) >= firstOpenDay)
                {
                    int j = hash(a[i], b[i]) & mask;
                    while (k2[j] != EMPTY)
                    {
                        j = j + 1 & mask;
                    }
                    k1[j] = a[i];
                    k2[j] = b[i];
                    v1[j] = x[i];
                    v2[j] = y[i];
                    size++;
                }
            }
        }
    }
}
