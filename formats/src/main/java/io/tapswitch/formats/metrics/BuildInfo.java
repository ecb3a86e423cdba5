package io.tapswitch.formats.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;

/**
 * The release a process runs and the process meters both services export: {@code tapswitch_build_info{version,
 * java_version} 1}, {@code process_uptime_seconds}, {@code process_start_time_seconds},
 * {@code process_files_open_files} and {@code process_files_max_files}.
 */
public final class BuildInfo
{
    private static final String VERSION = readVersion();

    private BuildInfo()
    {
    }

    /**
     * @return the tapswitch version this build was made from (e.g. {@code 0.1.0-SNAPSHOT}).
     */
    public static String version()
    {
        return VERSION;
    }

    /**
     * Registers the build-info gauge and the uptime and open-files meters.
     *
     * @param registry the service's registry.
     */
    public static void bindProcessMeters(final MeterRegistry registry)
    {
        Gauge.builder("tapswitch.build.info", () -> 1)
            .description("the tapswitch release this process runs (value always 1)")
            .tag("version", VERSION)
            .tag("java_version", System.getProperty("java.version", "unknown"))
            .register(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    private static String readVersion()
    {
        try (InputStream in = BuildInfo.class.getResourceAsStream("/io/tapswitch/formats/build.properties"))
        {
            if (null == in)
            {
                return "unknown";
            }
            final Properties properties = new Properties();
            properties.load(in);
            final String version = properties.getProperty("version", "unknown");
            return version.startsWith("${") ? "unknown" : version;
        }
        catch (final IOException ex)
        {
            return "unknown";
        }
    }
}
