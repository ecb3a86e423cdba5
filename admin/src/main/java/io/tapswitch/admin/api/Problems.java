package io.tapswitch.admin.api;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.pgclient.PgException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renders every failure of a request as {@code application/problem+json} (RFC 9457): validation
 * failures of the OpenAPI contract with the offending field, {@link ApiException}s, unmatched routes,
 * and unexpected errors (500, logged with the route, never with the request body).
 * <p>
 * Stateless, thread-safe.
 */
public final class Problems
{
    public static final String CONTENT_TYPE = "application/problem+json";
    private static final Logger LOG = LoggerFactory.getLogger(Problems.class);

    private Problems()
    {
    }

    /**
     * Failure handler for routes: turns {@code rc.failure()} / {@code rc.statusCode()} into a problem.
     *
     * @param rc the failed request.
     */
    public static void handleFailure(final RoutingContext rc)
    {
        if (rc.response().headWritten())
        {
            return;
        }
        final Throwable failure = rc.failure();
        if (failure instanceof ApiException api)
        {
            send(rc, api);
            return;
        }
        if (failure instanceof HttpException http && http.getCause() instanceof ValidatorException validator)
        {
            send(rc, fromValidator(validator));
            return;
        }
        if (failure instanceof ValidatorException validator)
        {
            send(rc, fromValidator(validator));
            return;
        }
        if (failure instanceof DecodeException || failure != null && failure.getCause() instanceof DecodeException)
        {
            send(rc, ApiException.badRequest("/body", "the body is not valid JSON"));
            return;
        }
        final String unavailable = unavailableReason(failure);
        if (unavailable != null)
        {
            LOG.warn("request refused, the database is unavailable: {} {}: {}", rc.request().method(), rc.normalizedPath(),
                unavailable);
            rc.response().putHeader("Retry-After", "5");
            send(rc, new ApiException(503, "unavailable", "Service unavailable",
                "the database is not available (" + unavailable + "); " + (neverReached(failure) ?
                    "nothing was changed; retry later" : "the connection was lost during the request: if it was a write, " +
                    "it may have been applied; read before retrying (writes with a chosen id answer 409 when already applied)"),
                null));
            return;
        }
        if (failure instanceof PgException pg && pg.getSqlState() != null)
        {
            final ApiException mapped = fromPg(pg);
            if (mapped != null)
            {
                send(rc, mapped);
                return;
            }
        }
        int status = rc.statusCode();
        if (failure instanceof HttpException http)
        {
            status = http.getStatusCode();
        }
        if (status < 400)
        {
            status = 500;
        }
        if (status >= 500)
        {
            LOG.error("request failed: {} {}", rc.request().method(), rc.normalizedPath(), failure);
            send(rc, new ApiException(status, "internal", "Internal error",
                "the request could not be completed; nothing was changed", null));
            return;
        }
        send(rc, forStatus(status, failure != null && failure.getMessage() != null ? failure.getMessage() : null));
    }

