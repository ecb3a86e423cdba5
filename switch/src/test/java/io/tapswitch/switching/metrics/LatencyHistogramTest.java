package io.tapswitch.switching.metrics;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LatencyHistogramTest
{
    private static final long T0 = 1_000_000_000L;

    @Test
    void countsEachValueInTheFirstBucketWhoseBoundHoldsIt()
    {
        final LatencyHistogram histogram = LatencyHistogram.authorization();

        histogram.record(0, T0);
        histogram.record(10_000, T0);          // on the bound: le 10 µs
        histogram.record(10_001, T0);          // just above: le 25 µs
        histogram.record(3_000_000, T0);       // le 5 ms
        histogram.record(100_000_000, T0);     // le 100 ms
        histogram.record(100_000_001, T0);     // past the largest bound: +Inf only
        histogram.record(-5, T0);              // a clock step backwards counts as 0

        assertThat(histogram.bucketCount(0)).isEqualTo(3);
        assertThat(histogram.bucketCount(1)).isEqualTo(1);
        assertThat(histogram.bucketCount(8)).isEqualTo(1);
        assertThat(histogram.bucketCount(12)).isEqualTo(1);
        assertThat(histogram.bucketCount(13)).isEqualTo(1);
        assertThat(histogram.count()).isEqualTo(7);
        assertThat(histogram.sumNanos()).isEqualTo(10_000 + 10_001 + 3_000_000 + 100_000_000 + 100_000_001L);
        assertThat(histogram.maxNanos(T0)).isEqualTo(100_000_001L);
    }

    @Test
    void maxCoversTheLastOneToTwoWindowsAndFadesAfterAQuietSpell()
    {
        final LatencyHistogram histogram = LatencyHistogram.authorization();
        final long window = TimeUnit.SECONDS.toNanos(LatencyHistogram.MAX_WINDOW_SECONDS);

        histogram.record(7_000_000, T0);
        histogram.record(2_000_000, T0 + window / 2);
        assertThat(histogram.maxNanos(T0 + window / 2)).isEqualTo(7_000_000);

        // a record in the next window: the first window's max is still shown (the previous window)
        histogram.record(1_000_000, T0 + window + 1);
        assertThat(histogram.maxNanos(T0 + window + 2)).isEqualTo(7_000_000);

        // one window later the 7 ms is gone, the 1 ms of the window before remains
        histogram.record(500_000, T0 + 2 * window + 2);
        assertThat(histogram.maxNanos(T0 + 2 * window + 3)).isEqualTo(1_000_000);

        // nothing recorded for longer than two windows: a scrape sees 0, the counts stay
        assertThat(histogram.maxNanos(T0 + 5 * window)).isZero();
        assertThat(histogram.count()).isEqualTo(4);
    }

    @Test
    void scrapeSumsTheLoopsIntoOneCumulativeHistogramWithTheTimersNames()
    {
        try (SwitchMetrics metrics = new SwitchMetrics())
        {
            final LatencyHistogram loop0 = LatencyHistogram.authorization();
            final LatencyHistogram loop1 = LatencyHistogram.authorization();
            metrics.bindAuthorizationLatency(List.of(loop0, loop1));
            final long now = System.nanoTime();
            loop0.record(30_000, now);        // le 50 µs
            loop0.record(3_000_000, now);     // le 5 ms
            loop1.record(40_000, now);        // le 50 µs
            loop1.record(200_000_000, now);   // +Inf

            final String text = metrics.registry().scrape();

            assertThat(text)
                .contains("# TYPE tapswitch_authorization_latency_seconds histogram")
                .contains("tapswitch_authorization_latency_seconds_bucket{le=\"2.5E-5\"} 0\n")
                .contains("tapswitch_authorization_latency_seconds_bucket{le=\"5.0E-5\"} 2\n")
                .contains("tapswitch_authorization_latency_seconds_bucket{le=\"0.0025\"} 2\n")
                .contains("tapswitch_authorization_latency_seconds_bucket{le=\"0.005\"} 3\n")
                .contains("tapswitch_authorization_latency_seconds_bucket{le=\"0.1\"} 3\n")
                .contains("tapswitch_authorization_latency_seconds_bucket{le=\"+Inf\"} 4\n")
                .contains("tapswitch_authorization_latency_seconds_count 4\n")
                .contains("tapswitch_authorization_latency_seconds_sum 0.20307\n")
                .contains("# TYPE tapswitch_authorization_latency_seconds_max gauge")
                .contains("tapswitch_authorization_latency_seconds_max 0.2\n");
        }
    }
}
