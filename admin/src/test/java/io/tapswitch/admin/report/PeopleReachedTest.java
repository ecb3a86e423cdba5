package io.tapswitch.admin.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Map;

import io.tapswitch.admin.workflow.WorkflowHarness;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * People reached, not taps: two members of one household and a single person tap aid and meals at two outlets over
 * two months; the report counts each person and household once per month, program, donor and outlet, drops a
 * person whose only tap was reversed, and gives every level its own distinct counts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PeopleReachedTest
{
    private static final ZoneId KYIV = ZoneId.of("Europe/Kyiv");
    private WorkflowHarness admin;
    private long receipt = 1;

    @BeforeAll
    void start(@TempDir final Path dir) throws Exception
    {
        admin = new WorkflowHarness(dir, Instant.parse("2026-05-01T08:00:00Z"), new JsonObject());
        admin.sql("INSERT INTO programs (id, name, kind, funding, donor, unit, period, quota, created_at, updated_at) VALUES " +
            "(1, 'Продуктовий набір', 'AID', 'DONOR', 'UNICEF', 'PERSON', 'MONTH', 5, now(), now()), " +
            "(2, 'Обід ВПО', 'MEAL', 'CITY_BUDGET', NULL, 'PERSON', 'DAY', 1, now(), now())");
        admin.sql("INSERT INTO outlets (id, name, kind, created_at, updated_at) VALUES (1, 'Пункт 1', 'DISTRIBUTION_POINT', " +
            "now(), now()), (2, 'Пункт 2', 'DISTRIBUTION_POINT', now(), now()), (3, 'Їдальня школи № 5', 'CANTEEN', now(), now())");
        admin.sql("INSERT INTO households (id, address, created_at, updated_at) VALUES (1, 'вул. Миру, 1', now(), now())");
        admin.sql("INSERT INTO cardholders (id, household_id, family_name, given_name, created_at, updated_at) VALUES " +
            "(101, 1, 'Коваль', 'Ірина', now(), now()), (102, 1, 'Коваль', 'Петро', now(), now()), " +
            "(103, NULL, 'Бондар', 'Олена', now(), now())");
        tap("TAP", "2026-03-02", 1, 101, 1, 1);
        tap("TAP", "2026-03-09", 1, 101, 1, 1);          // the same person twice: once
        tap("TAP", "2026-03-03", 2, 102, 1, 1);          // the same household at another outlet
        tap("TAP", "2026-03-04", 1, 103, 1, 1);
        tap("REVERSAL", "2026-03-04", 1, 103, 1, 1);     // handed back: not reached
        tap("TAP", "2026-03-05", 3, 103, 2, 1);          // a meal
        tap("TAP", "2026-03-31T23:30:00+03:00", 1, 103, 2, 1); // a meal recorded at outlet 1, late on 31 March
        tap("TAP", "2026-04-01T00:30:00+03:00", 1, 101, 1, 1); // 1 April in Kyiv, still 31 March in UTC
    }

    @AfterAll
    void stop() throws Exception
    {
        if (null != admin)
        {
            admin.close();
        }
    }

    private void tap(final String type, final String when, final int outlet, final long holder, final int program,
        final int quantity) throws Exception
    {
        final java.time.OffsetDateTime at = when.length() == 10 ?
            LocalDate.parse(when).atTime(11, 0).atZone(KYIV).toOffsetDateTime() : java.time.OffsetDateTime.parse(when);
        admin.sql("INSERT INTO taps (receipt, type, decided_at, terminal_id, outlet_id, correlation, card_id, holder_id, " +
                "program_id, quantity, offline, decision, reason, remaining, journal_index) VALUES ($1, $2, $3, 1, $4, $1, " +
                "$5, $5, $6, $7, false, 'APPROVED', 'NONE', 0, $1)",
            receipt++, type, at, outlet, holder, program, quantity);
    }

    @Test
    void shouldCountDistinctPersonsAndHouseholdsPerMonthProgramDonorAndOutlet() throws Exception
    {
        final WorkflowHarness.Reply reply = admin.get(WorkflowHarness.AUDITOR,
            "/api/v1/reports/people-reached?from=2026-03-01&to=2026-04-30");
        assertThat(reply.status()).as(reply.text()).isEqualTo(200);
        final Map<String, JsonObject> rows = new HashMap<>();
        for (final Object o : reply.json().getJsonArray("rows"))
        {
            final JsonObject row = (JsonObject)o;
            rows.put(row.getString("month") + " " + row.getString("level") + " " + row.getString("kind") + " " +
                row.getValue("programId") + " " + row.getValue("donor") + " " + row.getValue("outletId"), row);
        }
        // March, aid: outlet 1 reached Ірина (Олена's tap was reversed), outlet 2 Петро — one household
        assertReached(rows, "2026-03 OUTLET AID 1 UNICEF 1", 1, 1);
        assertReached(rows, "2026-03 OUTLET AID 1 UNICEF 2", 1, 1);
        assertReached(rows, "2026-03 PROGRAM AID 1 UNICEF null", 2, 1);
        assertReached(rows, "2026-03 DONOR AID null UNICEF null", 2, 1);
        assertReached(rows, "2026-03 KIND AID null null null", 2, 1);
        // March, meals: Олена twice (5 and 31 March in Kyiv), a household of one
        assertReached(rows, "2026-03 OUTLET MEAL 2 null 3", 1, 1);
        assertReached(rows, "2026-03 OUTLET MEAL 2 null 1", 1, 1);
        assertReached(rows, "2026-03 PROGRAM MEAL 2 null null", 1, 1);
        assertReached(rows, "2026-03 KIND MEAL null null null", 1, 1);
        // April in Kyiv: Ірина at outlet 1
        assertReached(rows, "2026-04 OUTLET AID 1 UNICEF 1", 1, 1);
        assertReached(rows, "2026-03 DONOR MEAL null null null", 1, 1);
        assertReached(rows, "2026-04 KIND AID null null null", 1, 1);
        // March: 5 aid rows and 5 meal rows; April: one outlet, its program, donor and kind
        assertThat(rows).hasSize(14);
        assertThat(rows.get("2026-03 OUTLET AID 1 UNICEF 1").getLong("quantity")).isEqualTo(2L);

        final String csv = admin.get(WorkflowHarness.AUDITOR,
            "/api/v1/reports/people-reached?from=2026-03-01&to=2026-03-31&format=csv").text();
        assertThat(csv.split("\r\n")[0]).isEqualTo(String.join(",", PeopleReachedModule.COLUMNS));
        assertThat(admin.get(WorkflowHarness.OPERATOR, "/api/v1/reports/people-reached?from=2026-03-01&to=2026-03-31")
            .status()).isEqualTo(403);
    }

    private static void assertReached(final Map<String, JsonObject> rows, final String key, final long persons,
        final long households)
    {
        assertThat(rows).as(key + " in " + rows.keySet()).containsKey(key);
        assertThat(rows.get(key).getLong("persons")).as(key).isEqualTo(persons);
        assertThat(rows.get(key).getLong("households")).as(key).isEqualTo(households);
    }
}
