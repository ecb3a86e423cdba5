package io.tapswitch.admin.api;

import io.tapswitch.admin.AdminContext;
import io.vertx.core.Future;

/**
 * A part of the REST API contributed by another package (workflows, reports, ...). Found with
 * {@link java.util.ServiceLoader} ({@code META-INF/services/io.tapswitch.admin.api.ApiModule}) or passed
 * to {@link io.tapswitch.admin.AdminService#addModule}. At start the service merges the module's contract
 * fragment into the OpenAPI contract (so its requests are validated, authenticated and authorized like
 * every other), calls {@link #start}, then {@link #mount}; at stop it calls {@link #stop}.
 * <p>
 * Each module's migrations go with the service's in {@code classpath:db/migration} (versions by
 * agreement: V1-V19 registry, V20+ workflows and reports).
 */
public interface ApiModule
{
    /**
     * @return a name for logs and errors.
     */
    String name();

    /**
     * @return classpath resource of an OpenAPI 3 YAML fragment with {@code paths} (below
     * {@code /api/v1}), {@code components} and {@code tags}; every operation has an {@code operationId}
     * and {@code x-roles} (or {@code x-public: true}). Null when the module adds no operations.
     */
    String contractResource();

    /**
     * Prepares the module once the database is migrated and the context is complete (load catalogues,
     * register gauges). Runs on a Vert.x context.
     *
     * @param context the service's shared resources.
     * @return completes when ready.
     */
    default Future<Void> start(final AdminContext context)
    {
        return Future.succeededFuture();
    }

    /**
     * Mounts a handler on every operation of the module's fragment.
     *
     * @param context the service's shared resources.
     * @param routes  where to mount.
     */
    void mount(AdminContext context, ApiRoutes routes);

    /**
     * Releases what {@link #start} took. Called before the database pool closes.
     *
     * @return completes when stopped.
     */
    default Future<Void> stop()
    {
        return Future.succeededFuture();
    }
}
