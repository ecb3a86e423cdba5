package io.tapswitch.admin.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import io.tapswitch.admin.AdminHarness;
import io.tapswitch.admin.TestPostgres;
import io.tapswitch.admin.db.EmbeddedDatabase;
import io.tapswitch.admin.demo.AdminDemoLoader;
import io.tapswitch.admin.demo.DemoPeople;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Search for people and cases on the demo's people (DEMO-DATA.md, People): misspelt Ukrainian names, apostrophes,
 * ґ, exact tax number, IDP certificate and birth date, paging, the district scope and the audit record.
 */
class SearchApiTest
{
    private static final long OLENA = 1_000_001L;
    @TempDir
    static Path dataDir;
    @TempDir
    static Path switchDir;
    private static AdminHarness admin;
    private static String district;

    @BeforeAll
    static void start() throws Exception
    {
        admin = new AdminHarness(TestPostgres.newDatabase(), dataDir, switchDir).start();
        AdminDemoLoader.load(admin.service(), 600, 2);
        admin.post("/api/v1/accounts", AdminHarness.ADMIN, new JsonObject().put("username", "district.one")
            .put("displayName", "Тарас").put("roles", new JsonArray().add("district_specialist")).put("workplace", "SOCIAL_PROTECTION_UNIT")
            .put("district", DemoPeople.district(1)).put("password", "district password 1"));
        district = admin.post("/api/v1/sessions", null, new JsonObject().put("username", "district.one")
            .put("password", "district password 1")).json().getString("token");
    }

    @AfterAll
    static void stop() throws Exception
    {
        admin.close();
    }

    private static JsonArray people(final String token, final String query) throws Exception
    {
        final AdminHarness.Response response = admin.get("/api/v1/search/people?" + query, token);
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        return response.json().getJsonArray("items");
    }

