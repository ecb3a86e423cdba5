package io.tapswitch.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * Every message written by its encoder at any offset reads back through its decoder with the same field values,
 * forms a valid frame of the right type and size, and leaves the bytes around it untouched.
 */
class MessageRoundTripTest
{
    private static final int TRIES = 1000;
    private static final byte FILL = (byte)0xAA;

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[8192]);

    @Property(tries = TRIES)
    void shouldRoundTripLogon(
        @ForAll @IntRange(max = 64) final int offset,
        @ForAll final int correlation,
        @ForAll final long terminalId,
        @ForAll final long timestampMs,
        @ForAll @Size(value = 16) final byte[] nonce,
        @ForAll @Size(value = 32) final byte[] mac)
    {
        fill();
        final int length = new LogonEncoder().wrap(buffer, offset)
            .correlation(correlation).terminalId(terminalId).timestampMs(timestampMs).nonce(nonce, 0).mac(mac, 0)
            .encodedLength();

        assertFrame(offset, length, MessageType.LOGON, correlation, Direction.REQUESTS);
        final LogonDecoder decoder = new LogonDecoder().wrap(buffer, offset);
        assertThat(decoder.correlation()).isEqualTo(correlation);
        assertThat(decoder.terminalId()).isEqualTo(terminalId);
        assertThat(decoder.timestampMs()).isEqualTo(timestampMs);
        final byte[] nonceOut = new byte[16];
        decoder.getNonce(nonceOut, 0);
        assertThat(nonceOut).isEqualTo(nonce);
        final byte[] macOut = new byte[32];
        decoder.getMac(macOut, 0);
        assertThat(macOut).isEqualTo(mac);
        assertThat(decoder.encodedLength()).isEqualTo(length);
    }

    @Property(tries = TRIES)
    void shouldRoundTripLogonResult(
        @ForAll @IntRange(max = 64) final int offset,
        @ForAll final int correlation,
        @ForAll @IntRange(max = 255) final int result,
        @ForAll @LongRange(max = 0xFFFF_FFFFL) final long heartbeatMs,
        @ForAll final long serverTimeMs)
    {
        fill();
        final int length = new LogonResultEncoder().wrap(buffer, offset)
            .correlation(correlation).result(result).heartbeatMs(heartbeatMs).serverTimeMs(serverTimeMs)
            .encodedLength();

        assertFrame(offset, length, MessageType.LOGON_RESULT, correlation, Direction.RESPONSES);
        assertPadIsZero(offset, 1, 3);
        final LogonResultDecoder decoder = new LogonResultDecoder().wrap(buffer, offset);
        assertThat(decoder.correlation()).isEqualTo(correlation);
        assertThat(decoder.result()).isEqualTo(result);
        assertThat(decoder.heartbeatMs()).isEqualTo(heartbeatMs);
        assertThat(decoder.serverTimeMs()).isEqualTo(serverTimeMs);
    }

    @Property(tries = TRIES)
    void shouldRoundTripTap(
        @ForAll @IntRange(max = 64) final int offset,
        @ForAll final int correlation,
        @ForAll final long cardId,
        @ForAll @LongRange(max = 0xFFFF_FFFFL) final long programId,
        @ForAll @IntRange(max = 0xFFFF) final int quantity,
        @ForAll @IntRange(max = 0xFFFF) final int flags,
        @ForAll final long terminalTimeMs)
    {
        fill();
        final int length = new TapEncoder().wrap(buffer, offset)
            .correlation(correlation).cardId(cardId).programId(programId).quantity(quantity).flags(flags)
            .terminalTimeMs(terminalTimeMs)
            .encodedLength();

        assertFrame(offset, length, MessageType.TAP, correlation, Direction.REQUESTS);
        final TapDecoder decoder = new TapDecoder().wrap(buffer, offset);
        assertThat(decoder.correlation()).isEqualTo(correlation);
        assertThat(decoder.cardId()).isEqualTo(cardId);
        assertThat(decoder.programId()).isEqualTo(programId);
        assertThat(decoder.quantity()).isEqualTo(quantity);
        assertThat(decoder.flags()).isEqualTo(flags);
        assertThat(decoder.terminalTimeMs()).isEqualTo(terminalTimeMs);
        assertThat(decoder.isOfflineAdvice()).isEqualTo((flags & 1) != 0);
        assertThat(decoder.hasUnknownFlags()).isEqualTo((flags & ~1) != 0);
    }

    @Property(tries = TRIES)
    void shouldRoundTripTapResultAndReversalResult(
        @ForAll @IntRange(max = 64) final int offset,
        @ForAll final int correlation,
        @ForAll @IntRange(max = 255) final int decision,
        @ForAll @IntRange(max = 255) final int reason,
        @ForAll final int remaining,
        @ForAll final long receipt)
    {
        fill();
        final int length = new TapResultEncoder().wrap(buffer, offset)
            .correlation(correlation).decision(decision).reason(reason).remaining(remaining).receipt(receipt)
            .encodedLength();

        assertFrame(offset, length, MessageType.TAP_RESULT, correlation, Direction.RESPONSES);
        assertPadIsZero(offset, 2, 2);
        final TapResultDecoder decoder = new TapResultDecoder().wrap(buffer, offset);
        assertThat(decoder.correlation()).isEqualTo(correlation);
        assertThat(decoder.decision()).isEqualTo(decision);
        assertThat(decoder.reason()).isEqualTo(reason);
        assertThat(decoder.remaining()).isEqualTo(remaining);
        assertThat(decoder.receipt()).isEqualTo(receipt);

        fill();
        new ReversalResultEncoder().wrap(buffer, offset)
            .correlation(correlation).decision(decision).reason(reason).remaining(remaining).receipt(receipt);

        assertFrame(offset, length, MessageType.REVERSAL_RESULT, correlation, Direction.RESPONSES);
        assertPadIsZero(offset, 2, 2);
        final ReversalResultDecoder reversalDecoder = new ReversalResultDecoder().wrap(buffer, offset);
        assertThat(reversalDecoder.correlation()).isEqualTo(correlation);
        assertThat(reversalDecoder.decision()).isEqualTo(decision);
        assertThat(reversalDecoder.reason()).isEqualTo(reason);
        assertThat(reversalDecoder.remaining()).isEqualTo(remaining);
        assertThat(reversalDecoder.receipt()).isEqualTo(receipt);
    }

    @Property(tries = TRIES)
    void shouldRoundTripReversal(
        @ForAll @IntRange(max = 64) final int offset,
        @ForAll final int correlation,
        @ForAll final int originalCorrelation,
        @ForAll final long cardId)
    {
        fill();
        final int length = new ReversalEncoder().wrap(buffer, offset)
            .correlation(correlation).originalCorrelation(originalCorrelation).cardId(cardId)
            .encodedLength();

        assertFrame(offset, length, MessageType.REVERSAL, correlation, Direction.REQUESTS);
        assertPadIsZero(offset, 4, 4);
        final ReversalDecoder decoder = new ReversalDecoder().wrap(buffer, offset);
        assertThat(decoder.correlation()).isEqualTo(correlation);
        assertThat(decoder.originalCorrelation()).isEqualTo(originalCorrelation);
        assertThat(decoder.cardId()).isEqualTo(cardId);
    }

    @Property(tries = TRIES)
    void shouldRoundTripBalance(
        @ForAll @IntRange(max = 64) final int offset,
        @ForAll final int correlation,
        @ForAll final long cardId)
    {
        fill();
        final int length = new BalanceEncoder().wrap(buffer, offset).correlation(correlation).cardId(cardId)
            .encodedLength();

        assertFrame(offset, length, MessageType.BALANCE, correlation, Direction.REQUESTS);
        final BalanceDecoder decoder = new BalanceDecoder().wrap(buffer, offset);
        assertThat(decoder.correlation()).isEqualTo(correlation);
        assertThat(decoder.cardId()).isEqualTo(cardId);
    }

    @Property(tries = TRIES)
    void shouldRoundTripBalanceResultWithAnyNumberOfEntries(
        @ForAll @IntRange(max = 64) final int offset,
        @ForAll final int correlation,
        @ForAll @IntRange(max = 255) final int decision,
        @ForAll @IntRange(max = 255) final int reason,
        @ForAll("entries") final List<long[]> entries)
    {
        fill();
        final BalanceResultEncoder encoder = new BalanceResultEncoder().wrap(buffer, offset)
            .correlation(correlation).decision(decision).reason(reason);
        for (int i = 0; i < entries.size(); i++)
        {
            final long[] entry = entries.get(i);
            encoder.entry(i, entry[0], (int)entry[1], (int)entry[2]);
        }
        final int length = encoder.count(entries.size()).encodedLength();

        assertThat(length).isEqualTo(BalanceResultEncoder.frameLength(entries.size()));
        assertFrame(offset, length, MessageType.BALANCE_RESULT, correlation, Direction.RESPONSES);
        final BalanceResultDecoder decoder = new BalanceResultDecoder().wrap(buffer, offset);
        assertThat(decoder.correlation()).isEqualTo(correlation);
        assertThat(decoder.decision()).isEqualTo(decision);
        assertThat(decoder.reason()).isEqualTo(reason);
        assertThat(decoder.count()).isEqualTo(entries.size());
        assertThat(decoder.encodedLength()).isEqualTo(length);
        for (int i = 0; i < entries.size(); i++)
        {
            final long[] entry = entries.get(i);
            assertThat(decoder.programId(i)).isEqualTo(entry[0]);
            assertThat(decoder.remaining(i)).isEqualTo((int)entry[1]);
            assertThat(decoder.quota(i)).isEqualTo((int)entry[2]);
            final int padOffset = FrameHeader.BODY_OFFSET + Messages.BalanceResult.ENTRIES_OFFSET +
                i * Messages.BalanceResult.ENTRY_BYTES + 12;
            assertPadIsZero(offset, padOffset - FrameHeader.BODY_OFFSET, 4);
        }
    }

    @Provide
    Arbitrary<List<long[]>> entries()
    {
        final Arbitrary<long[]> entry = Combinators.combine(
            Arbitraries.longs().between(0, 0xFFFF_FFFFL),
            Arbitraries.integers(),
            Arbitraries.integers())
            .as((programId, remaining, quota) -> new long[] {programId, remaining, quota});
        return entry.list().ofMinSize(0).ofMaxSize(Messages.BalanceResult.MAX_COUNT);
    }

    @Property(tries = TRIES)
    void shouldRoundTripHeartbeatAndItsResult(
        @ForAll @IntRange(max = 64) final int offset,
        @ForAll final int correlation,
        @ForAll final long timestampMs)
    {
        fill();
        final int length = new HeartbeatEncoder().wrap(buffer, offset)
            .correlation(correlation).timestampMs(timestampMs).encodedLength();
        assertFrame(offset, length, MessageType.HEARTBEAT, correlation, Direction.REQUESTS);
        final HeartbeatDecoder decoder = new HeartbeatDecoder().wrap(buffer, offset);
        assertThat(decoder.correlation()).isEqualTo(correlation);
        assertThat(decoder.timestampMs()).isEqualTo(timestampMs);

        fill();
        new HeartbeatResultEncoder().wrap(buffer, offset).correlation(correlation).timestampMs(timestampMs);
        assertFrame(offset, length, MessageType.HEARTBEAT_RESULT, correlation, Direction.RESPONSES);
        final HeartbeatResultDecoder resultDecoder = new HeartbeatResultDecoder().wrap(buffer, offset);
        assertThat(resultDecoder.correlation()).isEqualTo(correlation);
        assertThat(resultDecoder.timestampMs()).isEqualTo(timestampMs);
    }

    @Property(tries = TRIES)
    void shouldRoundTripErrorWithUtf8DetailCutAtAWholeCharacter(
        @ForAll @IntRange(max = 64) final int offset,
        @ForAll final int correlation,
        @ForAll @IntRange(max = ReasonCode.COUNT - 1) final int code,
        @ForAll @Size(max = 300) final String detail)
    {
        fill();
        final int length = new ErrorEncoder().wrap(buffer, offset)
            .correlation(correlation).code(code).detail(detail).encodedLength();

        final byte[] expected = utf8CutAt256(detail);
        assertThat(length).isEqualTo(FrameHeader.HEADER_BYTES + Messages.Error.DETAIL_OFFSET + expected.length);
        assertFrame(offset, length, MessageType.ERROR, correlation, Direction.RESPONSES);
        final ErrorDecoder decoder = new ErrorDecoder().wrap(buffer, offset);
        assertThat(decoder.correlation()).isEqualTo(correlation);
        assertThat(decoder.code()).isEqualTo(code);
        assertThat(decoder.detailLength()).isEqualTo(expected.length);
        final UnsafeBuffer detailBytes = new UnsafeBuffer(new byte[expected.length]);
        assertThat(decoder.getDetail(detailBytes, 0)).isEqualTo(expected.length);
        assertThat(detailBytes.byteArray()).isEqualTo(expected);
        assertThat(decoder.detail()).isEqualTo(new String(expected, StandardCharsets.UTF_8));
    }

    @Test
    void shouldEncodeCyrillicDetailAsUtf8()
    {
        final int length = new ErrorEncoder().wrap(buffer, 0)
            .code(ReasonCode.SYSTEM_ERROR).detail("збій").encodedLength();

        assertThat(length).isEqualTo(FrameHeader.HEADER_BYTES + 4 + 8);
        assertThat(new ErrorDecoder().wrap(buffer, 0).detail()).isEqualTo("збій");
    }

    @Test
    void shouldCopyRawDetailBytesAndRefuseMoreThan256()
    {
        final UnsafeBuffer source = new UnsafeBuffer("abc".getBytes(StandardCharsets.US_ASCII));
        final ErrorEncoder encoder = new ErrorEncoder().wrap(buffer, 0).detail(source, 0, 3);

        assertThat(new ErrorDecoder().wrap(buffer, 0).detail()).isEqualTo("abc");
        assertThatThrownBy(() -> encoder.detail(new UnsafeBuffer(new byte[300]), 0, 257))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("257");
    }

    @Test
    void shouldRefuseABalanceResultCountOrEntryOutOfRange()
    {
        final BalanceResultEncoder encoder = new BalanceResultEncoder().wrap(buffer, 0);

        assertThatThrownBy(() -> encoder.count(65)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("65");
        assertThatThrownBy(() -> encoder.entry(64, 1, 1, 1)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("64");
    }

    private void fill()
    {
        buffer.setMemory(0, buffer.capacity(), FILL);
    }

    private void assertFrame(
        final int offset, final int length, final int type, final int correlation, final Direction direction)
    {
        assertThat(FrameValidator.validate(buffer, offset, length, direction)).isEqualTo(FrameValidator.VALID);
        assertThat(FrameHeader.frameLength(buffer, offset)).isEqualTo(length);
        assertThat(FrameHeader.version(buffer, offset)).isEqualTo(1);
        assertThat(FrameHeader.type(buffer, offset)).isEqualTo(type);
        assertThat(FrameHeader.correlation(buffer, offset)).isEqualTo(correlation);
        for (int i = 0; i < offset; i++)
        {
            assertThat(buffer.getByte(i)).as("byte %d before the frame", i).isEqualTo(FILL);
        }
        for (int i = offset + length; i < offset + length + 64; i++)
        {
            assertThat(buffer.getByte(i)).as("byte %d after the frame", i).isEqualTo(FILL);
        }
    }

    private void assertPadIsZero(final int frameOffset, final int bodyOffset, final int lengthBytes)
    {
        for (int i = 0; i < lengthBytes; i++)
        {
            assertThat(buffer.getByte(frameOffset + FrameHeader.BODY_OFFSET + bodyOffset + i))
                .as("pad byte %d", bodyOffset + i).isZero();
        }
    }

    /**
     * Independent of the encoder: the JDK's UTF-8 encoding of each whole code point, kept while the total fits
     * 256 bytes; a lone surrogate becomes '?' as {@link String#getBytes} does.
     */
    private static byte[] utf8CutAt256(final String text)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < text.length())
        {
            final int codePoint = text.codePointAt(i);
            final byte[] encoded = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8);
            if (out.size() + encoded.length > Messages.Error.MAX_DETAIL_BYTES)
            {
                break;
            }
            out.writeBytes(encoded);
            i += Character.charCount(codePoint);
        }
        return Arrays.copyOf(out.toByteArray(), out.size());
    }
}
