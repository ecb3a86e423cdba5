package io.tapswitch.admin;

import java.nio.file.Path;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.tapswitch.admin.AdminHarness.ADMIN;
import static io.tapswitch.admin.AdminHarness.AUDITOR;
import static io.tapswitch.admin.AdminHarness.DISTRICT;
import static io.tapswitch.admin.AdminHarness.OPERATOR;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad REST input gets the right 4xx with a problem+json body naming the field, and changes nothing: no row, no
 * audit record, no command.
 */
class ApiValidationTest
{
    @TempDir
    static Path dataDir;
    @TempDir
    static Path switchDir;
    private static AdminHarness admin;
    private static long holderId;
    private String fingerprint;

    @BeforeAll
    static void start() throws Exception
    {
        admin = new AdminHarness(TestPostgres.newDatabase(), dataDir, switchDir).start();
        assertThat(admin.post("/api/v1/outlets", ADMIN, new JsonObject().put("name", "Point 1").put("kind", "DISTRIBUTION_POINT")).status())
            .isEqualTo(201);
        assertThat(admin.post("/api/v1/programs", ADMIN, program()).status()).isEqualTo(201);
        final AdminHarness.Response holder = admin.post("/api/v1/cardholders", DISTRICT,
            new JsonObject().put("familyName", "Шевченко").put("givenName", "Олена").put("categories", new JsonArray().add("IDP"))
                .put("idpCertificate", "3205-000123"));
        assertThat(holder.status()).isEqualTo(201);
        holderId = holder.json().getLong("id");
        assertThat(admin.post("/api/v1/cards", DISTRICT, new JsonObject().put("id", 5_000_001L).put("holderId", holderId)
            .put("kind", "GUEST").put("expiry", "2030-12-31")).status()).isEqualTo(201);
    }

    @AfterAll
    static void stop() throws Exception
    {
        admin.close();
    }

    static JsonObject program()
    {
        return new JsonObject().put("name", "Food kit").put("kind", "AID").put("funding", "CITY_BUDGET").put("unit", "HOUSEHOLD")
            .put("period", "MONTH").put("quota", 1).put("outletIds", new JsonArray().add(1));
    }

    @BeforeEach
    void snapshotState()
    {
        fingerprint = state();
    }

    @AfterEach
    void nothingChanged()
    {
        assertThat(state()).as("rows, audit records and commands after a refused request").isEqualTo(fingerprint);
    }

    private static String state()
    {
        return admin.count("SELECT count(*) FROM cardholders") + "/" + admin.count("SELECT count(*) FROM cards") + "/" +
            admin.count("SELECT count(*) FROM programs") + "/" + admin.count("SELECT count(*) FROM entitlements") + "/" +
            admin.count("SELECT count(*) FROM terminals") + "/" + admin.count("SELECT count(*) FROM outlets") + "/" +
            admin.count("SELECT count(*) FROM audit_log") + "/" + admin.count("SELECT count(*) FROM outbox") + "/" +
            admin.count("SELECT count(*) FROM cards WHERE status <> 'ISSUED'");
    }

    private static void assertProblem(final AdminHarness.Response response, final int status, final String field)
    {
        assertThat(response.status()).as(response.text()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        final JsonObject problem = response.json();
        assertThat(problem.getInteger("status")).isEqualTo(status);
        assertThat(problem.getString("title")).isNotBlank();
        assertThat(problem.getString("detail")).isNotBlank();
        if (field != null)
        {
            assertThat(problem.getJsonArray("errors")).as(response.text()).isNotNull();
            assertThat(response.firstErrorField()).as(response.text()).isEqualTo(field);
        }
    }

    @Test
    void shouldRejectUnknownFieldNamingIt() throws Exception
    {
        final AdminHarness.Response response = admin.post("/api/v1/cardholders", DISTRICT,
            new JsonObject().put("familyName", "Коваль").put("givenName", "Петро").put("nickname", "Petya"));
        assertProblem(response, 400, "/body/nickname");
    }

    @Test
    void shouldRejectWrongTypeNamingTheField() throws Exception
    {
        final AdminHarness.Response response = admin.post("/api/v1/cards", DISTRICT, new JsonObject().put("id", "five")
            .put("holderId", holderId).put("kind", "RESIDENT").put("expiry", "2030-01-01"));
        assertProblem(response, 400, "/body/id");
    }

    @Test
    void shouldRejectMissingRequiredField() throws Exception
    {
        final AdminHarness.Response response = admin.post("/api/v1/cards", DISTRICT, new JsonObject().put("id", 5_000_002L)
            .put("kind", "RESIDENT").put("expiry", "2030-01-01"));
        assertProblem(response, 400, null);
        assertThat(response.json().getString("detail")).contains("holderId");
    }

    @Test
    void shouldRejectValueOutsideEnum() throws Exception
    {
        final AdminHarness.Response response = admin.post("/api/v1/cards", DISTRICT, new JsonObject().put("id", 5_000_002L)
            .put("holderId", holderId).put("kind", "PLATINUM").put("expiry", "2030-01-01"));
        assertProblem(response, 400, "/body/kind");
    }

    @Test
    void shouldRejectMalformedJson() throws Exception
    {
        final AdminHarness.Response response = admin.send("POST", "/api/v1/cards", DISTRICT, "{\"id\": 5000003, \"holderId\": ",
            "application/json");
        assertProblem(response, 400, "/body");
    }

    @Test
    void shouldRejectCrossFieldRuleWithTheField() throws Exception
    {
        final AdminHarness.Response response = admin.post("/api/v1/programs", ADMIN, program().put("funding", "DONOR"));
        assertProblem(response, 400, "/body/donor");
    }

    @Test
    void shouldRejectABodyThatIsNotJson() throws Exception
    {
        final AdminHarness.Response response = admin.send("POST", "/api/v1/cardholders", DISTRICT,
            "{\"familyName\": \"Коваль\", \"givenName\": \"Петро\"}", "text/plain");
        assertThat(response.status()).as(response.text()).isIn(400, 415);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.json().getString("detail")).isNotBlank();
    }

