package io.tapswitch.admin.report;

import java.util.List;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A report as rows of named columns, rendered as JSON or CSV (RFC 4180: comma-separated, fields with a comma, quote
 * or line break quoted, quotes doubled, CRLF line ends, a header row).
 * <p>
 * Immutable; thread-safe.
 *
 * @param name       the report's name.
 * @param parameters what it was asked for.
 * @param columns    the column names, in order.
 * @param rows       the rows, each an object with the columns as keys.
 */
public record Report(String name, JsonObject parameters, List<String> columns, List<JsonObject> rows)
{
    public JsonObject toJson()
    {
        return new JsonObject().put("report", name).put("parameters", parameters)
            .put("columns", new JsonArray(List.copyOf(columns))).put("rows", new JsonArray(List.copyOf(rows)));
    }

    public String toCsv()
    {
        final StringBuilder csv = new StringBuilder();
        appendLine(csv, columns);
        for (final JsonObject row : rows)
        {
            final String[] values = new String[columns.size()];
            for (int i = 0; i < values.length; i++)
            {
                final Object value = row.getValue(columns.get(i));
                values[i] = null == value ? "" : String.valueOf(value);
            }
            appendLine(csv, List.of(values));
        }
        return csv.toString();
    }

    private static void appendLine(final StringBuilder csv, final List<String> values)
    {
        for (int i = 0; i < values.size(); i++)
        {
            if (i > 0)
            {
                csv.append(',');
            }
            final String value = values.get(i);
            if (value.indexOf(',') >= 0 || value.indexOf('"') >= 0 || value.indexOf('\n') >= 0 ||
                value.indexOf('\r') >= 0)
            {
                csv.append('"').append(value.replace("\"", "\"\"")).append('"');
            }
            else
            {
                csv.append(value);
            }
        }
        csv.append("\r\n");
    }
}
