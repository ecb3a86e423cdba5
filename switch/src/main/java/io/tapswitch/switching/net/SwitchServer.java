package io.tapswitch.switching.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.tapswitch.protocol.Direction;
import io.tapswitch.protocol.netty.TapFrameDecoder;
import io.tapswitch.switching.config.SwitchConfig;
import io.tapswitch.switching.engine.Engine;
import io.tapswitch.switching.journal.JournalSyncer;
import io.tapswitch.switching.metrics.Counters;
import io.tapswitch.switching.metrics.EngineMetrics;
import io.tapswitch.switching.metrics.SwitchMetrics;
import io.tapswitch.switching.pipeline.EngineAgent;
import io.tapswitch.switching.pipeline.CommitStage;
import io.tapswitch.switching.pipeline.EngineWaker;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The switch on the network: a Netty TCP listener (epoll where available, NIO otherwise, optional TLS) whose
 * event loops hand requests to one engine thread through a bounded ring, and the engine thread that decides
 * them and releases the responses back to each event loop.
 * <p>
 * Lifecycle: {@link #start} binds and starts the engine thread; {@link #close} stops accepting, stops reading,
 * lets the engine drain what it already received, closes the connections, stops the engine thread (which writes
 * a snapshot and closes the engine, hence the journal). Thread-safe for start/close from one controlling
 * thread.
 */
public final class SwitchServer implements AutoCloseable
{
    private static final Logger LOGGER = LoggerFactory.getLogger(SwitchServer.class);
    private static final long DRAIN_TIMEOUT_MS = 5_000;

    private final SwitchConfig config;
    private final Supplier<Engine> engineFactory;
    private final SwitchMetrics metrics;
    private final LogonThrottle logonThrottle;
    private final AtomicInteger openConnections = new AtomicInteger();
    private final Counters engineCounters = new Counters();
    private final ChannelGroup channels = new DefaultChannelGroup("tapswitch-terminals", GlobalEventExecutor.INSTANCE);
    private final IdentityHashMap<EventLoop, LoopResponder> respondersByLoop = new IdentityHashMap<>();
    private final List<LoopResponder> responders = new ArrayList<>();
    private final Set<String> loggedEngineErrors = ConcurrentHashMap.newKeySet();

    private EventLoopGroup bossGroup;
    private EventLoopGroup workerGroup;
    private Channel serverChannel;
    private CommitStage agent;
    private CommitStage.Factory commitStageFactory;
    private EngineWaker engineWaker;
    private AgentRunner agentRunner;
    private ManyToOneRingBuffer requests;
    private SslContext sslContext;
    private int boundPort;
    private long startupCommandsApplied;
    private long replayMismatches;
    private boolean closed;

    /**
     * @param config  the validated configuration.
     * @param engineFactory opens the engine on the engine thread; the server closes it.
     * @param metrics the registry to wire into (its HTTP listener is started by the {@link SwitchLauncher}).
     */
    public SwitchServer(
        final SwitchConfig config, final Supplier<Engine> engineFactory, final SwitchMetrics metrics)
    {
        this.config = config;
        this.engineFactory = engineFactory;
        this.metrics = metrics;
        this.logonThrottle = new LogonThrottle(config.logonThrottleFailures(), config.logonThrottleWindowMs(),
            config.logonThrottleMaxSources(), config.logonThrottleExempt());
    }

    /**
     * Binds the listener and starts the engine thread. When it returns, the switch accepts connections.
     *
     * @return this.
     */
    public SwitchServer start() throws IOException, InterruptedException
    {
        if (config.isTls())
        {
            sslContext = buildSslContext(config);
        }

        final boolean epoll = Epoll.isAvailable();
        final IoHandlerFactory ioHandlerFactory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        final Class<? extends ServerSocketChannel> channelClass =
            epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        bossGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("tapswitch-accept"), ioHandlerFactory);
        workerGroup = new MultiThreadIoEventLoopGroup(
            config.ioThreads(), new DefaultThreadFactory("tapswitch-io"), ioHandlerFactory);

        requests = new ManyToOneRingBuffer(new UnsafeBuffer(ByteBuffer.allocateDirect(
            config.engineQueueBytes() + RingBufferDescriptor.TRAILER_LENGTH)));
        final ManyToOneRingBuffer requestRing = requests;
        engineWaker = new EngineWaker(EngineWaker.defaultMaxParkNs()).hasWork(() -> requestRing.size() > 0);
        final List<OneToOneRingBuffer> responseRings = new ArrayList<>();
        int index = 0;
        for (final EventExecutor executor : workerGroup)
        {
            final OneToOneRingBuffer ring = new OneToOneRingBuffer(new UnsafeBuffer(ByteBuffer.allocateDirect(
                config.responseQueueBytes() + RingBufferDescriptor.TRAILER_LENGTH)));
            final LoopResponder responder = new LoopResponder(index++, (EventLoop)executor, requests, ring, engineWaker);
            responders.add(responder);
            responder.startRescue();
            respondersByLoop.put((EventLoop)executor, responder);
            responseRings.add(ring);
        }

        final Runnable[] wakers = new Runnable[responders.size()];
        final List<Counters> loopCounters = new ArrayList<>();
        final List<io.tapswitch.switching.metrics.LatencyHistogram> loopLatencies = new ArrayList<>();
        for (final LoopResponder responder : responders)
        {
            wakers[responder.index()] = responder::wake;
            loopCounters.add(responder.counters());
            loopLatencies.add(responder.latency());
        }
        metrics.bindNetwork(engineCounters, loopCounters, openConnections::get);
        metrics.bindAuthorizationLatency(loopLatencies);

        if (null != commitStageFactory)
        {
            agent = commitStageFactory.create(requests, responseRings.toArray(new OneToOneRingBuffer[0]), wakers,
                engineCounters);
        }
        else
        {
            agent = new EngineAgent(
                engineFactory,
                requests,
                responseRings.toArray(new OneToOneRingBuffer[0]),
                wakers,
                SystemEpochClock.INSTANCE,
                config.engineBatchSize(),
                config.commandPollLimit(),
                config.snapshotIntervalMs(),
                engineCounters,
                config.journalSync());
        }
        agent.onFatal(SwitchServer::exitAfterJournalFault);
        if (agent instanceof EngineAgent engineAgent)
        {
            engineAgent.commitAnswerBound(TimeUnit.MILLISECONDS.toNanos(config.journalSyncAnswerMs()));
        }
        agentRunner = new AgentRunner(idleStrategy(config.engineIdleStrategy(), engineWaker), this::onEngineError, null,
            agent);
        AgentRunner.startOnThread(agentRunner);
        try
        {
            startupCommandsApplied = agent.started().get();
        }
        catch (final ExecutionException ex)
        {
            CloseHelper.quietClose(agentRunner);
            agentRunner = null;
            agent = null;
            shutdownGroups();
            throw new IllegalStateException("engine failed to open: " + ex.getCause(), ex.getCause());
        }
        LOGGER.info("commit stage {} ({}): an answer leaves once it survives {}", agent.durability(),
            agent.getClass().getSimpleName(), agent.durability().survives());
        if (null != agent.engine())
        {
            replayMismatches = agent.engine().replayMismatches();
            EngineMetrics.bind(metrics, agent.engine());
            EngineMetrics.bindJournalState(metrics, agent.engine(), agent::journalWritable);
        }
        if (null != agent.syncer())
        {
            EngineMetrics.bindSyncer(metrics, agent.syncer());
        }

        final ServerBootstrap bootstrap = new ServerBootstrap()
            .group(bossGroup, workerGroup)
            .channel(channelClass)
            .option(ChannelOption.SO_BACKLOG, 4096)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.SO_KEEPALIVE, true)
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
            // The pooled allocator, not Netty 4.2's default adaptive one: the frame decoder hands each frame on as a
            // retained slice of the read buffer, and a slice of an adaptive buffer is a new UnpooledSlicedByteBuf
            // (40 B of garbage per request on the event loop, surviving into the young GCs), while a slice of a pooled
            // buffer is a PooledSlicedByteBuf taken from and returned to the event loop's recycler (no allocation).
            .childOption(ChannelOption.ALLOCATOR, io.netty.buffer.PooledByteBufAllocator.DEFAULT)
            .childHandler(new ChannelInitializer<SocketChannel>()
            {
                protected void initChannel(final SocketChannel channel)
                {
                    initConnection(channel);
                }
            });
        serverChannel = bootstrap.bind(config.host(), config.port()).sync().channel();
        boundPort = ((InetSocketAddress)serverChannel.localAddress()).getPort();

        LOGGER.info("transport {}, {} io thread(s), tls {}", epoll ? "epoll" : "nio", config.ioThreads(),
            config.isTls() ? "on" : "off");
        return this;
    }

    private void initConnection(final SocketChannel channel)
    {
        final LoopResponder responder = respondersByLoop.get(channel.eventLoop());
        if (openConnections.incrementAndGet() > config.maxConnections())
        {
            openConnections.decrementAndGet();
            responder.counters().increment(Counters.CONNECTIONS_REJECTED_MAX);
            channel.close();
            return;
        }
        responder.counters().increment(Counters.CONNECTIONS_ACCEPTED);
        channel.closeFuture().addListener((f) -> openConnections.decrementAndGet());
        channels.add(channel);

        final ChannelPipeline pipeline = channel.pipeline();
        if (null != sslContext)
        {
            pipeline.addLast("tls", sslContext.newHandler(channel.alloc()));
        }
        pipeline.addLast("frames", new TapFrameDecoder(Direction.REQUESTS));
        pipeline.addLast("session", new TerminalSession(responder, logonThrottle, config.maxInFlight(), config.idleTimeoutMs()));
    }

    /**
     * Replaces the single-node commit stage (the {@link EngineAgent}, chosen by {@code journal-sync}) by another one
     * (the replicated switch's cluster front end). Before {@link #start()}.
     *
     * @return this.
     */
    public SwitchServer commitStage(final CommitStage.Factory factory)
    {
        this.commitStageFactory = factory;
        return this;
    }

    /**
     * @return the port the terminal listener is bound to.
     */
    public int port()
    {
        return boundPort;
    }

    /**
     * @return admin commands applied at start, before the listener opened.
     */
    public long startupCommandsApplied()
    {
        return startupCommandsApplied;
    }

    /**
     * @return connections open now.
     */
    public int openConnections()
    {
        return openConnections.get();
    }

    /**
     * Test and operations hook: the engine thread stops deciding (requests queue up, then shed BUSY).
     */
    /**
     * @return journal records whose decision, decided again at this start (replay=verify), differed from the
     * journaled one (0 with replay=effects, and on the replicated switch).
     */
    public long replayMismatches()
    {
        return replayMismatches;
    }

    public void pauseEngine()
    {
        agent.pause();
    }

    public void resumeEngine()
    {
        agent.resume();
    }

    /**
     * Test hook (package-private): what happens after a journal fault this process cannot heal, instead of exiting
     * with status 74 ({@link EngineAgent#onFatal}); an in-process test records it and stops the switch itself.
     */
    void onJournalFatal(final Runnable onFatal)
    {
        agent.onFatal(onFatal);
    }

    /**
     * Test hook: the event loops' responders (one per event loop).
     */
    List<LoopResponder> responders()
    {
        return responders;
    }

    /**
     * Test and operations hook: the thread that forces the journal to the disk before answers leave
     * ({@code journal-sync=batch}); null with {@code journal-sync=none}.
     */
    public JournalSyncer journalSyncer()
    {
        return agent.syncer();
    }

    /**
     * "Journal writable" for readiness checks ({@code /ready}) and the gauge {@code tapswitch_journal_writable}:
     * true while the engine decides requests; false while the journal cannot make a decision durable (requests are
     * then answered ERROR SYSTEM_ERROR, PROTOCOL.md rule 14) or after a fault that makes the switch exit. Any thread.
     */
    public boolean journalWritable()
    {
        final CommitStage agent = this.agent;
        return null != agent && agent.journalWritable();
    }

    /**
     * After a journal fault the process cannot heal (see {@link EngineAgent#onFatal}): exit non-zero for the
     * supervisor, a moment later so that the event loops send the SYSTEM_ERROR answers first. On a thread of its
     * own (System.exit runs the shutdown hooks, which stop the engine thread).
     */
    private static void exitAfterJournalFault()
    {
        final Thread exit = new Thread(() ->
        {
            try
            {
                Thread.sleep(300);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            System.exit(EngineAgent.EXIT_JOURNAL_FAULT);
        }, "tapswitch-journal-fault-exit");
        exit.setDaemon(true);
        exit.start();
    }

    /**
     * Stops accepting, stops reading, waits (bounded) until every request already received is decided and its
     * response released, closes every connection, then stops the engine thread, which writes a snapshot and
     * closes the engine and its journal.
     */
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;

        if (null != serverChannel)
        {
            serverChannel.close().syncUninterruptibly();
        }
        for (final Channel channel : channels)
        {
            channel.config().setAutoRead(false);
        }
        if (null != agent)
        {
            agent.resume();
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_TIMEOUT_MS);
            while (requests.size() > 0 && System.nanoTime() - deadlineNs < 0)
            {
                Thread.onSpinWait();
                Thread.yield();
            }
            // Let each loop write what the engine released, then close the connections.
            for (final LoopResponder responder : responders)
            {
                responder.eventLoop().submit(responder::drain).awaitUninterruptibly(DRAIN_TIMEOUT_MS);
            }
        }
        channels.close().awaitUninterruptibly(DRAIN_TIMEOUT_MS);

        if (null != agent)
        {
            agent.stopWaiting();
        }
        CloseHelper.quietClose(agentRunner);
        shutdownGroups();
    }

    private void shutdownGroups()
    {
        if (null != bossGroup)
        {
            bossGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            bossGroup = null;
        }
        if (null != workerGroup)
        {
            workerGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            workerGroup = null;
        }
    }

    private void onEngineError(final Throwable throwable)
    {
        // A duty cycle that failed is counted; the first failure of each kind is logged, never a flood per cycle.
        engineCounters.increment(Counters.ENGINE_ERRORS);
        if (loggedEngineErrors.add(throwable.getClass().getName()))
        {
            LOGGER.error("engine thread error (logged once per exception type, counted in tapswitch_engine_errors_total)",
                throwable);
        }
    }

    private static IdleStrategy idleStrategy(final String name, final EngineWaker waker)
    {
        switch (name)
        {
            case "busy-spin": return new BusySpinIdleStrategy();
            case "yielding": return new YieldingIdleStrategy();
            case "sleeping": return new SleepingMillisIdleStrategy(1);
            case "backoff": return new BackoffIdleStrategy(64, 64, TimeUnit.MICROSECONDS.toNanos(1),
                TimeUnit.MICROSECONDS.toNanos(200));
            default: return waker;
        }
    }

    static SslContext buildSslContext(final SwitchConfig config) throws SSLException
    {
        return SslContextBuilder.forServer(
            config.tlsCertFile().toFile(), config.tlsKeyFile().toFile(), config.tlsKeyPassword()).build();
    }
}
