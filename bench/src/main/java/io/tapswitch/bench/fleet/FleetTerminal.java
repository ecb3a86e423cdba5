package io.tapswitch.bench.fleet;

import static io.tapswitch.bench.fleet.Fleet.ANSWERED;
import static io.tapswitch.bench.fleet.Fleet.DISCONNECTED;
import static io.tapswitch.bench.fleet.Fleet.ERRORS;
import static io.tapswitch.bench.fleet.Fleet.HEARTBEATS;
import static io.tapswitch.bench.fleet.Fleet.HEARTBEAT_MARK;
import static io.tapswitch.bench.fleet.Fleet.LOGGED_ON;
import static io.tapswitch.bench.fleet.Fleet.LOGON_FAILED;
import static io.tapswitch.bench.fleet.Fleet.LOST_WITH_CONNECTION;
import static io.tapswitch.bench.fleet.Fleet.SENT;
import static io.tapswitch.bench.fleet.Fleet.UNSENT;
import static io.tapswitch.bench.fleet.Fleet.WINDOW;
import static io.tapswitch.bench.fleet.Fleet.decisionIndex;

import java.util.concurrent.ThreadLocalRandom;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.FrameHeader;
import io.tapswitch.protocol.LogonEncoder;
import io.tapswitch.protocol.MessageType;
import io.tapswitch.protocol.Messages;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.protocol.TapEncoder;
import io.tapswitch.protocol.client.TerminalClient;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One simulated terminal: its connection, the send times of its unanswered requests (in order) and, in open
 * loop, the scheduled times of requests waiting for a free window slot. Owned by its event loop.
 */
final class FleetTerminal extends ChannelInboundHandlerAdapter
{
    final Fleet fleet;
    final Fleet.FleetLoop loop;
    final long terminalId;
    /** Index of the endpoint of its current (or next) connection. */
    int endpoint;
    boolean registered;
    final long[] inFlightNs = new long[WINDOW * 2];
    final long[] sentNs = new long[WINDOW * 2];
    long[] backlogNs;
    Channel channel;
    boolean loggedOn;
    boolean touched;
    long lastSentNs;
    long heartbeatMs;
    int correlation = ThreadLocalRandom.current().nextInt();
    int inFlightHead;
    int inFlightTail;
    int backlogHead;
    int backlogTail;

    FleetTerminal(final Fleet fleet, final Fleet.FleetLoop loop, final long terminalId, final int endpoint)
    {
        this.fleet = fleet;
        this.loop = loop;
        this.terminalId = terminalId;
        this.endpoint = endpoint;
    }

    @Override
    public boolean isSharable()
    {
        // one connection at a time, the next one after the last closed (--hosts)
        return true;
    }

    @Override
    public void channelActive(final ChannelHandlerContext ctx)
    {
        channel = ctx.channel();
        if (!registered)
        {
            registered = true;
            loop.terminals.add(this);
        }
        final byte[] frame = new byte[LogonEncoder.FRAME_LENGTH];
        final UnsafeBuffer buffer = new UnsafeBuffer(frame);
        final byte[] nonce = new byte[Messages.Logon.NONCE_BYTES];
        ThreadLocalRandom.current().nextBytes(nonce);
        new LogonEncoder().wrap(buffer, 0)
            .correlation(0)
            .terminalId(terminalId)
            .timestampMs(System.currentTimeMillis() + fleet.options.clockOffsetMs())
            .nonce(nonce, 0);
        loop.logonMac.key(TerminalClient.demoKey(terminalId));
        loop.logonMac.sign(buffer, 0);
        ctx.writeAndFlush(ctx.alloc().directBuffer(frame.length).writeBytes(frame));
    }

    /**
     * Open loop: the request scheduled at intendedNs goes out now if the window has room, else waits.
     */
    void schedule(final long intendedNs)
    {
        if (inFlightTail - inFlightHead < WINDOW && backlogHead == backlogTail)
        {
            send(intendedNs);
            return;
        }
        if (null == backlogNs)
        {
            // Only a terminal the switch falls behind on needs a backlog: allocated on first use.
            backlogNs = new long[Integer.highestOneBit(fleet.options.maxBacklogPerTerminal() - 1) << 1];
        }
        if (backlogTail - backlogHead < backlogNs.length)
        {
            backlogNs[backlogTail++ & (backlogNs.length - 1)] = intendedNs;
        }
        else
        {
            loop.increment(UNSENT);
        }
    }

