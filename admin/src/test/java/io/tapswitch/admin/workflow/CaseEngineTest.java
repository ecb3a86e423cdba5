package io.tapswitch.admin.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.tapswitch.admin.Role;
import org.junit.jupiter.api.Test;

class CaseEngineTest
{
    private static final ZoneId KYIV = ZoneId.of("Europe/Kyiv");
    private static final Actor CENTER = new Actor("center-1", Role.CENTER_ADMIN);
    private static final Actor DISTRICT = new Actor("district-1", Role.DISTRICT_SPECIALIST);
    private static final Actor DEPARTMENT = new Actor("department-1", Role.DEPARTMENT_SPECIALIST);
    private static final Actor AUDITOR = new Actor("auditor-1", Role.AUDITOR);
    private static final Applicant RESIDENT = new Applicant(42L, "Петренко", "Олена", null, false, null);
    private static final Applicant IDP = new Applicant(null, "Коваль", "Ірина", "Петрівна", true, "1234-5678901",
        LocalDate.parse("2022-04-11"), LocalDate.parse("2022-03-20"));
    private static final Set<String> ALL_41_69_REQUIRED =
        Set.of("application", "income-declaration", "passport", "taxpayer-number");

    /** Shipped catalogue, shipped martial-law calendar: only Saturdays and Sundays are days off. */
    private final CaseEngine engine = new CaseEngine(CatalogueLoader.loadShipped(), WorkingCalendar.loadShipped());

    private static Instant at(final String date)
    {
        return LocalDate.parse(date).atTime(10, 0).atZone(KYIV).toInstant();
    }

    private static LocalDate date(final String date)
    {
        return LocalDate.parse(date);
    }

    private CaseFile register(final String id, final String service, final Applicant applicant, final Body termBody,
        final Set<String> documents, final Actor actor, final String when)
    {
        final CaseResult result = engine.register(
            new CaseCommand.Register(id, service, null, applicant, termBody, documents, "заява"), actor, at(when));
        assertThat(result.code()).as(result.message()).isEqualTo(ResultCode.OK);
        return result.caseFile();
    }

    /** Version 1 of No. 13 and 26: the aid granted as an entitlement (version 2 pays money). */
    private CaseFile registerV1(final String id, final String service, final Applicant applicant, final Actor actor,
        final String when)
    {
        final CaseResult result = engine.register(
            new CaseCommand.Register(id, service, 1, applicant, null, Set.of(), "заява"), actor, at(when));
        assertThat(result.code()).as(result.message()).isEqualTo(ResultCode.OK);
        return result.caseFile();
    }

    private CaseResult act(final CaseFile c, final CaseCommand command, final Actor actor, final String when)
    {
        return engine.apply(c, c.version(), command, actor, at(when));
    }

    private CaseFile ok(final CaseFile c, final CaseCommand command, final Actor actor, final String when)
    {
        final CaseResult result = act(c, command, actor, when);
        assertThat(result.code()).as(result.message()).isEqualTo(ResultCode.OK);
        assertThat(result.caseFile().version()).isEqualTo(c.version() + 1);
        return result.caseFile();
    }

    private CaseFile advance(final CaseFile c, final Actor actor, final String when, final String toStage)
    {
        final CaseFile next = ok(c, new CaseCommand.Advance(""), actor, when);
        assertThat(next.stageNo()).isEqualTo(toStage);
        return next;
    }

    private CaseFile committee(final CaseFile c, final String committee, final String sessionDate)
    {
        final CaseEngine.BatchResult result = engine.committeeSession(List.of(c), committee, date(sessionDate),
            Map.of(), DEPARTMENT, at(sessionDate));
        assertThat(result.code()).as(result.message()).isEqualTo(ResultCode.OK);
        assertThat(result.decided()).hasSize(1);
        return result.decided().get(0);
    }

    private static void assertRefusedUnchanged(final CaseResult result, final ResultCode code, final CaseFile before,
        final String beforeJson)
    {
        assertThat(result.code()).isEqualTo(code);
        assertThat(result.message()).isNotBlank();
        assertThat(result.caseFile()).isNull();
        assertThat(result.effects()).isEmpty();
        assertThat(before.toJson().encode()).isEqualTo(beforeJson);
    }

