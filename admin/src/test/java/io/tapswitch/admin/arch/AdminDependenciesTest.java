package io.tapswitch.admin.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.Test;

/**
 * The admin never depends on the switch (issue 13): its pom names no switch artifact, nothing of the switch is on
 * its classpath (not even for tests: end-to-end tests with a real switch live in the bench module), and no admin
 * class, main or test, refers to {@code io.tapswitch.switching}. The admin reads the switch's files through the
 * {@code formats} module only.
 */
class AdminDependenciesTest
{
    private static final String SWITCH_PACKAGE = "io.tapswitch.switching";

    @Test
    void shouldNameNoSwitchArtifactInThePom() throws Exception
    {
        // surefire runs in the module's directory
        final String pom = Files.readString(Path.of("pom.xml"), StandardCharsets.UTF_8)
            .replaceAll("(?s)<!--.*?-->", "");
        assertThat(pom).contains("<artifactId>tapswitch-admin</artifactId>")
            .doesNotContain("<artifactId>tapswitch-switch</artifactId>")
            .doesNotContain("<artifactId>tapswitch-bench</artifactId>");
    }

    @Test
    void shouldHaveNoSwitchClassOnTheClasspath()
    {
        final List<String> entries = Arrays.asList(System.getProperty("java.class.path").split(File.pathSeparator));
        assertThat(entries).as("the test classpath").isNotEmpty()
            .noneMatch(e -> e.replace('\\', '/').matches(".*/switch/target/(test-)?classes/?") ||
                Path.of(e).getFileName().toString().startsWith("tapswitch-switch"));
        assertThatThrownBy(() -> Class.forName(SWITCH_PACKAGE + ".SwitchMain"))
            .isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void shouldHaveNoAdminClassReferToTheSwitch()
    {
        // the module's own classes, main and test (surefire runs in the module's directory)
        final JavaClasses admin = new ClassFileImporter()
            .importPaths(Path.of("target", "classes"), Path.of("target", "test-classes"));
        assertThat(admin.size()).as("admin classes imported (main and test)").isGreaterThan(100);
        assertThat(admin.contain(AdminDependenciesTest.class)).isTrue();
        noClasses().should().dependOnClassesThat().resideInAPackage(SWITCH_PACKAGE + "..")
            .because("the admin depends on protocol and formats only (issue 13)")
            .check(admin);
    }
}
