package io.tapswitch.bench.fleet;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.Direction;
import io.tapswitch.protocol.LogonMac;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.protocol.TapEncoder;
import io.tapswitch.protocol.netty.TapFrameDecoder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A fleet of simulated demo terminals, each a real TCP connection, tapping random demo cards either at a fixed
 * total offered rate (open loop: each request has a scheduled send time and its latency is measured from that
 * time, so a slow switch is not hidden by a waiting client — no coordinated omission) or as fast as the switch
 * answers with a fixed number of requests in flight per terminal.
 * <p>
 * A run is bounded in time: {@link #run(PrintStream)} connects, logs every terminal on, drives the load for the
 * duration, waits (bounded) for the last answers, closes everything and returns a {@link FleetResult}. Each event
 * loop's terminals, pacer and counters are a {@link FleetLoop}; a terminal's connection, window and frames are a
 * {@link FleetTerminal}.
 * One run per instance; call from one thread.
 */
public final class Fleet
{
    static final int SENT = 0;
    static final int ANSWERED = 1;
    static final int ERRORS = 2;
    static final int LOGGED_ON = 3;
    static final int LOGON_FAILED = 4;
    static final int DISCONNECTED = 5;
    static final int UNSENT = 6;
    static final int CONNECT_FAILED = 7;
    static final int HEARTBEATS = 8;
    static final int DECISION_BASE = 9;
    static final int LOST_WITH_CONNECTION = DECISION_BASE + 3 * ReasonCode.COUNT;
    static final int MOVED = LOST_WITH_CONNECTION + 1;
    static final int COUNTERS = MOVED + 1;
    /** A terminal whose connection dropped tries the next endpoint after this pause. */
    private static final long MOVE_DELAY_MS = 100;

    private static final int CONNECT_BATCH = 256;
    private static final long MIN_TICK_NS = 20_000;
    private static final long MAX_TICK_NS = 1_000_000;
    static final int WINDOW = 32;
    /** Marks a HEARTBEAT among a terminal's unanswered requests: its answer is not a tap latency. */
    static final long HEARTBEAT_MARK = Long.MIN_VALUE;
    private static final long HEARTBEAT_CHECK_MS = 100;

    final FleetOptions options;
    private final List<FleetLoop> loops = new java.util.concurrent.CopyOnWriteArrayList<>();
    volatile boolean running;
    private volatile boolean finished;
    private volatile long startNs;
    private volatile long endNs;
    /** Latencies since the last {@link #takeWindow()}: each second's interval is added by the reporting thread. */
    private final Histogram window = new Histogram(3);

    public Fleet(final FleetOptions options)
    {
        this.options = options.validate();
    }

    /**
     * @param decision a {@link Decision}.
     * @param reason   a {@link ReasonCode}.
     * @return the counter index of that outcome.
     */
    static int decisionIndex(final int decision, final int reason)
    {
        return DECISION_BASE + decision * ReasonCode.COUNT + reason;
    }

    /**
     * Runs the fleet.
     *
     * @param live where to print a line every second, or null for none.
     * @return the result.
     */
    public FleetResult run(final PrintStream live) throws InterruptedException
    {
        final boolean epoll = Epoll.isAvailable();
        final IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        final Class<? extends SocketChannel> channelClass = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(
            options.ioThreads(), new DefaultThreadFactory("tapswitch-fleet", true), factory);
        final long seed = System.nanoTime();
        try
        {
            for (final io.netty.util.concurrent.EventExecutor executor : group)
            {
                final FleetLoop loop = new FleetLoop((EventLoop)executor, loops.size(), seed);
                loops.add(loop);
                loop.eventLoop.execute(loop.heartbeats);
            }

            final long connectStartMs = System.currentTimeMillis();
            connectAll(channelClass);
            final long deadlineMs = connectStartMs + options.connectTimeoutMs();
            while (sum(LOGGED_ON) + sum(LOGON_FAILED) + sum(CONNECT_FAILED) < options.terminals() &&
                System.currentTimeMillis() < deadlineMs)
            {
                Thread.sleep(10);
            }
            final long connectMs = System.currentTimeMillis() - connectStartMs;
            if (null != live)
            {
                live.printf(Locale.ROOT, "fleet: %d/%d terminals logged on in %d ms (%s, %d io thread(s))%n",
                    sum(LOGGED_ON), options.terminals(), connectMs, epoll ? "epoll" : "nio", options.ioThreads());
            }

            final Histogram total = new Histogram(3);
            final Histogram interval = new Histogram(3);
            startNs = System.nanoTime();
            endNs = startNs + TimeUnit.MILLISECONDS.toNanos(options.durationMs());
            running = true;
            for (final FleetLoop loop : loops)
            {
                loop.eventLoop.execute(loop::start);
            }

            long lastAnswered = 0;
            long lastReportNs = startNs;
            int second = 0;
            while (System.nanoTime() - endNs < 0)
            {
                final long nextReportNs = lastReportNs + TimeUnit.SECONDS.toNanos(1);
                final long sleepNs = Math.min(nextReportNs, endNs) - System.nanoTime();
                if (sleepNs > 0)
                {
                    TimeUnit.NANOSECONDS.sleep(sleepNs);
                }
                final long nowNs = System.nanoTime();
                if (nowNs - nextReportNs >= 0)
                {
                    second++;
                    interval.reset();
                    for (final FleetLoop loop : loops)
                    {
                        loop.recorder.getIntervalHistogramInto(interval);
                    }
                    total.add(interval);
                    synchronized (window)
                    {
                        window.add(interval);
                    }
                    final long answered = sum(ANSWERED);
                    if (null != live)
                    {
                        live.println(liveLine(second, answered - lastAnswered, (nowNs - lastReportNs) / 1e9, interval));
                    }
                    lastAnswered = answered;
                    lastReportNs = nowNs;
                }
            }
            // An overloaded machine may run a pacer late: every request scheduled before the end is still sent
            // (its latency counts from its scheduled time), within the drain timeout.
            final long pacerDeadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.drainTimeoutMs());
            while (!allPacersDone() && System.nanoTime() - pacerDeadlineNs < 0)
            {
                Thread.sleep(1);
            }
            running = false;
            finished = true;
            final long loadNs = System.nanoTime() - startNs;
            for (final FleetLoop loop : loops)
            {
                // A barrier: a tick that was running when the run ended has finished; nothing is sent after this.
                loop.eventLoop.submit(() -> { }).awaitUninterruptibly(5, TimeUnit.SECONDS);
            }

            final long drainDeadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.drainTimeoutMs());
            while (sum(ANSWERED) + sum(ERRORS) + sum(LOST_WITH_CONNECTION) < sum(SENT) &&
                System.nanoTime() - drainDeadlineNs < 0)
            {
                Thread.sleep(5);
            }
            if (sum(ANSWERED) + sum(ERRORS) + sum(LOST_WITH_CONNECTION) < sum(SENT))
            {
                reportUnanswered(startNs);
            }
            interval.reset();
            for (final FleetLoop loop : loops)
            {
                loop.recorder.getIntervalHistogramInto(interval);
            }
            total.add(interval);
            final Histogram service = new Histogram(3);
            for (final FleetLoop loop : loops)
            {
                service.add(loop.serviceRecorder.getIntervalHistogram());
            }

            final long[] counters = new long[COUNTERS];
            for (int i = 0; i < COUNTERS; i++)
            {
                counters[i] = sum(i);
            }
            return new FleetResult(options, counters, total, service, loadNs, connectMs, epoll);
        }
        finally
        {
            running = false;
            finished = true;
            for (final FleetLoop loop : loops)
            {
                loop.eventLoop.submit(loop::closeAll).awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /**
     * Ends a running load early, from another thread (a cluster bench drives load until a condition): nothing is
     * scheduled after this; {@link #run} then drains and returns as at the end of its duration. No effect before the
     * load started.
     */
    public void endNow()
    {
        if (running)
        {
            endNs = System.nanoTime();
        }
    }

    /**
     * For a caller sampling a long run from another thread (the soak): the tap latencies (microseconds, from each
     * request's scheduled time) recorded since the previous call, a second at a time.
     *
     * @return a new histogram; the window starts again empty.
     */
    public Histogram takeWindow()
    {
        synchronized (window)
        {
            final Histogram copy = window.copy();
            window.reset();
            return copy;
        }
    }

    /**
     * @param index a counter ({@code SENT}, {@code ANSWERED}, ...), summed over the event loops; safe from any thread.
     */
    public long counter(final int index)
    {
        return sum(index);
    }

    /** Counter index of requests sent (TAPs). */
    public static final int COUNT_SENT = SENT;
    /** Counter index of TAP_RESULTs received. */
    public static final int COUNT_ANSWERED = ANSWERED;
    /** Counter index of ERROR answers. */
    public static final int COUNT_ERRORS = ERRORS;
    /** Counter index of connections closed after their LOGON. */
    public static final int COUNT_DISCONNECTED = DISCONNECTED;
    /** Counter index of requests the fleet could not send. */
    public static final int COUNT_UNSENT = UNSENT;
    /** Counter index of terminals logged on. */
    public static final int COUNT_LOGGED_ON = LOGGED_ON;

    /**
     * Counts, on each event loop, the requests (TAPs and HEARTBEATs) sent longer than {@code olderThanMs} ago and not
     * answered yet: an answer that late is, for a terminal, no answer. Safe from any thread while the fleet runs.
     *
     * @return the count, or -1 when an event loop did not answer within 5 s.
     */
    public long overdue(final long olderThanMs)
    {
        final long limitNs = TimeUnit.MILLISECONDS.toNanos(olderThanMs);
        final java.util.concurrent.atomic.AtomicLong overdue = new java.util.concurrent.atomic.AtomicLong();
        for (final FleetLoop loop : loops)
        {
            final io.netty.util.concurrent.Future<?> done = loop.eventLoop.submit(() ->
            {
                final long nowNs = System.nanoTime();
                for (final FleetTerminal terminal : loop.terminals)
                {
                    for (int i = terminal.inFlightHead; i != terminal.inFlightTail; i++)
                    {
                        if (nowNs - terminal.sentNs[i & (terminal.sentNs.length - 1)] > limitNs)
                        {
                            overdue.incrementAndGet();
                        }
                    }
                }
            });
            if (!done.awaitUninterruptibly(5, TimeUnit.SECONDS))
            {
                return -1;
            }
        }
        return overdue.get();
    }

    /**
     * Names, on stderr, each terminal still waiting for answers after the drain: how many, and when the oldest was
     * sent (a lost answer, or a stall, is then a place and a time to look at in the server's log).
     */
    private void reportUnanswered(final long startNs)
    {
        final long nowNs = System.nanoTime();
        for (final FleetLoop loop : loops)
        {
            loop.eventLoop.submit(() ->
            {
                for (final FleetTerminal terminal : loop.terminals)
                {
                    final int waiting = terminal.inFlightTail - terminal.inFlightHead;
                    if (waiting > 0)
                    {
                        final long oldestNs = terminal.sentNs[terminal.inFlightHead & (terminal.sentNs.length - 1)];
                        System.err.printf(Locale.ROOT, "fleet: terminal %d has %d unanswered request(s) (heartbeats " +
                            "included); the oldest sent %.3f s after the start, %.3f s ago; connection %s%n",
                            terminal.terminalId, waiting, (oldestNs - startNs) / 1e9, (nowNs - oldestNs) / 1e9,
                            null == terminal.channel ? "none" : terminal.channel.isActive() ? "open" : "closed");
                    }
                }
            }).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    private boolean allPacersDone()
    {
        for (final FleetLoop loop : loops)
        {
            if (!loop.pacerDone)
            {
                return false;
            }
        }
        return true;
    }

    private void connectAll(final Class<? extends SocketChannel> channelClass) throws InterruptedException
    {
        this.channelClass = channelClass;
        final List<ChannelFuture> batch = new ArrayList<>(CONNECT_BATCH);
        final List<InetSocketAddress> endpoints = options.endpoints();
        for (int i = 0; i < options.terminals(); i++)
        {
            final FleetLoop loop = loops.get(i % loops.size());
            final FleetTerminal terminal = new FleetTerminal(this, loop, options.firstTerminal() + i, i % endpoints.size());
            final ChannelFuture connect = connect(terminal);
            connect.addListener((f) ->
            {
                if (!f.isSuccess())
                {
                    loop.increment(CONNECT_FAILED);
                }
            });
            batch.add(connect);
            if (batch.size() == CONNECT_BATCH)
            {
                for (final ChannelFuture future : batch)
                {
                    future.await();
                }
                batch.clear();
            }
        }
        for (final ChannelFuture future : batch)
        {
            future.await();
        }
    }

    private Class<? extends SocketChannel> channelClass;

    /**
     * Connects a terminal to its current endpoint (the terminal is its connection's handler).
     */
    private ChannelFuture connect(final FleetTerminal terminal)
    {
        final InetSocketAddress endpoint = options.endpoints().get(terminal.endpoint);
        final Bootstrap bootstrap = new Bootstrap()
            .group(terminal.loop.eventLoop)
            .channel(channelClass)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)Math.min(Integer.MAX_VALUE, options.connectTimeoutMs()))
            .handler(new ChannelInitializer<SocketChannel>()
            {
                protected void initChannel(final SocketChannel channel)
                {
                    channel.pipeline().addLast(new TapFrameDecoder(Direction.RESPONSES));
                    channel.pipeline().addLast(terminal);
                }
            });
        return bootstrap.connect(new InetSocketAddress(endpoint.getHostString(), endpoint.getPort()));
    }

    /**
     * {@code --hosts}: a terminal whose connection dropped during the run moves to the next endpoint (and on, while
     * connecting fails), on its event loop.
     */
    void moveLater(final FleetTerminal terminal)
    {
        if (finished || options.endpoints().size() < 2)
        {
            return;
        }
        terminal.loop.eventLoop.schedule(() ->
        {
            if (finished)
            {
                return;
            }
            terminal.endpoint = (terminal.endpoint + 1) % options.endpoints().size();
            terminal.loop.increment(MOVED);
            connect(terminal).addListener((f) ->
            {
                if (!f.isSuccess())
                {
                    moveLater(terminal);
                }
            });
        }, MOVE_DELAY_MS, TimeUnit.MILLISECONDS);
    }

    private String liveLine(final int second, final long answered, final double seconds, final Histogram interval)
    {
        final StringBuilder sb = new StringBuilder(160);
        sb.append(String.format(Locale.ROOT, "t=%3ds connected=%d taps/s=%.0f approved=%d",
            second, sum(LOGGED_ON) - sum(DISCONNECTED), answered / seconds, sum(decisionIndex(Decision.APPROVED, 0))));
        final long recorded = sumDecision(Decision.RECORDED);
        if (recorded > 0)
        {
            sb.append(" recorded=").append(recorded);
        }
        sb.append(" declined[");
        boolean first = true;
        for (int reason = 0; reason < ReasonCode.COUNT; reason++)
        {
            final long count = sum(decisionIndex(Decision.DECLINED, reason));
            if (count > 0)
            {
                sb.append(first ? "" : " ").append(ReasonCode.name(reason)).append('=').append(count);
                first = false;
            }
        }
        sb.append(']');
        sb.append(String.format(Locale.ROOT, " p50=%.3fms p99=%.3fms max=%.3fms",
            interval.getValueAtPercentile(50) / 1000.0, interval.getValueAtPercentile(99) / 1000.0,
            interval.getMaxValue() / 1000.0));
        if (sum(ERRORS) > 0)
        {
            sb.append(" errors=").append(sum(ERRORS));
        }
        return sb.toString();
    }

    private long sumDecision(final int decision)
    {
        long total = 0;
        for (int reason = 0; reason < ReasonCode.COUNT; reason++)
        {
            total += sum(decisionIndex(decision, reason));
        }
        return total;
    }

    private long sum(final int index)
    {
        long total = 0;
        for (final FleetLoop loop : loops)
        {
            total += loop.counters.get(index);
        }
        return total;
    }

    /**
     * One fleet event loop: its terminals, the open-loop pacer, its counters and latency recorder. Owned by the
     * event loop thread; the counters and recorder are read by the reporting thread.
     */
    final class FleetLoop
    {
        final EventLoop eventLoop;
        final AtomicLongArray counters = new AtomicLongArray(COUNTERS);
        final SingleWriterRecorder recorder = new SingleWriterRecorder(3);
        final SingleWriterRecorder serviceRecorder = new SingleWriterRecorder(3);
        final List<FleetTerminal> terminals = new ArrayList<>();
        final List<FleetTerminal> touched = new ArrayList<>();
        final SplittableRandom random;
        final byte[] scratch = new byte[TapEncoder.FRAME_LENGTH];
        final UnsafeBuffer scratchBuffer = new UnsafeBuffer(scratch);
        final TapEncoder tapEncoder = new TapEncoder();
        final LogonMac logonMac = new LogonMac();
        final Runnable tick = this::tick;
        final Runnable heartbeats = this::heartbeats;
        final byte[] heartbeatFrame = new byte[io.tapswitch.protocol.HeartbeatEncoder.FRAME_LENGTH];
        final io.tapswitch.protocol.HeartbeatEncoder heartbeatEncoder = new io.tapswitch.protocol.HeartbeatEncoder();
        double loopRatePerSecond;
        volatile boolean pacerDone;
        long issued;
        int nextTerminal;

        FleetLoop(final EventLoop eventLoop, final int index, final long seed)
        {
            this.eventLoop = eventLoop;
            this.random = new SplittableRandom(seed + index);
        }

        void increment(final int index)
        {
            counters.lazySet(index, counters.get(index) + 1);
        }

        /**
         * Keeps quiet terminals logged on: a HEARTBEAT when nothing was sent for half the heartbeat interval.
         */
        void heartbeats()
        {
            if (finished)
            {
                return;
            }
            final long nowNs = System.nanoTime();
            for (int i = 0, size = terminals.size(); i < size; i++)
            {
                final FleetTerminal terminal = terminals.get(i);
                if (terminal.loggedOn && terminal.heartbeatMs > 0 &&
                    nowNs - terminal.lastSentNs > TimeUnit.MILLISECONDS.toNanos(terminal.heartbeatMs / 2) &&
                    terminal.inFlightTail - terminal.inFlightHead < WINDOW)
                {
                    terminal.sendHeartbeat(nowNs);
                }
            }
            flushTouched();
            eventLoop.schedule(heartbeats, HEARTBEAT_CHECK_MS, TimeUnit.MILLISECONDS);
        }

        void start()
        {
            if (options.isMaxRate())
            {
                pacerDone = true;
                for (final FleetTerminal terminal : terminals)
                {
                    for (int i = 0; i < options.inFlight(); i++)
                    {
                        terminal.send(System.nanoTime());
                    }
                }
                flushTouched();
            }
            else
            {
                loopRatePerSecond = options.ratePerSecond() * terminals.size() / options.terminals();
                if (loopRatePerSecond > 0)
                {
                    eventLoop.execute(tick);
                }
                else
                {
                    pacerDone = true;
                }
            }
        }

        void tick()
        {
            if (!running)
            {
                return;
            }
            final long nowNs = System.nanoTime();
            final double nsPerRequest = 1e9 / loopRatePerSecond;
            // Request k is scheduled at startNs + k * nsPerRequest: every k with that time <= now is due.
            final long due = (long)((nowNs - startNs) / nsPerRequest) + 1;
            final int count = terminals.size();
            while (issued < due)
            {
                final long intendedNs = startNs + (long)(issued * nsPerRequest);
                if (intendedNs - endNs >= 0)
                {
                    flushTouched();
                    pacerDone = true;
                    return; // the offered load ends exactly at the end of the run
                }
                issued++;
                FleetTerminal terminal = null;
                for (int i = 0; i < count; i++)
                {
                    final FleetTerminal candidate = terminals.get(nextTerminal);
                    nextTerminal = nextTerminal + 1 == count ? 0 : nextTerminal + 1;
                    if (candidate.loggedOn)
                    {
                        terminal = candidate;
                        break;
                    }
                }
                if (null == terminal)
                {
                    increment(UNSENT);
                }
                else
                {
                    terminal.schedule(intendedNs);
                }
            }
            flushTouched();
            final long nextNs = startNs + (long)(issued * nsPerRequest);
            final long delayNs = Math.max(MIN_TICK_NS, Math.min(MAX_TICK_NS, nextNs - System.nanoTime()));
            eventLoop.schedule(tick, delayNs, TimeUnit.NANOSECONDS);
        }

        void markTouched(final FleetTerminal terminal)
        {
            if (!terminal.touched)
            {
                terminal.touched = true;
                touched.add(terminal);
            }
        }

        void flushTouched()
        {
            for (int i = 0, size = touched.size(); i < size; i++)
            {
                final FleetTerminal terminal = touched.get(i);
                terminal.touched = false;
                terminal.channel.flush();
            }
            touched.clear();
        }

        void closeAll()
        {
            for (final FleetTerminal terminal : terminals)
            {
                if (null != terminal.channel)
                {
                    terminal.channel.close();
                }
            }
        }
    }
}
