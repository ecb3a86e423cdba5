package io.tapswitch.switching.net;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.tapswitch.protocol.ErrorEncoder;
import io.tapswitch.protocol.FrameHeader;
import io.tapswitch.protocol.FrameValidator;
import io.tapswitch.protocol.MessageType;
import io.tapswitch.protocol.Messages;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.protocol.netty.ByteBufFrames;
import io.tapswitch.protocol.netty.MalformedFrame;
import io.tapswitch.switching.metrics.Counters;
import io.tapswitch.switching.pipeline.HandoffRecords;
import io.tapswitch.switching.pipeline.LocalAnswers;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;

/**
 * One terminal connection on the switch: the session rules of PROTOCOL.md rule 2, the per-connection window
 * of unanswered requests and the in-order release of their responses.
 * <p>
 * Every frame takes the next sequence number of the connection. HEARTBEAT, BUSY, NOT_LOGGED_ON and
 * MALFORMED_FRAME are answered here; LOGON, TAP, REVERSAL and BALANCE cross to the engine thread. Responses leave
 * in request order: an answer that is next in order is appended to the connection's one pending output buffer
 * (an engine answer straight from the response ring), written and flushed once per socket read or response
 * drain; an answer that arrives ahead of an earlier one (e.g. a local HEARTBEAT answer while engine answers are
 * outstanding) is parked in the window until every earlier one is appended. With
 * {@code maxInFlight} requests unanswered (or the channel not writable) the connection stops reading; frames
 * already decoded wait in a backlog bounded by one socket read.
 * <p>
 * Idle timeout (PROTOCOL.md rule 10): only a whole frame (well-formed or not) resets the connection's idle timer,
 * never a partial one, so a client trickling bytes is closed like a silent one. Time during which the switch
 * itself paused reading the connection (window full, backlog, channel not writable) does not count as idleness,
 * and a connection still waiting for answers to its own requests is not idle.
 * <p>
 * Not thread-safe: owned by the channel's event loop.
 */
public final class TerminalSession extends ChannelInboundHandlerAdapter
{
    private static final int STATE_NEW = 0;
    private static final int STATE_LOGON_PENDING = 1;
    private static final int STATE_LOGGED_ON = 2;
    private static final int STATE_CLOSING = 3;
    private static final int STATE_CLOSED = 4;
    private static final int NO_CLOSE_SEQ = -1;
    /** First capacity of the pending output buffer: a drain's answers of a typical window; it grows if needed. */
    private static final int OUT_INITIAL_BYTES = 512;

    private final LoopResponder responder;
    private final LogonThrottle logonThrottle;
    private final int maxInFlight;
    private final long idleTimeoutNs;
    private final Runnable idleCheck = this::checkIdle;
    private final int mask;
    private final ByteBuf[] ready;
    private ArrayDeque<ByteBuf> backlog;
    private ByteBuf out;
    private ChannelHandlerContext ctx;
    private Channel channel;
    private long connectionId;
    private int state = STATE_NEW;
    private boolean engineKnowsConnection;
    private boolean dirty;
    private int nextSeq;
    private int nextWriteSeq;
    private int closeAfterSeq = NO_CLOSE_SEQ;
    private boolean closeAfterArmed;
    private boolean loggedOn;
    private MalformedFrame pendingMalformed;
    private boolean frameReceived;
    private long lastFrameNs;
    private boolean readingPaused;
    private long readingPausedSinceNs;
    private ScheduledFuture<?> idleTimer;
    private InetAddress source;
    /** Terminal id named by this connection's LOGON (for the per-terminal STALE_LOGON count). */
    private long logonTerminalId;

    /**
     * @param responder     the event loop's responder this connection answers through.
     * @param logonThrottle the per-source LOGON failure throttle shared by all connections.
     * @param maxInFlight   unanswered requests after which the connection stops reading.
     * @param idleTimeoutMs time without a whole frame after which the connection is closed; 0 or less: never.
     */
    public TerminalSession(
        final LoopResponder responder, final LogonThrottle logonThrottle, final int maxInFlight, final long idleTimeoutMs)
    {
        this.responder = responder;
        this.logonThrottle = logonThrottle;
        this.maxInFlight = maxInFlight;
        this.idleTimeoutNs = TimeUnit.MILLISECONDS.toNanos(idleTimeoutMs);
        // One slot more than the window: a MALFORMED_FRAME answer may follow a full window.
        final int capacity = BitUtil.findNextPositivePowerOfTwo(maxInFlight + 1);
        this.mask = capacity - 1;
        this.ready = new ByteBuf[capacity];
    }

