package io.tapswitch.bench.jmh;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;

import io.tapswitch.bench.JvmFlags;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./tapswitch bench jmh [regex] [--json FILE] [--quick]}: runs the JMH suite of {@code io.tapswitch.bench.jmh}
 * with fixed forks, warm-up and measurement, the GC profiler (allocation per operation) and the JVM flags the
 * switch needs, and writes the results as JSON.
 */
@Command(
    name = "jmh",
    mixinStandardHelpOptions = true,
    description = "Run the JMH suite (codecs, frame decoder, handoff ring, engine, journal, snapshot, replay).")
public final class JmhCommand implements Callable<Integer>
{
    /**
     * Full run: forks, warm-up and measurement iterations come from each benchmark class's annotations (1 fork;
     * 2 + 3 iterations for codecs and the frame decoder, 3 + 5 for the handoff ring, journal and engine, 1 + 3
     * single shots for snapshots and replay); iterations last 1 s.
     */
    public static final int ITERATION_SECONDS = 1;
    public static final int QUICK_WARMUP_ITERATIONS = 1;
    public static final int QUICK_MEASUREMENT_ITERATIONS = 2;

    private static final String PACKAGE_PREFIX = "io.tapswitch.bench.jmh.";

    @Parameters(index = "0", arity = "0..1", paramLabel = "REGEX",
        description = "benchmarks to run (regex on the fully qualified method name); default all")
    private String regex;

    @Option(names = "--json", paramLabel = "FILE", description = "JSON results file (default: ${DEFAULT-VALUE})")
    private Path jsonFile = Path.of("bench", "results", "jmh.json");

    @Option(names = "--quick", description = "development run: 1 fork, 1 warm-up and 2 measurement iterations of 1 s")
    private boolean quick;

    @Option(names = "--no-gc-profiler", description = "leave out -prof gc (allocation per op)")
    private boolean noGcProfiler;

    @Option(names = "--cards", paramLabel = "N",
        description = "demo cards of the engine, snapshot and replay benchmarks (default: their @Param, 10 000 000)")
    private Integer cards;

    @Option(names = "--param", paramLabel = "NAME=V1[,V2…]",
        description = "values of a benchmark @Param, each measured in the same run (repeatable), e.g. " +
            "journalPretouch=false,true")
    private List<String> params = new ArrayList<>();

    @Option(names = "--prof", paramLabel = "NAME[:OPTS]",
        description = "an extra JMH profiler by name, e.g. stack, jfr, perfnorm (repeatable)")
    private List<String> profilers = new ArrayList<>();

    @Option(names = "--tmpdir", paramLabel = "DIR",
        description = "java.io.tmpdir of the forks: where fixtures, journals and snapshots live (e.g. /dev/shm to " +
            "take the disk out of the engine figures); default the JVM's")
    private Path tmpDir;

    @Option(names = "--fork-jvm-arg", paramLabel = "ARG",
        description = "an extra JVM option of every fork, after the Chronicle flags (repeatable), e.g. " +
            "-XX:+UseTransparentHugePages")
    private List<String> forkJvmArgs = new ArrayList<>();

    @Option(names = "--list", description = "list the benchmarks the regex selects and exit")
    private boolean list;

    public Integer call() throws Exception
    {
        final String include = null == regex ? PACKAGE_PREFIX + ".*" :
            (regex.startsWith(PACKAGE_PREFIX) ? regex : PACKAGE_PREFIX + ".*" + regex + ".*");
        final Path parent = jsonFile.toAbsolutePath().getParent();
        if (null != parent)
        {
            Files.createDirectories(parent);
        }

        final ChainedOptionsBuilder builder = new OptionsBuilder()
            .include(include)
            .jvmArgsPrepend(forkFlags())
            .warmupTime(TimeValue.seconds(ITERATION_SECONDS))
            .measurementTime(TimeValue.seconds(ITERATION_SECONDS))
            .shouldFailOnError(true)
            .resultFormat(ResultFormatType.JSON)
            .result(jsonFile.toString());
        if (quick)
        {
            builder.forks(1)
                .warmupIterations(QUICK_WARMUP_ITERATIONS)
                .measurementIterations(QUICK_MEASUREMENT_ITERATIONS);
        }
        for (final String profiler : profilers)
        {
            final int colon = profiler.indexOf(':');
            if (colon < 0)
            {
                builder.addProfiler(profiler);
            }
            else
            {
                builder.addProfiler(profiler.substring(0, colon), profiler.substring(colon + 1));
            }
        }
        for (final String param : params)
        {
            final int equals = param.indexOf('=');
            if (equals <= 0 || equals == param.length() - 1)
            {
                throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--param wants NAME=V1[,V2…], got: " + param);
            }
            builder.param(param.substring(0, equals), param.substring(equals + 1).split(","));
        }
        if (null != cards)
        {
            builder.param("cards", cards.toString());
        }
        if (!noGcProfiler)
        {
            builder.addProfiler(GCProfiler.class);
        }

        final Runner runner = new Runner(builder.build());
        if (list)
        {
            runner.list();
            return 0;
        }

        final Collection<RunResult> results = runner.run();
        System.out.println("tapswitch bench jmh: " + results.size() + " benchmark(s), results in " + jsonFile);
        return results.isEmpty() ? 1 : 0;
    }

    private String[] forkFlags()
    {
        final List<String> flags = new ArrayList<>(JvmFlags.flags());
        if (null != tmpDir)
        {
            flags.add("-Djava.io.tmpdir=" + tmpDir.toAbsolutePath());
        }
        flags.addAll(forkJvmArgs);
        return flags.toArray(new String[0]);
    }
}
