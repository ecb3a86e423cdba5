package io.tapswitch.admin.workflow;

/**
 * The person a case is for: an existing cardholder (by holder id) or a new person (by name).
 * <p>
 * Immutable; thread-safe.
 *
 * @param holderId        the cardholder id, or null for a new person.
 * @param fullName        the name as given on the application (kept only in the admin database).
 * @param idp             whether the applicant is an internally displaced person.
 * @param idpCertificate  the IDP registration certificate number, or null.
 */
public record Applicant(Long holderId, String fullName, boolean idp, String idpCertificate)
{
}
