package io.tapswitch.protocol;

import static io.tapswitch.protocol.TestFrames.hex;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The codecs and the LOGON mac run on the hot path: once constructed, encoding, decoding, validating and
 * signing/verifying allocate nothing per message. Measured with the JVM's per-thread allocation counter.
 */
class ZeroAllocationTest
{
    private static final int WARM_UP_ROUNDS = 20_000;
    private static final int MEASURED_ROUNDS = 10_000;

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
    private final UnsafeBuffer detail = new UnsafeBuffer(new byte[Messages.Error.MAX_DETAIL_BYTES]);
    private final byte[] nonce = new byte[16];
    private final byte[] mac = new byte[32];
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
    private final byte[] key = hex("6fc91844b2f6808502d99ee3f52ab589449f654597d854060d0e6e035c743940");

    @Test
    void shouldEncodeDecodeValidateAndMacWithoutAllocating()
    {
        final com.sun.management.ThreadMXBean threads = threadMxBean();
        long sink = 0;
        for (int i = 0; i < WARM_UP_ROUNDS; i++)
        {
            sink += round(i);
        }

        final long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < MEASURED_ROUNDS; i++)
        {
            sink += round(i);
        }
        final long allocatedBytes = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(sink).isNotZero();
        // Any allocation per message would cost at least 16 bytes per round; a one-off of a few hundred bytes
        // (a JIT transition, a lazily loaded class of the harness) is not the code under test.
        assertThat(allocatedBytes)
            .as("bytes allocated by %d rounds: less than one per round means none per message", MEASURED_ROUNDS)
            .isLessThan(MEASURED_ROUNDS);
    }

    private long round(final int i)
    {
        long sink = 0;

        logonEncoder.wrap(buffer, 0).correlation(i).terminalId(17).timestampMs(i).nonce(i, ~i);
        logonMac.key(key, 0, key.length).sign(buffer, 0);
        sink += FrameValidator.validate(buffer, 0, logonEncoder.encodedLength(), Direction.REQUESTS);
        sink += logonMac.verify(buffer, 0) ? 1 : 0;
        logonDecoder.wrap(buffer, 0);
        sink += logonDecoder.terminalId() + logonDecoder.timestampMs() + logonDecoder.nonceLow();
        logonDecoder.getNonce(nonce, 0);
        logonDecoder.getMac(mac, 0);

        logonResultEncoder.wrap(buffer, 0).correlation(i).result(0).heartbeatMs(10_000).serverTimeMs(i);
        sink += logonResultDecoder.wrap(buffer, 0).heartbeatMs() + logonResultDecoder.serverTimeMs();

        tapEncoder.wrap(buffer, 0).correlation(i).cardId(i).programId(3).quantity(1).flags(0).terminalTimeMs(i);
        sink += FrameValidator.validate(buffer, 0, tapEncoder.encodedLength(), Direction.REQUESTS);
        sink += FrameValidator.validateTapContent(buffer, 0);
        sink += tapDecoder.wrap(buffer, 0).cardId() + tapDecoder.programId() + tapDecoder.quantity() +
            (tapDecoder.isOfflineAdvice() ? 1 : 0) + tapDecoder.terminalTimeMs();

        tapResultEncoder.wrap(buffer, 0).correlation(i).decision(0).reason(0).remaining(-1).receipt(i);
        sink += tapResultDecoder.wrap(buffer, 0).receipt() + tapResultDecoder.remaining();

        reversalEncoder.wrap(buffer, 0).correlation(i).originalCorrelation(i - 1).cardId(i);
        sink += reversalDecoder.wrap(buffer, 0).originalCorrelation() + reversalDecoder.cardId();

        reversalResultEncoder.wrap(buffer, 0).correlation(i).decision(1).reason(12).remaining(-1).receipt(i);
        sink += reversalResultDecoder.wrap(buffer, 0).reason() + reversalResultDecoder.receipt();

        balanceEncoder.wrap(buffer, 0).correlation(i).cardId(i);
        sink += balanceDecoder.wrap(buffer, 0).cardId();

        balanceResultEncoder.wrap(buffer, 0).correlation(i).decision(0).reason(0)
            .entry(0, 1, 0, 1).entry(1, 2, 1, 2).count(2);
        sink += FrameValidator.validate(buffer, 0, balanceResultEncoder.encodedLength(), Direction.RESPONSES);
        balanceResultDecoder.wrap(buffer, 0);
        for (int e = 0; e < balanceResultDecoder.count(); e++)
        {
            sink += balanceResultDecoder.programId(e) + balanceResultDecoder.remaining(e) + balanceResultDecoder.quota(e);
        }

        heartbeatEncoder.wrap(buffer, 0).correlation(i).timestampMs(i);
        sink += heartbeatDecoder.wrap(buffer, 0).timestampMs();
        heartbeatResultEncoder.wrap(buffer, 0).correlation(i).timestampMs(i);
        sink += heartbeatResultDecoder.wrap(buffer, 0).timestampMs();

        errorEncoder.wrap(buffer, 0).correlation(i).code(ReasonCode.MALFORMED_FRAME).detail("frame length 3 is too small");
        sink += FrameValidator.validate(buffer, 0, errorEncoder.encodedLength(), Direction.RESPONSES);
        sink += errorDecoder.wrap(buffer, 0).code() + errorDecoder.getDetail(detail, 0);

        return sink;
    }

    private static com.sun.management.ThreadMXBean threadMxBean()
    {
        final java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(
            bean instanceof com.sun.management.ThreadMXBean, "JVM exposes per-thread allocation counters");
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)bean;
        Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported(), "per-thread allocation supported");
        threads.setThreadAllocatedMemoryEnabled(true);
        return threads;
    }
}
