package io.tapswitch.switching.config;

import io.tapswitch.formats.config.ConfigException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SwitchConfigTest
{
    @TempDir
    Path dir;

    @Test
    void shouldApplyFileThenEnvironmentThenFlags() throws Exception
    {
        final Path file = dir.resolve("switch.yaml");
        Files.writeString(file, "port: 7000\nmax-connections: 500\nengine-batch-size: 64\ntls:\n  key-password: hunter2\n");

        final SwitchConfig config = SwitchConfig.load(file,
            Map.of("TAPSWITCH_MAX_CONNECTIONS", "600", "TAPSWITCH_HEARTBEAT_MS", "1000"),
            Map.of("max-connections", "700"));

        assertThat(config.port()).isEqualTo(7000);
        assertThat(config.engineBatchSize()).isEqualTo(64);
        assertThat(config.maxConnections()).isEqualTo(700);
        assertThat(config.heartbeatMs()).isEqualTo(1000);
        assertThat(config.idleTimeoutMs()).isEqualTo(3000);
        assertThat(config.tlsKeyPassword()).isEqualTo("hunter2");
    }

    @Test
    void shouldReadPropertiesFiles() throws Exception
    {
        final Path file = dir.resolve("switch.properties");
        Files.writeString(file, "port=7100\nidle-timeout-ms=5000\n");

        final SwitchConfig config = SwitchConfig.load(file, Map.of(), Map.of());

        assertThat(config.port()).isEqualTo(7100);
        assertThat(config.idleTimeoutMs()).isEqualTo(5000);
        assertThat(config.maxInFlight()).isEqualTo(32);
    }

    @Test
    void shouldNeverPrintSecretsInTheSummary()
    {
        final SwitchConfig config = SwitchConfig.of(Map.of("tls.key-password", "hunter2"));

        assertThat(config.summary()).doesNotContain("hunter2").contains("tls.key-password").contains("<set>");
    }

    @Test
    void shouldRefuseInvalidValuesNamingTheSettingAndSource()
    {
        assertThatThrownBy(() -> SwitchConfig.load(null, Map.of("TAPSWITCH_PORT", "70000"), Map.of()))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("port")
            .hasMessageContaining("70000")
            .hasMessageContaining("TAPSWITCH_PORT");
        assertThatThrownBy(() -> SwitchConfig.of(Map.of("engine-queue-bytes", "5000")))
            .hasMessageContaining("engine-queue-bytes").hasMessageContaining("power of two");
        assertThatThrownBy(() -> SwitchConfig.of(Map.of("engine-idle-strategy", "nap")))
            .hasMessageContaining("engine-idle-strategy");
        assertThatThrownBy(() -> SwitchConfig.of(Map.of("tls.cert-file", dir.toString() + "/missing.pem")))
            .hasMessageContaining("tls.cert-file");
    }

    @Test
    void shouldRefuseUnknownSettings() throws Exception
    {
        final Path file = dir.resolve("switch.yml");
        Files.writeString(file, "prot: 7000\n");

        assertThatThrownBy(() -> SwitchConfig.load(file, Map.of(), Map.of()))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("prot");
        assertThatThrownBy(() -> SwitchConfig.of(Map.of("max-conections", "1")))
            .hasMessageContaining("max-conections");
    }
}
