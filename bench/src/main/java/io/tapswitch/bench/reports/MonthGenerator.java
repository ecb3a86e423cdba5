package io.tapswitch.bench.reports;

import java.time.YearMonth;
import java.time.ZoneId;
import java.util.Locale;

/**
 * The SQL that generates a city month of taps inside PostgreSQL for {@code bench reports}: a function of the receipt
 * alone (a 64-bit hash of it), so a range of receipts can be inserted by one {@code INSERT ... SELECT} and the same
 * month comes out of every run.
 * <p>
 * The month's taps are spread evenly over its days, 07:00-19:00 in the city, in receipt order (as the switch decides
 * them). Who taps where:
 * <ul>
 *   <li>cards: ids {@code 1000001 ... 1000000 + cards} of the demo registry (the holder is the card, three to a household);
 *       some tap more often than others (a card's share of the taps runs from 2/3 to 2 times the mean), the order of
 *       activity scattered over the ids;</li>
 *   <li>school days (Monday to Friday): 70 % meals at the card's own school canteen (outlets 6-10 by card; 10 % at
 *       another canteen), breakfast (program 4) before 09:30, lunch (program 3) after; 30 % aid. Weekends: aid only;</li>
 *   <li>aid: the card's own aid point (outlets 1-5 by card; 15 % another), the food kit (program 1) 60 %, the hygiene
 *       kit (program 2) 40 %;</li>
 *   <li>decisions: cards {@code c mod 100} = 99, 98, 97 declined CARD_BLOCKED, CARD_EXPIRED, NO_ENTITLEMENT (as the
 *       demo registry has them); the others 72 % APPROVED, 28 % DECLINED QUOTA_EXHAUSTED; 3 % of the taps are offline
 *       advices, RECORDED (a fifth of them over quota: QUOTA_EXHAUSTED), served 1 minute to 36 hours before they were
 *       decided (so some count on an earlier day than they were decided on);</li>
 *   <li>every 50th receipt is a REVERSAL of the tap 7 receipts before (same card, outlet, program), APPROVED when that
 *       tap was APPROVED or RECORDED (ORIGINAL_NOT_FOUND otherwise), counted on its own day;</li>
 *   <li>terminals: 200 per outlet (ids {@code outlet + 10 k}, as the demo numbers them).</li>
 * </ul>
 */
final class MonthGenerator
{
    private final long monthStartMs;
    private final long perDay;
    private final String firstDay;
    private final int cards;

    MonthGenerator(final YearMonth month, final ZoneId zone, final long taps, final int cards)
    {
        this.monthStartMs = month.atDay(1).atStartOfDay(zone).toInstant().toEpochMilli();
        this.perDay = (taps + month.lengthOfMonth() - 1) / month.lengthOfMonth();
        this.firstDay = month.atDay(1).toString();
        this.cards = cards;
    }

    long perDay()
    {
        return perDay;
    }

    /**
     * @return one INSERT of the taps with receipts {@code from ... to}.
     */
    String insert(final long from, final long to)
    {
        // h: the hash of the receipt whose card, outlet and program the row has (a reversal: the tap 7 receipts before);
        // every attribute below reads its own bits of h
        return String.format(Locale.ROOT,
            "INSERT INTO taps (receipt, type, decided_at, terminal_id, outlet_id, correlation, card_id, holder_id, " +
            "program_id, quantity, offline, terminal_time, decision, reason, remaining, journal_index) " +
            "SELECT s, CASE WHEN rev THEN 'REVERSAL' ELSE 'TAP' END, at, outlet + 10 * ((h >> 40) %% 200), outlet, s, card, card, " +
            "program, 1, off, CASE WHEN off THEN at - make_interval(secs => 60 + (h >> 44) %% 129540) END, " +
            "CASE WHEN rev THEN (CASE WHEN refused IS NULL AND (was_off OR roll < 72) THEN 'APPROVED' ELSE 'DECLINED' END) " +
            "     WHEN off THEN 'RECORDED' WHEN refused IS NOT NULL OR roll >= 72 THEN 'DECLINED' ELSE 'APPROVED' END, " +
            "CASE WHEN rev THEN (CASE WHEN refused IS NULL AND (was_off OR roll < 72) THEN 'OK' ELSE 'ORIGINAL_NOT_FOUND' END) " +
            "     WHEN refused IS NOT NULL THEN refused WHEN off THEN (CASE WHEN roll >= 80 THEN 'QUOTA_EXHAUSTED' ELSE 'OK' END) " +
            "     WHEN roll >= 72 THEN 'QUOTA_EXHAUSTED' ELSE 'OK' END, " +
            "0, s / 64 " +
            "FROM (SELECT s, rev, at, h, card, roll, was_off, NOT rev AND was_off AS off, " +
            "  CASE card %% 100 WHEN 99 THEN 'CARD_BLOCKED' WHEN 98 THEN 'CARD_EXPIRED' WHEN 97 THEN 'NO_ENTITLEMENT' END AS refused, " +
            "  CASE WHEN meal THEN (CASE WHEN (h >> 32) %% 10 = 0 THEN 6 + (h >> 36) %% 5 ELSE 6 + card %% 5 END) " +
            "       ELSE (CASE WHEN (h >> 32) %% 20 < 3 THEN 1 + (h >> 36) %% 5 ELSE 1 + (card / 5) %% 5 END) END AS outlet, " +
            "  CASE WHEN meal THEN (CASE WHEN minute_of_day < 150 THEN 4 ELSE 3 END) " +
            "       ELSE (CASE WHEN (h >> 24) %% 5 < 3 THEN 1 ELSE 2 END) END AS program " +
            " FROM (SELECT s, rev, at, h, minute_of_day, " +
            "    1000001 + ((floor(%d * (u + u * u) / 2)::bigint * 7919) %% %d) AS card, " +
            "    extract(isodow FROM day) < 6 AND (h >> 16) %% 10 < 7 AS meal, (h >> 28) %% 100 AS roll, " +
            "    (h >> 48) %% 100 < 3 AS was_off " +
            "  FROM (SELECT s, s %% 50 = 0 AS rev, d, j, date '%s' + d::int AS day, (j * 720) / %d AS minute_of_day, " +
            "      to_timestamp((%d + d * 86400000 + 25200000 + j * 43200000 / %d) / 1000.0) AS at, h, " +
            "      ((h >> 8) & 16777215) / 16777216.0 AS u " +
            "    FROM (SELECT s, (s - 1) / %d AS d, (s - 1) %% %d AS j, " +
            "        (hashint8extended(CASE WHEN s %% 50 = 0 THEN s - 7 ELSE s END, 0) & 9223372036854775807) AS h " +
            "      FROM generate_series(%d::bigint, %d::bigint) s) a) b) c) e",
            cards, cards, firstDay, perDay, monthStartMs, perDay, perDay, perDay, from, to);
    }
}
