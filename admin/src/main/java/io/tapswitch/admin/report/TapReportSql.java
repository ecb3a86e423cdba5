package io.tapswitch.admin.report;

/**
 * The SQL of the aid and meals reports: what the service runs (from the rollups of {@code V75__tap_rollups.sql},
 * parameters {@code $1} from and {@code $2} to, city dates) and the scan of the taps it replaced (parameters
 * {@code $1}, {@code $2} and {@code $3} the city zone), kept as the reference the rollups are checked against
 * ({@code TapRollupsTest}, {@code ./tapswitch bench reports}). Both give the same columns and rows.
 */
public final class TapReportSql
{
    /** A tap's city date: an offline tap counts on the day it was served. */
    static final String TAP_DAY = "((CASE WHEN t.offline AND t.terminal_time IS NOT NULL THEN t.terminal_time " +
        "ELSE t.decided_at END) AT TIME ZONE $3)::date";
    /** Taps that handed something out, and reversals that gave it back. */
    static final String HANDED_OUT = "((t.type = 'TAP' AND t.decision IN ('APPROVED', 'RECORDED')) OR " +
        "(t.type = 'REVERSAL' AND t.decision = 'APPROVED'))";

    /** Aid by day, program and outlet, from the rollups. */
    public static final String AID = "SELECT r.day, p.id AS program_id, p.name AS program_name, p.funding, p.donor, " +
        "r.outlet_id, o.name AS outlet_name, r.taps, r.reversals, r.quantity, r.persons, r.households " +
        "FROM tap_day_rollup r JOIN programs p ON p.id = r.program_id LEFT JOIN outlets o ON o.id = r.outlet_id " +
        "WHERE p.kind = 'AID' AND r.day BETWEEN $1 AND $2 ORDER BY r.day, p.id, r.outlet_id";

    /** Meals by day, school, outlet and meal, from the rollups. */
    public static final String MEALS = "SELECT r.day, i.id AS school_id, i.name AS school_name, r.outlet_id, " +
        "o.name AS outlet_name, p.id AS program_id, p.name AS meal, r.quantity AS meals, r.persons, r.households " +
        "FROM tap_day_rollup r JOIN programs p ON p.id = r.program_id LEFT JOIN outlets o ON o.id = r.outlet_id " +
        "LEFT JOIN institutions i ON i.id = o.institution_id " +
        "WHERE p.kind = 'MEAL' AND r.day BETWEEN $1 AND $2 ORDER BY r.day, i.id, r.outlet_id, p.id";

    /**
     * The aid report as a scan of the taps (before issue 14): persons and households reached are holders whose taps
     * in the row, net of reversals, handed something out; a holder without a household is a household of one.
     */
    public static final String AID_SCAN = "SELECT day, program_id, program_name, funding, donor, outlet_id, outlet_name, " +
        "sum(taps)::bigint AS taps, sum(reversals)::bigint AS reversals, sum(quantity)::bigint AS quantity, " +
        "count(*) FILTER (WHERE quantity > 0) AS persons, " +
        "count(DISTINCT household) FILTER (WHERE quantity > 0) AS households FROM (" +
        "SELECT " + TAP_DAY + " AS day, p.id AS program_id, p.name AS program_name, p.funding, p.donor, " +
        "t.outlet_id, o.name AS outlet_name, t.holder_id, COALESCE(h.household_id, -t.holder_id) AS household, " +
        "count(*) FILTER (WHERE t.type = 'TAP') AS taps, " +
        "count(*) FILTER (WHERE t.type = 'REVERSAL') AS reversals, " +
        "sum(CASE WHEN t.type = 'TAP' THEN t.quantity ELSE -t.quantity END) AS quantity " +
        "FROM taps t JOIN programs p ON p.id = t.program_id LEFT JOIN outlets o ON o.id = t.outlet_id " +
        "LEFT JOIN cardholders h ON h.id = t.holder_id " +
        "WHERE p.kind = 'AID' AND " + HANDED_OUT + " AND " + TAP_DAY + " BETWEEN $1 AND $2 " +
        "GROUP BY 1, p.id, p.name, p.funding, p.donor, t.outlet_id, o.name, t.holder_id, h.household_id) x " +
        "GROUP BY day, program_id, program_name, funding, donor, outlet_id, outlet_name " +
        "ORDER BY day, program_id, outlet_id";

