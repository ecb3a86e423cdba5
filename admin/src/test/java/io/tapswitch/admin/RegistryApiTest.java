package io.tapswitch.admin;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import io.tapswitch.formats.command.CommandDecoder;
import io.tapswitch.formats.command.CommandType;
import io.tapswitch.formats.command.Commands;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import static io.tapswitch.admin.AdminHarness.ADMIN;
import static io.tapswitch.admin.AdminHarness.AUDITOR;
import static io.tapswitch.admin.AdminHarness.DEPARTMENT;
import static io.tapswitch.admin.AdminHarness.DISTRICT;
import static io.tapswitch.admin.AdminHarness.OPERATOR;
import static io.tapswitch.admin.AdminHarness.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The registry resources through REST: what is written can be read back, lists page through everything once,
 * every write is audited with before and after, and the audit log cannot be rewritten.
 */
class RegistryApiTest
{
    @TempDir
    static Path dataDir;
    @TempDir
    static Path switchDir;
    private static AdminHarness admin;

    @BeforeAll
    static void start() throws Exception
    {
        admin = new AdminHarness(TestPostgres.newDatabase(), dataDir, switchDir).start();
        assertThat(admin.post("/api/v1/institutions", DEPARTMENT, new JsonObject().put("name", "Ліцей № 7").put("kind", "SCHOOL")
            .put("district", "Шевченківський")).status()).isEqualTo(201);
        for (int outlet = 1; outlet <= 3; outlet++)
        {
            assertThat(admin.post("/api/v1/outlets", DEPARTMENT, new JsonObject().put("name", "Canteen " + outlet).put("kind", "CANTEEN")
                .put("institutionId", 1)).status()).isEqualTo(201);
        }
    }

    @AfterAll
    static void stop() throws Exception
    {
        admin.close();
    }

    @Test
    void shouldServeHealthReadinessAndTheContract() throws Exception
    {
        assertThat(admin.get("/health", null).status()).isEqualTo(200);
        awaitTrue("ready", 10_000, () -> status("/ready") == 200);
        final AdminHarness.Response contract = admin.get("/api/v1/openapi.yaml", null);
        assertThat(contract.status()).isEqualTo(200);
        final Map<String, Object> document = new Yaml(new SafeConstructor(new LoaderOptions())).load(contract.text());
        assertThat(document.get("openapi")).isEqualTo("3.1.0");
        @SuppressWarnings("unchecked") final Map<String, Object> paths = (Map<String, Object>)document.get("paths");
        assertThat(paths).containsKeys("/cards/{cardId}/block", "/terminals/{terminalId}/rotate-key", "/taps", "/audit");
    }

