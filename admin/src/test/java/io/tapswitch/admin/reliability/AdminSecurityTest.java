package io.tapswitch.admin.reliability;

import static io.tapswitch.admin.AdminHarness.ADMIN;
import static io.tapswitch.admin.AdminHarness.AUDITOR;
import static io.tapswitch.admin.AdminHarness.DEPARTMENT;
import static io.tapswitch.admin.AdminHarness.DISTRICT;
import static io.tapswitch.admin.AdminHarness.OPERATOR;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import io.tapswitch.admin.AdminHarness;
import io.tapswitch.admin.TestPostgres;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Security of the admin service on the embedded PostgreSQL: every operation of the served OpenAPI document is
 * called with every role, with no token and with an unknown token, and must answer 401/403 exactly where the
 * document's {@code x-roles} say so; the audit log refuses UPDATE, DELETE and TRUNCATE; a registered terminal's key
 * rests nowhere in the database in clear and never reaches a log line (DEBUG included).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AdminSecurityTest
{
    private static final Map<String, String> TOKEN_BY_ROLE = new LinkedHashMap<>();

    static
    {
        TOKEN_BY_ROLE.put("center_admin", ADMIN);
        TOKEN_BY_ROLE.put("district_specialist", DISTRICT);
        TOKEN_BY_ROLE.put("department_specialist", DEPARTMENT);
        TOKEN_BY_ROLE.put("auditor", AUDITOR);
        TOKEN_BY_ROLE.put("operator", OPERATOR);
    }

    @TempDir
    static Path dataDir;
    @TempDir
    static Path switchDir;

    private static AdminHarness admin;
    private static final ListAppender<ILoggingEvent> LOG = new ListAppender<>();
    private static Level tapswitchLevel;

    @BeforeAll
    static void start() throws Exception
    {
        final Logger root = (Logger)LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        final Logger tapswitch = (Logger)LoggerFactory.getLogger("io.tapswitch");
        tapswitchLevel = tapswitch.getLevel();
        tapswitch.setLevel(Level.DEBUG);
        LOG.start();
        root.addAppender(LOG);
        admin = new AdminHarness(TestPostgres.newDatabase(), dataDir, switchDir).start();
    }

    @AfterAll
    static void stop() throws Exception
    {
        final Logger root = (Logger)LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.detachAppender(LOG);
        ((Logger)LoggerFactory.getLogger("io.tapswitch")).setLevel(tapswitchLevel);
        if (null != admin)
        {
            admin.close();
        }
    }

    @Test
    void shouldAnswer401Or403ExactlyWhereTheContractSaysForEveryOperationAndRole() throws Exception
    {
        final AdminHarness.Response document = admin.get("/api/v1/openapi.yaml", ADMIN);
        assertThat(document.status()).isEqualTo(200);
        final Map<String, Object> root = new Yaml(new SafeConstructor(new LoaderOptions())).load(document.text());
        @SuppressWarnings("unchecked")
        final Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>)root.get("paths");

        final List<String> wrong = new ArrayList<>();
        int operations = 0;
        int calls = 0;
        for (final Map.Entry<String, Map<String, Object>> path : paths.entrySet())
        {
            final String concretePath = "/api/v1" + path.getKey().replaceAll("\\{[^}]+}", "1");
            for (final String method : List.of("get", "put", "post", "patch", "delete"))
            {
                @SuppressWarnings("unchecked")
                final Map<String, Object> operation = (Map<String, Object>)path.getValue().get(method);
                if (null == operation)
                {
                    continue;
                }
                operations++;
                final boolean open = Boolean.TRUE.equals(operation.get("x-public"));
                @SuppressWarnings("unchecked")
                final List<String> roles = open ? List.of() : (List<String>)operation.get("x-roles");
                assertThat(open || (null != roles && !roles.isEmpty()))
                    .as("%s %s names its roles", method, path.getKey()).isTrue();
                final String body = "get".equals(method) || "delete".equals(method) ? null : "{}";
                final String what = method.toUpperCase() + " " + path.getKey();

                if (!open)
                {
                    expect(wrong, what + " without a token", call(method, concretePath, null, body), 401);
                    expect(wrong, what + " with an unknown token",
                        call(method, concretePath, "token-nobody-0000000000", body), 401);
                    calls += 2;
                }
                for (final Map.Entry<String, String> role : TOKEN_BY_ROLE.entrySet())
                {
                    final int status = call(method, concretePath, role.getValue(), body);
                    calls++;
                    if (open || roles.contains(role.getKey()))
                    {
                        if (status == 401 || status == 403)
                        {
                            wrong.add(what + " as " + role.getKey() + " (allowed): " + status);
                        }
                    }
                    else
                    {
                        expect(wrong, what + " as " + role.getKey() + " (not allowed)", status, 403);
                    }
                }
            }
        }
        System.out.println("AdminSecurityTest: " + operations + " operations, " + calls + " calls");
        assertThat(operations).isGreaterThan(20);
        assertThat(wrong).isEmpty();
    }

    @Test
    void shouldRefuseToUpdateDeleteOrTruncateTheAuditLog() throws Exception
    {
        assertThat(admin.post("/api/v1/institutions", ADMIN, new JsonObject()
            .put("name", "Audited school").put("kind", "SCHOOL")).status()).isEqualTo(201);
        final long entries = admin.count("SELECT count(*) FROM audit_log");
        assertThat(entries).isPositive();

        assertThat(TestPostgres.execute(admin.dbUrl(), "UPDATE audit_log SET actor = 'someone else'")).isNotNull();
        assertThat(TestPostgres.execute(admin.dbUrl(), "DELETE FROM audit_log")).isNotNull();
        assertThat(TestPostgres.execute(admin.dbUrl(), "TRUNCATE audit_log")).isNotNull();
        assertThat(admin.count("SELECT count(*) FROM audit_log")).isEqualTo(entries);
        assertThat(admin.count("SELECT count(*) FROM audit_log WHERE actor = 'someone else'")).isZero();
    }

    @Test
    void shouldKeepTerminalKeysOutOfTheDatabaseAndTheLogs() throws Exception
    {
        assertThat(admin.post("/api/v1/outlets", ADMIN, new JsonObject().put("id", 7).put("name", "Aid point 7")
            .put("kind", "DISTRIBUTION_POINT")).status()).isEqualTo(201);
        final AdminHarness.Response registered = admin.post("/api/v1/terminals", OPERATOR,
            new JsonObject().put("outletId", 7));
        assertThat(registered.status()).isEqualTo(201);
        final long terminalId = registered.json().getLong("id");
        final byte[] key = HexFormat.of().parseHex(registered.json().getString("key"));
        final List<String> forms = List.of(HexFormat.of().formatHex(key), HexFormat.of().withUpperCase().formatHex(key),
            Base64.getEncoder().encodeToString(key), Base64.getUrlEncoder().withoutPadding().encodeToString(key));

        AdminHarness.awaitTrue("the registration left the outbox", 20_000,
            () -> admin.count("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0);

        LoggerFactory.getLogger("io.tapswitch.admin.reliability").debug("log capture probe");
        final String shown = admin.get("/api/v1/terminals/" + terminalId, OPERATOR).text();
        final String dump = databaseText();
        final StringBuilder logs = new StringBuilder();
        for (final ILoggingEvent event : LOG.list)
        {
            logs.append(event.getFormattedMessage()).append('\n');
            for (IThrowableProxy proxy = event.getThrowableProxy(); null != proxy; proxy = proxy.getCause())
            {
                logs.append(proxy.getMessage()).append('\n');
            }
        }
        assertThat(logs.toString()).as("the log capture works").contains("log capture probe");
        for (final String form : forms)
        {
            assertThat(shown).as("GET of the terminal shows no key").doesNotContain(form);
            assertThat(dump).as("the database holds no clear key").doesNotContain(form);
            assertThat(logs.toString()).as("no log line holds the key").doesNotContain(form);
        }
        assertThat(dump).as("the database dump reads the terminal's row").contains(String.valueOf(terminalId));
    }

    /**
     * @return every row of every table of the public schema, as PostgreSQL's text form of the row (bytea as hex).
     */
    private static String databaseText()
    {
        final StringBuilder text = new StringBuilder();
        final String url = "jdbc:" + admin.dbUrl().replace("postgres@", "");
        try (java.sql.Connection conn = java.sql.DriverManager.getConnection(url, "postgres", null);
            java.sql.Statement statement = conn.createStatement())
        {
            final List<String> tables = new ArrayList<>();
            try (java.sql.ResultSet rs = statement.executeQuery(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
            {
                while (rs.next())
                {
                    tables.add(rs.getString(1));
                }
            }
            for (final String table : tables)
            {
                try (java.sql.ResultSet rs = statement.executeQuery("SELECT t::text FROM \"" + table + "\" t"))
                {
                    while (rs.next())
                    {
                        text.append(table).append(' ').append(rs.getString(1)).append('\n');
                    }
                }
            }
        }
        catch (final java.sql.SQLException ex)
        {
            throw new IllegalStateException("cannot dump the database", ex);
        }
        return text.toString();
    }

    private static int call(final String method, final String path, final String token, final String body)
        throws Exception
    {
        return admin.send(method.toUpperCase(), path, token, body, null == body ? null : "application/json").status();
    }

    private static void expect(final List<String> wrong, final String what, final int status, final int expected)
    {
        if (status != expected)
        {
            wrong.add(what + ": " + status + " (expected " + expected + ")");
        }
    }
}
