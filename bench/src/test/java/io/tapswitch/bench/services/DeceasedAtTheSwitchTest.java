package io.tapswitch.bench.services;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.tapswitch.admin.AdminConfig;
import io.tapswitch.admin.AdminService;
import io.tapswitch.admin.Principal;
import io.tapswitch.admin.Role;
import io.tapswitch.admin.TokenRegistry;

import io.tapswitch.formats.command.CommandType;
import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.protocol.client.TapResult;
import io.tapswitch.protocol.client.TerminalClient;
import io.tapswitch.switching.config.SwitchConfig;
import io.tapswitch.switching.net.SwitchLauncher;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Card 41-76 end to end with a real switch: a holder's card taps APPROVED at a terminal; a relative applies to
 * deregister the deceased; at the stage that stops the payments the admin blocks every card of the holder through
 * the command outbox, revokes the entitlements, stops the payment still ordered and closes the holder's other open
 * case with the seed's closing ground; the next tap on the card is declined CARD_BLOCKED. The admin (with its
 * embedded PostgreSQL) and the switch run in this JVM, sharing a data directory, as {@code ./tapswitch demo} runs them.
 */
class DeceasedAtTheSwitchTest
{
    private static final String API = "/api/v1";
    private static final long CARD_ID = 7_000_000_076L;

    /** One token per role, as the workflow tests use them. */
    static final class Admin implements AutoCloseable
    {
        static final String CENTER = "t-center";
        static final String DISTRICT = "t-district";
        static final String DEPARTMENT = "t-department";
        static final String AUDITOR = "t-auditor";

        final AdminService service;
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

        Admin(final Path dir) throws Exception
        {
            final AdminConfig config = new AdminConfig().port(0).metricsPort(-1).dataDir(dir.resolve("admin"))
                .switchDataDir(dir.resolve("switch")).pollIntervalMs(20)
                .tokens(TokenRegistry.of(Map.of(
                    CENTER, new Principal("center-admin-1", Set.of(Role.CENTER_ADMIN)),
                    DISTRICT, new Principal("district-1", Set.of(Role.DISTRICT_SPECIALIST)),
                    DEPARTMENT, new Principal("department-1", Set.of(Role.DEPARTMENT_SPECIALIST)),
                    AUDITOR, new Principal("auditor-1", Set.of(Role.AUDITOR)))));
            service = new AdminService(config.conclude()).start().toCompletionStage().toCompletableFuture()
                .get(3, TimeUnit.MINUTES);
        }

        RowSet<Row> sql(final String sql, final Object... args) throws Exception
        {
            return service.context().pool().preparedQuery(sql).execute(Tuple.from(args)).toCompletionStage()
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
        }

        HttpResponse<String> get(final String token, final String path) throws Exception
        {
            return http.send(HttpRequest.newBuilder(URI.create(service.baseUrl() + path)).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + token).GET().build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        }

