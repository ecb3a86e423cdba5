package io.tapswitch.admin.reliability;

import static io.tapswitch.admin.AdminHarness.ADMIN;
import static io.tapswitch.admin.AdminHarness.AUDITOR;
import static io.tapswitch.admin.AdminHarness.DEPARTMENT;
import static io.tapswitch.admin.AdminHarness.DISTRICT;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.tapswitch.admin.AdminConfig;
import io.tapswitch.admin.AdminHarness;
import io.tapswitch.admin.TestPostgres;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile input on the admin's REST port, over raw keep-alive TCP connections (the bytes exactly as sent, invalid
 * UTF-8 included): every case answers 4xx problem+json naming the field, never 5xx; the same connection then
 * answers a valid request; nothing was stored (rows, audit, outbox unchanged). Then the bounds: body size, header
 * size, connections per client address, and a flood from one token throttled with 429 + Retry-After while another
 * token is served.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HostileRestInputTest
{
    @TempDir
    static Path dataDir;
    @TempDir
    static Path switchDir;
    private static AdminHarness admin;
    private static int port;
    private String fingerprint;

    @BeforeAll
    static void start() throws Exception
    {
        final String db = TestPostgres.newDatabase();
        final AdminConfig config = AdminHarness.config(db, dataDir, switchDir)
            .maxConnectionsPerClient(8);
        admin = new AdminHarness(db, dataDir, switchDir).start(config);
        port = admin.service().httpPort();
    }

    @AfterAll
    static void stop() throws Exception
    {
        admin.close();
    }

    @BeforeEach
    void snapshot()
    {
        fingerprint = state();
    }

    @AfterEach
    void nothingStored()
    {
        assertThat(state()).as("rows, audit records and outbox after refused requests").isEqualTo(fingerprint);
    }

    private static String state()
    {
        return admin.count("SELECT count(*) FROM cardholders") + "/" + admin.count("SELECT count(*) FROM cards") + "/" +
            admin.count("SELECT count(*) FROM outlets") + "/" + admin.count("SELECT count(*) FROM audit_log") + "/" +
            admin.count("SELECT count(*) FROM outbox");
    }

    /** A raw HTTP/1.1 response. */
    record Raw(int status, String headers, String body)
    {
        JsonObject json()
        {
            return new JsonObject(body);
        }
    }

    /** One keep-alive connection sending exact bytes. */
    static final class Conn implements AutoCloseable
    {
        final Socket socket = new Socket();
        final InputStream in;
        final OutputStream out;

        Conn() throws IOException
        {
            this(port);
        }

        Conn(final int toPort) throws IOException
        {
            socket.connect(new InetSocketAddress("127.0.0.1", toPort), 5_000);
            socket.setSoTimeout(10_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        Raw send(final String method, final String path, final String token, final String contentType, final byte[] body)
            throws IOException
        {
            final StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
            if (token != null)
            {
                head.append("Authorization: Bearer ").append(token).append("\r\n");
            }
            if (contentType != null)
            {
                head.append("Content-Type: ").append(contentType).append("\r\n");
            }
            head.append("Content-Length: ").append(body == null ? 0 : body.length).append("\r\n\r\n");
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (body != null)
            {
                out.write(body);
            }
            out.flush();
            return read();
        }

        Raw read() throws IOException
        {
            final ByteArrayOutputStream header = new ByteArrayOutputStream();
            int matched = 0;
            while (matched < 4)
            {
                final int b = in.read();
                if (b < 0)
                {
                    throw new IOException("connection closed before a response");
                }
                header.write(b);
                matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
            }
            final String headers = header.toString(StandardCharsets.ISO_8859_1);
            final int status = Integer.parseInt(headers.substring(9, 12));
            int length = 0;
            for (final String line : headers.split("\r\n"))
            {
                if (line.toLowerCase().startsWith("content-length:"))
                {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            final byte[] body = in.readNBytes(length);
            return new Raw(status, headers, new String(body, StandardCharsets.UTF_8));
        }

        @Override
        public void close() throws IOException
        {
            socket.close();
        }
    }

    private static byte[] utf8(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void assertProblem(final Raw response, final int status, final String field)
    {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().toLowerCase()).contains("content-type: application/problem+json");
        final JsonObject problem = response.json();
        assertThat(problem.getInteger("status")).isEqualTo(status);
        assertThat(problem.getString("detail")).isNotBlank();
        if (field != null)
        {
            assertThat(problem.getJsonArray("errors")).as(response.body()).isNotNull();
            final List<String> fields = new ArrayList<>();
            problem.getJsonArray("errors").forEach(e -> fields.add(((JsonObject) e).getString("field")));
            assertThat(fields).as(response.body()).contains(field);
        }
    }

    /** After a refused request the same connection still answers a valid one. */
    private static void assertStillServes(final Conn conn) throws IOException
    {
        final Raw ok = conn.send("GET", "/api/v1/outlets?limit=1", AUDITOR, null, null);
        assertThat(ok.status()).as("a valid request on the same connection after a refused one").isEqualTo(200);
    }

    private static void refused(final byte[] body, final String field) throws IOException
    {
        try (Conn conn = new Conn())
        {
            final Raw response = conn.send("POST", "/api/v1/cardholders", DISTRICT, "application/json", body);
            assertProblem(response, 400, field);
            assertStillServes(conn);
        }
    }

    @Test
    void shouldRefuseControlCharactersNamingTheField() throws IOException
    {
        refused(utf8("{\"familyName\": \"Ко\\u0000валь\", \"givenName\": \"Петро\"}"), "/body/familyName");
        refused(utf8("{\"familyName\": \"Коваль\", \"givenName\": \"Пе\u0000тро\"}"), "/body/givenName");
        refused(utf8("{\"familyName\": \"Коваль\", \"givenName\": \"Петро\\u001b[31m\"}"), "/body/givenName");
        refused(utf8("{\"familyName\": \"Коваль\", \"givenName\": \"Петро\", \"patronymic\": \"\\u0085\"}"), "/body/patronymic");
    }

    @Test
    void shouldRefuseLoneSurrogatesInsteadOfStoringAQuestionMark() throws IOException
    {
        refused(utf8("{\"familyName\": \"Коваль\\ud800\", \"givenName\": \"Петро\"}"), "/body/familyName");
        refused(utf8("{\"familyName\": \"Коваль\", \"givenName\": \"\\udc00Петро\"}"), "/body/givenName");
        // a well-formed pair is a character like any other
        try (Conn conn = new Conn())
        {
            final Raw created = conn.send("POST", "/api/v1/cardholders", DISTRICT, "application/json",
                utf8("{\"familyName\": \"Коваль\\ud83d\\ude00\", \"givenName\": \"Петро\"}"));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            assertThat(created.json().getString("familyName")).isEqualTo("Коваль\ud83d\ude00");
        }
        fingerprint = state();
    }

    @Test
    void shouldRefuseInvalidUtf8() throws IOException
    {
        final byte[] prefix = utf8("{\"familyName\": \"Ко");
        final byte[] suffix = utf8("\", \"givenName\": \"Петро\"}");
        for (final byte[] bad : new byte[][] {{(byte) 0xC3}, {(byte) 0xFF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
            {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}})
        {
            final byte[] body = new byte[prefix.length + bad.length + suffix.length];
            System.arraycopy(prefix, 0, body, 0, prefix.length);
            System.arraycopy(bad, 0, body, prefix.length, bad.length);
            System.arraycopy(suffix, 0, body, prefix.length + bad.length, suffix.length);
            refused(body, "/body");
        }
    }

    @Test
    void shouldRefuseOverLongStringsDeepNestingAndHugeNumbers() throws IOException
    {
        refused(utf8(new JsonObject().put("familyName", "К".repeat(201)).put("givenName", "Петро").encode()), "/body/familyName");
        try (Conn conn = new Conn())
        {
            // a string member without a maxLength of its own gets the contract's default bound
            final Raw response = conn.send("POST", "/api/v1/outlets", ADMIN, "application/json",
                utf8(new JsonObject().put("name", "Point").put("kind", "CANTEEN").put("address", "x".repeat(100_000)).encode()));
            assertProblem(response, 400, "/body/address");
            assertStillServes(conn);
        }
        refused(utf8("{\"familyName\": \"Коваль\", \"givenName\": \"Петро\", \"categories\": " + "[".repeat(10_000) +
            "]".repeat(10_000) + "}"), "/body/categories" + "/0".repeat(31));
        refused(utf8("{\"familyName\": \"Коваль\", \"givenName\": \"Петро\", \"householdId\": 123456789012345678901234567890}"),
            "/body/householdId");
        refused(utf8("{\"familyName\": \"Коваль\", \"givenName\": \"Петро\", \"householdId\": 1e400}"), "/body/householdId");
        refused(utf8("{\"familyName\": \"Коваль\", \"givenName\": \"Петро\", \"householdId\": 1" + "0".repeat(2000) + "}"),
            "/body/householdId");
    }

    @Test
    void shouldNameEachMissingRequiredMember() throws IOException
    {
        try (Conn conn = new Conn())
        {
            final Raw response = conn.send("POST", "/api/v1/cards", DISTRICT, "application/json", utf8("{\"kind\": \"RESIDENT\"}"));
            assertProblem(response, 400, "/body/id");
            assertProblem(response, 400, "/body/holderId");
            assertProblem(response, 400, "/body/expiry");
        }
    }

    @Test
    void shouldRefuseWrongContentTypesAndBadQueries() throws IOException
    {
        final byte[] valid = utf8("{\"familyName\": \"Коваль\", \"givenName\": \"Петро\"}");
        try (Conn conn = new Conn())
        {
            assertProblem(conn.send("POST", "/api/v1/cardholders", DISTRICT, "text/plain", valid), 415, "/header/Content-Type");
            assertProblem(conn.send("POST", "/api/v1/cardholders", DISTRICT, "application/x-www-form-urlencoded",
                utf8("familyName=a&givenName=b")), 415, "/header/Content-Type");
            assertProblem(conn.send("POST", "/api/v1/cardholders", DISTRICT, "application/json; charset=latin1", valid), 415,
                "/header/Content-Type");
            assertProblem(conn.send("POST", "/api/v1/cardholders", DISTRICT, null, valid), 415, "/header/Content-Type");
            assertProblem(conn.send("GET", "/api/v1/taps?cursor=%00", AUDITOR, null, null), 400, "/query/cursor");
            assertProblem(conn.send("GET", "/api/v1/taps?cursor=%C3", AUDITOR, null, null), 400, "/query/cursor");
            assertProblem(conn.send("GET", "/api/v1/taps?cursor=%ED%A0%80", AUDITOR, null, null), 400, "/query/cursor");
            assertProblem(conn.send("GET", "/api/v1/cards/1%00", AUDITOR, null, null), 400, "/path");
            assertProblem(conn.send("GET", "/api/v1/cards/%", AUDITOR, null, null), 400, "/path");
            assertProblem(conn.send("GET", "/api/v1/cards/%C3%28", AUDITOR, null, null), 400, "/path");
            assertProblem(conn.send("GET", "/api/v1/cards/99999999999999999999999", AUDITOR, null, null), 400, "/path/cardId");
            assertStillServes(conn);
        }
    }

    @Test
    void shouldBoundBodyAndHeaderSizes() throws IOException
    {
        try (Conn conn = new Conn())
        {
            final Raw tooLarge = conn.send("POST", "/api/v1/cardholders", DISTRICT, "application/json", new byte[2 * 1024 * 1024]);
            assertThat(tooLarge.status()).isEqualTo(413);
        }
        try (Conn conn = new Conn())
        {
            conn.out.write(("GET /api/v1/outlets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + AUDITOR + "\r\nX-Junk: " +
                "a".repeat(64 * 1024) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            conn.out.flush();
            assertThat(conn.read().status()).isEqualTo(431);
        }
        try (Conn conn = new Conn())
        {
            assertStillServes(conn);
        }
    }

    @Test
    void shouldBoundConnectionsPerClientAddress() throws Exception
    {
        final List<Conn> held = new ArrayList<>();
        try
        {
            for (int i = 0; i < 8; i++)
            {
                final Conn conn = new Conn();
                assertStillServes(conn);
                held.add(conn);
            }
            final Conn excess = new Conn();
            held.add(excess);
            boolean refused;
            try
            {
                excess.send("GET", "/api/v1/outlets?limit=1", AUDITOR, null, null);
                refused = false;
            }
            catch (final IOException ex)
            {
                refused = true;
            }
            assertThat(refused).as("a ninth connection from the same address is closed").isTrue();
            assertStillServes(held.get(0));
            held.remove(0).close();
            AdminHarness.awaitTrue("a freed slot", 5_000, () ->
            {
                try (Conn again = new Conn())
                {
                    return again.send("GET", "/api/v1/outlets?limit=1", AUDITOR, null, null).status() == 200;
                }
                catch (final IOException ex)
                {
                    return false;
                }
            });
        }
        finally
        {
            for (final Conn conn : held)
            {
                conn.close();
            }
        }
    }

    @Test
    void shouldThrottleAFloodFromOneTokenWhileOthersAreServed(@TempDir final Path floodData, @TempDir final Path floodSwitch)
        throws Exception
    {
        // an admin of its own allowing 1 request/s with a burst of 10 per caller: 200 requests cannot all pass, however
        // slowly this machine serves them (that would take 190 s)
        final String db = TestPostgres.newDatabase();
        try (AdminHarness flooded = new AdminHarness(db, floodData, floodSwitch)
            .start(AdminHarness.config(db, floodData, floodSwitch).requestsPerSecondPerCaller(1).requestBurstPerCaller(10)))
        {
            final int floodPort = flooded.service().httpPort();
            final AtomicInteger throttled = new AtomicInteger();
            final AtomicInteger served = new AtomicInteger();
            final ExecutorService pool = Executors.newFixedThreadPool(4);
            try
            {
                final List<Future<?>> flood = new ArrayList<>();
                for (int t = 0; t < 4; t++)
                {
                    flood.add(pool.submit(() ->
                    {
                        try (Conn conn = new Conn(floodPort))
                        {
                            for (int i = 0; i < 50; i++)
                            {
                                final Raw response = conn.send("GET", "/api/v1/outlets?limit=1", DEPARTMENT, null, null);
                                if (response.status() == 429)
                                {
                                    assertThat(response.headers()).containsIgnoringCase("Retry-After:");
                                    assertProblem(response, 429, null);
                                    throttled.incrementAndGet();
                                }
                                else
                                {
                                    assertThat(response.status()).isEqualTo(200);
                                    served.incrementAndGet();
                                }
                            }
                        }
                        return null;
                    }));
                }
                // meanwhile another caller is served every time
                try (Conn other = new Conn(floodPort))
                {
                    for (int i = 0; i < 10; i++)
                    {
                        assertThat(other.send("GET", "/api/v1/outlets?limit=1", ADMIN, null, null).status()).isEqualTo(200);
                    }
                }
                for (final Future<?> f : flood)
                {
                    f.get(60, TimeUnit.SECONDS);
                }
            }
            finally
            {
                pool.shutdownNow();
            }
            System.out.println("HostileRestInputTest flood: " + served.get() + " served, " + throttled.get() + " throttled (429)");
            assertThat(throttled.get()).as("200 requests from one token allowed 1/s with a burst of 10").isPositive();
            assertThat(served.get()).isGreaterThanOrEqualTo(10);
            assertThat(flooded.metrics().text()).contains("tapswitch_admin_requests_throttled_total");
        }
    }
}
