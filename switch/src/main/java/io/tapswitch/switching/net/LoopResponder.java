package io.tapswitch.switching.net;

import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.tapswitch.protocol.FrameHeader;
import io.tapswitch.switching.metrics.Counters;
import io.tapswitch.switching.metrics.LatencyHistogram;
import io.tapswitch.switching.pipeline.EngineWaker;
import io.tapswitch.switching.pipeline.HandoffRecords;
import io.tapswitch.switching.pipeline.LocalAnswers;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The network side of one event loop: its connections, its response ring from the engine thread, and the
 * drain task that appends each response straight from the ring to its connection's pending output (in request
 * order) and writes and flushes each connection once per drain.
 * <p>
 * Latency ({@code tapswitch_authorization_latency_seconds}): a response's answer time is the time of the drain
 * that releases it (one clock read per drain, not per response; read again for a request received during the
 * drain itself), recorded into this loop's own {@link LatencyHistogram} (no clock read, CAS or lock per response).
 * <p>
 * Not thread-safe: owned by its event loop, except {@link #wake()} which the engine thread calls.
 */
public final class LoopResponder
{
    private static final int DRAIN_LIMIT = 4096;
    private static final long DISCONNECT_RETRY_MS = 1;
    private static final long RESCUE_PERIOD_MS = 10;
    private static final Logger LOGGER = LoggerFactory.getLogger(LoopResponder.class);
    private static final long HELD_ALARM_NS = TimeUnit.MILLISECONDS.toNanos(RESCUE_PERIOD_MS);

    private final int index;
    private final EventLoop eventLoop;
    private final ManyToOneRingBuffer requests;
    private final OneToOneRingBuffer responses;
    private final Counters counters = new Counters();
    private final LatencyHistogram latency = LatencyHistogram.authorization();
    private final EngineWaker engineWaker;
    private final AtomicBoolean wakeScheduled = new AtomicBoolean();
    /** Ring position up to which the engine thread's responses were followed by a {@link #wake()} call. */
    private final AtomicLong wokenUpTo = new AtomicLong();
    private final Runnable drainTask = this::drain;
    private final Runnable disconnectRetryTask = this::retryDisconnects;
    private final Long2ObjectHashMap<TerminalSession> sessions = new Long2ObjectHashMap<>();
    private final ArrayList<TerminalSession> dirty = new ArrayList<>();
    private final LongArrayList pendingDisconnects = new LongArrayList();
    private final byte[] scratch = new byte[FrameHeader.MAX_FRAME_BYTES];
    private final UnsafeBuffer frameView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer outView = new UnsafeBuffer(0, 0);
    private final LocalAnswers localAnswers = new LocalAnswers();
    private final UnsafeBuffer localAnswer = new UnsafeBuffer(new byte[LocalAnswers.MAX_LENGTH]);
    private final MessageHandler responseHandler = this::onResponse;
    private boolean disconnectRetryScheduled;
    private long drains;
    private long drainsAtRescueCheck;
    private boolean rescueArmed;
    private volatile boolean dropWakeUps;
    private long nextConnectionSequence = 1;
    private boolean drainClockRead;
    private long drainNs;

    public LoopResponder(
        final int index,
        final EventLoop eventLoop,
        final ManyToOneRingBuffer requests,
        final OneToOneRingBuffer responses,
        final EngineWaker engineWaker)
    {
        this.engineWaker = engineWaker;
        this.index = index;
        this.eventLoop = eventLoop;
        this.requests = requests;
        this.responses = responses;
    }

    public int index()
    {
        return index;
    }

    public EventLoop eventLoop()
    {
        return eventLoop;
    }

    public Counters counters()
    {
        return counters;
    }

    /**
     * @return this loop's part of {@code tapswitch_authorization_latency_seconds} (written by this loop only).
     */
    public LatencyHistogram latency()
    {
        return latency;
    }

    /**
     * Wakes the engine thread if it is parked (after a request was queued).
     */
    void wakeEngine()
    {
        engineWaker.wake();
    }

    ManyToOneRingBuffer requests()
    {
        return requests;
    }

    /**
     * @return this loop's writer of local answers (BUSY, HEARTBEAT_RESULT, ERROR, a refused LOGON); loop thread.
     */
    LocalAnswers localAnswers()
    {
        return localAnswers;
    }

    /**
     * @return the scratch buffer {@link #localAnswers()} writes into (at offset 0) before {@link #copy}; loop thread.
     */
    UnsafeBuffer localAnswer()
    {
        return localAnswer;
    }

    byte[] scratch()
    {
        return scratch;
    }

    /**
     * @return a view for pointing at a frame's memory (event loop only).
     */
    UnsafeBuffer frameView()
    {
        return frameView;
    }

    /**
     * Appends {@code length} bytes at {@code offset} of {@code src} to {@code dst}: one copy straight into the
     * buffer's memory when it has an address or an array, through the scratch array otherwise.
     */
    void copy(final DirectBuffer src, final int offset, final ByteBuf dst, final int length)
    {
        dst.ensureWritable(length);
        final int writerIndex = dst.writerIndex();
        if (dst.hasMemoryAddress())
        {
            outView.wrap(dst.memoryAddress() + writerIndex, length);
            src.getBytes(offset, outView, 0, length);
            outView.wrap(0, 0);
        }
        else if (dst.hasArray())
        {
            src.getBytes(offset, dst.array(), dst.arrayOffset() + writerIndex, length);
        }
        else
        {
            src.getBytes(offset, scratch, 0, length);
            dst.setBytes(writerIndex, scratch, 0, length);
        }
        dst.writerIndex(writerIndex + length);
    }

    /**
     * Schedules a drain of the response ring on the event loop, unless one is already scheduled. Called by the
     * engine thread once per batch.
     */
    public void wake()
    {
        // Dekker with drain(): the ring write before this call is only a release store, which the CPU may order
        // after the read of the flag below; then a drain that is just clearing the flag could miss the response
        // and no drain would follow (a lost wake-up: with one request in flight the connection waits forever).
        // A full fence orders the response before the flag is read; drain() clears the flag before reading.
        VarHandle.fullFence();
        scheduleDrain();
        // one writer (the engine thread): every response before this ring position was followed by a scheduled drain.
        // Set after scheduleDrain(), not before: an engine thread descheduled between the two (a busy machine) must
        // not make the periodic check count a response whose drain it had not yet scheduled as a lost wake-up.
        wokenUpTo.lazySet(responses.producerPosition());
    }

    private void scheduleDrain()
    {
        if (!wakeScheduled.get() && !dropWakeUps && wakeScheduled.compareAndSet(false, true))
        {
            eventLoop.execute(drainTask);
        }
    }

    /**
     * Test hook: loses every wake-up from the engine thread (as a lost event-loop wake-up would), so that only the
     * periodic check ({@link #startRescue()}) delivers answers.
     */
    void dropWakeUps(final boolean drop)
    {
        dropWakeUps = drop;
    }

    long register(final TerminalSession session)
    {
        final long connectionId = HandoffRecords.connectionId(nextConnectionSequence++, index);
        sessions.put(connectionId, session);
        return connectionId;
    }

    void unregister(final long connectionId, final boolean engineKnowsIt)
    {
        sessions.remove(connectionId);
        if (engineKnowsIt && !offerDisconnect(connectionId))
        {
            pendingDisconnects.addLong(connectionId);
            scheduleDisconnectRetry();
        }
    }

    void markDirty(final TerminalSession session)
    {
        dirty.add(session);
    }

    void recordLatency(final long receivedNs, final long nowNs)
    {
        latency.record(nowNs - receivedNs, nowNs);
    }

    /**
     * Drains the response ring: hands each response to its connection, then flushes every connection written.
     */
    /**
     * Starts the safety net against a lost wake-up (see {@link #rescue()}); called once the event loop runs.
     */
    void startRescue()
    {
        eventLoop.scheduleWithFixedDelay(this::rescue, RESCUE_PERIOD_MS, RESCUE_PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * Drains responses that no scheduled drain picked up: the engine thread wakes this loop once per batch, and if
     * that wake-up were ever lost (in this code or in the event loop's own wake-up of its selector) a lone answer would
     * wait until unrelated traffic came. Runs every {@value #RESCUE_PERIOD_MS} ms on the event loop (a volatile read
     * when there is nothing to do). A response seen waiting at one check with no drain run by the next is drained (so
     * an answer waits at most two periods); it is counted as a lost wake-up only if the engine thread called
     * {@link #wake()} after writing it (a response caught between the engine's write and its wake-up, e.g. while the
     * engine thread waits for a CPU, is not).
     */
    private void rescue()
    {
        if (responses.size() > 0 && !wakeScheduled.get())
        {
            if (rescueArmed && drains == drainsAtRescueCheck)
            {
                rescueArmed = false;
                if (responses.consumerPosition() >= wokenUpTo.get())
                {
                    // the engine thread has not called wake() since it wrote the oldest waiting response: it is between
                    // its ring write and its wake-up (descheduled on a busy machine); drained, not a lost wake-up
                    drain();
                    return;
                }
                counters.increment(Counters.DRAINS_RESCUED);
                final long rescued = counters.get(Counters.DRAINS_RESCUED);
                if (Long.bitCount(rescued) == 1)
                {
                    // an alarm: this should never happen (logged at the 1st, 2nd, 4th, 8th, ... occurrence)
                    LOGGER.warn("event loop {}: answers waited in the response ring with no drain scheduled for a " +
                        "whole {} ms period (a lost wake-up), drained by the periodic check; {} times so far",
                        index, RESCUE_PERIOD_MS, rescued);
                }
                rescueArmed = false;
                drain();
                return;
            }
            rescueArmed = true;
            drainsAtRescueCheck = drains;
        }
        else
        {
            rescueArmed = false;
        }
    }

    void drain()
    {
        drains++;
        wakeScheduled.set(false);
        drainClockRead = false;
        // Agrona's read() stops at the end of the ring's buffer: when the waiting responses wrap around it, one read
        // returns only those before the end. A second read takes the rest; without it they stayed in the ring with no
        // drain scheduled (the engine had already woken this loop for them): the lost wake-up of RELIABILITY.md
        // finding 7, an answer held until unrelated traffic or the periodic check.
        int read = responses.read(responseHandler, DRAIN_LIMIT);
        if (read < DRAIN_LIMIT)
        {
            read += responses.read(responseHandler, DRAIN_LIMIT - read);
        }
        flushDirty();
        if (read == DRAIN_LIMIT)
        {
            scheduleDrain();
        }
    }

    void flushDirty()
    {
        final ArrayList<TerminalSession> dirty = this.dirty;
        for (int i = 0, size = dirty.size(); i < size; i++)
        {
            dirty.get(i).flushIfDirty();
        }
        dirty.clear();
    }

    private void onResponse(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final long connectionId = buffer.getLong(index + HandoffRecords.CONNECTION_ID_OFFSET);
        final TerminalSession session = sessions.get(connectionId);
        if (null == session)
        {
            return; // closed meanwhile: the decision is journaled, the terminal retries with the same correlation
        }

        if (HandoffRecords.RESPONSE == msgTypeId)
        {
            final int seq = buffer.getInt(index + HandoffRecords.RESPONSE_SEQ_OFFSET);
            final long receivedNs = buffer.getLong(index + HandoffRecords.RECEIVED_NS_OFFSET);
            final int frameLength = length - HandoffRecords.RESPONSE_FRAME_OFFSET;
            // One clock read per drain; again only for a request received during this drain (a connection's
            // backlog is decided while its answers are written), whose answer cannot precede its receipt.
            if (!drainClockRead || receivedNs - drainNs > 0)
            {
                drainClockRead = true;
                drainNs = System.nanoTime();
            }
            recordLatency(receivedNs, drainNs);
            if (drainNs - buffer.getLong(index + HandoffRecords.RESPONSE_RELEASED_NS_OFFSET) > HELD_ALARM_NS)
            {
                // released by the engine thread but not drained for 10 ms: a late or lost wake-up (alarm; reads 0)
                counters.increment(Counters.RESPONSES_HELD);
            }
            session.onEngineResponse(seq, buffer, index + HandoffRecords.RESPONSE_FRAME_OFFSET, frameLength);
        }
        else if (HandoffRecords.CLOSE == msgTypeId)
        {
            session.closeReplaced();
        }
    }

    private boolean offerDisconnect(final long connectionId)
    {
        final int claimIndex = requests.tryClaim(HandoffRecords.DISCONNECT, HandoffRecords.CONTROL_LENGTH);
        if (claimIndex < 0)
        {
            return false;
        }
        requests.buffer().putLong(claimIndex + HandoffRecords.CONNECTION_ID_OFFSET, connectionId);
        requests.commit(claimIndex);
        return true;
    }

    private void scheduleDisconnectRetry()
    {
        if (!disconnectRetryScheduled)
        {
            disconnectRetryScheduled = true;
            eventLoop.schedule(disconnectRetryTask, DISCONNECT_RETRY_MS, TimeUnit.MILLISECONDS);
        }
    }

    private void retryDisconnects()
    {
        disconnectRetryScheduled = false;
        final LongArrayList pending = pendingDisconnects;
        int i = 0;
        while (i < pending.size() && offerDisconnect(pending.getLong(i)))
        {
            i++;
        }
        if (i > 0)
        {
            for (int j = 0; j < i; j++)
            {
                pending.removeAt(0);
            }
        }
        if (!pending.isEmpty())
        {
            scheduleDisconnectRetry();
        }
    }

    int connectionCount()
    {
        return sessions.size();
    }
}
