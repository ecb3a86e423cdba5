package io.tapswitch.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TAP-PROTOCOL.md promises that its worked examples are the golden vectors of the tests: every vector must
 * appear in it verbatim (ignoring whitespace), so a change of either shows up here.
 */
class ProtocolDocumentTest
{
    private static String document;

    @BeforeAll
    static void readDocument() throws IOException
    {
        // Surefire runs with the module directory as working directory.
        final String text = Files.readString(Path.of("TAP-PROTOCOL.md"), StandardCharsets.UTF_8);
        document = text.replaceAll("\\s", "").toLowerCase();
    }

    @Test
    void shouldShowTheGoldenLogonTapAndTapResultVectors()
    {
        assertContainsVector(GoldenVectorsTest.LOGON);
        assertContainsVector(GoldenVectorsTest.TAP);
        assertContainsVector(GoldenVectorsTest.TAP_RESULT);
    }

    @Test
    void shouldShowEveryOtherGoldenVector()
    {
        assertContainsVector(GoldenVectorsTest.LOGON_RESULT);
        assertContainsVector(GoldenVectorsTest.TAP_RESULT_DECLINED);
        assertContainsVector(GoldenVectorsTest.REVERSAL);
        assertContainsVector(GoldenVectorsTest.REVERSAL_RESULT);
        assertContainsVector(GoldenVectorsTest.BALANCE);
        assertContainsVector(GoldenVectorsTest.BALANCE_RESULT);
        assertContainsVector(GoldenVectorsTest.HEARTBEAT);
        assertContainsVector(GoldenVectorsTest.HEARTBEAT_RESULT);
        assertContainsVector(GoldenVectorsTest.ERROR);
    }

    @Test
    void shouldShowTheDemoKeyAndTheOpensslMac()
    {
        assertContainsVector("6fc91844b2f6808502d99ee3f52ab589449f654597d854060d0e6e035c743940");
        assertContainsVector("553bebcfb17496d39791122b0be810bc42f589ab597a2a7ac5ffe417d77d9126");
        assertContainsVector("11000000000000008032a207a2010000000102030405060708090a0b0c0d0e0f");
    }

    private static void assertContainsVector(final String vector)
    {
        final String normalized = vector.replaceAll("[\\s|]", "").toLowerCase();
        assertThat(document).as("TAP-PROTOCOL.md shows %s", normalized).contains(normalized);
    }
}