    /**
     * @param failure a failure of a request.
     * @return true when the request never reached PostgreSQL (no connection could be made or taken from the pool), so
     * nothing can have been applied.
     */
    static boolean neverReached(final Throwable failure)
    {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause())
        {
            if (t instanceof java.net.ConnectException || t instanceof io.netty.channel.ConnectTimeoutException ||
                String.valueOf(t.getMessage()).contains("Connection refused") ||
                t.getClass().getName().contains("Timeout") && String.valueOf(t.getMessage()).toLowerCase(java.util.Locale.ROOT)
                    .contains("connection"))
            {
                return true;
            }
            if (t instanceof PgException pg && pg.getSqlState() != null &&
                (pg.getSqlState().startsWith("08") || pg.getSqlState().equals("57P03") || pg.getSqlState().equals("53300")))
            {
                // refused at connection or before the statement ran
                return true;
            }
        }
        return false;
    }

    /**
     * @param failure a failure of a request.
     * @return a short reason when it means the database cannot be used right now (unreachable, shutting down, out of
     * disk, out of connections), else null: such a failure is a 503, never a 500.
     */
    public static String unavailableReason(final Throwable failure)
    {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause())
        {
            if (t instanceof PgException pg && pg.getSqlState() != null)
            {
                final String state = pg.getSqlState();
                if (state.startsWith("08") || state.startsWith("53") || state.startsWith("57P") || state.equals("58030"))
                {
                    return "PostgreSQL " + state + ": " + pg.getErrorMessage();
                }
                return null;
            }
            if (t instanceof java.net.ConnectException || t instanceof io.netty.channel.ConnectTimeoutException ||
                t instanceof io.vertx.sqlclient.ClosedConnectionException || t instanceof java.nio.channels.ClosedChannelException)
            {
                return "PostgreSQL unreachable: " + t.getMessage();
            }
            final String name = t.getClass().getName();
            final String message = String.valueOf(t.getMessage());
            if (name.contains("Timeout") && message.toLowerCase(java.util.Locale.ROOT).contains("connection") ||
                message.contains("Connection refused") || message.contains("Connection reset") ||
                message.contains("Failed to read any response from the server"))
            {
                return "PostgreSQL unreachable: " + message;
            }
        }
        return null;
    }

    /**
     * @param status an HTTP status without a more specific cause.
     * @param detail detail text, or null for the default.
     * @return the problem.
     */
    public static ApiException forStatus(final int status, final String detail)
    {
        return switch (status)
        {
            case 401 -> new ApiException(401, "unauthorized", "Authentication required",
                detail != null ? detail : "a valid bearer token is required", "/header/Authorization");
            case 403 -> new ApiException(403, "forbidden", "Not allowed",
                detail != null ? detail : "the token's roles do not allow this operation", null);
            case 404 -> new ApiException(404, "not-found", "Not found",
                detail != null ? detail : "no such resource or operation", null);
            case 405 -> new ApiException(405, "method-not-allowed", "Method not allowed",
                detail != null ? detail : "the resource does not support this method", null);
            case 413 -> new ApiException(413, "too-large", "Request body too large",
                detail != null ? detail : "the request body exceeds the limit", "/body");
            case 415 -> new ApiException(415, "unsupported-media-type", "Unsupported media type",
                detail != null ? detail : "the body must be application/json", "/header/Content-Type");
            default -> new ApiException(status, "http-" + status, "Request refused",
                detail != null ? detail : "request refused", null);
        };
    }

    /**
     * @param failure a failure whose status is 400.
     * @return the problem it means: a validation problem naming the field when known.
     */
    public static ApiException fromFailure(final Throwable failure)
    {
        if (failure instanceof ApiException api)
        {
            return api;
        }
        if (failure instanceof ValidatorException validator)
        {
            return fromValidator(validator);
        }
        if (failure instanceof HttpException http && http.getCause() instanceof ValidatorException validator)
        {
            return fromValidator(validator);
        }
        return ApiException.badRequest(null, failure.getMessage() != null ? failure.getMessage() : "the request is not valid");
    }

    static ApiException fromValidator(final ValidatorException ex)
    {
        if (ex instanceof SchemaValidationException schema)
        {
            final ApiException missing = missingMembers(ex, schema.getOutputUnit());
            if (missing != null)
            {
                return missing;
            }
            final OutputUnit unit = deepest(schema.getOutputUnit());
            final String location = unit != null && unit.getInstanceLocation() != null ? unit.getInstanceLocation() : "";
            final String error = unit != null && unit.getError() != null ? unit.getError() : ex.getMessage();
            final String parameterField = ex.getMessage() == null ? null : fieldOf(ex.getMessage());
            final String field = parameterField != null ? parameterField : "/body" + location.replace("#", "");
            return ApiException.badRequest(field.isEmpty() ? null : field, ex.getMessage() + ": " + error);
        }
        final String message = ex.getMessage() != null ? ex.getMessage() : "invalid request";
        if (message.contains("decode"))
        {
            return ApiException.badRequest("/body", "the body is not valid JSON: " + message);
        }
        if (message.contains("content type") || message.contains("Content-Type") || message.contains("content-type"))
        {
            return new ApiException(415, "unsupported-media-type", "Unsupported media type", message, "/header/Content-Type");
        }
        return ApiException.badRequest(fieldOf(message), message);
    }

    private static final java.util.regex.Pattern PARAMETER = java.util.regex.Pattern.compile(
        "(?i)(path|query|header|cookie) parameter \"?([A-Za-z0-9_\\-]+)\"?");
    private static final java.util.regex.Pattern PARAMETER_IN = java.util.regex.Pattern.compile(
        "(?i)parameter \"([A-Za-z0-9_\\-]+)\" in (PATH|QUERY|HEADER|COOKIE)");

    private static String fieldOf(final String message)
    {
        final java.util.regex.Matcher first = PARAMETER.matcher(message);
        if (first.find())
        {
            return "/" + first.group(1).toLowerCase() + "/" + first.group(2);
        }
        final java.util.regex.Matcher second = PARAMETER_IN.matcher(message);
        if (second.find())
        {
            return "/" + second.group(2).toLowerCase() + "/" + second.group(1);
        }
        return null;
    }

    /**
     * A body missing required members: one {@code errors[]} entry per member ({@code /body/holderId}), in the
     * order the schema lists them.
     */
    private static ApiException missingMembers(final ValidatorException ex, final OutputUnit root)
    {
        final java.util.LinkedHashSet<String> fields = new java.util.LinkedHashSet<>();
        collectMissing(root, fields);
        if (fields.isEmpty() || ex.getMessage() == null || fieldOf(ex.getMessage()) != null)
        {
            return null;
        }
        final java.util.List<String> list = new java.util.ArrayList<>(fields);
        final String names = String.join(", ", list.stream().map(f -> f.substring(f.lastIndexOf('/') + 1)).toList());
        return ApiException.badRequest(list.get(0), "required member" + (list.size() > 1 ? "s" : "") + " missing: " + names)
            .withMoreFields(list.subList(1, list.size()));
    }

    private static void collectMissing(final OutputUnit unit, final java.util.Set<String> fields)
    {
        if (unit == null)
        {
            return;
        }
        if (unit.getError() != null && "required".equals(lastSegment(unit.getKeywordLocation())))
        {
            final java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("\"([^\"]+)\"").matcher(unit.getError());
            final String base = "/body" + (unit.getInstanceLocation() == null ? "" : unit.getInstanceLocation().replace("#", ""));
            while (matcher.find())
            {
                fields.add(base + "/" + matcher.group(1));
            }
        }
        if (unit.getErrors() != null)
        {
            for (final OutputUnit child : unit.getErrors())
            {
                collectMissing(child, fields);
            }
        }
    }

    private static String lastSegment(final String location)
    {
        if (location == null)
        {
            return "";
        }
        return location.substring(location.lastIndexOf('/') + 1);
    }

    private static OutputUnit deepest(final OutputUnit unit)
    {
        if (unit == null)
        {
            return null;
        }
        OutputUnit best = unit;
        if (unit.getErrors() != null)
        {
            for (final OutputUnit child : unit.getErrors())
            {
                final OutputUnit candidate = deepest(child);
                if (candidate != null && candidate.getError() != null &&
                    (best.getError() == null || length(candidate) > length(best)))
                {
                    best = candidate;
                }
            }
        }
        return best;
    }

    private static int length(final OutputUnit unit)
    {
        return unit.getInstanceLocation() == null ? 0 : unit.getInstanceLocation().length() + 1;
    }

    private static ApiException fromPg(final PgException pg)
    {
        final String state = pg.getSqlState();
        return switch (state)
        {
            case "23505" -> ApiException.conflict(null, "already exists: " + constraintText(pg));
            case "23503" -> new ApiException(422, "unknown-reference", "Request refers to an unknown resource",
                "a referenced resource does not exist (" + constraintText(pg) + ")", null);
            case "23514" -> ApiException.badRequest(null, "a value is out of its allowed range (" + constraintText(pg) + ")");
            case "22P02", "22007", "22008", "22003" -> ApiException.badRequest(null, "a value has the wrong form");
            default -> null;
        };
    }

    private static String constraintText(final PgException pg)
    {
        return pg.getConstraint() != null ? pg.getConstraint() : "constraint";
    }

    /**
     * Writes the problem as the response.
     *
     * @param rc      the request.
     * @param problem the problem.
     */
    public static void send(final RoutingContext rc, final ApiException problem)
    {
        final JsonObject body = new JsonObject()
            .put("type", "/problems/" + problem.type())
            .put("title", problem.title())
            .put("status", problem.status())
            .put("detail", problem.detail())
            .put("instance", rc.request().path());
        if (problem.field() != null)
        {
            final JsonArray errors = new JsonArray().add(new JsonObject().put("field", problem.field()).put("message", problem.detail()));
            for (final String more : problem.moreFields())
            {
                errors.add(new JsonObject().put("field", more).put("message", problem.detail()));
            }
            body.put("errors", errors);
        }
        if (problem.status() == 401)
        {
            rc.response().putHeader("WWW-Authenticate", "Bearer realm=\"tapswitch\"");
        }
        rc.response()
            .setStatusCode(problem.status())
            .putHeader("Content-Type", CONTENT_TYPE)
            .end(body.encode());
    }
}
