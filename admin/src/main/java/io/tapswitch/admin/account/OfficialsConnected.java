package io.tapswitch.admin.account;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/**
 * Rows 1-3 of the Ministry of Social Policy's order No. 45, annex 2 («Кількість посадових осіб ..., робочі місця
 * яких підключено до Програмного комплексу»), counted from the accounts as of the start of a day (city time): an
 * account counts when it was created before that instant and was not disabled before it.
 * <ul>
 *   <li>Row 1: officials who receive documents for social services (an account with a role that registers cases:
 *   center_admin, district_specialist, department_specialist) at the social protection unit, the ЦНАП or a starosta
 *   district; the total and each of the three.</li>
 *   <li>Row 2: officials of the social protection unit who provide the services (district_specialist,
 *   department_specialist).</li>
 *   <li>Row 3: officials of the oblast state administration's social protection body.</li>
 * </ul>
 * The Ministry report (rows 4-7, {@code io.tapswitch.admin.report}) takes rows 1-3 from {@link #count}.
 * Stateless, thread-safe.
 */
public final class OfficialsConnected
{
    /**
     * Rows 1-3 as of a day.
     *
     * @param asOf                 the day («станом на»).
     * @param socialProtectionUnit row 1, at the social protection unit.
     * @param cnap                 row 1, at the ЦНАП.
     * @param starostaDistrict     row 1, at starosta districts.
     * @param row2                 row 2.
     * @param row3                 row 3.
     */
    public record Rows(LocalDate asOf, long socialProtectionUnit, long cnap, long starostaDistrict, long row2, long row3)
    {
        /**
         * @return row 1's total.
         */
        public long row1()
        {
            return socialProtectionUnit + cnap + starostaDistrict;
        }

        public JsonObject json()
        {
            return new JsonObject().put("asOf", asOf.toString())
                .put("row1", new JsonObject().put("total", row1()).put("socialProtectionUnit", socialProtectionUnit)
                    .put("cnap", cnap).put("starostaDistrict", starostaDistrict))
                .put("row2", row2).put("row3", row3);
        }
    }

    private OfficialsConnected()
    {
    }

    /**
     * @param client   where to read.
     * @param asOf     the day.
     * @param cityZone the city's time zone (the day starts at its midnight).
     * @return rows 1-3.
     */
    public static Future<Rows> count(final SqlClient client, final LocalDate asOf, final ZoneId cityZone)
    {
        final OffsetDateTime at = asOf.atStartOfDay(cityZone).toOffsetDateTime().withOffsetSameInstant(ZoneOffset.UTC);
        return client.preparedQuery("SELECT " +
                "count(*) FILTER (WHERE workplace = 'SOCIAL_PROTECTION_UNIT' AND receives) AS spu, " +
                "count(*) FILTER (WHERE workplace = 'CNAP' AND receives) AS cnap, " +
                "count(*) FILTER (WHERE workplace = 'STAROSTA_DISTRICT' AND receives) AS starosta, " +
                "count(*) FILTER (WHERE workplace = 'SOCIAL_PROTECTION_UNIT' AND provides) AS row2, " +
                "count(*) FILTER (WHERE workplace = 'OBLAST_SOCIAL_PROTECTION') AS row3 " +
                "FROM (SELECT workplace, roles && ARRAY['center_admin', 'district_specialist', 'department_specialist'] AS receives, " +
                "roles && ARRAY['district_specialist', 'department_specialist'] AS provides FROM accounts " +
                "WHERE created_at < $1 AND (disabled_at IS NULL OR disabled_at >= $1)) a")
            .execute(Tuple.of(at))
            .map(rows ->
            {
                final Row row = rows.iterator().next();
                return new Rows(asOf, row.getLong("spu"), row.getLong("cnap"), row.getLong("starosta"), row.getLong("row2"),
                    row.getLong("row3"));
            });
    }
}
