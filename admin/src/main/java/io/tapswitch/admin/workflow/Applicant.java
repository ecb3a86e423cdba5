package io.tapswitch.admin.workflow;

import java.time.LocalDate;

/**
 * The person a case is for: an existing cardholder (by holder id) or a new person (by name), who becomes a
 * cardholder when a card-issuing case finishes.
 * <p>
 * Immutable; thread-safe.
 *
 * @param holderId       the cardholder id, or null for a new person.
 * @param familyName     the family name as given on the application (kept only in the admin database).
 * @param givenName      the given name.
 * @param patronymic     the patronymic, or null.
 * @param idp            whether the applicant is an internally displaced person.
 * @param idpCertificate the IDP registration certificate number, or null.
 * @param idpCertificateDate the certificate's date, or null.
 * @param idpArrivedOn   the day the IDP arrived in the city, or null.
 */
public record Applicant(Long holderId, String familyName, String givenName, String patronymic, boolean idp,
    String idpCertificate, LocalDate idpCertificateDate, LocalDate idpArrivedOn)
{
    public Applicant(final Long holderId, final String familyName, final String givenName, final String patronymic,
        final boolean idp, final String idpCertificate)
    {
        this(holderId, familyName, givenName, patronymic, idp, idpCertificate, null, null);
    }

    /**
     * @return whether the applicant is identified: a holder id, or a family and a given name.
     */
    public boolean isIdentified()
    {
        return null != holderId || (null != familyName && !familyName.isBlank() && null != givenName &&
            !givenName.isBlank());
    }

    /**
     * @return "family given patronymic" when the names are known, else null (a cardholder named by id only).
     */
    public String fullName()
    {
        if (null == familyName || familyName.isBlank() || null == givenName || givenName.isBlank())
        {
            return null;
        }
        return familyName + " " + givenName + (null == patronymic || patronymic.isBlank() ? "" : " " + patronymic);
    }
}
