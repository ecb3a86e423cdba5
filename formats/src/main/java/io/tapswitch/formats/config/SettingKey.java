package io.tapswitch.formats.config;

/**
 * One setting of a tapswitch service: its kebab-case key (in a configuration file, nested YAML keys joined with
 * dots, and as a {@code --set key=value} flag), its environment variable, its default, whether it is a secret
 * (never printed) and one line of documentation. Implemented by the enums of the switch ({@link Setting}) and the
 * admin service.
 */
public interface SettingKey
{
    String key();

    String defaultValue();

    boolean secret();

    String doc();

    /**
     * @return the environment variable that sets it, e.g. {@code TAPSWITCH_TLS_CERT_FILE}.
     */
    String envName();

    /**
     * @param value the resolved value.
     * @return the value as the start-up summary prints it: secrets as {@code <set>} or {@code <unset>}.
     */
    default String shown(final String value)
    {
        return secret() ? (value.isEmpty() ? "<unset>" : "<set>") : value;
    }
}
