package io.tapswitch.admin.account;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.HexFormat;

import io.tapswitch.admin.AdminHarness;
import io.tapswitch.admin.TestPostgres;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Accounts, sign-in, sessions, lockout, district scope and the annex 2 rows 1-3 through the REST API of a running
 * admin service on the embedded PostgreSQL.
 */
class AccountsApiTest
{
    private static final String PASSWORD = "correct horse battery";
    @TempDir
    static Path dataDir;
    @TempDir
    static Path switchDir;
    private static AdminHarness admin;
    private static long holderNorth;
    private static long holderSouth;

    @BeforeAll
    static void start() throws Exception
    {
        admin = new AdminHarness(TestPostgres.newDatabase(), dataDir, switchDir).start();
        final long north = ok(admin.post("/api/v1/households", AdminHarness.ADMIN, new JsonObject().put("district", "Північний")))
            .getLong("id");
        final long south = ok(admin.post("/api/v1/households", AdminHarness.ADMIN, new JsonObject().put("district", "Південний")))
            .getLong("id");
        holderNorth = ok(admin.post("/api/v1/cardholders", AdminHarness.ADMIN, new JsonObject().put("householdId", north)
            .put("familyName", "Ковальчук").put("givenName", "Ґалина"))).getLong("id");
        holderSouth = ok(admin.post("/api/v1/cardholders", AdminHarness.ADMIN, new JsonObject().put("householdId", south)
            .put("familyName", "Мельник").put("givenName", "Юрій"))).getLong("id");
    }

    @AfterAll
    static void stop() throws Exception
    {
        admin.close();
    }

    private static JsonObject ok(final AdminHarness.Response response)
    {
        assertThat(response.status()).as(response.text()).isBetween(200, 201);
        return response.json();
    }

    private static JsonObject account(final String username, final String workplace, final String district, final String... roles)
    {
        final JsonObject body = new JsonObject().put("username", username).put("displayName", "Test " + username)
            .put("roles", new JsonArray(java.util.List.of((Object[])roles))).put("workplace", workplace).put("password", PASSWORD);
        if (district != null)
        {
            body.put("district", district);
        }
        return body;
    }

    private static AdminHarness.Response signIn(final String username, final String password) throws Exception
    {
        return admin.post("/api/v1/sessions", null, new JsonObject().put("username", username).put("password", password));
    }

    @Test
    void shouldSignInSeeOnlyItsDistrictAuditReadsAndSignOut() throws Exception
    {
        final JsonObject created = ok(admin.post("/api/v1/accounts", AdminHarness.ADMIN,
            account("taras.north", "SOCIAL_PROTECTION_UNIT", "Північний", "district_specialist")));
        assertThat(created.encode()).doesNotContain("pbkdf2").doesNotContain(PASSWORD);
        assertThat(admin.count("SELECT count(*) FROM accounts WHERE username = 'taras.north' AND password_hash LIKE '$pbkdf2$it=210000$%'"))
            .isEqualTo(1);

        assertThat(signIn("taras.north", "wrong password!!").status()).isEqualTo(401);
        assertThat(signIn("nobody.at.all", PASSWORD).status()).isEqualTo(401);
        final JsonObject session = ok(signIn("taras.north", PASSWORD));
        final String token = session.getString("token");
        assertThat(Instant.parse(session.getString("expiresAt"))).isAfter(Instant.now().plusSeconds(7 * 3600));
        // stored only as its SHA-256
        assertThat(admin.count("SELECT count(*) FROM sessions WHERE token_sha256 = '\\x" +
            HexFormat.of().formatHex(Accounts.sha256(token)) + "'")).isEqualTo(1);

        final JsonArray households = ok(admin.get("/api/v1/households", token)).getJsonArray("items");
        assertThat(households).hasSize(1);
        assertThat(households.getJsonObject(0).getString("district")).isEqualTo("Північний");
        assertThat(ok(admin.get("/api/v1/cardholders", token)).getJsonArray("items")).hasSize(1);
        assertThat(ok(admin.get("/api/v1/cardholders/" + holderNorth, token)).getString("givenName")).isEqualTo("Ґалина");
        assertThat(admin.get("/api/v1/cardholders/" + holderSouth, token).status()).isEqualTo(404);
        assertThat(admin.count("SELECT count(*) FROM audit_log WHERE actor = 'taras.north' AND action = 'cardholder.read' " +
            "AND resource_id = '" + holderNorth + "'")).isEqualTo(1);
        assertThat(admin.get("/api/v1/accounts", token).status()).isEqualTo(403);
        // cards, grants and taps of another district's holder are not there either
        ok(admin.post("/api/v1/cards", AdminHarness.ADMIN, new JsonObject().put("id", 8_100_001L).put("holderId", holderNorth)
            .put("kind", "RESIDENT").put("expiry", "2030-12-31")));
        ok(admin.post("/api/v1/cards", AdminHarness.ADMIN, new JsonObject().put("id", 8_100_002L).put("holderId", holderSouth)
            .put("kind", "RESIDENT").put("expiry", "2030-12-31")));
        assertThat(ok(admin.get("/api/v1/cards?holderId=" + holderSouth, AdminHarness.ADMIN)).getJsonArray("items")).hasSize(1);
        assertThat(ok(admin.get("/api/v1/cards?holderId=" + holderSouth, token)).getJsonArray("items")).isEmpty();
        assertThat(ok(admin.get("/api/v1/cards?holderId=" + holderNorth, token)).getJsonArray("items")).hasSize(1);
        assertThat(admin.get("/api/v1/cards/8100002", token).status()).isEqualTo(404);
        assertThat(admin.get("/api/v1/cards/8100001", token).status()).isEqualTo(200);
        assertThat(admin.get("/api/v1/cardholders/" + holderSouth + "/entitlements", token).status()).isEqualTo(404);
        assertThat(ok(admin.get("/api/v1/taps?holderId=" + holderSouth, token)).getJsonArray("items")).isEmpty();

        assertThat(admin.send("DELETE", "/api/v1/sessions/current", token, null, null).status()).isEqualTo(204);
        assertThat(admin.get("/api/v1/households", token).status()).isEqualTo(401);
        assertThat(admin.count("SELECT count(*) FROM audit_log WHERE actor = 'taras.north' AND action IN " +
            "('session.create', 'session.revoke', 'session.refused')")).isEqualTo(3);
    }