    private static List<CaseAction> actions(final CaseFile c)
    {
        final List<CaseAction> actions = new ArrayList<>();
        for (final CaseFile.HistoryEntry entry : c.history())
        {
            actions.add(entry.action());
        }
        return actions;
    }

    @Test
    void shouldWalkResidentCardForAnIdpToAGuestCardWithStageDeadlines()
    {
        CaseFile c = register("c8", "8", IDP, null, Set.of(), DEPARTMENT, "2026-03-02");
        assertThat(c.stageNo()).isEqualTo("3");
        assertThat(c.stageDue()).isEqualTo(date("2026-03-03"));
        assertThat(c.totalDue()).isEqualTo(date("2026-04-01"));
        assertThat(c.intakeBody()).isEqualTo(Body.DEPARTMENT);

        c = advance(c, DEPARTMENT, "2026-03-03", "8");
        assertThat(c.stageDue()).isEqualTo(date("2026-03-31"));

        final String before = c.toJson().encode();
        assertRefusedUnchanged(act(c, new CaseCommand.Advance(""), DISTRICT, "2026-03-04"),
            ResultCode.ROLE_NOT_ALLOWED, c, before);
        assertRefusedUnchanged(act(c, new CaseCommand.Advance(""), AUDITOR, "2026-03-04"),
            ResultCode.ROLE_NOT_ALLOWED, c, before);
        assertRefusedUnchanged(act(c, new CaseCommand.Issue(5_000_001L, ""), DEPARTMENT, "2026-03-04"),
            ResultCode.ACTION_NOT_ALLOWED, c, before);

        c = advance(c, DEPARTMENT, "2026-03-20", "9");
        assertThat(c.stageDue()).isEqualTo(date("2026-03-27"));
        c = advance(c, DISTRICT, "2026-03-23", "10");
        assertThat(c.stageDue()).isNull();

        final String beforeIssue = c.toJson().encode();
        assertRefusedUnchanged(act(c, new CaseCommand.Issue(null, ""), DISTRICT, "2026-03-25"),
            ResultCode.INVALID_REQUEST, c, beforeIssue);
        final CaseResult issued = act(c, new CaseCommand.Issue(5_000_001L, "видано під підпис"), DISTRICT,
            "2026-03-25");
        assertThat(issued.isOk()).isTrue();
        assertThat(issued.effects()).containsExactly(new CaseEffect.IssueCard("c8", "GUEST", 5_000_001L, IDP));
        c = issued.caseFile();
        assertThat(c.stageNo()).isEqualTo("11");
        assertThat(c.stageDue()).isEqualTo(date("2026-03-25"));

        c = ok(c, new CaseCommand.Advance(""), DISTRICT, "2026-03-25");
        assertThat(c.status()).isEqualTo(CaseStatus.COMPLETED);
        assertThat(c.issuedCardKind()).isEqualTo("GUEST");
        assertThat(c.version()).isEqualTo(6);
        assertThat(actions(c)).containsExactly(CaseAction.REGISTER, CaseAction.ADVANCE, CaseAction.ADVANCE,
            CaseAction.ADVANCE, CaseAction.ISSUE, CaseAction.ADVANCE);
        assertThat(c.history().get(4).userId()).isEqualTo("district-1");
        assertThat(c.history().get(4).comment()).isEqualTo("видано під підпис");
        assertThat(c.history().get(4).details()).containsEntry("cardId", "5000001");
    }

    @Test
    void shouldIssueAResidentCardUnderTheDistrictsFifteenDayTerm()
    {
        CaseFile c = register("c8r", "8", RESIDENT, Body.DISTRICT, Set.of(), DISTRICT, "2026-03-02");
        assertThat(c.totalDue()).isEqualTo(date("2026-03-17"));
        c = advance(c, DISTRICT, "2026-03-02", "8");
        c = advance(c, DEPARTMENT, "2026-03-05", "9");
        c = advance(c, DISTRICT, "2026-03-06", "10");
        final CaseResult issued = act(c, new CaseCommand.Issue(7_000_001L, ""), DISTRICT, "2026-03-09");
        assertThat(issued.effects()).containsExactly(new CaseEffect.IssueCard("c8r", "RESIDENT", 7_000_001L, RESIDENT));
    }

