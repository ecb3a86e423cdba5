package io.tapswitch.admin.ingest;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import io.tapswitch.admin.db.EmbeddedDatabase;

/**
 * Compares every column of every {@code tap_day_rollup} row, and every {@code tap_month_holder} row (the people-reached
 * report's, V87; the ingester keeps it since V89), with what {@code tap_rollups_rebuild} recomputes from the
 * stored taps and the registry (a set-based recount, independent of how the rows were kept; {@code TapRollupsTest}
 * checks it against the reports' old scans), in a transaction rolled back.
 */
final class RollupsCheck
{
    private RollupsCheck()
    {
    }

    /** @return rows differing (in either direction, day and month rows); fails when either table has no rows. */
    static long rowsDifferingFromARebuild(final String jdbcUrl) throws Exception
    {
        try (Connection conn = DriverManager.getConnection(jdbcUrl, EmbeddedDatabase.USER, null);
            Statement statement = conn.createStatement())
        {
            conn.setAutoCommit(false);
            try
            {
                statement.execute("CREATE TEMP TABLE kept ON COMMIT DROP AS SELECT * FROM tap_day_rollup");
                statement.execute("CREATE TEMP TABLE kept_month ON COMMIT DROP AS SELECT * FROM tap_month_holder");
                statement.execute("SELECT tap_rollups_rebuild((SELECT city_zone FROM tap_rollup_settings))");
                try (ResultSet rs = statement.executeQuery("SELECT (SELECT count(*) FROM kept), (SELECT count(*) FROM " +
                    "((TABLE kept EXCEPT TABLE tap_day_rollup) UNION ALL (TABLE tap_day_rollup EXCEPT TABLE kept)) d), " +
                    "(SELECT count(*) FROM kept_month), (SELECT count(*) FROM ((TABLE kept_month EXCEPT TABLE " +
                    "tap_month_holder) UNION ALL (TABLE tap_month_holder EXCEPT TABLE kept_month)) m)"))
                {
                    rs.next();
                    if (rs.getLong(1) == 0 || rs.getLong(3) == 0)
                    {
                        throw new AssertionError("no rollup rows to compare: " + rs.getLong(1) + " day rows, " +
                            rs.getLong(3) + " month rows");
                    }
                    return rs.getLong(2) + rs.getLong(4);
                }
            }
            finally
            {
                conn.rollback();
            }
        }
    }
}