    private static int status(final String path)
    {
        try
        {
            return admin.get(path, null).status();
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    @Test
    void shouldPageThroughEveryCardholderOnce() throws Exception
    {
        final long household = admin.post("/api/v1/households", DISTRICT, new JsonObject().put("address", "вул. Хрещатик, 1"))
            .json().getLong("id");
        final List<Long> created = new ArrayList<>();
        for (int i = 0; i < 5; i++)
        {
            created.add(admin.post("/api/v1/cardholders", DISTRICT, new JsonObject().put("familyName", "Петренко").put("givenName", "Дитина " + i)
                .put("householdId", household).put("categories", new JsonArray().add("CHILD"))).json().getLong("id"));
        }
        final List<Long> listed = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do
        {
            final JsonObject page = admin.get("/api/v1/cardholders?limit=2&householdId=" + household +
                (cursor == null ? "" : "&cursor=" + cursor), AUDITOR).json();
            page.getJsonArray("items").forEach(item -> listed.add(((JsonObject)item).getLong("id")));
            cursor = page.getString("nextCursor");
            pages++;
        }
        while (cursor != null);
        assertThat(listed).containsExactlyElementsOf(created);
        assertThat(pages).isEqualTo(3);
        final JsonArray members = admin.get("/api/v1/households/" + household, AUDITOR).json().getJsonArray("memberIds");
        final List<Long> memberIds = new ArrayList<>();
        members.forEach(member -> memberIds.add(((Number)member).longValue()));
        assertThat(memberIds).containsExactlyElementsOf(created);
        assertThat(admin.get("/api/v1/cardholders?category=CHILD&householdId=" + household, AUDITOR).json().getJsonArray("items"))
            .hasSize(5);
    }

    @Test
    void shouldDefineAndRedefineProgramsAndOutlets() throws Exception
    {
        final JsonObject breakfast = new JsonObject().put("name", "Breakfast").put("kind", "MEAL").put("funding", "CITY_BUDGET")
            .put("unit", "PERSON").put("period", "DAY").put("quota", 1).put("outletIds", new JsonArray().add(1).add(2))
            .put("window", new JsonObject().put("from", "07:30").put("to", "09:30"));
        final AdminHarness.Response created = admin.post("/api/v1/programs", DEPARTMENT, breakfast);
        assertThat(created.status()).isEqualTo(201);
        final int programId = created.json().getInteger("id");
        assertThat(created.json().getJsonObject("window")).isEqualTo(new JsonObject().put("from", "07:30").put("to", "09:30"));

        final AdminHarness.Response updated = admin.send("PUT", "/api/v1/programs/" + programId, DEPARTMENT,
            breakfast.copy().put("quota", 2).put("outletIds", new JsonArray().add(3)).encode(), "application/json");
        assertThat(updated.status()).as(updated.text()).isEqualTo(200);
        assertThat(updated.json().getInteger("quota")).isEqualTo(2);
        assertThat(updated.json().getJsonArray("outletIds").getList()).containsExactly(3);

        final AdminHarness.Response outlet = admin.send("PATCH", "/api/v1/outlets/3", DEPARTMENT,
            new JsonObject().put("defaultProgramId", programId).encode(), "application/json");
        assertThat(outlet.status()).as(outlet.text()).isEqualTo(200);
        assertThat(outlet.json().getInteger("defaultProgramId")).isEqualTo(programId);
        assertThat(outlet.json().getString("name")).isEqualTo("Canteen 3");

        final JsonArray audit = admin.get("/api/v1/audit?resource=program&resourceId=" + programId, AUDITOR).json().getJsonArray("items");
        assertThat(audit).hasSize(2);
        final JsonObject update = audit.getJsonObject(1);
        assertThat(update.getString("action")).isEqualTo("program.update");
        assertThat(update.getString("actor")).isEqualTo("iryna");
        assertThat(update.getString("role")).isEqualTo("department_specialist");
        assertThat(update.getJsonObject("before").getInteger("quota")).isEqualTo(1);
        assertThat(update.getJsonObject("after").getInteger("quota")).isEqualTo(2);
    }

    @Test
    void shouldIssueBlockAndReplaceCardsAndKeepEntitlementsWithTheHolder() throws Exception
    {
        final JsonObject lunch = new JsonObject().put("name", "Lunch").put("kind", "MEAL").put("funding", "DONOR").put("donor", "UNICEF")
            .put("unit", "PERSON").put("period", "CYCLE").put("cycleDays", 14).put("validFrom", "2026-09-01").put("quota", 10)
            .put("outletIds", new JsonArray().add(1));
        final int programId = admin.post("/api/v1/programs", DEPARTMENT, lunch).json().getInteger("id");
        final long holder = admin.post("/api/v1/cardholders", DISTRICT, new JsonObject().put("familyName", "Коваленко")
            .put("givenName", "Марія").put("categories", new JsonArray().add("IDP")).put("idpCertificate", "0321-7654321")).json().getLong("id");
        assertThat(admin.post("/api/v1/cards", DISTRICT, new JsonObject().put("id", 9_100_001L).put("holderId", holder).put("kind", "GUEST")
            .put("expiry", "2030-06-30")).json().getString("status")).isEqualTo("ISSUED");
        final long entitlement = admin.post("/api/v1/entitlements", DISTRICT, new JsonObject().put("holderId", holder)
            .put("programId", programId)).json().getLong("id");
        assertThat(admin.post("/api/v1/cards/9100001/activate", DISTRICT, null).json().getString("status")).isEqualTo("ACTIVE");
        assertThat(admin.post("/api/v1/cards/9100001/lost", DISTRICT, null).json().getString("status")).isEqualTo("LOST");
        final AdminHarness.Response replacement = admin.post("/api/v1/cards/9100001/replace", DISTRICT,
            new JsonObject().put("newCardId", 9_100_002L).put("expiry", "2031-06-30"));
        assertThat(replacement.status()).isEqualTo(201);
        assertThat(replacement.json().getString("status")).isEqualTo("ACTIVE");
        assertThat(replacement.json().getLong("replaces")).isEqualTo(9_100_001L);
        assertThat(replacement.json().getString("kind")).isEqualTo("GUEST");
        final JsonObject old = admin.get("/api/v1/cards/9100001", OPERATOR).json();
        assertThat(old.getString("status")).isEqualTo("REPLACED");
        assertThat(old.getLong("replacedBy")).isEqualTo(9_100_002L);

        final JsonArray entitlements = admin.get("/api/v1/cardholders/" + holder + "/entitlements", DISTRICT).json().getJsonArray("items");
        assertThat(entitlements).hasSize(1);
        assertThat(entitlements.getJsonObject(0).getString("status")).isEqualTo("ACTIVE");
        final AdminHarness.Response revoked = admin.post("/api/v1/entitlements/" + entitlement + "/revoke", DEPARTMENT,
            new JsonObject().put("note", "left the city"));
        assertThat(revoked.json().getString("status")).isEqualTo("REVOKED");
        assertThat(admin.get("/api/v1/entitlements?holderId=" + holder + "&status=ACTIVE", AUDITOR).json().getJsonArray("items")).isEmpty();
        assertThat(admin.get("/api/v1/cards?holderId=" + holder, AUDITOR).json().getJsonArray("items")).hasSize(2);
        assertThat(admin.get("/api/v1/audit?resource=card&resourceId=9100001", ADMIN).json().getJsonArray("items"))
            .extracting(item -> ((JsonObject)item).getString("action"))
            .containsExactly("card.issue", "card.activate", "card.lost", "card.replace");
    }

    @Test
    void shouldRotateAndDisableTerminalKeysShownOnlyOnce() throws Exception
    {
        final AdminHarness.Response registered = admin.post("/api/v1/terminals", OPERATOR, new JsonObject().put("outletId", 2)
            .put("description", "till 1"));
        assertThat(registered.status()).isEqualTo(201);
        final JsonObject terminal = registered.json();
        assertThat(terminal.getString("key")).hasSize(64);
        final long id = terminal.getLong("id");
        final JsonObject read = admin.get("/api/v1/terminals/" + id, AUDITOR).json();
        assertThat(read.containsKey("key")).isFalse();
        assertThat(read.getString("keyFingerprint")).isEqualTo(terminal.getString("keyFingerprint"));

        final JsonObject rotated = admin.post("/api/v1/terminals/" + id + "/rotate-key", OPERATOR, null).json();
        assertThat(rotated.getString("key")).hasSize(64).isNotEqualTo(terminal.getString("key"));
        assertThat(rotated.getInteger("keyVersion")).isEqualTo(2);
        assertThat(rotated.getString("keyFingerprint")).isNotEqualTo(terminal.getString("keyFingerprint"));
        assertThat(admin.post("/api/v1/terminals/" + id + "/disable", OPERATOR, null).json().getBoolean("enabled")).isFalse();
        assertThat(admin.post("/api/v1/terminals/" + id + "/disable", OPERATOR, null).status()).isEqualTo(409);
        assertThat(admin.post("/api/v1/terminals/" + id + "/enable", ADMIN, null).json().getBoolean("enabled")).isTrue();

        final String auditText = admin.get("/api/v1/audit?resource=terminal&resourceId=" + id, AUDITOR).text();
        assertThat(auditText).doesNotContain(terminal.getString("key")).doesNotContain(rotated.getString("key"));
    }

    @Test
    void shouldRotateAKeyWithAGraceDeadlineForThePreviousKey() throws Exception
    {
        final JsonObject terminal = admin.post("/api/v1/terminals", ADMIN, new JsonObject().put("outletId", 2)).json();
        final long id = terminal.getLong("id");

        final long beforeMs = System.currentTimeMillis();
        final JsonObject byDefault = admin.post("/api/v1/terminals/" + id + "/rotate-key", OPERATOR, null).json();
        final JsonObject hour = admin.post("/api/v1/terminals/" + id + "/rotate-key", OPERATOR,
            new JsonObject().put("graceSeconds", 3600)).json();
        final JsonObject none = admin.post("/api/v1/terminals/" + id + "/rotate-key", OPERATOR,
            new JsonObject().put("graceSeconds", 0)).json();
        final long afterMs = System.currentTimeMillis();
        assertThat(admin.post("/api/v1/terminals/" + id + "/rotate-key", OPERATOR,
            new JsonObject().put("graceSeconds", 7 * 24 * 3600 + 1)).status()).isEqualTo(400);
        assertThat(admin.post("/api/v1/terminals/" + id + "/rotate-key", OPERATOR,
            new JsonObject().put("graceSeconds", -1)).status()).isEqualTo(400);
        assertThat(admin.get("/api/v1/terminals/" + id, AUDITOR).json().getInteger("keyVersion")).isEqualTo(4);

        assertThat(Instant.parse(byDefault.getString("previousKeyValidUntil")).toEpochMilli())
            .isBetween(beforeMs + 24 * 3_600_000L, afterMs + 24 * 3_600_000L);
        assertThat(Instant.parse(hour.getString("previousKeyValidUntil")).toEpochMilli())
            .isBetween(beforeMs + 3_600_000L, afterMs + 3_600_000L);
        assertThat(none.containsKey("previousKeyValidUntil")).isFalse();

        // what the switch receives: the new key with the replaced key's deadline
        awaitTrue("rotations published", 10_000, () -> rotationsOf(id).size() == 3);
        final List<CommandQueueReader.Command> rotations = rotationsOf(id);
        assertThat(rotations).allMatch((c) -> c.type() == CommandType.ROTATE_KEY_WITH_GRACE);
        assertThat(CommandQueueReader.bodyLong(rotations.get(0), Commands.RotateKeyWithGrace.GRACE_UNTIL_MS_OFFSET))
            .isEqualTo(Instant.parse(byDefault.getString("previousKeyValidUntil")).toEpochMilli());
        assertThat(CommandQueueReader.bodyLong(rotations.get(1), Commands.RotateKeyWithGrace.GRACE_UNTIL_MS_OFFSET))
            .isEqualTo(Instant.parse(hour.getString("previousKeyValidUntil")).toEpochMilli());
        assertThat(CommandQueueReader.bodyLong(rotations.get(2), Commands.RotateKeyWithGrace.GRACE_UNTIL_MS_OFFSET))
            .isZero();
        final byte[] published = new byte[32];
        final CommandDecoder decoder = rotations.get(2).decoder();
        decoder.buffer().getBytes(decoder.bodyOffset() + Commands.RotateKeyWithGrace.KEY_OFFSET, published);
        assertThat(HexFormat.of().formatHex(published)).isEqualTo(none.getString("key"));
    }

    private static List<CommandQueueReader.Command> rotationsOf(final long terminalId)
    {
        final List<CommandQueueReader.Command> rotations = new ArrayList<>();
        for (final CommandQueueReader.Command command : CommandQueueReader.readAll(switchDir))
        {
            if (command.type() == CommandType.ROTATE_KEY_WITH_GRACE && CommandQueueReader.bodyLong(command,
                Commands.RotateKeyWithGrace.TERMINAL_ID_OFFSET) == terminalId)
            {
                rotations.add(command);
            }
        }
        return rotations;
    }

    @Test
    void shouldRefuseToRewriteTheAuditLog() throws Exception
    {
        assertThat(admin.count("SELECT count(*) FROM audit_log")).isPositive();
        assertThat(TestPostgres.execute(admin.dbUrl(), "UPDATE audit_log SET actor = 'someone else'")).isEqualTo("42501");
        assertThat(TestPostgres.execute(admin.dbUrl(), "DELETE FROM audit_log")).isEqualTo("42501");
        assertThat(TestPostgres.execute(admin.dbUrl(), "TRUNCATE audit_log")).isEqualTo("42501");
        assertThat(admin.get("/api/v1/audit", DISTRICT).status()).isEqualTo(403);
    }

    @Test
    void shouldExportRequestMetricsByRouteTemplate() throws Exception
    {
        assertThat(admin.get("/api/v1/cards/123456", AUDITOR).status()).isEqualTo(404);
        // recorded when the response is written, which may be just after the client has read it
        awaitTrue("request recorded", 10_000, () -> metricsText().contains(
            "tapswitch_admin_http_server_requests_seconds_bucket{method=\"GET\",route=\"/api/v1/cards/{cardId}\",status=\"404\""));
        final String metrics = admin.metrics().text();
        assertThat(metrics).contains("tapswitch_admin_outbox_depth", "tapswitch_admin_outbox_oldest_age_seconds",
            "tapswitch_admin_ingest_lag_entries", "tapswitch_admin_ingest_lag_seconds", "tapswitch_admin_ingested_total",
            "tapswitch_admin_commands_published_total", "tapswitch_admin_db_pool_in_use", "jvm_memory_used_bytes",
            "jvm_threads_live_threads", "process_cpu_usage");
        assertThat(metrics).doesNotContain("123456");
    }

    @Test
    void shouldCountPoolConnectionsInUse() throws Exception
    {
        final io.vertx.sqlclient.SqlConnection held = admin.service().context().pool().getConnection()
            .toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
        try
        {
            // the outbox publisher may hold another connection for a moment
            assertThat(gauge("tapswitch_admin_db_pool_in_use")).isGreaterThanOrEqualTo(1.0);
        }
        finally
        {
            held.close().toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
        }
        awaitTrue("connection returned", 10_000, () -> metricsText().contains("tapswitch_admin_db_pool_in_use 0.0"));
    }

    private static double gauge(final String name)
    {
        for (final String line : metricsText().split("\n"))
        {
            if (line.startsWith(name + " "))
            {
                return Double.parseDouble(line.substring(name.length() + 1));
            }
        }
        throw new AssertionError(name + " not exported");
    }

    private static String metricsText()
    {
        try
        {
            return admin.metrics().text();
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
