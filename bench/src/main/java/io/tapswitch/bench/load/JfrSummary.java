package io.tapswitch.bench.load;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the time goes in a JFR recording of the switch under load: the hottest top frames of the execution samples
 * (per thread and overall), the bytes allocated per thread over the recording (from
 * {@code jdk.ThreadAllocationStatistics})
 * and per request, and the GC pauses. Reads the file once; not thread-safe.
 */
public final class JfrSummary
{
    private static final int TOP = 15;

    private final Map<String, Long> topFrames = new HashMap<>();
    private final Map<String, Long> topFramesByThread = new HashMap<>();
    private final Map<String, Long> firstAllocated = new HashMap<>();
    private final Map<String, Long> lastAllocated = new HashMap<>();
    private final Map<String, Long> allocationSampleWeight = new HashMap<>();
    private final Map<String, Long> nativeFrames = new HashMap<>();
    private final Map<String, double[]> threadCpu = new HashMap<>();
    private long samples;
    private long nativeSamples;
    private long gcCount;
    private double gcPauseTotalMs;
    private double gcPauseMaxMs;
    private double recordingSeconds;

    /**
     * @param file a JFR recording.
     * @return its summary.
     */
    public static JfrSummary read(final Path file) throws IOException
    {
        final JfrSummary summary = new JfrSummary();
        long firstNs = Long.MAX_VALUE;
        long lastNs = Long.MIN_VALUE;
        try (RecordingFile recording = new RecordingFile(file))
        {
            while (recording.hasMoreEvents())
            {
                final RecordedEvent event = recording.readEvent();
                final long t = event.getStartTime().toEpochMilli() * 1_000_000L;
                firstNs = Math.min(firstNs, t);
                lastNs = Math.max(lastNs, t);
                summary.accept(event);
            }
        }
        summary.recordingSeconds = (lastNs - firstNs) / 1e9;
        return summary;
    }

    private void accept(final RecordedEvent event)
    {
        switch (event.getEventType().getName())
        {
            case "jdk.ExecutionSample":
            {
                samples++;
                final String frame = topFrame(event.getStackTrace());
                final String thread = threadName(event.getThread("sampledThread"));
                topFrames.merge(frame, 1L, Long::sum);
                topFramesByThread.merge(thread + " | " + frame, 1L, Long::sum);
                break;
            }
            case "jdk.NativeMethodSample":
            {
                nativeSamples++;
                final String thread = threadName(event.getThread("sampledThread"));
                nativeFrames.merge(thread + " | " + topFrame(event.getStackTrace()), 1L, Long::sum);
                break;
            }
            case "jdk.ThreadCPULoad":
            {
                final String thread = threadName(event.getThread("eventThread"));
                final double[] sums = threadCpu.computeIfAbsent(thread, (k) -> new double[3]);
                sums[0] += event.getFloat("user");
                sums[1] += event.getFloat("system");
                sums[2]++;
                break;
            }
            case "jdk.ThreadAllocationStatistics":
            {
                final String thread = threadName(event.getThread("thread"));
                final long allocated = event.getLong("allocated");
                firstAllocated.putIfAbsent(thread, allocated);
                lastAllocated.put(thread, allocated);
                break;
            }
            case "jdk.ObjectAllocationSample":
            {
                final String key = threadName(event.getThread("eventThread")) + " | " +
                    event.getClass("objectClass").getName() + " | " + topFrame(event.getStackTrace());
                allocationSampleWeight.merge(key, event.getLong("weight"), Long::sum);
                break;
            }
            case "jdk.GarbageCollection":
            {
                gcCount++;
                final double pauseMs = event.getDuration("sumOfPauses").toNanos() / 1e6;
                gcPauseTotalMs += pauseMs;
                gcPauseMaxMs = Math.max(gcPauseMaxMs, event.getDuration("longestPause").toNanos() / 1e6);
                break;
            }
            default:
                break;
        }
    }

    private static String topFrame(final RecordedStackTrace stack)
    {
        if (null == stack || stack.getFrames().isEmpty())
        {
            return "<no stack>";
        }
        final RecordedFrame frame = stack.getFrames().get(0);
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }

    private static String threadName(final RecordedThread thread)
    {
        if (null == thread)
        {
            return "<unknown>";
        }
        final String name = null == thread.getJavaName() ? thread.getOSName() : thread.getJavaName();
        // Netty numbers its event loop threads; group them.
        return name.replaceAll("-\\d+-\\d+$", "-N").replaceAll("-\\d+$", "-N");
    }