    long connectionId()
    {
        return connectionId;
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        this.ctx = ctx;
        this.channel = ctx.channel();
        final SocketAddress remote = channel.remoteAddress();
        this.source = remote instanceof InetSocketAddress ? ((InetSocketAddress)remote).getAddress() : null;
        this.connectionId = responder.register(this);
        lastFrameNs = System.nanoTime();
        if (idleTimeoutNs > 0)
        {
            idleTimer = ctx.executor().schedule(idleCheck, idleTimeoutNs, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (msg instanceof ByteBuf)
        {
            frameReceived = true;
            final ByteBuf frame = (ByteBuf)msg;
            if (state >= STATE_CLOSING)
            {
                frame.release();
            }
            else if (null != backlog && !backlog.isEmpty() || unanswered() >= maxInFlight)
            {
                backlog().addLast(frame);
                updateReading();
            }
            else
            {
                try
                {
                    onFrame(frame);
                }
                finally
                {
                    frame.release();
                }
            }
        }
        else if (msg instanceof MalformedFrame)
        {
            frameReceived = true;
            // TRUNCATED: the input ended inside a frame, the peer is gone; nothing to answer.
            if (state < STATE_CLOSING && FrameValidator.TRUNCATED != ((MalformedFrame)msg).result())
            {
                responder.counters().increment(Counters.MALFORMED_FRAMES);
                channel.config().setAutoRead(false);
                if (null != backlog && !backlog.isEmpty())
                {
                    pendingMalformed = (MalformedFrame)msg;
                }
                else
                {
                    onMalformed((MalformedFrame)msg);
                }
            }
        }
        else
        {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(final ChannelHandlerContext ctx)
    {
        if (frameReceived)
        {
            // one clock read per socket read, not per frame: only whole frames reset the idle timer
            frameReceived = false;
            lastFrameNs = System.nanoTime();
        }
        flushIfDirty();
    }

    @Override
    public void channelWritabilityChanged(final ChannelHandlerContext ctx)
    {
        updateReading();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        // I/O errors (reset by peer, TLS failures) end the connection; nothing was decided for unread bytes.
        ctx.close();
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        if (loggedOn)
        {
            loggedOn = false;
            responder.counters().increment(Counters.SESSIONS_CLOSED);
        }
        state = STATE_CLOSED;
        if (null != idleTimer)
        {
            idleTimer.cancel(false);
            idleTimer = null;
        }
        dirty = false;
        releaseOut();
        releaseReady();
        if (null != backlog)
        {
            ByteBuf frame;
            while (null != (frame = backlog.pollFirst()))
            {
                frame.release();
            }
        }
        responder.counters().increment(Counters.CONNECTIONS_CLOSED);
        responder.unregister(connectionId, engineKnowsConnection);
        ctx.fireChannelInactive();
    }

    /**
     * An answer from the engine thread for request {@code seq}: the frame at {@code offset} of {@code buffer}
     * (the response ring), read only during this call.
     */
    void onEngineResponse(final int seq, final DirectBuffer buffer, final int offset, final int length)
    {
        if (state >= STATE_CLOSED)
        {
            return;
        }

        final int type = buffer.getByte(offset + FrameHeader.TYPE_OFFSET) & 0xFF;
        if (MessageType.LOGON_RESULT == type && STATE_LOGON_PENDING == state)
        {
            final int result = buffer.getByte(offset + FrameHeader.BODY_OFFSET + Messages.LogonResult.RESULT_OFFSET) & 0xFF;
            if (ReasonCode.OK == result)
            {
                state = STATE_LOGGED_ON;
                loggedOn = true;
                responder.counters().increment(Counters.SESSIONS_OPENED);
            }
            else
            {
                if (ReasonCode.BAD_CREDENTIALS == result)
                {
                    logonThrottle.onFailure(source, System.currentTimeMillis());
                }
                else if (ReasonCode.STALE_LOGON == result)
                {
                    logonThrottle.onStale(source, logonTerminalId, System.currentTimeMillis());
                }
                closeAfter(seq);
            }
        }
        else if (MessageType.LOGON_RESULT == type)
        {
            // PROTOCOL.md rule 2: a failed LOGON closes its connection, also a second LOGON on a logged-on one
            // (INVALID_REQUEST); a second LOGON is never a success.
            final int result = buffer.getByte(offset + FrameHeader.BODY_OFFSET + Messages.LogonResult.RESULT_OFFSET) & 0xFF;
            if (ReasonCode.OK != result)
            {
                closeAfter(seq);
            }
        }
        else if (MessageType.ERROR == type &&
            ReasonCode.NOT_LOGGED_ON == (buffer.getShort(offset + FrameHeader.BODY_OFFSET, LITTLE_ENDIAN) & 0xFFFF))
        {
            closeAfter(seq);
        }

        final ByteBuf answer = answerBuffer(seq, length);
        responder.copy(buffer, offset, answer, length);
        answered(seq, answer);
        drainBacklog();
    }

    /**
     * Another connection logged on as this terminal: this one closes at once.
     */
    void closeReplaced()
    {
        if (state < STATE_CLOSED)
        {
            state = STATE_CLOSING;
            channel.close();
        }
    }

    /**
     * Writes and flushes the answers appended since the last flush, if any.
     */
    void flushIfDirty()
    {
        if (dirty)
        {
            dirty = false;
            final ByteBuf toWrite = out;
            out = null;
            if (null != toWrite)
            {
                ctx.writeAndFlush(toWrite, ctx.voidPromise());
            }
        }
    }

    private void onFrame(final ByteBuf frame)
    {
        final int start = frame.readerIndex();
        final int type = frame.getUnsignedByte(start + FrameHeader.TYPE_OFFSET);
        final int correlation = frame.getIntLE(start + FrameHeader.CORRELATION_OFFSET);
        final int seq = nextSeq++;

        if (MessageType.HEARTBEAT == type)
        {
            final ByteBuf answer = answerBuffer(seq, FrameHeader.HEADER_BYTES + Messages.Heartbeat.BODY_LENGTH);
            writeLocal(answer, responder.localAnswers().heartbeat(responder.localAnswer(), 0, correlation,
                frame.getLongLE(start + FrameHeader.BODY_OFFSET + Messages.Heartbeat.TIMESTAMP_MS_OFFSET)));
            answered(seq, answer);
            return;
        }

        if (STATE_NEW == state && MessageType.LOGON != type)
        {
            closeAfter(seq);
            final ByteBuf answer = answerBuffer(seq, LocalAnswers.MAX_LENGTH);
            writeLocal(answer, responder.localAnswers().error(responder.localAnswer(), 0, correlation,
                ReasonCode.NOT_LOGGED_ON));
            answered(seq, answer);
            return;
        }

        final long receivedNs = System.nanoTime();
        final long nowMs = System.currentTimeMillis();
        if (STATE_NEW == state)
        {
            logonTerminalId = frame.getLongLE(start + FrameHeader.BODY_OFFSET + Messages.Logon.TERMINAL_ID_OFFSET);
            if (logonThrottle.isThrottled(source, nowMs) || logonThrottle.isStale(source, logonTerminalId, nowMs))
            {
                // Too many BAD_CREDENTIALS from this address, or too many STALE_LOGONs of this terminal from it:
                // refused here, the engine never sees it. Answered BUSY (nothing decided, retry later), so an honest
                // terminal behind the same router backs off and retries; it is never told its key is wrong.
                responder.counters().increment(Counters.LOGONS_THROTTLED);
                responder.counters().onLogon(ReasonCode.BUSY);
                closeAfter(seq);
                final ByteBuf answer = answerBuffer(seq, LocalAnswers.MAX_LENGTH);
                writeLocal(answer, responder.localAnswers().logonFailed(responder.localAnswer(), 0, correlation,
                    ReasonCode.BUSY, nowMs));
                answered(seq, answer);
                return;
            }
        }
        if (!offerToEngine(frame, start, seq, receivedNs, nowMs))
        {
            responder.counters().onBusy(MessageType.responseOf(type));
            if (MessageType.LOGON == type)
            {
                responder.counters().onLogon(ReasonCode.BUSY);
                if (STATE_NEW == state)
                {
                    closeAfter(seq);
                }
            }
            final ByteBuf answer = answerBuffer(seq, LocalAnswers.MAX_LENGTH);
            writeLocal(answer, responder.localAnswers().busy(responder.localAnswer(), 0, type, correlation, nowMs));
            responder.recordLatency(receivedNs, System.nanoTime());
            answered(seq, answer);
            return;
        }

        responder.counters().increment(Counters.REQUESTS_QUEUED);
        engineKnowsConnection = true;
        if (STATE_NEW == state)
        {
            state = STATE_LOGON_PENDING;
        }
    }

    private boolean offerToEngine(
        final ByteBuf frame, final int start, final int seq, final long receivedNs, final long nowMs)
    {
        final ManyToOneRingBuffer requests = responder.requests();
        final int frameLength = frame.readableBytes();
        final int claimIndex = requests.tryClaim(HandoffRecords.REQUEST, HandoffRecords.REQUEST_FRAME_OFFSET + frameLength);
        if (claimIndex < 0)
        {
            return false;
        }
        final AtomicBuffer buffer = requests.buffer();
        buffer.putLong(claimIndex + HandoffRecords.CONNECTION_ID_OFFSET, connectionId);
        buffer.putLong(claimIndex + HandoffRecords.RECEIVED_NS_OFFSET, receivedNs);
        buffer.putLong(claimIndex + HandoffRecords.REQUEST_NOW_MS_OFFSET, nowMs);
        buffer.putInt(claimIndex + HandoffRecords.REQUEST_SEQ_OFFSET, seq);
        final UnsafeBuffer view = responder.frameView();
        ByteBufFrames.wrap(view, frame, responder.scratch());
        buffer.putBytes(claimIndex + HandoffRecords.REQUEST_FRAME_OFFSET, view, 0, frameLength);
        requests.commit(claimIndex);
        responder.wakeEngine();
        return true;
    }

    private void onMalformed(final MalformedFrame malformed)
    {
        // Error path: allocation is fine here. Frames decoded before it are answered first.
        final int seq = nextSeq++;
        final UnsafeBuffer encoded = new UnsafeBuffer(new byte[ErrorEncoder.MAX_FRAME_LENGTH]);
        final ErrorEncoder encoder = new ErrorEncoder().wrap(encoded, 0)
            .correlation(malformed.correlation())
            .code(malformed.reasonCode())
            .detail(malformed.detail());
        closeAfter(seq);
        final ByteBuf answer = answerBuffer(seq, encoder.encodedLength());
        answer.writeBytes(encoded.byteArray(), 0, encoder.encodedLength());
        answered(seq, answer);
    }

    private void closeAfter(final int seq)
    {
        state = STATE_CLOSING;
        closeAfterSeq = seq;
        closeAfterArmed = true;
        channel.config().setAutoRead(false);
    }

    private int unanswered()
    {
        return nextSeq - nextWriteSeq;
    }

    private ArrayDeque<ByteBuf> backlog()
    {
        if (null == backlog)
        {
            backlog = new ArrayDeque<>(maxInFlight);
        }
        return backlog;
    }

    /**
     * @return where the answer of {@code seq} is to be written: the pending output when it is next in request
     * order, otherwise a buffer of its own to park until every earlier answer is out.
     */
    /**
     * Appends a local answer the loop's {@link LocalAnswers} just wrote at the start of its scratch buffer.
     */
    private void writeLocal(final ByteBuf answer, final int length)
    {
        responder.copy(responder.localAnswer(), 0, answer, length);
    }

    private ByteBuf answerBuffer(final int seq, final int length)
    {
        if (seq == nextWriteSeq)
        {
            if (null == out)
            {
                out = channel.alloc().directBuffer(Math.max(OUT_INITIAL_BYTES, length));
            }
            return out;
        }
        return channel.alloc().directBuffer(length);
    }

    /**
     * The answer of {@code seq} was written into {@code answer} (from {@link #answerBuffer}): if it went to the
     * pending output, appends every parked answer now next in request order too; otherwise parks it.
     */
    private void answered(final int seq, final ByteBuf answer)
    {
        if (answer != out)
        {
            if (state >= STATE_CLOSED)
            {
                answer.release();
                return;
            }
            ready[seq & mask] = answer;
            updateReading();
            return;
        }

        if (!dirty)
        {
            dirty = true;
            responder.markDirty(this);
        }
        if (appended())
        {
            return;
        }
        while (nextWriteSeq != nextSeq)
        {
            final int slot = nextWriteSeq & mask;
            final ByteBuf next = ready[slot];
            if (null == next)
            {
                break;
            }
            ready[slot] = null;
            out.writeBytes(next);
            next.release();
            if (appended())
            {
                return;
            }
        }
        updateReading();
    }

    /**
     * The answer of {@code nextWriteSeq} is in the pending output: moves on, and writes, flushes and closes if
     * it is the connection's last answer.
     *
     * @return true if the connection is now closed.
     */
    private boolean appended()
    {
        final int writtenSeq = nextWriteSeq++;
        if (closeAfterArmed && writtenSeq == closeAfterSeq)
        {
            closeAfterArmed = false;
            final ByteBuf toWrite = out;
            out = null;
            dirty = false;
            ctx.writeAndFlush(toWrite).addListener(ChannelFutureListener.CLOSE);
            state = STATE_CLOSED;
            releaseReady();
            return true;
        }
        return false;
    }

    private void releaseOut()
    {
        if (null != out)
        {
            out.release();
            out = null;
        }
    }

    private void releaseReady()
    {
        for (int i = 0; i < ready.length; i++)
        {
            if (null != ready[i])
            {
                ready[i].release();
                ready[i] = null;
            }
        }
    }

    private void drainBacklog()
    {
        if (null == backlog)
        {
            return;
        }
        ByteBuf frame;
        while (state < STATE_CLOSING && unanswered() < maxInFlight && null != (frame = backlog.pollFirst()))
        {
            try
            {
                onFrame(frame);
            }
            finally
            {
                frame.release();
            }
        }
        if (null != pendingMalformed && backlog.isEmpty() && state < STATE_CLOSING)
        {
            final MalformedFrame malformed = pendingMalformed;
            pendingMalformed = null;
            onMalformed(malformed);
        }
        updateReading();
    }

    private void updateReading()
    {
        if (state >= STATE_CLOSING)
        {
            return;
        }
        final boolean shouldRead = null == pendingMalformed && (null == backlog || backlog.isEmpty()) &&
            unanswered() < maxInFlight && channel.isWritable();
        if (channel.config().isAutoRead() != shouldRead)
        {
            channel.config().setAutoRead(shouldRead);
        }
        if (readingPaused == shouldRead)
        {
            readingPaused = !shouldRead;
            if (readingPaused)
            {
                readingPausedSinceNs = System.nanoTime();
            }
            else
            {
                // the time the switch did not read this connection is not the terminal's silence
                lastFrameNs += System.nanoTime() - readingPausedSinceNs;
            }
        }
    }

    /**
     * Runs on the event loop: closes the connection once no whole frame arrived for the idle timeout, counting
     * neither time paused by the switch nor time waiting for its own answers; otherwise checks again when the
     * timeout could next expire.
     */
    private void checkIdle()
    {
        idleTimer = null;
        if (state >= STATE_CLOSED || !channel.isOpen())
        {
            return;
        }
        long delayNs = idleTimeoutNs;
        if (!readingPaused)
        {
            final long idleNs = System.nanoTime() - lastFrameNs;
            if (idleNs >= idleTimeoutNs)
            {
                if (unanswered() == 0)
                {
                    responder.counters().increment(Counters.IDLE_TIMEOUTS);
                    ctx.close();
                    return;
                }
            }
            else
            {
                delayNs = idleTimeoutNs - idleNs;
            }
        }
        idleTimer = ctx.executor().schedule(idleCheck, delayNs, TimeUnit.NANOSECONDS);
    }
}
