package io.tapswitch.admin.registry;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.function.Function;

import io.tapswitch.admin.api.ApiException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/**
 * Small helpers shared by the registry resources. Stateless, thread-safe.
 */
final class Sql
{
    private Sql()
    {
    }

    /**
     * @return the single row mapped, or a failed future with a 404 problem.
     */
    static <T> Future<T> one(final SqlClient client, final String sql, final Tuple args, final Function<Row, T> mapper,
        final String resource, final Object id)
    {
        return client.preparedQuery(sql).execute(args).compose(rows ->
        {
            if (rows.size() == 0)
            {
                return Future.failedFuture(ApiException.notFound(resource, id));
            }
            return Future.succeededFuture(mapper.apply(rows.iterator().next()));
        });
    }

    /**
     * @return true when a row with this id exists (for reference checks that give 422).
     */
    static Future<Boolean> exists(final SqlClient client, final String table, final Object id)
    {
        return client.preparedQuery("SELECT 1 FROM " + table + " WHERE id = $1").execute(Tuple.of(id))
            .map(rows -> rows.size() > 0);
    }

    /**
     * Fails with a 422 naming the field when the referenced row does not exist.
     */
    static Future<Void> requireRef(final SqlClient client, final String table, final Object id, final String field,
        final String resource)
    {
        if (id == null)
        {
            return Future.succeededFuture();
        }
        return exists(client, table, id).compose(found -> found ? Future.succeededFuture() :
            Future.failedFuture(ApiException.unknownReference(field, resource, id)));
    }

    static String ts(final OffsetDateTime value)
    {
        return value == null ? null : value.withOffsetSameInstant(ZoneOffset.UTC).toString();
    }

    static String date(final LocalDate value)
    {
        return value == null ? null : value.toString();
    }

    static JsonArray strings(final String[] values)
    {
        final JsonArray array = new JsonArray();
        if (values != null)
        {
            for (final String value : values)
            {
                array.add(value);
            }
        }
        return array;
    }

    static String[] stringArray(final JsonArray array)
    {
        if (array == null)
        {
            return new String[0];
        }
        final String[] result = new String[array.size()];
        for (int i = 0; i < result.length; i++)
        {
            result[i] = array.getString(i);
        }
        return result;
    }

    static OffsetDateTime now(final java.time.Clock clock)
    {
        return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    }
}