    @Test
    void shouldWalkAidToChildrenThroughTheCentreAndTheExecutiveCommitteeToPayment()
    {
        CaseFile c = registerV1("c13", "13", RESIDENT, CENTER, "2026-03-02");
        assertThat(c.stageNo()).isEqualTo("3");
        assertThat(c.stageDue()).isEqualTo(date("2026-03-03"));
        c = advance(c, CENTER, "2026-03-03", "4");
        assertThat(c.stageDue()).isEqualTo(date("2026-03-06"));
        c = advance(c, DISTRICT, "2026-03-04", "6");
        assertThat(c.stageDue()).isEqualTo(date("2026-03-13"));
        c = advance(c, DISTRICT, "2026-03-05", "10");
        c = advance(c, DISTRICT, "2026-03-06", "11");
        // 06.03 + 30 calendar days = Sunday 05.04 -> Monday 06.04.
        assertThat(c.stageDue()).isEqualTo(date("2026-04-06"));
        assertThat(act(c, new CaseCommand.Advance(""), DEPARTMENT, "2026-03-10").code())
            .isEqualTo(ResultCode.ACTION_NOT_ALLOWED);

        c = committee(c, "CITY_EXECUTIVE_COMMITTEE", "2026-03-25");
        assertThat(c.stageNo()).isEqualTo("12");
        assertThat(c.stageDue()).isNull();
        final CaseResult paid = act(c, new CaseCommand.Pay("перераховано"), DEPARTMENT, "2026-03-27");
        assertThat(paid.code()).isEqualTo(ResultCode.OK);
        assertThat(paid.effects()).containsExactly(
            new CaseEffect.GrantEntitlement("c13", "aid.children-with-disabilities", 42L));
        assertThat(paid.caseFile().status()).isEqualTo(CaseStatus.COMPLETED);
    }

    @Test
    void shouldNotGrantAnEntitlementToAnApplicantWithoutAHolderId()
    {
        CaseFile c = register("c13n", "13", IDP, null, Set.of(), DISTRICT, "2026-03-02");
        c = advance(c, DISTRICT, "2026-03-02", "6");
        c = advance(c, DISTRICT, "2026-03-02", "10");
        c = advance(c, DISTRICT, "2026-03-02", "11");
        c = committee(c, "CITY_EXECUTIVE_COMMITTEE", "2026-03-04");
        final String before = c.toJson().encode();
        assertRefusedUnchanged(act(c, new CaseCommand.Pay(""), DEPARTMENT, "2026-03-05"), ResultCode.INVALID_REQUEST,
            c, before);
    }

    @Test
    void shouldWalkTransitTownSettlementRegisteredAtTheDistrictSkippingTheCentresHandOver()
    {
        CaseFile c = register("c22", "22", IDP, null, Set.of(), DISTRICT, "2026-03-02");
        assertThat(c.stageNo()).isEqualTo("4");
        c = advance(c, DISTRICT, "2026-03-03", "6");
        c = advance(c, DISTRICT, "2026-03-04", "10");
        c = advance(c, DISTRICT, "2026-03-05", "11");
        c = advance(c, DEPARTMENT, "2026-03-06", "12");
        c = committee(c, "TRANSIT_TOWN_COMMISSION", "2026-03-20");
        assertThat(c.stageNo()).isEqualTo("13");
        final CaseResult settled = act(c, new CaseCommand.Issue(null, "заселено"), DEPARTMENT, "2026-03-23");
        assertThat(settled.code()).isEqualTo(ResultCode.OK);
        assertThat(settled.effects()).isEmpty();
        assertThat(settled.caseFile().status()).isEqualTo(CaseStatus.COMPLETED);
    }

