package io.tapswitch.switching.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import io.tapswitch.formats.Queues;
import io.tapswitch.formats.journal.JournalChecksum;
import io.tapswitch.formats.journal.JournalDecoder;
import io.tapswitch.formats.journal.JournalExcerpt;
import io.tapswitch.formats.journal.JournalReader;
import io.tapswitch.formats.journal.JournalRecord;
import io.tapswitch.switching.journal.JournalReplay;
import io.tapswitch.switching.journal.JournalWriter;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The journal's TAP record of version 3 (issue 14) holds the usage counter its decision read (unit, period), so that a
 * replay by effects applies it without looking up the card and its holder; records of version 2 (88 bytes, what the
 * switch wrote before) must still replay. On a real Chronicle Queue in temp dirs, with mixed traffic decided in
 * journal batches of 1 to 150 requests (so that the replay reads batch excerpts in place and gathers small ones):
 * <ul>
 * <li>the engine writes every TAP as version 3, and recovery by effects and by deciding again (from a snapshot taken
 * half-way and from the whole journal) leaves the killed engine's tables; the admin's reader reads every record;</li>
 * <li>the same journal rewritten with every TAP as version 2 (the older switch's records) recovers to the same tables;
 * an engine that recovered it and decides on (appending version 3 records after the version 2 ones: an upgrade)
 * recovers again to its tables.</li>
 * </ul>
 */
class JournalRecordVersionsTest
{
    @TempDir
    Path live;
    @TempDir
    Path copies;

    @Test
    void shouldReplayVersion3RecordsToTheTablesTheDecisionsLeft()
    {
        final long seed = Long.getLong("tapswitch.seed", System.nanoTime());
        System.out.println("JournalRecordVersionsTest seed=" + seed);
        final TableDigest killed = driveAndKill(seed);

        final int[] versions = tapVersions(live);
        assertThat(versions[JournalRecord.VERSION_USAGE]).as("TAP records of version 3").isGreaterThan(2_000);
        assertThat(versions[JournalRecord.VERSION_CHECKSUMMED] + versions[JournalRecord.VERSION])
            .as("TAP records of an earlier version").isZero();
        assertThat(excerptSizes(live)).as("batch excerpts (replayed in place) and small ones (gathered)")
            .anySatisfy(records -> assertThat(records).isGreaterThanOrEqualTo(EngineRecovery.IN_PLACE_MIN_RECORDS))
            .anySatisfy(records -> assertThat(records).isLessThan(EngineRecovery.IN_PLACE_MIN_RECORDS));
        final long lastSequence;
        try (Engine e = open(copy(live, "sequence"), true, false))
        {
            lastSequence = e.digest().sequence();
        }
        assertThat(adminReaderSequences(live)).as("the admin's reader reads every record, in order")
            .isEqualTo(lastSequence);

        for (final boolean fromSnapshot : new boolean[] {true, false})
        {
            assertRecovers(live, killed, fromSnapshot);
        }
    }

    @Test
    void shouldReplayVersion2RecordsOfAnEarlierSwitchAndThenTheNewOnes()
    {
        final long seed = Long.getLong("tapswitch.seed", System.nanoTime());
        System.out.println("JournalRecordVersionsTest seed=" + seed);
        final TableDigest killed = driveAndKill(seed);
        final Path old = copies.resolve("version2");
        rewriteAsVersion2(live, old);
        final int[] versions = tapVersions(old);
        assertThat(versions[JournalRecord.VERSION_CHECKSUMMED]).as("TAP records of version 2").isGreaterThan(2_000);
        assertThat(versions[JournalRecord.VERSION_USAGE]).isZero();
        assertThat(adminReaderSequences(old)).isEqualTo(adminReaderSequences(live));

        // the whole journal: the snapshots' journal indexes belong to the original queue
        assertRecovers(old, killed, false);

        // an upgraded switch decides on after the old records: version 3 records after version 2 ones
        final Harness upgraded = new Harness(config(copy(old, "upgraded"), false, false));
        final TableDigest upgradedKilled;
        try
        {
            ReplayByEffectsTest.drive(upgraded, new SplittableRandom(seed + 1), 1_500, false, true);
            upgradedKilled = upgraded.engine.digest();
        }
        finally
        {
            upgraded.abandonEngine();
        }
        final Path mixed = copies.resolve("upgraded");
        final int[] mixedVersions = tapVersions(mixed);
        assertThat(mixedVersions[JournalRecord.VERSION_CHECKSUMMED]).isEqualTo(versions[JournalRecord.VERSION_CHECKSUMMED]);
        assertThat(mixedVersions[JournalRecord.VERSION_USAGE]).isGreaterThan(500);
        assertRecovers(mixed, upgradedKilled, false);
    }

    /** A version 3 TAP must be at least 96 bytes: a shorter one is broken framing, whatever its checksum. */
    @Test
    void shouldRefuseAVersion3TapShorterThanItsLayout()
    {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[JournalRecord.TAP_USAGE_LENGTH]);
        io.tapswitch.formats.journal.JournalEncoder.tapWithUsage(b, 7, 1_000, 3, 4, 5, 6, 7, 0, 9, 1, 0, 0, 0, 4, 1, 1_000,
            12, 20_000);
        JournalChecksum.seal(b, 0, JournalRecord.TAP_USAGE_LENGTH);
        assertThat(JournalExcerpt.recordLength(b, 0, JournalRecord.TAP_USAGE_LENGTH))
            .isEqualTo(JournalRecord.TAP_USAGE_LENGTH);
        final JournalDecoder d = new JournalDecoder().wrap(b, 0, JournalRecord.TAP_USAGE_LENGTH);
        assertThat(d.hasUsage()).isTrue();
        assertThat(d.usageUnit()).isEqualTo(12);
        assertThat(d.usagePeriod()).isEqualTo(20_000);
        assertThat(d.version()).isEqualTo(JournalRecord.VERSION_USAGE);

        b.putInt(JournalRecord.RECORD_LENGTH_OFFSET, JournalRecord.TAP_LENGTH, ByteOrder.LITTLE_ENDIAN);
        JournalChecksum.seal(b, 0, JournalRecord.TAP_LENGTH);
        assertThat(JournalExcerpt.recordLength(b, 0, JournalRecord.TAP_LENGTH)).isEqualTo(JournalExcerpt.MALFORMED);
    }

    private TableDigest driveAndKill(final long seed)
    {
        final Harness h = new Harness(live).demo(600, 20);
        try
        {
            final int[] outcomes = ReplayByEffectsTest.drive(h, new SplittableRandom(seed), 5_000, true, true);
            assertThat(outcomes[0]).as("approved").isGreaterThan(200);
            assertThat(outcomes[1]).as("quota exhausted").isGreaterThan(40);
            return h.engine.digest();
        }
        finally
        {
            h.abandonEngine();
        }
    }

    private void assertRecovers(final Path dataDir, final TableDigest expected, final boolean fromSnapshot)
    {
        final String name = dataDir.getFileName() + "-" + fromSnapshot;
        try (Engine effects = open(copy(dataDir, "effects-" + name), false, fromSnapshot);
            Engine verify = open(copy(dataDir, "verify-" + name), true, fromSnapshot))
        {
            assertThat(effects.replayedRecords()).as("records replayed, " + name).isGreaterThan(1_000);
            assertThat(verify.replayedRecords()).isEqualTo(effects.replayedRecords());
            assertThat(verify.replayMismatches()).as("verify mode: decided again, same results, " + name).isZero();
            assertThat(effects.replayMismatches()).isZero();
            assertThat(effects.digest()).as("effects, " + name).isEqualTo(expected);
            assertThat(verify.digest()).as("verify, " + name).isEqualTo(expected);
        }
    }

    private static EngineConfig config(final Path dataDir, final boolean verify, final boolean fromSnapshot)
    {
        return new EngineConfig().dataDir(dataDir).snapshotIntervalMs(0).replayVerify(verify)
            .loadSnapshot(fromSnapshot);
    }

    private static Engine open(final Path dataDir, final boolean verify, final boolean fromSnapshot)
    {
        return Engine.open(config(dataDir, verify, fromSnapshot));
    }

    /** @return TAP records per version (index 1, 2, 3) in the journal of a data directory. */
    private static int[] tapVersions(final Path dataDir)
    {
        final int[] versions = new int[4];
        try (JournalReader reader = new JournalReader(dataDir))
        {
            while (reader.poll((index, r) ->
            {
                if (r.type() == JournalRecord.TYPE_TAP)
                {
                    versions[r.version()]++;
                }
            }, 10_000) > 0)
            {
                // read on
            }
        }
        return versions;
    }

    /** @return the number of records of each excerpt of the journal. */
    private static List<Integer> excerptSizes(final Path dataDir)
    {
        final List<Integer> sizes = new ArrayList<>();
        try (var queue = Queues.openJournal(dataDir, false))
        {
            JournalReplay.readExcerpts(queue, -1, (index, buffer, length) ->
                sizes.add(JournalExcerpt.countRecords(buffer, 0, length)));
        }
        return sizes;
    }

    /** @return the last sequence the admin's reader read, having checked that sequences go 1, 2, 3 … */
    private static long adminReaderSequences(final Path dataDir)
    {
        final long[] last = {0};
        try (JournalReader reader = new JournalReader(dataDir))
        {
            while (reader.poll((index, r) ->
            {
                assertThat(r.sequence()).isEqualTo(last[0] + 1);
                last[0] = r.sequence();
            }, 10_000) > 0)
            {
                // read on
            }
        }
        return last[0];
    }

    /**
     * Writes the journal of {@code from} into {@code to} as the switch wrote it before version 3: every TAP record cut
     * to its first 88 bytes and sealed as version 2, every other record as it was, excerpt by excerpt; the commands
     * queue and the snapshots copied.
     */
    private static void rewriteAsVersion2(final Path from, final Path to)
    {
        copyTree(from, to, Queues.journalDir(from));
        try (var source = Queues.openJournal(from, false); JournalWriter writer = JournalWriter.open(to, false, null))
        {
            JournalReplay.readExcerpts(source, -1, (index, buffer, length) ->
            {
                writer.beginBatch();
                for (int at = 0; at < length; at += JournalExcerpt.checkedLength(buffer, at))
                {
                    final int recordLength = JournalExcerpt.checkedLength(buffer, at);
                    final boolean tap = buffer.getByte(at + JournalRecord.TYPE_OFFSET) == JournalRecord.TYPE_TAP;
                    final int newLength = tap ? JournalRecord.TAP_LENGTH : recordLength;
                    writer.buffer().putBytes(0, buffer, at, newLength);
                    writer.buffer().putInt(JournalRecord.RECORD_LENGTH_OFFSET, newLength, ByteOrder.LITTLE_ENDIAN);
                    writer.buffer().putByte(JournalRecord.VERSION_OFFSET, (byte)JournalRecord.VERSION);
                    writer.append(newLength);
                }
                writer.endBatch();
            });
        }
    }

    private Path copy(final Path dataDir, final String name)
    {
        final Path target = copies.resolve(name);
        copyTree(dataDir, target, null);
        return target;
    }

    private static void copyTree(final Path from, final Path to, final Path except)
    {
        try (Stream<Path> paths = Files.walk(from))
        {
            for (final Path source : (Iterable<Path>)paths::iterator)
            {
                if (null != except && source.startsWith(except))
                {
                    continue;
                }
                final Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source))
                {
                    Files.createDirectories(target);
                }
                else
                {
                    Files.copy(source, target);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
