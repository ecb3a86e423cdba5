package io.tapswitch.admin;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The REST API over TLS with a PEM pair made by openssl: a client trusting the certificate gets its answers, a
 * plaintext request gets none.
 */
class TlsApiTest
{
    @TempDir
    Path dir;

    @Test
    void shouldServeTheApiOverTls() throws Exception
    {
        final Path cert = dir.resolve("cert.pem");
        final Path key = dir.resolve("key.pem");
        final Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-days", "1", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1").redirectErrorStream(true).start();
        assertThat(openssl.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(openssl.exitValue()).as(new String(openssl.getInputStream().readAllBytes())).isZero();

        final String db = TestPostgres.newDatabase();
        final AdminService service = new AdminService(AdminHarness.config(db, dir.resolve("admin"), dir.resolve("switch"))
            .tlsCertFile(cert).tlsKeyFile(key).conclude());
        service.start().toCompletionStage().toCompletableFuture().get(2, TimeUnit.MINUTES);
        try
        {
            assertThat(service.baseUrl()).startsWith("https://");
            final HttpClient trusting = HttpClient.newBuilder().sslContext(trusting(cert)).connectTimeout(Duration.ofSeconds(5)).build();
            final HttpResponse<String> cards = trusting.send(HttpRequest.newBuilder(URI.create(service.baseUrl() + "/api/v1/cards"))
                .header("Authorization", "Bearer " + AdminHarness.AUDITOR).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(cards.statusCode()).isEqualTo(200);
            assertThat(cards.body()).contains("\"items\"");

            final HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.httpPort() + "/health"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString())).isInstanceOf(java.io.IOException.class);
        }
        finally
        {
            service.stop().toCompletionStage().toCompletableFuture().get(1, TimeUnit.MINUTES);
        }
    }

    private static SSLContext trusting(final Path cert) throws Exception
    {
        final KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(cert))
        {
            store.setCertificateEntry("admin", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        final TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        final SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }
}
