package io.tapswitch.admin.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import io.tapswitch.admin.AdminConfig;
import io.tapswitch.admin.AdminHarness;
import io.tapswitch.admin.Principal;
import io.tapswitch.admin.Role;
import io.tapswitch.admin.TestPostgres;
import io.tapswitch.admin.TokenRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Property-based hostile input over every operation of the served OpenAPI document (jqwik): for any operation and
 * any hostile body or path (control characters, lone surrogates, invalid UTF-8, over-long strings, deep nesting,
 * huge numbers, wrong types, wrong content types), the admin answers within 10 s, never 5xx, always a problem+json
 * for a refusal, adds no audit record and no outbox command when it refuses; a forbidden character in a member of
 * an operation's body is a 400 naming exactly that member. Operations added by other modules are covered as soon as
 * their fragment is in the served document.
 */
class RestContractFuzzTest
{
    private static final String TOKEN = "token-fuzz-all-roles-00001";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final AtomicInteger CALLS = new AtomicInteger();
    private static AdminHarness admin;
    private static Path dataDir;
    private static Path switchDir;
    private static List<Operation> operations;
    private static List<Operation> withBody;

    /** An operation of the served contract: method, path with ids filled in, and its body's member names. */
    record Operation(String id, String method, String template, List<String> members)
    {
        String path(final String parameter)
        {
            return "/api/v1" + template.replaceAll("\\{[^}]+}", parameter);
        }

        @Override
        public String toString()
        {
            return method + " " + template + " (" + id + ")";
        }
    }

    @BeforeContainer
    static void start() throws Exception
    {
        dataDir = Files.createTempDirectory("fuzz-admin");
        switchDir = Files.createTempDirectory("fuzz-switch");
        final String db = TestPostgres.newDatabase();
        final AdminConfig config = AdminHarness.config(db, dataDir, switchDir)
            .tokens(TokenRegistry.of(Map.of(TOKEN, new Principal("fuzz", Set.of(Role.values())))))
            .requestsPerSecondPerCaller(1_000_000).requestBurstPerCaller(1_000_000);
        admin = new AdminHarness(db, dataDir, switchDir).start(config);
        final HttpResponse<String> yaml = HTTP.send(HttpRequest.newBuilder(URI.create(admin.service().baseUrl() +
            "/api/v1/openapi.yaml")).build(), HttpResponse.BodyHandlers.ofString());
        operations = parse(yaml.body());
        withBody = operations.stream().filter(o -> !o.members().isEmpty()).toList();
        assertThat(operations).hasSizeGreaterThan(20);
        assertThat(withBody).hasSizeGreaterThan(10);
    }

    @AfterContainer
    static void stop() throws Exception
    {
        if (admin != null)
        {
            admin.close();
        }
        System.out.println("RestContractFuzzTest: " + operations.size() + " operations (" + withBody.size() +
            " with a JSON body), " + CALLS.get() + " hostile requests");
    }