    @Test
    void shouldLockAfterRepeatedFailuresWithBackOff() throws Exception
    {
        ok(admin.post("/api/v1/accounts", AdminHarness.ADMIN, account("locked.out", "CNAP", null, "department_specialist")));
        for (int i = 0; i < Accounts.FAILURES_BEFORE_LOCK; i++)
        {
            assertThat(signIn("locked.out", "not the password " + i).status()).isEqualTo(401);
        }
        // locked: even the right password is refused, with the time to wait
        final AdminHarness.Response locked = signIn("locked.out", PASSWORD);
        assertThat(locked.status()).as(locked.text()).isEqualTo(429);
        assertThat(locked.json().getString("detail")).contains("try again in");
        final JsonObject account = ok(admin.get("/api/v1/accounts?limit=500", AdminHarness.ADMIN)).getJsonArray("items").stream()
            .map(JsonObject.class::cast).filter(a -> "locked.out".equals(a.getString("username"))).findFirst().orElseThrow();
        assertThat(account.getInteger("failedLogins")).isEqualTo(Accounts.FAILURES_BEFORE_LOCK);
        final Instant until = Instant.parse(account.getString("lockedUntil"));
        assertThat(until).isBetween(Instant.now().plusSeconds(20), Instant.now().plusSeconds(31));

        // the lock passes; one more failure locks again for twice as long
        TestPostgres.execute(admin.dbUrl(), "UPDATE accounts SET locked_until = now() - interval '1 second' WHERE username = 'locked.out'");
        assertThat(signIn("locked.out", "still not it").status()).isEqualTo(401);
        final JsonObject again = ok(admin.get("/api/v1/accounts/" + account.getLong("id"), AdminHarness.ADMIN));
        assertThat(Instant.parse(again.getString("lockedUntil"))).isBetween(Instant.now().plusSeconds(50), Instant.now().plusSeconds(61));

        // the administrator sets a new password: the lock is lifted
        ok(admin.send("PATCH", "/api/v1/accounts/" + account.getLong("id"), AdminHarness.ADMIN,
            new JsonObject().put("password", "a brand new password").encode(), "application/json"));
        assertThat(signIn("locked.out", "a brand new password").status()).isEqualTo(201);
    }