    @Test
    void shouldStopTheTermWhileLeftWithoutMotionAndResumeExtendedByTheSuspendedDays()
    {
        CaseFile c = registerV1("c26", "26", RESIDENT, CENTER, "2026-11-02");
        assertThat(c.totalDue()).isEqualTo(date("2026-12-02"));
        c = advance(c, CENTER, "2026-11-03", "4");
        assertThat(c.stageDue()).isEqualTo(date("2026-11-06"));

        final String before = c.toJson().encode();
        assertRefusedUnchanged(act(c, new CaseCommand.Suspend(null, " ", ""), DISTRICT, "2026-11-04"),
            ResultCode.INVALID_REQUEST, c, before);
        c = ok(c, new CaseCommand.Suspend(null, "Немає довідки про склад сім'ї", ""), DISTRICT, "2026-11-04");
        assertThat(c.status()).isEqualTo(CaseStatus.SUSPENDED);
        assertThat(c.suspension().groundsText()).isEqualTo("Немає довідки про склад сім'ї");
        assertThat(c.isOverdue(date("2026-11-10"))).isFalse();

        final String suspended = c.toJson().encode();
        assertRefusedUnchanged(act(c, new CaseCommand.Advance(""), DISTRICT, "2026-11-05"),
            ResultCode.CASE_SUSPENDED, c, suspended);

        c = ok(c, new CaseCommand.Resume("довідку подано"), DISTRICT, "2026-11-11");
        assertThat(c.status()).isEqualTo(CaseStatus.ACTIVE);
        assertThat(c.suspendedDays()).isEqualTo(7);
        assertThat(c.stageDue()).isEqualTo(date("2026-11-13"));
        assertThat(c.totalDue()).isEqualTo(date("2026-12-09"));
        assertThat(act(c, new CaseCommand.Resume(""), DISTRICT, "2026-11-11").code())
            .isEqualTo(ResultCode.NOT_SUSPENDED);

        c = advance(c, DISTRICT, "2026-11-11", "6");
        assertThat(c.stageDue()).isEqualTo(date("2026-11-20"));
        c = advance(c, DISTRICT, "2026-11-12", "10");
        final String atTen = c.toJson().encode();
        final CaseResult missing = act(c, new CaseCommand.Advance(""), DISTRICT, "2026-11-13");
        assertRefusedUnchanged(missing, ResultCode.MISSING_DOCUMENTS, c, atTen);
        assertThat(missing.message()).contains("community-register-certificate", "living-conditions-act");
        c = ok(c, new CaseCommand.CheckDocument("community-register-certificate", true, ""), DISTRICT, "2026-11-13");
        c = ok(c, new CaseCommand.CheckDocument("living-conditions-act", true, "акт від 13.11"), DISTRICT,
            "2026-11-13");
        c = advance(c, DISTRICT, "2026-11-13", "11");
        c = advance(c, DISTRICT, "2026-11-16", "12");
        c = committee(c, "AID_COMMISSION", "2026-11-20");
        assertThat(c.stageNo()).isEqualTo("14");
        assertThat(c.stageDue()).isEqualTo(date("2026-11-25"));
        c = committee(c, "CITY_EXECUTIVE_COMMITTEE", "2026-11-25");
        assertThat(c.stageNo()).isEqualTo("15");
        assertThat(c.stageDue()).isEqualTo(date("2026-12-02"));

        final CaseResult paid = act(c, new CaseCommand.Pay(""), DEPARTMENT, "2026-12-01");
        assertThat(paid.effects()).containsExactly(
            new CaseEffect.GrantEntitlement("c26", "aid.difficult-life-situation", 42L));
        assertThat(paid.caseFile().status()).isEqualTo(CaseStatus.COMPLETED);
        assertThat(CaseFile.fromJson(paid.caseFile().toJson()).toJson()).isEqualTo(paid.caseFile().toJson());
    }

    @Test
    void shouldWalkSocialServicesDecisionWithTheFullChecklist()
    {
        CaseFile c = register("c69", "41-69", RESIDENT, null, ALL_41_69_REQUIRED, CENTER, "2026-03-02");
        assertThat(c.totalDue()).isEqualTo(date("2026-03-16"));
        c = advance(c, CENTER, "2026-03-03", "4");
        c = advance(c, DISTRICT, "2026-03-04", "6");
        assertThat(c.stageDue()).isEqualTo(date("2026-03-11"));
        c = advance(c, DISTRICT, "2026-03-09", "7");
        c = advance(c, DISTRICT, "2026-03-10", "8");
        c = advance(c, DISTRICT, "2026-03-11", "9");
        c = advance(c, DISTRICT, "2026-03-11", "10");
        final CaseResult issued = act(c, new CaseCommand.Issue(null, ""), CENTER, "2026-03-12");
        assertThat(issued.code()).isEqualTo(ResultCode.OK);
        assertThat(issued.effects()).isEmpty();
        assertThat(issued.caseFile().status()).isEqualTo(CaseStatus.COMPLETED);
    }

