package io.tapswitch.switching.engine;

import java.util.SplittableRandom;

/**
 * A measurement, not a test: the longest single {@link IdempotencyTable#add} while 6 M results are added to a table
 * that starts at the default 65,536 and grows to its default largest size, three runs in one JVM (BENCHMARKS.md,
 * issue 14). Run after {@code mvn -o -q -pl switch -am test-compile}:
 * <pre>
 * java -Xmx4g -cp switch/target/classes:switch/target/test-classes \
 *     io.tapswitch.switching.engine.IdempotencyGrowthProbe
 * </pre>
 */
public final class IdempotencyGrowthProbe
{
    private IdempotencyGrowthProbe()
    {
    }

    public static void main(final String[] args)
    {
        final int results = args.length > 0 ? Integer.parseInt(args[0]) : 6_000_000;
        for (int run = 0; run < 3; run++)
        {
            final IdempotencyTable table = new IdempotencyTable(EngineConfig.DEFAULT_IDEMPOTENCY_CAPACITY,
                EngineConfig.DEFAULT_IDEMPOTENCY_MAX_CAPACITY);
            final SplittableRandom random = new SplittableRandom(1);
            long maxNs = 0;
            long maxAt = 0;
            int over5ms = 0;
            final long startNs = System.nanoTime();
            for (int i = 0; i < results; i++)
            {
                final long key = IdempotencyTable.key(random.nextInt(2_000), i);
                final long beforeNs = System.nanoTime();
                table.add(key, i, i, IdempotencyTable.TYPE_TAP, i, i, i, 1, 0, 1, 1, 1, 1, 1);
                final long tookNs = System.nanoTime() - beforeNs;
                over5ms += tookNs > 5_000_000 ? 1 : 0;
                if (tookNs > maxNs)
                {
                    maxNs = tookNs;
                    maxAt = i;
                }
                if (table.find(key, -1) < 0)
                {
                    throw new AssertionError("result " + i + " not found");
                }
            }
            System.out.printf("run %d: %,d results, longest add %,d us (at result %,d), adds over 5 ms %d, total %,d ms%n",
                run, results, maxNs / 1_000, maxAt, over5ms, (System.nanoTime() - startNs) / 1_000_000);
        }
    }
}
