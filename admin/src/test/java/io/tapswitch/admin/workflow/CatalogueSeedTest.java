package io.tapswitch.admin.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

/**
 * Every card of the shipped catalogue against the seed text it was transcribed from: its title, terms, stages
 * (title, official, body, deadline), documents and grounds are the seed's words (layout undone), the days of every
 * term and deadline are the ones the words say, and the path a stage is on matches what the seed says it does. And
 * the catalogue holds every card the seeds give.
 */
class CatalogueSeedTest
{
    private static final Map<Integer, List<String>> NUMERALS = Map.of(1, List.of("1", "одного", "одгого"),
        2, List.of("двох"), 3, List.of("3", "трьох"), 5, List.of("п’яти"), 9, List.of("дев’яти"),
        10, List.of("10"), 15, List.of("15"), 17, List.of("17"), 20, List.of("двадцяти"), 24, List.of("24"));

    private final Catalogue catalogue = CatalogueLoader.loadShipped();

    @Test
    void shouldHoldEveryServiceCardOfTheSeeds()
    {
        final Set<String> codes = new TreeSet<>();
        for (final ServiceCard card : catalogue.latestCards())
        {
            codes.add(card.code());
        }
        final Set<String> expected = new TreeSet<>();
        for (int no = 6; no <= 32; no++)
        {
            expected.add(Integer.toString(no));
        }
        expected.addAll(List.of("41-69", "41-76", "41-89", "41-140"));
        assertThat(codes).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(codes).hasSizeGreaterThanOrEqualTo(31);

        // and the seeds hold no card the catalogue lacks
        final String city = Seeds.read("003_20490630bba5e4b0.txt");
        final java.util.regex.Matcher m = java.util.regex.Pattern
            .compile("ТЕХНОЛОГІЧНА КАРТКА ПУБЛІЧНОЇ ПОСЛУГИ № (\\d+)").matcher(city);
        final Set<String> inSeed = new TreeSet<>();
        while (m.find())
        {
            inSeed.add(m.group(1));
        }
        final String district = Seeds.read("001_9b304905a330cdc7.txt");
        final java.util.regex.Matcher d = java.util.regex.Pattern.compile("ТЕХНОЛОГІЧНА КАРТКА № (41-\\d+)")
            .matcher(district);
        while (d.find())
        {
            inSeed.add(d.group(1));
        }
        assertThat(inSeed).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void shouldKeepEveryCardsTextsAsTheSeedWritesThem()
    {
        final List<String> problems = new ArrayList<>();
        for (final ServiceCard card : catalogue.allCards())
        {
            final String seed = card.source().seed();
            final String section = Seeds.normalize(Seeds.section(seed, Seeds.read(seed), card.code()));
            final String where = card.key() + " (" + seed + ")";
            check(problems, section, where + " title", card.titleUk(), 2);
            for (final ServiceCard.Term term : card.terms())
            {
                check(problems, section, where + " term " + term.body(), term.textUk(), 2);
                if (!numeral(term.textUk(), term.days()))
                {
                    problems.add(where + " term " + term.body() + ": " + term.days() + " days but the seed says «" +
                        term.textUk() + "»");
                }
            }
            if (!card.termNoteUk().isEmpty())
            {
                check(problems, section, where + " term note", card.termNoteUk(), 3);
            }
            for (final ServiceCard.DocumentSpec doc : card.documents())
            {
                check(problems, section, where + " document " + doc.code(), doc.titleUk(), 3);
                if (!doc.groupUk().isEmpty())
                {
                    check(problems, section, where + " document group " + doc.code(), doc.groupUk(), 3);
                }
            }
            for (final List<ServiceCard.Grounds> grounds : List.of(card.suspensionGrounds(), card.refusalGrounds(),
                card.closingGrounds()))
            {
                for (final ServiceCard.Grounds g : grounds)
                {
                    check(problems, section, where + " grounds " + g.code(), g.textUk(), 2);
                }
            }
            if (card.documentsGiven())
            {
                check(problems, section, where + " result", card.result().textUk(), 3);
            }
            else
            {
                assertThat(card.documents()).as(where + ": without the seed's document list a card lists only the " +
                    "documents its stages add").allMatch(ServiceCard.DocumentSpec::addedByOffice);
            }
            for (final ServiceCard.Stage stage : card.stages())
            {
                final String at = where + " stage " + stage.no();
                // sub-row labels (10.1, 10.2) stand in the number column of the seed, joined into the title here
                check(problems, section, at + " title", stage.titleUk().replaceAll("\\b\\d+\\.\\d+ ", ""), 4);
                check(problems, section, at + " official", stage.officialUk(), 3);
                if (!stage.bodyUk().isEmpty())
                {
                    check(problems, section, at + " body", stage.bodyUk(), 3);
                }
                else if (card.seedGaps().stream().noneMatch(gap -> gap.contains("stage " + stage.no()) ||
                    gap.contains("stages " + stage.no()) || gap.contains(" and " + stage.no())))
                {
                    problems.add(at + ": no body, and seedGaps does not say the seed gives none");
                }
                final ServiceCard.Deadline deadline = stage.deadline();
                if (!deadline.textUk().isEmpty())
                {
                    check(problems, section, at + " deadline", deadline.textUk(), 3);
                }
                if (deadline.days() > 0 && !numeral(deadline.textUk(), deadline.days()))
                {
                    problems.add(at + ": deadline of " + deadline.days() + " days but the seed says «" +
                        deadline.textUk() + "»");
                }
                if (deadline.kind() == DeadlineKind.CALENDAR_DAYS && !deadline.textUk().contains("календар"))
                {
                    problems.add(at + ": calendar days but the seed says «" + deadline.textUk() + "»");
                }
                if (deadline.kind() == DeadlineKind.WORKING_DAYS && !deadline.textUk().contains("робоч") &&
                    !deadline.textUk().contains("ро бочого") && !deadline.textUk().contains("ро-"))
                {
                    problems.add(at + ": working days but the seed says «" + deadline.textUk() + "»");
                }
                final String title = stage.titleUk().toLowerCase(java.util.Locale.ROOT);
                if (stage.path() == StagePath.REFUSAL && !title.contains("відмов"))
                {
                    problems.add(at + ": on the refusal path but the seed's stage is not about a refusal");
                }
                if (stage.path() == StagePath.SUSPENSION && !title.contains("без руху"))
                {
                    problems.add(at + ": a suspension notice but the seed's stage is not about «без руху»");
                }
                if (stage.actions().containsKey(CaseAction.PAY) && !title.contains("перерахування"))
                {
                    problems.add(at + ": PAY but the seed's stage transfers no funds");
                }
                if (title.startsWith("перерахування") && !stage.actions().containsKey(CaseAction.PAY))
                {
                    problems.add(at + ": the seed transfers funds here but the stage does not PAY");
                }
            }
        }
        assertThat(problems).as("cards that differ from their seed").isEmpty();
    }

    @Test
    void shouldStateTheSeedsGapsInTheCardsInsteadOfInventingThem()
    {
        for (final ServiceCard card : catalogue.allCards())
        {
            if (!card.documentsGiven() && !card.seedGaps().isEmpty())
            {
                assertThat(card.seedGaps()).as(card.key()).anyMatch(gap -> gap.startsWith("documents:"));
            }
        }
        final ServiceCard deceased = catalogue.latest("41-76");
        assertThat(deceased.stage("7").bodyUk()).isEmpty();
        assertThat(deceased.seedGaps()).anyMatch(gap -> gap.startsWith("stage 7"));
        assertThat(catalogue.latest("41-89").suspensionGrounds()).isEmpty();
        assertThat(catalogue.latest("41-89").seedGaps()).anyMatch(gap -> gap.contains("item 13"));
        assertThat(catalogue.latest("6").seedGaps()).anyMatch(gap -> gap.startsWith("amount:"));
    }

    @Test
    void shouldTellTheSeedsWordsFromChangedOnes()
    {
        final String section = Seeds.normalize(Seeds.section("003_20490630bba5e4b0.txt",
            Seeds.read("003_20490630bba5e4b0.txt"), "13"));
        assertThat(Seeds.missing(section, "Перерахування коштів призначеної допомоги заявнику", 2)).isNull();
        assertThat(Seeds.missing(section, "Пере-рахування  коштів\nпризначеної допомоги заявнику", 2)).isNull();
        assertThat(Seeds.missing(section, "Перерахування коштів призначеної субсидії заявнику", 4)).isNotNull();
        assertThat(Seeds.missing(section, "До 20 календарних днів", 4)).isNotNull();
        // No. 6's stage 10 is split over a page break: two pieces, with the other columns between them
        final String six = Seeds.normalize(Seeds.section("003_20490630bba5e4b0.txt",
            Seeds.read("003_20490630bba5e4b0.txt"), "6"));
        assertThat(Seeds.missing(six, "Перерахування коштів призначеної допомоги/компенсації заявнику", 1))
            .isNotNull();
        assertThat(Seeds.missing(six, "Перерахування коштів призначеної допомоги/компенсації заявнику", 2)).isNull();
    }

    private static void check(final List<String> problems, final String section, final String where,
        final String text, final int maxPieces)
    {
        final String missing = Seeds.missing(section, text, maxPieces);
        if (null != missing)
        {
            problems.add(where + ": «" + text + "» is not the seed's (not found from …" + missing + ")");
        }
    }

    private static boolean numeral(final String text, final int days)
    {
        final List<String> words = NUMERALS.getOrDefault(days, List.of(Integer.toString(days)));
        for (final String word : words)
        {
            if (text.contains(word))
            {
                return true;
            }
        }
        return text.contains(Integer.toString(days));
    }
}