    /** The meals report as a scan of the taps (before issue 14). */
    public static final String MEALS_SCAN = "SELECT day, school_id, school_name, outlet_id, outlet_name, program_id, meal, " +
        "sum(meals)::bigint AS meals, count(*) FILTER (WHERE meals > 0) AS persons, " +
        "count(DISTINCT household) FILTER (WHERE meals > 0) AS households FROM (" +
        "SELECT " + TAP_DAY + " AS day, i.id AS school_id, i.name AS school_name, t.outlet_id, " +
        "o.name AS outlet_name, p.id AS program_id, p.name AS meal, t.holder_id, " +
        "COALESCE(h.household_id, -t.holder_id) AS household, " +
        "sum(CASE WHEN t.type = 'TAP' THEN t.quantity ELSE -t.quantity END) AS meals " +
        "FROM taps t JOIN programs p ON p.id = t.program_id LEFT JOIN outlets o ON o.id = t.outlet_id " +
        "LEFT JOIN institutions i ON i.id = o.institution_id LEFT JOIN cardholders h ON h.id = t.holder_id " +
        "WHERE p.kind = 'MEAL' AND " + HANDED_OUT + " AND " + TAP_DAY + " BETWEEN $1 AND $2 " +
        "GROUP BY 1, i.id, i.name, t.outlet_id, o.name, p.id, p.name, t.holder_id, h.household_id) x " +
        "GROUP BY day, school_id, school_name, outlet_id, outlet_name, program_id, meal " +
        "ORDER BY day, school_id, outlet_id, program_id";

    /** The served instant of an offline tap: what {@code taps_offline_served} (V87) indexes. */
    private static final String OFFLINE_SERVED = "COALESCE(t.terminal_time, t.decided_at)";
    /** The hour of a decision: the leading column of {@code taps_decided_hour} (V87). */
    public static final String DECIDED_HOUR = "date_bin('1 hour', t.decided_at, TIMESTAMPTZ '2000-01-01 00:00:00+00')";

    /**
     * The online (or offline) taps served on the city days {@code [a, b)} (SQL date expressions; {@code $3} the city
     * zone), in terms V87's indexes serve: an online tap's decision time within a day either side of the days (the BRIN
     * or hour index on decided_at), an offline tap's served time likewise (the partial index), then the exact city day. A tap served
     * on a city day is always within a day of it in any zone, so the result is the plain day filter's.
     */
    private static String servedOn(final boolean offline, final String a, final String b)
    {
        final String lower = "((" + a + ")::timestamp AT TIME ZONE $3) - interval '1 day'";
        final String upper = "((" + b + ")::timestamp AT TIME ZONE $3) + interval '1 day'";
        final String at = offline ? OFFLINE_SERVED : "t.decided_at";
        return (offline ? "t.offline" : "NOT t.offline") + " AND " + at + " >= " + lower + " AND " + at + " < " + upper +
            " AND " + TAP_DAY + " >= (" + a + ") AND " + TAP_DAY + " < (" + b + ")";
    }

    /** The handed-out taps served on the city days [a, b), as rows of the people-reached report's {@code part}. */
    private static String reachedOn(final String a, final String b)
    {
        final String select = "SELECT date_trunc('month', (" + TAP_DAY + ")::timestamp)::date, t.program_id, t.outlet_id, " +
            "t.holder_id, CASE WHEN t.type = 'TAP' THEN t.quantity ELSE -t.quantity END FROM taps t WHERE " + HANDED_OUT +
            " AND ";
        return select + servedOn(false, a, b) + " UNION ALL " + select + servedOn(true, a, b);
    }

    /** The people-reached report's rows from what was served (a CTE {@code served} with its columns). */
    private static final String REACH_TAIL = "SELECT s.month, s.kind, s.program_id, s.program_name, s.funding, s.donor, " +
        "s.outlet_id, o.name AS outlet_name, count(DISTINCT s.holder_id) AS persons, " +
        "count(DISTINCT s.household) AS households, sum(s.quantity) AS quantity, " +
        "GROUPING(s.program_id, s.outlet_id, s.donor) AS grouping " +
        "FROM served s LEFT JOIN outlets o ON o.id = s.outlet_id " +
        "GROUP BY GROUPING SETS ((s.month, s.kind, s.program_id, s.program_name, s.funding, s.donor, s.outlet_id, o.name), " +
        "(s.month, s.kind, s.program_id, s.program_name, s.funding, s.donor), (s.month, s.kind, s.donor), " +
        "(s.month, s.kind)) " +
        "ORDER BY s.month, s.kind, grouping DESC, s.program_id NULLS FIRST, s.donor NULLS FIRST, s.outlet_id NULLS FIRST";

