package io.tapswitch.protocol.client;

import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.tapswitch.protocol.BalanceEncoder;
import io.tapswitch.protocol.BalanceResultDecoder;
import io.tapswitch.protocol.Direction;
import io.tapswitch.protocol.ErrorDecoder;
import io.tapswitch.protocol.FrameHeader;
import io.tapswitch.protocol.HeartbeatEncoder;
import io.tapswitch.protocol.HeartbeatResultDecoder;
import io.tapswitch.protocol.LogonEncoder;
import io.tapswitch.protocol.LogonMac;
import io.tapswitch.protocol.LogonResultDecoder;
import io.tapswitch.protocol.MessageType;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.protocol.ReversalEncoder;
import io.tapswitch.protocol.TapEncoder;
import io.tapswitch.protocol.TapResultDecoder;
import io.tapswitch.protocol.netty.MalformedFrame;
import io.tapswitch.protocol.netty.TapFrameDecoder;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * An asynchronous Tap Protocol v1 terminal over Netty: LOGON with the terminal's HMAC key, pipelined requests
 * whose futures complete in request order, automatic HEARTBEATs, and (optionally) reconnection that logs on
 * again and re-sends every unanswered request with the same correlation and the same bytes, so the switch's
 * idempotency returns the original results.
 * <p>
 * Thread-safe: every public method may be called from any thread; the state lives on one event loop. Futures
 * complete on that event loop: do not block inside their callbacks.
 */
public final class AsyncTerminalClient implements AutoCloseable
{
    private static final int RAW = -1;
    private static final long MAX_RECONNECT_DELAY_MS = 2_000;

    private final Options options;
    private final EventLoopGroup ownedGroup;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final ArrayDeque<Pending> unsent = new ArrayDeque<>();
    private final LogonMac logonMac = new LogonMac();
    private final SecureRandom random = new SecureRandom();
    private final UnsafeBuffer decodeBuffer = new UnsafeBuffer(new byte[FrameHeader.MAX_FRAME_BYTES]);
    private final TapResultDecoder tapResultDecoder = new TapResultDecoder();
    private final LogonResultDecoder logonResultDecoder = new LogonResultDecoder();
    private final BalanceResultDecoder balanceResultDecoder = new BalanceResultDecoder();
    private final HeartbeatResultDecoder heartbeatResultDecoder = new HeartbeatResultDecoder();
    private final ErrorDecoder errorDecoder = new ErrorDecoder();
    private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();

    private Channel channel;
    private boolean logonPending;
    private boolean loggedOn;
    private boolean everLoggedOn;
    private boolean closedByUser;
    private boolean logonFailed;
    private long heartbeatMs;
    private long reconnectDelayMs;
    private int connectionCount;
    private int heartbeatCorrelation = 0x7F000000;

    /**
     * Options of a client; a fluent, mutable holder used once at construction.
     */
    public static final class Options
    {
        private String host = "127.0.0.1";
        private int port = 7700;
        private long terminalId;
        private byte[] key;
        private boolean reconnect;
        private boolean autoHeartbeat = true;
        private long reconnectDelayMs = 50;
        private long connectTimeoutMs = 5_000;
        private SslContext sslContext;
        private EventLoopGroup group;
        private Class<? extends SocketChannel> channelClass = NioSocketChannel.class;

        public Options host(final String host)
        {
            this.host = host;
            return this;
        }

        public Options port(final int port)
        {
            this.port = port;
            return this;
        }

        /**
         * @param terminalId the terminal's id.
         * @param key        its 32-byte key (copied; never printed).
         * @return this.
         */
        public Options terminal(final long terminalId, final byte[] key)
        {
            this.terminalId = terminalId;
            this.key = key.clone();
            return this;
        }

        /**
         * @param reconnect on an unexpected close after a successful LOGON: reconnect, LOGON again, re-send.
         * @return this.
         */
        public Options reconnect(final boolean reconnect)
        {
            this.reconnect = reconnect;
            return this;
        }

