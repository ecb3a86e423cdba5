package io.tapswitch.bench.arch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;

import io.tapswitch.admin.arch.LongSourceFilesTest;
import org.junit.jupiter.api.Test;

/**
 * No main source file of the bench over 800 lines without the reason written at its top (the rule of
 * {@link LongSourceFilesTest}, from the admin's test-jar).
 */
class BenchSourceFilesTest
{
    @Test
    void shouldKeepEveryLongMainSourceFileExplained() throws IOException
    {
        assertThat(LongSourceFilesTest.unexplained(Path.of("src/main/java")))
            .as("main source files over " + LongSourceFilesTest.MAX_LINES + " lines without '" +
                LongSourceFilesTest.REASON + "' at the top").isEmpty();
    }
}
