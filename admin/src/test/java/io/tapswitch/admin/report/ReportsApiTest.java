package io.tapswitch.admin.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import io.tapswitch.admin.workflow.WorkflowHarness;
import io.tapswitch.admin.TestJournalWriter;
import io.tapswitch.formats.journal.JournalRecord;
import io.tapswitch.formats.Queues;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reports against figures the test computes itself from the tap stream it wrote to a real switch journal (read
 * by the admin's ingester) and from the case actions it took through the REST API.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReportsApiTest
{
    private static final ZoneId KYIV = ZoneId.of("Europe/Kyiv");
    private static final String API = "/api/v1";
    private static final int AID_CITY = 1;
    private static final int AID_DONOR = 2;
    private static final int LUNCH = 3;
    private static final int BREAKFAST = 4;
    private static final int[] AID_OUTLETS = { 1, 2 };
    private static final int[] CANTEENS = { 6, 7 };
    private static final int[] SCHOOL_OF_CANTEEN = { 0, 0, 0, 0, 0, 0, 11, 12 };

    private WorkflowHarness admin;
    private final List<Tap> taps = new ArrayList<>();
    private final List<Reversal> reversals = new ArrayList<>();

    /** A tap the test wrote: as the switch would have decided it. */
    private record Tap(long receipt, Instant decidedAt, Instant servedAt, int outletId, int programId, int quantity,
        boolean offline, int decision, int reason)
    {
        LocalDate day()
        {
            return (offline ? servedAt : decidedAt).atZone(KYIV).toLocalDate();
        }

        boolean handedOut()
        {
            return decision == 0 || decision == 2;
        }
    }

    /** A reversal of an earlier handed-out tap. */
    private record Reversal(long receipt, Instant decidedAt, Tap original)
    {
        LocalDate day()
        {
            return decidedAt.atZone(KYIV).toLocalDate();
        }
    }

    private static Instant at(final String dateTime)
    {
        return LocalDateTime.parse(dateTime).atZone(KYIV).toInstant();
    }

    @BeforeAll
    void start(@TempDir final Path dir) throws Exception
    {
        final long seed = System.nanoTime();
        System.out.println("ReportsApiTest seed " + seed);
        admin = new WorkflowHarness(dir, at("2026-03-02T09:00"), new JsonObject());
        writeJournal(dir.resolve("switch"), new Random(seed));
        admin.sql("INSERT INTO institutions (id, name, kind, created_at, updated_at) VALUES " +
            "(10, 'Соцзахист', 'SOCIAL_SERVICE', now(), now()), (11, 'Ліцей № 1', 'SCHOOL', now(), now()), " +
            "(12, 'Гімназія № 2', 'SCHOOL', now(), now())");
        admin.sql("INSERT INTO programs (id, name, kind, funding, donor, unit, period, quota, created_at, updated_at) VALUES " +
            "(1, 'Продуктовий набір', 'AID', 'CITY_BUDGET', NULL, 'HOUSEHOLD', 'MONTH', 1, now(), now()), " +
            "(2, 'Гігієнічний набір', 'AID', 'DONOR', 'Demo Donor', 'PERSON', 'MONTH', 2, now(), now()), " +
            "(3, 'Обід', 'MEAL', 'CITY_BUDGET', NULL, 'PERSON', 'DAY', 1, now(), now()), " +
            "(4, 'Сніданок', 'MEAL', 'CITY_BUDGET', NULL, 'PERSON', 'DAY', 1, now(), now())");
        admin.sql("INSERT INTO outlets (id, institution_id, name, kind, created_at, updated_at) VALUES " +
            "(1, 10, 'Пункт видачі 1', 'DISTRIBUTION_POINT', now(), now()), " +
            "(2, 10, 'Пункт видачі 2', 'DISTRIBUTION_POINT', now(), now()), " +
            "(6, 11, 'Їдальня ліцею № 1', 'CANTEEN', now(), now()), " +
            "(7, 12, 'Їдальня гімназії № 2', 'CANTEEN', now(), now())");
        final long expected = taps.size() + reversals.size();
        final long deadlineMs = System.currentTimeMillis() + 30_000;
        long ingested = 0;
        while (ingested < expected && System.currentTimeMillis() < deadlineMs)
        {
            ingested = admin.sql("SELECT count(*) FROM taps").iterator().next().getLong(0);
        }
        assertThat(ingested).isEqualTo(expected);
    }

    @AfterAll
    void stop() throws Exception
    {
        if (null != admin)
        {
            admin.close();
        }
    }

    private void writeJournal(final Path switchDir, final Random random)
    {
        long sequence = 0;
        try (SingleChronicleQueue queue = Queues.open(Queues.journalDir(switchDir));
            TestJournalWriter writer = new TestJournalWriter(queue))
        {
            final List<Tap> handed = new ArrayList<>();
            for (int day = 2; day <= 4; day++)
            {
                for (int i = 0; i < 60; i++)
                {
                    final boolean meal = random.nextBoolean();
                    final int program = meal ? (random.nextBoolean() ? LUNCH : BREAKFAST) :
                        (random.nextBoolean() ? AID_CITY : AID_DONOR);
                    final int outlet = meal ? CANTEENS[random.nextInt(2)] : AID_OUTLETS[random.nextInt(2)];
                    final Instant decided = at(String.format("2026-03-%02dT%02d:%02d", day, 8 + random.nextInt(10),
                        random.nextInt(60)));
                    final int roll = random.nextInt(10);
                    final boolean offline = roll >= 7;
                    final int decision = offline ? (roll == 9 ? 2 : 0) : (roll < 5 ? 0 : 1);
                    final int reason = decision == 1 ? 5 : decision == 2 ? 5 : 0;
                    // an offline tap served just before midnight and decided the next morning counts on its day
                    final Instant served = offline ? decided.minusSeconds(3600L * (9 + random.nextInt(3))) : decided;
                    final Tap tap = new Tap(++sequence, decided, served, outlet, program, 1 + random.nextInt(2), offline,
                        decision, reason);
                    taps.add(tap);
                    writeTap(writer, tap);
                    if (tap.handedOut())
                    {
                        handed.add(tap);
                    }
                }
            }
            for (int i = 0; i < 8; i++)
            {
                final Tap original = handed.get(random.nextInt(handed.size()));
                if (reversals.stream().anyMatch(r -> r.original() == original))
                {
                    continue;
                }
                final Reversal reversal = new Reversal(++sequence, original.decidedAt().plusSeconds(120), original);
                reversals.add(reversal);
                writeReversal(writer, reversal);
            }
        }
    }

    private static void writeTap(final TestJournalWriter writer, final Tap tap)
    {
        final UnsafeBuffer b = writer.buffer();
        writer.header(JournalRecord.TYPE_TAP, JournalRecord.TAP_LENGTH, tap.receipt(), tap.decidedAt().toEpochMilli());
        b.putLong(JournalRecord.TERMINAL_ID_OFFSET, tap.outletId(), ByteOrder.LITTLE_ENDIAN);
        b.putInt(JournalRecord.CORRELATION_OFFSET, (int)tap.receipt(), ByteOrder.LITTLE_ENDIAN);
        b.putInt(JournalRecord.OUTLET_ID_OFFSET, tap.outletId(), ByteOrder.LITTLE_ENDIAN);
        b.putLong(JournalRecord.CARD_ID_OFFSET, 1_000_000 + tap.receipt(), ByteOrder.LITTLE_ENDIAN);
        b.putLong(JournalRecord.HOLDER_ID_OFFSET, tap.receipt(), ByteOrder.LITTLE_ENDIAN);
        b.putInt(JournalRecord.TAP_REQUESTED_PROGRAM_ID_OFFSET, tap.programId(), ByteOrder.LITTLE_ENDIAN);
        b.putInt(JournalRecord.PROGRAM_ID_OFFSET, tap.programId(), ByteOrder.LITTLE_ENDIAN);
        b.putShort(JournalRecord.TAP_QUANTITY_OFFSET, (short)tap.quantity(), ByteOrder.LITTLE_ENDIAN);
        b.putShort(JournalRecord.TAP_FLAGS_OFFSET, (short)(tap.offline() ? 1 : 0), ByteOrder.LITTLE_ENDIAN);
        b.putByte(JournalRecord.DECISION_OFFSET, (byte)tap.decision());
        b.putByte(JournalRecord.REASON_OFFSET, (byte)tap.reason());
        b.putShort(JournalRecord.REASON_OFFSET + 1, (short)0, ByteOrder.LITTLE_ENDIAN);
        b.putInt(JournalRecord.REMAINING_OFFSET, 0, ByteOrder.LITTLE_ENDIAN);
        b.putInt(JournalRecord.TAP_TAKEN_OFFSET, tap.handedOut() ? tap.quantity() : 0, ByteOrder.LITTLE_ENDIAN);
        b.putLong(JournalRecord.TAP_TERMINAL_TIME_MS_OFFSET, tap.offline() ? tap.servedAt().toEpochMilli() : 0,
            ByteOrder.LITTLE_ENDIAN);
        writer.append(JournalRecord.TAP_LENGTH);
    }

    private static void writeReversal(final TestJournalWriter writer, final Reversal reversal)
    {
        final Tap tap = reversal.original();
        final UnsafeBuffer b = writer.buffer();
        writer.header(JournalRecord.TYPE_REVERSAL, JournalRecord.REVERSAL_LENGTH, reversal.receipt(),
            reversal.decidedAt().toEpochMilli());
        b.putLong(JournalRecord.TERMINAL_ID_OFFSET, tap.outletId(), ByteOrder.LITTLE_ENDIAN);
        b.putInt(JournalRecord.CORRELATION_OFFSET, (int)reversal.receipt(), ByteOrder.LITTLE_ENDIAN);
        b.putInt(JournalRecord.OUTLET_ID_OFFSET, tap.outletId(), ByteOrder.LITTLE_ENDIAN);
        b.putLong(JournalRecord.CARD_ID_OFFSET, 1_000_000 + tap.receipt(), ByteOrder.LITTLE_ENDIAN);
        b.putLong(JournalRecord.HOLDER_ID_OFFSET, tap.receipt(), ByteOrder.LITTLE_ENDIAN);
        b.putInt(JournalRecord.REVERSAL_ORIGINAL_CORRELATION_OFFSET, (int)tap.receipt(), ByteOrder.LITTLE_ENDIAN);
        b.putInt(JournalRecord.PROGRAM_ID_OFFSET, tap.programId(), ByteOrder.LITTLE_ENDIAN);
        b.putInt(JournalRecord.REVERSAL_RESTORED_OFFSET, tap.quantity(), ByteOrder.LITTLE_ENDIAN);
        b.putByte(JournalRecord.DECISION_OFFSET, (byte)0);
        b.putByte(JournalRecord.REASON_OFFSET, (byte)0);
        b.putShort(JournalRecord.REASON_OFFSET + 1, (short)0, ByteOrder.LITTLE_ENDIAN);
        b.putInt(JournalRecord.REMAINING_OFFSET, 0, ByteOrder.LITTLE_ENDIAN);
        b.putInt(JournalRecord.REVERSAL_LENGTH - 12, 0, ByteOrder.LITTLE_ENDIAN);
        b.putLong(JournalRecord.REVERSAL_ORIGINAL_RECEIPT_OFFSET, tap.receipt(), ByteOrder.LITTLE_ENDIAN);
        writer.append(JournalRecord.REVERSAL_LENGTH);
    }

    private JsonArray rows(final String path) throws Exception
    {
        final WorkflowHarness.Reply reply = admin.get(WorkflowHarness.AUDITOR, API + path);
        assertThat(reply.status()).as(reply.text()).isEqualTo(200);
        return reply.json().getJsonArray("rows");
    }

    @Test
    void shouldReportAidByDayProgramDonorAndOutletNetOfReversals() throws Exception
    {
        final Map<String, long[]> expected = new TreeMap<>();
        for (final Tap tap : taps)
        {
            if ((tap.programId() == AID_CITY || tap.programId() == AID_DONOR) && tap.handedOut())
            {
                final long[] v = expected.computeIfAbsent(tap.day() + "/" + tap.programId() + "/" + tap.outletId(),
                    k -> new long[3]);
                v[0]++;
                v[2] += tap.quantity();
            }
        }
        for (final Reversal reversal : reversals)
        {
            final Tap tap = reversal.original();
            if (tap.programId() == AID_CITY || tap.programId() == AID_DONOR)
            {
                final long[] v = expected.computeIfAbsent(reversal.day() + "/" + tap.programId() + "/" + tap.outletId(),
                    k -> new long[3]);
                v[1]++;
                v[2] -= tap.quantity();
            }
        }
        // persons reached per row: holders (each tap here has its own) whose taps there, net of reversals, handed
        // something out; none has a household, so households = persons
        final Map<String, Map<Long, Long>> net = new TreeMap<>();
        for (final Tap tap : taps)
        {
            if ((tap.programId() == AID_CITY || tap.programId() == AID_DONOR) && tap.handedOut())
            {
                net.computeIfAbsent(tap.day() + "/" + tap.programId() + "/" + tap.outletId(), k -> new HashMap<>())
                    .merge(tap.receipt(), (long)tap.quantity(), Long::sum);
            }
        }
        for (final Reversal reversal : reversals)
        {
            final Tap tap = reversal.original();
            if (tap.programId() == AID_CITY || tap.programId() == AID_DONOR)
            {
                net.computeIfAbsent(reversal.day() + "/" + tap.programId() + "/" + tap.outletId(), k -> new HashMap<>())
                    .merge(tap.receipt(), (long)-tap.quantity(), Long::sum);
            }
        }
        final Map<String, long[]> actual = new TreeMap<>();
        for (final Object o : rows("/reports/aid?from=2026-03-01&to=2026-03-31"))
        {
            final JsonObject row = (JsonObject)o;
            final String key = row.getString("day") + "/" + row.getInteger("programId") + "/" + row.getInteger("outletId");
            actual.put(key, new long[]{ row.getLong("taps"), row.getLong("reversals"), row.getLong("quantity") });
            final long persons = net.getOrDefault(key, Map.of()).values().stream().filter(q -> q > 0).count();
            assertThat(row.getLong("persons")).as("persons " + key).isEqualTo(persons);
            assertThat(row.getLong("households")).as("households " + key).isEqualTo(persons);
            assertThat(row.getString("donor")).isEqualTo(row.getInteger("programId") == AID_DONOR ? "Demo Donor" : null);
        }
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        for (final Map.Entry<String, long[]> entry : expected.entrySet())
        {
            assertThat(actual.get(entry.getKey())).as(entry.getKey()).containsExactly(entry.getValue());
        }

        final JsonArray oneDay = rows("/reports/aid?from=2026-03-03&to=2026-03-03");
        for (final Object o : oneDay)
        {
            assertThat(((JsonObject)o).getString("day")).isEqualTo("2026-03-03");
        }
    }

    @Test
    void shouldReportMealsPerSchoolPerDayAndPerMeal() throws Exception
    {
        final Map<String, Long> expected = new TreeMap<>();
        for (final Tap tap : taps)
        {
            if ((tap.programId() == LUNCH || tap.programId() == BREAKFAST) && tap.handedOut())
            {
                expected.merge(tap.day() + "/" + SCHOOL_OF_CANTEEN[tap.outletId()] + "/" + tap.programId(),
                    (long)tap.quantity(), Long::sum);
            }
        }
        for (final Reversal reversal : reversals)
        {
            final Tap tap = reversal.original();
            if (tap.programId() == LUNCH || tap.programId() == BREAKFAST)
            {
                expected.merge(reversal.day() + "/" + SCHOOL_OF_CANTEEN[tap.outletId()] + "/" + tap.programId(),
                    (long)-tap.quantity(), Long::sum);
            }
        }
        final Map<String, Long> actual = new TreeMap<>();
        for (final Object o : rows("/reports/meals?from=2026-03-01&to=2026-03-31"))
        {
            final JsonObject row = (JsonObject)o;
            actual.put(row.getString("day") + "/" + row.getInteger("schoolId") + "/" + row.getInteger("programId"),
                row.getLong("meals"));
        }
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void shouldListEveryOfflineTapRecordedOverARuleForReview() throws Exception
    {
        final List<Long> expected = new ArrayList<>();
        for (final Tap tap : taps)
        {
            if (tap.offline() && tap.decision() == 2)
            {
                expected.add(tap.receipt());
            }
        }
        final List<Long> actual = new ArrayList<>();
        for (final Object o : rows("/reports/offline-exceptions?from=2026-03-01&to=2026-03-31"))
        {
            actual.add(((JsonObject)o).getLong("receipt"));
            assertThat(((JsonObject)o).getString("reason")).isEqualTo("QUOTA_EXHAUSTED");
        }
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void shouldAnswerCsvWithAHeaderAndOneLinePerRow() throws Exception
    {
        final JsonArray json = rows("/reports/meals?from=2026-03-01&to=2026-03-31");
        final WorkflowHarness.Reply csv = admin.get(WorkflowHarness.AUDITOR,
            API + "/reports/meals?from=2026-03-01&to=2026-03-31&format=csv");
        assertThat(csv.status()).isEqualTo(200);
        assertThat(csv.contentType()).startsWith("text/csv");
        final String[] lines = csv.text().split("\r\n");
        assertThat(lines[0]).isEqualTo("day,schoolId,schoolName,outletId,outletName,programId,meal,meals,persons,households");
        assertThat(lines).hasSize(json.size() + 1);
        final JsonObject first = json.getJsonObject(0);
        assertThat(lines[1]).isEqualTo(String.join(",", first.getString("day"), first.getInteger("schoolId").toString(),
            first.getString("schoolName"), first.getInteger("outletId").toString(), first.getString("outletName"),
            first.getInteger("programId").toString(), first.getString("meal"), first.getLong("meals").toString(),
            first.getLong("persons").toString(), first.getLong("households").toString()));
        assertThat(admin.get(WorkflowHarness.AUDITOR, API + "/reports/meals?from=2026-03-05&to=2026-03-01").status())
            .isEqualTo(400);
    }

    private JsonObject post(final String token, final String path, final JsonObject body) throws Exception
    {
        final WorkflowHarness.Reply reply = admin.post(token, API + path, body);
        assertThat(reply.status()).as(reply.text()).isBetween(200, 201);
        return reply.json();
    }

    private JsonObject act(final String token, final JsonObject c, final JsonObject action) throws Exception
    {
        return post(token, "/cases/" + c.getString("id") + "/actions", action.put("version", c.getLong("version")));
    }

    private static JsonObject register(final String service)
    {
        return new JsonObject().put("serviceCode", service)
            .put("applicant", new JsonObject().put("familyName", "Бондар").put("givenName", "Андрій"));
    }

    @Test
    void shouldCountTheMinistrysMonthlyIndicatorsAndOverdueCasesFromTheCaseActions() throws Exception
    {
        // Which of its actions the test expects each indicator to count, by the order's definitions: e-cases formed and
        // passed on to the social protection unit wherever registered (4: at the Center's hand-over, or at
        // registration by the unit itself), accepted there for further work (5), returned for revision (6), decided on
        // a social payment (7: not a card issued). The report is the state as of the 1st of the month.
        final Map<String, Map<String, Set<String>>> expected = new HashMap<>();
        final List<JsonObject> cases = new ArrayList<>();

        admin.clock.set(at("2026-03-02T10:00"));
        JsonObject a = post(WorkflowHarness.CENTER, "/cases", register("26"));
        a = act(WorkflowHarness.CENTER, a, new JsonObject().put("action", "ADVANCE"));
        count(expected, "4", "socialAssistance", a);
        a = act(WorkflowHarness.DISTRICT, a, new JsonObject().put("action", "SUSPEND").put("groundsText", "немає акта"));
        count(expected, "6", "socialAssistance", a);
        admin.clock.set(at("2026-03-05T10:00"));
        a = act(WorkflowHarness.DISTRICT, a, new JsonObject().put("action", "RESUME"));
        a = act(WorkflowHarness.DISTRICT, a, new JsonObject().put("action", "ADVANCE"));
        count(expected, "5", "socialAssistance", a);
        a = act(WorkflowHarness.DISTRICT, a, new JsonObject().put("action", "REFUSE").put("groundsText", "не підтверджено")
            .put("appealRoute", "до суду"));
        count(expected, "7", "socialAssistance", a);
        cases.add(a);

        JsonObject b = post(WorkflowHarness.DISTRICT, "/cases", register("41-140")
            .put("documentsReceived", new JsonArray(List.of("application", "passport-and-taxpayer-number",
                "child-birth-certificate", "disability-or-oncology-proof"))));
        count(expected, "4", "benefits", b);
        b = act(WorkflowHarness.DISTRICT, b, new JsonObject().put("action", "ADVANCE"));
        count(expected, "5", "benefits", b);
        b = act(WorkflowHarness.DEPARTMENT, b, new JsonObject().put("action", "ADVANCE"));
        b = act(WorkflowHarness.DEPARTMENT, b, new JsonObject().put("action", "ADVANCE"));
        b = act(WorkflowHarness.DEPARTMENT, b, new JsonObject().put("action", "ADVANCE"));
        b = act(WorkflowHarness.DISTRICT, b, new JsonObject().put("action", "ISSUE").put("cardId", 9_100_001L));
        // issuing a social card is no decision on a social payment: not in row 7
        cases.add(b);

        JsonObject c = post(WorkflowHarness.CENTER, "/cases", register("41-69")
            .put("documentsReceived", new JsonArray(List.of("application", "income-declaration", "passport",
                "taxpayer-number"))));
        c = act(WorkflowHarness.CENTER, c, new JsonObject().put("action", "ADVANCE"));
        count(expected, "4", "socialAssistance", c);
        cases.add(c);

        JsonObject d = post(WorkflowHarness.DEPARTMENT, "/cases", register("8"));
        count(expected, "4", "benefits", d);
        d = act(WorkflowHarness.DEPARTMENT, d, new JsonObject().put("action", "ADVANCE"));
        count(expected, "5", "benefits", d);
        cases.add(d);

        JsonObject e = post(WorkflowHarness.DISTRICT, "/cases", register("13"));
        count(expected, "4", "socialAssistance", e);
        cases.add(e);

        // a compensation for utilities (No. 15) counts under subsidies
        JsonObject g = post(WorkflowHarness.DISTRICT, "/cases", register("15"));
        count(expected, "4", "subsidies", g);
        g = act(WorkflowHarness.DISTRICT, g, new JsonObject().put("action", "SUSPEND").put("groundsText", "немає довідки"));
        count(expected, "6", "subsidies", g);
        cases.add(g);

        admin.clock.set(at("2026-04-01T10:00"));
        JsonObject f = post(WorkflowHarness.CENTER, "/cases", register("22"));
        f = act(WorkflowHarness.CENTER, f, new JsonObject().put("action", "ADVANCE"));
        cases.add(f);

        final Map<String, JsonObject> byKey = new HashMap<>();
        final List<String> order = new ArrayList<>();
        for (final Object o : rows("/reports/ministry-monthly?month=2026-04"))
        {
            byKey.put(((JsonObject)o).getString("key"), (JsonObject)o);
            order.add(((JsonObject)o).getString("no"));
        }
        assertThat(order).containsExactly("1", "", "", "", "", "2", "3", "4", "", "", "", "", "5", "", "", "", "",
            "6", "", "", "", "", "7", "", "", "", "");
        assertThat(byKey.get("1").getValue("value")).isNull();
        assertThat(byKey.get("4.socialAssistance").getString("indicatorUk")).isEqualTo("соціальної допомоги");
        for (final String no : List.of("4", "5", "6", "7"))
        {
            final Map<String, Set<String>> split = expected.getOrDefault(no, Map.of());
            final int social = split.getOrDefault("socialAssistance", Set.of()).size();
            final int benefits = split.getOrDefault("benefits", Set.of()).size();
            final int subsidies = split.getOrDefault("subsidies", Set.of()).size();
            assertThat(byKey.get(no + ".socialAssistance").getLong("value")).as("indicator " + no).isEqualTo(social);
            assertThat(byKey.get(no + ".benefits").getLong("value")).as("indicator " + no).isEqualTo(benefits);
            assertThat(byKey.get(no + ".subsidies").getLong("value")).as("indicator " + no).isEqualTo(subsidies);
            assertThat(byKey.get(no).getLong("value")).as("indicator " + no).isEqualTo(social + benefits + subsidies);
            assertThat(byKey.get(no).getLong("previousMonth")).as("indicator " + no + ", March alone")
                .isEqualTo(social + benefits + subsidies);
        }
        // by hand: 4 = a, c, e | b, d | g; 5 = a | b, d; 6 = a | g; 7 = a
        assertThat(byKey.get("4").getLong("value")).isEqualTo(6L);
        assertThat(byKey.get("5").getLong("value")).isEqualTo(3L);
        assertThat(byKey.get("6").getLong("value")).isEqualTo(2L);
        assertThat(byKey.get("7").getLong("value")).isEqualTo(1L);
        for (final String no : List.of("4", "5", "6", "7"))
        {
            assertThat(byKey.get(no).getLong("value")).as("row " + no + " ≤ row 4")
                .isLessThanOrEqualTo(byKey.get("4").getLong("value"));
        }
        // as of 1 March nothing had happened yet
        for (final Object o : rows("/reports/ministry-monthly?month=2026-03"))
        {
            if ("4".equals(((JsonObject)o).getString("key")))
            {
                assertThat(((JsonObject)o).getLong("value")).isZero();
            }
        }
        long mayPassedOn = -1;
        long aprilPassedOn = -1;
        for (final Object o : rows("/reports/ministry-monthly?month=2026-05"))
        {
            if ("4.socialAssistance".equals(((JsonObject)o).getString("key")))
            {
                mayPassedOn = ((JsonObject)o).getLong("value");
                aprilPassedOn = ((JsonObject)o).getLong("previousMonth");
            }
        }
        assertThat(mayPassedOn).as("state as of 1 May: March's three and April's one").isEqualTo(4L);
        assertThat(aprilPassedOn).isEqualTo(1L);
        final WorkflowHarness.Reply csv = admin.get(WorkflowHarness.AUDITOR,
            API + "/reports/ministry-monthly?month=2026-04&format=csv");
        assertThat(csv.text().split("\r\n")[0]).isEqualTo("no,key,indicatorUk,unit,value,previousMonth");
        assertThat(csv.text().split("\r\n")).hasSize(28);

        final LocalDate asOf = LocalDate.parse("2026-04-20");
        final Map<String, Long> overdueExpected = new TreeMap<>();
        for (final JsonObject kase : cases)
        {
            final JsonObject now = admin.get(WorkflowHarness.AUDITOR, API + "/cases/" + kase.getString("id")).json();
            final boolean late = "ACTIVE".equals(now.getString("status")) &&
                ((null != now.getString("stageDue") && asOf.isAfter(LocalDate.parse(now.getString("stageDue")))) ||
                    (null != now.getString("totalDue") && asOf.isAfter(LocalDate.parse(now.getString("totalDue")))));
            if (late)
            {
                overdueExpected.merge(now.getString("serviceCode") + "/" +
                    now.getJsonObject("stage").getString("responsibleBody"), 1L, Long::sum);
            }
        }
        assertThat(overdueExpected).isNotEmpty();
        final Map<String, Long> overdueActual = new TreeMap<>();
        for (final Object o : rows("/reports/overdue-cases?asOf=2026-04-20"))
        {
            final JsonObject row = (JsonObject)o;
            overdueActual.put(row.getString("serviceCode") + "/" + row.getString("body"), row.getLong("overdue"));
        }
        assertThat(overdueActual).isEqualTo(overdueExpected);
    }

    private static void count(final Map<String, Map<String, Set<String>>> expected, final String indicator,
        final String category, final JsonObject c)
    {
        expected.computeIfAbsent(indicator, k -> new HashMap<>())
            .computeIfAbsent(category, k -> new HashSet<>()).add(c.getString("id"));
    }
}
