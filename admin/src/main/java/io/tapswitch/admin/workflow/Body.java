package io.tapswitch.admin.workflow;

import io.tapswitch.admin.Role;

/**
 * The executive bodies responsible for the stages of a service card: the Center of administrative services
 * «Віза» («Центр Дії»), a district labour and social protection administration, the city social policy department.
 * <p>
 * Immutable; thread-safe.
 */
public enum Body
{
    CENTER("Центр адміністративних послуг «Віза» («Центр Дії»)"),
    DISTRICT("Управління праці та соціального захисту населення виконкому районної в місті ради"),
    DEPARTMENT("Департамент соціальної політики виконкому Криворізької міської ради");

    private final String titleUk;

    Body(final String titleUk)
    {
        this.titleUk = titleUk;
    }

    public String titleUk()
    {
        return titleUk;
    }

    /**
     * @param role a role.
     * @return the body its holder works for, or null when it belongs to none (auditor, operator).
     */
    public static Body of(final Role role)
    {
        switch (role)
        {
            case CENTER_ADMIN:
                return CENTER;
            case DISTRICT_SPECIALIST:
                return DISTRICT;
            case DEPARTMENT_SPECIALIST:
                return DEPARTMENT;
            default:
                return null;
        }
    }
}