    @Test
    void shouldRefuseToPassAnIncompleteChecklistAndAcceptOnlyTheCardsSuspensionGrounds()
    {
        CaseFile c = register("c69d", "41-69", RESIDENT, null, Set.of("application"), DISTRICT, "2026-03-02");
        assertThat(c.stageNo()).isEqualTo("4");
        final String before = c.toJson().encode();
        final CaseResult missing = act(c, new CaseCommand.Advance(""), DISTRICT, "2026-03-02");
        assertRefusedUnchanged(missing, ResultCode.MISSING_DOCUMENTS, c, before);
        assertThat(missing.message()).contains("income-declaration", "passport", "taxpayer-number")
            .doesNotContain("msec-certificate");
        assertRefusedUnchanged(act(c, new CaseCommand.Suspend("no-reason", null, ""), DISTRICT, "2026-03-02"),
            ResultCode.UNKNOWN_GROUNDS, c, before);
        assertRefusedUnchanged(act(c, new CaseCommand.CheckDocument("diploma", true, ""), DISTRICT, "2026-03-02"),
            ResultCode.UNKNOWN_DOCUMENT, c, before);
        c = ok(c, new CaseCommand.Suspend("incomplete-documents", null, ""), DISTRICT, "2026-03-02");
        assertThat(c.suspension().groundsText()).isEqualTo("Подання пакета документів не в повному обсязі.");
        assertThat(c.suspension().noticeDue()).isEqualTo(date("2026-03-03"));
    }

    @Test
    void shouldRefuseSocialServicesWithGroundsAndAppealRouteWalkingTheResultStages()
    {
        CaseFile c = register("c69r", "41-69", RESIDENT, null, ALL_41_69_REQUIRED, DISTRICT, "2026-03-02");
        c = advance(c, DISTRICT, "2026-03-02", "6");
        c = advance(c, DISTRICT, "2026-03-03", "7");
        c = advance(c, DISTRICT, "2026-03-04", "8");
        final String before = c.toJson().encode();
        assertRefusedUnchanged(act(c, new CaseCommand.Refuse("no-need-assessed", null, "", ""), DISTRICT,
            "2026-03-05"), ResultCode.INVALID_REQUEST, c, before);
        assertRefusedUnchanged(act(c, new CaseCommand.Refuse("too-rich", null, "до суду", ""), DISTRICT,
            "2026-03-05"), ResultCode.UNKNOWN_GROUNDS, c, before);

        c = ok(c, new CaseCommand.Refuse("no-need-assessed", null,
            "Оскарження до виконкому районної у місті ради або до суду", ""), DISTRICT, "2026-03-05");
        assertThat(c.onRefusalTrack()).isTrue();
        assertThat(c.stageNo()).isEqualTo("9");
        assertThat(act(c, new CaseCommand.Issue(null, ""), DISTRICT, "2026-03-05").code())
            .isEqualTo(ResultCode.ACTION_NOT_ALLOWED);
        c = advance(c, DISTRICT, "2026-03-05", "10");
        final CaseResult handed = act(c, new CaseCommand.Advance("відмову вручено"), CENTER, "2026-03-06");
        assertThat(handed.effects()).isEmpty();
        c = handed.caseFile();
        assertThat(c.status()).isEqualTo(CaseStatus.REFUSED);
        assertThat(c.refusal().groundsText())
            .isEqualTo("відсутність потреби у соціальних послугах за результатами оцінювання потреб особи");
        assertThat(c.refusal().appealRoute()).isEqualTo("Оскарження до виконкому районної у місті ради або до суду");
        assertThat(act(c, new CaseCommand.Advance(""), DISTRICT, "2026-03-06").code())
            .isEqualTo(ResultCode.CASE_NOT_OPEN);
    }

