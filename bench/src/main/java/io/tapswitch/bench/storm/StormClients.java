package io.tapswitch.bench.storm;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.tapswitch.protocol.client.AsyncTerminalClient;
import io.tapswitch.protocol.client.TerminalClient;

/**
 * One child process of {@code ./tapswitch bench storm}: a share of the fleet as terminals of the client library
 * (reconnection on, back-off with jitter, heartbeats), so that the fleet's descriptors are spread over processes.
 * Talks to its parent by lines: prints {@code LOGGED_ON <ok> <failed>} once every terminal's first LOGON is answered;
 * on {@code BALANCE <correlation>} each terminal sends a BALANCE (queued while it is reconnecting) and, when all are
 * answered or the bound passes, it prints {@code ANSWERED <count> <epoch ms of the last answer> <failed>}; on
 * {@code QUIT} (or the end of its input) it closes everything and exits.
 * <p>
 * Usage: {@code StormClients HOST PORT FIRST_TERMINAL COUNT BOUND_MS}.
 */
public final class StormClients
{
    private StormClients()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final String host = args[0];
        final int port = Integer.parseInt(args[1]);
        final long first = Long.parseLong(args[2]);
        final int count = Integer.parseInt(args[3]);
        final long boundMs = Long.parseLong(args[4]);
        final boolean epoll = Epoll.isAvailable();
        final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
            epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        final Class<? extends SocketChannel> channelClass = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        final List<AsyncTerminalClient> clients = new ArrayList<>(count);
        try
        {
            final AtomicInteger ok = new AtomicInteger();
            final AtomicInteger failed = new AtomicInteger();
            final List<CompletableFuture<?>> logons = new ArrayList<>(count);
            for (int i = 0; i < count; i++)
            {
                final long terminal = first + i;
                final AsyncTerminalClient client = new AsyncTerminalClient(new AsyncTerminalClient.Options()
                    .host(host).port(port).terminal(terminal, TerminalClient.demoKey(terminal)).reconnect(true)
                    .autoHeartbeat(true).group(group, channelClass));
                clients.add(client);
                logons.add(client.connectAndLogon().handle((result, failure) ->
                {
                    if (null == failure && result.ok())
                    {
                        ok.incrementAndGet();
                    }
                    else
                    {
                        failed.incrementAndGet();
                        System.err.println("terminal " + terminal + ": first LOGON " + (null == failure ? result : failure));
                    }
                    return null;
                }));
                if (i % 256 == 255)
                {
                    Thread.sleep(5); // the first connections are made at a steady pace; the storm is the reconnection
                }
            }
            CompletableFuture.allOf(logons.toArray(CompletableFuture[]::new)).get(boundMs, TimeUnit.MILLISECONDS);
            System.out.println("LOGGED_ON " + ok.get() + " " + failed.get());
            System.out.flush();

            final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while (null != (line = in.readLine()))
            {
                if (line.startsWith("BALANCE "))
                {
                    final int correlation = Integer.parseInt(line.substring(8).trim());
                    balances(clients, correlation, boundMs);
                }
                else if ("QUIT".equals(line))
                {
                    break;
                }
            }
        }
        finally
        {
            for (final AsyncTerminalClient client : clients)
            {
                client.close();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static void balances(final List<AsyncTerminalClient> clients, final int correlation, final long boundMs)
    {
        final AtomicInteger answered = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final AtomicLong lastMs = new AtomicLong();
        final List<CompletableFuture<?>> all = new ArrayList<>(clients.size());
        for (int i = 0; i < clients.size(); i++)
        {
            all.add(clients.get(i).balance(correlation, 1_000_001L + i % 1_000).handle((result, failure) ->
            {
                if (null == failure)
                {
                    answered.incrementAndGet();
                    lastMs.accumulateAndGet(System.currentTimeMillis(), Math::max);
                }
                else
                {
                    failed.incrementAndGet();
                }
                return null;
            }));
        }
        try
        {
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(boundMs, TimeUnit.MILLISECONDS);
        }
        catch (final Exception ex)
        {
            // reported as fewer answered than terminals
        }
        System.out.println("ANSWERED " + answered.get() + " " + lastMs.get() + " " + failed.get());
        System.out.flush();
    }
}
