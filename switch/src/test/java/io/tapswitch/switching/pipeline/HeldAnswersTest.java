package io.tapswitch.switching.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.FrameHeader;
import io.tapswitch.protocol.LogonResultEncoder;
import io.tapswitch.protocol.MessageType;
import io.tapswitch.protocol.Messages;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.protocol.TapResultEncoder;
import io.tapswitch.switching.metrics.Counters;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The held-answer stage on real response rings: an answer leaves only once the commit token of its batch is
 * committed, in decision order, to its own loop's ring, whose loop is woken; after a journal fault every held answer
 * leaves as ERROR SYSTEM_ERROR with its correlation (LOGON_RESULT 18 for a LOGON), so no terminal is told of a
 * decision that may not be durable (PROTOCOL.md rules 4 and 14).
 */
class HeldAnswersTest
{
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final int LOOPS = 2;

    private final OneToOneRingBuffer[] rings = new OneToOneRingBuffer[LOOPS];
    private final int[] wakes = new int[LOOPS];
    private final Counters counters = new Counters();
    private final UnsafeBuffer out = new UnsafeBuffer(ByteBuffer.allocateDirect(256));
    private HeldAnswers held;

    @BeforeEach
    void setUp()
    {
        final Runnable[] wakers = new Runnable[LOOPS];
        for (int i = 0; i < LOOPS; i++)
        {
            rings[i] = new OneToOneRingBuffer(new UnsafeBuffer(
                ByteBuffer.allocateDirect((1 << 21) + RingBufferDescriptor.TRAILER_LENGTH)));
            final int loop = i;
            wakers[i] = () -> wakes[loop]++;
        }
        held = new HeldAnswers(rings, wakers, counters, new BusySpinIdleStrategy());
    }

    /** Holds a TAP_RESULT APPROVED with this correlation for the loop. */
    private void tapResult(final int loop, final int correlation)
    {
        final int length = new TapResultEncoder().wrap(out, HandoffRecords.RESPONSE_FRAME_OFFSET)
            .correlation(correlation).decision(Decision.APPROVED).reason(ReasonCode.OK).remaining(3).receipt(77)
            .encodedLength();
        out.putLong(HandoffRecords.CONNECTION_ID_OFFSET, HandoffRecords.connectionId(correlation, loop));
        held.hold(HandoffRecords.RESPONSE, loop, out, HandoffRecords.RESPONSE_FRAME_OFFSET + length);
    }

    /** What the loop's ring holds now: "type correlation code" per answer, drained. */
    private List<String> drain(final int loop)
    {
        final List<String> answers = new ArrayList<>();
        rings[loop].read((msgTypeId, buffer, index, length) ->
        {
            if (HandoffRecords.RESPONSE != msgTypeId)
            {
                answers.add("CLOSE " + buffer.getLong(index + HandoffRecords.CONNECTION_ID_OFFSET));
                return;
            }
            final int frame = index + HandoffRecords.RESPONSE_FRAME_OFFSET;
            final int type = buffer.getByte(frame + FrameHeader.TYPE_OFFSET) & 0xFF;
            final int body = frame + FrameHeader.BODY_OFFSET;
            final int code = MessageType.ERROR == type ?
                buffer.getShort(body + Messages.Error.CODE_OFFSET, LE) :
                MessageType.LOGON_RESULT == type ? buffer.getByte(body + Messages.LogonResult.RESULT_OFFSET) :
                buffer.getByte(body + Messages.TapResult.REASON_OFFSET);
            answers.add(MessageType.name(type) + " " + FrameHeader.correlation(buffer, frame) + " " + code);
        });
        return answers;
    }

    @Test
    void shouldReleaseABatchOnlyOnceItsTokenIsCommittedInDecisionOrder()
    {
        tapResult(0, 1);
        tapResult(1, 2);
        held.holdUntil(1);
        tapResult(0, 3);
        held.holdUntil(2);
        tapResult(0, 4);
        assertThat(held.pendingBatches()).isEqualTo(2);
        assertThat(held.oldestToken()).isEqualTo(1);
        assertThat(drain(0)).isEmpty();

        assertThat(held.releaseCommitted(0)).isZero();
        assertThat(drain(0)).isEmpty();
        assertThat(held.releaseCommitted(1)).isEqualTo(1);
        assertThat(drain(0)).containsExactly("TAP_RESULT 1 0");
        assertThat(drain(1)).containsExactly("TAP_RESULT 2 0");
        assertThat(wakes).containsExactly(1, 1);
        assertThat(held.oldestToken()).isEqualTo(2);

        assertThat(held.releaseCommitted(5)).isEqualTo(1);
        assertThat(drain(0)).as("the batch still being decided stays").containsExactly("TAP_RESULT 3 0");
        assertThat(held.batchEmpty()).isFalse();
        held.releaseAll();
        assertThat(drain(0)).containsExactly("TAP_RESULT 4 0");
        assertThat(held.batchEmpty()).isTrue();
        assertThat(held.pendingBatches()).isZero();
        assertThat(wakes).containsExactly(3, 1);
    }

    @Test
    void shouldReleaseEveryHeldAnswerAsSystemErrorAfterAJournalFault()
    {
        tapResult(0, 1);
        final int logon = new LogonResultEncoder().wrap(out, HandoffRecords.RESPONSE_FRAME_OFFSET).correlation(2)
            .result(ReasonCode.OK).heartbeatMs(30_000).serverTimeMs(5).encodedLength();
        held.hold(HandoffRecords.RESPONSE, 0, out, HandoffRecords.RESPONSE_FRAME_OFFSET + logon);
        held.holdUntil(1);
        final UnsafeBuffer control = new UnsafeBuffer(new byte[HandoffRecords.CONTROL_LENGTH]);
        control.putLong(HandoffRecords.CONNECTION_ID_OFFSET, 4242);
        held.hold(HandoffRecords.CLOSE, 0, control, HandoffRecords.CONTROL_LENGTH);
        final int error = new LocalAnswers().error(out, HandoffRecords.RESPONSE_FRAME_OFFSET, 3,
            ReasonCode.NOT_LOGGED_ON);
        held.hold(HandoffRecords.RESPONSE, 0, out, HandoffRecords.RESPONSE_FRAME_OFFSET + error);

        held.releaseAllAsSystemError(1_000);
        assertThat(drain(0)).containsExactly(
            "ERROR 1 " + ReasonCode.SYSTEM_ERROR,
            "LOGON_RESULT 2 " + ReasonCode.SYSTEM_ERROR,
            "CLOSE 4242",
            "ERROR 3 " + ReasonCode.NOT_LOGGED_ON);
        assertThat(held.pendingBatches()).isZero();
        assertThat(held.batchEmpty()).isTrue();
        assertThat(counters.get(Counters.JOURNAL_UNWRITABLE_ANSWERS)).as("the two decisions rewritten").isEqualTo(2);
        // nothing is released twice
        held.releaseAll();
        assertThat(drain(0)).isEmpty();
    }

    @Test
    void shouldTellWhenTheStageIsFull()
    {
        final int length = 4096;
        final UnsafeBuffer entry = new UnsafeBuffer(new byte[length]);
        int held = 0;
        while (this.held.fits(length))
        {
            this.held.hold(HandoffRecords.CLOSE, 0, entry, length);
            held++;
        }
        assertThat(held).isEqualTo(HeldAnswers.CAPACITY / (length + 16));
        this.held.holdUntil(1);
        this.held.releaseCommitted(1);
        assertThat(this.held.fits(length)).as("room again once released").isTrue();
    }
}
