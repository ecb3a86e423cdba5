package io.tapswitch.admin.payment;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;

import io.tapswitch.admin.workflow.WorkflowHarness;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cash aid paid as money, over the REST API on a real PostgreSQL: No. 13 (aid to children with disabilities) walked
 * to its transfer stage orders a payment with its amount; nothing reaches the switch; the day's register for the
 * treasury lists it (CSV: UTF-8 with a BOM, semicolons, hryvnias and kopiyky, a total line); the treasury's answers
 * move it to PAID or RETURNED; the sums come by month, service and funding source. Bad orders change nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PaymentsApiTest
{
    private static final ZoneId KYIV = ZoneId.of("Europe/Kyiv");
    private static final String API = "/api/v1";
    static final String IBAN = "UA263220010000026201234567890";

    private WorkflowHarness admin;
    private long holderId;

    private static Instant at(final String date)
    {
        return LocalDate.parse(date).atTime(10, 0).atZone(KYIV).toInstant();
    }

    @BeforeAll
    void start(@TempDir final Path dir) throws Exception
    {
        admin = new WorkflowHarness(dir, at("2026-03-02"), new JsonObject());
        holderId = admin.sql("INSERT INTO cardholders (family_name, given_name, patronymic, categories, created_at, " +
            "updated_at) VALUES ('Шевченко', 'Марія', 'Іванівна', '{CHILD_WITH_DISABILITY}', now(), now()) RETURNING id")
            .iterator().next().getLong(0);
    }

    @AfterAll
    void stop() throws Exception
    {
        if (null != admin)
        {
            admin.close();
        }
    }

    private JsonObject act(final String token, final JsonObject c, final JsonObject action, final int expected)
        throws Exception
    {
        final WorkflowHarness.Reply reply = admin.post(token, API + "/cases/" + c.getString("id") + "/actions",
            action.put("version", c.getLong("version")));
        assertThat(reply.status()).as(reply.text()).isEqualTo(expected);
        return reply.json();
    }

    /** No. 13 v2 registered at the district and walked to its transfer stage (12). */
    private JsonObject aidAtTransfer(final String date) throws Exception
    {
        admin.clock.set(at(date));
        JsonObject c = admin.post(WorkflowHarness.DISTRICT, API + "/cases", new JsonObject().put("serviceCode", "13")
            .put("applicant", new JsonObject().put("holderId", holderId))).json();
        assertThat(c.getInteger("cardVersion")).isEqualTo(2);
        for (int i = 0; i < 3; i++)
        {
            c = act(WorkflowHarness.DISTRICT, c, new JsonObject().put("action", "ADVANCE"), 200);
        }
        final JsonObject session = admin.post(WorkflowHarness.DEPARTMENT, API + "/committee-sessions", new JsonObject()
            .put("committee", "CITY_EXECUTIVE_COMMITTEE").put("sessionDate", date)).json();
        for (final Object o : session.getJsonArray("items"))
        {
            if (((JsonObject)o).getString("id").equals(c.getString("id")))
            {
                c = (JsonObject)o;
            }
        }
        assertThat(c.getString("stageNo")).isEqualTo("12");
        return c;
    }

    private long outboxCount() throws Exception
    {
        return admin.sql("SELECT count(*) FROM outbox").iterator().next().getLong(0);
    }

    @Test
    void shouldPayCashAidAsMoneyOnTheDaysRegisterAndNeverSendItToTheSwitch() throws Exception
    {
        JsonObject c = aidAtTransfer("2026-03-10");
        final long outbox = outboxCount();
        c = act(WorkflowHarness.DEPARTMENT, c, new JsonObject().put("action", "PAY").put("payment", new JsonObject()
            .put("amountKopiyky", 250_000L).put("channel", "BANK").put("iban", IBAN)), 200);
        assertThat(c.getString("status")).isEqualTo("COMPLETED");
        assertThat(outboxCount()).as("cash never goes to the switch").isEqualTo(outbox);
        assertThat(admin.sql("SELECT count(*) FROM entitlements WHERE holder_id = $1", holderId).iterator().next()
            .getLong(0)).as("no kit entitlement for cash aid").isZero();

        final JsonObject payment = admin.get(WorkflowHarness.AUDITOR, API + "/payments?caseId=" + c.getString("id"))
            .json().getJsonArray("items").getJsonObject(0);
        assertThat(payment.getLong("amountKopiyky")).isEqualTo(250_000L);
        assertThat(payment.getString("currency")).isEqualTo("UAH");
        assertThat(payment.getString("payeeName")).isEqualTo("Шевченко Марія Іванівна");
        assertThat(payment.getString("status")).isEqualTo("ORDERED");
        assertThat(payment.getString("fundingSource")).isEqualTo("CITY_BUDGET");
        assertThat(payment.getString("orderedOn")).isEqualTo("2026-03-10");

        // a post transfer ordered the next day, for the same register
        JsonObject post = aidAtTransfer("2026-03-11");
        post = act(WorkflowHarness.DEPARTMENT, post, new JsonObject().put("action", "PAY").put("payment",
            new JsonObject().put("amountKopiyky", 100_005L).put("channel", "POST")
                .put("postAddress", "50000, м. Кривий Ріг, вул. Поштова, 1; кв. 2")), 200);

        // only the department forms the register
        assertThat(admin.post(WorkflowHarness.DISTRICT, API + "/payment-registers",
            new JsonObject().put("date", "2026-03-11")).status()).isEqualTo(403);
        final JsonObject register = admin.post(WorkflowHarness.DEPARTMENT, API + "/payment-registers",
            new JsonObject().put("date", "2026-03-11")).json();
        assertThat(register.getInteger("count")).isEqualTo(2);
        assertThat(register.getLong("totalKopiyky")).isEqualTo(350_005L);
        // forming it again sends nothing twice
        assertThat(admin.post(WorkflowHarness.DEPARTMENT, API + "/payment-registers",
            new JsonObject().put("date", "2026-03-11")).json().getInteger("count")).isEqualTo(2);

        final WorkflowHarness.Reply csv = admin.get(WorkflowHarness.AUDITOR, API + "/payment-registers/2026-03-11?format=csv");
        assertThat(csv.status()).isEqualTo(200);
        assertThat(csv.contentType()).startsWith("text/csv");
        assertThat(csv.text()).startsWith("\uFEFF№ з/п;Дата реєстру;Отримувач;");
        final String[] lines = csv.text().split("\r\n");
        assertThat(lines).hasSize(4);
        assertThat(lines[1]).startsWith("1;2026-03-11;Шевченко Марія Іванівна;;банківський рахунок;" + IBAN + ";;2500,00;250000;")
            .contains(";13;" + c.getString("id") + ";");
        assertThat(lines[2]).contains(";поштовий переказ;;\"50000, м. Кривий Ріг, вул. Поштова, 1; кв. 2\";1000,05;100005;");
        assertThat(lines[3]).startsWith("Разом;2026-03-11;виплат: 2;;;;;3500,05;350005;");

        final long paymentId = payment.getLong("id");
        final long postId = admin.get(WorkflowHarness.AUDITOR, API + "/payments?caseId=" + post.getString("id")).json()
            .getJsonArray("items").getJsonObject(0).getLong("id");
        assertThat(admin.post(WorkflowHarness.DEPARTMENT, API + "/payments/" + paymentId + "/paid", new JsonObject())
            .json().getString("status")).isEqualTo("PAID");
        assertThat(admin.post(WorkflowHarness.DEPARTMENT, API + "/payments/" + paymentId + "/paid", new JsonObject())
            .status()).as("paid once").isEqualTo(409);
        assertThat(admin.post(WorkflowHarness.DEPARTMENT, API + "/payments/" + postId + "/returned",
            new JsonObject().put("reason", "адресата не знайдено")).json().getString("status")).isEqualTo("RETURNED");

        final JsonArray rows = admin.get(WorkflowHarness.AUDITOR, API + "/reports/payments?from=2026-03-01&to=2026-03-31")
            .json().getJsonArray("rows");
        assertThat(rows).hasSize(1);
        final JsonObject sums = rows.getJsonObject(0);
        assertThat(sums.getString("month")).isEqualTo("2026-03");
        assertThat(sums.getString("serviceCode")).isEqualTo("13");
        assertThat(sums.getString("fundingSource")).isEqualTo("CITY_BUDGET");
        assertThat(sums.getLong("payments")).isEqualTo(2L);
        assertThat(sums.getLong("orderedKopiyky")).isEqualTo(350_005L);
        assertThat(sums.getLong("paidKopiyky")).isEqualTo(250_000L);
        assertThat(sums.getLong("returnedKopiyky")).isEqualTo(100_005L);
        final String reportCsv = admin.get(WorkflowHarness.AUDITOR,
            API + "/reports/payments?from=2026-03-01&to=2026-03-31&format=csv").text();
        assertThat(reportCsv).startsWith("\uFEFFmonth,serviceCode,fundingSource,");
    }

    @Test
    void shouldRefuseABadPaymentOrderChangingNothing() throws Exception
    {
        final JsonObject c = aidAtTransfer("2026-05-04");
        final long before = admin.sql("SELECT count(*) FROM payments").iterator().next().getLong(0);
        // no payment at all, a bad IBAN checksum, a zero amount, post without an address
        act(WorkflowHarness.DEPARTMENT, c, new JsonObject().put("action", "PAY"), 422);
        final JsonObject badIban = act(WorkflowHarness.DEPARTMENT, c, new JsonObject().put("action", "PAY")
            .put("payment", new JsonObject().put("amountKopiyky", 1000L).put("channel", "BANK")
                .put("iban", "UA273220010000026201234567890")), 422);
        assertThat(badIban.getString("detail")).contains("IBAN");
        act(WorkflowHarness.DEPARTMENT, c, new JsonObject().put("action", "PAY")
            .put("payment", new JsonObject().put("amountKopiyky", 0L).put("channel", "BANK").put("iban", IBAN)), 400);
        act(WorkflowHarness.DEPARTMENT, c, new JsonObject().put("action", "PAY")
            .put("payment", new JsonObject().put("amountKopiyky", 1000L).put("channel", "POST")), 422);
        assertThat(admin.sql("SELECT count(*) FROM payments").iterator().next().getLong(0)).isEqualTo(before);
        final Row stored = admin.sql("SELECT status, stage_no FROM cases WHERE id = $1", c.getString("id")).iterator().next();
        assertThat(stored.getString(0)).isEqualTo("ACTIVE");
        assertThat(stored.getString(1)).isEqualTo("12");
    }

    @Test
    void shouldPayAUtilityCompensationToTheProviderOnly() throws Exception
    {
        admin.clock.set(at("2026-06-01"));
        JsonObject c = admin.post(WorkflowHarness.DISTRICT, API + "/cases", new JsonObject().put("serviceCode", "15")
            .put("applicant", new JsonObject().put("holderId", holderId))).json();
        for (int i = 0; i < 3; i++)
        {
            c = act(WorkflowHarness.DISTRICT, c, new JsonObject().put("action", "ADVANCE"), 200);
        }
        admin.post(WorkflowHarness.DEPARTMENT, API + "/committee-sessions", new JsonObject()
            .put("committee", "CITY_EXECUTIVE_COMMITTEE").put("sessionDate", "2026-06-01"));
        c = admin.get(WorkflowHarness.DEPARTMENT, API + "/cases/" + c.getString("id")).json();
        assertThat(c.getString("stageNo")).isEqualTo("12");
        final JsonObject toApplicant = act(WorkflowHarness.DEPARTMENT, c, new JsonObject().put("action", "PAY")
            .put("payment", new JsonObject().put("amountKopiyky", 45_000L).put("channel", "BANK").put("iban", IBAN)), 422);
        assertThat(toApplicant.getString("detail")).contains("service provider");
        c = act(WorkflowHarness.DEPARTMENT, c, new JsonObject().put("action", "PAY").put("payment", new JsonObject()
            .put("amountKopiyky", 45_000L).put("channel", "BANK").put("iban", IBAN)
            .put("payeeName", "КП «Кривбасводоканал»").put("payeeCode", "03341316")), 200);
        final JsonObject payment = admin.get(WorkflowHarness.AUDITOR, API + "/payments?caseId=" + c.getString("id"))
            .json().getJsonArray("items").getJsonObject(0);
        assertThat(payment.getString("payee")).isEqualTo("PROVIDER");
        assertThat(payment.getString("payeeName")).isEqualTo("КП «Кривбасводоканал»");
        assertThat(payment.getString("payeeCode")).isEqualTo("03341316");
    }
}
