package io.tapswitch.switching.pipeline;

import java.nio.ByteBuffer;

import io.tapswitch.protocol.FrameHeader;
import io.tapswitch.protocol.MessageType;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.switching.metrics.Counters;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

/**
 * The held-answer stage of the pipeline: the answers (and session control records) the engine thread produced,
 * held in decision order until the {@link LocalCommit} says the journal records of their batch are durable, then
 * released to the response rings of their event loops, whose loops are woken once per release.
 * <p>
 * Layout: one buffer of entries {@code [type, loop, length, frame]}; {@code [0, releasedTo)} released,
 * {@code [releasedTo, markedTo)} in batches waiting for their commit (each with where it ends, its commit token and
 * since when it waits, oldest first), {@code [markedTo, length)} the batch being decided. What is held is moved to
 * the start of the buffer after each release ({@link #compact()}).
 * <p>
 * Invariant: an answer leaves only through {@link #releaseAll()} (its batch committed on write or on the engine
 * thread), {@link #releaseCommitted} (its token committed) or {@link #releaseAllAsSystemError} (a journal fault:
 * every held answer becomes ERROR SYSTEM_ERROR, so nothing undecided looks decided). Never dropped: a full response
 * ring is waited for (the request ring fills meanwhile and sheds BUSY) until {@link #stopWaiting()}.
 * <p>
 * Not thread-safe: the engine thread; {@link #stopWaiting()} from any thread. Allocates nothing after construction.
 */
final class HeldAnswers
{
    /** Bytes of answers held; a fuller batch is committed early. */
    static final int CAPACITY = 1 << 20;
    /** Batches waiting for their commit at most; then the engine thread waits for the oldest. */
    static final int MAX_PENDING_BATCHES = 4096;
    private static final int TYPE_OFFSET = 0;
    private static final int LOOP_OFFSET = 4;
    private static final int LENGTH_OFFSET = 8;
    private static final int HEADER = 16;
    private static final int SCRATCH_CAPACITY = 8192;

    private final OneToOneRingBuffer[] responses;
    private final Runnable[] wakers;
    private final boolean[] touched;
    private final Counters counters;
    private final IdleStrategy ringFullIdle;
    private final LocalAnswers localAnswers = new LocalAnswers();
    private final UnsafeBuffer stage = new UnsafeBuffer(ByteBuffer.allocateDirect(CAPACITY));
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer scratch = new UnsafeBuffer(ByteBuffer.allocateDirect(SCRATCH_CAPACITY));
    private int length;
    private int releasedTo;
    private int markedTo;
    private final int[] pendingEnds = new int[MAX_PENDING_BATCHES];
    private final long[] pendingTokens = new long[MAX_PENDING_BATCHES];
    private final long[] pendingSinceNs = new long[MAX_PENDING_BATCHES];
    private int pendingHead;
    private int pendingCount;
    private volatile boolean running = true;

    /**
     * @param responses    one response ring per event loop, by loop index.
     * @param wakers       one task per event loop that schedules its response drain (idempotent).
     * @param counters     counts full response rings and answers rewritten as SYSTEM_ERROR.
     * @param ringFullIdle how the engine thread waits for a full response ring (and, in the agent, for a commit).
     */
    HeldAnswers(
        final OneToOneRingBuffer[] responses, final Runnable[] wakers, final Counters counters,
        final IdleStrategy ringFullIdle)
    {
        this.responses = responses;
        this.wakers = wakers;
        this.touched = new boolean[responses.length];
        this.counters = counters;
        this.ringFullIdle = ringFullIdle;
    }

    /**
     * @return true when an entry of {@code length} bytes can be held now.
     */
    boolean fits(final int length)
    {
        return this.length + entryLength(length) <= CAPACITY;
    }

