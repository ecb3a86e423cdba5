package io.tapswitch.admin.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.tapswitch.admin.AdminConfig;
import io.tapswitch.admin.AdminHarness;
import io.tapswitch.admin.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slow-header clients (slowloris) on the admin's REST port, over raw TCP: each connection trickles its request line
 * and headers one byte every 300 ms, never finishing them. Each byte resets the HTTP idle timeout, so before the fix
 * such a connection was held for as long as the client liked; 32 of them from one address (the per-address cap) kept
 * the address's every slot, and from many addresses every connection the service has. Now each is closed once
 * {@code request-header-timeout-ms} has passed without a whole request head (here 2 s), counted in
 * {@code tapswitch_admin_slow_requests_closed_total}, while an honest client is answered throughout; a client that
 * sends its headers at a human pace inside the time is answered.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SlowRestClientsTest
{
    private static final long HEADER_TIMEOUT_MS = 2_000;
    private static final int TRICKLERS = 24;

    @TempDir
    Path dataDir;
    @TempDir
    Path switchDir;

    @Test
    void shouldCloseSlowHeaderClientsWhileOthersAreServed() throws Exception
    {
        final String db = TestPostgres.newDatabase();
        final AdminConfig config = AdminHarness.config(db, dataDir, switchDir).requestHeaderTimeoutMs(HEADER_TIMEOUT_MS);
        try (AdminHarness admin = new AdminHarness(db, dataDir, switchDir).start(config))
        {
            final int port = admin.service().httpPort();
            final byte[] head = ("GET /api/v1/outlets HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                AdminHarness.ADMIN + "\r\nX-Slow: " + "a".repeat(400) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
            final List<Socket> tricklers = new ArrayList<>();
            for (int i = 0; i < TRICKLERS; i++)
            {
                final Socket socket = new Socket();
                socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                tricklers.add(socket);
            }
            final long startNs = System.nanoTime();
            final AtomicBoolean running = new AtomicBoolean(true);
            final AtomicInteger closedBySwitch = new AtomicInteger();
            final long[] closedAfterMs = new long[TRICKLERS];
            final Thread trickle = new Thread(() ->
            {
                int position = 0;
                while (running.get() && position < head.length - 4)
                {
                    for (int i = 0; i < TRICKLERS; i++)
                    {
                        final Socket socket = tricklers.get(i);
                        if (closedAfterMs[i] > 0)
                        {
                            continue;
                        }
                        try
                        {
                            socket.getOutputStream().write(head[position]);
                            socket.getOutputStream().flush();
                            socket.setSoTimeout(1);
                            if (socket.getInputStream().read() < 0)
                            {
                                throw new IOException("closed by the server");
                            }
                        }
                        catch (final SocketTimeoutException ex)
                        {
                            // still open, nothing to read: go on trickling
                        }
                        catch (final IOException ex)
                        {
                            closedAfterMs[i] = Math.max(1, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs));
                            closedBySwitch.incrementAndGet();
                        }
                    }
                    position++;
                    sleep(300);
                }
            }, "slowloris");
            trickle.setDaemon(true);
            trickle.start();

            // an honest client on its own connections is served all the while
            int served = 0;
            long slowestMs = 0;
            while (closedBySwitch.get() < TRICKLERS && System.nanoTime() - startNs < TimeUnit.SECONDS.toNanos(20))
            {
                final long t0 = System.nanoTime();
                assertThat(admin.get("/api/v1/outlets", AdminHarness.ADMIN).status()).isEqualTo(200);
                slowestMs = Math.max(slowestMs, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                served++;
                sleep(100);
            }
            running.set(false);
            trickle.join(5_000);
            for (final Socket socket : tricklers)
            {
                socket.close();
            }
            long latest = 0;
            for (final long ms : closedAfterMs)
            {
                latest = Math.max(latest, ms);
            }
            System.out.println("SlowRestClientsTest: " + closedBySwitch.get() + " of " + TRICKLERS + " slow-header " +
                "connections closed by the service, the last after " + latest + " ms (header timeout " + HEADER_TIMEOUT_MS +
                " ms); honest client served " + served + " times meanwhile, slowest " + slowestMs + " ms");
            assertThat(closedBySwitch.get()).as("slow-header connections closed by the service").isEqualTo(TRICKLERS);
            assertThat(latest).as("closed within the header timeout and one check period (+ margin)")
                .isLessThan(HEADER_TIMEOUT_MS + 1_000 + 3_000);
            assertThat(served).as("honest requests served while they trickled").isPositive();
            final double counted = admin.metrics().text().lines()
                .filter(line -> line.startsWith("tapswitch_admin_slow_requests_closed_total"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
            assertThat(counted).as("tapswitch_admin_slow_requests_closed_total").isEqualTo(TRICKLERS);

            // a client typing its request head at a human pace, inside the time, is answered
            try (Socket socket = new Socket())
            {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                socket.setSoTimeout(10_000);
                final OutputStream out = socket.getOutputStream();
                final byte[] polite = ("GET /api/v1/outlets HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                    AdminHarness.ADMIN + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
                final int half = polite.length / 2;
                out.write(polite, 0, half);
                out.flush();
                sleep(HEADER_TIMEOUT_MS / 2);
                out.write(polite, half, polite.length - half);
                out.flush();
                final InputStream in = socket.getInputStream();
                final String status = new String(in.readNBytes(12), StandardCharsets.ISO_8859_1);
                assertThat(status).isEqualTo("HTTP/1.1 200");
            }
        }
    }

    private static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
