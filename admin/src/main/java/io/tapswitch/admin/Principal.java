package io.tapswitch.admin;

import java.util.Set;

/**
 * Who is calling: the actor name recorded in the audit log and the roles of the bearer token.
 * Immutable, thread-safe.
 */
public record Principal(String actor, Set<Role> roles)
{
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