    /**
     * Holds an answer (or a control record) of the batch being decided; the caller made room ({@link #fits}).
     */
    void hold(final int msgTypeId, final int loopIndex, final DirectBuffer buffer, final int length)
    {
        final int at = this.length;
        stage.putInt(at + TYPE_OFFSET, msgTypeId);
        stage.putInt(at + LOOP_OFFSET, loopIndex);
        stage.putInt(at + LENGTH_OFFSET, length);
        stage.putBytes(at + HEADER, buffer, 0, length);
        this.length = at + entryLength(length);
    }

    /**
     * @return true when the batch being decided holds nothing.
     */
    boolean batchEmpty()
    {
        return length == markedTo;
    }

    /**
     * The batch being decided is committed already (on write, or on the engine thread), and nothing waits before
     * it: releases everything held.
     */
    void releaseAll()
    {
        release(length);
        markedTo = length;
        compact();
    }

    /**
     * The batch being decided waits for the commit of {@code token}; the next batch starts. The caller checked that
     * fewer than {@link #MAX_PENDING_BATCHES} wait.
     */
    void holdUntil(final long token)
    {
        final int tail = (pendingHead + pendingCount) % MAX_PENDING_BATCHES;
        pendingEnds[tail] = length;
        pendingTokens[tail] = token;
        pendingSinceNs[tail] = System.nanoTime();
        pendingCount++;
        markedTo = length;
    }

    /**
     * @return batches waiting for their commit.
     */
    int pendingBatches()
    {
        return pendingCount;
    }

    /**
     * @return the commit token of the oldest batch waiting (only while {@link #pendingBatches()} &gt; 0).
     */
    long oldestToken()
    {
        return pendingTokens[pendingHead];
    }

    /**
     * @return {@link System#nanoTime()} when the oldest batch waiting began to wait.
     */
    long oldestSinceNs()
    {
        return pendingSinceNs[pendingHead];
    }

    /**
     * Releases, oldest first, every waiting batch whose token is at most {@code committedToken}.
     *
     * @return batches released.
     */
    int releaseCommitted(final long committedToken)
    {
        int released = 0;
        while (pendingCount > 0 && pendingTokens[pendingHead] <= committedToken)
        {
            release(pendingEnds[pendingHead]);
            pendingHead = (pendingHead + 1) % MAX_PENDING_BATCHES;
            pendingCount--;
            released++;
        }
        if (released > 0)
        {
            compact();
        }
        return released;
    }

    /**
     * Releases everything held, in order, each answer rewritten as ERROR SYSTEM_ERROR with its correlation
     * (LOGON_RESULT 18 for a LOGON; ERROR answers and control records unchanged); forgets the batches waiting for a
     * commit. After a journal fault: none of them is known durable.
     *
     * @param nowMs the switch time for a rewritten LOGON_RESULT.
     */
    void releaseAllAsSystemError(final long nowMs)
    {
        int offset = releasedTo;
        final int end = length;
        while (offset < end)
        {
            final int msgTypeId = stage.getInt(offset + TYPE_OFFSET);
            final int loopIndex = stage.getInt(offset + LOOP_OFFSET);
            final int entryLength = stage.getInt(offset + LENGTH_OFFSET);
            final int entry = offset + HEADER;
            offset += BitUtil.align(HEADER + entryLength, BitUtil.SIZE_OF_LONG);
            if (HandoffRecords.RESPONSE != msgTypeId)
            {
                view.wrap(stage, entry, entryLength);
                write(msgTypeId, loopIndex, view, entryLength);
                continue;
            }
            final int frame = entry + HandoffRecords.RESPONSE_FRAME_OFFSET;
            final int type = stage.getByte(frame + FrameHeader.TYPE_OFFSET) & 0xFF;
            if (MessageType.ERROR == type)
            {
                view.wrap(stage, entry, entryLength);
                write(msgTypeId, loopIndex, view, entryLength);
                continue;
            }
            final int correlation = FrameHeader.correlation(stage, frame);
            scratch.putBytes(0, stage, entry, HandoffRecords.RESPONSE_FRAME_OFFSET);
            scratch.putLong(HandoffRecords.RESPONSE_RELEASED_NS_OFFSET, System.nanoTime());
            final int frameLength = MessageType.LOGON_RESULT == type ?
                localAnswers.logonFailed(scratch, HandoffRecords.RESPONSE_FRAME_OFFSET, correlation,
                    ReasonCode.SYSTEM_ERROR, nowMs) :
                localAnswers.error(scratch, HandoffRecords.RESPONSE_FRAME_OFFSET, correlation, ReasonCode.SYSTEM_ERROR);
            counters.increment(Counters.JOURNAL_UNWRITABLE_ANSWERS);
            write(msgTypeId, loopIndex, scratch, HandoffRecords.RESPONSE_FRAME_OFFSET + frameLength);
        }
        releasedTo = end;
        markedTo = end;
        pendingCount = 0;
        pendingHead = 0;
        compact();
    }

