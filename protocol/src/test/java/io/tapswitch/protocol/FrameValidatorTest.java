package io.tapswitch.protocol;

import static io.tapswitch.protocol.TestFrames.balanceResult;
import static io.tapswitch.protocol.TestFrames.error;
import static io.tapswitch.protocol.TestFrames.hex;
import static io.tapswitch.protocol.TestFrames.raw;
import static io.tapswitch.protocol.TestFrames.tap;
import static org.assertj.core.api.Assertions.assertThat;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import java.nio.charset.StandardCharsets;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class FrameValidatorTest
{
    @Test
    void shouldAcceptEveryGoldenRequestOnlyAsARequest()
    {
        for (final String vector : new String[] {
            GoldenVectorsTest.LOGON, GoldenVectorsTest.TAP, GoldenVectorsTest.REVERSAL, GoldenVectorsTest.BALANCE,
            GoldenVectorsTest.HEARTBEAT})
        {
            assertThat(validate(hex(vector), Direction.REQUESTS)).isEqualTo(FrameValidator.VALID);
            assertThat(validate(hex(vector), Direction.RESPONSES)).isEqualTo(FrameValidator.UNKNOWN_TYPE);
        }
    }

    @Test
    void shouldAcceptEveryGoldenResponseOnlyAsAResponse()
    {
        for (final String vector : new String[] {
            GoldenVectorsTest.LOGON_RESULT, GoldenVectorsTest.TAP_RESULT, GoldenVectorsTest.REVERSAL_RESULT,
            GoldenVectorsTest.BALANCE_RESULT, GoldenVectorsTest.HEARTBEAT_RESULT, GoldenVectorsTest.ERROR})
        {
            assertThat(validate(hex(vector), Direction.RESPONSES)).isEqualTo(FrameValidator.VALID);
            assertThat(validate(hex(vector), Direction.REQUESTS)).isEqualTo(FrameValidator.UNKNOWN_TYPE);
        }
    }

    @Test
    void shouldRejectLengthsOutOfRange()
    {
        assertThat(validate(raw(5, 1, MessageType.TAP, 1, 24), Direction.REQUESTS))
            .isEqualTo(FrameValidator.LENGTH_TOO_SMALL);
        assertThat(validate(raw(0, 1, MessageType.TAP, 1, 24), Direction.REQUESTS))
            .isEqualTo(FrameValidator.LENGTH_TOO_SMALL);
        assertThat(validate(raw(4095, 1, MessageType.TAP, 1, 24), Direction.REQUESTS))
            .isEqualTo(FrameValidator.LENGTH_TOO_LARGE);
        assertThat(validate(raw(0xFFFF, 1, MessageType.TAP, 1, 24), Direction.REQUESTS))
            .isEqualTo(FrameValidator.LENGTH_TOO_LARGE);
    }

    @Test
    void shouldCheckVersionBeforeTypeAndTypeBeforeBodySize()
    {
        assertThat(validate(raw(9, 0, 0x66, 1, 3), Direction.REQUESTS)).isEqualTo(FrameValidator.UNSUPPORTED_VERSION);
        assertThat(validate(raw(9, 2, MessageType.TAP, 1, 3), Direction.REQUESTS))
            .isEqualTo(FrameValidator.UNSUPPORTED_VERSION);
        assertThat(validate(raw(9, 1, 0x66, 1, 3), Direction.REQUESTS)).isEqualTo(FrameValidator.UNKNOWN_TYPE);
        assertThat(validate(raw(9, 1, MessageType.TAP, 1, 3), Direction.REQUESTS))
            .isEqualTo(FrameValidator.WRONG_BODY_SIZE);
    }

    @Test
    void shouldTreatEveryTypeOutsideTheRequestsAsUnknownForTheSwitch()
    {
        for (int type = 0; type <= 0xFF; type++)
        {
            final int result = FrameValidator.validateHeader(14, 1, type, Direction.REQUESTS);
            if (type >= 0x01 && type <= 0x05)
            {
                assertThat(result).as("type %d", type).isNotEqualTo(FrameValidator.UNKNOWN_TYPE);
            }
            else
            {
                assertThat(result).as("type %d", type).isEqualTo(FrameValidator.UNKNOWN_TYPE);
            }
        }
    }

    @Test
    void shouldRejectAFrameOneByteShorterOrLongerThanItsType()
    {
        final byte[] frame = tap(1, 1L, 1);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[frame.length + 1]);
        buffer.putBytes(0, frame);

        FrameHeader.correlation(buffer, 0, 1);
        buffer.putShort(0, (short)(FrameHeader.lengthFieldFor(24) - 1), LITTLE_ENDIAN);
        assertThat(FrameValidator.validate(buffer, 0, buffer.capacity(), Direction.REQUESTS))
            .isEqualTo(FrameValidator.WRONG_BODY_SIZE);
        buffer.putShort(0, (short)(FrameHeader.lengthFieldFor(24) + 1), LITTLE_ENDIAN);
        assertThat(FrameValidator.validate(buffer, 0, buffer.capacity(), Direction.REQUESTS))
            .isEqualTo(FrameValidator.WRONG_BODY_SIZE);
    }

    @Test
    void shouldCheckVariableBodiesByTheirCountAndDetailLength()
    {
        assertThat(validate(balanceResult(1, 64), Direction.RESPONSES)).isEqualTo(FrameValidator.VALID);
        assertThat(validate(balanceResult(1, 0), Direction.RESPONSES)).isEqualTo(FrameValidator.VALID);
        assertThat(FrameValidator.validateVariableBody(MessageType.BALANCE_RESULT, 4 + 16 * 65, 65))
            .isEqualTo(FrameValidator.COUNT_TOO_LARGE);
        assertThat(FrameValidator.validateVariableBody(MessageType.BALANCE_RESULT, 4 + 16 * 2, 3))
            .isEqualTo(FrameValidator.WRONG_BODY_SIZE);
        assertThat(FrameValidator.validateVariableBody(MessageType.ERROR, 4 + 257, 257))
            .isEqualTo(FrameValidator.DETAIL_TOO_LONG);
        assertThat(FrameValidator.validateVariableBody(MessageType.ERROR, 4 + 256, 256))
            .isEqualTo(FrameValidator.VALID);
        assertThat(FrameValidator.validateVariableBody(MessageType.ERROR, 4 + 10, 9))
            .isEqualTo(FrameValidator.WRONG_BODY_SIZE);
        assertThat(FrameValidator.validateHeader(FrameHeader.lengthFieldFor(3), 1, MessageType.ERROR, Direction.RESPONSES))
            .as("body too short to hold detailLength")
            .isEqualTo(FrameValidator.WRONG_BODY_SIZE);
        assertThat(validate(error(1, ReasonCode.MALFORMED_FRAME, "x".repeat(256)), Direction.RESPONSES))
            .isEqualTo(FrameValidator.VALID);
    }

    @Test
    void shouldReportTruncatedInput()
    {
        final byte[] frame = tap(1, 1L, 1);
        final UnsafeBuffer buffer = new UnsafeBuffer(frame);

        for (int available = 0; available < frame.length; available++)
        {
            assertThat(FrameValidator.validate(buffer, 0, available, Direction.REQUESTS))
                .as("%d bytes available", available)
                .isEqualTo(FrameValidator.TRUNCATED);
        }
        assertThat(FrameValidator.validate(buffer, 0, frame.length, Direction.REQUESTS)).isEqualTo(FrameValidator.VALID);
    }

    @Test
    void shouldNameTapContentFailuresAsInvalidRequest()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(tap(1, 1L, 1));
        final TapEncoder encoder = new TapEncoder();
        assertThat(FrameValidator.validateTapContent(buffer, 0)).isEqualTo(FrameValidator.VALID);

        encoder.wrap(buffer, 0).quantity(1).flags(Messages.Tap.FLAG_OFFLINE_ADVICE);
        assertThat(FrameValidator.validateTapContent(buffer, 0)).isEqualTo(FrameValidator.VALID);

        encoder.wrap(buffer, 0).quantity(1).flags(0x0002);
        assertThat(FrameValidator.validateTapContent(buffer, 0)).isEqualTo(FrameValidator.UNKNOWN_FLAG_BITS);

        encoder.wrap(buffer, 0).quantity(0).flags(0);
        assertThat(FrameValidator.validateTapContent(buffer, 0)).isEqualTo(FrameValidator.ZERO_QUANTITY);

        assertThat(FrameValidator.reasonCode(FrameValidator.UNKNOWN_FLAG_BITS)).isEqualTo(ReasonCode.INVALID_REQUEST);
        assertThat(FrameValidator.reasonCode(FrameValidator.ZERO_QUANTITY)).isEqualTo(ReasonCode.INVALID_REQUEST);
    }

    @Test
    void shouldAnswerEveryFrameFailureWithMalformedFrame()
    {
        for (final int result : new int[] {
            FrameValidator.LENGTH_TOO_SMALL, FrameValidator.LENGTH_TOO_LARGE, FrameValidator.UNSUPPORTED_VERSION,
            FrameValidator.UNKNOWN_TYPE, FrameValidator.WRONG_BODY_SIZE, FrameValidator.COUNT_TOO_LARGE,
            FrameValidator.DETAIL_TOO_LONG, FrameValidator.TRUNCATED})
        {
            assertThat(FrameValidator.reasonCode(result)).as(FrameValidator.name(result))
                .isEqualTo(ReasonCode.MALFORMED_FRAME);
        }
        assertThat(FrameValidator.reasonCode(FrameValidator.VALID)).isEqualTo(ReasonCode.OK);
    }

    @Test
    void shouldDescribeEachFailureWithTheOffendingValueInAShortAsciiText()
    {
        assertDescription(FrameValidator.describe(FrameValidator.LENGTH_TOO_SMALL, 3, -1, -1, -1), "length 3");
        assertDescription(FrameValidator.describe(FrameValidator.LENGTH_TOO_LARGE, 60000, -1, -1, -1), "60000");
        assertDescription(FrameValidator.describe(FrameValidator.UNSUPPORTED_VERSION, 30, 7, 2, -1), "version 7");
        assertDescription(FrameValidator.describe(FrameValidator.UNKNOWN_TYPE, 30, 1, 0xA2, -1), "0xA2");
        assertDescription(
            FrameValidator.describe(FrameValidator.WRONG_BODY_SIZE, 30, 1, MessageType.LOGON, -1),
            "LOGON body is 24 bytes, expected 64");
        assertDescription(
            FrameValidator.describe(FrameValidator.WRONG_BODY_SIZE, 42, 1, MessageType.BALANCE_RESULT, 3),
            "count 3 needs 52");
        assertDescription(
            FrameValidator.describe(FrameValidator.COUNT_TOO_LARGE, 42, 1, MessageType.BALANCE_RESULT, 65), "65");
        assertDescription(FrameValidator.describe(FrameValidator.DETAIL_TOO_LONG, 42, 1, MessageType.ERROR, 300), "300");
        assertDescription(FrameValidator.describe(FrameValidator.TRUNCATED, 30, 1, 2, -1), "length 30");
        assertDescription(FrameValidator.describe(FrameValidator.TRUNCATED, -1, -1, -1, -1), "length field");
        assertDescription(FrameValidator.describe(FrameValidator.UNKNOWN_FLAG_BITS, 30, 1, 2, -1), "flags");
        assertDescription(FrameValidator.describe(FrameValidator.ZERO_QUANTITY, 30, 1, 2, -1), "quantity");
    }

    private static void assertDescription(final String description, final String expectedPart)
    {
        assertThat(description).contains(expectedPart);
        final byte[] bytes = description.getBytes(StandardCharsets.UTF_8);
        assertThat(bytes.length).isLessThanOrEqualTo(Messages.Error.MAX_DETAIL_BYTES);
        assertThat(new String(bytes, StandardCharsets.US_ASCII)).isEqualTo(description);
    }

    private static int validate(final byte[] frame, final Direction direction)
    {
        return FrameValidator.validate(new UnsafeBuffer(frame), 0, frame.length, direction);
    }
}
