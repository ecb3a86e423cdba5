package io.tapswitch.switching;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The shape of the switch, checked on its compiled classes (ArchUnit): packages follow the data — {@code net}
 * (Netty, sessions, frames) → {@code cluster} (the replicated switch: front end and clustered service, in place of the
 * engine thread) → {@code pipeline} (the engine thread's duty cycle, batches, the commit stage, release
 * to the event loops) → {@code engine} (decisions and tables) → {@code journal} / {@code snapshot} — with
 * {@code metrics} beside the pipeline; no package depends on one above it, no two packages depend on each other,
 * and the shared {@code formats} module knows nothing of the switch. One seam decides when an answer is durable: the
 * {@code pipeline.CommitStage}, implemented by the single node's {@code EngineAgent} (with a {@code LocalCommit}:
 * written, or group commit with {@code fdatasync}) and the replicated switch's {@code ClusterFrontEnd}. Also: no main
 * source file over 800 lines without the reason written at its top.
 */
class ArchitectureTest
{
    private static final String ROOT = "io.tapswitch.switching";
    private static final JavaClasses SWITCH = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages(ROOT, "io.tapswitch.formats");

    @Test
    void shouldHaveNoPackageCycles()
    {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(SWITCH);
        slices().matching("io.tapswitch.formats.(*)..").should().beFreeOfCycles().check(SWITCH);
    }

    @Test
    void shouldKeepThePipelineBelowTheNetwork()
    {
        noClasses().that().resideInAPackage(ROOT + ".pipeline..")
            .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".net..", "io.netty..")
            .because("the pipeline hands answers to the event loops through rings, not through Netty")
            .check(SWITCH);
    }

    @Test
    void shouldKeepTheClusterBetweenTheNetworkAndThePipeline()
    {
        // net -> cluster -> pipeline -> engine: the replicated switch's front end and service take the place of the
        // engine thread, never the place of Netty
        noClasses().that().resideInAPackage(ROOT + ".cluster..")
            .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".net..", ROOT + ".config..", "io.netty..")
            .because("requests reach the cluster through the rings, not through Netty")
            .check(SWITCH);
        noClasses().that().resideInAnyPackage(ROOT + ".pipeline..", ROOT + ".engine..", ROOT + ".journal..",
                ROOT + ".snapshot..", ROOT + ".metrics..")
            .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".cluster..", "io.aeron..")
            .because("the single-node switch and the engine know nothing of the cluster")
            .check(SWITCH);
    }

    @Test
    void shouldDecideWhenAnAnswerIsDurableBehindTheOneCommitStage()
    {
        classes().that().implement(ROOT + ".pipeline.CommitStage")
            .should().haveFullyQualifiedName(ROOT + ".pipeline.EngineAgent")
            .orShould().haveFullyQualifiedName(ROOT + ".cluster.ClusterFrontEnd")
            .because("the commit stages are the ones switch/JOURNAL.md names (\"The commit path\")")
            .check(SWITCH);
        classes().that().implement(ROOT + ".pipeline.LocalCommit")
            .should().haveFullyQualifiedName(ROOT + ".pipeline.LocalGroupCommit")
            .orShould().beAnonymousClasses()
            .because("a local commit is none (LocalCommit.WRITTEN) or fdatasync (LocalGroupCommit)")
            .check(SWITCH);
        assertThat(SWITCH.get(ROOT + ".pipeline.CommitStage").getAllSubclasses()).as("commit stages")
            .extracting(c -> c.getSimpleName()).containsExactlyInAnyOrder("EngineAgent", "ClusterFrontEnd");
    }

    @Test
    void shouldKeepMetricsOutOfTheNetworkAndThePipeline()
    {
        noClasses().that().resideInAPackage(ROOT + ".metrics..")
            .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".net..", ROOT + ".pipeline..")
            .check(SWITCH);
    }

    @Test
    void shouldKeepTheEngineFreeOfNetworkPipelineAndMetrics()
    {
        noClasses().that().resideInAPackage(ROOT + ".engine..")
            .should().dependOnClassesThat().resideInAnyPackage(
                ROOT + ".net..", ROOT + ".pipeline..", ROOT + ".metrics..", ROOT + ".config..", "io.netty..",
                "net.openhft..")
            .because("a decision is made on plain buffers, whatever carries the frames or stores the journal")
            .check(SWITCH);
    }

    @Test
    void shouldKeepJournalAndSnapshotBelowTheEngine()
    {
        noClasses().that().resideInAnyPackage(ROOT + ".journal..", ROOT + ".snapshot..")
            .should().dependOnClassesThat().resideInAnyPackage(
                ROOT + ".engine..", ROOT + ".net..", ROOT + ".pipeline..", ROOT + ".metrics..", ROOT + ".config..",
                "io.netty..")
            .check(SWITCH);
        noClasses().that().resideInAPackage(ROOT + ".journal..")
            .should().dependOnClassesThat().resideInAPackage(ROOT + ".snapshot..")
            .check(SWITCH);
        noClasses().that().resideInAPackage(ROOT + ".snapshot..")
            .should().dependOnClassesThat().resideInAPackage(ROOT + ".journal..")
            .check(SWITCH);
    }

    @Test
    void shouldKeepTheSharedFormatsFreeOfTheSwitch()
    {
        noClasses().that().resideInAPackage("io.tapswitch.formats..")
            .should().dependOnClassesThat().resideInAnyPackage(ROOT + "..", "io.netty..")
            .because("the admin depends on formats and must never depend on the engine")
            .check(SWITCH);
    }

    @Test
    void shouldKeepEveryLongMainSourceFileExplained() throws IOException
    {
        final List<String> unexplained = new ArrayList<>();
        for (final Path root : List.of(Path.of("src/main/java"), Path.of("../formats/src/main/java")))
        {
            try (Stream<Path> files = Files.walk(root))
            {
                for (final Path file : (Iterable<Path>)files.filter(f -> f.toString().endsWith(".java"))::iterator)
                {
                    final List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                    final boolean explained = lines.stream().limit(60).anyMatch(l -> l.contains("Why this file is long:"));
                    if (lines.size() > 800 && !explained)
                    {
                        unexplained.add(file + " (" + lines.size() + " lines)");
                    }
                }
            }
        }
        assertThat(unexplained).as("main source files over 800 lines without 'Why this file is long:' at the top")
            .isEmpty();
    }
}
