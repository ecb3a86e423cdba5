package io.tapswitch.admin.workflow;

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
}
