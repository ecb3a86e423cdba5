package io.tapswitch.admin.account;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.tapswitch.admin.AdminService;
import io.tapswitch.admin.Principal;
import io.tapswitch.admin.demo.DemoPeople;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The demo's accounts, one or more per role, each with a new random password (shown once, to the one who ran the
 * demo): the center administrator at the ЦНАП, a department specialist at the social protection unit, district
 * specialists of two districts, an auditor, an operator, the education department and the demo donor. Created
 * through {@link Accounts} (hashed, audited as {@code system}).
 * <p>
 * Blocking: call it off the Vert.x event loop.
 */
public final class DemoAccounts
{
    /** Username of the demo's center administrator. */
    public static final String ADMIN = "admin";

    /**
     * A demo account's credentials.
     *
     * @param username the username.
     * @param password its password.
     * @param roles    its roles.
     * @param district its district or null.
     */
    public record Credential(String username, String password, String roles, String district)
    {
    }

    private DemoAccounts()
    {
    }

    /**
     * Creates the demo accounts.
     *
     * @param service a started admin service.
     * @return the credentials, the center administrator first.
     */
    public static List<Credential> create(final AdminService service) throws Exception
    {
        final List<Credential> created = new ArrayList<>();
        created.add(one(service, ADMIN, "Адміністратор центру", "center_admin", "CNAP", null, null));
        created.add(one(service, "caseworker", "Спеціаліст департаменту", "department_specialist", "SOCIAL_PROTECTION_UNIT", null, null));
        created.add(one(service, "district1", "Спеціаліст району " + DemoPeople.DISTRICTS[0], "district_specialist",
            "SOCIAL_PROTECTION_UNIT", DemoPeople.DISTRICTS[0], null));
        created.add(one(service, "district2", "Спеціаліст району " + DemoPeople.DISTRICTS[1], "district_specialist",
            "STAROSTA_DISTRICT", DemoPeople.DISTRICTS[1], null));
        created.add(one(service, "auditor", "Аудитор", "auditor", "OTHER", null, null));
        created.add(one(service, "operator", "Оператор", "operator", "OTHER", null, null));
        created.add(one(service, "education", "Департамент освіти", "education_department", "OTHER", null, null));
        created.add(one(service, "donor", "Demo Donor", "donor", "OTHER", null, "Demo Donor"));
        return created;
    }

    private static Credential one(final AdminService service, final String username, final String displayName, final String role,
        final String workplace, final String district, final String donor) throws Exception
    {
        final byte[] bytes = new byte[15];
        new SecureRandom().nextBytes(bytes);
        final String password = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        final JsonObject body = new JsonObject().put("username", username).put("displayName", displayName)
            .put("roles", new JsonArray().add(role)).put("workplace", workplace).put("password", password);
        if (district != null)
        {
            body.put("district", district);
        }
        if (donor != null)
        {
            body.put("donor", donor);
        }
        service.accounts().create(Principal.SYSTEM, body).toCompletionStage().toCompletableFuture().get(1, TimeUnit.MINUTES);
        return new Credential(username, password, role, district);
    }
}
