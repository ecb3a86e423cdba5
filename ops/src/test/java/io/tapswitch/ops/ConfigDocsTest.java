package io.tapswitch.ops;

import java.nio.file.Path;

import io.tapswitch.admin.AdminSetting;
import io.tapswitch.formats.config.SettingKey;
import io.tapswitch.switching.config.Setting;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every setting of both services is documented where operators look: a row of the README's configuration tables
 * (key, environment variable, default) and an entry of the release's commented example configuration.
 */
class ConfigDocsTest
{
    private static final Path ROOT = OpsFiles.OPS_DIR.getParent();

    @Test
    void shouldDocumentEverySwitchSetting()
    {
        check(Setting.values(), ROOT.resolve("dist/src/conf/switch.yaml"));
    }

    @Test
    void shouldDocumentEveryAdminSetting()
    {
        check(AdminSetting.values(), ROOT.resolve("dist/src/conf/admin.yaml"));
    }

    private static void check(final SettingKey[] settings, final Path example)
    {
        final String readme = OpsFiles.read(ROOT.resolve("README.md"));
        final String conf = OpsFiles.read(example);
        for (final SettingKey setting : settings)
        {
            final String shownDefault = setting.defaultValue().isEmpty() ? "(empty)" : setting.defaultValue();
            assertThat(readme).as("README row of " + setting.key())
                .contains("| `" + setting.key() + "` | `" + setting.envName() + "` | `" + shownDefault + "` |");
            assertThat(conf).as(example.getFileName() + " entry of " + setting.key())
                .containsPattern("(?m)^#?" + java.util.regex.Pattern.quote(setting.key()) + ": ");
        }
    }
}