    private static String q(final String text)
    {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    @Test
    void shouldFindAPersonByAMisspeltNameBestMatchFirst() throws Exception
    {
        final JsonArray hits = people(AdminHarness.ADMIN, "name=" + q("Шевчнко Олена"));
        assertThat(hits).isNotEmpty();
        final JsonObject best = hits.getJsonObject(0);
        assertThat(best.getString("familyName")).isEqualTo("Шевченко");
        assertThat(best.getString("givenName")).isEqualTo("Олена");
        // every Шевченко Олена comes before anyone else
        final List<String> names = new ArrayList<>();
        hits.forEach(h -> names.add(((JsonObject)h).getString("familyName") + " " + ((JsonObject)h).getString("givenName")));
        final int lastExact = names.lastIndexOf("Шевченко Олена");
        assertThat(names.subList(0, lastExact + 1)).containsOnly("Шевченко Олена");
        assertThat(names).doesNotContain("Шевчук Олена");
        // capitals and a dropped letter; ґ written as г
        assertThat(people(AdminHarness.ADMIN, "name=" + q("ПОЛІЩК Ґалина")).getJsonObject(0).getString("familyName"))
            .isEqualTo("Поліщук");
        final JsonObject galyna = people(AdminHarness.ADMIN, "name=" + q("Поліщук Галина")).getJsonObject(0);
        assertThat(galyna.getString("familyName") + " " + galyna.getString("givenName")).isEqualTo("Поліщук Ґалина");
        assertThat(people(AdminHarness.ADMIN, "name=" + q("Zzyzx")).isEmpty()).isTrue();
    }

    @Test
    void shouldIgnoreTheFormOfTheApostrophe() throws Exception
    {
        final long household = admin.post("/api/v1/households", AdminHarness.ADMIN, new JsonObject().put("district", "Інгулецький"))
            .json().getLong("id");
        final long id = admin.post("/api/v1/cardholders", AdminHarness.ADMIN, new JsonObject().put("householdId", household)
            .put("familyName", "Григор'єва").put("givenName", "Мар'яна")).json().getLong("id");
        for (final String form : List.of("Марʼяна Григорʼєва", "Мар’яна Григор’єва", "Маряна Григорєва", "мар'яна григор'єва"))
        {
            assertThat(people(AdminHarness.ADMIN, "name=" + q(form)).getJsonObject(0).getLong("id")).as(form).isEqualTo(id);
        }
    }

    @Test
    void shouldFindByTaxNumberIdpCertificateAndBirthDate() throws Exception
    {
        final JsonArray byTax = people(AdminHarness.ADMIN, "taxNumber=" + DemoPeople.taxNumber(OLENA + 7));
        assertThat(byTax).hasSize(1);
        assertThat(byTax.getJsonObject(0).getLong("id")).isEqualTo(OLENA + 7);
        // household 5 is displaced: its three members carry certificate 0101-5
        final JsonArray byCertificate = people(AdminHarness.ADMIN, "idpCertificate=0101-5");
        assertThat(byCertificate).hasSize(3);
        byCertificate.forEach(h -> assertThat(((JsonObject)h).getLong("householdId")).isEqualTo(5L));
        final JsonArray byBirth = people(AdminHarness.ADMIN, "birthDate=" + DemoPeople.birthDate(OLENA + 3) + "&name=" +
            q(DemoPeople.familyName(2)));
        assertThat(byBirth).extracting(h -> ((JsonObject)h).getLong("id")).contains(OLENA + 3);
        assertThat(admin.get("/api/v1/search/people", AdminHarness.ADMIN).status()).isEqualTo(400);
        assertThat(admin.get("/api/v1/search/people?taxNumber=12ab", AdminHarness.ADMIN).status()).isEqualTo(400);
    }

    @Test
    void shouldPageAndStayInTheCallersDistrict() throws Exception
    {
        final AdminHarness.Response first = admin.get("/api/v1/search/people?limit=2&name=" + q("Шевченко"), AdminHarness.ADMIN);
        final String cursor = first.json().getString("nextCursor");
        assertThat(cursor).isNotNull();
        final JsonArray second = admin.get("/api/v1/search/people?limit=2&cursor=" + cursor + "&name=" + q("Шевченко"),
            AdminHarness.ADMIN).json().getJsonArray("items");
        assertThat(second).hasSize(2);
        assertThat(second.getJsonObject(0).getLong("id")).isNotIn(first.json().getJsonArray("items").getJsonObject(0).getLong("id"),
            first.json().getJsonArray("items").getJsonObject(1).getLong("id"));

        final JsonArray all = people(AdminHarness.ADMIN, "limit=500&name=" + q("Шевченко"));
        final JsonArray mine = people(district, "limit=500&name=" + q("Шевченко"));
        assertThat(mine).isNotEmpty();
        assertThat(mine.size()).isLessThan(all.size());
        mine.forEach(h -> assertThat(((JsonObject)h).getString("district")).isEqualTo(DemoPeople.district(1)));
        // another district's person, by tax number: not there for the district specialist
        final long elsewhere = OLENA + 3; // household 2
        assertThat(DemoPeople.district(2)).isNotEqualTo(DemoPeople.district(1));
        assertThat(people(district, "taxNumber=" + DemoPeople.taxNumber(elsewhere))).isEmpty();
        assertThat(admin.count("SELECT count(*) FROM audit_log WHERE actor = 'district.one' AND action = 'cardholder.search'"))
            .isGreaterThanOrEqualTo(2);
    }

    @Test
    void shouldFindCasesByApplicantAndStatus() throws Exception
    {
        final AdminHarness.Response registered = admin.post("/api/v1/cases", AdminHarness.DEPARTMENT, new JsonObject()
            .put("serviceCode", "8").put("applicant", new JsonObject().put("holderId", OLENA)));
        assertThat(registered.status()).as(registered.text()).isEqualTo(201);
        final String caseId = registered.json().getString("id");
        final JsonArray hits = admin.get("/api/v1/search/cases?applicant=" + q("Шевчнко"), AdminHarness.ADMIN).json().getJsonArray("items");
        assertThat(hits).extracting(h -> ((JsonObject)h).getString("id")).contains(caseId);
        assertThat(hits.getJsonObject(0).getString("applicantName")).startsWith("Шевченко Олена");
        assertThat(admin.get("/api/v1/search/cases?status=COMPLETED&applicant=" + q("Шевченко"), AdminHarness.ADMIN).json()
            .getJsonArray("items")).extracting(h -> ((JsonObject)h).getString("id")).doesNotContain(caseId);
        assertThat(admin.get("/api/v1/search/cases?status=ACTIVE", district).json().getJsonArray("items"))
            .extracting(h -> ((JsonObject)h).getString("id")).contains(caseId);
    }

    @Test
    void shouldAnswerANameSearchFromTheTrigramIndex() throws Exception
    {
        try (Connection conn = DriverManager.getConnection("jdbc:" + admin.dbUrl().replace("postgres@", ""), EmbeddedDatabase.USER, null);
            Statement statement = conn.createStatement())
        {
            statement.execute("SET enable_seqscan = off");
            final StringBuilder plan = new StringBuilder();
            try (ResultSet rs = statement.executeQuery("EXPLAIN SELECT id FROM cardholders c WHERE person_search_name('шевчнко', NULL, NULL) " +
                "<<% person_search_name(c.family_name, c.given_name, c.patronymic)"))
            {
                while (rs.next())
                {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
            assertThat(plan.toString()).contains("cardholders_name_trgm");
        }
    }
}