        /**
         * @param autoHeartbeat send a HEARTBEAT when nothing was written for the heartbeat interval.
         * @return this.
         */
        public Options autoHeartbeat(final boolean autoHeartbeat)
        {
            this.autoHeartbeat = autoHeartbeat;
            return this;
        }

        public Options reconnectDelayMs(final long reconnectDelayMs)
        {
            this.reconnectDelayMs = reconnectDelayMs;
            return this;
        }

        public Options connectTimeoutMs(final long connectTimeoutMs)
        {
            this.connectTimeoutMs = connectTimeoutMs;
            return this;
        }

        /**
         * @param sslContext a client TLS context, or null for plain TCP.
         * @return this.
         */
        public Options tls(final SslContext sslContext)
        {
            this.sslContext = sslContext;
            return this;
        }

        /**
         * @param group        a shared event loop group (not closed by the client), or null for a private one.
         * @param channelClass the socket channel class matching the group's transport.
         * @return this.
         */
        public Options group(final EventLoopGroup group, final Class<? extends SocketChannel> channelClass)
        {
            this.group = group;
            this.channelClass = channelClass;
            return this;
        }
    }

    private static final class Pending
    {
        final int type;
        final int correlation;
        final byte[] frame;
        final CompletableFuture<Object> future;

        Pending(final int type, final int correlation, final byte[] frame, final CompletableFuture<Object> future)
        {
            this.type = type;
            this.correlation = correlation;
            this.frame = frame;
            this.future = future;
        }
    }

