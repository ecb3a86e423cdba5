package io.tapswitch.switching.metrics;

import io.micrometer.core.instrument.Meter;
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
     * @return the filters to add to a registry before any binder is bound to it.
     */
    public static MeterFilter[] filters()
    {
        return new MeterFilter[]
        {
            MeterFilter.denyNameStartsWith("process.cpu.time"),
            new MeterFilter()
            {
                @Override
                public Meter.Id map(final Meter.Id id)
                {
                    return "system.cpu.count".equals(id.getName()) ? id.withName("system.cpu.available") : id;
                }
            }
        };
    }
}