    /**
     * People reached as a scan of the taps (before issue 14): per city month, program and outlet, the holders whose
     * taps in the range, net of reversals, handed something out, and their households as registered now (a holder
     * without a household is a household of one); rolled up by program, donor and kind. {@code $1}, {@code $2} city
     * dates, {@code $3} the city zone.
     */
    public static final String PEOPLE_REACHED_SCAN = "WITH served AS (SELECT to_char(" + TAP_DAY + ", 'YYYY-MM') AS month, " +
        "p.kind, p.id AS program_id, p.name AS program_name, p.funding, p.donor, t.outlet_id, t.holder_id, " +
        "COALESCE(h.household_id, -t.holder_id) AS household, " +
        "sum(CASE WHEN t.type = 'TAP' THEN t.quantity ELSE -t.quantity END) AS quantity " +
        "FROM taps t JOIN programs p ON p.id = t.program_id LEFT JOIN cardholders h ON h.id = t.holder_id " +
        "WHERE " + HANDED_OUT + " AND " + TAP_DAY + " BETWEEN $1 AND $2 " +
        "GROUP BY 1, p.kind, p.id, p.name, p.funding, p.donor, t.outlet_id, t.holder_id, h.household_id " +
        "HAVING sum(CASE WHEN t.type = 'TAP' THEN t.quantity ELSE -t.quantity END) > 0) " + REACH_TAIL;

    /**
     * People reached, what the service runs: the range's whole city months from {@code tap_month_holder} (V87), the
     * days at its ends that make no whole month from the taps of those days ({@link #servedOn}); the same rows as
     * {@link #PEOPLE_REACHED_SCAN}.
     */
    public static final String PEOPLE_REACHED = "WITH b AS (SELECT " +
        // whole months: [whole_from, whole_to)
        "CASE WHEN $1::date = date_trunc('month', $1::date::timestamp)::date THEN $1::date " +
        "ELSE (date_trunc('month', $1::date::timestamp) + interval '1 month')::date END " +
        "AS whole_from, date_trunc('month', ($2::date + 1)::timestamp)::date AS whole_to), " +
        "e AS (SELECT CASE WHEN whole_from < whole_to THEN whole_from ELSE $2::date + 1 END AS low_end, " +
        "CASE WHEN whole_from < whole_to THEN whole_to ELSE $2::date + 1 END AS high_start, whole_from, whole_to FROM b), " +
        "part AS (SELECT m.month, m.program_id, m.outlet_id, m.holder_id, m.quantity FROM tap_month_holder m, e " +
        "WHERE m.month >= e.whole_from AND m.month < e.whole_to " +
        "UNION ALL " + reachedOn("$1::date", "(SELECT low_end FROM e)") +
        " UNION ALL " + reachedOn("(SELECT high_start FROM e)", "$2::date + 1") + "), " +
        "served AS (SELECT to_char(x.month, 'YYYY-MM') AS month, p.kind, p.id AS program_id, p.name AS program_name, " +
        "p.funding, p.donor, x.outlet_id, x.holder_id, COALESCE(h.household_id, -x.holder_id) AS household, " +
        "sum(x.quantity) AS quantity " +
        "FROM part x JOIN programs p ON p.id = x.program_id LEFT JOIN cardholders h ON h.id = x.holder_id " +
        "GROUP BY x.month, p.kind, p.id, p.name, p.funding, p.donor, x.outlet_id, x.holder_id, h.household_id " +
        "HAVING sum(x.quantity) > 0) " + REACH_TAIL;

    private static final String OFFLINE_COLUMNS = "SELECT t.receipt, " + TAP_DAY + " AS day, t.terminal_time, t.decided_at, " +
        "t.terminal_id, t.outlet_id, t.card_id, t.holder_id, t.program_id, t.quantity, t.reason FROM taps t " +
        "WHERE t.type = 'TAP' AND t.offline AND t.decision = 'RECORDED' AND ";

    /** Offline exceptions (RECORDED offline taps) served on the city days $1..$2, as a scan (before issue 14). */
    public static final String OFFLINE_EXCEPTIONS_SCAN = OFFLINE_COLUMNS + TAP_DAY + " BETWEEN $1 AND $2 ORDER BY t.receipt";

    /** Offline exceptions through the served-time index (V87 {@code taps_offline_served}): the scan's rows. */
    public static final String OFFLINE_EXCEPTIONS = OFFLINE_COLUMNS + servedOn(true, "$1::date", "$2::date + 1") + " ORDER BY t.receipt";

    private TapReportSql()
    {
    }

    /**
     * One of the statements above with its parameters written in as literals, for a plain JDBC statement (the
     * bench and the tests; the service binds them).
     *
     * @param sql  a statement of this class.
     * @param from first city date.
     * @param to   last city date.
     * @param zone the city zone (scans only).
     * @return the statement.
     */
    public static String withLiterals(final String sql, final java.time.LocalDate from, final java.time.LocalDate to,
        final java.time.ZoneId zone)
    {
        return sql.replace("$1", "'" + from + "'::date").replace("$2", "'" + to + "'::date")
            .replace("$3", "'" + zone.getId().replace("'", "''") + "'");
    }
}
