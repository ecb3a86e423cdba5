package io.tapswitch.admin.account;

import io.tapswitch.admin.Principal;
import io.tapswitch.admin.api.ApiException;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/**
 * What a caller may see of people and cases: a district specialist signed in with an account is limited to the
 * households of its district, their members and their cases ({@link Principal#scopeDistrict()}); everyone else who
 * may read them sees all. Outside the scope a resource is answered as not found, so its existence is not disclosed.
 * <p>
 * The SQL fragments take the district as a text parameter that is NULL for an unlimited caller.
 * Stateless, thread-safe.
 */
public final class Scope
{
    /** Holders visible to district {@code $n}: {@code holderColumn IN (...)} or everything when $n is NULL. */
    public static String holderIn(final String holderColumn, final int param)
    {
        return "($" + param + "::text IS NULL OR " + holderColumn + " IN (SELECT sc.id FROM cardholders sc JOIN households sh " +
            "ON sh.id = sc.household_id WHERE sh.district = $" + param + "))";
    }

    /** Households visible to district {@code $n}. */
    public static String householdIn(final String householdColumn, final int param)
    {
        return "($" + param + "::text IS NULL OR " + householdColumn + " IN (SELECT sh.id FROM households sh WHERE sh.district = $" +
            param + "))";
    }

    private Scope()
    {
    }

    /**
     * @param client    where to read.
     * @param principal the caller.
     * @param holderId  a cardholder.
     * @return succeeds when the caller may see the holder; fails 404 otherwise.
     */
    public static Future<Void> requireHolder(final SqlClient client, final Principal principal, final long holderId)
    {
        final String district = principal == null ? null : principal.scopeDistrict();
        if (district == null)
        {
            return Future.succeededFuture();
        }
        return client.preparedQuery("SELECT 1 FROM cardholders c JOIN households h ON h.id = c.household_id " +
                "WHERE c.id = $1 AND h.district = $2").execute(Tuple.of(holderId, district))
            .compose(rows -> rows.size() > 0 ? Future.succeededFuture() :
                Future.failedFuture(ApiException.notFound("cardholder", holderId)));
    }

    /**
     * @return succeeds when the caller may see the household; fails 404 otherwise.
     */
    public static Future<Void> requireHousehold(final SqlClient client, final Principal principal, final long householdId)
    {
        final String district = principal == null ? null : principal.scopeDistrict();
        if (district == null)
        {
            return Future.succeededFuture();
        }
        return client.preparedQuery("SELECT 1 FROM households WHERE id = $1 AND district = $2").execute(Tuple.of(householdId, district))
            .compose(rows -> rows.size() > 0 ? Future.succeededFuture() :
                Future.failedFuture(ApiException.notFound("household", householdId)));
    }

    /**
     * @return succeeds when the caller may see the case (its applicant is a holder of the caller's district); fails
     * 404 otherwise.
     */
    public static Future<Void> requireCase(final SqlClient client, final Principal principal, final String caseId)
    {
        final String district = principal == null ? null : principal.scopeDistrict();
        if (district == null)
        {
            return Future.succeededFuture();
        }
        return client.preparedQuery("SELECT 1 FROM cases k JOIN cardholders c ON c.id = k.holder_id JOIN households h " +
                "ON h.id = c.household_id WHERE k.id = $1 AND h.district = $2").execute(Tuple.of(caseId, district))
            .compose(rows -> rows.size() > 0 ? Future.succeededFuture() :
                Future.failedFuture(ApiException.notFound("case", caseId)));
    }
}
