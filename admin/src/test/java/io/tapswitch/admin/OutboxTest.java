package io.tapswitch.admin;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

import io.tapswitch.admin.db.EmbeddedDatabase;
import io.tapswitch.admin.outbox.OutboxPublisher;
import io.tapswitch.formats.command.CommandType;
import io.tapswitch.formats.command.Commands;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.tapswitch.admin.AdminHarness.ADMIN;
import static io.tapswitch.admin.AdminHarness.DISTRICT;
import static io.tapswitch.admin.AdminHarness.OPERATOR;
import static io.tapswitch.admin.AdminHarness.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The outbox: commands reach the switch's real command queue only after their transaction commits, in commit
 * order, and exactly once across a crash between commit and publish or between append and mark. That a real switch
 * then applies each of them once: {@code bench}'s {@code OutboxAtTheSwitchTest} (the admin never depends on the switch).
 */
public class OutboxTest
{
    @TempDir
    Path dataDir;
    @TempDir
    Path switchDir;

    /** The kinds of change {@link #makeChanges} makes, in order (also used by the bench's OutboxAtTheSwitchTest). */
    public static final List<Integer> CHANGE_TYPES = List.of(CommandType.DEFINE_OUTLET, CommandType.DEFINE_PROGRAM,
        CommandType.SET_HOUSEHOLD, CommandType.ISSUE_CARD, CommandType.GRANT_ENTITLEMENT, CommandType.SET_CARD_STATUS,
        CommandType.REGISTER_TERMINAL);

    /** Makes one change of each kind through REST; returns the terminal key shown once. */
    public static String makeChanges(final AdminHarness admin) throws Exception
    {
        assertThat(admin.post("/api/v1/outlets", ADMIN, new JsonObject().put("id", 7).put("name", "Canteen of school 7")
            .put("kind", "CANTEEN")).status()).isEqualTo(201);
        assertThat(admin.post("/api/v1/programs", ADMIN, new JsonObject().put("id", 3).put("name", "School lunch").put("kind", "MEAL")
            .put("funding", "CITY_BUDGET").put("unit", "PERSON").put("period", "DAY").put("quota", 1)
            .put("outletIds", new JsonArray().add(7))).status()).isEqualTo(201);
        final long holderId = admin.post("/api/v1/cardholders", DISTRICT, new JsonObject().put("familyName", "Бондар")
            .put("givenName", "Іван")).json().getLong("id");
        assertThat(admin.post("/api/v1/cards", DISTRICT, new JsonObject().put("id", 7_000_001L).put("holderId", holderId)
            .put("kind", "RESIDENT").put("expiry", "2031-01-31").put("status", "ACTIVE")).status()).isEqualTo(201);
        assertThat(admin.post("/api/v1/entitlements", DISTRICT, new JsonObject().put("holderId", holderId).put("programId", 3))
            .status()).isEqualTo(201);
        // refused (already enrolled): rolled back, no command
        assertThat(admin.post("/api/v1/entitlements", DISTRICT, new JsonObject().put("holderId", holderId).put("programId", 3))
            .status()).isEqualTo(409);
        assertThat(admin.post("/api/v1/cards/7000001/block", DISTRICT, null).status()).isEqualTo(200);
        final AdminHarness.Response terminal = admin.post("/api/v1/terminals", OPERATOR, new JsonObject().put("outletId", 7));
        assertThat(terminal.status()).isEqualTo(201);
        return terminal.json().getString("key");
    }

    private static void assertQueueHoldsChangesOnce(final Path switchDir, final String key)
    {
        final List<CommandQueueReader.Command> commands = CommandQueueReader.readAll(switchDir);
        assertThat(commands).extracting(CommandQueueReader.Command::type).containsExactlyElementsOf(CHANGE_TYPES);
        final Set<Long> ids = new HashSet<>();
        long previous = 0;
        for (final CommandQueueReader.Command command : commands)
        {
            assertThat(command.commandId()).isGreaterThan(previous);
            previous = command.commandId();
            assertThat(ids.add(command.commandId())).isTrue();
        }
        final CommandQueueReader.Command issue = commands.get(3);
        assertThat(issue.decoder().bodyLong(Commands.IssueCard.CARD_ID_OFFSET)).isEqualTo(7_000_001L);
        final CommandQueueReader.Command block = commands.get(5);
        assertThat(block.decoder().bodyLong(Commands.SetCardStatus.CARD_ID_OFFSET)).isEqualTo(7_000_001L);
        final CommandQueueReader.Command register = commands.get(6);
        final byte[] sentKey = new byte[Commands.KEY_BYTES];
        register.decoder().buffer().getBytes(register.decoder().bodyOffset() + Commands.RegisterTerminal.KEY_OFFSET, sentKey);
        assertThat(HexFormat.of().formatHex(sentKey)).isEqualTo(key);
    }