    public AsyncTerminalClient(final Options options)
    {
        this.options = options;
        this.reconnectDelayMs = options.reconnectDelayMs;
        if (null == options.group)
        {
            ownedGroup = new MultiThreadIoEventLoopGroup(
                1, new DefaultThreadFactory("tapswitch-terminal", true), NioIoHandler.newFactory());
            loop = ownedGroup.next();
        }
        else
        {
            ownedGroup = null;
            loop = options.group.next();
        }
        if (null != options.key)
        {
            logonMac.key(options.key);
        }
        bootstrap = new Bootstrap()
            .group(loop)
            .channel(options.channelClass)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)options.connectTimeoutMs)
            .handler(new ChannelInitializer<SocketChannel>()
            {
                protected void initChannel(final SocketChannel ch)
                {
                    if (null != options.sslContext)
                    {
                        ch.pipeline().addLast(options.sslContext.newHandler(ch.alloc(), options.host, options.port));
                    }
                    ch.pipeline().addLast(new IdleStateHandler(0, 0, 0, TimeUnit.MILLISECONDS));
                    ch.pipeline().addLast(new TapFrameDecoder(Direction.RESPONSES));
                    ch.pipeline().addLast(new Handler());
                }
            });
    }

    /**
     * Opens the TCP (or TLS) connection without logging on.
     *
     * @return completes when connected.
     */
    public CompletableFuture<Void> connect()
    {
        final CompletableFuture<Void> connected = new CompletableFuture<>();
        loop.execute(() -> openChannel(connected));
        return connected;
    }

    /**
     * Connects and logs on with the configured terminal id and key, a fresh timestamp and a random nonce.
     *
     * @return the LOGON_RESULT; when it is not OK the switch closes the connection.
     */
    public CompletableFuture<LogonResult> connectAndLogon()
    {
        return connect().thenCompose((ignored) -> logon(System.currentTimeMillis(), randomNonce()));
    }

    /**
     * Sends a LOGON with an explicit timestamp and nonce (for tests of freshness and nonce reuse). Requests
     * issued while it is pending wait for its outcome.
     *
     * @param timestampMs the LOGON timestamp.
     * @param nonce       16 bytes.
     * @return the LOGON_RESULT.
     */
    public CompletableFuture<LogonResult> logon(final long timestampMs, final byte[] nonce)
    {
        final byte[] frame = logonFrame(options.terminalId, timestampMs, nonce, 0);
        final CompletableFuture<Object> future = new CompletableFuture<>();
        loop.execute(() ->
        {
            logonPending = true;
            write(new Pending(MessageType.LOGON, 0, frame, future));
        });
        return future.thenApply(LogonResult.class::cast);
    }

    /**
     * Sends a TAP.
     *
     * @return the TAP_RESULT; fails with {@link TerminalErrorException} on an ERROR answer.
     */
    public CompletableFuture<TapResult> tap(
        final int correlation,
        final long cardId,
        final long programId,
        final int quantity,
        final int flags,
        final long terminalTimeMs)
    {
        final byte[] frame = new byte[TapEncoder.FRAME_LENGTH];
        new TapEncoder().wrap(new UnsafeBuffer(frame), 0)
            .correlation(correlation)
            .cardId(cardId)
            .programId(programId)
            .quantity(quantity)
            .flags(flags)
            .terminalTimeMs(terminalTimeMs);
        return request(MessageType.TAP, correlation, frame).thenApply(TapResult.class::cast);
    }

    /**
     * Sends a REVERSAL of this terminal's TAP {@code originalCorrelation}.
     *
     * @return the REVERSAL_RESULT.
     */
    public CompletableFuture<TapResult> reversal(final int correlation, final int originalCorrelation, final long cardId)
    {
        final byte[] frame = new byte[ReversalEncoder.FRAME_LENGTH];
        new ReversalEncoder().wrap(new UnsafeBuffer(frame), 0)
            .correlation(correlation)
            .originalCorrelation(originalCorrelation)
            .cardId(cardId);
        return request(MessageType.REVERSAL, correlation, frame).thenApply(TapResult.class::cast);
    }

    /**
     * Sends a BALANCE.
     *
     * @return the BALANCE_RESULT.
     */
    public CompletableFuture<BalanceResult> balance(final int correlation, final long cardId)
    {
        final byte[] frame = new byte[BalanceEncoder.FRAME_LENGTH];
        new BalanceEncoder().wrap(new UnsafeBuffer(frame), 0).correlation(correlation).cardId(cardId);
        return request(MessageType.BALANCE, correlation, frame).thenApply(BalanceResult.class::cast);
    }

    /**
     * Sends a HEARTBEAT.
     *
     * @return the echoed timestamp.
     */
    public CompletableFuture<Long> heartbeat(final int correlation, final long timestampMs)
    {
        return request(MessageType.HEARTBEAT, correlation, heartbeatFrame(correlation, timestampMs))
            .thenApply(Long.class::cast);
    }

    /**
     * Writes arbitrary bytes (which may be a malformed frame) as the next request, bypassing the logon wait.
     *
     * @param bytes what to write.
     * @return the next response frame, whole, as bytes (ERROR included; no exception for it).
     */
    public CompletableFuture<byte[]> sendRaw(final byte[] bytes)
    {
        final CompletableFuture<Object> future = new CompletableFuture<>();
        final byte[] copy = bytes.clone();
        loop.execute(() -> write(new Pending(RAW, 0, copy, future)));
        return future.thenApply(byte[].class::cast);
    }

    /**
     * @return completes when the client is closed for good (by {@link #close()}, a failed LOGON, or a lost
     * connection without reconnection).
     */
    public CompletableFuture<Void> closeFuture()
    {
        return closeFuture;
    }

    /**
     * @return completes when the current connection closes (whatever the reason, reconnection or not).
     */
    public CompletableFuture<Void> channelCloseFuture()
    {
        final CompletableFuture<Void> closed = new CompletableFuture<>();
        loop.execute(() ->
        {
            if (null == channel)
            {
                closed.complete(null);
            }
            else
            {
                channel.closeFuture().addListener((f) -> closed.complete(null));
            }
        });
        return closed;
    }

    /**
     * Drops the current connection without closing the client: with reconnection on, the client logs on again
     * and re-sends what is unanswered (for tests and to move to another switch address).
     */
    public void dropConnection()
    {
        loop.execute(() ->
        {
            if (null != channel)
            {
                channel.close();
            }
        });
    }

    /**
     * @return how many connections this client opened (reconnections included).
     */
    public CompletableFuture<Integer> connectionCount()
    {
        final CompletableFuture<Integer> count = new CompletableFuture<>();
        loop.execute(() -> count.complete(connectionCount));
        return count;
    }

    public void close()
    {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() ->
        {
            closedByUser = true;
            if (null != channel && channel.isOpen())
            {
                channel.close().addListener((f) -> done.complete(null));
            }
            else
            {
                failAll(new ClosedChannelException());
                closeFuture.complete(null);
                done.complete(null);
            }
        });
        done.orTimeout(5, TimeUnit.SECONDS).exceptionally((t) -> null).join();
        if (null != ownedGroup)
        {
            ownedGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        logonMac.clearKey();
    }

    /**
     * Builds a signed LOGON frame.
     *
     * @param terminalId  the terminal.
     * @param timestampMs its clock.
     * @param nonce       16 bytes.
     * @param correlation echoed by the switch.
     * @return the frame bytes.
     */
    public byte[] logonFrame(final long terminalId, final long timestampMs, final byte[] nonce, final int correlation)
    {
        final byte[] frame = new byte[LogonEncoder.FRAME_LENGTH];
        final UnsafeBuffer buffer = new UnsafeBuffer(frame);
        new LogonEncoder().wrap(buffer, 0)
            .correlation(correlation)
            .terminalId(terminalId)
            .timestampMs(timestampMs)
            .nonce(nonce, 0);
        synchronized (logonMac)
        {
            logonMac.sign(buffer, 0);
        }
        return frame;
    }

    public static byte[] heartbeatFrame(final int correlation, final long timestampMs)
    {
        final byte[] frame = new byte[HeartbeatEncoder.FRAME_LENGTH];
        new HeartbeatEncoder().wrap(new UnsafeBuffer(frame), 0).correlation(correlation).timestampMs(timestampMs);
        return frame;
    }

    private byte[] randomNonce()
    {
        final byte[] nonce = new byte[16];
        random.nextBytes(nonce);
        return nonce;
    }

    private CompletableFuture<Object> request(final int type, final int correlation, final byte[] frame)
    {
        final CompletableFuture<Object> future = new CompletableFuture<>();
        loop.execute(() ->
        {
            final Pending request = new Pending(type, correlation, frame, future);
            // Queued only when a LOGON is under way or a reconnection will come; otherwise it fails at once.
            if (logonPending || (null == channel && options.reconnect && !closedByUser && !logonFailed && everLoggedOn))
            {
                unsent.addLast(request);
            }
            else
            {
                write(request);
            }
        });
        return future;
    }

    private void write(final Pending request)
    {
        if (closedByUser || logonFailed || null == channel || !channel.isActive())
        {
            request.future.completeExceptionally(new ClosedChannelException());
            return;
        }
        pending.addLast(request);
        channel.writeAndFlush(Unpooled.wrappedBuffer(request.frame));
    }

    private void openChannel(final CompletableFuture<Void> connected)
    {
        final ChannelFuture connect = bootstrap.connect(new InetSocketAddress(options.host, options.port));
        connect.addListener((f) ->
        {
            if (f.isSuccess())
            {
                channel = connect.channel();
                connectionCount++;
                connected.complete(null);
            }
            else
            {
                connected.completeExceptionally(f.cause());
            }
        });
    }

    private void reconnect()
    {
        final CompletableFuture<Void> connected = new CompletableFuture<>();
        openChannel(connected);
        connected.whenComplete((ignored, error) ->
        {
            if (null != error)
            {
                if (!closedByUser)
                {
                    reconnectDelayMs = Math.min(MAX_RECONNECT_DELAY_MS, reconnectDelayMs * 2);
                    loop.schedule(this::reconnect, reconnectDelayMs, TimeUnit.MILLISECONDS);
                }
                return;
            }
            reconnectDelayMs = options.reconnectDelayMs;
            logon(System.currentTimeMillis(), randomNonce());
        });
    }

    private void onLogonResult(final LogonResult result)
    {
        logonPending = false;
        if (loggedOn && !result.ok())
        {
            return; // a second LOGON on a logged-on connection: INVALID_REQUEST, then the switch closes the connection
        }
        if (result.ok())
        {
            loggedOn = true;
            everLoggedOn = true;
            heartbeatMs = result.heartbeatMs();
            if (options.autoHeartbeat && heartbeatMs > 0)
            {
                final IdleStateHandler idle = new IdleStateHandler(0, heartbeatMs, 0, TimeUnit.MILLISECONDS);
                channel.pipeline().replace(IdleStateHandler.class, "idle", idle);
            }
            Pending request;
            while (null != (request = unsent.pollFirst()))
            {
                write(request);
            }
        }
        else if (ReasonCode.BUSY == result.result() && options.reconnect && everLoggedOn)
        {
            // Shed while reconnecting: the switch closes this connection and the client tries again.
            reconnectDelayMs = Math.min(MAX_RECONNECT_DELAY_MS, reconnectDelayMs * 2);
        }
        else
        {
            logonFailed = true;
            failUnsent(new TerminalErrorException(result.result(), result.correlation(), "LOGON failed"));
        }
    }

    private void onFrame(final ByteBuf frame)
    {
        final int lengthBytes = frame.readableBytes();
        frame.getBytes(frame.readerIndex(), decodeBuffer.byteArray(), 0, lengthBytes);
        final Pending head = pending.pollFirst();
        if (null == head)
        {
            return; // unsolicited: nothing waits for it
        }

        final int type = FrameHeader.type(decodeBuffer, 0);
        if (RAW == head.type)
        {
            head.future.complete(Arrays.copyOf(decodeBuffer.byteArray(), lengthBytes));
            if (MessageType.LOGON_RESULT == type)
            {
                final int result = logonResultDecoder.wrap(decodeBuffer, 0).result();
                loggedOn = ReasonCode.OK == result;
            }
            return;
        }

        final int correlation = FrameHeader.correlation(decodeBuffer, 0);
        if (correlation != head.correlation && MessageType.ERROR != type)
        {
            // Responses come in request order: a mismatch is a switch bug worth failing loudly for.
            final IllegalStateException mismatch = new IllegalStateException("response " + MessageType.name(type) +
                " correlation " + correlation + " does not match request correlation " + head.correlation);
            if (MessageType.LOGON == head.type)
            {
                logonPending = false;
                logonFailed = true;
                failUnsent(mismatch);
                channel.close();
            }
            head.future.completeExceptionally(mismatch);
            return;
        }

        switch (type)
        {
            case MessageType.ERROR:
            {
                errorDecoder.wrap(decodeBuffer, 0);
                if (MessageType.LOGON == head.type)
                {
                    logonPending = false;
                    logonFailed = true;
                    failUnsent(new TerminalErrorException(errorDecoder.code(), errorDecoder.correlation(), "LOGON failed"));
                }
                head.future.completeExceptionally(
                    new TerminalErrorException(errorDecoder.code(), errorDecoder.correlation(), errorDecoder.detail()));
                break;
            }
            case MessageType.LOGON_RESULT:
            {
                logonResultDecoder.wrap(decodeBuffer, 0);
                final LogonResult result = new LogonResult(logonResultDecoder.correlation(), logonResultDecoder.result(),
                    logonResultDecoder.heartbeatMs(), logonResultDecoder.serverTimeMs());
                if (MessageType.LOGON == head.type)
                {
                    onLogonResult(result);
                }
                head.future.complete(result);
                break;
            }
            case MessageType.TAP_RESULT:
            case MessageType.REVERSAL_RESULT:
            {
                tapResultDecoder.wrap(decodeBuffer, 0);
                head.future.complete(new TapResult(tapResultDecoder.correlation(), tapResultDecoder.decision(),
                    tapResultDecoder.reason(), tapResultDecoder.remaining(), tapResultDecoder.receipt()));
                break;
            }
            case MessageType.BALANCE_RESULT:
            {
                balanceResultDecoder.wrap(decodeBuffer, 0);
                final List<BalanceResult.Entry> entries = new ArrayList<>();
                for (int i = 0; i < balanceResultDecoder.count(); i++)
                {
                    entries.add(new BalanceResult.Entry(balanceResultDecoder.programId(i),
                        balanceResultDecoder.remaining(i), balanceResultDecoder.quota(i)));
                }
                head.future.complete(new BalanceResult(balanceResultDecoder.correlation(),
                    balanceResultDecoder.decision(), balanceResultDecoder.reason(), List.copyOf(entries)));
                break;
            }
            case MessageType.HEARTBEAT_RESULT:
            {
                heartbeatResultDecoder.wrap(decodeBuffer, 0);
                head.future.complete(heartbeatResultDecoder.timestampMs());
                break;
            }
            default:
                head.future.completeExceptionally(new IllegalStateException("unexpected response type " + type));
        }

    }

    private void onChannelClosed()
    {
        channel = null;
        loggedOn = false;
        logonPending = false;
        final boolean retry = options.reconnect && everLoggedOn && !closedByUser && !logonFailed;
        if (retry)
        {
            // Unanswered requests go back in front of the queue, in order, to be re-sent after the next LOGON.
            Pending request;
            final ArrayDeque<Pending> resend = new ArrayDeque<>();
            while (null != (request = pending.pollFirst()))
            {
                if (MessageType.LOGON == request.type || RAW == request.type || MessageType.HEARTBEAT == request.type)
                {
                    request.future.completeExceptionally(new ClosedChannelException());
                }
                else
                {
                    resend.addLast(request);
                }
            }
            while (null != (request = unsent.pollFirst()))
            {
                resend.addLast(request);
            }
            unsent.addAll(resend);
            loop.schedule(this::reconnect, reconnectDelayMs, TimeUnit.MILLISECONDS);
        }
        else
        {
            failAll(new ClosedChannelException());
            closeFuture.complete(null);
        }
    }

    private void failAll(final Throwable cause)
    {
        Pending request;
        while (null != (request = pending.pollFirst()))
        {
            request.future.completeExceptionally(cause);
        }
        failUnsent(cause);
    }

    private void failUnsent(final Throwable cause)
    {
        Pending request;
        while (null != (request = unsent.pollFirst()))
        {
            request.future.completeExceptionally(cause);
        }
    }

    private final class Handler extends ChannelInboundHandlerAdapter
    {
        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            try
            {
                if (msg instanceof ByteBuf)
                {
                    onFrame((ByteBuf)msg);
                }
                else if (msg instanceof MalformedFrame)
                {
                    ctx.close();
                }
            }
            finally
            {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt)
        {
            if (evt instanceof IdleStateEvent && ((IdleStateEvent)evt).state() == IdleState.WRITER_IDLE && loggedOn)
            {
                final int correlation = heartbeatCorrelation++;
                write(new Pending(MessageType.HEARTBEAT, correlation,
                    heartbeatFrame(correlation, System.currentTimeMillis()), new CompletableFuture<>()));
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelInactive(final ChannelHandlerContext ctx)
        {
            if (ctx.channel() == channel)
            {
                onChannelClosed();
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            ctx.close();
        }
    }
}
