package io.tapswitch.bench.load;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./tapswitch bench jfr FILE [--requests N]}: the summary {@code bench load --jfr} prints, for any recording
 * (e.g. one from {@code bench jmh --prof jfr}).
 */
@Command(
    name = "jfr",
    mixinStandardHelpOptions = true,
    description = "Summarise a JFR recording: top frames, CPU and allocation per thread, GC pauses.")
public final class JfrCommand implements Callable<Integer>
{
    @Parameters(index = "0", paramLabel = "FILE", description = "the .jfr recording")
    private Path file;

    @Option(names = "--requests", paramLabel = "N",
        description = "requests handled while recording (for bytes per request)")
    private long requests = 1;

    public Integer call() throws Exception
    {
        System.out.println(JfrSummary.read(file).markdown(requests));
        return 0;
    }
}
