package io.tapswitch.bench.jmh;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.tapswitch.bench.fixture.CardOrder;
import io.tapswitch.bench.fixture.DemoFixture;
import io.tapswitch.protocol.FrameHeader;
import io.tapswitch.protocol.Messages;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.protocol.TapEncoder;
import io.tapswitch.formats.demo.DemoDataset;
import io.tapswitch.switching.engine.Engine;
import io.tapswitch.switching.engine.EngineConfig;
import io.tapswitch.switching.journal.JournalPretoucher;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * The engine's TAP decision through the public {@link Engine#onRequest} on the demo dataset with {@code cards} cards
 * (10 million by default), random card access: the approve path and every decline path, in the order of PROTOCOL.md
 * rule 1. Each operation decides one TAP and appends its record to the Chronicle Queue journal before returning (the
 * engine has no journal-off mode; {@link JournalBenchmark} measures the append alone in the same run).
 * <p>
 * State: the demo fixture (provisioned once through the command path, snapshotted) is copied into a temp directory
 * per fork and opened from its snapshot ({@code @Setup(Level.Trial)}, one fork), with the idempotency table pre-sized
 * to its largest. Every benchmark counts the reasons
 * it got and fails at tear-down unless at least 99 % are the path it claims to measure.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms6g", "-Xmx6g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class EngineDecisionBenchmark
{
    private static final long UNKNOWN_CARD_BASE = 5_000_000_000L;
    /** Requests decided per batch in {@link #approveWarmed}, as the switch's engine thread takes them from its ring. */
    static final int BATCH = 64;
    private static final int REASON_OFFSET = FrameHeader.BODY_OFFSET + Messages.TapResult.REASON_OFFSET;

    @Param({"10000000"})
    public int cards;

    /** Journal pages faulted in ahead of the engine thread by the switch's pretouch thread (its default). */
    @Param({"true"})
    public boolean journalPretouch;

    Path dataDir;
    Engine engine;
    CardOrder order;
    final SplittableRandom random = new SplittableRandom(42);
    final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(TapEncoder.FRAME_LENGTH));
    final UnsafeBuffer out = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
    final TapEncoder encoder = new TapEncoder();
    final UnsafeBuffer frames = new UnsafeBuffer(ByteBuffer.allocateDirect(BATCH * TapEncoder.FRAME_LENGTH));
    final TapEncoder batchEncoder = new TapEncoder();
    final long[] batchNowMs = new long[BATCH];
    final long[] reasons = new long[ReasonCode.COUNT];
    int expectedReason = -1;
    long nowMs = DemoFixture.BASE_TIME_MS;
    int correlation = 1;
    int hundreds;
    long appendNs;
    long appends;
    long decisions;
    long decisionsAtStart;
    long cpuStartNs;

    @Setup(Level.Trial)
    public void setup(final BenchmarkParams params)
    {
        dataDir = DemoFixture.copy(cards, 0);
        // The idempotency table pre-sized to its largest (8 M results), as a switch sized for a busy day would be:
        // otherwise its doublings (a copy of up to 800 MB) land inside the measurement.
        final EngineConfig config = DemoFixture.engineConfig(dataDir, cards)
            .idempotencyCapacity(EngineConfig.DEFAULT_IDEMPOTENCY_MAX_CAPACITY)
            .journalPretouchBytes(journalPretouch ? JournalPretoucher.DEFAULT_AHEAD_BYTES : 0);
        if (params.getBenchmark().endsWith(".approveTimingTheJournal"))
        {
            // As the switch runs it: the metrics layer times every append (two nanoTime calls per decision).
            config.journalAppendObserver(this::onAppend);
        }
        engine = Engine.open(config);
        order = new CardOrder(cards);
        hundreds = cards / 100;
        encoder.wrap(frame, 0).programId(0).quantity(1).flags(0).terminalTimeMs(nowMs);
    }

    private void onAppend(final long durationNs, final int lengthBytes)
    {
        appendNs += durationNs;
        appends++;
    }

    @Setup(Level.Iteration)
    public void startIteration()
    {
        cpuStartNs = ThreadCpu.nowNs();
        decisionsAtStart = decisions;
    }

    @TearDown(Level.Iteration)
    public void reportIteration()
    {
        // Printed into the JMH log. CPU time of the benchmark thread per decision does not count the time the thread
        // waited for a core, so it stays meaningful on a loaded machine where the wall-clock score does not.
        ThreadCpu.report(cpuStartNs, decisions - decisionsAtStart);
        if (appends > 0)
        {
            // The part of each decision spent in the journal append, same fork, same run.
            System.out.printf(Locale.ROOT, "[journal] %d appends, mean %.1f ns per append%n", appends,
                (double)appendNs / appends);
            appendNs = 0;
            appends = 0;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        // Not closed: close() writes a snapshot of every table (seconds for 10 M cards) that nothing reads; the fork
        // exits right after, and its files are deleted (unlinked while mapped, which Linux allows).
        DemoFixture.deleteTree(dataDir);
        long total = 0;
        for (final long count : reasons)
        {
            total += count;
        }
        if (expectedReason >= 0 && reasons[expectedReason] < total * 0.99)
        {
            throw new IllegalStateException("measured the wrong path: expected " + ReasonCode.name(expectedReason) +
                " but got " + java.util.Arrays.toString(reasons));
        }
    }

    /** Cards that already had their lunch today at the canteen (QUOTA_EXHAUSTED on the next tap). */
    @State(Scope.Benchmark)
    public static class Exhausted
    {
        long[] cardIds;

        @Setup(Level.Trial)
        public void setup(final EngineDecisionBenchmark s)
        {
            final int count = (int)Math.min(2_000_000, s.order.usable());
            cardIds = new long[count];
            for (int i = 0; i < count; i++)
            {
                s.order.next();
                cardIds[i] = s.order.cardId();
                s.decide(DemoFixture.CANTEEN_TERMINAL, cardIds[i], 0, 1);
            }
            java.util.Arrays.fill(s.reasons, 0);
        }
    }

    long decide(final long terminalId, final long cardId, final int programId, final int quantity)
    {
        encoder.correlation(correlation++).cardId(cardId).programId(programId).quantity(quantity);
        engine.onRequest(nowMs, terminalId, frame, 0, out, 0);
        decisions++;
        reasons[out.getByte(REASON_OFFSET)]++;
        return out.getLong(FrameHeader.BODY_OFFSET + Messages.TapResult.RECEIPT_OFFSET);
    }

    /** A card id ending in {@code suffix} (01..99, 00 as 100) picked at random over the whole table. */
    long randomCard(final int suffixOffset)
    {
        return DemoDataset.FIRST_CARD_ID + 100L * random.nextInt(hundreds) + suffixOffset;
    }

    long randomActiveCard()
    {
        return DemoDataset.FIRST_CARD_ID + 100L * random.nextInt(hundreds) + random.nextInt(96);
    }

    /** APPROVED: school lunch at a canteen, each active card once per day, in pseudo-random order. */
    @Benchmark
    public long approve()
    {
        expectedReason = ReasonCode.OK;
        if (order.next())
        {
            nowMs += DemoFixture.DAY_MS;
            encoder.terminalTimeMs(nowMs);
        }
        return decide(DemoFixture.CANTEEN_TERMINAL, order.cardId(), 0, 1);
    }

    /**
     * {@link #approve} as the switch's engine thread runs it: a batch of {@value #BATCH} TAPs staged with
     * {@link Engine#prepare} and {@link Engine#warm()} (the cache misses of the batch overlap), then decided one by
     * one inside one journal batch (their records written as one excerpt at {@link Engine#flushJournal()}). Same
     * cards, same order, same results; the score is per decision.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long approveWarmed()
    {
        expectedReason = ReasonCode.OK;
        for (int j = 0; j < BATCH; j++)
        {
            if (order.next())
            {
                nowMs += DemoFixture.DAY_MS;
            }
            final int offset = j * TapEncoder.FRAME_LENGTH;
            batchEncoder.wrap(frames, offset).correlation(correlation++).cardId(order.cardId()).programId(0)
                .quantity(1).flags(0).terminalTimeMs(nowMs);
            batchNowMs[j] = nowMs;
            engine.prepare(DemoFixture.CANTEEN_TERMINAL, frames, offset);
        }
        engine.warm();
        engine.beginJournalBatch();
        long receipts = 0;
        for (int j = 0; j < BATCH; j++)
        {
            engine.onRequest(batchNowMs[j], DemoFixture.CANTEEN_TERMINAL, frames, j * TapEncoder.FRAME_LENGTH, out, 0);
            decisions++;
            reasons[out.getByte(REASON_OFFSET)]++;
            receipts += out.getLong(FrameHeader.BODY_OFFSET + Messages.TapResult.RECEIPT_OFFSET);
        }
        engine.flushJournal();
        return receipts;
    }

    /**
     * {@link #approve} with the engine's journal append observer timing every append, as the switch's metrics do: the
     * log shows the mean append time per iteration, so the decision without the journal is this score's time per
     * operation minus the append, measured in the same fork.
     */
    @Benchmark
    public long approveTimingTheJournal()
    {
        return approve();
    }

    @Benchmark
    public long declineInvalidRequest()
    {
        expectedReason = ReasonCode.INVALID_REQUEST;
        return decide(DemoFixture.CANTEEN_TERMINAL, randomActiveCard(), 0, 0);
    }

    @Benchmark
    public long declineUnknownCard()
    {
        expectedReason = ReasonCode.UNKNOWN_CARD;
        return decide(DemoFixture.CANTEEN_TERMINAL, UNKNOWN_CARD_BASE + random.nextInt(Integer.MAX_VALUE), 0, 1);
    }

    /** Card ids ending in 99 are BLOCKED. */
    @Benchmark
    public long declineCardBlocked()
    {
        expectedReason = ReasonCode.CARD_BLOCKED;
        return decide(DemoFixture.CANTEEN_TERMINAL, randomCard(98), 0, 1);
    }

    /** Card ids ending in 98 are EXPIRED. */
    @Benchmark
    public long declineCardExpired()
    {
        expectedReason = ReasonCode.CARD_EXPIRED;
        return decide(DemoFixture.CANTEEN_TERMINAL, randomCard(97), 0, 1);
    }

    /** Food kit (program 1, aid outlets 1-5) asked at a canteen. */
    @Benchmark
    public long declineOutletNotAllowed()
    {
        expectedReason = ReasonCode.OUTLET_NOT_ALLOWED;
        return decide(DemoFixture.CANTEEN_TERMINAL, randomActiveCard(), DemoDataset.PROGRAM_FOOD_KIT, 1);
    }

    /** Card ids ending in 97 are enrolled in nothing. */
    @Benchmark
    public long declineNoEntitlement()
    {
        expectedReason = ReasonCode.NO_ENTITLEMENT;
        return decide(DemoFixture.CANTEEN_TERMINAL, randomCard(96), 0, 1);
    }

    /** Winter kit (program 5) ran from 2020-01-01 to 2020-03-31. */
    @Benchmark
    public long declineOutsideWindow()
    {
        expectedReason = ReasonCode.OUTSIDE_WINDOW;
        return decide(DemoFixture.AID_TERMINAL, randomActiveCard(), DemoDataset.PROGRAM_WINTER_KIT, 1);
    }

    /** School lunch again for a card that already had it today (2 million such cards, picked at random). */
    @Benchmark
    public long declineQuotaExhausted(final Exhausted exhausted)
    {
        expectedReason = ReasonCode.QUOTA_EXHAUSTED;
        return decide(DemoFixture.CANTEEN_TERMINAL, exhausted.cardIds[random.nextInt(exhausted.cardIds.length)], 0, 1);
    }
}
