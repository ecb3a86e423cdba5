package io.tapswitch.admin.workflow;

/**
 * Who performs a case action: the authenticated user and the role they act in.
 * <p>
 * Immutable; thread-safe.
 *
 * @param userId the user's id as the admin service authenticated it.
 * @param role   the role.
 */
public record Actor(String userId, Role role)
{
}
