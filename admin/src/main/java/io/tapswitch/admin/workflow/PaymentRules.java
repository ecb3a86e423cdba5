package io.tapswitch.admin.workflow;

import java.math.BigInteger;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a payment order must hold before a case may order it: a positive amount in kopiyky (at most
 * {@link #MAX_AMOUNT_KOPIYKY}), a channel (BANK to a valid Ukrainian IBAN, or POST to an address), for a service
 * provider its EDRPOU code and a bank account.
 * <p>
 * Stateless; thread-safe.
 */
public final class PaymentRules
{
    /** 1 000 000.00 UAH: no single aid of the catalogue comes near it; a larger figure is a typing error. */
    public static final long MAX_AMOUNT_KOPIYKY = 100_000_000L;
    public static final Set<String> CHANNELS = Set.of("BANK", "POST");
    public static final Set<String> FUNDING_SOURCES = Set.of("CITY_BUDGET", "STATE_BUDGET", "DONOR");
    private static final Pattern UA_IBAN = Pattern.compile("UA\\d{27}");
    private static final Pattern EDRPOU = Pattern.compile("\\d{8}");

    private PaymentRules()
    {
    }

    /**
     * @param order the order, or null.
     * @param payee APPLICANT or PROVIDER (the card's).
     * @return why it cannot be ordered, or null when it can.
     */
    public static String invalid(final CaseCommand.PaymentOrder order, final String payee)
    {
        if (null == order)
        {
            return "paying needs the payment: amountKopiyky, channel (BANK with iban, or POST with postAddress)";
        }
        if (order.amountKopiyky() <= 0 || order.amountKopiyky() > MAX_AMOUNT_KOPIYKY)
        {
            return "amountKopiyky must be between 1 and " + MAX_AMOUNT_KOPIYKY + ", was " + order.amountKopiyky();
        }
        if (!CHANNELS.contains(String.valueOf(order.channel())))
        {
            return "channel must be one of " + CHANNELS + ", was " + order.channel();
        }
        if ("BANK".equals(order.channel()) && !validIban(order.iban()))
        {
            return "channel BANK needs a valid Ukrainian IBAN (UA, 2 check digits, 25 digits), was " + order.iban();
        }
        if ("POST".equals(order.channel()) && (null == order.postAddress() || order.postAddress().isBlank()))
        {
            return "channel POST needs the postAddress";
        }
        if (null != order.fundingSource() && !FUNDING_SOURCES.contains(order.fundingSource()))
        {
            return "fundingSource must be one of " + FUNDING_SOURCES + ", was " + order.fundingSource();
        }
        if ("PROVIDER".equals(payee))
        {
            if (null == order.payeeName() || order.payeeName().isBlank() || null == order.payeeCode() ||
                !EDRPOU.matcher(order.payeeCode()).matches())
            {
                return "the card pays the service provider: payeeName and its 8-digit EDRPOU payeeCode are required";
            }
            if (!"BANK".equals(order.channel()))
            {
                return "the card pays the service provider: only channel BANK";
            }
        }
        return null;
    }

    /**
     * @param iban an IBAN.
     * @return whether it is a Ukrainian IBAN whose ISO 13616 check (mod 97) holds.
     */
    public static boolean validIban(final String iban)
    {
        if (null == iban || !UA_IBAN.matcher(iban).matches())
        {
            return false;
        }
        final String rearranged = iban.substring(4) + "3010" + iban.substring(2, 4);
        return new BigInteger(rearranged).mod(BigInteger.valueOf(97)).intValue() == 1;
    }
}
