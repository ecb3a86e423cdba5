package io.tapswitch.switching.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.client.TerminalClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * No phone-home: the real switch, as a child process, reaches no host but its own clients.
 * <ul>
 *     <li>From its start to its stop, a sampler reads the sockets the process owns ({@code /proc/<pid>/fd} socket
 *     inodes matched in {@code /proc/<pid>/net/tcp, tcp6, udp, udp6}) every few milliseconds: every TCP socket must be
 *     the terminal listener, the metrics listener or a connection accepted on one of them from the loopback; no UDP
 *     socket at all (no DNS, no analytics beacon).</li>
 *     <li>The child runs under {@link NoPhoneHomeGuard}, a security manager that reports every connection attempt
 *     and every name resolution made through the JDK: none may name anything but the loopback.</li>
 *     <li>The child is started <b>without</b> {@code -Dchronicle.analytics.disable=true}: the switch must set it
 *     itself; {@code jcmd <pid> VM.system_properties} shows it in effect while the switch serves.</li>
 * </ul>
 */
class NoPhoneHomeTest
{
    private static final int TCP_LISTEN = 0x0A;

    @TempDir
    Path dataDir;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldOpenNoOutboundConnectionAndKeepChronicleAnalyticsDisabled() throws Exception
    {
        final ChildSwitch child = ChildSwitch.start(dataDir, List.of(
            "--demo", "--demo-cards", "200", "--demo-terminals", "10", "--port", "0", "--metrics-port", "0"),
            List.of("-Djava.security.manager=" + NoPhoneHomeGuard.class.getName()), false);
        final Set<String> sockets = ConcurrentHashMap.newKeySet();
        final AtomicBoolean sampling = new AtomicBoolean(true);
        final Thread sampler = new Thread(() ->
        {
            while (sampling.get() && child.isAlive())
            {
                sockets.addAll(processSockets(child.pid()));
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
        }, "socket-sampler");
        sampler.setDaemon(true);
        sampler.start();
        final String properties;
        try
        {
            child.awaitListening(40_000, true);
            final List<String> whileServing;
            try (TerminalClient first = TerminalClient.connect("127.0.0.1", child.port(), 1, TerminalClient.demoKey(1));
                TerminalClient second = TerminalClient.connect("127.0.0.1", child.port(), 6, TerminalClient.demoKey(6)))
            {
                assertThat(first.tap(1000001, 2, 1).decision()).isEqualTo(Decision.APPROVED);
                assertThat(second.balance(1000002).decision()).isEqualTo(Decision.APPROVED);
                assertThat(child.scrape()).contains("tapswitch_taps_total");
                whileServing = processSockets(child.pid());
                properties = jcmd(child.pid(), "VM.system_properties");
            }
            assertThat(whileServing.stream().filter((s) -> s.equals("tcp ESTABLISHED local " + child.port() + " peer loopback")))
                .as("the sampler sees the accepted terminal connections: %s", whileServing)
                .hasSize(2);
        }
        finally
        {
            sampling.set(false);
            sampler.join(5_000);
            child.stop(20_000);
        }

        final Set<Integer> ownPorts = Set.of(child.port(), child.metricsPort());
        final List<String> outbound = new ArrayList<>();
        for (final String socket : sockets)
        {
            final String[] parts = socket.split(" ");
            final boolean ownLocalPort = ownPorts.contains(Integer.parseInt(parts[3]));
            final boolean loopbackPeer = "loopback".equals(parts[5]) || "none".equals(parts[5]);
            if (!"tcp".equals(parts[0]) || !ownLocalPort || !loopbackPeer)
            {
                outbound.add(socket);
            }
        }
        System.out.println("NoPhoneHomeTest: sockets seen over the run: " + new java.util.TreeSet<>(sockets));
        assertThat(outbound).as("sockets that are not the switch's listeners or their accepted connections").isEmpty();

        final List<String> attempts = new ArrayList<>();
        for (final String line : child.output().split("\n"))
        {
            final String prefix = line.startsWith(NoPhoneHomeGuard.CONNECT) ? NoPhoneHomeGuard.CONNECT :
                line.startsWith(NoPhoneHomeGuard.RESOLVE) ? NoPhoneHomeGuard.RESOLVE : null;
            if (null != prefix && !isLoopbackName(line.substring(prefix.length()).trim()))
            {
                attempts.add(line);
            }
        }
        assertThat(child.output()).as("the guard was installed").contains(NoPhoneHomeGuard.INSTALLED);
        System.out.println("NoPhoneHomeTest: guard reports: " + child.output().lines()
            .filter((line) -> line.startsWith("NO-PHONE-HOME")).distinct().toList());
        assertThat(attempts).as("connections or name lookups of hosts other than the loopback").isEmpty();
        assertThat(properties).contains("chronicle.analytics.disable=true");
    }

    /**
     * @return the process's inet sockets, each as "proto STATE local PORT peer loopback|none|ADDRESS".
     */
    static List<String> processSockets(final long pid)
    {
        final Set<String> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", String.valueOf(pid), "fd")))
        {
            for (final Path fd : fds)
            {
                try
                {
                    final String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:["))
                    {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                }
                catch (final IOException ignored)
                {
                    // closed meanwhile
                }
            }
        }
        catch (final IOException ex)
        {
            return List.of();
        }
        final List<String> sockets = new ArrayList<>();
        for (final String table : List.of("tcp", "tcp6", "udp", "udp6"))
        {
            final List<String> lines;
            try
            {
                lines = Files.readAllLines(Path.of("/proc", String.valueOf(pid), "net", table), StandardCharsets.US_ASCII);
            }
            catch (final IOException ex)
            {
                continue;
            }
            for (final String line : lines.subList(Math.min(1, lines.size()), lines.size()))
            {
                final String[] fields = line.trim().split("\\s+");
                if (fields.length < 10 || !inodes.contains(fields[9]))
                {
                    continue;
                }
                final int state = Integer.parseInt(fields[3], 16);
                final int localPort = Integer.parseInt(fields[1].substring(fields[1].indexOf(':') + 1), 16);
                final String remoteAddress = fields[2].substring(0, fields[2].indexOf(':'));
                final String peer = state == TCP_LISTEN || isZero(remoteAddress) ? "none" :
                    isLoopbackHex(remoteAddress) ? "loopback" : remoteAddress;
                final String proto = table.startsWith("tcp") ? "tcp" : "udp";
                sockets.add(proto + " " + stateName(proto, state) + " local " + localPort + " peer " + peer);
            }
        }
        return sockets;
    }

    private static String stateName(final String proto, final int state)
    {
        if (!"tcp".equals(proto))
        {
            return "UDP";
        }
        switch (state)
        {
            case 0x01: return "ESTABLISHED";
            case 0x02: return "SYN_SENT";
            case 0x03: return "SYN_RECV";
            case 0x04: return "FIN_WAIT1";
            case 0x05: return "FIN_WAIT2";
            case 0x06: return "TIME_WAIT";
            case 0x07: return "CLOSE";
            case 0x08: return "CLOSE_WAIT";
            case 0x09: return "LAST_ACK";
            case 0x0A: return "LISTEN";
            case 0x0B: return "CLOSING";
            default: return "STATE_" + state;
        }
    }

    private static boolean isZero(final String hex)
    {
        return hex.chars().allMatch((c) -> c == '0');
    }

    /**
     * @param hex an address as /proc/net/tcp prints it (IPv4: 8 hex digits, bytes reversed; IPv6: 32 hex digits in
     *            four little-endian words).
     */
    static boolean isLoopbackHex(final String hex)
    {
        if (hex.length() == 8)
        {
            return hex.toUpperCase(Locale.ROOT).endsWith("7F");
        }
        final String upper = hex.toUpperCase(Locale.ROOT);
        return "00000000000000000000000001000000".equals(upper) ||
            (upper.startsWith("0000000000000000FFFF0000") && upper.endsWith("7F"));
    }

    private static boolean isLoopbackName(final String hostAndPort)
    {
        final String host = hostAndPort.contains("]") ? hostAndPort.substring(0, hostAndPort.indexOf(']') + 1) :
            hostAndPort.replaceFirst(":[0-9*\\-]*$", "");
        return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1") ||
            host.equals("[0:0:0:0:0:0:0:1]") || host.equals("0.0.0.0");
    }

    private static String jcmd(final long pid, final String command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), String.valueOf(pid), command)
            .redirectErrorStream(true).start();
        final byte[] out = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new String(out, StandardCharsets.UTF_8);
    }
}
