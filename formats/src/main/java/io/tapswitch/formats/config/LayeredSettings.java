package io.tapswitch.formats.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The configuration scheme both services share: every setting resolved once at start from, in increasing
 * precedence, its default, a file ({@code .yaml}/{@code .yml}/{@code .json}, nested keys joined with dots, or
 * {@code .properties}), its environment variable ({@code TAPSWITCH_*}) and a command-line flag; each value
 * remembers where it came from, for the start-up summary and for error messages. A file may also hold named
 * structured sections (e.g. the admin's {@code tokens} list), kept as they are. An unknown key is an error.
 * Immutable once loaded.
 *
 * @param <S> the service's setting enum.
 */
public final class LayeredSettings<S extends SettingKey>
{
    private final List<S> settings;
    private final Map<S, String> values;
    private final Map<S, String> sources;
    private final Map<String, Object> sections;

    private LayeredSettings(
        final List<S> settings, final Map<S, String> values, final Map<S, String> sources, final Map<String, Object> sections)
    {
        this.settings = settings;
        this.values = values;
        this.sources = sources;
        this.sections = sections;
    }

    /**
     * @param settings     every setting of the service, in the order the summary prints them.
     * @param sectionNames top-level keys of the file kept as structured sections (not settings).
     * @param configFile   the file, or null.
     * @param env          the environment (normally {@code System.getenv()}).
     * @param flags        values given on the command line, by setting key.
     * @return the resolved values.
     * @throws ConfigException naming the key and where it came from when a key is unknown or the file unreadable.
     */
    public static <S extends SettingKey> LayeredSettings<S> load(
        final List<S> settings,
        final Set<String> sectionNames,
        final Path configFile,
        final Map<String, String> env,
        final Map<String, String> flags)
    {
        final Map<S, String> values = new LinkedHashMap<>();
        final Map<S, String> sources = new LinkedHashMap<>();
        final Map<String, Object> sections = new LinkedHashMap<>();
        for (final S setting : settings)
        {
            values.put(setting, setting.defaultValue());
            sources.put(setting, "default");
        }

        if (null != configFile)
        {
            final Map<String, String> fromFile = readFile(configFile, sectionNames, sections);
            for (final Map.Entry<String, String> entry : fromFile.entrySet())
            {
                final S setting = byKey(settings, entry.getKey());
                if (null == setting)
                {
                    throw new ConfigException("unknown setting '" + entry.getKey() + "' in " + configFile);
                }
                values.put(setting, entry.getValue());
                sources.put(setting, "file " + configFile);
            }
        }

        for (final S setting : settings)
        {
            final String value = env.get(setting.envName());
            if (null != value)
            {
                values.put(setting, value);
                sources.put(setting, "env " + setting.envName());
            }
        }

        for (final Map.Entry<String, String> entry : flags.entrySet())
        {
            final S setting = byKey(settings, entry.getKey());
            if (null == setting)
            {
                throw new ConfigException("unknown setting '" + entry.getKey() + "' on the command line");
            }
            values.put(setting, entry.getValue());
            sources.put(setting, "flag");
        }
        return new LayeredSettings<>(settings, values, sources, Collections.unmodifiableMap(sections));
    }

    /**
     * @return the setting with that key, or null.
     */
    public static <S extends SettingKey> S byKey(final List<S> settings, final String key)
    {
        for (final S setting : settings)
        {
            if (setting.key().equals(key))
            {
                return setting;
            }
        }
        return null;
    }

    public String value(final S setting)
    {
        return values.get(setting);
    }

    public String source(final S setting)
    {
        return sources.get(setting);
    }

    /**
     * @return {@code 'value' from source} for error messages (a secret's value is not shown).
     */
    public String describe(final S setting)
    {
        return "'" + setting.shown(values.get(setting)) + "' from " + sources.get(setting);
    }

    /**
     * @return a refusal naming the setting, its value and its source.
     */
    public ConfigException invalid(final S setting, final String why)
    {
        return new ConfigException("invalid " + setting.key() + " = " + describe(setting) + ": " + why);
    }

    /**
     * @return the structured sections of the file by top-level key (YAML maps, lists and scalars).
     */
    public Map<String, Object> sections()
    {
        return sections;
    }

    /**
     * @param title the first line.
     * @return one line per setting: key, value (secrets masked) and source.
     */
    public String summary(final String title)
    {
        final StringBuilder sb = new StringBuilder(title).append('\n');
        for (final S setting : settings)
        {
            sb.append(String.format(Locale.ROOT, "  %-26s %-28s (%s)%n", setting.key(),
                setting.shown(values.get(setting)), sources.get(setting)));
        }
        for (final String section : sections.keySet())
        {
            sb.append(String.format(Locale.ROOT, "  %-26s %-28s (%s)%n", section, "<section>", "file"));
        }
        return sb.toString();
    }

    static Map<String, String> readFile(final Path file, final Set<String> sectionNames, final Map<String, Object> sections)
    {
        if (!Files.isRegularFile(file))
        {
            throw new ConfigException("configuration file not found: " + file);
        }
        final String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        final Map<String, String> flat = new LinkedHashMap<>();
        try
        {
            if (name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json"))
            {
                try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8))
                {
                    final Object root = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
                    if (null == root)
                    {
                        return flat;
                    }
                    if (!(root instanceof Map))
                    {
                        throw new ConfigException("configuration file " + file + " must hold a mapping of settings");
                    }
                    for (final Map.Entry<?, ?> entry : ((Map<?, ?>)root).entrySet())
                    {
                        final String key = String.valueOf(entry.getKey());
                        if (sectionNames.contains(key))
                        {
                            sections.put(key, entry.getValue());
                        }
                        else
                        {
                            flatten(key, entry.getValue(), flat, file);
                        }
                    }
                }
            }
            else if (name.endsWith(".properties"))
            {
                final Properties properties = new Properties();
                try (InputStream in = Files.newInputStream(file))
                {
                    properties.load(new InputStreamReader(in, StandardCharsets.UTF_8));
                }
                for (final String key : properties.stringPropertyNames())
                {
                    flat.put(key.trim(), properties.getProperty(key).trim());
                }
            }
            else
            {
                throw new ConfigException("configuration file " + file + " must end in .yaml, .yml, .json or .properties");
            }
        }
        catch (final IOException ex)
        {
            throw new ConfigException("cannot read configuration file " + file + ": " + ex.getMessage(), ex);
        }
        catch (final org.yaml.snakeyaml.error.YAMLException ex)
        {
            throw new ConfigException("configuration file " + file + " is not valid YAML: " + ex.getMessage(), ex);
        }
        return flat;
    }

    private static void flatten(final String key, final Object value, final Map<String, String> out, final Path file)
    {
        if (value instanceof Map)
        {
            for (final Map.Entry<?, ?> entry : ((Map<?, ?>)value).entrySet())
            {
                flatten(key + "." + entry.getKey(), entry.getValue(), out, file);
            }
        }
        else if (value instanceof List)
        {
            throw new ConfigException("setting '" + key + "' in " + file + " must be a single value, not a list");
        }
        else
        {
            out.put(key, null == value ? "" : String.valueOf(value));
        }
    }
}
