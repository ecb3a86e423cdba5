package io.tapswitch.admin.api;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;

import io.tapswitch.admin.Principal;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;

/**
 * Accessors for the validated input of a request and helpers to answer it. Values are read from the
 * contract-validated request, so their types already hold; parsing errors that the schema cannot
 * express (dates, cursors) become 400 problems naming the field.
 * <p>
 * Stateless, thread-safe.
 */
public final class Api
{
    /** Routing-context key of the authenticated {@link Principal}. */
    public static final String PRINCIPAL_KEY = "tapswitch.principal";
    /** Routing-context key of the matched {@link Contract.OperationSpec}. */
    public static final String OPERATION_KEY = "tapswitch.operation";

    private Api()
    {
    }

    public static Principal principal(final RoutingContext rc)
    {
        return rc.get(PRINCIPAL_KEY);
    }

    private static ValidatedRequest validated(final RoutingContext rc)
    {
        final ValidatedRequest request = rc.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
        if (request == null)
        {
            throw new IllegalStateException("request was not validated: " + rc.normalizedPath());
        }
        return request;
    }

    /**
     * @param rc the request.
     * @return the validated JSON body (an empty object when the operation has none).
     */
    public static JsonObject body(final RoutingContext rc)
    {
        final RequestParameter body = validated(rc).getBody();
        if (body == null || body.isNull() || !body.isJsonObject())
        {
            return new JsonObject();
        }
        return body.getJsonObject();
    }

    public static long pathLong(final RoutingContext rc, final String name)
    {
        final RequestParameter value = validated(rc).getPathParameters().get(name);
        if (value == null || value.isNull())
        {
            throw ApiException.badRequest("/path/" + name, "path parameter " + name + " is required");
        }
        return asLong("/path/" + name, value);
    }

    /**
     * A numeric parameter as a long: a value beyond the 64-bit range or with a fraction is refused (400 naming the
     * field), never wrapped or truncated into another id.
     */
    private static long asLong(final String field, final RequestParameter value)
    {
        if (!value.isNumber())
        {
            return parseLong(field, value.getString());
        }
        final Object number = value.get();
        if (number instanceof Long || number instanceof Integer || number instanceof Short || number instanceof Byte)
        {
            return ((Number) number).longValue();
        }
        try
        {
            return new java.math.BigDecimal(number.toString()).longValueExact();
        }
        catch (final ArithmeticException | NumberFormatException ex)
        {
            throw ApiException.badRequest(field, "must be an integer within 64 bits: " + number);
        }
    }

    public static String queryString(final RoutingContext rc, final String name)
    {
        final RequestParameter value = query(rc).get(name);
        return value == null || value.isNull() ? null : String.valueOf(value.get());
    }

    public static Long queryLong(final RoutingContext rc, final String name)
    {
        final RequestParameter value = query(rc).get(name);
        if (value == null || value.isNull())
        {
            return null;
        }
        return asLong("/query/" + name, value);
    }

    public static Boolean queryBoolean(final RoutingContext rc, final String name)
    {
        final RequestParameter value = query(rc).get(name);
        return value == null || value.isNull() ? null : value.getBoolean();
    }

    /**
     * @param rc   the request.
     * @param name a query parameter with {@code format: date}.
     * @return the date or null.
     */
    public static LocalDate queryDate(final RoutingContext rc, final String name)
    {
        final String text = queryString(rc, name);
        return text == null ? null : parseDate("/query/" + name, text);
    }

    /**
     * @param rc   the request.
     * @param name a query parameter with {@code format: date-time}.
     * @return the instant or null.
     */
    public static Instant queryInstant(final RoutingContext rc, final String name)
    {
        final String text = queryString(rc, name);
        if (text == null)
        {
            return null;
        }
        try
        {
            return OffsetDateTime.parse(text).toInstant();
        }
        catch (final DateTimeParseException ex)
        {
            throw ApiException.badRequest("/query/" + name, name + " must be an RFC 3339 date-time: '" + text + "'");
        }
    }

    private static Map<String, RequestParameter> query(final RoutingContext rc)
    {
        return validated(rc).getQuery();
    }

    public static long parseLong(final String field, final String text)
    {
        try
        {
            return Long.parseLong(text);
        }
        catch (final NumberFormatException ex)
        {
            throw ApiException.badRequest(field, "must be an integer: '" + text + "'");
        }
    }

    public static LocalDate parseDate(final String field, final String text)
    {
        try
        {
            return LocalDate.parse(text);
        }
        catch (final DateTimeParseException ex)
        {
            throw ApiException.badRequest(field, "must be a date YYYY-MM-DD: '" + text + "'");
        }
    }

    /**
     * Sends a JSON response.
     *
     * @param rc     the request.
     * @param status HTTP status.
     * @param body   a JsonObject, JsonArray or null (204 without body).
     */
    public static void sendJson(final RoutingContext rc, final int status, final Object body)
    {
        if (body == null)
        {
            rc.response().setStatusCode(status == 200 ? 204 : status).end();
            return;
        }
        final String text = body instanceof JsonObject json ? json.encode() : io.vertx.core.json.Json.encode(body);
        rc.response()
            .setStatusCode(status)
            .putHeader("Content-Type", "application/json")
            .putHeader("Cache-Control", "no-store")
            .end(text);
    }
}
