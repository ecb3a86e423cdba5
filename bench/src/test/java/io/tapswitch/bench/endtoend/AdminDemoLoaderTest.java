package io.tapswitch.bench.endtoend;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import io.tapswitch.admin.AdminHarness;
import io.tapswitch.admin.demo.AdminDemoLoader;
import io.tapswitch.admin.TestPostgres;
import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.protocol.client.TapResult;
import io.tapswitch.protocol.client.TerminalClient;
import io.tapswitch.formats.demo.DemoDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.tapswitch.admin.AdminHarness.AUDITOR;
import static io.tapswitch.admin.AdminHarness.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo dataset loaded through the admin service reaches both PostgreSQL and a real switch that was started
 * without demo data, and the switch answers the examples of DEMO-DATA.md.
 */
class AdminDemoLoaderTest
{
    private static final int CARDS = 3_000;
    private static final int TERMINALS = 20;

    @TempDir
    Path dataDir;
    @TempDir
    Path switchDir;

    @Test
    void shouldLoadTheDemoDatasetIntoTheRegistryAndTheSwitch() throws Exception
    {
        try (RealSwitch realSwitch = RealSwitch.start(switchDir, 0);
            AdminHarness admin = new AdminHarness(TestPostgres.newDatabase(), dataDir, switchDir).start())
        {
            final AdminDemoLoader.Result result = AdminDemoLoader.load(admin.service(), CARDS, TERMINALS);
            assertThat(result.loaded()).isTrue();
            assertThat(result.commands()).isEqualTo(10 + 5 + TERMINALS + (CARDS + 1023) / 1024);
            assertThat(AdminDemoLoader.load(admin.service(), CARDS, TERMINALS).loaded()).as("second load").isFalse();

            assertThat(admin.count("SELECT count(*) FROM cards")).isEqualTo(CARDS);
            assertThat(admin.count("SELECT count(*) FROM cardholders")).isEqualTo(CARDS);
            assertThat(admin.count("SELECT count(*) FROM households")).isEqualTo(1000);
            assertThat(admin.count("SELECT count(*) FROM entitlements")).isEqualTo(5L * (CARDS - CARDS / 100));
            assertThat(admin.count("SELECT count(*) FROM cards WHERE status = 'BLOCKED'")).isEqualTo(CARDS / 100);
            assertThat(admin.get("/api/v1/cards/1000099", AUDITOR).json().getString("status")).isEqualTo("BLOCKED");
            assertThat(admin.get("/api/v1/programs/4", AUDITOR).json().getJsonObject("window").getString("from")).isEqualTo("07:30");
            assertThat(admin.service().awaitOutboxDrained(20_000)).as("demo commands published").isTrue();
            assertThat(admin.count("SELECT count(*) FROM outbox WHERE published_at IS NULL")).isZero();

            final AtomicReference<TerminalClient> one = new AtomicReference<>();
            awaitTrue("terminal 1 provisioned", 20_000, () -> logon(realSwitch, 1, one));
            try (TerminalClient terminal1 = one.get();
                TerminalClient terminal6 = realSwitch.terminal(6, DemoDataset.terminalKey(6)))
            {
                // the last ISSUE_CARDS batch is applied once card 1000000+N answers a balance
                awaitTrue("cards provisioned", 20_000,
                    () -> terminal1.balance(DemoDataset.FIRST_CARD_ID + CARDS - 1).decision() == Decision.APPROVED);
                final TapResult food = terminal1.tap(1_000_001L, 1, 1);
                assertThat(food.decision()).isEqualTo(Decision.APPROVED);
                assertThat(food.remaining()).isZero();
                assertThat(terminal1.tap(1_000_002L, 1, 1).reason()).isEqualTo(ReasonCode.QUOTA_EXHAUSTED);
                assertThat(terminal6.tap(1_000_001L, 1, 1).reason()).isEqualTo(ReasonCode.OUTLET_NOT_ALLOWED);
                assertThat(terminal1.tap(1_000_099L, 1, 1).reason()).isEqualTo(ReasonCode.CARD_BLOCKED);
                assertThat(terminal1.tap(1_000_098L, 1, 1).reason()).isEqualTo(ReasonCode.CARD_EXPIRED);
                assertThat(terminal1.tap(1_000_097L, 1, 1).reason()).isEqualTo(ReasonCode.NO_ENTITLEMENT);
                assertThat(terminal1.tap(999L, 1, 1).reason()).isEqualTo(ReasonCode.UNKNOWN_CARD);
                assertThat(terminal1.tap(1_000_004L, 5, 1).reason()).isEqualTo(ReasonCode.OUTSIDE_WINDOW);
                assertThat(terminal1.tap(1_000_004L, 0, 1).decision()).as("default program of outlet 1").isEqualTo(Decision.APPROVED);
            }
        }
    }

    private static boolean logon(final RealSwitch realSwitch, final long terminalId, final AtomicReference<TerminalClient> client)
    {
        try
        {
            client.set(realSwitch.terminal(terminalId, DemoDataset.terminalKey(terminalId)));
            return true;
        }
        catch (final TerminalClient.LogonFailedException ex)
        {
            return false;
        }
    }
}
