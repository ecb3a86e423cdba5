package io.tapswitch.admin.api;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

import io.tapswitch.admin.AdminConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;

/**
 * Cursor pagination over a strictly increasing {@code bigint} key (id, receipt). The cursor is opaque
 * to clients: base64url of {@code v1:<last key>}. A page query fetches {@code limit + 1} rows after the
 * cursor; the extra row only tells whether there is a next page.
 * <p>
 * Immutable, thread-safe.
 *
 * @param afterKey rows with a key above this are returned (0 for the first page: every key is positive).
 * @param limit    page size.
 */
public record Page(long afterKey, int limit)
{
    public static final int DEFAULT_LIMIT = 50;
    private static final String PREFIX = "v1:";

    /**
     * @param rc the request with optional {@code cursor} and {@code limit} query parameters.
     * @return the page asked for.
     */
    public static Page of(final RoutingContext rc)
    {
        final Long limit = Api.queryLong(rc, "limit");
        if (limit != null && (limit < 1 || limit > AdminConfig.MAX_PAGE_LIMIT))
        {
            throw ApiException.badRequest("/query/limit", "limit must be 1.." + AdminConfig.MAX_PAGE_LIMIT + ": " + limit);
        }
        final String cursor = Api.queryString(rc, "cursor");
        return new Page(cursor == null ? 0 : decode(cursor), limit == null ? DEFAULT_LIMIT : limit.intValue());
    }

    public static String encode(final long key)
    {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((PREFIX + key).getBytes(StandardCharsets.UTF_8));
    }

    static long decode(final String cursor)
    {
        try
        {
            final String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (!text.startsWith(PREFIX))
            {
                throw new IllegalArgumentException(text);
            }
            return Long.parseLong(text.substring(PREFIX.length()));
        }
        catch (final IllegalArgumentException ex)
        {
            throw ApiException.badRequest("/query/cursor", "cursor is not one this API returned");
        }
    }

    /**
     * @return the number of rows to fetch: one more than the page.
     */
    public int fetch()
    {
        return limit + 1;
    }

    /**
     * @param rows   rows fetched with {@link #fetch()} rows, ordered by key.
     * @param keyCol the key column.
     * @param mapper row to JSON.
     * @return {@code {"items": [...], "nextCursor": "..." | null}}.
     */
    public JsonObject result(final RowSet<Row> rows, final String keyCol, final Function<Row, JsonObject> mapper)
    {
        final JsonArray items = new JsonArray();
        long lastKey = 0;
        int count = 0;
        boolean more = false;
        for (final Row row : rows)
        {
            if (count == limit)
            {
                more = true;
                break;
            }
            items.add(mapper.apply(row));
            lastKey = row.getLong(keyCol);
            count++;
        }
        return new JsonObject().put("items", items).put("nextCursor", more ? encode(lastKey) : null);
    }

    /**
     * @param items  items already mapped, at most {@link #fetch()}.
     * @param keys   their keys.
     * @return the page result.
     */
    public JsonObject result(final List<JsonObject> items, final List<Long> keys)
    {
        final JsonArray page = new JsonArray();
        final int n = Math.min(limit, items.size());
        for (int i = 0; i < n; i++)
        {
            page.add(items.get(i));
        }
        final boolean more = items.size() > limit;
        return new JsonObject().put("items", page).put("nextCursor", more ? encode(keys.get(n - 1)) : null);
    }
}
