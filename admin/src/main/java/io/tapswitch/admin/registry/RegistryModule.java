package io.tapswitch.admin.registry;

import io.tapswitch.admin.AdminContext;
import io.tapswitch.admin.api.ApiModule;
import io.tapswitch.admin.api.ApiRoutes;

/**
 * The registry part of the API (the operations of the service's own {@code openapi.yaml}).
 */
public final class RegistryModule implements ApiModule
{
    @Override
    public String name()
    {
        return "registry";
    }

    @Override
    public String contractResource()
    {
        return null;
    }

    @Override
    public void mount(final AdminContext context, final ApiRoutes routes)
    {
        new InstitutionsApi(context).mount(routes);
        new OutletsApi(context).mount(routes);
        new ProgramsApi(context).mount(routes);
        new PeopleApi(context).mount(routes);
        new CardsApi(context).mount(routes);
        new EntitlementsApi(context).mount(routes);
        new TerminalsApi(context).mount(routes);
        new TapsApi(context).mount(routes);
        new AuditApi(context).mount(routes);
    }
}
