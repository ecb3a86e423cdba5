package io.tapswitch.switching.engine;

import static io.tapswitch.switching.engine.Harness.kyiv;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import io.tapswitch.formats.Queues;
import io.tapswitch.formats.command.CardStatus;
import io.tapswitch.formats.command.CommandEncoder;
import io.tapswitch.formats.command.Commands;
import io.tapswitch.formats.command.PeriodRule;
import io.tapswitch.formats.command.ProgramKind;
import io.tapswitch.formats.command.ProgramUnit;
import io.tapswitch.formats.demo.DemoDataset;
import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.switching.snapshot.SnapshotFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots of an older layout still load, to the same tables and the same decisions (issue 14, fifth session: the
 * card table with each card's record in its slot, snapshot version 4).
 * <p>
 * The version 3 fixture ({@code snapshot-v3-f5490ac.bin.gz}) was written by the switch at {@code f5490ac} (the last
 * commit with version 3 snapshots) from the state {@link #build} makes, with the engine configuration of
 * {@link #config}; its journal and command queue positions were then set to -1 (from their start) and its CRC32C
 * recomputed, so that it loads into a data directory of its own, without the journal it was taken with. The same
 * build recorded its digest ({@code -digest.txt}) and the results of the requests {@link #after} sends after loading
 * it ({@code -after.txt}). The program that wrote them: {@code bench/results/issue14-engine/s5/SnapshotFixtureWriter.java}.
 */
class SnapshotVersionsTest
{
    private static final long NOW = kyiv(2026, 11, 23, 12, 0);
    private static final String FIXTURE = "snapshot-v3-f5490ac";

    @TempDir
    Path dir;

    static EngineConfig config(final Path dataDir)
    {
        return new EngineConfig().dataDir(dataDir).snapshotIntervalMs(0).cardCapacity(2048).holderCapacity(2048)
            .householdCapacity(1024).idempotencyCapacity(1024).nonceCapacity(1024);
    }

    /** The state of the fixture: the demo's 3,000 cards (more than the card capacity: the tables grew), a blocked card, taps and reversals. */
    static void build(final Harness h)
    {
        h.demo(3_000, 12);
        h.command(CommandEncoder.setCardStatus(h.commandBuffer, 0, h.nextCommandId(), 1000001 + 300, CardStatus.BLOCKED));
        int correlation = 1;
        for (int i = 0; i < 1_500; i++)
        {
            final long card = 1000001 + (i * 7L) % 3_000;
            h.tap(NOW + i * 1_000L, 1 + (i % 12), correlation++, card, i % 3 == 0 ? 0 : 1 + (i % 5), 1 + (i % 2));
        }
        for (int i = 0; i < 50; i++)
        {
            h.reversal(NOW + 2_000_000L + i, 1 + (i % 12), 100_000 + i, 1 + i * 12 + (i % 12),
                1000001 + ((i * 12 + (i % 12)) * 7L) % 3_000);
        }
    }

    /** 600 new taps (unknown cards among them, every program) and 40 retries of taps the snapshot remembers. */
    static List<String> after(final Harness h)
    {
        final List<String> results = new ArrayList<>();
        int correlation = 200_000;
        for (int i = 0; i < 600; i++)
        {
            final long card = 1000001 + (i * 13L) % 3_100;
            results.add(h.tap(NOW + 3_000_000L + i * 500L, 1 + (i % 12), correlation++, card,
                i % 4 == 0 ? 0 : 1 + (i % 5), 1).toString());
        }
        for (int i = 0; i < 40; i++)
        {
            results.add(h.tap(NOW + 3_500_000L, 1 + (i % 12), 1 + i, 1000001 + (i * 7L) % 3_000,
                i % 3 == 0 ? 0 : 1 + (i % 5), 1 + (i % 2)).toString());
        }
        return results;
    }

    private static String resource(final String name) throws IOException
    {
        try (InputStream in = SnapshotVersionsTest.class.getResourceAsStream(name))
        {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static Path installVersion3(final Path dataDir) throws IOException
    {
        final Path snapshots = Queues.snapshotsDir(dataDir);
        Files.createDirectories(snapshots);
        final Path file = snapshots.resolve("snapshot-00000000000000001581.bin");
        try (InputStream in = new GZIPInputStream(SnapshotVersionsTest.class.getResourceAsStream(FIXTURE + ".bin.gz")))
        {
            Files.write(file, in.readAllBytes());
        }
        return file;
    }

    private static List<Path> snapshots(final Path dataDir) throws IOException
    {
        try (Stream<Path> files = Files.list(Queues.snapshotsDir(dataDir)))
        {
            return files.filter(p -> p.toString().endsWith(".bin")).sorted().collect(Collectors.toList());
        }
    }

    private static int versionOf(final Path snapshot) throws IOException
    {
        final byte[] bytes = Files.readAllBytes(snapshot);
        return java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(8);
    }

    @Test
    void version3SnapshotOfTheOlderSwitchLoadsToItsTablesAndDecidesAsItDid() throws IOException
    {
        final Path file = installVersion3(dir);
        assertThat(versionOf(file)).isEqualTo(SnapshotFiles.VERSION_PACKED);
        final Harness h = new Harness(config(dir));
        try
        {
            assertThat(h.engine.counters().snapshotBytes()).isEqualTo(Files.size(file));
            assertThat(h.engine.digest().toString()).isEqualTo(resource(FIXTURE + "-digest.txt").trim());
            assertThat(after(h)).containsExactlyElementsOf(resource(FIXTURE + "-after.txt").lines().toList());
        }
        finally
        {
            h.close();
        }
    }

    @Test
    void version3SnapshotUpgradedToVersion4KeepsTablesAndDecisions() throws IOException
    {
        installVersion3(dir.resolve("v3"));
        final Path upgraded = dir.resolve("v4");
        final Harness h = new Harness(config(dir.resolve("v3")));
        final TableDigest loaded;
        final Path file;
        try
        {
            loaded = h.engine.digest();
            // the state as this switch writes it: the same header positions (-1), version 4 tables
            file = h.engine.saveState(Queues.snapshotsDir(upgraded));
        }
        finally
        {
            h.close();
        }
        assertThat(versionOf(file)).isEqualTo(SnapshotFiles.VERSION);
        final Harness g = new Harness(config(upgraded));
        try
        {
            assertThat(g.engine.counters().snapshotBytes()).isEqualTo(Files.size(file));
            assertThat(g.engine.digest()).isEqualTo(loaded);
            assertThat(after(g)).containsExactlyElementsOf(resource(FIXTURE + "-after.txt").lines().toList());
        }
        finally
        {
            g.close();
        }
    }

    @Test
    void thisSwitchBuildsTheSameTablesAsTheOlderOneAndItsVersion4SnapshotLoadsToThem() throws IOException
    {
        final Harness h = new Harness(config(dir));
        try
        {
            build(h);
            assertThat(h.engine.digest().toString()).isEqualTo(resource(FIXTURE + "-digest.txt").trim());
            h.restart();
            assertThat(h.engine.replayedRecords()).isZero();
            assertThat(h.engine.digest().toString()).isEqualTo(resource(FIXTURE + "-digest.txt").trim());
            assertThat(after(h)).containsExactlyElementsOf(resource(FIXTURE + "-after.txt").lines().toList());
        }
        finally
        {
            h.close();
        }
    }

    @Test
    void version4SnapshotLoadsIntoALargerConfiguredCardTable() throws IOException
    {
        // the saved slots were built for another capacity: every card is inserted again, same tables
        final Harness h = new Harness(config(dir));
        final TableDigest digest;
        try
        {
            build(h);
            digest = h.engine.digest();
        }
        finally
        {
            h.close();
        }
        final Harness bigger = new Harness(config(dir).cardCapacity(1 << 14));
        try
        {
            assertThat(bigger.engine.replayedRecords()).isZero();
            assertThat(bigger.engine.digest()).isEqualTo(digest);
            assertThat(after(bigger)).containsExactlyElementsOf(resource(FIXTURE + "-after.txt").lines().toList());
        }
        finally
        {
            bigger.close();
        }
    }

    @Test
    void personProgramsBeyondTheHolderRowsCountersKeepTheirOwnCountersAcrossARestart() throws IOException
    {
        // the demo defines 3 person programs (their counters in the holder rows) and 2 household ones; 101 takes the
        // row's fourth counter, 102-104 have counters of their own, 105 is a household program
        final int outlet = 900;
        final int[] programs = {DemoDataset.PROGRAM_SCHOOL_LUNCH, 101, 102, 103, 104, 105};
        final Harness h = new Harness(config(dir)).demo(300, 2);
        try
        {
            h.command(CommandEncoder.defineOutlet(h.commandBuffer, 0, h.nextCommandId(), outlet, 101));
            for (int p = 101; p <= 105; p++)
            {
                h.command(CommandEncoder.defineProgram(h.commandBuffer, 0, h.nextCommandId(), p, ProgramKind.MEAL,
                    p == 105 ? ProgramUnit.HOUSEHOLD : ProgramUnit.PERSON, PeriodRule.DAY, 2, 0, Commands.OPEN_FROM_DAY,
                    Commands.OPEN_TO_DAY, 0, 1440, new int[] {outlet}));
            }
            h.command(CommandEncoder.defineProgram(h.commandBuffer, 0, h.nextCommandId(),
                DemoDataset.PROGRAM_SCHOOL_LUNCH, ProgramKind.MEAL, ProgramUnit.PERSON, PeriodRule.DAY, 2, 0,
                Commands.OPEN_FROM_DAY, Commands.OPEN_TO_DAY, 0, 1440, new int[] {outlet}));
            h.command(CommandEncoder.registerTerminal(h.commandBuffer, 0, h.nextCommandId(), 900, outlet, true,
                DemoDataset.terminalKey(900)));
            for (final long holder : new long[] {1000001, 1000004})
            {
                for (final int p : programs)
                {
                    h.command(CommandEncoder.grantEntitlement(h.commandBuffer, 0, h.nextCommandId(), holder, p));
                }
            }
            int correlation = 1;
            // interleaved: a counter shared by two programs or two holders would show as an early QUOTA_EXHAUSTED
            for (int round = 0; round < 2; round++)
            {
                for (final int p : programs)
                {
                    final Harness.Result r = h.tap(NOW, 900, correlation++, 1000001, p, 1);
                    assertThat(r.decision()).as("program %d round %d", p, round).isEqualTo(Decision.APPROVED);
                    assertThat(r.remaining()).as("program %d round %d", p, round).isEqualTo(1 - round);
                }
            }
            for (final int p : programs)
            {
                final Harness.Result r = h.tap(NOW, 900, correlation++, 1000004, p, 1);
                assertThat(r.remaining()).as("other holder, program %d", p).isEqualTo(1);
            }
            final TableDigest before = h.engine.digest();
            h.restart();
            assertThat(h.engine.replayedRecords()).isZero();
            assertThat(h.engine.digest()).isEqualTo(before);
            for (final int p : programs)
            {
                assertThat(h.tap(NOW, 900, correlation++, 1000001, p, 1).reason()).as("program %d", p)
                    .isEqualTo(ReasonCode.QUOTA_EXHAUSTED);
                final Harness.Result r = h.tap(NOW, 900, correlation++, 1000004, p, 1);
                assertThat(r.decision()).as("other holder, program %d", p).isEqualTo(Decision.APPROVED);
                assertThat(r.remaining()).as("other holder, program %d", p).isZero();
            }
        }
        finally
        {
            h.close();
        }
    }
}
