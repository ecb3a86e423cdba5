package io.tapswitch.admin;

/**
 * The roles a bearer token can carry. Each API operation names the roles allowed to call it
 * ({@code x-roles} in the OpenAPI contract).
 */
public enum Role
{
    /** Head of the administrative service centre: everything, including terminals and programs. */
    CENTER_ADMIN("center_admin"),
    /** District social-protection specialist: households, cardholders, cards, entitlements. */
    DISTRICT_SPECIALIST("district_specialist"),
    /** Department specialist: programs, outlets, institutions, entitlements. */
    DEPARTMENT_SPECIALIST("department_specialist"),
    /** Read-only access to everything, including the audit log. */
    AUDITOR("auditor"),
    /** Operations staff: terminals and the switch's health; reads taps. */
    OPERATOR("operator"),
    /** A donor's representative: aggregate reports of the donor's own programs, never a person. */
    DONOR("donor"),
    /** The education department: meals reports of the city's schools, never a person. */
    EDUCATION_DEPARTMENT("education_department");

    private final String wireName;

    Role(final String wireName)
    {
        this.wireName = wireName;
    }

    /**
     * @return the name used in configuration, in the contract and in audit records.
     */
    public String wireName()
    {
        return wireName;
    }

    /**
     * @param name a wire name such as {@code center_admin}.
     * @return the role, or null when the name is unknown.
     */
    public static Role fromWireName(final String name)
    {
        for (final Role role : values())
        {
            if (role.wireName.equals(name))
            {
                return role;
            }
        }
        return null;
    }
}
