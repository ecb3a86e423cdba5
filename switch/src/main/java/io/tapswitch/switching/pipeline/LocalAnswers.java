package io.tapswitch.switching.pipeline;

import io.tapswitch.protocol.BalanceResultEncoder;
import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.ErrorEncoder;
import io.tapswitch.protocol.FrameHeader;
import io.tapswitch.protocol.HeartbeatResultEncoder;
import io.tapswitch.protocol.LogonResultEncoder;
import io.tapswitch.protocol.MessageType;
import io.tapswitch.protocol.Messages;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.protocol.TapResultEncoder;
import org.agrona.MutableDirectBuffer;

/**
 * Answers given without a decision of the engine: BUSY, HEARTBEAT_RESULT, ERROR and a refused LOGON, written with
 * the protocol module's flyweights into an Agrona buffer (the event loop copies them into its output). Allocates
 * nothing.
 * <p>
 * Not thread-safe (it holds the flyweights): one instance per thread — the engine thread has its own, each event
 * loop its own.
 */
public final class LocalAnswers
{
    /** Largest local answer: an ERROR with no detail or a LOGON_RESULT / TAP_RESULT. */
    public static final int MAX_LENGTH = FrameHeader.HEADER_BYTES + Messages.LogonResult.BODY_LENGTH;

    private final ErrorEncoder error = new ErrorEncoder();
    private final TapResultEncoder tapResult = new TapResultEncoder();
    private final BalanceResultEncoder balanceResult = new BalanceResultEncoder();
    private final LogonResultEncoder logonResult = new LogonResultEncoder();
    private final HeartbeatResultEncoder heartbeatResult = new HeartbeatResultEncoder();

    /**
     * Writes ERROR {@code code} with no detail text.
     *
     * @return the frame length.
     */
    public int error(final MutableDirectBuffer out, final int offset, final int correlation, final int code)
    {
        return error.wrap(out, offset).correlation(correlation).code(code).encodedLength();
    }

    /**
     * Writes the request's own result type, DECLINED BUSY, receipt 0, count 0; for a LOGON a LOGON_RESULT 11 with
     * heartbeat 0 and the switch's time.
     *
     * @return the frame length.
     */
    public int busy(
        final MutableDirectBuffer out, final int offset, final int requestType, final int correlation, final long nowMs)
    {
        switch (requestType)
        {
            case MessageType.LOGON:
                return logonFailed(out, offset, correlation, ReasonCode.BUSY, nowMs);
            case MessageType.BALANCE:
                return balanceResult.wrap(out, offset).correlation(correlation)
                    .decision(Decision.DECLINED).reason(ReasonCode.BUSY).count(0).encodedLength();
            default:
            {
                // TAP_RESULT and REVERSAL_RESULT share their body: written as a TAP_RESULT, typed as the response
                final int length = tapResult.wrap(out, offset).correlation(correlation)
                    .decision(Decision.DECLINED).reason(ReasonCode.BUSY).remaining(-1).receipt(0).encodedLength();
                out.putByte(offset + FrameHeader.TYPE_OFFSET, (byte)MessageType.responseOf(requestType));
                return length;
            }
        }
    }

    /**
     * Writes a LOGON_RESULT {@code result} with heartbeat 0 and the switch's time.
     *
     * @return the frame length.
     */
    public int logonFailed(
        final MutableDirectBuffer out, final int offset, final int correlation, final int result, final long nowMs)
    {
        return logonResult.wrap(out, offset).correlation(correlation).result(result).heartbeatMs(0)
            .serverTimeMs(nowMs).encodedLength();
    }

    /**
     * Echoes a HEARTBEAT's timestamp in a HEARTBEAT_RESULT.
     *
     * @return the frame length.
     */
    public int heartbeat(final MutableDirectBuffer out, final int offset, final int correlation, final long timestampMs)
    {
        return heartbeatResult.wrap(out, offset).correlation(correlation).timestampMs(timestampMs).encodedLength();
    }
}
