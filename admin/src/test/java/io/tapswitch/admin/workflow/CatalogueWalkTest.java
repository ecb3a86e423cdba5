package io.tapswitch.admin.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.tapswitch.admin.Role;
import org.junit.jupiter.api.Test;

/**
 * Every card of the shipped catalogue, every version, walked by the roles its stages name: from registration
 * (at the Center and at the handling body, when the card allows both) through every committee to its result, and
 * from registration to a refusal wherever the card allows one. The result is the card's outcome: a payment with its
 * amount for a cash card, a card issued, an entitlement, the deceased holder's effects, or the result recorded.
 */
class CatalogueWalkTest
{
    private static final ZoneId KYIV = ZoneId.of("Europe/Kyiv");
    static final String IBAN = "UA263220010000026201234567890";
    private final CaseEngine engine = new CaseEngine(CatalogueLoader.loadShipped(), WorkingCalendar.loadShipped());
    private Instant now = LocalDate.parse("2026-03-02").atTime(10, 0).atZone(KYIV).toInstant();

    @Test
    void shouldWalkEveryCardToItsResult()
    {
        int walks = 0;
        for (final ServiceCard card : engine.catalogue().allCards())
        {
            for (final Role registering : card.registrationStage().action(CaseAction.REGISTER).roles())
            {
                final CaseFile done = walk(card, registering, null);
                assertThat(done.status()).as(card.key() + " registered by " + registering).isEqualTo(CaseStatus.COMPLETED);
                walks++;
            }
        }
        assertThat(walks).isGreaterThanOrEqualTo(33);
    }

    @Test
    void shouldRefuseOnEveryCardThatAllowsARefusalWalkingItsRefusalStages()
    {
        int refusals = 0;
        for (final ServiceCard card : engine.catalogue().allCards())
        {
            final Role registering = card.registrationStage().action(CaseAction.REGISTER).roles().iterator().next();
            final boolean refuses = card.stages().stream().anyMatch(s -> s.actions().containsKey(CaseAction.REFUSE));
            if (!refuses)
            {
                continue;
            }
            final CaseFile refused = walk(card, registering, CaseAction.REFUSE);
            assertThat(refused.status()).as(card.key()).isEqualTo(CaseStatus.REFUSED);
            assertThat(refused.refusal().appealRoute()).isNotBlank();
            refusals++;
        }
        assertThat(refusals).isGreaterThanOrEqualTo(28);
    }

    @Test
    void shouldEndACashCardInAPaymentWithItsAmountNotAKit()
    {
        for (final String code : List.of("13", "26", "6", "25"))
        {
            final ServiceCard card = engine.catalogue().latest(code);
            assertThat(card.outcome().type()).as(code).isEqualTo(OutcomeType.PAYMENT);
            assertThat(card.outcome().programKey()).as(code).isNull();
        }
        assertThat(engine.catalogue().latest("9").outcome().payee()).isEqualTo("PROVIDER");
        assertThat(engine.catalogue().latest("15").outcome().payee()).isEqualTo("PROVIDER");
        // cases registered under the old versions keep walking them
        assertThat(engine.catalogue().card("13", 1).outcome().type()).isEqualTo(OutcomeType.GRANT_ENTITLEMENT);
    }

    private static Actor actor(final Set<Role> roles)
    {
        return new Actor("walker", roles.contains(Role.DEPARTMENT_SPECIALIST) ? Role.DEPARTMENT_SPECIALIST :
            roles.iterator().next());
    }

