package io.tapswitch.bench.endtoend;

import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicReference;

import io.tapswitch.admin.AdminHarness;
import io.tapswitch.admin.TestPostgres;
import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.protocol.client.BalanceResult;
import io.tapswitch.protocol.client.TapResult;
import io.tapswitch.protocol.client.TerminalClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.tapswitch.admin.AdminHarness.ADMIN;
import static io.tapswitch.admin.AdminHarness.AUDITOR;
import static io.tapswitch.admin.AdminHarness.DISTRICT;
import static io.tapswitch.admin.AdminHarness.OPERATOR;
import static io.tapswitch.admin.AdminHarness.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin service and a real switch in one test: what is registered through REST is enforced at a real TCP tap,
 * and the tap comes back through the journal ingester to REST.
 */
class EndToEndTest
{
    private static final long CARD = 8_000_001L;
    private static final long NEW_CARD = 8_000_002L;
    private static final long TIMEOUT_MS = 20_000;

    @TempDir
    Path dataDir;
    @TempDir
    Path switchDir;

    @Test
    void shouldEnforceAtTheSwitchWhatRestRegisteredAndReportTheTaps() throws Exception
    {
        try (RealSwitch realSwitch = RealSwitch.start(switchDir, 0);
            AdminHarness admin = new AdminHarness(TestPostgres.newDatabase(), dataDir, switchDir).start())
        {
            assertThat(admin.post("/api/v1/outlets", ADMIN, new JsonObject().put("id", 1).put("name", "Aid point 1")
                .put("kind", "DISTRIBUTION_POINT")).status()).isEqualTo(201);
            assertThat(admin.post("/api/v1/programs", ADMIN, new JsonObject().put("id", 2).put("name", "Hygiene kit").put("kind", "AID")
                .put("funding", "DONOR").put("donor", "Demo Donor").put("unit", "PERSON").put("period", "MONTH").put("quota", 2)
                .put("outletIds", new JsonArray().add(1))).status()).isEqualTo(201);
            final long holderId = admin.post("/api/v1/cardholders", DISTRICT, new JsonObject().put("familyName", "Мельник")
                .put("givenName", "Оксана").put("taxNumber", "1234567890")).json().getLong("id");
            assertThat(admin.post("/api/v1/cards", DISTRICT, new JsonObject().put("id", CARD).put("holderId", holderId)
                .put("kind", "RESIDENT").put("expiry", "2035-12-31")).status()).isEqualTo(201);
            assertThat(admin.post("/api/v1/cards/" + CARD + "/activate", DISTRICT, null).status()).isEqualTo(200);
            assertThat(admin.post("/api/v1/entitlements", DISTRICT, new JsonObject().put("holderId", holderId).put("programId", 2))
                .status()).isEqualTo(201);
            final AdminHarness.Response registered = admin.post("/api/v1/terminals", OPERATOR, new JsonObject().put("outletId", 1));
            assertThat(registered.status()).isEqualTo(201);
            final long terminalId = registered.json().getLong("id");
            final byte[] key = HexFormat.of().parseHex(registered.json().getString("key"));

            // the terminal was registered last: once its LOGON succeeds, every earlier command is applied
            try (TerminalClient terminal = logonWhenKnown(realSwitch, terminalId, key))
            {
                final TapResult first = terminal.tap(CARD, 2, 1);
                assertThat(first.decision()).as(first.toString()).isEqualTo(Decision.APPROVED);
                assertThat(first.remaining()).isEqualTo(1);

                final JsonObject ingested = awaitTap(admin, CARD, first.receipt());
                assertThat(ingested.getString("decision")).isEqualTo("APPROVED");
                assertThat(ingested.getString("reason")).isEqualTo("OK");
                assertThat(ingested.getLong("terminalId")).isEqualTo(terminalId);
                assertThat(ingested.getInteger("outletId")).isEqualTo(1);
                assertThat(ingested.getLong("holderId")).isEqualTo(holderId);
                assertThat(ingested.getInteger("programId")).isEqualTo(2);
                assertThat(admin.get("/api/v1/taps?donor=Demo%20Donor", AUDITOR).json().getJsonArray("items")).hasSize(1);
                assertThat(admin.get("/api/v1/taps?donor=Other%20Donor", AUDITOR).json().getJsonArray("items")).isEmpty();
                final java.time.Instant decidedAt = java.time.Instant.parse(ingested.getString("decidedAt"));
                assertThat(admin.get("/api/v1/taps?cardId=" + CARD + "&from=" + decidedAt + "&to=" + decidedAt.plusMillis(1), AUDITOR)
                    .json().getJsonArray("items")).hasSize(1);
                assertThat(admin.get("/api/v1/taps?cardId=" + CARD + "&to=" + decidedAt, AUDITOR).json().getJsonArray("items")).isEmpty();
                assertThat(admin.get("/api/v1/taps?holderId=" + holderId + "&programId=2&outletId=1", AUDITOR).json()
                    .getJsonArray("items")).hasSize(1);

                // replace: the new card carries the holder's entitlement and this month's usage
                assertThat(admin.post("/api/v1/cards/" + CARD + "/replace", DISTRICT, new JsonObject().put("newCardId", NEW_CARD)
                    .put("expiry", "2036-12-31")).status()).isEqualTo(201);
                awaitBalance(terminal, NEW_CARD, b -> b.decision() == Decision.APPROVED);
                final TapResult onNewCard = terminal.tap(NEW_CARD, 2, 1);
                assertThat(onNewCard.decision()).as(onNewCard.toString()).isEqualTo(Decision.APPROVED);
                assertThat(onNewCard.remaining()).as("usage carried over").isZero();
                final TapResult onOldCard = terminal.tap(CARD, 2, 1);
                assertThat(onOldCard.reason()).isEqualTo(ReasonCode.CARD_BLOCKED);

                // block through REST: the next tap is declined CARD_BLOCKED, and reported
                assertThat(admin.post("/api/v1/cards/" + NEW_CARD + "/block", DISTRICT, null).status()).isEqualTo(200);
                awaitBalance(terminal, NEW_CARD, b -> b.reason() == ReasonCode.CARD_BLOCKED);
                final TapResult blocked = terminal.tap(NEW_CARD, 2, 1);
                assertThat(blocked.decision()).isEqualTo(Decision.DECLINED);
                assertThat(blocked.reason()).isEqualTo(ReasonCode.CARD_BLOCKED);
                final JsonObject declined = awaitTap(admin, NEW_CARD, blocked.receipt());
                assertThat(declined.getString("decision")).isEqualTo("DECLINED");
                assertThat(declined.getString("reason")).isEqualTo("CARD_BLOCKED");
            }
        }
    }

