package io.tapswitch.bench.endtoend;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;

import io.tapswitch.admin.workflow.WorkflowHarness;
import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.protocol.client.TapResult;
import io.tapswitch.protocol.client.TerminalClient;
import io.tapswitch.switching.config.SwitchConfig;
import io.tapswitch.switching.net.SwitchLauncher;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A card-issuing case and an aid case end with the card working at a real switch: admin and switch share a data
 * directory, the outbox publishes the commands the cases produced, the switch applies them, and a terminal on
 * 127.0.0.1 taps the new card.
 */
class CardAtTheSwitchTest
{
    private static final String API = "/api/v1";
    private static final long CARD_ID = 7_000_000_001L;

    private static JsonObject ok(final WorkflowHarness.Reply reply)
    {
        assertThat(reply.status()).as(reply.text()).isBetween(200, 201);
        return reply.json();
    }

    private static JsonObject act(final WorkflowHarness admin, final String token, final JsonObject c,
        final JsonObject action) throws Exception
    {
        return ok(admin.post(token, API + "/cases/" + c.getString("id") + "/actions",
            action.put("version", c.getLong("version"))));
    }

    @Test
    void shouldTapTheGuestCardIssuedByACaseAtARealSwitchTerminal(@TempDir final Path dir) throws Exception
    {
        final SwitchLauncher switchServer = SwitchLauncher.start(SwitchConfig.of(Map.of(
            "host", "127.0.0.1", "port", "0", "metrics-port", "0", "data-dir", dir.resolve("switch").toString(),
            "snapshot-interval-ms", "0")));
        try (WorkflowHarness admin = new WorkflowHarness(dir, Instant.now(), new JsonObject()
            .put("programs", new JsonObject().put("aid.children-with-disabilities", 1))))
        {
            ok(admin.post(WorkflowHarness.CENTER, API + "/outlets", new JsonObject().put("id", 1)
                .put("name", "Пункт видачі гуманітарної допомоги").put("kind", "DISTRIBUTION_POINT")));
            ok(admin.post(WorkflowHarness.CENTER, API + "/programs", new JsonObject().put("id", 1)
                .put("name", "Набір для дітей з інвалідністю").put("kind", "AID").put("funding", "CITY_BUDGET")
                .put("unit", "PERSON").put("period", "MONTH").put("quota", 2).put("outletIds", new JsonArray().add(1))));
            final JsonObject terminal = ok(admin.post(WorkflowHarness.CENTER, API + "/terminals",
                new JsonObject().put("outletId", 1)));
            final long terminalId = terminal.getLong("id");
            final byte[] key = HexFormat.of().parseHex(terminal.getString("key"));

            JsonObject card = ok(admin.post(WorkflowHarness.DEPARTMENT, API + "/cases", new JsonObject()
                .put("serviceCode", "8").put("applicant", new JsonObject().put("familyName", "Мельник")
                    .put("givenName", "Оксана").put("idp", true).put("idpCertificate", "0412-000777")
                    .put("idpCertificateDate", "2022-05-02").put("idpArrivedOn", "2022-04-28"))));
            card = act(admin, WorkflowHarness.DEPARTMENT, card, new JsonObject().put("action", "ADVANCE"));
            card = act(admin, WorkflowHarness.DEPARTMENT, card, new JsonObject().put("action", "ADVANCE"));
            card = act(admin, WorkflowHarness.DEPARTMENT, card, new JsonObject().put("action", "ADVANCE"));
            card = act(admin, WorkflowHarness.DEPARTMENT, card, new JsonObject().put("action", "ISSUE")
                .put("cardId", CARD_ID));
            card = act(admin, WorkflowHarness.DEPARTMENT, card, new JsonObject().put("action", "ADVANCE"));
            assertThat(card.getString("status")).isEqualTo("COMPLETED");
            final long holderId = card.getJsonObject("applicant").getLong("holderId");

            JsonObject aid = ok(admin.post(WorkflowHarness.DISTRICT, API + "/cases", new JsonObject()
                .put("serviceCode", "13").put("cardVersion", 1) // v1: the in-kind entitlement (v2 pays money)
                .put("applicant", new JsonObject().put("holderId", holderId))));
            aid = act(admin, WorkflowHarness.DISTRICT, aid, new JsonObject().put("action", "ADVANCE"));
            aid = act(admin, WorkflowHarness.DISTRICT, aid, new JsonObject().put("action", "ADVANCE"));
            act(admin, WorkflowHarness.DISTRICT, aid, new JsonObject().put("action", "ADVANCE"));
            aid = ok(admin.post(WorkflowHarness.DEPARTMENT, API + "/committee-sessions", new JsonObject()
                .put("committee", "CITY_EXECUTIVE_COMMITTEE")
                .put("sessionDate", admin.service.context().clock().instant().toString().substring(0, 10))))
                .getJsonArray("items").getJsonObject(0);
            aid = act(admin, WorkflowHarness.DEPARTMENT, aid, new JsonObject().put("action", "PAY"));
            assertThat(aid.getString("status")).isEqualTo("COMPLETED");

            final TapResult tap = tapUntilDecided(switchServer.port(), terminalId, key);
            assertThat(tap.decision()).as(tap.toString()).isEqualTo(Decision.APPROVED);
            assertThat(tap.remaining()).isEqualTo(1);

            final long deadlineMs = System.currentTimeMillis() + 20_000;
            long ingested = 0;
            while (ingested == 0 && System.currentTimeMillis() < deadlineMs)
            {
                ingested = admin.sql("SELECT count(*) FROM taps WHERE receipt = $1 AND card_id = $2 AND holder_id = $3 " +
                    "AND decision = 'APPROVED'", tap.receipt(), CARD_ID, holderId).iterator().next().getLong(0);
            }
            assertThat(ingested).isEqualTo(1L);
        }
        finally
        {
            switchServer.close();
        }
    }

    /**
     * The switch applies the published commands asynchronously: log on once the terminal is known and tap until the
     * card and entitlement are there (each attempt a new correlation), within a bounded time.
     */
    private static TapResult tapUntilDecided(final int port, final long terminalId, final byte[] key) throws Exception
    {
        final long deadlineMs = System.currentTimeMillis() + 30_000;
        TerminalClient client = null;
        try
        {
            while (null == client)
            {
                try
                {
                    client = TerminalClient.connect("127.0.0.1", port, terminalId, key);
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
            TapResult result = client.tap(CARD_ID, 1, 1);
            while (result.decision() != Decision.APPROVED && System.currentTimeMillis() < deadlineMs &&
                (result.reason() == ReasonCode.UNKNOWN_CARD || result.reason() == ReasonCode.NO_ENTITLEMENT))
            {
                result = client.tap(CARD_ID, 1, 1);
            }
            return result;
        }
        finally
        {
            if (null != client)
            {
                client.close();
            }
        }
    }
}
