package io.tapswitch.bench.endtoend;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.tapswitch.admin.AdminHarness;
import io.tapswitch.admin.TestPostgres;
import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.protocol.client.TapResult;
import io.tapswitch.protocol.client.TerminalClient;
import io.tapswitch.formats.journal.IngestedPosition;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.tapswitch.admin.AdminHarness.AUDITOR;
import static io.tapswitch.admin.AdminHarness.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The journal ingester, fed by a real switch's journal: every decision a terminal received is in PostgreSQL exactly
 * once, across a restart of the admin service while taps go on, and across a replay from the journal's start.
 */
class JournalIngestTest
{
    private static final long TIMEOUT_MS = 20_000;

    @TempDir
    Path dataDir;
    @TempDir
    Path switchDir;

    private final Map<Long, TapResult> answered = new HashMap<>();
    private final int[] approvedByProgram = new int[3];

    private TapResult tap(final TerminalClient terminal, final long card, final int program)
    {
        final TapResult result = terminal.tap(card, program, 1);
        answered.put(result.receipt(), result);
        if (result.decision() == Decision.APPROVED)
        {
            approvedByProgram[program]++;
        }
        return result;
    }

    private void tapSome(final TerminalClient terminal, final long firstCard, final int cards)
    {
        for (long card = firstCard; card < firstCard + cards; card++)
        {
            tap(terminal, card, 2);
            tap(terminal, card, 1);
        }
        tap(terminal, 999, 1);
        final TapResult toReverse = tap(terminal, firstCard, 2);
        final TapResult reversal = terminal.reversal(toReverse.correlation(), firstCard);
        answered.put(reversal.receipt(), reversal);
    }

    private void assertIngestedExactlyOnce(final AdminHarness admin) throws Exception
    {
        awaitTrue("all answered taps ingested", TIMEOUT_MS, () -> admin.count("SELECT count(*) FROM taps") >= answered.size());
        assertThat(admin.count("SELECT count(*) FROM taps")).isEqualTo(answered.size());
        final Map<Long, JsonObject> stored = new HashMap<>();
        String cursor = null;
        do
        {
            final JsonObject page = admin.get("/api/v1/taps?limit=7" + (cursor == null ? "" : "&cursor=" + cursor), AUDITOR).json();
            final JsonArray items = page.getJsonArray("items");
            for (int i = 0; i < items.size(); i++)
            {
                final JsonObject tap = items.getJsonObject(i);
                assertThat(stored.put(tap.getLong("receipt"), tap)).as("receipt listed twice").isNull();
            }
            cursor = page.getString("nextCursor");
        }
        while (cursor != null);
        assertThat(stored.keySet()).containsExactlyInAnyOrderElementsOf(answered.keySet());
        answered.forEach((receipt, result) ->
        {
            final JsonObject tap = stored.get(receipt);
            assertThat(tap.getString("decision")).isEqualTo(Decision.name(result.decision()));
            assertThat(tap.getString("reason")).isEqualTo(ReasonCode.name(result.reason()));
            assertThat(tap.getInteger("remaining")).isEqualTo(result.remaining());
        });
    }

    @Test
    void shouldIngestEveryDecisionOnceAcrossRestartsAndReplays() throws Exception
    {
        final String db = TestPostgres.newDatabase();
        try (RealSwitch realSwitch = RealSwitch.start(switchDir, 300);
            TerminalClient terminal = realSwitch.terminal(1, TerminalClient.demoKey(1)))
        {
            try (AdminHarness admin = new AdminHarness(db, dataDir, switchDir)
                .start(AdminHarness.config(db, dataDir, switchDir).ingestBatch(3)))
            {
                tapSome(terminal, 1_000_001L, 20);
                assertIngestedExactlyOnce(admin);
                assertThat(answered.values()).extracting(TapResult::reason)
                    .contains(ReasonCode.OK, ReasonCode.QUOTA_EXHAUSTED, ReasonCode.UNKNOWN_CARD);
                awaitCaughtUp(admin);
                assertThat(IngestedPosition.read(switchDir)).isEqualTo(admin.service().ingester().storedIndex());
                // counters are updated just after the commit that made the rows visible
                awaitTrue("hygiene kits counted", TIMEOUT_MS, () -> metric(admin,
                    "tapswitch_admin_handed_out_total{outlet=\"1\",program=\"2\"}").equals(approvedByProgram[2] + ".0"));
                awaitTrue("food kits counted", TIMEOUT_MS, () -> metric(admin,
                    "tapswitch_admin_handed_out_total{outlet=\"1\",program=\"1\"}").equals(approvedByProgram[1] + ".0"));
            }

            // taps while the admin service is down
            tapSome(terminal, 1_000_101L, 15);

            try (AdminHarness admin = new AdminHarness(db, dataDir, switchDir)
                .start(AdminHarness.config(db, dataDir, switchDir).ingestBatch(3)))
            {
                assertIngestedExactlyOnce(admin);
            }

            // a lost position: the whole journal is read again, and nothing is stored twice
            assertThat(TestPostgres.execute(db, "UPDATE ingest_position SET queue_index = -1")).isNull();
            approvedByProgram[1] = 0;
            approvedByProgram[2] = 0;
            tapSome(terminal, 1_000_201L, 5);
            try (AdminHarness admin = new AdminHarness(db, dataDir, switchDir).start())
            {
                assertIngestedExactlyOnce(admin);
                awaitCaughtUp(admin);
                assertThat(admin.service().ingester().ingestedCount()).as("only the new taps were inserted").isEqualTo(5 * 2 + 3);
                assertThat(metric(admin, "tapswitch_admin_handed_out_total{outlet=\"1\",program=\"2\"}"))
                    .as("replayed taps are not counted again").isEqualTo(approvedByProgram[2] + ".0");
            }
        }
    }

    /** Waits until the ingester's published index is the committed one and nothing is left to read. */
    private static void awaitCaughtUp(final AdminHarness admin) throws InterruptedException
    {
        awaitTrue("ingester caught up", TIMEOUT_MS, () ->
            admin.service().ingester().storedIndex() == admin.count("SELECT queue_index FROM ingest_position") &&
            metric(admin, "tapswitch_admin_ingest_lag_entries").equals("0.0"));
    }

    private static String metric(final AdminHarness admin, final String name)
    {
        try
        {
            final List<String> lines = new ArrayList<>(List.of(admin.metrics().text().split("\n")));
            for (final String line : lines)
            {
                if (line.startsWith(name + " ") || !name.contains("{") && line.startsWith(name + "{"))
                {
                    return line.substring(line.lastIndexOf(' ') + 1);
                }
            }
            return "";
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