    /**
     * @param requests requests answered while recording, for the per-request allocation.
     * @return the summary as Markdown.
     */
    public String markdown(final long requests)
    {
        final StringBuilder sb = new StringBuilder(4096);
        sb.append(String.format(Locale.ROOT, "JFR recording of %.1f s: %d execution samples (Java code), %d native " +
            "samples, %d GCs, GC pauses total %.1f ms, longest %.2f ms.%n%n", recordingSeconds, samples, nativeSamples,
            gcCount, gcPauseTotalMs, gcPauseMaxMs));
        sb.append("Top frames (all threads):\n\n| samples | % | method |\n|---:|---:|---|\n");
        for (final Map.Entry<String, Long> e : top(topFrames))
        {
            sb.append(String.format(Locale.ROOT, "| %d | %.1f | `%s` |%n", e.getValue(),
                100.0 * e.getValue() / Math.max(1, samples), e.getKey()));
        }
        sb.append("\nTop frames by thread:\n\n| samples | % | thread | method |\n|---:|---:|---|---|\n");
        for (final Map.Entry<String, Long> e : top(topFramesByThread))
        {
            final String[] parts = e.getKey().split(" \\| ", 2);
            sb.append(String.format(Locale.ROOT, "| %d | %.1f | %s | `%s` |%n", e.getValue(),
                100.0 * e.getValue() / Math.max(1, samples), parts[0], parts[1]));
        }
        sb.append("\nThreads waiting in native code (jdk.NativeMethodSample: epoll, futex, I/O):\n\n" +
            "| samples | thread | native method |\n|---:|---|---|\n");
        for (final Map.Entry<String, Long> e : top(nativeFrames))
        {
            final String[] parts = e.getKey().split(" \\| ", 2);
            sb.append(String.format(Locale.ROOT, "| %d | %s | `%s` |%n", e.getValue(), parts[0], parts[1]));
        }
        sb.append("\nCPU per thread (jdk.ThreadCPULoad, average share of the machine, user + system):\n\n" +
            "| thread | user % | system % |\n|---|---:|---:|\n");
        final List<Map.Entry<String, double[]>> cpu = new ArrayList<>(threadCpu.entrySet());
        cpu.sort((a, b) -> Double.compare((b.getValue()[0] + b.getValue()[1]) / b.getValue()[2],
            (a.getValue()[0] + a.getValue()[1]) / a.getValue()[2]));
        for (final Map.Entry<String, double[]> e : cpu.subList(0, Math.min(TOP, cpu.size())))
        {
            final double[] v = e.getValue();
            sb.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f |%n", e.getKey(), 100 * v[0] / v[2],
                100 * v[1] / v[2]));
        }
        sb.append("\nBytes allocated per thread during the recording (jdk.ThreadAllocationStatistics):\n\n" +
            "| thread | bytes | bytes per request |\n|---|---:|---:|\n");
        long total = 0;
        final Map<String, Long> perThread = new HashMap<>();
        for (final Map.Entry<String, Long> e : lastAllocated.entrySet())
        {
            final long delta = e.getValue() - firstAllocated.get(e.getKey());
            perThread.merge(e.getKey(), delta, Long::sum);
        }
        for (final Map.Entry<String, Long> e : top(perThread))
        {
            total += e.getValue();
            sb.append(String.format(Locale.ROOT, "| %s | %d | %.2f |%n", e.getKey(), e.getValue(),
                (double)e.getValue() / Math.max(1, requests)));
        }
        sb.append(String.format(Locale.ROOT, "| **all threads** | %d | **%.2f** |%n", total,
            (double)total / Math.max(1, requests)));
        sb.append("\nLargest allocation sites (jdk.ObjectAllocationSample weight):\n\n" +
            "| bytes (sampled weight) | thread | class | allocating method |\n|---:|---|---|---|\n");
        for (final Map.Entry<String, Long> e : top(allocationSampleWeight))
        {
            final String[] parts = e.getKey().split(" \\| ", 3);
            sb.append(String.format(Locale.ROOT, "| %d | %s | `%s` | `%s` |%n", e.getValue(), parts[0], parts[1],
                parts[2]));
        }
        return sb.toString();
    }

    private static List<Map.Entry<String, Long>> top(final Map<String, Long> counts)
    {
        final List<Map.Entry<String, Long>> entries = new ArrayList<>(counts.entrySet());
        entries.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
        return entries.subList(0, Math.min(TOP, entries.size()));
    }
}
