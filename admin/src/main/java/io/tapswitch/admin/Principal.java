package io.tapswitch.admin;

import java.util.Set;

/**
 * Who is calling: the actor name recorded in the audit log and the roles of the bearer token. A caller signed in
 * with an account (issue 17) also carries the account id, the district a district specialist is limited to, and the
 * donor whose programs a donor account reports on; a config token carries none of them (null).
 * Immutable, thread-safe.
 *
 * @param actor     the name recorded in the audit log (the account's username, or the token's actor).
 * @param roles     the roles.
 * @param accountId the account, or null for a config token.
 * @param district  the district a district specialist's account is limited to, or null (no limit).
 * @param donor     the donor a donor account reports on, or null.
 */
public record Principal(String actor, Set<Role> roles, Long accountId, String district, String donor)
{
    /**
     * A principal without an account (config tokens, the system).
     */
    public Principal(final String actor, final Set<Role> roles)
    {
        this(actor, roles, null, null, null);
    }

    /**
     * @return the district this caller's view of households and cases is limited to, or null when it sees every
     * district: only a district specialist signed in with an account that names a district is limited.
     */
    public String scopeDistrict()
    {
        return roles.contains(Role.DISTRICT_SPECIALIST) && !roles.contains(Role.CENTER_ADMIN) && !roles.contains(Role.AUDITOR) ?
            district : null;
    }

    /** The principal of work the service does on its own (demo loading, outbox). */
    public static final Principal SYSTEM = new Principal("system", Set.of(Role.CENTER_ADMIN));

    public boolean hasAny(final Set<Role> allowed)
    {
        for (final Role role : roles)
        {
            if (allowed.contains(role))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return the roles as a comma-separated list of wire names, for the audit log.
     */
    public String rolesText()
    {
        final StringBuilder builder = new StringBuilder();
        for (final Role role : Role.values())
        {
            if (roles.contains(role))
            {
                if (builder.length() > 0)
                {
                    builder.append(',');
                }
                builder.append(role.wireName());
            }
        }
        return builder.toString();
    }
}
