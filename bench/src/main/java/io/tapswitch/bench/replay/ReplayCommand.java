package io.tapswitch.bench.replay;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.tapswitch.bench.JvmFlags;
import io.tapswitch.bench.load.LoadReport;
import io.tapswitch.formats.Queues;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./tapswitch bench replay}: restart time and memory of the switch engine with {@code --cards} demo cards and a
 * journal of {@code --taps} TAP decisions, each restart in a cold child JVM ({@link RestartProbe}) as an operator would
 * see it: (1) from the snapshot that covers everything, (2) from the snapshot taken before the taps, replaying them,
 * (3) with no snapshot, replaying the whole journal (provisioning commands + taps). Memory per card: heap (after full
 * GC) and direct memory used after the restart from the snapshot minus before, divided by the cards.
 */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = "Restart time (snapshot / snapshot + replay / full replay) and memory per card of the engine.")
public final class ReplayCommand implements Callable<Integer>
{
    @Option(names = "--cards", paramLabel = "N", description = "demo cards (default: ${DEFAULT-VALUE})")
    private int cards = 10_000_000;

    @Option(names = "--taps", paramLabel = "N",
        description = "TAP decisions in the journal after the first snapshot (default: ${DEFAULT-VALUE})")
    private int taps = 10_000_000;

    @Option(names = "--heap", paramLabel = "SIZE", description = "heap of the child JVMs (default: ${DEFAULT-VALUE})")
    private String heap = "8g";

    @Option(names = "--out", paramLabel = "DIR",
        description = "where replay.md and replay.json go (default: ${DEFAULT-VALUE})")
    private Path outDir = Path.of("bench", "results", "replay");

    public Integer call() throws Exception
    {
        Files.createDirectories(outDir);
        final String startedAt = Instant.now().toString();
        System.out.println("tapswitch bench replay: " + cards + " cards, " + taps + " taps; load " +
            LoadReport.loadAverage());
        final Map<String, String> build = probe("build", List.of("build", Integer.toString(cards),
            Integer.toString(taps)));
        final Path data = Path.of(build.get("fixture")).resolve("data");
        System.out.println("fixture " + build);

        final List<Path> snapshots = snapshots(data);
        if (snapshots.size() < 2 && taps > 0)
        {
            throw new IllegalStateException("expected a snapshot before and one after the taps in " + data);
        }
        final Path newest = snapshots.get(snapshots.size() - 1);
        final long journalBytes = sizeOf(Queues.journalDir(data));
        final long snapshotBytes = Files.size(newest);

        final String loadFull = LoadReport.loadAverage();
        final Map<String, String> fromSnapshot = probe("restart-snapshot", restartArgs(data, true));
        System.out.println("restart from the newest snapshot: " + fromSnapshot);

        final Map<String, String> snapshotAndReplay;
        final Map<String, String> snapshotAndVerify;
        final Map<String, String> snapshotAndReplayAgain;
        final Path hidden = newest.resolveSibling(newest.getFileName() + ".hidden");
        Files.move(newest, hidden);
        try
        {
            snapshotAndReplay = probe("restart-snapshot-replay", restartArgs(data, true));
            final List<String> verifyArgs = new java.util.ArrayList<>(restartArgs(data, true));
            verifyArgs.add("verify");
            snapshotAndVerify = probe("restart-snapshot-replay-verify", verifyArgs);
            // effects once more, after verify: the first replay of a command may read the journal from the disk,
            // the next ones from the page cache; this pair (verify, effects) is read with the same cache
            snapshotAndReplayAgain = probe("restart-snapshot-replay-again", restartArgs(data, true));
        }
        finally
        {
            Files.move(hidden, newest);
        }
        System.out.println("restart from the snapshot before the taps + replay: " + snapshotAndReplay);
        System.out.println("the same, replay=verify (every TAP decided again and compared): " + snapshotAndVerify);
        System.out.println("effects again, after verify: " + snapshotAndReplayAgain);

        final Map<String, String> fullReplay = probe("restart-full-replay", restartArgs(data, false));
        System.out.println("restart replaying the whole journal: " + fullReplay);

        final Map<String, String> memory = probe("memory", List.of("memory", Integer.toString(cards)));
        System.out.println("memory of the cards and entitlements: " + memory);
        fromSnapshot.put("memoryHeapBeforeBytes", memory.get("heapBeforeBytes"));
        fromSnapshot.put("memoryHeapAfterBytes", memory.get("heapAfterBytes"));
        fromSnapshot.put("memoryDirectBeforeBytes", memory.get("directBeforeBytes"));
        fromSnapshot.put("memoryDirectAfterBytes", memory.get("directAfterBytes"));

        final String markdown = markdown(startedAt, build, journalBytes, snapshotBytes, fromSnapshot,
            snapshotAndReplay, snapshotAndVerify, snapshotAndReplayAgain, fullReplay, loadFull);
        Files.writeString(outDir.resolve("replay.md"), markdown, StandardCharsets.UTF_8);
        Files.writeString(outDir.resolve("replay.json"), json(startedAt, build, journalBytes, snapshotBytes,
            fromSnapshot, snapshotAndReplay, snapshotAndVerify, snapshotAndReplayAgain, fullReplay),
            StandardCharsets.UTF_8);
        System.out.println();
        System.out.println(markdown);
        return Long.parseLong(fullReplay.get("replayMismatches")) == 0 &&
            Long.parseLong(snapshotAndReplay.get("replayMismatches")) == 0 &&
            Long.parseLong(snapshotAndVerify.get("replayMismatches")) == 0 &&
            Long.parseLong(snapshotAndReplayAgain.get("replayMismatches")) == 0 ? 0 : 1;
    }

