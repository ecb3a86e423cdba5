package io.tapswitch.protocol.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import io.tapswitch.protocol.BalanceDecoder;
import io.tapswitch.protocol.BalanceEncoder;
import io.tapswitch.protocol.BalanceResultDecoder;
import io.tapswitch.protocol.BalanceResultEncoder;
import io.tapswitch.protocol.Direction;
import io.tapswitch.protocol.ErrorDecoder;
import io.tapswitch.protocol.ErrorEncoder;
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
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.protocol.ReversalDecoder;
import io.tapswitch.protocol.ReversalEncoder;
import io.tapswitch.protocol.ReversalResultDecoder;
import io.tapswitch.protocol.ReversalResultEncoder;
import io.tapswitch.protocol.TapDecoder;
import io.tapswitch.protocol.TapEncoder;
import io.tapswitch.protocol.TapResultDecoder;
import io.tapswitch.protocol.TapResultEncoder;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Hostile-input fuzzing of the frame validator and of every message codec, bounded for CI (a few seconds).
 * <p>
 * Inputs are random bytes and valid frames (from the encoders, random fields) damaged by random mutations:
 * overwritten bytes, flipped bits, cuts, insertions, appended garbage, and targeted rewrites of the length,
 * type, count and detailLength fields. Each input is placed at a random offset inside a larger array and read
 * through an Agrona buffer whose window is exactly the input (or exactly the validated frame), so any read
 * outside it throws {@link IndexOutOfBoundsException} and fails the property.
 * <ul>
 *     <li>the validator never throws and returns exactly what an independent model of PROTOCOL.md returns;</li>
 *     <li>every failure maps to MALFORMED_FRAME (or INVALID_REQUEST for TAP content), and its description fits
 *     an ERROR detail (at most 256 UTF-8 bytes);</li>
 *     <li>for every input the validator accepts, the decoder of its type reads each field at the offset the
 *     protocol gives, without leaving the frame;</li>
 *     <li>the LOGON mac rejects any single-bit change of the signed fields or of the mac;</li>
 *     <li>the ERROR encoder turns any text into a valid frame with at most 256 bytes of well-formed UTF-8.</li>
 * </ul>
 * jqwik prints the seed of a failing try; rerun it with {@code @Property(seed = "...")}.
 */
class FrameFuzzTest
{
    private static final int TRIES = 2_000;
    private static final int GUARD_BYTES = 16;
    private static final byte GUARD = (byte)0xA5;

    // ================================================================================================ validator

    @Property(tries = TRIES)
    void shouldAgreeWithTheProtocolModelOnRandomBytes(
        @ForAll @Size(max = 300) final byte[] input,
        @ForAll final Direction direction,
        @ForAll @IntRange(max = GUARD_BYTES) final int placement)
    {
        checkValidatorAndDecoders(input, direction, placement);
    }

    @Property(tries = TRIES)
    void shouldAgreeWithTheProtocolModelOnRandomHeadersOfPlausibleFrames(
        @ForAll @IntRange(max = 0xFFFF) final int length,
        @ForAll @IntRange(min = 0, max = 2) final int version,
        @ForAll("types") final int type,
        @ForAll @Size(min = 0, max = 1200) final byte[] rest,
        @ForAll final Direction direction)
    {
        final byte[] input = new byte[4 + rest.length];
        input[0] = (byte)length;
        input[1] = (byte)(length >>> 8);
        input[2] = (byte)version;
        input[3] = (byte)type;
        System.arraycopy(rest, 0, input, 4, rest.length);

        checkValidatorAndDecoders(input, direction, 3);
    }

    @Property(tries = TRIES)
    void shouldAgreeWithTheProtocolModelOnMutatedValidFrames(
        @ForAll("validFrames") final byte[] frame,
        @ForAll("mutations") final List<int[]> mutations,
        @ForAll final Direction direction,
        @ForAll @IntRange(max = GUARD_BYTES) final int placement)
    {
        checkValidatorAndDecoders(mutate(frame, mutations), direction, placement);
    }

    @Property(tries = 500)
    void shouldAcceptEveryEncodedFrameInItsDirectionOnlyAndDecodeItsFields(@ForAll("validFrames") final byte[] frame)
    {
        final int type = frame[3] & 0xFF;
        final Direction own = type < 0x7F ? Direction.REQUESTS : Direction.RESPONSES;
        final Direction other = own == Direction.REQUESTS ? Direction.RESPONSES : Direction.REQUESTS;

        assertThat(FrameValidator.validate(window(frame, frame.length, 5), 0, frame.length, own))
            .isEqualTo(FrameValidator.VALID);
        assertThat(FrameValidator.validate(window(frame, frame.length, 5), 0, frame.length, other))
            .isEqualTo(FrameValidator.UNKNOWN_TYPE);
        checkValidatorAndDecoders(frame, own, 7);
    }