    @Test
    void shouldRejectIdsOutsideTheirRange() throws Exception
    {
        assertProblem(admin.post("/api/v1/entitlements", DISTRICT, new JsonObject().put("holderId", holderId).put("programId", 4_294_967_297L)),
            400, "/body/programId");
        assertProblem(admin.post("/api/v1/entitlements", DISTRICT, new JsonObject().put("holderId", 0).put("programId", 1)),
            400, "/body/holderId");
    }

    @Test
    void shouldRequireTheStartOfDistributionCycles() throws Exception
    {
        final AdminHarness.Response response = admin.post("/api/v1/programs", ADMIN, program().put("period", "CYCLE").put("cycleDays", 14));
        assertProblem(response, 400, "/body/validFrom");
    }

    @Test
    void shouldAnswerNotFoundForUnknownId() throws Exception
    {
        assertProblem(admin.get("/api/v1/cards/999", AUDITOR), 404, null);
        assertProblem(admin.post("/api/v1/cards/999/block", DISTRICT, new JsonObject()), 404, null);
    }

    @Test
    void shouldAnswerUnprocessableForUnknownReference() throws Exception
    {
        assertProblem(admin.post("/api/v1/entitlements", DISTRICT, new JsonObject().put("holderId", holderId).put("programId", 42)),
            422, "/body/programId");
        assertProblem(admin.post("/api/v1/cards", DISTRICT, new JsonObject().put("id", 5_000_004L).put("holderId", 987_654L)
            .put("kind", "RESIDENT").put("expiry", "2030-01-01")), 422, "/body/holderId");
    }

    @Test
    void shouldRejectRoleWithoutRight() throws Exception
    {
        assertProblem(admin.post("/api/v1/cards/5000001/block", AUDITOR, new JsonObject()), 403, null);
        assertProblem(admin.post("/api/v1/cards", OPERATOR, new JsonObject().put("id", 5_000_005L).put("holderId", holderId)
            .put("kind", "RESIDENT").put("expiry", "2030-01-01")), 403, null);
        assertProblem(admin.get("/api/v1/cardholders/" + holderId, OPERATOR), 403, null);
    }

    @Test
    void shouldRejectMissingOrUnknownToken() throws Exception
    {
        final AdminHarness.Response none = admin.get("/api/v1/cards", null);
        assertProblem(none, 401, "/header/Authorization");
        assertProblem(admin.get("/api/v1/cards", "not-a-token-of-ours"), 401, "/header/Authorization");
    }

    @Test
    void shouldRejectConflictingTransition() throws Exception
    {
        assertThat(admin.post("/api/v1/cards/5000001/activate", DISTRICT, null).status()).isEqualTo(200);
        fingerprint = state();
        assertProblem(admin.post("/api/v1/cards/5000001/activate", DISTRICT, null), 409, "/path/cardId");
    }

    @Test
    void shouldRejectBadQueryParameters() throws Exception
    {
        assertProblem(admin.get("/api/v1/cards?limit=0", AUDITOR), 400, "/query/limit");
        assertProblem(admin.get("/api/v1/cards?cursor=bm90LW91cnM", AUDITOR), 400, "/query/cursor");
        assertProblem(admin.get("/api/v1/taps?from=yesterday", AUDITOR), 400, "/query/from");
    }

    @Test
    void shouldAnswerUnknownPathAndMethodWithProblems() throws Exception
    {
        assertProblem(admin.get("/api/v1/nothing-here", ADMIN), 404, null);
        assertProblem(admin.send("DELETE", "/api/v1/cards/5000001", ADMIN, null, null), 405, null);
    }
}
