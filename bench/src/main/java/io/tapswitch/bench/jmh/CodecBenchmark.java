package io.tapswitch.bench.jmh;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import io.tapswitch.protocol.BalanceDecoder;
import io.tapswitch.protocol.BalanceEncoder;
import io.tapswitch.protocol.BalanceResultDecoder;
import io.tapswitch.protocol.BalanceResultEncoder;
import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.Direction;
import io.tapswitch.protocol.ErrorDecoder;
import io.tapswitch.protocol.ErrorEncoder;
import io.tapswitch.protocol.FrameHeader;
import io.tapswitch.protocol.FrameValidator;
import io.tapswitch.protocol.HeartbeatDecoder;
import io.tapswitch.protocol.HeartbeatEncoder;
import io.tapswitch.protocol.HeartbeatResultDecoder;
import io.tapswitch.protocol.HeartbeatResultEncoder;
import io.tapswitch.protocol.LogonDecoder;
import io.tapswitch.protocol.LogonEncoder;
import io.tapswitch.protocol.LogonMac;
import io.tapswitch.protocol.LogonResultDecoder;
import io.tapswitch.protocol.LogonResultEncoder;
import io.tapswitch.protocol.Messages;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.protocol.ReversalDecoder;
import io.tapswitch.protocol.ReversalEncoder;
import io.tapswitch.protocol.ReversalResultDecoder;
import io.tapswitch.protocol.ReversalResultEncoder;
import io.tapswitch.protocol.TapDecoder;
import io.tapswitch.protocol.TapEncoder;
import io.tapswitch.protocol.TapResultDecoder;
import io.tapswitch.protocol.TapResultEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encode and decode of every Tap Protocol v1 message with the protocol module's flyweights over a direct buffer
 * (as the switch uses them), TAP encode + decode together, the frame validator and the LOGON mac. Field values
 * change on every call so nothing folds to a constant; decoders return a fold of every field they read.
 * <p>
 * Baselines in the same run: {@link #baselineReturnCounter} (the harness cost) and {@link #baselineTapRawPuts}
 * (a hand-written TAP with raw little-endian puts and gets: what the flyweight should cost at best).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class CodecBenchmark
{
    private static final int FRAME_CAPACITY = FrameHeader.MAX_FRAME_BYTES;
    private static final int BALANCE_ENTRIES = 5;

    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(FRAME_CAPACITY));
    private final UnsafeBuffer logonFrame = new UnsafeBuffer(ByteBuffer.allocateDirect(FRAME_CAPACITY));
    private final UnsafeBuffer tapFrame = new UnsafeBuffer(ByteBuffer.allocateDirect(FRAME_CAPACITY));
    private final UnsafeBuffer logonResultFrame = new UnsafeBuffer(ByteBuffer.allocateDirect(FRAME_CAPACITY));
    private final UnsafeBuffer tapResultFrame = new UnsafeBuffer(ByteBuffer.allocateDirect(FRAME_CAPACITY));
    private final UnsafeBuffer reversalFrame = new UnsafeBuffer(ByteBuffer.allocateDirect(FRAME_CAPACITY));
    private final UnsafeBuffer reversalResultFrame = new UnsafeBuffer(ByteBuffer.allocateDirect(FRAME_CAPACITY));
    private final UnsafeBuffer balanceFrame = new UnsafeBuffer(ByteBuffer.allocateDirect(FRAME_CAPACITY));
    private final UnsafeBuffer balanceResultFrame = new UnsafeBuffer(ByteBuffer.allocateDirect(FRAME_CAPACITY));
    private final UnsafeBuffer heartbeatFrame = new UnsafeBuffer(ByteBuffer.allocateDirect(FRAME_CAPACITY));
    private final UnsafeBuffer heartbeatResultFrame = new UnsafeBuffer(ByteBuffer.allocateDirect(FRAME_CAPACITY));
    private final UnsafeBuffer errorFrame = new UnsafeBuffer(ByteBuffer.allocateDirect(FRAME_CAPACITY));

    private final LogonEncoder logonEncoder = new LogonEncoder();
    private final LogonDecoder logonDecoder = new LogonDecoder();
    private final LogonResultEncoder logonResultEncoder = new LogonResultEncoder();
    private final LogonResultDecoder logonResultDecoder = new LogonResultDecoder();
    private final TapEncoder tapEncoder = new TapEncoder();
    private final TapDecoder tapDecoder = new TapDecoder();
    private final TapResultEncoder tapResultEncoder = new TapResultEncoder();
    private final TapResultDecoder tapResultDecoder = new TapResultDecoder();
    private final ReversalEncoder reversalEncoder = new ReversalEncoder();
    private final ReversalDecoder reversalDecoder = new ReversalDecoder();
    private final ReversalResultEncoder reversalResultEncoder = new ReversalResultEncoder();
    private final ReversalResultDecoder reversalResultDecoder = new ReversalResultDecoder();
    private final BalanceEncoder balanceEncoder = new BalanceEncoder();
    private final BalanceDecoder balanceDecoder = new BalanceDecoder();
    private final BalanceResultEncoder balanceResultEncoder = new BalanceResultEncoder();
    private final BalanceResultDecoder balanceResultDecoder = new BalanceResultDecoder();
    private final HeartbeatEncoder heartbeatEncoder = new HeartbeatEncoder();
    private final HeartbeatDecoder heartbeatDecoder = new HeartbeatDecoder();
    private final HeartbeatResultEncoder heartbeatResultEncoder = new HeartbeatResultEncoder();
    private final HeartbeatResultDecoder heartbeatResultDecoder = new HeartbeatResultDecoder();
    private final ErrorEncoder errorEncoder = new ErrorEncoder();
    private final ErrorDecoder errorDecoder = new ErrorDecoder();
    private final LogonMac logonMac = new LogonMac();

    private int seq;

    @Setup
    public void setup()
    {
        final byte[] key = new byte[LogonMac.KEY_BYTES];
        for (int i = 0; i < key.length; i++)
        {
            key[i] = (byte)(i * 7 + 3);
        }
        logonMac.key(key);

        logonEncoder.wrap(logonFrame, 0).correlation(1).terminalId(17).timestampMs(1_700_000_000_000L)
            .nonce(0x0102030405060708L, 0x1112131415161718L);
        logonMac.sign(logonFrame, 0);
        logonResultEncoder.wrap(logonResultFrame, 0).correlation(1).result(ReasonCode.OK).heartbeatMs(15_000)
            .serverTimeMs(1_700_000_000_001L);
        tapEncoder.wrap(tapFrame, 0).correlation(2).cardId(1_000_001L).programId(1).quantity(1).flags(0)
            .terminalTimeMs(1_700_000_000_002L);
        tapResultEncoder.wrap(tapResultFrame, 0).correlation(2).decision(Decision.APPROVED).reason(ReasonCode.OK)
            .remaining(0).receipt(42);
        reversalEncoder.wrap(reversalFrame, 0).correlation(3).originalCorrelation(2).cardId(1_000_001L);
        reversalResultEncoder.wrap(reversalResultFrame, 0).correlation(3).decision(Decision.APPROVED)
            .reason(ReasonCode.OK).remaining(1).receipt(43);
        balanceEncoder.wrap(balanceFrame, 0).correlation(4).cardId(1_000_001L);
        balanceResultEncoder.wrap(balanceResultFrame, 0).correlation(4).decision(Decision.APPROVED)
            .reason(ReasonCode.OK).count(BALANCE_ENTRIES);
        for (int i = 0; i < BALANCE_ENTRIES; i++)
        {
            balanceResultEncoder.entry(i, i + 1, 1, 2);
        }
        heartbeatEncoder.wrap(heartbeatFrame, 0).correlation(5).timestampMs(1_700_000_000_003L);
        heartbeatResultEncoder.wrap(heartbeatResultFrame, 0).correlation(5).timestampMs(1_700_000_000_003L);
        errorEncoder.wrap(errorFrame, 0).correlation(6).code(ReasonCode.MALFORMED_FRAME).detail("bad length 4095");
    }

    // ---- baselines ----------------------------------------------------------------------------------------

    @Benchmark
    public int baselineReturnCounter()
    {
        return seq++;
    }

    /**
     * A TAP written and read back with raw little-endian puts and gets at literal offsets: the floor for
     * {@link #tapEncodeDecode}.
     */
    @Benchmark
    public long baselineTapRawPuts()
    {
        final int s = seq++;
        final UnsafeBuffer b = buffer;
        b.putShort(0, (short)30, LITTLE_ENDIAN);
        b.putByte(2, (byte)1);
        b.putByte(3, (byte)2);
        b.putInt(4, s, LITTLE_ENDIAN);
        b.putLong(8, 1_000_001L + s, LITTLE_ENDIAN);
        b.putInt(16, 1, LITTLE_ENDIAN);
        b.putShort(20, (short)1, LITTLE_ENDIAN);
        b.putShort(22, (short)0, LITTLE_ENDIAN);
        b.putLong(24, 1_700_000_000_000L + s, LITTLE_ENDIAN);
        return b.getInt(4, LITTLE_ENDIAN) ^ b.getLong(8, LITTLE_ENDIAN) ^ b.getInt(16, LITTLE_ENDIAN) ^
            b.getShort(20, LITTLE_ENDIAN) ^ b.getShort(22, LITTLE_ENDIAN) ^ b.getLong(24, LITTLE_ENDIAN);
    }

    // ---- TAP (the hot message) ----------------------------------------------------------------------------

    @Benchmark
    public long tapEncodeDecode()
    {
        final int s = seq++;
        tapEncoder.wrap(buffer, 0).correlation(s).cardId(1_000_001L + s).programId(1).quantity(1).flags(0)
            .terminalTimeMs(1_700_000_000_000L + s);
        final TapDecoder d = tapDecoder.wrap(buffer, 0);
        return d.correlation() ^ d.cardId() ^ d.programId() ^ d.quantity() ^ d.flags() ^ d.terminalTimeMs();
    }

    @Benchmark
    public int tapEncode()
    {
        final int s = seq++;
        return tapEncoder.wrap(buffer, 0).correlation(s).cardId(1_000_001L + s).programId(1).quantity(1).flags(0)
            .terminalTimeMs(1_700_000_000_000L + s).encodedLength();
    }

    @Benchmark
    public long tapDecode()
    {
        final TapDecoder d = tapDecoder.wrap(tapFrame, 0);
        return d.correlation() ^ d.cardId() ^ d.programId() ^ d.quantity() ^ d.flags() ^ d.terminalTimeMs();
    }

    @Benchmark
    public int tapValidate()
    {
        return FrameValidator.validate(tapFrame, 0, TapEncoder.FRAME_LENGTH, Direction.REQUESTS) +
            FrameValidator.validateTapContent(tapFrame, 0);
    }

    @Benchmark
    public int tapResultEncode()
    {
        final int s = seq++;
        return tapResultEncoder.wrap(buffer, 0).correlation(s).decision(Decision.APPROVED).reason(ReasonCode.OK)
            .remaining(s & 7).receipt(s).encodedLength();
    }

    @Benchmark
    public long tapResultDecode()
    {
        final TapResultDecoder d = tapResultDecoder.wrap(tapResultFrame, 0);
        return d.correlation() ^ d.decision() ^ d.reason() ^ d.remaining() ^ d.receipt();
    }

    // ---- LOGON --------------------------------------------------------------------------------------------

    @Benchmark
    public int logonEncode()
    {
        final int s = seq++;
        return logonEncoder.wrap(buffer, 0).correlation(s).terminalId(17).timestampMs(1_700_000_000_000L + s)
            .nonce(s, ~s).encodedLength();
    }

    @Benchmark
    public long logonDecode()
    {
        final LogonDecoder d = logonDecoder.wrap(logonFrame, 0);
        return d.correlation() ^ d.terminalId() ^ d.timestampMs() ^ d.nonceLow() ^ d.nonceHigh();
    }

    /** HMAC-SHA256 over the 32 mac input bytes and a constant-time compare: the cost of every LOGON. */
    @Benchmark
    public boolean logonMacVerify()
    {
        return logonMac.verify(logonFrame, 0);
    }

    @Benchmark
    public int logonResultEncode()
    {
        final int s = seq++;
        return logonResultEncoder.wrap(buffer, 0).correlation(s).result(ReasonCode.OK).heartbeatMs(15_000)
            .serverTimeMs(1_700_000_000_000L + s).encodedLength();
    }

    @Benchmark
    public long logonResultDecode()
    {
        final LogonResultDecoder d = logonResultDecoder.wrap(logonResultFrame, 0);
        return d.correlation() ^ d.result() ^ d.heartbeatMs() ^ d.serverTimeMs();
    }

    // ---- REVERSAL -----------------------------------------------------------------------------------------

    @Benchmark
    public int reversalEncode()
    {
        final int s = seq++;
        return reversalEncoder.wrap(buffer, 0).correlation(s).originalCorrelation(s - 1).cardId(1_000_001L + s)
            .encodedLength();
    }

    @Benchmark
    public long reversalDecode()
    {
        final ReversalDecoder d = reversalDecoder.wrap(reversalFrame, 0);
        return d.correlation() ^ d.originalCorrelation() ^ d.cardId();
    }

    @Benchmark
    public int reversalResultEncode()
    {
        final int s = seq++;
        return reversalResultEncoder.wrap(buffer, 0).correlation(s).decision(Decision.APPROVED).reason(ReasonCode.OK)
            .remaining(s & 7).receipt(s).encodedLength();
    }

    @Benchmark
    public long reversalResultDecode()
    {
        final ReversalResultDecoder d = reversalResultDecoder.wrap(reversalResultFrame, 0);
        return d.correlation() ^ d.decision() ^ d.reason() ^ d.remaining() ^ d.receipt();
    }

    // ---- BALANCE ------------------------------------------------------------------------------------------

    @Benchmark
    public int balanceEncode()
    {
        final int s = seq++;
        return balanceEncoder.wrap(buffer, 0).correlation(s).cardId(1_000_001L + s).encodedLength();
    }

    @Benchmark
    public long balanceDecode()
    {
        final BalanceDecoder d = balanceDecoder.wrap(balanceFrame, 0);
        return d.correlation() ^ d.cardId();
    }

    /** A BALANCE_RESULT with 5 programs (every demo program). */
    @Benchmark
    public int balanceResultEncode()
    {
        final int s = seq++;
        final BalanceResultEncoder e = balanceResultEncoder.wrap(buffer, 0).correlation(s)
            .decision(Decision.APPROVED).reason(ReasonCode.OK).count(BALANCE_ENTRIES);
        for (int i = 0; i < BALANCE_ENTRIES; i++)
        {
            e.entry(i, i + 1, s & 1, 2);
        }
        return e.encodedLength();
    }

    @Benchmark
    public long balanceResultDecode()
    {
        final BalanceResultDecoder d = balanceResultDecoder.wrap(balanceResultFrame, 0);
        long fold = d.correlation() ^ d.decision() ^ d.reason();
        final int count = d.count();
        for (int i = 0; i < count; i++)
        {
            fold = fold * 31 + (d.programId(i) ^ d.remaining(i) ^ d.quota(i));
        }
        return fold;
    }

    // ---- HEARTBEAT and ERROR ------------------------------------------------------------------------------

    @Benchmark
    public int heartbeatEncode()
    {
        final int s = seq++;
        return heartbeatEncoder.wrap(buffer, 0).correlation(s).timestampMs(1_700_000_000_000L + s).encodedLength();
    }

    @Benchmark
    public long heartbeatDecode()
    {
        final HeartbeatDecoder d = heartbeatDecoder.wrap(heartbeatFrame, 0);
        return d.correlation() ^ d.timestampMs();
    }

    @Benchmark
    public int heartbeatResultEncode()
    {
        final int s = seq++;
        return heartbeatResultEncoder.wrap(buffer, 0).correlation(s).timestampMs(1_700_000_000_000L + s)
            .encodedLength();
    }

    @Benchmark
    public long heartbeatResultDecode()
    {
        final HeartbeatResultDecoder d = heartbeatResultDecoder.wrap(heartbeatResultFrame, 0);
        return d.correlation() ^ d.timestampMs();
    }

    /** ERROR with a 15-byte ASCII detail (written from a String constant: no allocation). */
    @Benchmark
    public int errorEncode()
    {
        final int s = seq++;
        return errorEncoder.wrap(buffer, 0).correlation(s).code(ReasonCode.MALFORMED_FRAME).detail("bad length 4095")
            .encodedLength();
    }

    @Benchmark
    public long errorDecode()
    {
        final ErrorDecoder d = errorDecoder.wrap(errorFrame, 0);
        return d.correlation() ^ d.code() ^ d.detailLength() ^ d.detailOffset() ^
            errorFrame.getByte(FrameHeader.BODY_OFFSET + Messages.Error.DETAIL_OFFSET);
    }
}
