package io.tapswitch.switching.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.client.AsyncTerminalClient;
import io.tapswitch.protocol.client.TapResult;
import io.tapswitch.protocol.client.TerminalClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS on the terminal port of the real switch (child process), with a key pair made by {@code openssl} in a temp
 * directory: a terminal that trusts the certificate completes a real handshake, logs on and taps; a plaintext
 * terminal on the TLS port gets no protocol answer and is disconnected, nothing decided; a terminal that does not
 * trust the certificate cannot log on; the switch keeps serving; the private key never appears in its output.
 */
class TlsTerminalPortTest
{
    @TempDir
    Path dataDir;
    @TempDir
    Path pki;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldServeTerminalsOverARealHandshakeAndRefusePlaintextAndUntrustingClients() throws Exception
    {
        final Path cert = pki.resolve("switch-cert.pem");
        final Path key = pki.resolve("switch-key.pem");
        final Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec",
            "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout", key.toString(), "-out", cert.toString()).redirectErrorStream(true).start();
        final String opensslOutput = new String(openssl.getInputStream().readAllBytes());
        assertThat(openssl.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(openssl.exitValue()).as(opensslOutput).isZero();
        final String keyPem = Files.readString(key);
        assertThat(keyPem).contains("BEGIN PRIVATE KEY");

        try (ChildSwitch child = ChildSwitch.start(dataDir, List.of(
            "--demo", "--demo-cards", "200", "--demo-terminals", "10", "--port", "0", "--metrics-port", "0",
            "--set", "tls.cert-file=" + cert, "--set", "tls.key-file=" + key), List.of()))
        {
            child.awaitListening(40_000, true);
            final double logonsBefore = ChildSwitch.metric(child.scrape(), "tapswitch_logons_total");

            try (RawConnection plaintext = RawConnection.open(child.port(), 0))
            {
                plaintext.write(RawConnection.logonFrame(2, TerminalClient.demoKey(2), 7));
                assertThat(plaintext.awaitClosedBySwitch(10_000)).as("plaintext client disconnected").isTrue();
            }
            assertThat(ChildSwitch.metric(child.scrape(), "tapswitch_logons_total"))
                .as("nothing decided for the plaintext LOGON").isEqualTo(logonsBefore);

            final SslContext untrusting = SslContextBuilder.forClient().build();
            assertThatThrownBy(() -> TerminalClient.connect(options(child, 3).tls(untrusting)).close())
                .as("a terminal that does not trust the switch's certificate cannot log on")
                .isInstanceOf(RuntimeException.class);

            final SslContext trusting = SslContextBuilder.forClient().trustManager(cert.toFile()).build();
            try (TerminalClient terminal = TerminalClient.connect(options(child, 1).tls(trusting)))
            {
                final TapResult tap = terminal.tap(1000001, 2, 1);
                assertThat(tap.decision()).as(tap.toString()).isEqualTo(Decision.APPROVED);
                assertThat(terminal.balance(1000001).entry(2).remaining()).isEqualTo(1);
            }
            assertThat(ChildSwitch.metric(child.scrape(), "tapswitch_logons_total", "result=\"OK\""))
                .isGreaterThanOrEqualTo(1);

            final String body = keyPem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            assertThat(child.output()).as("the switch's output").doesNotContain(body.substring(0, 40));
        }
    }

    private static AsyncTerminalClient.Options options(final ChildSwitch child, final long terminalId)
    {
        return new AsyncTerminalClient.Options().host("127.0.0.1").port(child.port())
            .terminal(terminalId, TerminalClient.demoKey(terminalId));
    }
}
