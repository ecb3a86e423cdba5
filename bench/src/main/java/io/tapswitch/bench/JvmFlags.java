package io.tapswitch.bench;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The JVM flags every JVM that opens a Chronicle Queue needs (root pom property {@code tapswitch.jvm.flags},
 * filtered into {@code jvm-flags.properties} at build time): forked JMH JVMs and a switch started as a child
 * process get exactly these. Thread-safe (immutable after class initialisation).
 */
public final class JvmFlags
{
    private static final String RESOURCE = "jvm-flags.properties";
    private static final String KEY = "tapswitch.jvm.flags";
    private static final List<String> FLAGS = load();

    private JvmFlags()
    {
    }

    /**
     * @return the flags, one element per flag, in the pom's order.
     */
    public static List<String> flags()
    {
        return FLAGS;
    }

    /**
     * @return the flags as an array (a new one per call).
     */
    public static String[] asArray()
    {
        return FLAGS.toArray(new String[0]);
    }

    private static List<String> load()
    {
        try (InputStream in = JvmFlags.class.getResourceAsStream(RESOURCE))
        {
            if (null == in)
            {
                throw new IllegalStateException("missing resource " + RESOURCE + ": build the bench module with Maven");
            }
            final Properties properties = new Properties();
            properties.load(in);
            final String value = properties.getProperty(KEY, "").trim();
            if (value.isEmpty() || value.contains("${"))
            {
                throw new IllegalStateException(RESOURCE + " was not filtered: " + KEY + "=" + value);
            }
            final List<String> flags = new ArrayList<>();
            for (final String flag : value.split("\\s+"))
            {
                flags.add(flag);
            }
            return List.copyOf(flags);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot read " + RESOURCE, ex);
        }
    }
}
