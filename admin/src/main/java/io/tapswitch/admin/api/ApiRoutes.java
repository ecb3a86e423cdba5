package io.tapswitch.admin.api;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Function;

import io.tapswitch.admin.Principal;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.OpenAPIRoute;
import io.vertx.ext.web.openapi.router.RouterBuilder;

/**
 * Where API parts mount their handlers, by {@code operationId}. A handler runs after the request was
 * authenticated, authorized for the operation's {@code x-roles} and validated against the contract;
 * it reads the validated input through {@link Api}. A failure (an {@link ApiException} or anything else)
 * becomes a problem+json response.
 * <p>
 * Not thread-safe: used during start only.
 */
public final class ApiRoutes
{
    private final RouterBuilder builder;
    private final Set<String> mounted = new HashSet<>();

    public ApiRoutes(final RouterBuilder builder)
    {
        this.builder = builder;
    }

    /**
     * Mounts a raw handler, which must end the response or fail the context.
     *
     * @param operationId the contract's operationId.
     * @param handler     the handler.
     * @return this.
     * @throws IllegalStateException when the contract has no such operation or it is mounted twice.
     */
    public ApiRoutes handler(final String operationId, final Handler<RoutingContext> handler)
    {
        final OpenAPIRoute route = builder.getRoute(operationId);
        if (route == null)
        {
            throw new IllegalStateException("the contract has no operation " + operationId);
        }
        if (!mounted.add(operationId))
        {
            throw new IllegalStateException("operation " + operationId + " is mounted twice");
        }
        route.addHandler(handler);
        route.addFailureHandler(Problems::handleFailure);
        return this;
    }

    /**
     * Mounts an operation answered with JSON: the function's result is sent with {@code status}.
     *
     * @param operationId the contract's operationId.
     * @param status      HTTP status of success (200, 201).
     * @param operation   from the validated request and the caller to the response body.
     * @return this.
     */
    public ApiRoutes json(final String operationId, final int status,
        final Function<Request, Future<?>> operation)
    {
        return handler(operationId, rc ->
        {
            final Future<?> result;
            try
            {
                result = operation.apply(new Request(rc, Api.principal(rc)));
            }
            catch (final RuntimeException ex)
            {
                rc.fail(ex);
                return;
            }
            result.onComplete(ar ->
            {
                if (ar.succeeded())
                {
                    Api.sendJson(rc, status, ar.result());
                }
                else
                {
                    rc.fail(ar.cause());
                }
            });
        });
    }

    /**
     * @return the operationIds mounted so far.
     */
    public Set<String> mounted()
    {
        return Set.copyOf(mounted);
    }

    /**
     * A validated request and its caller.
     *
     * @param rc        the routing context.
     * @param principal the authenticated caller.
     */
    public record Request(RoutingContext rc, Principal principal)
    {
    }
}
