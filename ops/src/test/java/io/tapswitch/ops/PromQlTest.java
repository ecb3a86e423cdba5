package io.tapswitch.ops;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PromQlTest
{
    @Test
    void shouldFindMetricNamesButNotFunctionsLabelsOrKeywords()
    {
        assertThat(PromQl.metricNames(
            "histogram_quantile(0.99, sum by (le, instance) (rate(tapswitch_authorization_latency_seconds_bucket{job=\"x\",le=~\"0.1\"}[5m]))) > 0.05"))
            .containsExactly("tapswitch_authorization_latency_seconds_bucket");
    }

    @Test
    void shouldFindBothSidesOfABinaryOperation()
    {
        assertThat(PromQl.metricNames(
            "sum by (instance) (rate(tapswitch_busy_total[5m])) / clamp_min(sum without (reason) (rate(tapswitch_taps_total[5m])), 1) > 0.01"))
            .containsExactlyInAnyOrder("tapswitch_busy_total", "tapswitch_taps_total");
    }

    @Test
    void shouldIgnoreStringsDurationsAndGrafanaVariables()
    {
        assertThat(PromQl.metricNames(
            "up{job=\"tapswitch-switch\", instance=~\"$instance\"} == 0 and on (instance) vector(1) offset 5m"))
            .containsExactly("up");
        assertThat(PromQl.metricNames("predict_linear(tapswitch_journal_disk_free_bytes[6h], 24 * 3600) < 1e3"))
            .containsExactly("tapswitch_journal_disk_free_bytes");
    }

    @Test
    void shouldReadSeriesNamesOfAnExposition()
    {
        final String text = "# HELP x_total a counter\n# TYPE x_total counter\nx_total{a=\"1\"} 3.0\n"
            + "y_seconds_bucket{le=\"0.1\"} 1\ny_seconds_count 1\nup 1\n";
        assertThat(OpsFiles.seriesNames(text)).containsExactly("up", "x_total", "y_seconds_bucket", "y_seconds_count");
    }
}
