package io.tapswitch.bench.jmh;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;

/**
 * CPU time of the calling thread, for benchmarks on a shared machine: the CPU nanoseconds a benchmark thread spent per
 * operation exclude the time it waited for a core, which the wall-clock score includes. Static helpers; thread-safe.
 */
final class ThreadCpu
{
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private ThreadCpu()
    {
    }

    /**
     * @return CPU time (user + system) of the calling thread in nanoseconds.
     */
    static long nowNs()
    {
        return THREADS.getCurrentThreadCpuTime();
    }

    /**
     * Prints {@code [cpu] N ops, X ns CPU per op} into the JMH log of the fork.
     */
    static void report(final long startNs, final long operations)
    {
        if (operations > 0)
        {
            System.out.printf(Locale.ROOT, "%n[cpu] %d ops, %.1f ns CPU per op on the benchmark thread%n", operations,
                (double)(nowNs() - startNs) / operations);
        }
    }
}
