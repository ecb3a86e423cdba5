package io.tapswitch.admin.arch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * No main source file of the admin over 800 lines without the reason written at its top (issue 13: the switch's
 * {@code ArchitectureTest} holds the same rule for the switch and formats; the bench module's
 * {@code BenchSourceFilesTest} uses {@link #unexplained} for the bench).
 */
public class LongSourceFilesTest
{
    /** Lines a main source file may have without a reason at its top. */
    public static final int MAX_LINES = 800;
    /** What the reason starts with, within the first 60 lines. */
    public static final String REASON = "Why this file is long:";

    /**
     * @param root a source root (e.g. {@code src/main/java}).
     * @return the Java files under it longer than {@link #MAX_LINES} without {@link #REASON} in their first 60
     * lines, each with its line count.
     */
    public static List<String> unexplained(final Path root) throws IOException
    {
        assertThat(root).as("source root (tests run in the module's directory)").isDirectory();
        final List<String> unexplained = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root))
        {
            for (final Path file : (Iterable<Path>)files.filter(f -> f.toString().endsWith(".java"))::iterator)
            {
                final List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                final boolean explained = lines.stream().limit(60).anyMatch(l -> l.contains(REASON));
                if (lines.size() > MAX_LINES && !explained)
                {
                    unexplained.add(file + " (" + lines.size() + " lines)");
                }
            }
        }
        return unexplained;
    }

    @Test
    void shouldKeepEveryLongMainSourceFileExplained() throws IOException
    {
        assertThat(unexplained(Path.of("src/main/java")))
            .as("main source files over " + MAX_LINES + " lines without '" + REASON + "' at the top").isEmpty();
    }

    @Test
    void shouldFindALongFileWithoutItsReason(@org.junit.jupiter.api.io.TempDir final Path dir) throws IOException
    {
        final List<String> lines = new ArrayList<>();
        for (int i = 0; i <= MAX_LINES; i++)
        {
            lines.add("// line " + i);
        }
        Files.write(dir.resolve("Long.java"), lines, StandardCharsets.UTF_8);
        Files.write(dir.resolve("Short.java"), lines.subList(0, MAX_LINES), StandardCharsets.UTF_8);
        lines.set(3, "/* " + REASON + " a generated table. */");
        Files.write(dir.resolve("Explained.java"), lines, StandardCharsets.UTF_8);
        assertThat(unexplained(dir)).singleElement().asString().endsWith("Long.java (801 lines)");
    }
}