        HttpResponse<String> post(final String token, final String path, final JsonObject body) throws Exception
        {
            return http.send(HttpRequest.newBuilder(URI.create(service.baseUrl() + path)).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.encode(), StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        }

        @Override
        public void close() throws Exception
        {
            service.stop().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
    }

    private static JsonObject ok(final HttpResponse<String> reply)
    {
        assertThat(reply.statusCode()).as(reply.body()).isBetween(200, 201);
        return new JsonObject(reply.body());
    }

    private static JsonObject act(final Admin admin, final String token, final JsonObject c,
        final JsonObject action) throws Exception
    {
        return ok(admin.post(token, API + "/cases/" + c.getString("id") + "/actions",
            action.put("version", c.getLong("version"))));
    }

    private static JsonObject advance(final Admin admin, final String token, final JsonObject c)
        throws Exception
    {
        return act(admin, token, c, new JsonObject().put("action", "ADVANCE"));
    }

    @Test
    void shouldBlockTheDeceasedHoldersCardAtTheSwitchRevokeStopAndClose(@TempDir final Path dir) throws Exception
    {
        final SwitchLauncher switchServer = SwitchLauncher.start(SwitchConfig.of(Map.of(
            "host", "127.0.0.1", "port", "0", "metrics-port", "0", "data-dir", dir.resolve("switch").toString(),
            "snapshot-interval-ms", "0")));
        try (Admin admin = new Admin(dir))
        {
            ok(admin.post(Admin.CENTER, API + "/outlets", new JsonObject().put("id", 1)
                .put("name", "Пункт видачі гуманітарної допомоги").put("kind", "DISTRIBUTION_POINT")));
            ok(admin.post(Admin.CENTER, API + "/programs", new JsonObject().put("id", 1)
                .put("name", "Продуктовий набір").put("kind", "AID").put("funding", "CITY_BUDGET")
                .put("unit", "PERSON").put("period", "MONTH").put("quota", 100).put("outletIds", new JsonArray().add(1))));
            final JsonObject terminal = ok(admin.post(Admin.CENTER, API + "/terminals",
                new JsonObject().put("outletId", 1)));
            final long terminalId = terminal.getLong("id");
            final byte[] key = HexFormat.of().parseHex(terminal.getString("key"));

            // the holder: a resident card issued by a No. 8 case, an entitlement to the aid
            JsonObject card = ok(admin.post(Admin.DEPARTMENT, API + "/cases", new JsonObject()
                .put("serviceCode", "8").put("applicant", new JsonObject().put("familyName", "Бондар")
                    .put("givenName", "Петро").put("patronymic", "Іванович"))));
            for (int i = 0; i < 3; i++)
            {
                card = advance(admin, Admin.DEPARTMENT, card);
            }
            card = act(admin, Admin.DEPARTMENT, card, new JsonObject().put("action", "ISSUE").put("cardId", CARD_ID));
            card = advance(admin, Admin.DEPARTMENT, card);
            final long holderId = card.getJsonObject("applicant").getLong("holderId");
            ok(admin.post(Admin.CENTER, API + "/entitlements", new JsonObject().put("holderId", holderId)
                .put("programId", 1)));

            try (TerminalClient client = logOn(switchServer.port(), terminalId, key))
            {
                final TapResult before = tapUntil(client, Decision.APPROVED);
                assertThat(before.decision()).as(before.toString()).isEqualTo(Decision.APPROVED);

                // an open case of the holder and a payment ordered but not yet sent
                final JsonObject open = ok(admin.post(Admin.DISTRICT, API + "/cases", new JsonObject()
                    .put("serviceCode", "18").put("applicant", new JsonObject().put("holderId", holderId))));
                JsonObject paid = ok(admin.post(Admin.DISTRICT, API + "/cases", new JsonObject()
                    .put("serviceCode", "16").put("applicant", new JsonObject().put("holderId", holderId))));
                for (int i = 0; i < 3; i++)
                {
                    paid = advance(admin, Admin.DISTRICT, paid);
                }
                ok(admin.post(Admin.DEPARTMENT, API + "/committee-sessions", new JsonObject()
                    .put("committee", "CITY_EXECUTIVE_COMMITTEE")
                    .put("sessionDate", java.time.LocalDate.now(java.time.ZoneId.of("Europe/Kyiv")).toString())));
                paid = ok(admin.get(Admin.DEPARTMENT, API + "/cases/" + paid.getString("id")));
                paid = act(admin, Admin.DEPARTMENT, paid, new JsonObject().put("action", "PAY")
                    .put("payment", new JsonObject().put("amountKopiyky", 500_000L).put("channel", "POST")
                        .put("postAddress", "м. Кривий Ріг, вул. Соборності, 1")));
                final long outboxBefore = admin.sql("SELECT coalesce(max(id), 0) FROM outbox").iterator().next().getLong(0);

                // an unknown holder is refused at registration, changing nothing
                assertThat(admin.post(Admin.DISTRICT, API + "/cases", new JsonObject().put("serviceCode", "41-76")
                    .put("subjectHolderId", 999_999).put("applicant", new JsonObject().put("familyName", "Бондар")
                        .put("givenName", "Олена"))).statusCode()).isEqualTo(422);

                // 41-76: the relative applies at the district with the death certificate
                JsonObject deregister = ok(admin.post(Admin.DISTRICT, API + "/cases", new JsonObject()
                    .put("serviceCode", "41-76").put("subjectHolderId", holderId)
                    .put("applicant", new JsonObject().put("familyName", "Бондар").put("givenName", "Олена"))
                    .put("documentsReceived", new JsonArray().add("application").add("death-certificate"))));
                assertThat(deregister.getString("stageNo")).isEqualTo("4");
                deregister = advance(admin, Admin.DISTRICT, deregister);
                deregister = advance(admin, Admin.DISTRICT, deregister);
                assertThat(deregister.getString("stageNo")).isEqualTo("7");
                deregister = act(admin, Admin.DISTRICT, deregister, new JsonObject().put("action", "ISSUE")
                    .put("comment", "припинено виплату"));
                for (int i = 0; i < 3; i++)
                {
                    deregister = advance(admin, Admin.DISTRICT, deregister);
                }
                assertThat(deregister.getString("status")).isEqualTo("COMPLETED");

                assertThat(admin.sql("SELECT status FROM cards WHERE id = $1", CARD_ID).iterator().next().getString(0))
                    .isEqualTo("BLOCKED");
                assertThat(admin.sql("SELECT status FROM entitlements WHERE holder_id = $1", holderId).iterator().next()
                    .getString(0)).isEqualTo("REVOKED");
                final Row payment = admin.sql("SELECT status, stop_reason FROM payments WHERE case_id = $1",
                    paid.getString("id")).iterator().next();
                assertThat(payment.getString(0)).isEqualTo("STOPPED");
                assertThat(payment.getString(1)).isEqualTo("41-76 case " + deregister.getString("id"));
                final JsonObject closed = ok(admin.get(Admin.AUDITOR, API + "/cases/" + open.getString("id")));
                assertThat(closed.getString("status")).isEqualTo("CLOSED");
                assertThat(closed.getString("closeReason")).isEqualTo("APPLICANT_DIED");
                final List<Integer> types = new ArrayList<>();
                for (final Row row : admin.sql("SELECT type FROM outbox WHERE id > $1 ORDER BY id", outboxBefore))
                {
                    types.add((int)row.getShort(0));
                }
                assertThat(types).containsExactly(CommandType.SET_CARD_STATUS, CommandType.REVOKE_ENTITLEMENT);

                final TapResult after = tapUntil(client, Decision.DECLINED);
                assertThat(after.decision()).as(after.toString()).isEqualTo(Decision.DECLINED);
                assertThat(after.reason()).isEqualTo(ReasonCode.CARD_BLOCKED);
            }
        }
        finally
        {
            switchServer.close();
        }
    }

    private static TerminalClient logOn(final int port, final long terminalId, final byte[] key) throws Exception
    {
        final long deadlineMs = System.currentTimeMillis() + 30_000;
        while (true)
        {
            try
            {
                return TerminalClient.connect("127.0.0.1", port, terminalId, key);
            }
            catch (final TerminalClient.LogonFailedException ex)
            {
                if (System.currentTimeMillis() > deadlineMs)
                {
                    throw ex;
                }
                Thread.onSpinWait();
            }
        }
    }

    /** The switch applies the published commands asynchronously: tap until the wanted decision, within 30 s. */
    private static TapResult tapUntil(final TerminalClient client, final int wanted) throws Exception
    {
        final long deadlineMs = System.currentTimeMillis() + 30_000;
        TapResult result = client.tap(CARD_ID, 1, 1);
        while (result.decision() != wanted && System.currentTimeMillis() < deadlineMs)
        {
            result = client.tap(CARD_ID, 1, 1);
        }
        return result;
    }
}
