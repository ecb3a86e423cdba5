package io.tapswitch.switching.engine;

import static io.tapswitch.switching.engine.Harness.kyiv;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.tapswitch.formats.Queues;
import io.tapswitch.formats.command.CommandEncoder;
import io.tapswitch.formats.command.CardStatus;
import org.junit.jupiter.api.Test;

/** Writes a snapshot of this build's version with the state a test can rebuild, and what it decides after it. */
class SnapshotFixtureWriter
{
    static final long NOW = kyiv(2026, 11, 23, 12, 0);

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
            h.reversal(NOW + 2_000_000L + i, 1 + (i % 12), 100_000 + i, 1 + i * 12 + (i % 12), 1000001 + ((i * 12 + (i % 12)) * 7L) % 3_000);
        }
    }

    static List<String> after(final Harness h)
    {
        final List<String> results = new ArrayList<>();
        int correlation = 200_000;
        for (int i = 0; i < 600; i++)
        {
            final long card = 1000001 + (i * 13L) % 3_100;
            results.add(h.tap(NOW + 3_000_000L + i * 500L, 1 + (i % 12), correlation++, card, i % 4 == 0 ? 0 : 1 + (i % 5), 1).toString());
        }
        for (int i = 0; i < 40; i++)
        {
            results.add(h.tap(NOW + 3_500_000L, 1 + (i % 12), 1 + i, 1000001 + (i * 7L) % 3_000, i % 3 == 0 ? 0 : 1 + (i % 5), 1 + (i % 2)).toString());
        }
        return results;
    }

    static EngineConfig config(final Path dir)
    {
        return new EngineConfig().dataDir(dir).snapshotIntervalMs(0).cardCapacity(2048).holderCapacity(2048)
            .householdCapacity(1024).idempotencyCapacity(1024).nonceCapacity(1024);
    }

    @Test
    void write() throws Exception
    {
        final Path out = Path.of(System.getProperty("fixture.out", "/tmp/a-work/fixture"));
        Files.createDirectories(out);
        final Path dir = out.resolve("data");
        Files.createDirectories(dir);
        final Harness h = new Harness(config(dir));
        build(h);
        final TableDigest digest = h.engine.digest();
        h.close();
        final Path snapshot;
        try (Stream<Path> files = Files.list(Queues.snapshotsDir(dir)))
        {
            snapshot = files.filter(p -> p.toString().endsWith(".bin")).sorted().reduce((a, b) -> b).orElseThrow();
        }
        final Path fresh = out.resolve("check");
        new ProcessBuilder("cp", "-a", dir.toString(), fresh.toString()).inheritIO().start().waitFor();
        final Harness h2 = new Harness(config(dir));
        final List<String> results = after(h2);
        h2.close();
        Files.writeString(out.resolve("digest.txt"), digest.toString() + "\n");
        Files.write(out.resolve("after.txt"), results);
        // the snapshot alone, its journal and command queue positions cleared (-1: from their start) and its CRC32C
        // recomputed, so that it loads into an empty data directory
        final byte[] bytes = Files.readAllBytes(snapshot);
        final java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(28, -1L);
        b.putLong(36, -1L);
        final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(bytes, 0, bytes.length - 8);
        b.putLong(bytes.length - 8, crc.getValue());
        Files.write(out.resolve("snapshot-v3.bin"), bytes);
        final Path alone = out.resolve("alone");
        Files.createDirectories(Queues.snapshotsDir(alone));
        Files.write(Queues.snapshotsDir(alone).resolve(snapshot.getFileName()), bytes);
        final Harness g = new Harness(config(alone));
        final TableDigest loaded = g.engine.digest();
        final List<String> again = after(g);
        g.close();
        if (!loaded.equals(digest) || !again.equals(results))
        {
            throw new AssertionError("fresh load differs: " + loaded + " vs " + digest);
        }
        System.out.println("fixture " + snapshot.getFileName() + " " + Files.size(snapshot) + " bytes; " + digest);
    }
}
