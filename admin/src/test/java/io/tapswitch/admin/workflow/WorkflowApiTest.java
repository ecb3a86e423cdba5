package io.tapswitch.admin.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.tapswitch.formats.command.CommandType;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkflowApiTest
{
    private static final ZoneId KYIV = ZoneId.of("Europe/Kyiv");
    private static final String API = "/api/v1";

    private WorkflowHarness admin;
    private int aidProgramId;
    private long holderId;

    private static Instant at(final String date)
    {
        return LocalDate.parse(date).atTime(10, 0).atZone(KYIV).toInstant();
    }

    @BeforeAll
    void start(@TempDir final Path dir) throws Exception
    {
        admin = new WorkflowHarness(dir, at("2026-03-02"), new JsonObject()
            .put("programs", new JsonObject().put("aid.children-with-disabilities", 1))
            .put("metricsRefreshMs", 100));
        final Row program = admin.sql("INSERT INTO programs (id, name, kind, funding, unit, period, quota, created_at, " +
            "updated_at) VALUES (1, 'Набір для дітей з інвалідністю', 'AID', 'CITY_BUDGET', 'PERSON', 'MONTH', 1, now(), " +
            "now()) RETURNING id").iterator().next();
        aidProgramId = program.getInteger(0);
        holderId = admin.sql("INSERT INTO cardholders (family_name, given_name, categories, created_at, updated_at) " +
            "VALUES ('Шевченко', 'Марія', '{CHILD_WITH_DISABILITY}', now(), now()) RETURNING id").iterator().next().getLong(0);
    }

    @AfterAll
    void stop() throws Exception
    {
        if (null != admin)
        {
            admin.close();
        }
    }

    private JsonObject act(final String token, final JsonObject c, final JsonObject action, final int expectedStatus)
        throws Exception
    {
        final WorkflowHarness.Reply reply = admin.post(token, API + "/cases/" + c.getString("id") + "/actions",
            action.put("version", c.getLong("version")));
        assertThat(reply.status()).as(reply.text()).isEqualTo(expectedStatus);
        return reply.json();
    }

    private static JsonObject action(final String name)
    {
        return new JsonObject().put("action", name);
    }

    private List<Integer> outboxTypesSince(final long afterId) throws Exception
    {
        final List<Integer> types = new ArrayList<>();
        for (final Row row : admin.sql("SELECT type FROM outbox WHERE id > $1 ORDER BY id", afterId))
        {
            types.add((int)row.getShort(0));
        }
        return types;
    }

    private long lastOutboxId() throws Exception
    {
        return admin.sql("SELECT coalesce(max(id), 0) FROM outbox").iterator().next().getLong(0);
    }

    @Test
    void shouldServeTheCatalogueAndRefuseUnknownCards() throws Exception
    {
        final WorkflowHarness.Reply list = admin.get(WorkflowHarness.AUDITOR, API + "/service-cards");
        assertThat(list.status()).isEqualTo(200);
        final List<String> codes = new ArrayList<>();
        for (final Object item : list.json().getJsonArray("items"))
        {
            codes.add(((JsonObject)item).getString("code"));
        }
        assertThat(codes).hasSize(31).contains("6", "8", "13", "22", "26", "32", "41-69", "41-76", "41-89", "41-140");
        final WorkflowHarness.Reply socialCard = admin.get(WorkflowHarness.AUDITOR, API + "/service-cards/41-140");
        assertThat(socialCard.json().getJsonArray("stages")).hasSize(8);
        assertThat(admin.get(WorkflowHarness.AUDITOR, API + "/service-cards/99").status()).isEqualTo(404);
        assertThat(admin.get(null, API + "/service-cards").status()).isEqualTo(401);
        assertThat(admin.get(WorkflowHarness.OPERATOR, API + "/service-cards").status()).isEqualTo(200);
        assertThat(admin.get(WorkflowHarness.OPERATOR, API + "/cases").status()).isEqualTo(403);
    }

    @Test
    void shouldWalkAnIdpsResidentCardCaseToAGuestCardSentToTheSwitch() throws Exception
    {
        admin.clock.set(at("2026-03-02"));
        final long outboxBefore = lastOutboxId();
        final WorkflowHarness.Reply registered = admin.post(WorkflowHarness.DEPARTMENT, API + "/cases", new JsonObject()
            .put("serviceCode", "8")
            .put("applicant", new JsonObject().put("familyName", "Коваль").put("givenName", "Ірина")
                .put("patronymic", "Петрівна").put("idp", true).put("idpCertificate", "1234-5678901")
                .put("idpCertificateDate", "2022-04-11").put("idpArrivedOn", "2022-03-20"))
            .put("comment", "заява з фото"));
        assertThat(registered.status()).as(registered.text()).isEqualTo(201);
        JsonObject c = registered.json();
        assertThat(c.getString("stageNo")).isEqualTo("3");
        assertThat(c.getLong("version")).isEqualTo(1L);
        assertThat(c.getString("totalDue")).isEqualTo("2026-04-01");
        assertThat(c.getJsonArray("plan").getJsonObject(0).getString("stageNo")).isEqualTo("8");
        assertThat(c.getJsonArray("plan").getJsonObject(0).getString("projectedDue")).isEqualTo("2026-03-31");

        admin.clock.set(at("2026-03-03"));
        final JsonObject stale = c.copy();
        c = act(WorkflowHarness.DEPARTMENT, c, action("ADVANCE"), 200);
        assertThat(c.getString("stageNo")).isEqualTo("8");
        assertThat(c.getString("stageDue")).isEqualTo("2026-03-31");
        final JsonObject conflict = act(WorkflowHarness.DEPARTMENT, stale, action("ADVANCE"), 409);
        assertThat(conflict.getString("type")).endsWith("stale-version");
        final JsonObject forbidden = act(WorkflowHarness.DISTRICT, c, action("ADVANCE"), 403);
        assertThat(forbidden.getString("detail")).contains("stage 8");
        final JsonObject notHere = act(WorkflowHarness.DEPARTMENT, c, action("ISSUE").put("cardId", 5_000_001L), 409);
        assertThat(notHere.getString("detail")).contains("allows [ADVANCE]");
        final JsonObject unchanged = admin.get(WorkflowHarness.AUDITOR, API + "/cases/" + c.getString("id")).json();
        assertThat(unchanged.getLong("version")).isEqualTo(2L);
        assertThat(unchanged.getString("stageNo")).isEqualTo("8");
        assertThat(outboxTypesSince(outboxBefore)).isEmpty();

        c = act(WorkflowHarness.DEPARTMENT, c, action("ADVANCE"), 200);
        c = act(WorkflowHarness.DISTRICT, c, action("ADVANCE"), 200);
        assertThat(c.getString("stageNo")).isEqualTo("10");
        admin.clock.set(at("2026-03-20"));
        c = act(WorkflowHarness.DISTRICT, c, action("ISSUE").put("cardId", 5_000_001L).put("comment", "видано"), 200);
        assertThat(c.getString("stageNo")).isEqualTo("11");
        final long newHolder = c.getJsonObject("applicant").getLong("holderId");
        c = act(WorkflowHarness.DISTRICT, c, action("ADVANCE"), 200);
        assertThat(c.getString("status")).isEqualTo("COMPLETED");
        assertThat(c.getJsonArray("allowedActions")).isEmpty();

        final Row card = admin.sql("SELECT holder_id, kind, status, expiry FROM cards WHERE id = 5000001").iterator().next();
        assertThat(card.getLong("holder_id")).isEqualTo(newHolder);
        assertThat(card.getString("kind")).isEqualTo("GUEST");
        assertThat(card.getString("status")).isEqualTo("ACTIVE");
        assertThat(card.getLocalDate("expiry")).isEqualTo(LocalDate.parse("2031-03-20"));
        final Row holder = admin.sql("SELECT family_name, categories, idp_certificate FROM cardholders WHERE id = $1",
            newHolder).iterator().next();
        assertThat(holder.getString("family_name")).isEqualTo("Коваль");
        assertThat(holder.getArrayOfStrings("categories")).containsExactly("IDP");
        assertThat(outboxTypesSince(outboxBefore)).containsExactly(CommandType.SET_HOUSEHOLD, CommandType.ISSUE_CARD);

        final List<String> actions = new ArrayList<>();
        for (final Row row : admin.sql("SELECT action FROM case_actions WHERE case_id = $1 ORDER BY seq", c.getString("id")))
        {
            actions.add(row.getString(0));
        }
        assertThat(actions).containsExactly("REGISTER", "ADVANCE", "ADVANCE", "ADVANCE", "ISSUE", "ADVANCE");
        assertThat(admin.sql("SELECT count(*) FROM audit_log WHERE resource = 'case' AND resource_id = $1",
            c.getString("id")).iterator().next().getLong(0)).isEqualTo(6L);
    }

    @Test
    void shouldGrantTheConfiguredEntitlementWhenTheCommitteeApprovedAidIsPaid() throws Exception
    {
        admin.clock.set(at("2026-04-01"));
        final long outboxBefore = lastOutboxId();
        // version 1 of No. 13 granted an entitlement (cases registered under it keep it); version 2 pays money
        JsonObject c = admin.post(WorkflowHarness.DISTRICT, API + "/cases", new JsonObject().put("serviceCode", "13")
            .put("cardVersion", 1).put("applicant", new JsonObject().put("holderId", holderId))).json();
        assertThat(c.getString("stageNo")).isEqualTo("4");
        c = act(WorkflowHarness.DISTRICT, c, action("ADVANCE"), 200);
        c = act(WorkflowHarness.DISTRICT, c, action("ADVANCE"), 200);
        c = act(WorkflowHarness.DISTRICT, c, action("ADVANCE"), 200);
        assertThat(c.getString("stageNo")).isEqualTo("11");
        act(WorkflowHarness.DEPARTMENT, c, action("ADVANCE"), 409);

        final WorkflowHarness.Reply wrongCommittee = admin.post(WorkflowHarness.DEPARTMENT, API + "/committee-sessions",
            new JsonObject().put("committee", "NO_SUCH").put("sessionDate", "2026-04-15"));
        assertThat(wrongCommittee.status()).isEqualTo(422);
        final List<String> waiting = new ArrayList<>();
        for (final Object item : admin.get(WorkflowHarness.DEPARTMENT, API + "/cases?waitingFor=CITY_EXECUTIVE_COMMITTEE")
            .json().getJsonArray("items"))
        {
            waiting.add(((JsonObject)item).getString("id"));
        }
        assertThat(waiting).containsExactly(c.getString("id"));
        assertThat(admin.get(WorkflowHarness.DEPARTMENT, API + "/cases?waitingFor=AID_COMMISSION").json()
            .getJsonArray("items")).isEmpty();
        admin.clock.set(at("2026-04-15"));
        final WorkflowHarness.Reply session = admin.post(WorkflowHarness.DEPARTMENT, API + "/committee-sessions",
            new JsonObject().put("committee", "CITY_EXECUTIVE_COMMITTEE").put("sessionDate", "2026-04-15"));
        assertThat(session.status()).as(session.text()).isEqualTo(200);
        final JsonArray decided = session.json().getJsonArray("items");
        assertThat(decided).hasSize(1);
        c = decided.getJsonObject(0);
        assertThat(c.getString("stageNo")).isEqualTo("12");

        c = act(WorkflowHarness.DEPARTMENT, c, action("PAY"), 200);
        assertThat(c.getString("status")).isEqualTo("COMPLETED");
        assertThat(admin.sql("SELECT count(*) FROM entitlements WHERE holder_id = $1 AND program_id = $2 AND " +
            "status = 'ACTIVE'", holderId, aidProgramId).iterator().next().getLong(0)).isEqualTo(1L);
        assertThat(outboxTypesSince(outboxBefore)).containsExactly(CommandType.GRANT_ENTITLEMENT);
    }

    @Test
    void shouldListOverdueCasesAndCountThemInTheGauges() throws Exception
    {
        admin.clock.set(at("2026-05-04"));
        final JsonObject c = admin.post(WorkflowHarness.DISTRICT, API + "/cases", new JsonObject().put("serviceCode", "41-140")
            .put("applicant", new JsonObject().put("holderId", holderId))).json();
        assertThat(c.getString("stageDue")).isEqualTo("2026-05-05");
        final String id = c.getString("id");

        assertThat(overdueIds()).doesNotContain(id);
        admin.clock.set(at("2026-05-07"));
        assertThat(overdueIds()).contains(id);
        assertThat(admin.get(WorkflowHarness.AUDITOR, API + "/cases/" + id).json().getBoolean("overdue")).isTrue();

        final long expectedOpen = admin.sql("SELECT count(*) FROM cases WHERE service_code = '41-140' AND stage_no = '4' " +
            "AND status IN ('ACTIVE', 'SUSPENDED')").iterator().next().getLong(0);
        final long expectedOverdue = admin.sql("SELECT count(*) FROM cases WHERE service_code = '41-140' AND " +
            "status = 'ACTIVE' AND (stage_due < '2026-05-07' OR total_due < '2026-05-07')").iterator().next().getLong(0);
        assertThat(expectedOverdue).isGreaterThanOrEqualTo(1);
        final String openLine = "tapswitch_admin_cases{service=\"41-140\",stage=\"4\"} " + (double)expectedOpen;
        final String overdueLine = "tapswitch_admin_cases_overdue{service=\"41-140\"} " + (double)expectedOverdue;
        final long deadlineMs = System.currentTimeMillis() + 10_000;
        String scrape = admin.metrics().text();
        while (!(scrape.contains(openLine) && scrape.contains(overdueLine)) && System.currentTimeMillis() < deadlineMs)
        {
            Thread.onSpinWait();
            scrape = admin.metrics().text();
        }
        assertThat(scrape).contains(openLine).contains(overdueLine);
    }

    @Test
    void shouldChangeNothingWhenTheIssuedCardIdIsAlreadyTaken() throws Exception
    {
        admin.clock.set(at("2026-06-01"));
        admin.sql("INSERT INTO cards (id, holder_id, kind, status, expiry, created_at, updated_at) VALUES " +
            "(5000777, $1, 'RESIDENT', 'ACTIVE', '2030-01-01', now(), now())", holderId);
        JsonObject c = admin.post(WorkflowHarness.DEPARTMENT, API + "/cases", new JsonObject().put("serviceCode", "8")
            .put("applicant", new JsonObject().put("familyName", "Ткаченко").put("givenName", "Петро"))).json();
        c = act(WorkflowHarness.DEPARTMENT, c, action("ADVANCE"), 200);
        c = act(WorkflowHarness.DEPARTMENT, c, action("ADVANCE"), 200);
        c = act(WorkflowHarness.DEPARTMENT, c, action("ADVANCE"), 200);
        final long outboxBefore = lastOutboxId();
        final long holdersBefore = admin.sql("SELECT count(*) FROM cardholders").iterator().next().getLong(0);

        final JsonObject taken = act(WorkflowHarness.DEPARTMENT, c, action("ISSUE").put("cardId", 5_000_777L), 409);
        assertThat(taken.getString("detail")).contains("5000777");
        final JsonObject after = admin.get(WorkflowHarness.AUDITOR, API + "/cases/" + c.getString("id")).json();
        assertThat(after.getLong("version")).isEqualTo(c.getLong("version"));
        assertThat(after.getString("stageNo")).isEqualTo("10");
        assertThat(after.getJsonObject("applicant").getValue("holderId")).isNull();
        assertThat(admin.sql("SELECT count(*) FROM cardholders").iterator().next().getLong(0)).isEqualTo(holdersBefore);
        assertThat(outboxTypesSince(outboxBefore)).isEmpty();
        assertThat(admin.sql("SELECT count(*) FROM case_actions WHERE case_id = $1", c.getString("id")).iterator().next()
            .getLong(0)).isEqualTo(4L);
    }

    @Test
    void shouldRefuseToPayAidWhoseProgramIsNotConfigured() throws Exception
    {
        admin.clock.set(at("2026-07-01"));
        JsonObject c = admin.post(WorkflowHarness.DISTRICT, API + "/cases", new JsonObject().put("serviceCode", "26")
            .put("cardVersion", 1).put("applicant", new JsonObject().put("holderId", holderId))).json();
        c = act(WorkflowHarness.DISTRICT, c, action("ADVANCE"), 200);
        c = act(WorkflowHarness.DISTRICT, c, action("ADVANCE"), 200);
        c = act(WorkflowHarness.DISTRICT, c, action("CHECK_DOCUMENT").put("documentCode", "community-register-certificate")
            .put("received", true), 200);
        c = act(WorkflowHarness.DISTRICT, c, action("CHECK_DOCUMENT").put("documentCode", "living-conditions-act")
            .put("received", true), 200);
        c = act(WorkflowHarness.DISTRICT, c, action("ADVANCE"), 200);
        c = act(WorkflowHarness.DISTRICT, c, action("ADVANCE"), 200);
        assertThat(c.getString("stageNo")).isEqualTo("12");
        assertThat(admin.post(WorkflowHarness.DEPARTMENT, API + "/committee-sessions", new JsonObject()
            .put("committee", "AID_COMMISSION").put("sessionDate", "2026-07-10")).status()).isEqualTo(200);
        final JsonArray decided = admin.post(WorkflowHarness.DEPARTMENT, API + "/committee-sessions", new JsonObject()
            .put("committee", "CITY_EXECUTIVE_COMMITTEE").put("sessionDate", "2026-07-15")).json().getJsonArray("items");
        c = decided.getJsonObject(0);
        assertThat(c.getString("stageNo")).isEqualTo("15");
        assertThat(c.getString("stageDue")).isEqualTo("2026-07-22");
        final long outboxBefore = lastOutboxId();

        final JsonObject refused = act(WorkflowHarness.DEPARTMENT, c, action("PAY"), 422);
        assertThat(refused.getString("detail")).contains("aid.difficult-life-situation");
        final JsonObject after = admin.get(WorkflowHarness.AUDITOR, API + "/cases/" + c.getString("id")).json();
        assertThat(after.getLong("version")).isEqualTo(c.getLong("version"));
        assertThat(after.getString("status")).isEqualTo("ACTIVE");
        assertThat(outboxTypesSince(outboxBefore)).isEmpty();
    }

    @Test
    void shouldIssueAGuestCardToARegisteredIdpAndRefuseUnknownApplicantsOrServices() throws Exception
    {
        admin.clock.set(at("2026-08-03"));
        // the IDP condition of the guest card (certificate number and date, arrival since 24.02.2022) from the registry
        final long idpHolder = admin.sql("INSERT INTO cardholders (family_name, given_name, categories, idp_certificate, " +
            "idp_certificate_date, idp_arrived_on, created_at, updated_at) VALUES ('Гончаренко', 'Людмила', '{IDP}', " +
            "'1410-2233445', '2022-05-10', '2022-05-01', now(), now()) RETURNING id")
            .iterator().next().getLong(0);
        assertThat(admin.post(WorkflowHarness.DEPARTMENT, API + "/cases", new JsonObject().put("serviceCode", "8")
            .put("applicant", new JsonObject().put("holderId", 999_999L))).status()).isEqualTo(422);
        assertThat(admin.post(WorkflowHarness.DEPARTMENT, API + "/cases", new JsonObject().put("serviceCode", "99")
            .put("applicant", new JsonObject().put("holderId", idpHolder))).status()).isEqualTo(422);
        assertThat(admin.post(WorkflowHarness.AUDITOR, API + "/cases", new JsonObject().put("serviceCode", "8")
            .put("applicant", new JsonObject().put("holderId", idpHolder))).status()).isEqualTo(403);

        JsonObject c = admin.post(WorkflowHarness.DEPARTMENT, API + "/cases", new JsonObject().put("serviceCode", "8")
            .put("applicant", new JsonObject().put("holderId", idpHolder))).json();
        assertThat(c.getJsonObject("applicant").getBoolean("idp")).isTrue();
        assertThat(c.getJsonObject("applicant").getString("idpCertificate")).isEqualTo("1410-2233445");
        c = act(WorkflowHarness.DEPARTMENT, c, action("ADVANCE"), 200);
        c = act(WorkflowHarness.DEPARTMENT, c, action("ADVANCE"), 200);
        c = act(WorkflowHarness.DEPARTMENT, c, action("ADVANCE"), 200);
        final long outboxBefore = lastOutboxId();
        act(WorkflowHarness.DEPARTMENT, c, action("ISSUE").put("cardId", 5_000_900L), 200);
        final Row card = admin.sql("SELECT holder_id, kind FROM cards WHERE id = 5000900").iterator().next();
        assertThat(card.getLong("holder_id")).isEqualTo(idpHolder);
        assertThat(card.getString("kind")).isEqualTo("GUEST");
        assertThat(outboxTypesSince(outboxBefore)).containsExactly(CommandType.ISSUE_CARD);
    }

    @Test
    void shouldApplyExactlyOneOfConcurrentActionsBasedOnTheSameVersion() throws Exception
    {
        admin.clock.set(at("2026-09-01"));
        final JsonObject c = admin.post(WorkflowHarness.DISTRICT, API + "/cases", new JsonObject().put("serviceCode", "13")
            .put("applicant", new JsonObject().put("holderId", holderId))).json();
        final List<CompletableFuture<WorkflowHarness.Reply>> replies = new ArrayList<>();
        for (int i = 0; i < 8; i++)
        {
            replies.add(admin.postAsync(WorkflowHarness.DISTRICT, API + "/cases/" + c.getString("id") + "/actions",
                action("ADVANCE").put("version", c.getLong("version"))));
        }
        int applied = 0;
        int stale = 0;
        for (final CompletableFuture<WorkflowHarness.Reply> reply : replies)
        {
            final int status = reply.get(30, TimeUnit.SECONDS).status();
            applied += status == 200 ? 1 : 0;
            stale += status == 409 ? 1 : 0;
        }
        assertThat(applied).isEqualTo(1);
        assertThat(stale).isEqualTo(7);
        final JsonObject after = admin.get(WorkflowHarness.AUDITOR, API + "/cases/" + c.getString("id")).json();
        assertThat(after.getLong("version")).isEqualTo(c.getLong("version") + 1);
        assertThat(after.getString("stageNo")).isEqualTo("6");
        assertThat(after.getJsonArray("history")).hasSize(2);
    }

    private List<String> overdueIds() throws Exception
    {
        final List<String> ids = new ArrayList<>();
        for (final Object item : admin.get(WorkflowHarness.AUDITOR, API + "/cases?overdue=true&limit=500").json()
            .getJsonArray("items"))
        {
            ids.add(((JsonObject)item).getString("id"));
        }
        return ids;
    }
}