    /**
     * Moves what is still held to the start of the buffer (usually nothing, or the batches of one or two commits).
     */
    void compact()
    {
        final int shift = releasedTo;
        if (0 == shift)
        {
            return;
        }
        final int held = length - shift;
        if (held > 0)
        {
            stage.putBytes(0, stage, shift, held);
        }
        for (int i = 0, p = pendingHead; i < pendingCount; i++, p = (p + 1) % MAX_PENDING_BATCHES)
        {
            pendingEnds[p] -= shift;
        }
        length = held;
        markedTo -= shift;
        releasedTo = 0;
    }

    /**
     * Releases the entries up to {@code end} to the rings of their event loops and wakes those loops at once: an
     * answer in a ring must never wait for whatever the engine thread does next (deciding a batch, a journal sync of
     * milliseconds, a snapshot) before its loop is told.
     */
    private void release(final int end)
    {
        int offset = releasedTo;
        if (offset >= end)
        {
            return;
        }
        final long releasedNs = System.nanoTime();
        while (offset < end)
        {
            final int entryLength = stage.getInt(offset + LENGTH_OFFSET);
            final int msgTypeId = stage.getInt(offset + TYPE_OFFSET);
            if (HandoffRecords.RESPONSE == msgTypeId)
            {
                stage.putLong(offset + HEADER + HandoffRecords.RESPONSE_RELEASED_NS_OFFSET, releasedNs);
            }
            view.wrap(stage, offset + HEADER, entryLength);
            write(msgTypeId, stage.getInt(offset + LOOP_OFFSET), view, entryLength);
            offset += BitUtil.align(HEADER + entryLength, BitUtil.SIZE_OF_LONG);
        }
        releasedTo = end;
        wakeTouchedLoops();
    }

    private void write(final int msgTypeId, final int loopIndex, final DirectBuffer buffer, final int length)
    {
        final OneToOneRingBuffer ring = responses[loopIndex];
        touched[loopIndex] = true;
        if (ring.write(msgTypeId, buffer, 0, length))
        {
            return;
        }

        // The loop is behind: wait for it (the request ring fills meanwhile and sheds BUSY); never drop.
        counters.increment(Counters.RESPONSE_RING_FULL);
        ringFullIdle.reset();
        while (!ring.write(msgTypeId, buffer, 0, length))
        {
            if (!running)
            {
                return;
            }
            wakers[loopIndex].run();
            ringFullIdle.idle();
        }
    }

    /**
     * Wakes the event loops that were given entries since the last wake.
     */
    void wakeTouchedLoops()
    {
        final boolean[] touched = this.touched;
        for (int i = 0; i < touched.length; i++)
        {
            if (touched[i])
            {
                touched[i] = false;
                wakers[i].run();
            }
        }
    }

    /**
     * @return false once {@link #stopWaiting()} was called: no wait for a full ring or a commit goes on.
     */
    boolean running()
    {
        return running;
    }

    /**
     * Lets a wait for a full response ring (or for a commit) give up (at shutdown). Any thread.
     */
    void stopWaiting()
    {
        running = false;
    }

    private static int entryLength(final int length)
    {
        return BitUtil.align(HEADER + length, BitUtil.SIZE_OF_LONG);
    }
}