    private static TerminalClient logonWhenKnown(final RealSwitch realSwitch, final long terminalId, final byte[] key)
        throws InterruptedException
    {
        final AtomicReference<TerminalClient> client = new AtomicReference<>();
        awaitTrue("terminal " + terminalId + " known to the switch", TIMEOUT_MS, () ->
        {
            try
            {
                client.set(realSwitch.terminal(terminalId, key));
                return true;
            }
            catch (final TerminalClient.LogonFailedException ex)
            {
                return false;
            }
        });
        return client.get();
    }

    private static void awaitBalance(final TerminalClient terminal, final long cardId,
        final java.util.function.Predicate<BalanceResult> condition) throws InterruptedException
    {
        awaitTrue("balance of card " + cardId, TIMEOUT_MS, () -> condition.test(terminal.balance(cardId)));
    }

    private static JsonObject awaitTap(final AdminHarness admin, final long cardId, final long receipt) throws Exception
    {
        final AtomicReference<JsonObject> found = new AtomicReference<>();
        awaitTrue("tap " + receipt + " ingested", TIMEOUT_MS, () ->
        {
            try
            {
                final JsonArray items = admin.get("/api/v1/taps?cardId=" + cardId, AUDITOR).json().getJsonArray("items");
                for (int i = 0; i < items.size(); i++)
                {
                    if (items.getJsonObject(i).getLong("receipt") == receipt)
                    {
                        found.set(items.getJsonObject(i));
                        return true;
                    }
                }
                return false;
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException(ex);
            }
        });
        assertThat(admin.get("/api/v1/taps/" + receipt, AUDITOR).json().getLong("cardId")).isEqualTo(cardId);
        return found.get();
    }
}
