package io.tapswitch.admin.eligibility;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import io.tapswitch.admin.api.ApiException;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

/**
 * Who a program and a card are for, checked wherever an entitlement is granted (the registry's grant, a case's
 * outcome) and wherever a guest card is issued. A refusal is a 422 problem {@code not-eligible} whose detail starts
 * with the rule's name:
 * <ul>
 * <li>{@code program-categories}: a program that lists categories is only for cardholders holding one of them;</li>
 * <li>{@code idp-condition}: an IDP — a cardholder who qualifies for a program, or gets a guest card, as an IDP —
 * needs the IDP registration certificate's number and date, and arrived in the city on or after 24.02.2022
 * (decision No. 1103 of 21.12.2022: the guest card is for IDPs who arrived since 24.02.2022).</li>
 * </ul>
 * Stateless; thread-safe.
 */
public final class Eligibility
{
    /** The day from which the guest card counts arrivals (the full-scale invasion). */
    public static final LocalDate IDP_ARRIVALS_FROM = LocalDate.of(2022, 2, 24);
    public static final String IDP = "IDP";

    private Eligibility()
    {
    }

    /**
     * @param conn      the transaction.
     * @param holderId  the cardholder.
     * @param programId the program.
     * @return completes when the holder may hold an entitlement to the program, else fails with 422 not-eligible.
     */
    public static Future<Void> checkProgram(final SqlConnection conn, final long holderId, final int programId)
    {
        return conn.preparedQuery("SELECT p.name, p.categories AS program_categories, h.categories, h.idp_certificate, " +
                "h.idp_certificate_date, h.idp_arrived_on FROM programs p, cardholders h WHERE p.id = $1 AND h.id = $2")
            .execute(Tuple.of(programId, holderId))
            .compose(rows ->
            {
                if (rows.size() == 0)
                {
                    return Future.succeededFuture();
                }
                final Row row = rows.iterator().next();
                final List<String> wanted = list(row.getArrayOfStrings("program_categories"));
                if (wanted.isEmpty())
                {
                    return Future.succeededFuture();
                }
                final List<String> held = list(row.getArrayOfStrings("categories"));
                final List<String> common = new ArrayList<>(wanted);
                common.retainAll(held);
                if (common.isEmpty())
                {
                    return Future.failedFuture(notEligible("program-categories", "program " + programId + " «" +
                        row.getString("name") + "» is for " + wanted + "; cardholder " + holderId + " is " + held));
                }
                if (common.equals(List.of(IDP)))
                {
                    final String missing = idpConditionMissing(row.getString("idp_certificate"),
                        row.getLocalDate("idp_certificate_date"), row.getLocalDate("idp_arrived_on"));
                    if (null != missing)
                    {
                        return Future.failedFuture(notEligible("idp-condition", "program " + programId + " is for " +
                            "IDPs; cardholder " + holderId + ": " + missing));
                    }
                }
                return Future.succeededFuture();
            });
    }

    /**
     * @param certificate the IDP certificate's number.
     * @param issuedOn    its date.
     * @param arrivedOn   the day the person arrived.
     * @return what is missing or wrong, or null when the IDP condition holds.
     */
    public static String idpConditionMissing(final String certificate, final LocalDate issuedOn,
        final LocalDate arrivedOn)
    {
        if (null == certificate || certificate.isBlank() || null == issuedOn)
        {
            return "the IDP registration certificate's number and date are required";
        }
        if (null == arrivedOn)
        {
            return "the date of arrival is required";
        }
        if (arrivedOn.isBefore(IDP_ARRIVALS_FROM))
        {
            return "arrived on " + arrivedOn + ", before " + IDP_ARRIVALS_FROM;
        }
        return null;
    }

    /**
     * @param rule   the rule's name.
     * @param detail what does not hold.
     * @return the 422 problem.
     */
    public static ApiException notEligible(final String rule, final String detail)
    {
        return new ApiException(422, "not-eligible", "Not eligible", "rule " + rule + ": " + detail, null);
    }

    private static List<String> list(final String[] values)
    {
        return null == values ? List.of() : List.of(values);
    }
}