    // ============================================================================================= TAP content

    @Property(tries = TRIES)
    void shouldAnswerInvalidRequestExactlyForAZeroQuantityOrAnUnknownFlagBit(
        @ForAll final long cardId,
        @ForAll final int programId,
        @ForAll @IntRange(max = 0xFFFF) final int quantity,
        @ForAll("flags") final int flags,
        @ForAll final long terminalTimeMs)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[TapEncoder.FRAME_LENGTH]);
        new TapEncoder().wrap(buffer, 0).correlation(7).cardId(cardId).programId(programId & 0xFFFF_FFFFL)
            .quantity(quantity).flags(flags).terminalTimeMs(terminalTimeMs);

        final int result = FrameValidator.validateTapContent(buffer, 0);

        final boolean invalid = quantity == 0 || (flags & ~0x0001) != 0;
        assertThat(FrameValidator.reasonCode(result)).isEqualTo(invalid ? ReasonCode.INVALID_REQUEST : ReasonCode.OK);
    }

    // ================================================================================================ LOGON mac

    @Property(tries = 500)
    void shouldRejectALogonWithAnySingleBitFlippedInTheSignedFieldsOrTheMac(
        @ForAll @Size(32) final byte[] key,
        @ForAll final long terminalId,
        @ForAll final long timestampMs,
        @ForAll @Size(16) final byte[] nonce,
        @ForAll @IntRange(max = 64 * 8 - 1) final int bit)
    {
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[LogonEncoder.FRAME_LENGTH]);
        new LogonEncoder().wrap(frame, 0).correlation(1).terminalId(terminalId).timestampMs(timestampMs)
            .nonce(nonce, 0);
        final LogonMac mac = new LogonMac().key(key);
        mac.sign(frame, 0);
        assertThat(mac.verify(frame, 0)).isTrue();

        final int index = 8 + bit / 8;
        frame.putByte(index, (byte)(frame.getByte(index) ^ (1 << (bit % 8))));

        assertThat(mac.verify(frame, 0)).isFalse();
    }

    @Property(tries = 500)
    void shouldNeverAcceptARandomLogonBody(@ForAll @Size(32) final byte[] key, @ForAll @Size(64) final byte[] body)
    {
        final byte[] bytes = new byte[72];
        bytes[0] = 70;
        bytes[2] = 1;
        bytes[3] = 0x01;
        System.arraycopy(body, 0, bytes, 8, 64);

        assertThat(new LogonMac().key(key).verify(window(bytes, bytes.length, 3), 0)).isFalse();
    }

    // ============================================================================================ ERROR encoder

    @Property(tries = TRIES)
    void shouldEncodeAnyTextIntoAValidErrorFrameWithAtMost256BytesOfWellFormedUtf8(
        @ForAll @Size(max = 400) final String text,
        @ForAll final int correlation)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[ErrorEncoder.MAX_FRAME_LENGTH + GUARD_BYTES]);
        final ErrorEncoder encoder = new ErrorEncoder().wrap(buffer, 0).correlation(correlation)
            .code(ReasonCode.MALFORMED_FRAME).detail(text);
        final int frameBytes = encoder.encodedLength();

        assertThat(frameBytes).isLessThanOrEqualTo(ErrorEncoder.MAX_FRAME_LENGTH);
        final byte[] frame = new byte[frameBytes];
        buffer.getBytes(0, frame);
        assertThat(FrameValidator.validate(window(frame, frameBytes, 0), 0, frameBytes, Direction.RESPONSES))
            .isEqualTo(FrameValidator.VALID);
        final byte[] detail = Arrays.copyOfRange(frame, 12, frameBytes);
        assertThat(detail.length).isLessThanOrEqualTo(256);
        final String decoded = strictUtf8(detail);
        assertThat(text.replaceAll("\\p{Cs}", "?")).startsWith(decoded);
    }

    // ================================================================================================= checks

    /**
     * Validates input in a window of exactly its size, compares with the model, and for an accepted frame
     * decodes every field through a window of exactly the frame.
     */
    private static void checkValidatorAndDecoders(final byte[] input, final Direction direction, final int placement)
    {
        for (int available = Math.max(0, input.length - 12); available <= input.length; available++)
        {
            final int expected = ReferenceFrameModel.validate(input, available, direction);
            final int actual = FrameValidator.validate(window(input, available, placement), 0, available, direction);

            assertThat(FrameValidator.name(actual))
                .as("validate(%d of %d bytes, %s) of %s", available, input.length, direction, hex(input))
                .isEqualTo(FrameValidator.name(expected));
            final int reason = FrameValidator.reasonCode(actual);
            assertThat(reason).isIn(ReasonCode.OK, ReasonCode.MALFORMED_FRAME);
            final String description = FrameValidator.describe(actual, available >= 2 ? ReferenceFrameModel.u16(input, 0) : -1,
                available >= 3 ? input[2] & 0xFF : -1, available >= 4 ? input[3] & 0xFF : -1,
                available >= 12 ? ReferenceFrameModel.u16(input, 10) : -1);
            assertThat(description).isNotEmpty();
            assertThat(description.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(256);

            if (actual == FrameValidator.VALID)
            {
                final int frameBytes = ReferenceFrameModel.u16(input, 0) + 2;
                assertThat(frameBytes).isLessThanOrEqualTo(available);
                final byte[] frame = Arrays.copyOf(input, frameBytes);
                assertDecodesFields(frame, window(input, frameBytes, placement));
            }
        }
    }

    /**
     * Decodes every field of a valid frame through its type's decoder and compares each with the bytes at the
     * offsets PROTOCOL.md gives (literal numbers, little-endian).
     */
    private static void assertDecodesFields(final byte[] f, final DirectBuffer buffer)
    {
        final int type = f[3] & 0xFF;
        final int correlation = ReferenceFrameModel.i32(f, 4);
        final int body = 8;
        switch (type)
        {
            case 0x01:
            {
                final LogonDecoder d = new LogonDecoder().wrap(buffer, 0);
                assertThat(d.correlation()).isEqualTo(correlation);
                assertThat(d.terminalId()).isEqualTo(ReferenceFrameModel.i64(f, body));
                assertThat(d.timestampMs()).isEqualTo(ReferenceFrameModel.i64(f, body + 8));
                assertThat(d.nonceLow()).isEqualTo(ReferenceFrameModel.i64(f, body + 16));
                assertThat(d.nonceHigh()).isEqualTo(ReferenceFrameModel.i64(f, body + 24));
                final byte[] nonce = new byte[16];
                d.getNonce(nonce, 0);
                assertThat(nonce).isEqualTo(Arrays.copyOfRange(f, body + 16, body + 32));
                final byte[] mac = new byte[32];
                d.getMac(mac, 0);
                assertThat(mac).isEqualTo(Arrays.copyOfRange(f, body + 32, body + 64));
                assertThat(d.encodedLength()).isEqualTo(f.length);
                break;
            }
            case 0x02:
            {
                final TapDecoder d = new TapDecoder().wrap(buffer, 0);
                assertThat(d.correlation()).isEqualTo(correlation);
                assertThat(d.cardId()).isEqualTo(ReferenceFrameModel.i64(f, body));
                assertThat(d.programId()).isEqualTo(ReferenceFrameModel.i32(f, body + 8) & 0xFFFF_FFFFL);
                assertThat(d.quantity()).isEqualTo(ReferenceFrameModel.u16(f, body + 12));
                assertThat(d.flags()).isEqualTo(ReferenceFrameModel.u16(f, body + 14));
                assertThat(d.isOfflineAdvice()).isEqualTo((f[body + 14] & 1) != 0);
                assertThat(d.hasUnknownFlags()).isEqualTo((ReferenceFrameModel.u16(f, body + 14) & ~1) != 0);
                assertThat(d.terminalTimeMs()).isEqualTo(ReferenceFrameModel.i64(f, body + 16));
                assertThat(FrameValidator.reasonCode(FrameValidator.validateTapContent(buffer, 0)))
                    .isIn(ReasonCode.OK, ReasonCode.INVALID_REQUEST);
                assertThat(d.encodedLength()).isEqualTo(f.length);
                break;
            }
            case 0x03:
            {
                final ReversalDecoder d = new ReversalDecoder().wrap(buffer, 0);
                assertThat(d.correlation()).isEqualTo(correlation);
                assertThat(d.originalCorrelation()).isEqualTo(ReferenceFrameModel.i32(f, body));
                assertThat(d.cardId()).isEqualTo(ReferenceFrameModel.i64(f, body + 8));
                assertThat(d.encodedLength()).isEqualTo(f.length);
                break;
            }
            case 0x04:
            {
                final BalanceDecoder d = new BalanceDecoder().wrap(buffer, 0);
                assertThat(d.correlation()).isEqualTo(correlation);
                assertThat(d.cardId()).isEqualTo(ReferenceFrameModel.i64(f, body));
                assertThat(d.encodedLength()).isEqualTo(f.length);
                break;
            }
            case 0x05:
            {
                final HeartbeatDecoder d = new HeartbeatDecoder().wrap(buffer, 0);
                assertThat(d.correlation()).isEqualTo(correlation);
                assertThat(d.timestampMs()).isEqualTo(ReferenceFrameModel.i64(f, body));
                assertThat(d.encodedLength()).isEqualTo(f.length);
                break;
            }
            case 0x81:
            {
                final LogonResultDecoder d = new LogonResultDecoder().wrap(buffer, 0);
                assertThat(d.correlation()).isEqualTo(correlation);
                assertThat(d.result()).isEqualTo(f[body] & 0xFF);
                assertThat(d.heartbeatMs()).isEqualTo(ReferenceFrameModel.i32(f, body + 4) & 0xFFFF_FFFFL);
                assertThat(d.serverTimeMs()).isEqualTo(ReferenceFrameModel.i64(f, body + 8));
                assertThat(d.encodedLength()).isEqualTo(f.length);
                break;
            }
            case 0x82:
            {
                final TapResultDecoder d = new TapResultDecoder().wrap(buffer, 0);
                assertThat(d.correlation()).isEqualTo(correlation);
                assertThat(d.decision()).isEqualTo(f[body] & 0xFF);
                assertThat(d.reason()).isEqualTo(f[body + 1] & 0xFF);
                assertThat(d.remaining()).isEqualTo(ReferenceFrameModel.i32(f, body + 4));
                assertThat(d.receipt()).isEqualTo(ReferenceFrameModel.i64(f, body + 8));
                assertThat(d.encodedLength()).isEqualTo(f.length);
                break;
            }
            case 0x83:
            {
                final ReversalResultDecoder d = new ReversalResultDecoder().wrap(buffer, 0);
                assertThat(d.correlation()).isEqualTo(correlation);
                assertThat(d.decision()).isEqualTo(f[body] & 0xFF);
                assertThat(d.reason()).isEqualTo(f[body + 1] & 0xFF);
                assertThat(d.remaining()).isEqualTo(ReferenceFrameModel.i32(f, body + 4));
                assertThat(d.receipt()).isEqualTo(ReferenceFrameModel.i64(f, body + 8));
                assertThat(d.encodedLength()).isEqualTo(f.length);
                break;
            }
            case 0x84:
            {
                final BalanceResultDecoder d = new BalanceResultDecoder().wrap(buffer, 0);
                assertThat(d.correlation()).isEqualTo(correlation);
                assertThat(d.decision()).isEqualTo(f[body] & 0xFF);
                assertThat(d.reason()).isEqualTo(f[body + 1] & 0xFF);
                final int count = ReferenceFrameModel.u16(f, body + 2);
                assertThat(d.count()).isEqualTo(count);
                for (int i = 0; i < count; i++)
                {
                    final int entry = body + 4 + 16 * i;
                    assertThat(d.programId(i)).isEqualTo(ReferenceFrameModel.i32(f, entry) & 0xFFFF_FFFFL);
                    assertThat(d.remaining(i)).isEqualTo(ReferenceFrameModel.i32(f, entry + 4));
                    assertThat(d.quota(i)).isEqualTo(ReferenceFrameModel.i32(f, entry + 8));
                }
                assertThat(d.encodedLength()).isEqualTo(f.length);
                break;
            }
            case 0x85:
            {
                final HeartbeatResultDecoder d = new HeartbeatResultDecoder().wrap(buffer, 0);
                assertThat(d.correlation()).isEqualTo(correlation);
                assertThat(d.timestampMs()).isEqualTo(ReferenceFrameModel.i64(f, body));
                assertThat(d.encodedLength()).isEqualTo(f.length);
                break;
            }
            case 0x7F:
            {
                final ErrorDecoder d = new ErrorDecoder().wrap(buffer, 0);
                assertThat(d.correlation()).isEqualTo(correlation);
                assertThat(d.code()).isEqualTo(ReferenceFrameModel.u16(f, body));
                final int detailLength = ReferenceFrameModel.u16(f, body + 2);
                assertThat(d.detailLength()).isEqualTo(detailLength);
                final UnsafeBuffer detail = new UnsafeBuffer(new byte[detailLength]);
                assertThat(d.getDetail(detail, 0)).isEqualTo(detailLength);
                assertThat(detail.byteArray()).isEqualTo(Arrays.copyOfRange(f, body + 4, body + 4 + detailLength));
                assertThat(d.detail()).isEqualTo(new String(detail.byteArray(), StandardCharsets.UTF_8));
                assertThat(d.encodedLength()).isEqualTo(f.length);
                break;
            }
            default:
                throw new AssertionError("validator accepted unknown type " + type);
        }
    }

    // ============================================================================================= generators

    @Provide
    Arbitrary<Integer> types()
    {
        return Arbitraries.oneOf(
            Arbitraries.of(0x01, 0x02, 0x03, 0x04, 0x05, 0x81, 0x82, 0x83, 0x84, 0x85, 0x7F, 0x00, 0x06, 0x80, 0xFF),
            Arbitraries.integers().between(0, 255));
    }

    @Provide
    Arbitrary<Integer> flags()
    {
        return Arbitraries.oneOf(Arbitraries.of(0, 1), Arbitraries.integers().between(0, 0xFFFF));
    }

    /**
     * @return a valid frame of any of the 11 types, with random fields, made by the production encoders.
     */
    @Provide
    Arbitrary<byte[]> validFrames()
    {
        return Combinators.combine(
            Arbitraries.integers().between(0, 10),
            Arbitraries.integers(),
            Arbitraries.longs(),
            Arbitraries.longs(),
            Arbitraries.integers(),
            Arbitraries.integers().between(0, 64),
            Arbitraries.bytes().array(byte[].class).ofSize(32),
            Arbitraries.strings().ofMaxLength(300))
            .as(FrameFuzzTest::encode);
    }

    private static byte[] encode(
        final int kind, final int correlation, final long a, final long b, final int c, final int count,
        final byte[] bytes, final String text)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
        final int frameBytes;
        switch (kind)
        {
            case 0:
                frameBytes = new LogonEncoder().wrap(buffer, 0).correlation(correlation).terminalId(a).timestampMs(b)
                    .nonce(bytes, 0).mac(bytes, 0).encodedLength();
                break;
            case 1:
                frameBytes = new TapEncoder().wrap(buffer, 0).correlation(correlation).cardId(a)
                    .programId(c & 0xFFFF_FFFFL).quantity(count % 3 == 0 ? (int)(b & 0xFFFF) : 1 + count)
                    .flags(count % 5 == 0 ? (int)(b >>> 16) & 0xFFFF : count & 1).terminalTimeMs(b).encodedLength();
                break;
            case 2:
                frameBytes = new ReversalEncoder().wrap(buffer, 0).correlation(correlation).originalCorrelation(c)
                    .cardId(a).encodedLength();
                break;
            case 3:
                frameBytes = new BalanceEncoder().wrap(buffer, 0).correlation(correlation).cardId(a).encodedLength();
                break;
            case 4:
                frameBytes = new HeartbeatEncoder().wrap(buffer, 0).correlation(correlation).timestampMs(a)
                    .encodedLength();
                break;
            case 5:
                frameBytes = new LogonResultEncoder().wrap(buffer, 0).correlation(correlation).result(count % 19)
                    .heartbeatMs(c & 0x7FFF_FFFFL).serverTimeMs(a).encodedLength();
                break;
            case 6:
                frameBytes = new TapResultEncoder().wrap(buffer, 0).correlation(correlation).decision(count % 3)
                    .reason(count % 19).remaining(c).receipt(a).encodedLength();
                break;
            case 7:
                frameBytes = new ReversalResultEncoder().wrap(buffer, 0).correlation(correlation).decision(count % 3)
                    .reason(count % 19).remaining(c).receipt(a).encodedLength();
                break;
            case 8:
            {
                final BalanceResultEncoder encoder = new BalanceResultEncoder().wrap(buffer, 0).correlation(correlation)
                    .decision(count % 3).reason(count % 19).count(count);
                for (int i = 0; i < count; i++)
                {
                    encoder.entry(i, (a + i) & 0xFFFF_FFFFL, c + i, (int)b - i);
                }
                frameBytes = encoder.encodedLength();
                break;
            }
            case 9:
                frameBytes = new HeartbeatResultEncoder().wrap(buffer, 0).correlation(correlation).timestampMs(a)
                    .encodedLength();
                break;
            default:
                frameBytes = new ErrorEncoder().wrap(buffer, 0).correlation(correlation).code(count % 19).detail(text)
                    .encodedLength();
                break;
        }
        final byte[] frame = new byte[frameBytes];
        buffer.getBytes(0, frame);
        return frame;
    }

    /**
     * @return up to 4 mutations {kind, position (1/10000ths of the frame), value}.
     */
    @Provide
    Arbitrary<List<int[]>> mutations()
    {
        return Combinators.combine(
            Arbitraries.integers().between(0, 8),
            Arbitraries.integers().between(0, 10_000),
            Arbitraries.integers().between(0, 0xFFFF))
            .as((kind, position, value) -> new int[]{kind, position, value})
            .list().ofMinSize(1).ofMaxSize(4);
    }

    private static byte[] mutate(final byte[] frame, final List<int[]> mutations)
    {
        byte[] bytes = frame.clone();
        for (final int[] mutation : mutations)
        {
            final int value = mutation[2];
            final int position = bytes.length == 0 ? 0 : (int)((long)mutation[1] * (bytes.length - 1) / 10_000);
            switch (mutation[0])
            {
                case 0:
                    if (bytes.length > 0)
                    {
                        bytes[position] = (byte)value;
                    }
                    break;
                case 1:
                    if (bytes.length > 0)
                    {
                        bytes[position] ^= (byte)(1 << (value % 8));
                    }
                    break;
                case 2:
                    bytes = Arrays.copyOf(bytes, position);
                    break;
                case 3:
                {
                    final byte[] longer = new byte[bytes.length + 1];
                    System.arraycopy(bytes, 0, longer, 0, position);
                    longer[position] = (byte)value;
                    System.arraycopy(bytes, position, longer, position + 1, bytes.length - position);
                    bytes = longer;
                    break;
                }
                case 4:
                {
                    final int extra = value % 40;
                    bytes = Arrays.copyOf(bytes, bytes.length + extra);
                    Arrays.fill(bytes, bytes.length - extra, bytes.length, (byte)value);
                    break;
                }
                case 5:
                    putU16(bytes, 0, value % 3 == 0 ? value : (value % 3 == 1 ? 4094 + value % 3 : value % 8));
                    break;
                case 6:
                    if (bytes.length > 3)
                    {
                        bytes[3] = (byte)value;
                    }
                    break;
                case 7:
                    putU16(bytes, 10, value % 2 == 0 ? value : value % 300);
                    break;
                default:
                    if (bytes.length >= 2)
                    {
                        putU16(bytes, 0, bytes.length - 2 + (value % 5) - 2);
                    }
                    break;
            }
        }
        return bytes;
    }

    private static void putU16(final byte[] bytes, final int offset, final int value)
    {
        if (bytes.length >= offset + 2)
        {
            bytes[offset] = (byte)value;
            bytes[offset + 1] = (byte)(value >>> 8);
        }
    }

    // ================================================================================================ helpers

    /**
     * @return a buffer whose window is exactly input[0 .. lengthBytes), placed at an offset inside a larger array
     * filled with guard bytes, so a read outside the window throws.
     */
    private static UnsafeBuffer window(final byte[] input, final int lengthBytes, final int placement)
    {
        final byte[] backing = new byte[placement + lengthBytes + GUARD_BYTES];
        Arrays.fill(backing, GUARD);
        System.arraycopy(input, 0, backing, placement, lengthBytes);
        return new UnsafeBuffer(backing, placement, lengthBytes);
    }

    private static String strictUtf8(final byte[] bytes)
    {
        try
        {
            return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
        }
        catch (final CharacterCodingException ex)
        {
            throw new AssertionError("ERROR detail is not well-formed UTF-8: " + hex(bytes), ex);
        }
    }

    private static String hex(final byte[] bytes)
    {
        final StringBuilder sb = new StringBuilder(bytes.length * 2);
        for (int i = 0; i < Math.min(bytes.length, 80); i++)
        {
            sb.append(String.format("%02x", bytes[i]));
        }
        return bytes.length > 80 ? sb + "…(" + bytes.length + " bytes)" : sb.toString();
    }
}
