package io.tapswitch.admin.ingest;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import io.tapswitch.admin.db.EmbeddedDatabase;

/**
 * Compares every column of every {@code tap_day_rollup} row with what {@code tap_rollups_rebuild} recomputes from the
 * stored taps and the registry (a set-based recount, independent of how the rows were kept; {@code TapRollupsTest}
 * checks it against the reports' old scans), in a transaction rolled back.
 */
final class RollupsCheck
{
    private RollupsCheck()
    {
    }

    /** @return rows differing (in either direction); fails when there are no rollup rows at all. */
    static long rowsDifferingFromARebuild(final String jdbcUrl) throws Exception
    {
        try (Connection conn = DriverManager.getConnection(jdbcUrl, EmbeddedDatabase.USER, null);
            Statement statement = conn.createStatement())
        {
            conn.setAutoCommit(false);
            try
            {
                statement.execute("CREATE TEMP TABLE kept ON COMMIT DROP AS SELECT * FROM tap_day_rollup");
                statement.execute("SELECT tap_rollups_rebuild((SELECT city_zone FROM tap_rollup_settings))");
                try (ResultSet rs = statement.executeQuery("SELECT (SELECT count(*) FROM kept), (SELECT count(*) FROM " +
                    "((TABLE kept EXCEPT TABLE tap_day_rollup) UNION ALL (TABLE tap_day_rollup EXCEPT TABLE kept)) d)"))
                {
                    rs.next();
                    if (rs.getLong(1) == 0)
                    {
                        throw new AssertionError("no rollup rows to compare");
                    }
                    return rs.getLong(2);
                }
            }
            finally
            {
                conn.rollback();
            }
        }
    }
}
