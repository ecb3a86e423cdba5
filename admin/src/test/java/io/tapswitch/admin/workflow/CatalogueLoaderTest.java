package io.tapswitch.admin.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.tapswitch.admin.Role;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogueLoaderTest
{

    @TempDir
    Path dir;

    private static String shipped(final String name) throws IOException
    {
        try (InputStream in = CatalogueLoaderTest.class.getClassLoader().getResourceAsStream("catalogue/" + name))
        {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private void copyShipped() throws IOException
    {
        final List<String> names = new ArrayList<>(List.of("index.json"));
        for (final Object file : new JsonObject(shipped("index.json")).getJsonArray("files"))
        {
            names.add((String)file);
        }
        for (final String name : names)
        {
            Files.writeString(dir.resolve(name), shipped(name), StandardCharsets.UTF_8);
        }
    }

    @Test
    void shouldLoadTheShippedCatalogueWithEveryCardAndStage()
    {
        final Catalogue catalogue = CatalogueLoader.loadShipped();

        final List<String> codes = new ArrayList<>();
        for (final ServiceCard card : catalogue.latestCards())
        {
            codes.add(card.code());
        }
        assertThat(codes).hasSize(31).contains("6", "8", "13", "22", "26", "32", "41-69", "41-76", "41-89", "41-140");
        assertThat(catalogue.latest("8").stages()).hasSize(11);
        assertThat(catalogue.latest("13").stages()).hasSize(12);
        assertThat(catalogue.latest("22").stages()).hasSize(13);
        assertThat(catalogue.latest("26").stages()).hasSize(15);
        assertThat(catalogue.latest("41-69").stages()).hasSize(10);
        assertThat(catalogue.latest("41-140").stages()).hasSize(8);
    }

    @Test
    void shouldKeepTheSeedsTermsDeadlinesAndOfficialsVerbatim()
    {
        final Catalogue catalogue = CatalogueLoader.loadShipped();
        final ServiceCard residentCard = catalogue.latest("8");
        assertThat(residentCard.titleUk()).isEqualTo("Оформлення й видача багатофункціональної електронної «Картки криворіжця»");
        assertThat(residentCard.term(Body.DISTRICT).days()).isEqualTo(15);
        assertThat(residentCard.term(Body.DEPARTMENT).days()).isEqualTo(30);
        assertThat(residentCard.term(Body.DEPARTMENT).kind()).isEqualTo(DeadlineKind.CALENDAR_DAYS);
        final ServiceCard.Stage production = residentCard.stage("8");
        assertThat(production.deadline()).isEqualTo(
            new ServiceCard.Deadline(DeadlineKind.WORKING_DAYS, 20, "Протягом двадцяти робочих днів"));
        assertThat(production.officialUk()).isEqualTo("Спеціаліст департаменту");
        assertThat(production.roles()).containsExactly(Role.DEPARTMENT_SPECIALIST);
        assertThat(residentCard.outcome().idpCardKind()).isEqualTo("GUEST");

        final ServiceCard aid = catalogue.latest("26");
        assertThat(aid.stage("12").deadline().days()).isEqualTo(17);
        assertThat(aid.stage("12").committee().code()).isEqualTo("AID_COMMISSION");
        assertThat(aid.stage("15").deadline().kind()).isEqualTo(DeadlineKind.AFTER_COMMITTEE);
        assertThat(aid.stage("15").deadline().days()).isEqualTo(5);
        assertThat(aid.stage("3").deadline().textUk()).isEqualTo("Не пізніше наступного робочого дня");
        assertThat(catalogue.latest("13").stage("5").titleUk()).startsWith("Надсилання письмового повідомення до Центру");

        final ServiceCard socialServices = catalogue.latest("41-69");
        assertThat(socialServices.term(Body.DISTRICT).kind()).isEqualTo(DeadlineKind.WORKING_DAYS);
        assertThat(socialServices.documents()).hasSize(10);
        assertThat(socialServices.refusalGrounds()).hasSize(7);
        assertThat(socialServices.closingGrounds()).extracting(ServiceCard.Grounds::code)
            .containsExactly("WITHDRAWN", "APPLICANT_DIED");

        final ServiceCard socialCard = catalogue.latest("41-140");
        assertThat(socialCard.outcome().cardKind()).isEqualTo("SOCIAL");
        assertThat(socialCard.documents()).hasSize(4);
        assertThat(socialCard.stage("7").deadline().kind()).isEqualTo(DeadlineKind.NONE);
    }

    @Test
    void shouldRejectABrokenStageNamingTheFileCardAndStage() throws IOException
    {
        copyShipped();
        final JsonObject card = new JsonObject(shipped("kr-75-2024-26.v1.json"));
        final JsonArray stages = card.getJsonArray("stages");
        stages.getJsonObject(11).getJsonObject("deadline").put("kind", "SOON");
        stages.getJsonObject(13).put("roles", new JsonArray().add("MAYOR"));
        stages.getJsonObject(5).getJsonArray("actions").getJsonObject(1).put("path", new JsonArray().add("99"));
        Files.writeString(dir.resolve("kr-75-2024-26.v1.json"), card.encodePrettily(), StandardCharsets.UTF_8);

        assertThatThrownBy(() -> CatalogueLoader.loadDirectory(dir))
            .isInstanceOf(CatalogueException.class)
            .hasMessageContaining("kr-75-2024-26.v1.json: card 26: stage 12: deadline: kind must be one of")
            .hasMessageContaining("was SOON")
            .hasMessageContaining("kr-75-2024-26.v1.json: card 26: stage 14: roles must hold values of")
            .hasMessageContaining("found MAYOR")
            .hasMessageContaining("kr-75-2024-26.v1.json: card 26: stage 6: action REFUSE path names unknown stage 99");
    }

    @Test
    void shouldRejectUnknownFieldsMissingFilesAndInvalidJson() throws IOException
    {
        copyShipped();
        final JsonObject card = new JsonObject(shipped("sks-762-2024-41-140.v1.json"));
        card.getJsonArray("stages").getJsonObject(2).put("deadlne", new JsonObject());
        card.remove("titleEn");
        Files.writeString(dir.resolve("sks-762-2024-41-140.v1.json"), card.encode(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("kr-75-2024-13.v1.json"), "{ \"code\": \"13\", ", StandardCharsets.UTF_8);
        Files.delete(dir.resolve("kr-75-2024-22.v1.json"));

        assertThatThrownBy(() -> CatalogueLoader.loadDirectory(dir))
            .isInstanceOf(CatalogueException.class)
            .hasMessageContaining("sks-762-2024-41-140.v1.json: card 41-140: stage 3: unknown field 'deadlne'")
            .hasMessageContaining("sks-762-2024-41-140.v1.json: card 41-140: titleEn is required")
            .hasMessageContaining("kr-75-2024-13.v1.json: not valid JSON")
            .hasMessageContaining("kr-75-2024-22.v1.json: listed in index.json but missing");
    }

    @Test
    void shouldRejectAFlowThatCannotFinish() throws IOException
    {
        copyShipped();
        final JsonObject card = new JsonObject(shipped("kr-75-2024-13.v1.json"));
        // stage 12 PAY becomes ADVANCE: no stage pays although the outcome grants an entitlement.
        card.getJsonArray("stages").getJsonObject(11).put("actions",
            new JsonArray().add(new JsonObject().put("action", "ADVANCE")));
        Files.writeString(dir.resolve("kr-75-2024-13.v1.json"), card.encode(), StandardCharsets.UTF_8);

        assertThatThrownBy(() -> CatalogueLoader.loadDirectory(dir))
            .isInstanceOf(CatalogueException.class)
            .hasMessageContaining("card 13: exactly one stage must allow ISSUE or PAY, found 0");
    }

    @Test
    void shouldRejectTheSameCardVersionTwice() throws IOException
    {
        copyShipped();
        Files.writeString(dir.resolve("copy.json"), shipped("kr-75-2024-08.v1.json"), StandardCharsets.UTF_8);
        final JsonObject index = new JsonObject(shipped("index.json"));
        index.getJsonArray("files").add("copy.json");
        Files.writeString(dir.resolve("index.json"), index.encode(), StandardCharsets.UTF_8);

        assertThatThrownBy(() -> CatalogueLoader.loadDirectory(dir))
            .isInstanceOf(CatalogueException.class)
            .hasMessageContaining("copy.json: card 8: version 1 is defined twice");
    }

    @Test
    void shouldLoadACopyOfTheShippedCatalogueFromADirectory() throws IOException
    {
        copyShipped();
        assertThat(CatalogueLoader.loadDirectory(dir).allCards()).hasSize(34);
    }
}
