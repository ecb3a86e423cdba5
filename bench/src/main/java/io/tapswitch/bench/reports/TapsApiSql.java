package io.tapswitch.bench.reports;

import io.tapswitch.admin.registry.TapsApi;

/** GET /taps's two queries with a time range written in as literals (no other filter), for a plain JDBC statement. */
final class TapsApiSql
{
    private TapsApiSql()
    {
    }

    static String byHour(final String from, final String to, final int limit)
    {
        return literals(TapsApi.BY_HOUR, from, to, limit);
    }

    static String byReceipt(final String from, final String to, final int limit)
    {
        return literals(TapsApi.BY_RECEIPT, from, to, limit);
    }

    private static String literals(final String sql, final String from, final String to, final int limit)
    {
        String s = sql.replace("$12", "NULL").replace("$11", to == null ? "NULL" : "'" + to + "'")
            .replace("$10", from == null ? "NULL" : "'" + from + "'");
        for (int i = 9; i >= 3; i--)
        {
            s = s.replace("$" + i, "NULL");
        }
        return s.replace("$2", Integer.toString(limit)).replace("$1", "0");
    }
}
