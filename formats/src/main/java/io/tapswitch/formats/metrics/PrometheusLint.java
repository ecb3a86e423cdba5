package io.tapswitch.formats.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;

/**
 * Keeps Micrometer's stock binders within Prometheus naming rules, so that {@code promtool check metrics} passes on
 * the scraped text: {@code process.cpu.time} (exported in nanoseconds as {@code process_cpu_time_ns_total}, an
 * abbreviated unit) is dropped — {@code process_cpu_usage} remains — and the gauge {@code system.cpu.count}
 * (a non-histogram ending in {@code _count}) is exported as {@code system_cpu_available}.
 * Used by the switch and the admin service.
 */
public final class PrometheusLint
{
    private PrometheusLint()
    {
    }

    /**
     * Adds the filters to a registry; call it before any meter is registered.
     *
     * @param registry the registry.
     * @return the registry.
     */
    public static <R extends MeterRegistry> R apply(final R registry)
    {
        registry.config()
            .meterFilter(MeterFilter.denyNameStartsWith("process.cpu.time"))
            .meterFilter(new MeterFilter()
            {
                @Override
                public Meter.Id map(final Meter.Id id)
                {
                    return "system.cpu.count".equals(id.getName()) ? id.withName("system.cpu.available") : id;
                }
            });
        return registry;
    }
}