    private List<String> restartArgs(final Path data, final boolean loadSnapshot)
    {
        return List.of("restart", data.toString(), Integer.toString(cards), Boolean.toString(loadSnapshot));
    }

    private String markdown(
        final String startedAt,
        final Map<String, String> build,
        final long journalBytes,
        final long snapshotBytes,
        final Map<String, String> fromSnapshot,
        final Map<String, String> snapshotAndReplay,
        final Map<String, String> snapshotAndVerify,
        final Map<String, String> snapshotAndReplayAgain,
        final Map<String, String> fullReplay,
        final String load)
    {
        final StringBuilder sb = new StringBuilder(2048);
        sb.append("## Restart and memory\n\n");
        sb.append(String.format(Locale.ROOT,
            "Started %s; %s demo cards (%s entitlements), %d TAP decisions journaled " +
            "after the first snapshot; journal %.1f MB, newest snapshot %.1f MB; child JVMs -Xmx%s " +
            "-XX:+UseParallelGC; load avg %s.%n%n", startedAt, build.get("cards"), build.get("entitlements"), taps,
            journalBytes / 1e6, snapshotBytes / 1e6, heap, load));
        sb.append(String.format(Locale.ROOT, "Building the fixture (once, cached): publish %s commands %s ms, apply " +
            "them %s ms, snapshot %s ms (%s bytes), %s taps decided and journaled in %s ms (%.2f M/s).%n%n",
            build.get("commands"), build.get("publishMs"), build.get("applyMs"), build.get("snapshotMs"),
            build.get("snapshotBytes"), build.get("taps"), build.get("tapsMs"),
            rate(Long.parseLong(build.get("taps")), Long.parseLong(build.get("tapsMs")))));
        sb.append("| restart | Engine.open ms | of which replay ms | records replayed | replay M records/s | " +
            "JVM start to ready ms |\n");
        sb.append("|---|---:|---:|---:|---:|---:|\n");
        row(sb, "newest snapshot (covers everything)", fromSnapshot);
        row(sb, "snapshot before the taps + replay of the taps (effects applied, the default)", snapshotAndReplay);
        row(sb, "the same with replay=verify (every TAP decided again and compared)", snapshotAndVerify);
        row(sb, "effects again, after verify (the same page cache as verify)", snapshotAndReplayAgain);
        row(sb, "no snapshot: the whole journal (commands + taps)", fullReplay);
        final double verifyMs = Double.parseDouble(snapshotAndVerify.get("replayMs"));
        sb.append(String.format(Locale.ROOT, "%nEffects replay speed over the verify replay (verify ms / effects ms): " +
            "%.2f× before verify ran, %.2f× after it.%n", verifyMs / Double.parseDouble(snapshotAndReplay.get("replayMs")),
            verifyMs / Double.parseDouble(snapshotAndReplayAgain.get("replayMs"))));
        sb.append("\nReplay: the time Engine.open spent reading and replaying the journal after the snapshot load " +
            "(Engine.replayNanos); without a snapshot it includes applying the provisioning commands (building every " +
            "table from scratch).\n");
        final long cardsLoaded = Long.parseLong(fromSnapshot.get("cards"));
        final long heapDelta = Long.parseLong(fromSnapshot.get("memoryHeapAfterBytes")) -
            Long.parseLong(fromSnapshot.get("memoryHeapBeforeBytes"));
        final long directDelta = Long.parseLong(fromSnapshot.get("memoryDirectAfterBytes")) -
            Long.parseLong(fromSnapshot.get("memoryDirectBeforeBytes"));
        final long restartDelta = Long.parseLong(fromSnapshot.get("heapAfterBytes")) -
            Long.parseLong(fromSnapshot.get("heapBeforeBytes"));
        sb.append(String.format(Locale.ROOT, "%nMemory of the cards with their entitlements (a cold JVM opening the " +
            "snapshot of the fixture without taps, the idempotency table at its default start size): heap +%.1f MB, " +
            "direct +%.1f MB for %d cards and %s entitlements: **%.1f bytes per card**. After the restart from the " +
            "newest snapshot above (the idempotency table sized for a busy day and holding the last 24 h of taps): " +
            "heap +%.1f MB.%n",
            heapDelta / 1e6, directDelta / 1e6, cardsLoaded, fromSnapshot.get("entitlements"),
            (heapDelta + directDelta) / (double)Math.max(1, cardsLoaded), restartDelta / 1e6));
        return sb.toString();
    }