    @Test
    void shouldWalkSocialCardToASocialCardIssue()
    {
        CaseFile c = register("c140", "41-140", RESIDENT, null,
            Set.of("application", "passport-and-taxpayer-number", "child-birth-certificate",
                "disability-or-oncology-proof"), DISTRICT, "2026-03-02");
        assertThat(c.stageNo()).isEqualTo("4");
        assertThat(c.stageDue()).isEqualTo(date("2026-03-03"));
        assertThat(c.totalDue()).isEqualTo(date("2026-03-16"));
        c = advance(c, DISTRICT, "2026-03-03", "5");
        c = advance(c, DEPARTMENT, "2026-03-04", "6");
        assertThat(c.stageDue()).isEqualTo(date("2026-03-11"));
        c = advance(c, DEPARTMENT, "2026-03-10", "7");
        assertThat(c.stageDue()).isNull();
        c = advance(c, DEPARTMENT, "2026-03-11", "8");
        final CaseResult issued = act(c, new CaseCommand.Issue(9_000_001L, ""), DISTRICT, "2026-03-12");
        assertThat(issued.effects()).containsExactly(new CaseEffect.IssueCard("c140", "SOCIAL", 9_000_001L, RESIDENT));
        assertThat(issued.caseFile().status()).isEqualTo(CaseStatus.COMPLETED);
    }

    @Test
    void shouldCloseACaseWhenTheApplicantDiedAndAcceptNothingAfter()
    {
        CaseFile c = register("c140c", "41-140", RESIDENT, null, Set.of(), DISTRICT, "2026-03-02");
        final String before = c.toJson().encode();
        assertRefusedUnchanged(act(c, new CaseCommand.Close("BORED", ""), DISTRICT, "2026-03-03"),
            ResultCode.UNKNOWN_GROUNDS, c, before);
        assertRefusedUnchanged(act(c, new CaseCommand.Close("APPLICANT_DIED", ""), CENTER, "2026-03-03"),
            ResultCode.ROLE_NOT_ALLOWED, c, before);
        c = ok(c, new CaseCommand.Close("APPLICANT_DIED", "свідоцтво про смерть"), DISTRICT, "2026-03-03");
        assertThat(c.status()).isEqualTo(CaseStatus.CLOSED);
        assertThat(c.closeReason()).isEqualTo("APPLICANT_DIED");
        assertThat(c.finishedAt()).isEqualTo(at("2026-03-03"));
        assertThat(act(c, new CaseCommand.Advance(""), DISTRICT, "2026-03-04").code())
            .isEqualTo(ResultCode.CASE_NOT_OPEN);
    }

    @Test
    void shouldRefuseAStaleVersionChangingNothing()
    {
        final CaseFile c = register("c8s", "8", RESIDENT, null, Set.of(), DEPARTMENT, "2026-03-02");
        final String before = c.toJson().encode();
        final CaseResult stale = engine.apply(c, c.version() - 1, new CaseCommand.Advance(""), DEPARTMENT,
            at("2026-03-02"));
        assertRefusedUnchanged(stale, ResultCode.STALE_VERSION, c, before);
    }

    @Test
    void shouldRefuseUnknownServicesAndRolesThatCannotRegister()
    {
        assertThat(engine.register(new CaseCommand.Register("x", "99", null, RESIDENT, null, Set.of(), ""),
            CENTER, at("2026-03-02")).code()).isEqualTo(ResultCode.UNKNOWN_SERVICE);
        assertThat(engine.register(new CaseCommand.Register("x", "8", null, RESIDENT, null, Set.of(), ""),
            CENTER, at("2026-03-02")).code()).isEqualTo(ResultCode.ROLE_NOT_ALLOWED);
        assertThat(engine.register(new CaseCommand.Register("x", "13", null, RESIDENT, null, Set.of(), ""),
            new Actor("op", Role.OPERATOR), at("2026-03-02")).code()).isEqualTo(ResultCode.ROLE_NOT_ALLOWED);
        assertThat(engine.register(new CaseCommand.Register("x", "41-140", null, RESIDENT, Body.DEPARTMENT,
            Set.of(), ""), DISTRICT, at("2026-03-02")).code()).isEqualTo(ResultCode.INVALID_REQUEST);
        assertThat(engine.register(new CaseCommand.Register("x", "13", null, new Applicant(null, " ", "Ірина", null, false, null),
            null, Set.of(), ""), CENTER, at("2026-03-02")).code()).isEqualTo(ResultCode.INVALID_REQUEST);
    }

