package io.tapswitch.bench.replay;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Locale;

import io.tapswitch.bench.fixture.DemoFixture;
import io.tapswitch.switching.engine.Engine;
import io.tapswitch.switching.engine.EngineConfig;
import io.tapswitch.switching.engine.ReplayProgress;

/**
 * The child JVM of {@code ./tapswitch bench replay}: either builds a demo fixture ({@code build CARDS TAPS}) or opens
 * an engine once on a data directory, as a restarting switch does, and prints what it measured on one line of
 * {@code key=value} pairs ({@code restart DATA_DIR CARDS LOAD_SNAPSHOT}). The engine is not closed (so the data
 * directory is left exactly as it was: no shutdown snapshot); the JVM exits.
 */
public final class RestartProbe
{
    static final String RESULT_PREFIX = "probe-result ";

    private RestartProbe()
    {
    }

    public static void main(final String[] args)
    {
        if (args.length == 3 && "build".equals(args[0]))
        {
            final Path dir = DemoFixture.master(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            System.out.println(RESULT_PREFIX + "fixture=" + dir + " " +
                DemoFixture.info(Integer.parseInt(args[1]), Integer.parseInt(args[2])).replace('\n', ' '));
            System.exit(0);
        }
        if (args.length == 2 && "memory".equals(args[0]))
        {
            memory(Integer.parseInt(args[1]));
        }
        if ((args.length != 4 && args.length != 5) || !"restart".equals(args[0]))
        {
            System.err.println("usage: RestartProbe build CARDS TAPS | restart DATA_DIR CARDS LOAD_SNAPSHOT [verify] | " +
                "memory CARDS");
            System.exit(2);
        }

        final Path dataDir = Path.of(args[1]);
        final int cards = Integer.parseInt(args[2]);
        final boolean loadSnapshot = Boolean.parseBoolean(args[3]);
        final long heapBefore = usedHeapAfterGc();
        final long directBefore = directBytes();
        final long startNs = System.nanoTime();
        final boolean verify = args.length == 5 && "verify".equals(args[4]);
        final ReplayProgress progress = new ReplayProgress();
        final ReplayCpu replayCpu = new ReplayCpu(Thread.currentThread(), progress);
        final Engine engine = Engine.open(DemoFixture.engineConfig(dataDir, cards).loadSnapshot(loadSnapshot)
            .replayVerify(verify).replayProgress(progress));
        final long openNs = System.nanoTime() - startNs;
        final long replayCpuNs = replayCpu.stop();
        final long heapAfter = usedHeapAfterGc();
        final long directAfter = directBytes();
        System.out.println(String.format(Locale.ROOT,
            RESULT_PREFIX + "openMs=%d replayMs=%d replayedRecords=%d replayMismatches=%d cards=%d entitlements=%d " +
            "holders=%d " +
            "lastSequence=%d heapBeforeBytes=%d heapAfterBytes=%d directBeforeBytes=%d directAfterBytes=%d " +
            "jvmUptimeMs=%d replayCpuMs=%d replayUserMs=%d",
            openNs / 1_000_000, engine.replayNanos() / 1_000_000, engine.replayedRecords(), engine.replayMismatches(), engine.counters().cards(),
            engine.counters().entitlements(), engine.counters().holders(), engine.lastSequence(), heapBefore,
            heapAfter, directBefore, directAfter, ManagementFactory.getRuntimeMXBean().getUptime(), replayCpuNs / 1_000_000,
            replayCpu.userNs() / 1_000_000));
        System.out.flush();
        // Keep the engine reachable until after the measurement above; exit without close (no shutdown snapshot).
        if (engine.lastSequence() < 0)
        {
            engine.close();
        }
        Runtime.getRuntime().halt(0);
    }

    /**
     * Memory of the cards and their entitlements alone: the engine opened from the snapshot of a fixture without
     * taps, with the idempotency table at its small default start size (what it holds grows with a day's taps, not
     * with the cards; the restart rows measure it).
     */
    private static void memory(final int cards)
    {
        final Path dataDir = DemoFixture.copy(cards, 0);
        final long heapBefore = usedHeapAfterGc();
        final long directBefore = directBytes();
        final Engine engine = Engine.open(DemoFixture.engineConfig(dataDir, cards)
            .idempotencyCapacity(EngineConfig.DEFAULT_IDEMPOTENCY_CAPACITY));
        final long heapAfter = usedHeapAfterGc();
        final long directAfter = directBytes();
        System.out.println(String.format(Locale.ROOT,
            RESULT_PREFIX + "cards=%d entitlements=%d heapBeforeBytes=%d heapAfterBytes=%d directBeforeBytes=%d " +
            "directAfterBytes=%d", engine.counters().cards(), engine.counters().entitlements(), heapBefore, heapAfter,
            directBefore, directAfter));
        System.out.flush();
        DemoFixture.deleteTree(dataDir);
        Runtime.getRuntime().halt(0);
    }

    static long usedHeapAfterGc()
    {
        final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++)
        {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    static long directBytes()
    {
        long total = 0;
        for (final BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class))
        {
            if ("direct".equals(pool.getName()))
            {
                total += pool.getMemoryUsed();
            }
        }
        return total;
    }

    /**
     * The CPU time the opening thread spent in the journal replay: read by a sampler thread (every 0.2 ms) when the
     * recovery's phase turns to replaying and when it is done. On a shared machine the replay's wall-clock time moves
     * by 3x with the load (BENCHMARKS.md, issue 14, fourth and fifth sessions); its CPU time is what the code costs.
     */
    static final class ReplayCpu
    {
        private final Thread sampler;
        private volatile boolean running = true;
        private volatile long startCpuNs = -1;
        private volatile long endCpuNs = -1;
        private volatile long startUserNs = -1;
        private volatile long endUserNs = -1;

        ReplayCpu(final Thread opener, final ReplayProgress progress)
        {
            final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            final long id = opener.getId();
            sampler = new Thread(() ->
            {
                while (running && endCpuNs < 0)
                {
                    final int phase = progress.phase();
                    if (startCpuNs < 0 && phase >= ReplayProgress.REPLAYING)
                    {
                        startUserNs = threads.getThreadUserTime(id);
                        startCpuNs = threads.getThreadCpuTime(id);
                    }
                    if (phase >= ReplayProgress.DONE)
                    {
                        endUserNs = threads.getThreadUserTime(id);
                        endCpuNs = threads.getThreadCpuTime(id);
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(200_000);
                }
            }, "replay-cpu-sampler");
            sampler.setDaemon(true);
            sampler.start();
        }

        /**
         * @return the opening thread's CPU time between the two phases, or -1 when not seen.
         */
        long stop()
        {
            try
            {
                sampler.join(1_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            running = false;
            return startCpuNs < 0 || endCpuNs < 0 ? -1 : endCpuNs - startCpuNs;
        }

        /**
         * @return of {@link #stop()}'s CPU time, the part in user mode (the rest is the kernel's: page faults on the
         * mapped journal, the heap's first touch), or -1 when not seen; after {@link #stop()}.
         */
        long userNs()
        {
            return startUserNs < 0 || endUserNs < 0 ? -1 : endUserNs - startUserNs;
        }
    }
}
