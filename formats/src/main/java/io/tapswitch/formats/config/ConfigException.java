package io.tapswitch.formats.config;

/**
 * A configuration value that cannot be used: names the setting, where the value came from and why it
 * was refused. Thrown once, at start, before anything is opened or bound.
 */
public final class ConfigException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public ConfigException(final String message)
    {
        super(message);
    }

    public ConfigException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