    @Test
    void shouldDecideEveryCaseWaitingForTheSessionInOneBatch()
    {
        final List<CaseFile> waiting = new ArrayList<>();
        for (final String id : List.of("a", "b", "c"))
        {
            CaseFile c = register(id, "13", RESIDENT, null, Set.of(), DISTRICT, "2026-03-02");
            c = advance(c, DISTRICT, "2026-03-02", "6");
            c = advance(c, DISTRICT, "2026-03-03", "10");
            c = advance(c, DISTRICT, "2026-03-04", "11");
            waiting.add(c);
        }
        CaseFile notYet = register("d", "13", RESIDENT, null, Set.of(), DISTRICT, "2026-03-02");
        notYet = advance(notYet, DISTRICT, "2026-03-02", "6");
        final List<CaseFile> all = new ArrayList<>(waiting);
        all.add(notYet);

        final CaseEngine.BatchResult wrongCase = engine.committeeSession(all, "CITY_EXECUTIVE_COMMITTEE",
            date("2026-03-25"), Map.of("d", new CaseEngine.CommitteeRefusal("d", null, "x", "до суду")), DEPARTMENT,
            at("2026-03-25"));
        assertThat(wrongCase.code()).isEqualTo(ResultCode.NOT_AT_COMMITTEE);
        assertThat(wrongCase.decided()).isEmpty();
        assertThat(engine.committeeSession(all, "CITY_EXECUTIVE_COMMITTEE", date("2026-03-25"), Map.of(), AUDITOR,
            at("2026-03-25")).code()).isEqualTo(ResultCode.ROLE_NOT_ALLOWED);

        final CaseEngine.BatchResult session = engine.committeeSession(all, "CITY_EXECUTIVE_COMMITTEE",
            date("2026-03-25"), Map.of("b", new CaseEngine.CommitteeRefusal("b", null,
            "Відсутні підстави для надання допомоги", "Оскарження до суду")), DEPARTMENT, at("2026-03-25"));
        assertThat(session.code()).isEqualTo(ResultCode.OK);
        assertThat(session.decided()).extracting(CaseFile::id).containsExactly("a", "b", "c");
        assertThat(session.decided()).extracting(CaseFile::status)
            .containsExactly(CaseStatus.ACTIVE, CaseStatus.REFUSED, CaseStatus.ACTIVE);
        assertThat(session.decided().get(0).stageNo()).isEqualTo("12");
        assertThat(session.decided().get(1).refusal().committee()).isEqualTo("CITY_EXECUTIVE_COMMITTEE");
        assertThat(session.decided().get(2).history().get(4).details())
            .containsEntry("decision", "APPROVED").containsEntry("sessionDate", "2026-03-25");
        assertThat(waiting.get(0).stageNo()).isEqualTo("11");
    }

    @Test
    void shouldWalkTheCommissionsRefusalNoticeStage()
    {
        CaseFile c = register("c26r", "26", RESIDENT, null, Set.of(), DISTRICT, "2026-11-02");
        c = advance(c, DISTRICT, "2026-11-02", "6");
        c = advance(c, DISTRICT, "2026-11-03", "10");
        c = ok(c, new CaseCommand.CheckDocument("community-register-certificate", true, ""), DISTRICT, "2026-11-03");
        c = ok(c, new CaseCommand.CheckDocument("living-conditions-act", true, ""), DISTRICT, "2026-11-03");
        c = advance(c, DISTRICT, "2026-11-04", "11");
        c = advance(c, DISTRICT, "2026-11-05", "12");
        final CaseEngine.BatchResult session = engine.committeeSession(List.of(c), "AID_COMMISSION",
            date("2026-11-13"), Map.of("c26r", new CaseEngine.CommitteeRefusal("c26r", null,
            "Дохід сім'ї перевищує встановлений рівень", "Оскарження до суду")), DEPARTMENT, at("2026-11-13"));
        c = session.decided().get(0);
        assertThat(c.stageNo()).isEqualTo("13");
        assertThat(c.stageDue()).isEqualTo(date("2026-11-18"));
        c = ok(c, new CaseCommand.Advance("повідомлення надіслано"), DEPARTMENT, "2026-11-16");
        assertThat(c.status()).isEqualTo(CaseStatus.REFUSED);
    }

