package io.tapswitch.bench.endtoend;

import static io.tapswitch.admin.AdminHarness.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import io.tapswitch.admin.AdminHarness;
import io.tapswitch.admin.OutboxTest;
import io.tapswitch.admin.TestPostgres;
import io.tapswitch.formats.journal.JournalReader;
import io.tapswitch.formats.journal.JournalRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outbox's commands reach a real switch exactly once, each valid: the admin makes one change of each kind
 * ({@link OutboxTest#makeChanges}), is "killed" between appending them to the switch's command queue and marking
 * them published, and is restarted (it finds them in the queue and does not append them again); a real switch on
 * the same data directory then journals each command once, APPLIED. The admin's own {@code OutboxTest} covers the
 * queue; this half needs the switch, which the admin module never depends on.
 */
class OutboxAtTheSwitchTest
{
    @TempDir
    Path dataDir;
    @TempDir
    Path switchDir;

    @Test
    void shouldHaveEachCommandAppliedOnceByARealSwitchAfterACrashBetweenAppendAndMark() throws Exception
    {
        final String db = TestPostgres.newDatabase();
        try (AdminHarness admin = new AdminHarness(db, dataDir, switchDir)
            .start(AdminHarness.config(db, dataDir, switchDir).publisherEnabled(false)))
        {
            OutboxTest.makeChanges(admin);
            // appended to the queue, then "killed" before the rows are marked
            assertThat(admin.service().publisher().publishBatch(100, false)).isEqualTo(OutboxTest.CHANGE_TYPES.size());
        }
        try (AdminHarness admin = new AdminHarness(db, dataDir, switchDir).start())
        {
            awaitTrue("outbox marked after restart", 10_000,
                () -> admin.count("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0);
            assertThat(admin.count("SELECT count(*) FROM outbox WHERE outcome = 'ALREADY_IN_QUEUE'"))
                .isEqualTo(OutboxTest.CHANGE_TYPES.size());
        }

        try (RealSwitch realSwitch = RealSwitch.start(switchDir, 0))
        {
            final Map<Long, Integer> applied = new HashMap<>();
            awaitTrue("commands applied by the switch", 20_000, () ->
            {
                applied.clear();
                try (JournalReader reader = new JournalReader(switchDir))
                {
                    while (reader.poll((index, record) ->
                    {
                        if (record.type() == JournalRecord.TYPE_COMMAND)
                        {
                            assertThat(record.commandOutcome()).as("command " + record.commandId()).isZero();
                            applied.merge(record.commandId(), 1, Integer::sum);
                        }
                    }, 100) > 0)
                    {
                        // read on
                    }
                }
                return applied.size() == OutboxTest.CHANGE_TYPES.size();
            });
            assertThat(applied.values()).containsOnly(1);
        }
    }
}