    @Test
    void shouldExpireAndRevokeSessionsOfADisabledAccount() throws Exception
    {
        final long id = ok(admin.post("/api/v1/accounts", AdminHarness.ADMIN, account("auditor.one", "OTHER", null, "auditor")))
            .getLong("id");
        final String first = ok(signIn("auditor.one", PASSWORD)).getString("token");
        final String second = ok(signIn("auditor.one", PASSWORD)).getString("token");
        assertThat(admin.get("/api/v1/households", first).status()).isEqualTo(200);
        TestPostgres.execute(admin.dbUrl(), "UPDATE sessions SET expires_at = now() - interval '1 second' WHERE token_sha256 = '\\x" +
            HexFormat.of().formatHex(Accounts.sha256(first)) + "'");
        assertThat(admin.get("/api/v1/households", first).status()).isEqualTo(401);
        assertThat(admin.get("/api/v1/households", second).status()).isEqualTo(200);

        assertThat(admin.send("PATCH", "/api/v1/accounts/" + id, AdminHarness.ADMIN, new JsonObject().put("enabled", false).encode(),
            "application/json").status()).isEqualTo(200);
        assertThat(admin.get("/api/v1/households", second).status()).isEqualTo(401);
        assertThat(signIn("auditor.one", PASSWORD).status()).isEqualTo(401);
        assertThat(admin.count("SELECT count(*) FROM audit_log WHERE actor = 'olena' AND action = 'account.update' AND resource_id = '" +
            id + "' AND after->>'enabled' = 'false'")).isEqualTo(1);
    }

    @Test
    void shouldRefuseAccountsWithoutTheirScopeAndKeepDonorsAwayFromPeople() throws Exception
    {
        final AdminHarness.Response noDistrict = admin.post("/api/v1/accounts", AdminHarness.ADMIN,
            account("no.district", "SOCIAL_PROTECTION_UNIT", null, "district_specialist"));
        assertThat(noDistrict.status()).isEqualTo(400);
        assertThat(noDistrict.firstErrorField()).isEqualTo("/body/district");
        assertThat(admin.post("/api/v1/accounts", AdminHarness.ADMIN,
            account("short.pw", "CNAP", null, "auditor").put("password", "short")).status()).isEqualTo(400);
        ok(admin.post("/api/v1/accounts", AdminHarness.ADMIN, account("donor.one", "OTHER", null, "donor").put("donor", "Demo Donor")));
        final String donor = ok(signIn("donor.one", PASSWORD)).getString("token");
        assertThat(admin.get("/api/v1/cardholders/" + holderNorth, donor).status()).isEqualTo(403);
        assertThat(admin.get("/api/v1/households", donor).status()).isEqualTo(403);
        assertThat(admin.post("/api/v1/accounts", AdminHarness.ADMIN, account("donor.one", "OTHER", null, "auditor")).status())
            .isEqualTo(409);
    }

    @Test
    void shouldCountConnectedOfficialsByWorkplaceForAnnex2Rows1To3() throws Exception
    {
        final String db = TestPostgres.newDatabase();
        try (AdminHarness own = new AdminHarness(db, dataDir.resolve("own"), switchDir.resolve("own")).start())
        {
            own.post("/api/v1/accounts", AdminHarness.ADMIN, account("spu.one", "SOCIAL_PROTECTION_UNIT", "Північний", "district_specialist"));
            own.post("/api/v1/accounts", AdminHarness.ADMIN, account("spu.two", "SOCIAL_PROTECTION_UNIT", null, "department_specialist"));
            own.post("/api/v1/accounts", AdminHarness.ADMIN, account("cnap.one", "CNAP", null, "center_admin"));
            own.post("/api/v1/accounts", AdminHarness.ADMIN, account("starosta.one", "STAROSTA_DISTRICT", "Північний", "district_specialist"));
            own.post("/api/v1/accounts", AdminHarness.ADMIN, account("oblast.one", "OBLAST_SOCIAL_PROTECTION", null, "auditor"));
            own.post("/api/v1/accounts", AdminHarness.ADMIN, account("ops.one", "OTHER", null, "operator"));
            final long gone = ok(own.post("/api/v1/accounts", AdminHarness.ADMIN, account("cnap.gone", "CNAP", null, "center_admin")))
                .getLong("id");
            own.send("PATCH", "/api/v1/accounts/" + gone, AdminHarness.ADMIN, new JsonObject().put("enabled", false).encode(),
                "application/json");
            final LocalDate tomorrow = LocalDate.now(ZoneId.of("Europe/Kyiv")).plusDays(2);
            final JsonObject rows = ok(own.get("/api/v1/reports/officials-connected?asOf=" + tomorrow, AdminHarness.AUDITOR));
            assertThat(rows.getJsonObject("row1")).isEqualTo(new JsonObject().put("total", 4).put("socialProtectionUnit", 2)
                .put("cnap", 1).put("starostaDistrict", 1));
            assertThat(rows.getLong("row2")).isEqualTo(2);
            assertThat(rows.getLong("row3")).isEqualTo(1);
            // as of a day before any account existed
            final JsonObject before = ok(own.get("/api/v1/reports/officials-connected?asOf=2020-01-01", AdminHarness.AUDITOR));
            assertThat(before.getJsonObject("row1").getLong("total")).isZero();
            assertThat(own.get("/api/v1/reports/officials-connected", AdminHarness.OPERATOR).status()).isEqualTo(403);
        }
    }
}
