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
