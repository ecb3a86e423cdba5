package io.tapswitch.admin.workflow;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import io.tapswitch.admin.AdminContext;
import io.tapswitch.admin.Principal;
import io.tapswitch.admin.api.ApiException;
import io.tapswitch.admin.outbox.SwitchCommand;
import io.tapswitch.formats.command.CardKind;
import io.tapswitch.formats.command.CardStatus;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

/**
 * Carries out what finishing a case asks, through the admin service's command path, in the transaction that stores
 * the case: a card-issuing case creates the cardholder if the applicant is a new person (SET_HOUSEHOLD), stores the
 * card and sends ISSUE_CARD (status ACTIVE: the card is handed over at that stage); an aid case grants the
 * entitlement to the program configured for the card's program key and sends GRANT_ENTITLEMENT (nothing when the
 * holder already holds it). Everything is audited; any failure rolls the whole action back.
 * <p>
 * Stateless; thread-safe.
 */
public final class CaseOutcomes
{
    private final AdminContext ctx;
    private final WorkingCalendar calendar;
    private final Map<String, Integer> programs;
    private final int cardValidityYears;
    private final Catalogue catalogue;
    private final Deceased deceased;

    /**
     * @param ctx               the admin service.
     * @param calendar          for the city date.
     * @param programs          program id by the catalogue's program key ({@code workflow.programs}).
     * @param cardValidityYears how long an issued card is valid.
     * @param engine            the case engine (closing a deceased holder's other cases).
     * @param store             the case store.
     */
    public CaseOutcomes(final AdminContext ctx, final WorkingCalendar calendar, final Map<String, Integer> programs,
        final int cardValidityYears, final CaseEngine engine, final CaseStore store)
    {
        this.catalogue = engine.catalogue();
        this.deceased = new Deceased(ctx, engine, store);
        this.ctx = ctx;
        this.calendar = calendar;
        this.programs = Map.copyOf(programs);
        this.cardValidityYears = cardValidityYears;
    }

    /**
     * @param conn      the transaction.
     * @param principal who acts.
     * @param after     the case after the action; its applicant gets the new holder id when one is created.
     * @param effects   the effects.
     * @param now       when.
     * @return completes when done.
     */
    public Future<Void> execute(final SqlConnection conn, final Principal principal, final CaseFile after,
        final List<CaseEffect> effects, final Instant now)
    {
        Future<Void> chain = Future.succeededFuture();
        for (final CaseEffect effect : effects)
        {
            if (effect instanceof CaseEffect.IssueCard issue)
            {
                chain = chain.compose(v -> issueCard(conn, principal, after, issue, now));
            }
            else if (effect instanceof CaseEffect.GrantEntitlement grant)
            {
                chain = chain.compose(v -> grant(conn, principal, grant, now));
            }
            else if (effect instanceof CaseEffect.OrderPayment pay)
            {
                chain = chain.compose(v -> orderPayment(conn, principal, after, pay, now));
            }
            else if (effect instanceof CaseEffect.HolderDeceased died)
            {
                chain = chain.compose(v -> deceased.apply(conn, principal, after, died, now));
            }
            else
            {
                return Future.failedFuture(new IllegalStateException("no handler for case effect " + effect));
            }
        }
        return chain;
    }