    private CaseFile walk(final ServiceCard card, final Role registering, final CaseAction ending)
    {
        final Set<String> documents = new HashSet<>();
        for (final ServiceCard.DocumentSpec doc : card.documents())
        {
            documents.add(doc.code());
        }
        final CaseResult registered = engine.register(new CaseCommand.Register("w-" + card.key(), card.code(),
            card.version(), new io.tapswitch.admin.workflow.Applicant(42L, "Петренко", "Олена", null, false, null),
            null, documents, "", card.outcome().type() == OutcomeType.HOLDER_DECEASED ? 77L : null),
            new Actor("walker", registering), now);
        assertThat(registered.code()).as(card.key() + ": " + registered.message()).isEqualTo(ResultCode.OK);
        CaseFile c = registered.caseFile();
        boolean sawOutcome = false;
        for (int step = 0; step < 40 && c.status().isOpen(); step++)
        {
            now = now.plusSeconds(86_400);
            final ServiceCard.Stage stage = card.stage(c.stageNo());
            final CaseResult result;
            if (c.onRefusalTrack())
            {
                result = engine.apply(c, c.version(), new CaseCommand.Advance(""), actor(stage.roles()), now);
            }
            else if (ending == CaseAction.REFUSE && stage.actions().containsKey(CaseAction.REFUSE))
            {
                result = engine.apply(c, c.version(), new CaseCommand.Refuse(
                    card.refusalGrounds().isEmpty() ? null : card.refusalGrounds().get(0).code(),
                    card.refusalGrounds().isEmpty() ? "не має права на допомогу" : null,
                    "до суду або до органу вищого рівня", ""),
                    actor(stage.action(CaseAction.REFUSE).roles()), now);
            }
            else if (null != stage.committee())
            {
                final CaseEngine.BatchResult batch = engine.committeeSession(List.of(c), stage.committee().code(),
                    LocalDate.ofInstant(now, KYIV), Map.of(), actor(stage.action(CaseAction.COMMITTEE_DECISION).roles()), now);
                assertThat(batch.code()).as(card.key() + " stage " + stage.no() + ": " + batch.message())
                    .isEqualTo(ResultCode.OK);
                c = batch.decided().get(0);
                continue;
            }
            else if (stage.actions().containsKey(CaseAction.PAY))
            {
                final CaseCommand.Pay pay = card.outcome().type() == OutcomeType.PAYMENT ?
                    new CaseCommand.Pay(new CaseCommand.PaymentOrder(250_000L, "PROVIDER".equals(card.outcome().payee()) ?
                        "КП «Кривбасводоканал»" : null, "PROVIDER".equals(card.outcome().payee()) ? "03341316" : null,
                        "BANK", IBAN, null, null), "") : new CaseCommand.Pay("");
                result = engine.apply(c, c.version(), pay, actor(stage.action(CaseAction.PAY).roles()), now);
                assertThat(result.code()).as(card.key() + ": " + result.message()).isEqualTo(ResultCode.OK);
                sawOutcome = true;
                assertOutcome(card, result);
            }
            else if (stage.actions().containsKey(CaseAction.ISSUE))
            {
                result = engine.apply(c, c.version(), new CaseCommand.Issue(9_000_000L + step, ""),
                    actor(stage.action(CaseAction.ISSUE).roles()), now);
                assertThat(result.code()).as(card.key() + ": " + result.message()).isEqualTo(ResultCode.OK);
                sawOutcome = true;
                assertOutcome(card, result);
            }
            else
            {
                result = engine.apply(c, c.version(), new CaseCommand.Advance(""),
                    actor(stage.action(CaseAction.ADVANCE).roles()), now);
            }
            assertThat(result.code()).as(card.key() + " stage " + stage.no() + ": " + result.message())
                .isEqualTo(ResultCode.OK);
            c = result.caseFile();
        }
        if (null == ending)
        {
            assertThat(sawOutcome).as(card.key() + " reached its result stage").isTrue();
        }
        return c;
    }

    private static void assertOutcome(final ServiceCard card, final CaseResult result)
    {
        switch (card.outcome().type())
        {
            case PAYMENT ->
            {
                assertThat(result.effects()).singleElement().isInstanceOf(CaseEffect.OrderPayment.class);
                final CaseEffect.OrderPayment pay = (CaseEffect.OrderPayment)result.effects().get(0);
                assertThat(pay.order().amountKopiyky()).isEqualTo(250_000L);
                assertThat(pay.payee()).isEqualTo(card.outcome().payee());
                assertThat(pay.fundingSource()).isEqualTo("CITY_BUDGET");
                assertThat(pay.order().payeeName()).isNotBlank();
            }
            case ISSUE_CARD -> assertThat(result.effects()).singleElement().isInstanceOf(CaseEffect.IssueCard.class);
            case GRANT_ENTITLEMENT ->
                assertThat(result.effects()).singleElement().isInstanceOf(CaseEffect.GrantEntitlement.class);
            case HOLDER_DECEASED -> assertThat(result.effects()).containsExactly(
                new CaseEffect.HolderDeceased(result.caseFile().id(), 77L));
            default -> assertThat(result.effects()).isEmpty();
        }
    }
}
