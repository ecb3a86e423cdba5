package io.tapswitch.bench.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.tapswitch.admin.AdminHarness;
import io.tapswitch.admin.TestPostgres;
import io.tapswitch.protocol.client.TapResult;
import io.tapswitch.protocol.client.TerminalClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin (embedded PostgreSQL) on the replicated switch: 3 members as child JVMs, terminals tapping through every
 * member; the admin ingests member 0's journal and its {@code taps} table holds exactly the decisions the terminals
 * were given (by receipt, with the same decision). Then member 0's host is lost (kill -9): the admin is moved to
 * member 1's journal as switch/CLUSTER.md says (stopped, its ingest position reset, started on the new
 * {@code switch-data-dir}), more taps go through the survivors, and the table again holds every answered decision
 * exactly once: nothing missing across the move, nothing twice, only the new taps inserted.
 */
class ClusterAdminIngestTest
{
    private static final long TIMEOUT_MS = 60_000;

    @TempDir
    Path dir;

    private final Map<Long, TapResult> answered = new HashMap<>();

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void shouldHoldEveryAnsweredDecisionOnceAcrossAMoveToAnotherMember() throws Exception
    {
        final int base = 26_000 + 10 * ThreadLocalRandom.current().nextInt(590);
        final String db = TestPostgres.newDatabase();
        final Path members = dir.resolve("members");
        // terminal ports base + 1..3, metrics base + 4..6, Aeron base + 100..125
        try (ClusterProcesses cluster = new ClusterProcesses(3, base + 1, base + 4, base + 100, members,
            dir.resolve("logs"), List.of("-Xmx384m", "-XX:+UseSerialGC"),
            List.of("--demo", "--demo-cards", "300", "--demo-terminals", "20", "--set", "snapshot-interval-ms=0")))
        {
            cluster.deleteDriverDirs();
            cluster.startAll();
            cluster.awaitLeader(60_000);
            try (AdminHarness admin = new AdminHarness(db, dir.resolve("admin"), members.resolve("member-0"))
                .start(AdminHarness.config(db, dir.resolve("admin"), members.resolve("member-0")).ingestBatch(7)))
            {
                for (int member = 0; member < 3; member++)
                {
                    tapSome(cluster.port(member), member + 1, 1_000_001L + 40L * member, 30);
                }
                assertTapsTableHoldsExactlyTheAnswers(admin);
            }

            // member 0's host is lost; the admin moves to member 1's journal (switch/CLUSTER.md, "The admin")
            cluster.kill(0);
            final int leader = cluster.awaitLeader(30_000);
            assertThat(leader).isNotZero();
            assertThat(TestPostgres.execute(db, "UPDATE ingest_position SET queue_index = -1")).isNull();
            final int before = answered.size();
            try (AdminHarness admin = new AdminHarness(db, dir.resolve("admin"), members.resolve("member-1"))
                .start(AdminHarness.config(db, dir.resolve("admin"), members.resolve("member-1")).ingestBatch(7)))
            {
                tapSome(cluster.port(1), 11, 1_000_201L, 20);
                tapSome(cluster.port(2), 12, 1_000_241L, 20);
                assertTapsTableHoldsExactlyTheAnswers(admin);
                AdminHarness.awaitTrue("the ingester inserted only the taps after the move", TIMEOUT_MS,
                    () -> admin.service().ingester().ingestedCount() == answered.size() - before);
            }
        }
    }

    private void tapSome(final int port, final long terminalId, final long firstCard, final int cards)
    {
        try (TerminalClient terminal = TerminalClient.connect("127.0.0.1", port, terminalId,
            TerminalClient.demoKey(terminalId)))
        {
            for (long card = firstCard; card < firstCard + cards; card++)
            {
                final TapResult result = terminal.tap(card, 2, 1);
                assertThat(result.receipt()).as("a receipt (no election under way)").isPositive();
                assertThat(answered.put(result.receipt(), result)).as("receipt given twice").isNull();
            }
        }
    }

    private void assertTapsTableHoldsExactlyTheAnswers(final AdminHarness admin) throws Exception
    {
        AdminHarness.awaitTrue("every answered tap ingested", TIMEOUT_MS,
            () -> admin.count("SELECT count(*) FROM taps") >= answered.size());
        assertThat(admin.count("SELECT count(*) FROM taps")).as("rows in taps").isEqualTo(answered.size());
        assertThat(admin.count("SELECT count(DISTINCT receipt) FROM taps")).isEqualTo(answered.size());
        for (final Map.Entry<Long, TapResult> entry : answered.entrySet())
        {
            assertThat(admin.count("SELECT count(*) FROM taps WHERE receipt = " + entry.getKey() +
                " AND decision = '" + io.tapswitch.protocol.Decision.name(entry.getValue().decision()) + "'"))
                .as("receipt %d with its decision", entry.getKey()).isEqualTo(1);
        }
    }
}
