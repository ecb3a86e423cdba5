package io.tapswitch.switching.net;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import io.netty.buffer.ByteBuf;
import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.FrameHeader;
import io.tapswitch.protocol.MessageType;
import io.tapswitch.protocol.Messages;
import io.tapswitch.protocol.ReasonCode;
import org.agrona.MutableDirectBuffer;

/**
 * Responses the network layer gives without the engine: BUSY, HEARTBEAT_RESULT, ERROR. Written straight
 * into a Netty {@link ByteBuf} (event loops) or an Agrona buffer (engine thread). Allocates nothing.
 * Stateless; safe from any thread.
 */
public final class LocalAnswers
{
    /** Largest local answer: an ERROR with no detail or a LOGON_RESULT / TAP_RESULT. */
    public static final int MAX_LENGTH = FrameHeader.HEADER_BYTES + Messages.LogonResult.BODY_LENGTH;

    private LocalAnswers()
    {
    }

    /**
     * Writes ERROR {@code code} with no detail text.
     *
     * @return the frame length.
     */
    public static int error(final MutableDirectBuffer out, final int offset, final int correlation, final int code)
    {
        final int bodyLength = Messages.Error.bodyLength(0);
        header(out, offset, bodyLength, MessageType.ERROR, correlation);
        out.putShort(offset + FrameHeader.BODY_OFFSET + Messages.Error.CODE_OFFSET, (short)code, LITTLE_ENDIAN);
        out.putShort(offset + FrameHeader.BODY_OFFSET + Messages.Error.DETAIL_LENGTH_OFFSET, (short)0, LITTLE_ENDIAN);
        return FrameHeader.HEADER_BYTES + bodyLength;
    }

    public static void error(final ByteBuf out, final int correlation, final int code)
    {
        header(out, Messages.Error.bodyLength(0), MessageType.ERROR, correlation);
        out.writeShortLE(code);
        out.writeShortLE(0);
    }

    /**
     * Writes the request's own result type, DECLINED BUSY, receipt 0, count 0; for a LOGON a
     * LOGON_RESULT 11 with heartbeat 0 and the switch's time.
     */
    public static void busy(final ByteBuf out, final int requestType, final int correlation, final long nowMs)
    {
        switch (requestType)
        {
            case MessageType.LOGON:
                logonFailed(out, correlation, ReasonCode.BUSY, nowMs);
                break;
            case MessageType.BALANCE:
                header(out, Messages.BalanceResult.bodyLength(0), MessageType.BALANCE_RESULT, correlation);
                out.writeByte(Decision.DECLINED);
                out.writeByte(ReasonCode.BUSY);
                out.writeShortLE(0);
                break;
            default:
                header(out, Messages.TapResult.BODY_LENGTH, MessageType.responseOf(requestType), correlation);
                out.writeByte(Decision.DECLINED);
                out.writeByte(ReasonCode.BUSY);
                out.writeShortLE(0);
                out.writeIntLE(-1);
                out.writeLongLE(0);
                break;
        }
    }

    /**
     * Writes LOGON_RESULT {@code result} with heartbeat 0 and the switch's time.
     *
     * @return the frame length.
     */
    public static int logonFailed(
        final MutableDirectBuffer out, final int offset, final int correlation, final int result, final long nowMs)
    {
        header(out, offset, Messages.LogonResult.BODY_LENGTH, MessageType.LOGON_RESULT, correlation);
        final int body = offset + FrameHeader.BODY_OFFSET;
        out.putByte(body + Messages.LogonResult.RESULT_OFFSET, (byte)result);
        out.putByte(body + 1, (byte)0);
        out.putShort(body + 2, (short)0, LITTLE_ENDIAN);
        out.putInt(body + Messages.LogonResult.HEARTBEAT_MS_OFFSET, 0, LITTLE_ENDIAN);
        out.putLong(body + Messages.LogonResult.SERVER_TIME_MS_OFFSET, nowMs, LITTLE_ENDIAN);
        return FrameHeader.HEADER_BYTES + Messages.LogonResult.BODY_LENGTH;
    }

    public static void logonFailed(final ByteBuf out, final int correlation, final int result, final long nowMs)
    {
        header(out, Messages.LogonResult.BODY_LENGTH, MessageType.LOGON_RESULT, correlation);
        out.writeByte(result);
        out.writeZero(3);
        out.writeIntLE(0);
        out.writeLongLE(nowMs);
    }

    /**
     * Echoes a HEARTBEAT's timestamp in a HEARTBEAT_RESULT.
     */
    public static void heartbeat(final ByteBuf out, final int correlation, final long timestampMs)
    {
        header(out, Messages.Heartbeat.BODY_LENGTH, MessageType.HEARTBEAT_RESULT, correlation);
        out.writeLongLE(timestampMs);
    }

    private static void header(
        final MutableDirectBuffer out, final int offset, final int bodyLength, final int type, final int correlation)
    {
        out.putShort(offset + FrameHeader.LENGTH_OFFSET, (short)FrameHeader.lengthFieldFor(bodyLength), LITTLE_ENDIAN);
        out.putByte(offset + FrameHeader.VERSION_OFFSET, (byte)FrameHeader.VERSION);
        out.putByte(offset + FrameHeader.TYPE_OFFSET, (byte)type);
        out.putInt(offset + FrameHeader.CORRELATION_OFFSET, correlation, LITTLE_ENDIAN);
    }

    private static void header(final ByteBuf out, final int bodyLength, final int type, final int correlation)
    {
        out.writeShortLE(FrameHeader.lengthFieldFor(bodyLength));
        out.writeByte(FrameHeader.VERSION);
        out.writeByte(type);
        out.writeIntLE(correlation);
    }
}