    private static void row(final StringBuilder sb, final String name, final Map<String, String> r)
    {
        final long openMs = Long.parseLong(r.get("openMs"));
        final long replayMs = Long.parseLong(r.get("replayMs"));
        final long replayed = Long.parseLong(r.get("replayedRecords"));
        sb.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %s | %s |%n", name, openMs, replayMs, replayed,
            replayed > 0 ? String.format(Locale.ROOT, "%.2f", rate(replayed, replayMs)) : "-",
            r.get("jvmUptimeMs")));
    }

    private static double rate(final long count, final long ms)
    {
        return ms <= 0 ? Double.NaN : count / (ms / 1e3) / 1e6;
    }

    private String json(
        final String startedAt,
        final Map<String, String> build,
        final long journalBytes,
        final long snapshotBytes,
        final Map<String, String> fromSnapshot,
        final Map<String, String> snapshotAndReplay,
        final Map<String, String> snapshotAndVerify,
        final Map<String, String> snapshotAndReplayAgain,
        final Map<String, String> fullReplay)
    {
        return "{\n  \"startedAt\": \"" + startedAt + "\",\n  \"cards\": " + cards + ",\n  \"taps\": " + taps +
            ",\n  \"journalBytes\": " + journalBytes + ",\n  \"snapshotBytes\": " + snapshotBytes +
            ",\n  \"build\": " + json(build) + ",\n  \"restartFromSnapshot\": " + json(fromSnapshot) +
            ",\n  \"restartFromSnapshotAndReplay\": " + json(snapshotAndReplay) +
            ",\n  \"restartFromSnapshotAndReplayVerify\": " + json(snapshotAndVerify) +
            ",\n  \"restartFromSnapshotAndReplayAgain\": " + json(snapshotAndReplayAgain) +
            ",\n  \"restartFullReplay\": " + json(fullReplay) + "\n}\n";
    }

    private static String json(final Map<String, String> values)
    {
        return values.entrySet().stream()
            .map((e) -> "\"" + e.getKey() + "\": " + (e.getValue().matches("-?\\d+") ? e.getValue() :
                "\"" + e.getValue().replace("\\", "\\\\").replace("\"", "\\\"") + "\""))
            .collect(Collectors.joining(", ", "{", "}"));
    }

    private Map<String, String> probe(final String name, final List<String> args)
        throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JvmFlags.flags());
        command.add("-Xms" + heap);
        command.add("-Xmx" + heap);
        command.add("-XX:+UseParallelGC");
        // the fixture cache and the copies live where this JVM's were told to (JAVA_OPTS=-Djava.io.tmpdir=…)
        command.add("-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(RestartProbe.class.getName());
        command.addAll(args);
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final Path log = outDir.resolve(name + ".log");
        String result = null;
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            var out = Files.newBufferedWriter(log, StandardCharsets.UTF_8))
        {
            String line;
            while (null != (line = in.readLine()))
            {
                out.write(line);
                out.newLine();
                if (line.startsWith(RestartProbe.RESULT_PREFIX))
                {
                    result = line.substring(RestartProbe.RESULT_PREFIX.length());
                }
            }
        }
        final int exit = process.waitFor();
        if (null == result || exit != 0)
        {
            throw new IllegalStateException(name + " failed (exit " + exit + "); see " + log);
        }
        final Map<String, String> values = new LinkedHashMap<>();
        for (final String pair : result.trim().split("\\s+"))
        {
            final int eq = pair.indexOf('=');
            if (eq > 0)
            {
                values.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        return values;
    }

    private static List<Path> snapshots(final Path dataDir) throws IOException
    {
        try (Stream<Path> files = Files.list(Queues.snapshotsDir(dataDir)))
        {
            return files.filter((p) -> p.getFileName().toString().endsWith(".bin")).sorted()
                .collect(Collectors.toList());
        }
    }

    private static long sizeOf(final Path dir) throws IOException
    {
        try (Stream<Path> files = Files.walk(dir))
        {
            return files.filter(Files::isRegularFile).mapToLong((p) ->
            {
                try
                {
                    return Files.size(p);
                }
                catch (final IOException ex)
                {
                    return 0;
                }
            }).sum();
        }
    }
}