    void send(final long startedNs)
    {
        final int cardOffset = loop.random.nextInt(fleet.options.cards());
        loop.tapEncoder.wrap(loop.scratchBuffer, 0)
            .correlation(correlation++)
            .cardId(1_000_001L + cardOffset)
            .programId(fleet.options.programId())
            .quantity(1)
            .flags(0)
            .terminalTimeMs(System.currentTimeMillis() + fleet.options.clockOffsetMs());
        final ByteBuf frame = channel.alloc().directBuffer(TapEncoder.FRAME_LENGTH);
        frame.writeBytes(loop.scratch, 0, TapEncoder.FRAME_LENGTH);
        channel.write(frame, channel.voidPromise());
        lastSentNs = System.nanoTime();
        sentNs[inFlightTail & (sentNs.length - 1)] = lastSentNs;
        inFlightNs[inFlightTail++ & (inFlightNs.length - 1)] = startedNs;
        loop.increment(SENT);
        loop.markTouched(this);
    }

    void sendHeartbeat(final long nowNs)
    {
        loop.heartbeatEncoder.wrap(new UnsafeBuffer(loop.heartbeatFrame), 0)
            .correlation(correlation++)
            .timestampMs(System.currentTimeMillis() + fleet.options.clockOffsetMs());
        final ByteBuf frame = channel.alloc().directBuffer(loop.heartbeatFrame.length);
        frame.writeBytes(loop.heartbeatFrame);
        channel.write(frame, channel.voidPromise());
        sentNs[inFlightTail & (sentNs.length - 1)] = nowNs;
        inFlightNs[inFlightTail++ & (inFlightNs.length - 1)] = HEARTBEAT_MARK;
        lastSentNs = nowNs;
        loop.increment(HEARTBEATS);
        loop.markTouched(this);
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        try
        {
            if (msg instanceof ByteBuf)
            {
                onFrame((ByteBuf)msg);
            }
        }
        finally
        {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(final ChannelHandlerContext ctx)
    {
        loop.flushTouched();
    }

    private void onFrame(final ByteBuf frame)
    {
        final int start = frame.readerIndex();
        final int type = frame.getUnsignedByte(start + FrameHeader.TYPE_OFFSET);
        if (MessageType.LOGON_RESULT == type)
        {
            final int result = frame.getUnsignedByte(start + FrameHeader.BODY_OFFSET);
            if (ReasonCode.OK == result)
            {
                heartbeatMs = frame.getUnsignedIntLE(start + FrameHeader.BODY_OFFSET + Messages.LogonResult.HEARTBEAT_MS_OFFSET);
                lastSentNs = System.nanoTime();
                loggedOn = true;
                loop.increment(LOGGED_ON);
                if (fleet.running && fleet.options.isMaxRate())
                {
                    // moved to another endpoint during the run: back to its requests in flight
                    for (int i = 0; i < fleet.options.inFlight(); i++)
                    {
                        send(System.nanoTime());
                    }
                }
            }
            else
            {
                loop.increment(LOGON_FAILED);
            }
            return;
        }

        final long nowNs = System.nanoTime();
        final boolean matched = inFlightHead != inFlightTail;
        final long actualSentNs = matched ? sentNs[inFlightHead & (sentNs.length - 1)] : nowNs;
        final long startedNs = matched ? inFlightNs[inFlightHead++ & (inFlightNs.length - 1)] : nowNs;
        if (HEARTBEAT_MARK == startedNs)
        {
            return; // a HEARTBEAT_RESULT (or its ERROR): not a tap
        }
        if (MessageType.TAP_RESULT == type)
        {
            final int decision = frame.getUnsignedByte(start + FrameHeader.BODY_OFFSET);
            final int reason = frame.getUnsignedByte(start + FrameHeader.BODY_OFFSET + 1);
            if (decision <= Decision.RECORDED && reason < ReasonCode.COUNT)
            {
                loop.increment(decisionIndex(decision, reason));
            }
            loop.increment(ANSWERED);
            loop.recorder.recordValue(Math.max(1, (nowNs - startedNs) / 1_000));
            loop.serviceRecorder.recordValue(Math.max(1, (nowNs - actualSentNs) / 1_000));
        }
        else
        {
            loop.increment(ERRORS);
        }

        if (fleet.running)
        {
            if (fleet.options.isMaxRate())
            {
                send(System.nanoTime());
            }
            else if (backlogHead != backlogTail)
            {
                send(backlogNs[backlogHead++ & (backlogNs.length - 1)]);
            }
        }
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        if (loggedOn)
        {
            loggedOn = false;
            loop.increment(DISCONNECTED);
        }
        // the taps in flight on this connection will never be answered: counted apart from the unanswered
        for (int i = inFlightHead; i != inFlightTail; i++)
        {
            if (HEARTBEAT_MARK != inFlightNs[i & (inFlightNs.length - 1)])
            {
                loop.increment(LOST_WITH_CONNECTION);
            }
        }
        inFlightHead = inFlightTail;
        ctx.fireChannelInactive();
        fleet.moveLater(this);
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        ctx.close();
    }
}