    @Test
    void shouldKeepAttachmentMetadataAndRejectABadHash()
    {
        final CaseFile c = register("c69a", "41-69", RESIDENT, null, Set.of(), CENTER, "2026-03-02");
        final String before = c.toJson().encode();
        assertRefusedUnchanged(act(c, new CaseCommand.Attach("passport.pdf", "application/pdf", 1024, "abc",
            "passport", ""), CENTER, "2026-03-02"), ResultCode.INVALID_REQUEST, c, before);
        final CaseFile attached = ok(c, new CaseCommand.Attach("passport.pdf", "application/pdf", 1024,
            "A".repeat(64), "passport", "скан"), CENTER, "2026-03-02");
        assertThat(attached.attachments()).containsExactly(new CaseFile.Attachment("a1", "passport.pdf",
            "application/pdf", 1024, "a".repeat(64), "passport", "center-1", at("2026-03-02")));
    }

    @Test
    void shouldReportAnActiveCasePastItsStageDeadlineAsOverdue()
    {
        final CaseFile c = register("c8o", "8", RESIDENT, null, Set.of(), DEPARTMENT, "2026-03-02");
        assertThat(c.isOverdue(date("2026-03-03"))).isFalse();
        assertThat(c.isOverdue(date("2026-03-04"))).isTrue();
    }

    @Test
    void shouldActInTheRoleTheStageNamesWhenATokenCarriesSeveral()
    {
        final Actor auditorAndDistrict = new Actor("mixed-1", Set.of(Role.AUDITOR, Role.DISTRICT_SPECIALIST));
        CaseFile c = register("c13m", "13", RESIDENT, null, Set.of(), auditorAndDistrict, "2026-03-02");
        assertThat(c.intakeBody()).isEqualTo(Body.DISTRICT);
        assertThat(c.history().get(0).role()).isEqualTo(Role.DISTRICT_SPECIALIST);
        c = advance(c, auditorAndDistrict, "2026-03-03", "6");
        assertThat(c.history().get(1).role()).isEqualTo(Role.DISTRICT_SPECIALIST);
        assertThat(c.history().get(1).userId()).isEqualTo("mixed-1");
    }

    @Test
    void shouldProjectTheDeadlinesOfTheStagesAhead()
    {
        final CaseFile c = register("c8p", "8", RESIDENT, null, Set.of(), DEPARTMENT, "2026-03-02");
        // stage 3 due 03.03; stage 8: 20 working days after it; stage 9: 5 working days after that; stage 10 waits
        // for the applicant, so nothing after it can be known.
        assertThat(engine.plan(c)).containsExactly(
            new CaseEngine.PlannedStage("8", date("2026-03-31")),
            new CaseEngine.PlannedStage("9", date("2026-04-07")),
            new CaseEngine.PlannedStage("10", null),
            new CaseEngine.PlannedStage("11", null));
    }

    @Test
    void shouldComputeCaseDeadlinesWithTheHolidayTheTransferAndTheWeekendOutsideMartialLaw() throws Exception
    {
        final CaseEngine peacetime = new CaseEngine(CatalogueLoader.loadShipped(), WorkingCalendarTest.testCalendar());
        final CaseResult registered = peacetime.register(new CaseCommand.Register("p13", "13", null, RESIDENT, null,
            Set.of(), ""), CENTER, at("2026-09-30"));
        CaseFile c = registered.caseFile();
        // Center's hand-over "no later than the next working day": Thu 01.10 holiday, Fri 02.10 transferred to
        // Sat 10.10, weekend -> Mon 05.10. The 30 calendar days end on Fri 30.10.
        assertThat(c.stageDue()).isEqualTo(date("2026-10-05"));
        assertThat(c.totalDue()).isEqualTo(date("2026-10-30"));
        c = peacetime.apply(c, c.version(), new CaseCommand.Advance(""), CENTER, at("2026-10-05")).caseFile();
        // 3 calendar days from Mon 05.10 -> Thu 08.10.
        assertThat(c.stageDue()).isEqualTo(date("2026-10-08"));
        c = peacetime.apply(c, c.version(), new CaseCommand.Advance(""), DISTRICT, at("2026-10-08")).caseFile();
        // 9 calendar days from Thu 08.10 -> Sat 17.10, a day off -> Mon 19.10.
        assertThat(c.stageDue()).isEqualTo(date("2026-10-19"));
        c = peacetime.apply(c, c.version(), new CaseCommand.Advance(""), DISTRICT, at("2026-10-09")).caseFile();
        // one working day from Fri 09.10 -> Sat 10.10, the transferred working day.
        assertThat(c.stageNo()).isEqualTo("10");
        assertThat(c.stageDue()).isEqualTo(date("2026-10-10"));
    }
}