    /**
     * Orders the payment: one row, status ORDERED, on the city date it was ordered; audited. The payee's name is the
     * order's, else the applicant's, else the cardholder's in the registry. Nothing goes to the switch.
     */
    private Future<Void> orderPayment(final SqlConnection conn, final Principal principal, final CaseFile after,
        final CaseEffect.OrderPayment pay, final Instant now)
    {
        final OffsetDateTime at = now.atOffset(ZoneOffset.UTC);
        final ServiceCard card = catalogue.card(after.serviceCode, after.cardVersion);
        final Future<String> name = null != pay.order().payeeName() ? Future.succeededFuture(pay.order().payeeName()) :
            null == pay.holderId() ? Future.failedFuture(new ApiException(422, "case-invalid-request",
                "The request does not fit the service card", "the payment needs a payeeName", null)) :
            conn.preparedQuery("SELECT family_name || ' ' || given_name || COALESCE(' ' || patronymic, '') " +
                "FROM cardholders WHERE id = $1").execute(Tuple.of(pay.holderId()))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString(0));
        return name.compose(payeeName -> conn.preparedQuery("INSERT INTO payments (case_id, service_code, card_version, " +
                "ministry_category, holder_id, payee, payee_name, payee_code, channel, iban, post_address, amount_kopiyky, " +
                "funding_source, status, ordered_at, ordered_on, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, " +
                "$10, $11, $12, $13, 'ORDERED', $14, $15, $14) RETURNING id")
            .execute(Tuple.from(new Object[]{ pay.caseId(), pay.serviceCode(), after.cardVersion,
                null == card.ministryCategory() ? null : card.ministryCategory().name(), pay.holderId(), pay.payee(),
                payeeName, pay.order().payeeCode(), pay.order().channel(),
                "BANK".equals(pay.order().channel()) ? pay.order().iban() : null,
                "POST".equals(pay.order().channel()) ? pay.order().postAddress() : null, pay.order().amountKopiyky(),
                pay.fundingSource(), at, calendar.dateOf(now) }))
            .compose(rows -> ctx.audit(conn, principal, "payment.order", "payment", rows.iterator().next().getLong(0),
                null, new JsonObject().put("caseId", pay.caseId()).put("amountKopiyky", pay.order().amountKopiyky())
                    .put("channel", pay.order().channel()).put("payee", pay.payee())
                    .put("fundingSource", pay.fundingSource()))));
    }

    private Future<Void> issueCard(final SqlConnection conn, final Principal principal, final CaseFile after,
        final CaseEffect.IssueCard issue, final Instant now)
    {
        final Applicant applicant = issue.applicant();
        final OffsetDateTime at = now.atOffset(ZoneOffset.UTC);
        final Future<Long> holder = null != applicant.holderId() ?
            requireHolder(conn, applicant.holderId()) : createHolder(conn, principal, after.id, applicant, at);
        final LocalDate expiry = calendar.dateOf(now).plusYears(cardValidityYears);
        return holder.compose(holderId ->
        {
            after.applicant = new Applicant(holderId, applicant.familyName(), applicant.givenName(),
                applicant.patronymic(), applicant.idp(), applicant.idpCertificate(), applicant.idpCertificateDate(),
                applicant.idpArrivedOn());
            return conn.preparedQuery("SELECT 1 FROM cards WHERE id = $1").execute(Tuple.of(issue.cardId()))
                .compose(rows -> rows.size() > 0 ?
                    Future.failedFuture(ApiException.conflict("/body/cardId", "card " + issue.cardId() +
                        " is already issued")) :
                    conn.preparedQuery("INSERT INTO cards (id, holder_id, kind, status, expiry, created_at, updated_at) " +
                        "VALUES ($1, $2, $3, 'ACTIVE', $4, $5, $5)")
                        .execute(Tuple.of(issue.cardId(), holderId, issue.cardKind(), expiry, at)))
                .compose(v -> ctx.command(conn, SwitchCommand.issueCard(issue.cardId(), holderId, expiry,
                    cardKind(issue.cardKind()), CardStatus.ACTIVE)))
                .compose(v -> ctx.audit(conn, principal, "card.issue", "card", issue.cardId(), null,
                    new JsonObject().put("id", issue.cardId()).put("holderId", holderId).put("kind", issue.cardKind())
                        .put("status", "ACTIVE").put("expiry", expiry.toString()).put("caseId", issue.caseId())));
        });
    }

    private Future<Long> requireHolder(final SqlConnection conn, final long holderId)
    {
        return conn.preparedQuery("SELECT 1 FROM cardholders WHERE id = $1").execute(Tuple.of(holderId))
            .compose(rows -> rows.size() > 0 ? Future.succeededFuture(holderId) :
                Future.failedFuture(ApiException.unknownReference("/body/applicant/holderId", "cardholder", holderId)));
    }

    private Future<Long> createHolder(final SqlConnection conn, final Principal principal, final String caseId,
        final Applicant applicant, final OffsetDateTime at)
    {
        final String[] categories = applicant.idp() ? new String[]{ "IDP" } : new String[]{ "RESIDENT" };
        return conn.preparedQuery("INSERT INTO cardholders (household_id, family_name, given_name, patronymic, " +
                "categories, idp_certificate, idp_certificate_date, idp_arrived_on, created_at, updated_at) " +
                "VALUES (NULL, $1, $2, $3, $4, $5, $7, $8, $6, $6) RETURNING id")
            .execute(Tuple.from(new Object[]{ applicant.familyName(), applicant.givenName(), applicant.patronymic(),
                categories, applicant.idpCertificate(), at, applicant.idpCertificateDate(), applicant.idpArrivedOn() }))
            .map(rows -> rows.iterator().next().getLong(0))
            .compose(holderId -> ctx.command(conn, SwitchCommand.setHousehold(holderId, 0))
                .compose(v -> ctx.audit(conn, principal, "cardholder.create", "cardholder", holderId, null,
                    new JsonObject().put("id", holderId).put("categories", new JsonArray(List.of((Object[])categories)))
                        .put("caseId", caseId)))
                .map(holderId));
    }

    private Future<Void> grant(final SqlConnection conn, final Principal principal,
        final CaseEffect.GrantEntitlement grant, final Instant now)
    {
        final Integer programId = programs.get(grant.programKey());
        if (null == programId)
        {
            return Future.failedFuture(new ApiException(422, "program-not-configured",
                "The service card's program is not configured", "program key '" + grant.programKey() +
                "' has no program id in the workflow.programs configuration", null));
        }
        final OffsetDateTime at = now.atOffset(ZoneOffset.UTC);
        return conn.preparedQuery("SELECT 1 FROM programs WHERE id = $1").execute(Tuple.of(programId))
            .compose(rows -> rows.size() > 0 ? Future.succeededFuture() : Future.failedFuture(new ApiException(422,
                "program-not-configured", "The service card's program is not configured", "program " + programId +
                " configured for '" + grant.programKey() + "' does not exist", null)))
            .compose(v -> io.tapswitch.admin.eligibility.Eligibility.checkProgram(conn, grant.holderId(), programId))
            .compose(v -> conn.preparedQuery("SELECT 1 FROM entitlements WHERE holder_id = $1 AND program_id = $2 " +
                "AND status = 'ACTIVE'").execute(Tuple.of(grant.holderId(), programId)))
            .compose(rows ->
            {
                if (rows.size() > 0)
                {
                    return Future.succeededFuture();
                }
                return conn.preparedQuery("INSERT INTO entitlements (holder_id, program_id, status, granted_at, note) " +
                        "VALUES ($1, $2, 'ACTIVE', $3, $4) RETURNING id")
                    .execute(Tuple.of(grant.holderId(), programId, at, "case " + grant.caseId()))
                    .compose(inserted -> ctx.command(conn, SwitchCommand.grantEntitlement(grant.holderId(), programId))
                        .compose(c -> ctx.audit(conn, principal, "entitlement.grant", "entitlement",
                            inserted.iterator().next().getLong(0), null, new JsonObject().put("holderId", grant.holderId())
                                .put("programId", programId).put("caseId", grant.caseId()))));
            });
    }

    private static int cardKind(final String kind)
    {
        switch (kind)
        {
            case "GUEST":
                return CardKind.GUEST;
            case "SOCIAL":
                return CardKind.SOCIAL;
            default:
                return CardKind.RESIDENT;
        }
    }
}
