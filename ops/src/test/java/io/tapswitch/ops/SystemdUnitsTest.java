package io.tapswitch.ops;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The systemd units as systemd reads them: an Environment= value with spaces is quoted (unquoted, systemd keeps
 * only the first word), a clean stop (JVM exit 143 after SIGTERM) is a success, a configuration error (exit 2)
 * does not restart in a loop, failures (exit 1) do restart, and ExecStart runs the release's launcher with a
 * configuration file.
 */
class SystemdUnitsTest
{
    @ParameterizedTest
    @ValueSource(strings = {"tapswitch-switch.service", "tapswitch-admin.service"})
    void shouldStopCleanlyRestartOnFailureAndNeverLoopOnAConfigurationError(final String unit)
    {
        final String text = OpsFiles.read(OpsFiles.OPS_DIR.resolve("systemd").resolve(unit));
        final List<String> lines = new ArrayList<>();
        for (final String line : text.split("\n"))
        {
            if (!line.isBlank() && !line.startsWith("#"))
            {
                lines.add(line.trim());
            }
        }
        for (final String line : lines)
        {
            if (line.startsWith("Environment="))
            {
                final String value = line.substring("Environment=".length());
                // systemd splits Environment= at unquoted spaces: one assignment per quoted word
                assertThat(!value.contains(" ") || (value.startsWith("\"") && value.endsWith("\"")))
                    .as(unit + ": " + line).isTrue();
            }
        }
        assertThat(lines).as(unit).contains("SuccessExitStatus=143", "RestartPreventExitStatus=2", "Restart=on-failure",
            "KillSignal=SIGTERM");
        assertThat(lines).as(unit).anyMatch((l) -> l.matches("ExecStart=/opt/tapswitch/bin/tapswitch (switch|admin) --config /etc/tapswitch/\\w+\\.yaml"));
        assertThat(lines).as(unit).anyMatch((l) -> l.startsWith("Environment=\"JAVA_OPTS="));
    }

    static Path unitDir()
    {
        return OpsFiles.OPS_DIR.resolve("systemd");
    }
}
