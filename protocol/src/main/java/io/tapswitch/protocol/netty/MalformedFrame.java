package io.tapswitch.protocol.netty;

import io.tapswitch.protocol.FrameValidator;
import io.tapswitch.protocol.ReasonCode;

/**
 * What {@link TapFrameDecoder} emits, once, when the input breaks the frame rules; after it the decoder
 * discards every further byte of the connection.
 * <p>
 * The answer the protocol requires is ERROR with {@link #reasonCode()} (always MALFORMED_FRAME),
 * {@link #correlation()} (the offending frame's correlation when its length was in range and its 8 header bytes
 * arrived, else 0) and {@link #detail()} as text; then the connection is closed.
 * <p>
 * Created only on the error path. Immutable; safe to pass between threads.
 */
public final class MalformedFrame
{
    private final int result;
    private final int correlation;
    private final int length;
    private final int version;
    private final int type;
    private final int variableField;
    private final String detail;

    /**
     * @param result        the {@link FrameValidator} failure.
     * @param correlation   the frame's correlation, or 0 when it does not belong to a frame of valid length.
     * @param length        the {@code length} field, or -1 if not received.
     * @param version       the {@code version} byte, or -1 if not received.
     * @param type          the {@code type} byte, or -1 if not received.
     * @param variableField BALANCE_RESULT count / ERROR detailLength, or -1.
     */
    public MalformedFrame(
        final int result,
        final int correlation,
        final int length,
        final int version,
        final int type,
        final int variableField)
    {
        this.result = result;
        this.correlation = correlation;
        this.length = length;
        this.version = version;
        this.type = type;
        this.variableField = variableField;
        this.detail = FrameValidator.describe(result, length, version, type, variableField);
    }

    /**
     * @return the {@link FrameValidator} failure code, e.g. {@link FrameValidator#UNSUPPORTED_VERSION}.
     */
    public int result()
    {
        return result;
    }

    /**
     * @return the ERROR code to answer with: {@link ReasonCode#MALFORMED_FRAME}.
     */
    public int reasonCode()
    {
        return ReasonCode.MALFORMED_FRAME;
    }

    /**
     * @return the correlation to copy into the ERROR: the frame's when its length was in range, else 0.
     */
    public int correlation()
    {
        return correlation;
    }

    /**
     * @return the {@code length} field, or -1 if not received.
     */
    public int length()
    {
        return length;
    }

    /**
     * @return the {@code version} byte, or -1 if not received.
     */
    public int version()
    {
        return version;
    }

    /**
     * @return the {@code type} byte, or -1 if not received.
     */
    public int type()
    {
        return type;
    }

    /**
     * @return BALANCE_RESULT count / ERROR detailLength, or -1 if not relevant or not received.
     */
    public int variableField()
    {
        return variableField;
    }

    /**
     * @return a human message naming the failure, ASCII and under 256 bytes, fit for the ERROR detail.
     */
    public String detail()
    {
        return detail;
    }

    @Override
    public String toString()
    {
        return "MalformedFrame{" + FrameValidator.name(result) + ", correlation=" + correlation + ", " + detail + "}";
    }
}
