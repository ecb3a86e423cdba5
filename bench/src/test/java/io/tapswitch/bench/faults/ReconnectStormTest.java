package io.tapswitch.bench.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.FunctionCounter;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.tapswitch.protocol.client.AsyncTerminalClient;
import io.tapswitch.protocol.client.TerminalClient;
import io.tapswitch.switching.config.SwitchConfig;
import io.tapswitch.switching.net.SwitchLauncher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reconnect storm: N terminals (the client library, reconnection on: exponential back-off 50 ms → 2 s with jitter) are
 * logged on to a real switch, which is stopped and started again on the same data directory and port. Every terminal
 * must come back by itself and have a request answered within the bound; none is refused a LOGON (no LOGON failure,
 * nothing throttled). N is {@code -Dfaults.storm-terminals} (2 000 in CI: both ends of each connection are in this
 * JVM, 2 file descriptors per terminal, well within this machine's {@code ulimit -n} of 20 000); the full storm of the
 * issue, 10 000 terminals spread over child processes: {@code ./tapswitch bench storm --terminals 10000}.
 */
class ReconnectStormTest
{
    private static final int TERMINALS = Integer.getInteger("faults.storm-terminals", 2_000);
    private static final long BOUND_MS = Long.getLong("faults.storm-bound-ms", 60_000);

    @TempDir
    Path dataDir;

    private SwitchLauncher start(final int port) throws Exception
    {
        final Map<String, String> settings = new HashMap<>();
        settings.put("host", "127.0.0.1");
        settings.put("port", Integer.toString(port));
        settings.put("metrics-port", "-1");
        settings.put("data-dir", dataDir.toString());
        settings.put("demo", "true");
        settings.put("demo-cards", "2000");
        settings.put("demo-terminals", Integer.toString(TERMINALS));
        return SwitchLauncher.start(SwitchConfig.of(settings));
    }

    private static double counter(final SwitchLauncher launcher, final String name)
    {
        final FunctionCounter counter = launcher.metrics().registry().find(name).functionCounter();
        return null == counter ? 0 : counter.count();
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void everyTerminalComesBackByItselfAfterASwitchRestart() throws Exception
    {
        SwitchLauncher launcher = start(0);
        final int port = launcher.port();
        final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        final List<AsyncTerminalClient> clients = new ArrayList<>(TERMINALS);
        try
        {
            final List<CompletableFuture<?>> logons = new ArrayList<>();
            for (int i = 1; i <= TERMINALS; i++)
            {
                final AsyncTerminalClient client = new AsyncTerminalClient(new AsyncTerminalClient.Options()
                    .host("127.0.0.1").port(port).terminal(i, TerminalClient.demoKey(i)).reconnect(true).autoHeartbeat(true)
                    .group(group, NioSocketChannel.class));
                clients.add(client);
                logons.add(client.connectAndLogon().thenAccept(r -> assertThat(r.ok()).as("first LOGON").isTrue()));
            }
            CompletableFuture.allOf(logons.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);

            launcher.close();
            final long downNs = System.nanoTime();
            launcher = start(port);
            final long upNs = System.nanoTime();
            // each terminal sends a BALANCE: answered once it has reconnected and logged on again by itself
            final AtomicInteger answered = new AtomicInteger();
            final List<CompletableFuture<?>> balances = new ArrayList<>();
            final long[] lastAnswerNs = new long[1];
            for (int i = 0; i < TERMINALS; i++)
            {
                balances.add(clients.get(i).balance(1_000 + i, 1_000_001 + i % 2_000).thenAccept(r ->
                {
                    answered.incrementAndGet();
                    synchronized (lastAnswerNs)
                    {
                        lastAnswerNs[0] = Math.max(lastAnswerNs[0], System.nanoTime());
                    }
                }));
            }
            try
            {
                CompletableFuture.allOf(balances.toArray(CompletableFuture[]::new)).get(BOUND_MS, TimeUnit.MILLISECONDS);
            }
            catch (final java.util.concurrent.TimeoutException ex)
            {
                throw new AssertionError(answered.get() + " of " + TERMINALS + " terminals back within " + BOUND_MS + " ms", ex);
            }
            final long allBackMs = TimeUnit.NANOSECONDS.toMillis(lastAnswerNs[0] - upNs);
            final double throttled = counter(launcher, "tapswitch_logons_throttled_total");
            int reconnected = 0;
            for (final AsyncTerminalClient client : clients)
            {
                reconnected += client.connectionCount().get(5, TimeUnit.SECONDS) >= 2 ? 1 : 0;
            }
            System.out.printf("ReconnectStormTest: %d terminals; switch down %.1f s (stop + start with its demo data); " +
                    "all %d back and answered %d ms after the switch listened again; %d reconnected; LOGONs throttled %.0f%n",
                TERMINALS, (upNs - downNs) / 1e9, answered.get(), allBackMs, reconnected, throttled);
            assertThat(answered.get()).isEqualTo(TERMINALS);
            assertThat(reconnected).as("terminals that reconnected by themselves").isEqualTo(TERMINALS);
            assertThat(throttled).as("LOGONs refused by the throttle").isZero();
        }
        finally
        {
            for (final AsyncTerminalClient client : clients)
            {
                client.close();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            launcher.close();
        }
    }
}
