package io.tapswitch.bench.load;

import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.tapswitch.protocol.BalanceResultEncoder;
import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.Direction;
import io.tapswitch.protocol.ErrorEncoder;
import io.tapswitch.protocol.FrameHeader;
import io.tapswitch.protocol.HeartbeatResultEncoder;
import io.tapswitch.protocol.LogonResultEncoder;
import io.tapswitch.protocol.MessageType;
import io.tapswitch.protocol.Messages;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.protocol.ReversalResultEncoder;
import io.tapswitch.protocol.TapResultEncoder;
import io.tapswitch.protocol.netty.MalformedFrame;
import io.tapswitch.protocol.netty.TapFrameDecoder;
import io.tapswitch.formats.journal.JournalRecord;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The practical limit of the machine for the load comparison: a Netty server speaking Tap Protocol v1 that does
 * no work. It frames and validates with the protocol module's {@link TapFrameDecoder} (as the switch does), accepts
 * every LOGON without checking the mac, answers every TAP and REVERSAL APPROVED (remaining 0, an increasing
 * receipt), every BALANCE APPROVED with no program, echoes HEARTBEATs, and answers malformed input with ERROR
 * MALFORMED_FRAME and a close. Nothing is decided, stored or journaled.
 * <p>
 * <b>Bare durable</b> (a log file given): the same server, except that each socket read's TAP, REVERSAL and LOGON
 * requests are appended to a file as records of the journal's size (a TAP as the switch writes it since record
 * version 3, {@link JournalRecord#TAP_USAGE_LENGTH}; {@link JournalRecord#REVERSAL_LENGTH};
 * {@link JournalRecord#LOGON_LENGTH}) and the read's answers leave only after a group-commit {@code fdatasync}
 * covering them ({@link DurableLog}): the disk's own limit for a durable answer, which the switch with
 * {@code journal-sync=batch} is judged against.
 * <p>
 * Same transport choices as the switch: epoll where available, TCP_NODELAY, the same write-buffer water marks,
 * responses of one socket read gathered into one buffer and flushed once per read. Per-channel handlers own their
 * state (event-loop confined); {@link #start} / {@link #close} from one controlling thread.
 */
public final class BareTapServer implements AutoCloseable
{
    /** Heartbeat interval given in LOGON_RESULT. */
    public static final int HEARTBEAT_MS = 15_000;
    private static final int OUT_INITIAL_BYTES = 256;

    private final String host;
    private final int port;
    private final int ioThreads;
    private final AtomicLong receipts = new AtomicLong();
    private final DurableLog log;
    private EventLoopGroup bossGroup;
    private EventLoopGroup workerGroup;
    private Channel serverChannel;
    private int boundPort;
    private String transport;

    /**
     * @param host      listen address (loopback for every tool here).
     * @param port      port, 0 for an ephemeral one.
     * @param ioThreads Netty event loops answering the connections.
     */
    public BareTapServer(final String host, final int port, final int ioThreads)
    {
        this(host, port, ioThreads, null);
    }

    /**
     * @param host      listen address (loopback for every tool here).
     * @param port      port, 0 for an ephemeral one.
     * @param ioThreads Netty event loops answering the connections.
     * @param log       the bare durable server's log, or null for the bare server.
     */
    BareTapServer(final String host, final int port, final int ioThreads, final DurableLog log)
    {
        this.host = host;
        this.port = port;
        this.ioThreads = ioThreads;
        this.log = log;
    }

    /**
     * Runs the server in its own JVM until killed; prints {@code bare server listening on HOST:PORT} when ready.
     *
     * @param args {@code [port [ioThreads [logFile [logMiB]]]]}: with a log file, the bare durable server (its log
     *             {@code logMiB} MiB, default 256, used as a ring).
     */
    public static void main(final String[] args) throws InterruptedException, java.io.IOException
    {
        final int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        final int ioThreads = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        final DurableLog log = args.length > 2 ? new DurableLog(java.nio.file.Path.of(args[2]),
            (args.length > 3 ? Long.parseLong(args[3]) : 256) << 20) : null;
        final BareTapServer server = new BareTapServer("127.0.0.1", port, ioThreads, log).start();
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            server.close();
            stopped.countDown();
        }, "bare-server-shutdown"));
        System.out.println((log == null ? "bare" : "bare durable") + " server listening on 127.0.0.1:" + server.port() +
            " (" + server.transport() + ", " + ioThreads + " io thread(s)" + (log == null ? "" : ", log " + args[2] +
            ", group-commit fdatasync before each answer") + ")");
        System.out.flush();
        stopped.await();
    }

    /**
     * Binds and starts accepting.
     *
     * @return this.
     */
    public BareTapServer start() throws InterruptedException
    {
        final boolean epoll = Epoll.isAvailable();
        transport = epoll ? "epoll" : "nio";
        final IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        final Class<? extends ServerSocketChannel> channelClass =
            epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        bossGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("bare-accept"), factory);
        workerGroup = new MultiThreadIoEventLoopGroup(ioThreads, new DefaultThreadFactory("bare-io"), factory);
        final ServerBootstrap bootstrap = new ServerBootstrap()
            .group(bossGroup, workerGroup)
            .channel(channelClass)
            .option(ChannelOption.SO_BACKLOG, 4096)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
            .childHandler(new ChannelInitializer<SocketChannel>()
            {
                protected void initChannel(final SocketChannel channel)
                {
                    channel.pipeline()
                        .addLast("frames", new TapFrameDecoder(Direction.REQUESTS))
                        .addLast("answers", new Answerer(receipts, log));
                }
            });
        serverChannel = bootstrap.bind(host, port).sync().channel();
        boundPort = ((InetSocketAddress)serverChannel.localAddress()).getPort();
        return this;
    }

    public int port()
    {
        return boundPort;
    }

    public String transport()
    {
        return transport;
    }

    /**
     * @return TAP and REVERSAL results sent so far.
     */
    public long answered()
    {
        return receipts.get();
    }

    public void close()
    {
        if (null != serverChannel)
        {
            serverChannel.close().syncUninterruptibly();
        }
        if (null != bossGroup)
        {
            bossGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (null != workerGroup)
        {
            workerGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (null != log)
        {
            try
            {
                log.close();
            }
            catch (final java.io.IOException ex)
            {
                // the process is ending
            }
        }
    }

    /**
     * Answers each frame at once into a per-read output buffer, flushed on read complete. Not thread-safe: one
     * instance per channel, on its event loop.
     */
    static final class Answerer extends ChannelInboundHandlerAdapter
    {
        private final AtomicLong receipts;
        private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[FrameHeader.MAX_FRAME_BYTES]);
        private final LogonResultEncoder logonResult = new LogonResultEncoder();
        private final TapResultEncoder tapResult = new TapResultEncoder();
        private final ReversalResultEncoder reversalResult = new ReversalResultEncoder();
        private final BalanceResultEncoder balanceResult = new BalanceResultEncoder();
        private final HeartbeatResultEncoder heartbeatResult = new HeartbeatResultEncoder();
        private final DurableLog log;
        private DurableLog.LoopWaiters waiters;
        private ByteBuf out;

        Answerer(final AtomicLong receipts, final DurableLog log)
        {
            this.receipts = receipts;
            this.log = log;
        }

        @Override
        public void handlerAdded(final ChannelHandlerContext ctx)
        {
            if (null != log)
            {
                waiters = log.waiters(ctx.channel().eventLoop());
            }
        }

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            if (msg instanceof MalformedFrame)
            {
                onMalformed(ctx, (MalformedFrame)msg);
                return;
            }

            final ByteBuf frame = (ByteBuf)msg;
            try
            {
                final int start = frame.readerIndex();
                final int type = frame.getUnsignedByte(start + FrameHeader.TYPE_OFFSET);
                final int correlation = frame.getIntLE(start + FrameHeader.CORRELATION_OFFSET);
                final int length = answer(type, correlation, frame, start);
                if (null != waiters && length > 0)
                {
                    if (type == MessageType.TAP)
                    {
                        waiters.stage(frame, JournalRecord.TAP_USAGE_LENGTH);
                    }
                    else if (type == MessageType.REVERSAL)
                    {
                        waiters.stage(frame, JournalRecord.REVERSAL_LENGTH);
                    }
                    else if (type == MessageType.LOGON)
                    {
                        waiters.stage(frame, JournalRecord.LOGON_LENGTH);
                    }
                }
                if (length > 0)
                {
                    if (null == out)
                    {
                        out = ctx.alloc().directBuffer(OUT_INITIAL_BYTES);
                    }
                    out.writeBytes(scratch.byteArray(), 0, length);
                }
            }
            finally
            {
                frame.release();
            }
        }

        @Override
        public void channelReadComplete(final ChannelHandlerContext ctx)
        {
            if (null != out)
            {
                final ByteBuf toWrite = out;
                out = null;
                if (null == waiters)
                {
                    ctx.writeAndFlush(toWrite, ctx.voidPromise());
                    return;
                }
                // durable: the answers leave once a sync covers the records of this read (and after any answer
                // waiting before them on this loop)
                waiters.add(ctx, toWrite, waiters.appendStaged());
            }
        }

        @Override
        public void channelInactive(final ChannelHandlerContext ctx)
        {
            if (null != out)
            {
                out.release();
                out = null;
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            // A reset peer at the end of a run: nothing to answer.
            ctx.close();
        }

        private int answer(final int type, final int correlation, final ByteBuf frame, final int start)
        {
            switch (type)
            {
                case MessageType.TAP:
                    return tapResult.wrap(scratch, 0).correlation(correlation).decision(Decision.APPROVED)
                        .reason(ReasonCode.OK).remaining(0).receipt(receipts.incrementAndGet()).encodedLength();
                case MessageType.LOGON:
                    return logonResult.wrap(scratch, 0).correlation(correlation).result(ReasonCode.OK)
                        .heartbeatMs(HEARTBEAT_MS).serverTimeMs(System.currentTimeMillis()).encodedLength();
                case MessageType.HEARTBEAT:
                    return heartbeatResult.wrap(scratch, 0).correlation(correlation)
                        .timestampMs(frame.getLongLE(start + FrameHeader.BODY_OFFSET +
                            Messages.Heartbeat.TIMESTAMP_MS_OFFSET))
                        .encodedLength();
                case MessageType.REVERSAL:
                    return reversalResult.wrap(scratch, 0).correlation(correlation).decision(Decision.APPROVED)
                        .reason(ReasonCode.OK).remaining(0).receipt(receipts.incrementAndGet()).encodedLength();
                case MessageType.BALANCE:
                    return balanceResult.wrap(scratch, 0).correlation(correlation).decision(Decision.APPROVED)
                        .reason(ReasonCode.OK).count(0).encodedLength();
                default:
                    return 0;
            }
        }

        private void onMalformed(final ChannelHandlerContext ctx, final MalformedFrame malformed)
        {
            ctx.channel().config().setAutoRead(false);
            final int length = new ErrorEncoder().wrap(scratch, 0).correlation(malformed.correlation())
                .code(ReasonCode.MALFORMED_FRAME).detail(malformed.detail()).encodedLength();
            final ByteBuf answer = ctx.alloc().directBuffer(length).writeBytes(scratch.byteArray(), 0, length);
            if (null != out)
            {
                final ByteBuf before = out;
                out = null;
                ctx.write(before, ctx.voidPromise());
            }
            ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
