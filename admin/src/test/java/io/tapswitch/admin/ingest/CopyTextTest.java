package io.tapswitch.admin.ingest;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ingester's COPY text writes numbers and UTC timestamps without allocating: each must read back as
 * {@link Long#toString} and {@link DateTimeFormatter} would write it (PostgreSQL parses the text).
 */
class CopyTextTest
{
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSS'+00'")
        .withZone(ZoneOffset.UTC);

    @Test
    void shouldWriteTimestampsAsUtcWithMilliseconds()
    {
        final SplittableRandom random = new SplittableRandom(5);
        final long[] edges = {0, 1, 86_399_999, 86_400_000, 951_782_400_000L /* 2000-02-29 */, 1_709_164_800_000L,
            4_107_542_399_999L /* 2100-02-28T23:59:59.999 */, 253_402_300_799_999L /* 9999-12-31T23:59:59.999 */};
        for (final long ms : edges)
        {
            assertThat(timestamp(ms)).as("%d", ms).isEqualTo(UTC.format(Instant.ofEpochMilli(ms)));
        }
        for (int i = 0; i < 100_000; i++)
        {
            final long ms = random.nextLong(0, 253_402_300_800_000L);
            assertThat(timestamp(ms)).as("%d", ms).isEqualTo(UTC.format(Instant.ofEpochMilli(ms)));
        }
    }

    @Test
    void shouldWriteNumbersAsLongToString()
    {
        final SplittableRandom random = new SplittableRandom(7);
        final long[] edges = {0, 1, -1, 9, 10, 99, 100, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1,
            999_999_999_999_999_999L, 1_000_000_000_000_000_000L, Integer.MAX_VALUE, 4_294_967_295L};
        for (final long v : edges)
        {
            assertThat(number(v)).isEqualTo(Long.toString(v));
        }
        for (int i = 0; i < 100_000; i++)
        {
            final long v = random.nextLong() >> random.nextInt(64);
            assertThat(number(v)).isEqualTo(Long.toString(v));
        }
    }

    private final CopyText text = new CopyText();

    private String timestamp(final long ms)
    {
        text.clear();
        text.timestamp(ms);
        return text.text();
    }

    private String number(final long v)
    {
        text.clear();
        text.number(v);
        return text.text();
    }
}