    @Test
    void shouldPublishChangesInCommitOrderAndEraseSealedKeys() throws Exception
    {
        try (AdminHarness admin = new AdminHarness(TestPostgres.newDatabase(), dataDir, switchDir).start())
        {
            final String key = makeChanges(admin);
            awaitTrue("outbox published", 10_000, () -> admin.count("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0);
            assertQueueHoldsChangesOnce(switchDir, key);
            assertThat(admin.count("SELECT count(*) FROM outbox WHERE outcome = 'APPENDED'")).isEqualTo(CHANGE_TYPES.size());
            assertThat(admin.count("SELECT count(*) FROM outbox WHERE sealed AND body IS NOT NULL")).isZero();
            assertThat(admin.metrics().text()).contains("tapswitch_admin_commands_published_total " + CHANGE_TYPES.size() + ".0");
        }
    }

    @Test
    void shouldNotPublishBeforeCommit() throws Exception
    {
        final String db = TestPostgres.newDatabase();
        try (AdminHarness admin = new AdminHarness(db, dataDir, switchDir)
            .start(AdminHarness.config(db, dataDir, switchDir).publisherEnabled(false)))
        {
            final OutboxPublisher publisher = admin.service().publisher();
            try (Connection conn = DriverManager.getConnection(TestPostgres.jdbc(db.substring(db.lastIndexOf('/') + 1)),
                EmbeddedDatabase.USER, null); Statement statement = conn.createStatement())
            {
                conn.setAutoCommit(false);
                statement.execute("INSERT INTO outbox (type, body, sealed, created_at) VALUES (" + CommandType.SET_HOUSEHOLD +
                    ", decode('0100000000000000' || '0000000000000000', 'hex'), false, now())");
                assertThat(publisher.publishBatch(100, true)).as("rows of an open transaction").isZero();
                assertThat(CommandQueueReader.readAll(switchDir)).isEmpty();
                conn.commit();
            }
            assertThat(publisher.publishBatch(100, true)).isEqualTo(1);
            assertThat(CommandQueueReader.readAll(switchDir)).extracting(CommandQueueReader.Command::type)
                .containsExactly(CommandType.SET_HOUSEHOLD);
        }
    }

    @Test
    void shouldDeliverExactlyOnceAfterCrashBetweenCommitAndPublish() throws Exception
    {
        final String db = TestPostgres.newDatabase();
        final String key;
        try (AdminHarness admin = new AdminHarness(db, dataDir, switchDir)
            .start(AdminHarness.config(db, dataDir, switchDir).publisherEnabled(false)))
        {
            key = makeChanges(admin);
            assertThat(admin.count("SELECT count(*) FROM outbox WHERE published_at IS NULL")).isEqualTo(CHANGE_TYPES.size());
        }
        assertThat(CommandQueueReader.readAll(switchDir)).as("nothing reached the switch before the crash").isEmpty();

        try (AdminHarness admin = new AdminHarness(db, dataDir, switchDir).start())
        {
            awaitTrue("outbox published after restart", 10_000,
                () -> admin.count("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0);
            assertQueueHoldsChangesOnce(switchDir, key);
        }
    }

    @Test
    void shouldNotDuplicateAfterCrashBetweenAppendAndMark() throws Exception
    {
        final String db = TestPostgres.newDatabase();
        final String key;
        try (AdminHarness admin = new AdminHarness(db, dataDir, switchDir)
            .start(AdminHarness.config(db, dataDir, switchDir).publisherEnabled(false)))
        {
            key = makeChanges(admin);
            // appended to the queue, then "killed" before the rows are marked
            assertThat(admin.service().publisher().publishBatch(100, false)).isEqualTo(CHANGE_TYPES.size());
            assertThat(admin.count("SELECT count(*) FROM outbox WHERE published_at IS NULL")).isEqualTo(CHANGE_TYPES.size());
        }
        assertQueueHoldsChangesOnce(switchDir, key);

        try (AdminHarness admin = new AdminHarness(db, dataDir, switchDir).start())
        {
            awaitTrue("outbox marked after restart", 10_000,
                () -> admin.count("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0);
            assertThat(admin.count("SELECT count(*) FROM outbox WHERE outcome = 'ALREADY_IN_QUEUE'")).isEqualTo(CHANGE_TYPES.size());
            assertQueueHoldsChangesOnce(switchDir, key);
        }
    }
}
