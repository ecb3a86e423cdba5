package io.tapswitch.switching.engine;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.SplittableRandom;

import io.tapswitch.protocol.FrameHeader;
import io.tapswitch.protocol.MessageType;
import io.tapswitch.protocol.Messages;
import io.tapswitch.formats.command.CommandPublisher;
import io.tapswitch.formats.demo.DemoDataset;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Measures (never asserts) provisioning, memory, decision rate, snapshot and recovery for a demo dataset of N cards.
 * Run by hand, not by the test suite:
 * <pre>
 *   java $(tapswitch.jvm.flags) -Xmx6g -cp switch/target/classes:switch/target/test-classes:$(deps) \
 *       io.tapswitch.switching.engine.EngineMeasure [cards=10000000] [taps=5000000] [dataDir]
 * </pre>
 */
public final class EngineMeasure
{
    /** Preallocated at its largest, so the measured loop shows steady-state allocation (no ring growth). */
    private static final int IDEMPOTENCY = 1 << 23;
    private static final com.sun.management.ThreadMXBean ALLOCATIONS =
        (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();

    private EngineMeasure()
    {
    }

    private static long usedHeapBytes()
    {
        final Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 3; i++)
        {
            System.gc();
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }

    /**
     * @return heap held by an engine with empty tables (idempotency and nonce rings, buffers), measured on a
     * throw-away engine that is unreachable when this returns.
     */
    private static long emptyEngineBytes(final long baseHeap) throws IOException
    {
        final Path emptyDir = Files.createTempDirectory("tapswitch-measure-empty");
        try (Engine empty = Engine.open(new EngineConfig().dataDir(emptyDir).snapshotIntervalMs(0).cardCapacity(16)
            .holderCapacity(16).householdCapacity(16).idempotencyCapacity(IDEMPOTENCY)
            .idempotencyMaxCapacity(IDEMPOTENCY)))
        {
            return usedHeapBytes() - baseHeap - empty.lastSequence();
        }
    }

    public static void main(final String[] args) throws IOException
    {
        final int cards = args.length > 0 ? Integer.parseInt(args[0]) : 10_000_000;
        final int taps = args.length > 1 ? Integer.parseInt(args[1]) : 5_000_000;
        final Path dataDir = args.length > 2 ? Paths.get(args[2]) : Files.createTempDirectory("tapswitch-measure");
        final int terminals = 2_000;
        System.out.printf("cards=%,d taps=%,d dataDir=%s%n", cards, taps, dataDir);

        long start = System.nanoTime();
        final int commands;
        try (CommandPublisher publisher = new CommandPublisher(dataDir))
        {
            commands = DemoDataset.publish(publisher, cards, terminals);
        }
        System.out.printf("publish: %,d commands in %.1f s%n", commands, (System.nanoTime() - start) / 1e9);

        final long baseHeap = usedHeapBytes();
        final long ringsBytes = emptyEngineBytes(baseHeap);
        final EngineConfig config = new EngineConfig().dataDir(dataDir).snapshotIntervalMs(0)
            .cardCapacity(cards).holderCapacity(cards).householdCapacity(cards / 3 + 1)
            .idempotencyCapacity(IDEMPOTENCY).idempotencyMaxCapacity(IDEMPOTENCY);
        start = System.nanoTime();
        Engine engine = Engine.open(config);
        final long emptyHeap = usedHeapBytes();
        start = System.nanoTime();
        final long now0 = Harness.kyiv(2026, 11, 23, 8, 0);
        int applied = 0;
        int n;
        while ((n = engine.pollCommands(now0, 1_000)) > 0)
        {
            applied += n;
        }
        final double applySeconds = (System.nanoTime() - start) / 1e9;
        final long fullHeap = usedHeapBytes();
        System.out.printf("apply: %,d commands (%,d cards) in %.1f s = %,.0f cards/s%n", applied,
            engine.counters().cards(), applySeconds, cards / applySeconds);
        System.out.printf("heap: base %,d MB, engine with empty tables %,d MB of which idempotency/nonce rings " +
            "and buffers %,d MB, with %,d cards %,d MB -> %.1f bytes per card (cards + holders + households + " +
            "usage of 5 programs)%n", baseHeap >> 20, emptyHeap >> 20, ringsBytes >> 20, cards, fullHeap >> 20,
            (fullHeap - baseHeap - ringsBytes) / (double)cards);

        final UnsafeBuffer frame = new UnsafeBuffer(new byte[64]);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[FrameHeader.MAX_FRAME_BYTES]);
        final SplittableRandom random = new SplittableRandom(42);
        final ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        frame.putShort(0, (short)FrameHeader.lengthFieldFor(Messages.Tap.BODY_LENGTH), le);
        frame.putByte(FrameHeader.VERSION_OFFSET, (byte)1);
        frame.putByte(FrameHeader.TYPE_OFFSET, (byte)MessageType.TAP);
        final int[] approved = new int[3];
        for (int round = 0; round < 2; round++)
        {
            final int count = round == 0 ? Math.min(taps, 500_000) : taps;
            final long allocatedBefore = ALLOCATIONS.getCurrentThreadAllocatedBytes();
            start = System.nanoTime();
            long nowMs = now0 + round * 3_600_000L;
            for (int i = 0; i < count; i++)
            {
                if ((i & 127) == 0)
                {
                    nowMs++;
                }
                final long terminal = 1 + random.nextInt(terminals);
                frame.putInt(FrameHeader.CORRELATION_OFFSET, i + round * 100_000_000, le);
                frame.putLong(8 + Messages.Tap.CARD_ID_OFFSET, DemoDataset.FIRST_CARD_ID + random.nextInt(cards), le);
                frame.putInt(8 + Messages.Tap.PROGRAM_ID_OFFSET, random.nextInt(6), le);
                frame.putShort(8 + Messages.Tap.QUANTITY_OFFSET, (short)1, le);
                frame.putShort(8 + Messages.Tap.FLAGS_OFFSET, (short)0, le);
                frame.putLong(8 + Messages.Tap.TERMINAL_TIME_MS_OFFSET, nowMs, le);
                engine.onRequest(nowMs, terminal, frame, 0, out, 0);
                approved[out.getByte(8)]++;
            }
            final double seconds = (System.nanoTime() - start) / 1e9;
            final long allocated = ALLOCATIONS.getCurrentThreadAllocatedBytes() - allocatedBefore;
            System.out.printf("%s: %,d taps in %.2f s = %,.0f decisions/s (journaled), %.2f us/decision, " +
                "%,d bytes allocated on the engine thread (%.3f per decision)%n",
                round == 0 ? "warm-up" : "measured", count, seconds, count / seconds, seconds * 1e6 / count,
                allocated, allocated / (double)count);
        }
        System.out.printf("approved=%,d declined=%,d%n", approved[0], approved[1]);

        start = System.nanoTime();
        engine.snapshot();
        System.out.printf("snapshot: %,d MB in %.1f s%n", engine.counters().snapshotBytes() >> 20,
            (System.nanoTime() - start) / 1e9);
        final TableDigest digest = engine.digest();
        engine.close();

        start = System.nanoTime();
        engine = Engine.open(config);
        System.out.printf("restart from snapshot: %.1f s, digest equal: %s%n", (System.nanoTime() - start) / 1e9,
            engine.digest().equals(digest));
        engine.close();
        start = System.nanoTime();
        engine = Engine.open(new EngineConfig().dataDir(dataDir).snapshotIntervalMs(0).loadSnapshot(false)
            .cardCapacity(cards).holderCapacity(cards).householdCapacity(cards / 3 + 1).idempotencyCapacity(IDEMPOTENCY)
            .idempotencyMaxCapacity(IDEMPOTENCY));
        final double replaySeconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("full replay: %,d records in %.1f s = %,.0f records/s, digest equal: %s%n",
            engine.replayedRecords(), replaySeconds, engine.replayedRecords() / replaySeconds,
            engine.digest().equals(digest));
        engine.close();
        try (var files = Files.walk(dataDir))
        {
            System.out.printf("data dir: %,d MB%n", files.filter(Files::isRegularFile).mapToLong(p ->
            {
                try
                {
                    return Files.size(p);
                }
                catch (final IOException ex)
                {
                    return 0;
                }
            }).sum() >> 20);
        }
    }
}
