package io.tapswitch.ops;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Prometheus configuration and alert rules pass promtool, and every alert has a runbook section.
 * promtool comes from Debian's prometheus package; .ci/run installs it.
 */
class PrometheusConfigTest
{
    @Test
    void shouldPassPromtoolCheckRules() throws Exception
    {
        final Result result = promtool("check", "rules", OpsFiles.ALERTS.toString());
        assertThat(result.exitCode).as(result.output).isZero();
        assertThat(result.output).contains("SUCCESS");
    }

    @Test
    void shouldPassPromtoolCheckConfig() throws Exception
    {
        final Result result = promtool("check", "config", OpsFiles.PROMETHEUS.toString());
        assertThat(result.exitCode).as(result.output).isZero();
    }

    @Test
    void shouldLinkEveryAlertToARunbookSection()
    {
        final String alerts = OpsFiles.read(OpsFiles.ALERTS);
        final String runbook = OpsFiles.read(OpsFiles.RUNBOOK);
        final Matcher m = Pattern.compile("- alert: (\\w+)").matcher(alerts);
        int count = 0;
        while (m.find())
        {
            final String alert = m.group(1);
            count++;
            assertThat(runbook).as("RUNBOOK.md section for " + alert).contains("\n### " + alert + "\n");
            assertThat(alerts).as("runbook link of " + alert).contains("ops/RUNBOOK.md#" + alert.toLowerCase());
        }
        assertThat(count).isGreaterThanOrEqualTo(8);
    }

    @Test
    void shouldFireEveryAlertWhenItShouldAndStayQuietWhenItShouldNot() throws Exception
    {
        // ops/src/test/prometheus/alerts-test.yml: per alert, a target that breaks the rule (fires once "for"
        // has passed, with its rendered annotations) beside one that does not (never in the expected alerts), and
        // an evaluation before "for" has passed (no alert yet)
        final Result result = promtool("test", "rules", OpsFiles.ALERT_TESTS.toString());
        assertThat(result.exitCode).as(result.output).isZero();
        assertThat(result.output).contains("SUCCESS");

        final String alerts = OpsFiles.read(OpsFiles.ALERTS);
        final String tests = OpsFiles.read(OpsFiles.ALERT_TESTS);
        final Matcher m = Pattern.compile("- alert: (\\w+)").matcher(alerts);
        int count = 0;
        while (m.find())
        {
            count++;
            final String alert = m.group(1);
            assertThat(tests).as("a firing test of " + alert).containsPattern(
                "alertname: " + alert + "\\n        exp_alerts:\\n          - exp_labels:");
            assertThat(tests).as("a quiet test of " + alert).containsPattern(
                "alertname: " + alert + "\\n        exp_alerts: \\[\\]");
        }
        assertThat(count).isGreaterThanOrEqualTo(12);
    }

    @Test
    void shouldLinkRunbooksWithTheStandardAnnotation()
    {
        final String alerts = OpsFiles.read(OpsFiles.ALERTS);
        final long rules = alerts.lines().filter((l) -> l.trim().startsWith("- alert:")).count();
        final long links = alerts.lines().filter((l) -> l.trim().startsWith("runbook_url: ")).count();
        assertThat(links).as("runbook_url (the annotation Alertmanager and Grafana link) on every alert").isEqualTo(rules);
        assertThat(alerts).doesNotContainPattern("\\n\\s+runbook: ");
    }

    static Result promtool(final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new java.util.ArrayList<>();
        command.add("promtool");
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final boolean done = process.waitFor(60, TimeUnit.SECONDS);
        assertThat(done).as("promtool finished").isTrue();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(process.exitValue(), output);
    }

    static Result promtoolCheckMetrics(final String exposition) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        try (var in = process.getOutputStream())
        {
            in.write(exposition.getBytes(StandardCharsets.UTF_8));
        }
        final boolean done = process.waitFor(60, TimeUnit.SECONDS);
        assertThat(done).as("promtool finished").isTrue();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(process.exitValue(), output);
    }

    record Result(int exitCode, String output)
    {
    }

    static Path opsDir()
    {
        return OpsFiles.OPS_DIR;
    }
}