    @SuppressWarnings("unchecked")
    private static List<Operation> parse(final String yaml)
    {
        final Map<String, Object> document = (Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
        final JsonObject doc = new JsonObject(io.vertx.core.json.Json.encode(document));
        final JsonObject schemas = doc.getJsonObject("components").getJsonObject("schemas");
        final List<Operation> result = new ArrayList<>();
        final JsonObject paths = doc.getJsonObject("paths");
        for (final String template : paths.fieldNames())
        {
            for (final String method : List.of("get", "post", "put", "patch", "delete"))
            {
                final JsonObject operation = paths.getJsonObject(template).getJsonObject(method);
                if (operation == null)
                {
                    continue;
                }
                final List<String> members = new ArrayList<>();
                final JsonObject body = operation.getJsonObject("requestBody");
                if (body != null)
                {
                    final JsonObject content = body.getJsonObject("content", new JsonObject()).getJsonObject("application/json");
                    if (content != null)
                    {
                        members.addAll(memberNames(content.getJsonObject("schema"), schemas));
                    }
                }
                result.add(new Operation(operation.getString("operationId"), method.toUpperCase(), template, members));
            }
        }
        return result;
    }

    private static List<String> memberNames(final JsonObject schema, final JsonObject schemas)
    {
        JsonObject resolved = schema;
        for (int i = 0; i < 5 && resolved != null && resolved.containsKey("$ref"); i++)
        {
            final String ref = resolved.getString("$ref");
            resolved = schemas.getJsonObject(ref.substring(ref.lastIndexOf('/') + 1));
        }
        if (resolved == null || resolved.getJsonObject("properties") == null)
        {
            return List.of();
        }
        return new ArrayList<>(resolved.getJsonObject("properties").fieldNames());
    }

    /** A response: status, content type, body. */
    record Answer(int status, String contentType, String body)
    {
    }

    private static Answer call(final String method, final String path, final String contentType, final byte[] body) throws Exception
    {
        CALLS.incrementAndGet();
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(admin.service().baseUrl() + path))
            .timeout(Duration.ofSeconds(10))
            .header("Authorization", "Bearer " + TOKEN)
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null)
        {
            request.header("Content-Type", contentType);
        }
        final HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), response.body());
    }

    /** The request exactly as given (Java's URI refuses malformed escapes), over a fresh HTTP/1.1 connection. */
    private static Answer rawCall(final String method, final String path, final String contentType, final byte[] body)
        throws Exception
    {
        CALLS.incrementAndGet();
        try (Socket socket = new Socket("127.0.0.1", admin.service().httpPort()))
        {
            socket.setSoTimeout(10_000);
            final StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                "Connection: close\r\nAuthorization: Bearer " + TOKEN + "\r\n");
            if (contentType != null)
            {
                head.append("Content-Type: ").append(contentType).append("\r\n");
            }
            head.append("Content-Length: ").append(body == null ? 0 : body.length).append("\r\n\r\n");
            final ByteArrayOutputStream request = new ByteArrayOutputStream();
            request.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (body != null)
            {
                request.write(body);
            }
            try
            {
                socket.getOutputStream().write(request.toByteArray());
                socket.getOutputStream().flush();
            }
            catch (final SocketException answeredEarly)
            {
                // a request line over the codec's bound (up to 72 KB here) is answered 414 and the connection closed
                // before the rest of it is read: the answer is already on its way and is read below
            }
            final String response = new String(readAnswer(socket.getInputStream()), StandardCharsets.UTF_8);
            assertThat(response).as(method + " " + path + ": no answer").startsWith("HTTP/1.");
            final int split = response.indexOf("\r\n\r\n");
            final String headers = response.substring(0, split);
            String type = "";
            for (final String line : headers.split("\r\n"))
            {
                if (line.toLowerCase().startsWith("content-type:"))
                {
                    type = line.substring(13).trim();
                }
            }
            return new Answer(Integer.parseInt(response.substring(9, 12)), type, response.substring(split + 4));
        }
    }

    /** All the server sent; a reset after its answer (it closed on a request it had not read to the end) ends it. */
    private static byte[] readAnswer(final InputStream in) throws IOException
    {
        final ByteArrayOutputStream answer = new ByteArrayOutputStream();
        final byte[] chunk = new byte[8192];
        while (true)
        {
            final int read;
            try
            {
                read = in.read(chunk);
            }
            catch (final SocketException reset)
            {
                if (answer.size() == 0)
                {
                    throw reset;
                }
                return answer.toByteArray();
            }
            if (read < 0)
            {
                return answer.toByteArray();
            }
            answer.write(chunk, 0, read);
        }
    }

    private static String writes()
    {
        return admin.count("SELECT count(*) FROM audit_log") + "/" + admin.count("SELECT count(*) FROM outbox");
    }

    private static void assertRefusedOrServed(final Operation operation, final Answer answer, final String before)
    {
        assertThat(answer.status()).as(operation + " answered " + answer.body()).isLessThan(500);
        if (answer.status() >= 400)
        {
            assertThat(writes()).as(operation + " refused with " + answer.status() + " but wrote").isEqualTo(before);
            if (answer.status() == 414 || answer.status() == 431)
            {
                // answered by the HTTP codec before any routing (request line / headers over their bound)
                return;
            }
            assertThat(answer.contentType()).as(operation + ": " + answer.body()).startsWith("application/problem+json");
            final JsonObject problem = new JsonObject(answer.body());
            assertThat(problem.getInteger("status")).isEqualTo(answer.status());
            assertThat(problem.getString("detail")).isNotBlank();
        }
    }

    // ---------------------------------------------------------------------------------------------- properties

    @Property(tries = 150)
    void aForbiddenCharacterInAnyMemberIsA400NamingThatMember(@ForAll("bodyOperation") final Operation operation,
        @ForAll("memberIndex") final int index, @ForAll("forbiddenText") final String text) throws Exception
    {
        final String member = operation.members().get(index % operation.members().size());
        final String before = writes();
        final byte[] body = ("{\"" + member + "\": \"" + escape(text) + "\"}").getBytes(StandardCharsets.UTF_8);
        final Answer answer = call(operation.method(), operation.path("1"), "application/json", body);
        assertThat(answer.status()).as(operation + " " + member + " = " + escape(text) + ": " + answer.body()).isEqualTo(400);
        assertRefusedOrServed(operation, answer, before);
        final JsonArray errors = new JsonObject(answer.body()).getJsonArray("errors");
        assertThat(errors).as(answer.body()).isNotNull();
        assertThat(errors.getJsonObject(0).getString("field")).isEqualTo("/body/" + member);
    }

    @Property(tries = 200)
    void anyHostileBodyIsNeverA5xxAndARefusalWritesNothing(@ForAll("bodyOperation") final Operation operation,
        @ForAll("hostileBody") final byte[] body, @ForAll("contentType") final String contentType) throws Exception
    {
        final String before = writes();
        final Answer answer = call(operation.method(), operation.path("1"), contentType, body);
        assertRefusedOrServed(operation, answer, before);
    }

    @Property(tries = 150)
    void anyHostilePathOrQueryIsNeverA5xx(@ForAll("anyOperation") final Operation operation,
        @ForAll("hostileSegment") final String segment, @ForAll final boolean inQuery) throws Exception
    {
        final String before = writes();
        final String path = inQuery ? operation.path("1") + "?cursor=" + segment + "&limit=" + segment : operation.path(segment);
        final Answer answer = rawCall(operation.method(), path, operation.members().isEmpty() ? null : "application/json",
            operation.members().isEmpty() ? null : "{}".getBytes(StandardCharsets.UTF_8));
        assertRefusedOrServed(operation, answer, before);
    }

    // ---------------------------------------------------------------------------------------------- generators

    @Provide
    Arbitrary<Operation> bodyOperation()
    {
        return Arbitraries.of(withBody);
    }

    @Provide
    Arbitrary<Operation> anyOperation()
    {
        return Arbitraries.of(operations);
    }

    @Provide
    Arbitrary<Integer> memberIndex()
    {
        return Arbitraries.integers().between(0, 50);
    }

    @Provide
    Arbitrary<String> forbiddenText()
    {
        final Arbitrary<String> plain = Arbitraries.strings().withCharRange('а', 'я').withCharRange('a', 'z').ofMaxLength(20);
        final Arbitrary<Character> bad = Arbitraries.oneOf(
            Arbitraries.chars().range('\u0000', '\u0008'),
            Arbitraries.chars().range('\u000b', '\u000c'),
            Arbitraries.chars().range('\u000e', '\u001f'),
            Arbitraries.chars().range('\u007f', '\u009f'),
            Arbitraries.chars().range('\ud800', '\udfff'));
        return Combinators.combine(plain, bad, plain).as((a, c, b) -> a + c + b);
    }

    /** JSON string escaping that keeps lone surrogates as {@code \\uXXXX} escapes (they have no UTF-8 form). */
    private static String escape(final String text)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\' || c >= 0x7f && c <= 0x9f || Character.isSurrogate(c))
            {
                sb.append(String.format("\\u%04x", (int) c));
            }
            else
            {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    @Provide
    Arbitrary<byte[]> hostileBody()
    {
        final Arbitrary<String> member = Arbitraries.of("familyName", "givenName", "name", "id", "holderId", "programId",
            "quota", "kind", "expiry", "note", "address", "categories", "x");
        final Arbitrary<String> value = Arbitraries.oneOf(
            Arbitraries.integers().between(1, 100_000).map(n -> "\"" + "я".repeat(n) + "\""),
            Arbitraries.integers().between(33, 5_000).map(n -> "[".repeat(n) + "]".repeat(n)),
            Arbitraries.integers().between(33, 5_000).map(n -> "{\"a\":".repeat(n) + "1" + "}".repeat(n)),
            Arbitraries.strings().numeric().ofMinLength(20).ofMaxLength(3_000),
            Arbitraries.of("1e400", "-1e400", "1e-400", "9223372036854775808", "-9223372036854775809", "0.1", "-0",
                "true", "null", "[]", "{}", "\"\"", "\"\\u0000\"", "\"\\ud800\"", "\"\\udc00\\ud800\"", "\"\\uZZZZ\"", "NaN",
                "Infinity", "01", "1.", "\"2030-02-30\"", "\"9999-99-99\"", "-1", "0", "4294967296", "2147483648"),
            forbiddenText().map(t -> "\"" + escape(t) + "\""));
        final Arbitrary<String> json = Combinators.combine(member, value, member, value)
            .as((m1, v1, m2, v2) -> "{\"" + m1 + "\": " + v1 + ", \"" + m2 + "\": " + v2 + "}");
        final Arbitrary<byte[]> invalidUtf8 = Combinators.combine(member, Arbitraries.of(
            new byte[] {(byte) 0xC3}, new byte[] {(byte) 0xFF}, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
            new byte[] {(byte) 0xC0, (byte) 0x80}, new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
            new byte[] {0})).as((m, bad) ->
            {
                final byte[] head = ("{\"" + m + "\": \"a").getBytes(StandardCharsets.UTF_8);
                final byte[] tail = "b\"}".getBytes(StandardCharsets.UTF_8);
                final byte[] all = new byte[head.length + bad.length + tail.length];
                System.arraycopy(head, 0, all, 0, head.length);
                System.arraycopy(bad, 0, all, head.length, bad.length);
                System.arraycopy(tail, 0, all, head.length + bad.length, tail.length);
                return all;
            });
        final Arbitrary<byte[]> garbage = Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
        return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(6, json.map(s -> s.getBytes(StandardCharsets.UTF_8))),
            net.jqwik.api.Tuple.of(2, invalidUtf8),
            net.jqwik.api.Tuple.of(1, garbage));
    }

    @Provide
    Arbitrary<String> contentType()
    {
        return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(8, Arbitraries.just("application/json")),
            net.jqwik.api.Tuple.of(1, Arbitraries.of("text/plain", "application/xml", "application/json; charset=iso-8859-1",
                "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "*/*")));
    }

    @Provide
    Arbitrary<String> hostileSegment()
    {
        return Arbitraries.oneOf(
            Arbitraries.of("%00", "%0a", "%1b", "%7f", "%c2%85", "%C3", "%FF", "%ED%A0%80", "%C0%AF", "%", "%zz", "..", "%2e%2e",
                "99999999999999999999999", "-1", "0", "1.5", "1e400", "NaN", "%F0%9F%98%80"),
            Arbitraries.integers().between(1, 6_000).map("9"::repeat),
            Arbitraries.integers().between(1, 6_000).map("%d1%8f"::repeat));
    }
}
