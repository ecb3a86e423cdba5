package io.tapswitch.admin;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Configuration is validated once at start and fails naming the setting.
 */
class AdminConfigTest
{
    @TempDir
    Path dir;

    @Test
    void shouldReadTokensFromYamlByDigestOrText() throws Exception
    {
        final Path file = dir.resolve("admin.yaml");
        Files.writeString(file, """
            city-zone: Europe/Kyiv
            tokens:
              - actor: olena
                roles: [center_admin]
                sha256: %s
              - actor: ops
                roles: [operator, auditor]
                token: operator-token-0123456789
            """.formatted(TokenRegistry.digestHex("admin-token-0123456789")));
        final AdminConfig config = new AdminConfig().loadFile(file).conclude();
        assertThat(config.generatedToken()).isNull();
        assertThat(config.tokens().authenticate("admin-token-0123456789").actor()).isEqualTo("olena");
        assertThat(config.tokens().authenticate("operator-token-0123456789").roles()).containsExactlyInAnyOrder(Role.OPERATOR, Role.AUDITOR);
        assertThat(config.tokens().authenticate("admin-token-012345678")).isNull();
    }

    @Test
    void shouldNameTheBadSetting() throws Exception
    {
        final Path file = dir.resolve("bad.json");
        Files.writeString(file, "{\"tokens\": [{\"actor\": \"x\", \"roles\": [\"janitor\"], \"token\": \"0123456789abcdef\"}]}");
        assertThatThrownBy(() -> new AdminConfig().loadFile(file)).hasMessageContaining("tokens[0].roles[0]").hasMessageContaining("janitor");
        assertThatThrownBy(() -> new AdminConfig().port(70_000).conclude()).hasMessageContaining("port").hasMessageContaining("70000");
        assertThatThrownBy(() -> new AdminConfig().dbUrl("mysql://x").conclude()).hasMessageContaining("db-url");
        assertThat(AdminConfig.redactUrl("postgresql://app:secret@db:5432/x")).isEqualTo("postgresql://app:***@db:5432/x");
    }

    @Test
    void shouldGenerateAnAdminTokenWhenNoneIsConfigured()
    {
        final AdminConfig config = new AdminConfig().conclude();
        assertThat(config.generatedToken()).hasSize(64);
        assertThat(config.tokens().authenticate(config.generatedToken()).roles()).containsExactly(Role.CENTER_ADMIN);
    }
}
