package io.tapswitch.admin.workflow;

import java.util.Set;

import io.tapswitch.admin.Principal;
import io.tapswitch.admin.Role;

/**
 * Who performs a case action: the authenticated user and the roles of their token. Officials named in the service
 * cards map to roles: the Center's administrator to {@link Role#CENTER_ADMIN}, a specialist of a district labour and
 * social protection administration to {@link Role#DISTRICT_SPECIALIST}, a specialist of the city social policy
 * department (and the commissions it serves) to {@link Role#DEPARTMENT_SPECIALIST}. No stage names
 * {@link Role#AUDITOR} or {@link Role#OPERATOR}: every case action by them is refused (auditors read cases and
 * reports; operators see the catalogue only, cases holding applicants' personal data).
 * <p>
 * Immutable; thread-safe.
 *
 * @param userId the user's id as the admin service authenticated it.
 * @param roles  the roles.
 */
public record Actor(String userId, Set<Role> roles)
{
    public Actor(final String userId, final Role role)
    {
        this(userId, Set.of(role));
    }

    /**
     * @param principal the authenticated caller.
     * @return the actor.
     */
    public static Actor of(final Principal principal)
    {
        return new Actor(principal.actor(), Set.copyOf(principal.roles()));
    }

    /**
     * @param allowed the roles a stage allows, in the card's order of preference.
     * @return the first of the actor's roles (in {@link Role} order) that is allowed, or null.
     */
    public Role roleIn(final Set<Role> allowed)
    {
        for (final Role role : Role.values())
        {
            if (roles.contains(role) && allowed.contains(role))
            {
                return role;
            }
        }
        return null;
    }

    /**
     * @return the roles as text for messages.
     */
    public String rolesText()
    {
        return roles.toString();
    }
}
