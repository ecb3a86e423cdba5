package io.tapswitch.admin.eligibility;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;

import io.tapswitch.admin.workflow.WorkflowHarness;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who a program and a card are for, over the REST API on a real PostgreSQL: a program's categories are enforced
 * when an entitlement is granted and when a case grants one; the IDP condition (certificate number and date, arrival
 * since 24.02.2022) is recorded and enforced for IDP programs and the guest card; an IDP's 41-69 case is urgent. Each
 * refusal is a 422 problem naming the rule, and changes nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EligibilityApiTest
{
    private static final ZoneId KYIV = ZoneId.of("Europe/Kyiv");
    private static final String API = "/api/v1";

    private WorkflowHarness admin;
    private long resident;
    private long idp;

    private static Instant at(final String date)
    {
        return LocalDate.parse(date).atTime(10, 0).atZone(KYIV).toInstant();
    }

    @BeforeAll
    void start(@TempDir final Path dir) throws Exception
    {
        admin = new WorkflowHarness(dir, at("2026-03-02"), new JsonObject()
            .put("programs", new JsonObject().put("aid.children-with-disabilities", 1)));
        admin.sql("INSERT INTO programs (id, name, kind, funding, unit, period, quota, categories, created_at, updated_at) " +
            "VALUES (1, 'Набір для дітей з інвалідністю', 'AID', 'CITY_BUDGET', 'PERSON', 'MONTH', 1, " +
            "'{CHILD_WITH_DISABILITY}', now(), now()), (2, 'Харчування ВПО у школах', 'MEAL', 'CITY_BUDGET', 'PERSON', " +
            "'DAY', 1, '{IDP}', now(), now())");
        resident = admin.sql("INSERT INTO cardholders (family_name, given_name, categories, created_at, updated_at) " +
            "VALUES ('Петренко', 'Олена', '{RESIDENT}', now(), now()) RETURNING id").iterator().next().getLong(0);
        idp = admin.sql("INSERT INTO cardholders (family_name, given_name, categories, idp_certificate, created_at, " +
            "updated_at) VALUES ('Коваль', 'Ірина', '{IDP}', '1234-5678901', now(), now()) RETURNING id").iterator().next()
            .getLong(0);
    }

    @AfterAll
    void stop() throws Exception
    {
        if (null != admin)
        {
            admin.close();
        }
    }

    private long count(final String sql, final Object... args) throws Exception
    {
        return admin.sql(sql, args).iterator().next().getLong(0);
    }

    private static void assertNotEligible(final WorkflowHarness.Reply reply, final String rule)
    {
        assertThat(reply.status()).as(reply.text()).isEqualTo(422);
        assertThat(reply.json().getString("type")).isEqualTo("/problems/not-eligible");
        assertThat(reply.json().getString("detail")).startsWith("rule " + rule + ":");
    }

    @Test
    void shouldGrantAProgramOnlyToTheCategoriesItIsFor() throws Exception
    {
        final long outbox = count("SELECT count(*) FROM outbox");
        final WorkflowHarness.Reply refused = admin.post(WorkflowHarness.CENTER, API + "/entitlements",
            new JsonObject().put("holderId", resident).put("programId", 1));
        assertNotEligible(refused, "program-categories");
        assertThat(refused.json().getString("detail")).contains("[CHILD_WITH_DISABILITY]").contains("[RESIDENT]");
        assertThat(count("SELECT count(*) FROM entitlements WHERE holder_id = $1", resident)).isZero();
        assertThat(count("SELECT count(*) FROM outbox")).isEqualTo(outbox);
    }

    @Test
    void shouldEnforceTheIdpConditionForIdpMealsAndRecordIt() throws Exception
    {
        // an IDP with a certificate number but no date or arrival
        assertNotEligible(admin.post(WorkflowHarness.CENTER, API + "/entitlements",
            new JsonObject().put("holderId", idp).put("programId", 2)), "idp-condition");
        assertThat(admin.get(WorkflowHarness.AUDITOR, API + "/cardholders/" + idp + "/idp-status").json()
            .getBoolean("meetsCondition")).isFalse();
        // arrived before the full-scale invasion: not the guest card's IDP
        assertNotEligible(admin.put(WorkflowHarness.DISTRICT, API + "/cardholders/" + idp + "/idp-status",
            new JsonObject().put("certificate", "1234-5678901").put("certificateDate", "2021-06-01")
                .put("arrivedOn", "2021-05-15")), "idp-condition");
        final JsonObject status = admin.put(WorkflowHarness.DISTRICT, API + "/cardholders/" + idp + "/idp-status",
            new JsonObject().put("certificate", "1234-5678901").put("certificateDate", "2022-04-11")
                .put("arrivedOn", "2022-03-20")).json();
        assertThat(status.getBoolean("meetsCondition")).isTrue();
        assertThat(admin.put(WorkflowHarness.AUDITOR, API + "/cardholders/" + idp + "/idp-status",
            new JsonObject().put("certificate", "x").put("certificateDate", "2022-04-11").put("arrivedOn", "2022-03-20"))
            .status()).isEqualTo(403);
        assertThat(admin.post(WorkflowHarness.CENTER, API + "/entitlements",
            new JsonObject().put("holderId", idp).put("programId", 2)).status()).isEqualTo(201);
    }

    @Test
    void shouldRefuseACaseThatWouldGrantAProgramTheApplicantIsNotFor() throws Exception
    {
        admin.clock.set(at("2026-04-01"));
        JsonObject c = admin.post(WorkflowHarness.DISTRICT, API + "/cases", new JsonObject().put("serviceCode", "13")
            .put("cardVersion", 1).put("applicant", new JsonObject().put("holderId", resident))).json();
        for (int i = 0; i < 3; i++)
        {
            c = admin.post(WorkflowHarness.DISTRICT, API + "/cases/" + c.getString("id") + "/actions",
                new JsonObject().put("action", "ADVANCE").put("version", c.getLong("version"))).json();
        }
        admin.post(WorkflowHarness.DEPARTMENT, API + "/committee-sessions", new JsonObject()
            .put("committee", "CITY_EXECUTIVE_COMMITTEE").put("sessionDate", "2026-04-01"));
        c = admin.get(WorkflowHarness.DEPARTMENT, API + "/cases/" + c.getString("id")).json();
        assertThat(c.getString("stageNo")).isEqualTo("12");
        assertNotEligible(admin.post(WorkflowHarness.DEPARTMENT, API + "/cases/" + c.getString("id") + "/actions",
            new JsonObject().put("action", "PAY").put("version", c.getLong("version"))), "program-categories");
        final JsonObject unchanged = admin.get(WorkflowHarness.DEPARTMENT, API + "/cases/" + c.getString("id")).json();
        assertThat(unchanged.getString("stageNo")).isEqualTo("12");
        assertThat(unchanged.getLong("version")).isEqualTo(c.getLong("version"));
        assertThat(count("SELECT count(*) FROM entitlements WHERE holder_id = $1", resident)).isZero();
    }

    @Test
    void shouldIssueTheGuestCardOnlyToAnIdpWhoMeetsTheCondition() throws Exception
    {
        admin.clock.set(at("2026-05-04"));
        JsonObject c = admin.post(WorkflowHarness.DEPARTMENT, API + "/cases", new JsonObject().put("serviceCode", "8")
            .put("applicant", new JsonObject().put("familyName", "Мельник").put("givenName", "Оксана").put("idp", true)
                .put("idpCertificate", "0412-000777"))).json();
        for (int i = 0; i < 3; i++)
        {
            c = admin.post(WorkflowHarness.DEPARTMENT, API + "/cases/" + c.getString("id") + "/actions",
                new JsonObject().put("action", "ADVANCE").put("version", c.getLong("version"))).json();
        }
        assertThat(c.getString("stageNo")).isEqualTo("10");
        assertNotEligible(admin.post(WorkflowHarness.DEPARTMENT, API + "/cases/" + c.getString("id") + "/actions",
            new JsonObject().put("action", "ISSUE").put("cardId", 8_100_000_001L).put("version", c.getLong("version"))),
            "idp-condition");
        assertThat(count("SELECT count(*) FROM cards WHERE id = 8100000001")).isZero();
    }

    @Test
    void shouldServeAnIdpsSocialServicesDecisionAtOnce() throws Exception
    {
        admin.clock.set(at("2026-06-05")); // a Friday
        final JsonArray documents = new JsonArray().add("application").add("income-declaration").add("passport")
            .add("taxpayer-number");
        final JsonObject forIdp = admin.post(WorkflowHarness.DISTRICT, API + "/cases", new JsonObject()
            .put("serviceCode", "41-69").put("applicant", new JsonObject().put("holderId", idp).put("idp", true))
            .put("documentsReceived", documents)).json();
        assertThat(forIdp.getInteger("cardVersion")).isEqualTo(2);
        assertThat(forIdp.getBoolean("urgent")).isTrue();
        assertThat(forIdp.getString("totalDue")).isEqualTo("2026-06-08"); // «невідкладно»: the next working day
        assertThat(forIdp.getString("stageDue")).isEqualTo("2026-06-08");
        final JsonObject forResident = admin.post(WorkflowHarness.DISTRICT, API + "/cases", new JsonObject()
            .put("serviceCode", "41-69").put("applicant", new JsonObject().put("holderId", resident))
            .put("documentsReceived", documents)).json();
        assertThat(forResident.getBoolean("urgent")).isFalse();
        assertThat(forResident.getString("totalDue")).isEqualTo("2026-06-19"); // 10 working days
    }
}
