package io.tapswitch.admin.workflow;

/**
 * The roles of the admin service as they act on cases. Officials named in the service cards map to them:
 * the Center's administrator to {@link #CENTER_ADMIN}, a specialist of a district labour and social protection
 * administration to {@link #DISTRICT_SPECIALIST}, a specialist of the city social policy department (and the
 * commission it serves) to {@link #DEPARTMENT_SPECIALIST}. {@link #AUDITOR} and {@link #OPERATOR} may read cases
 * but no stage names them, so every case action by them is refused.
 * <p>
 * Immutable; thread-safe.
 */
public enum Role
{
    CENTER_ADMIN(Body.CENTER),
    DISTRICT_SPECIALIST(Body.DISTRICT),
    DEPARTMENT_SPECIALIST(Body.DEPARTMENT),
    AUDITOR(null),
    OPERATOR(null);

    private final Body body;

    Role(final Body body)
    {
        this.body = body;
    }

    /**
     * The body a holder of this role works for, or null when the role belongs to no service body.
     *
     * @return the body or null.
     */
    public Body body()
    {
        return body;
    }
}
