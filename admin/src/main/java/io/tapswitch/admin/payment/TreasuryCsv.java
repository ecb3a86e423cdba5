package io.tapswitch.admin.payment;

import java.util.List;

import io.vertx.core.json.JsonObject;

/**
 * The day's payment register as the treasury's spreadsheet reads it: UTF-8 with a byte order mark (without it
 * spreadsheet programs take the bytes as the local 8-bit code page and the Cyrillic is garbled), semicolon-separated
 * (the list separator where the decimal separator is a comma), CRLF line ends, a field with a semicolon, quote or line
 * break quoted and its quotes doubled; amounts in hryvnias with a decimal comma and, for the machine, in kopiyky;
 * a last line with the count and the total.
 * <p>
 * Stateless; thread-safe.
 */
public final class TreasuryCsv
{
    static final List<String> HEADER = List.of("№ з/п", "Дата реєстру", "Отримувач", "Код ЄДРПОУ", "Спосіб виплати",
        "IBAN", "Адреса (поштовий переказ)", "Сума, грн", "Сума, коп.", "Джерело фінансування", "Послуга (картка №)",
        "Справа №", "Ідентифікатор виплати");

    private TreasuryCsv()
    {
    }

    /**
     * @param register a register as {@code PaymentsModule} answers it (date, count, totalKopiyky, items).
     * @return the CSV text, starting with the BOM.
     */
    public static String render(final JsonObject register)
    {
        final StringBuilder csv = new StringBuilder(PaymentsModule.BOM);
        line(csv, HEADER);
        int no = 0;
        for (final Object o : register.getJsonArray("items"))
        {
            final JsonObject p = (JsonObject)o;
            no++;
            line(csv, List.of(Integer.toString(no), register.getString("date"), p.getString("payeeName"),
                nz(p.getString("payeeCode")), "BANK".equals(p.getString("channel")) ? "банківський рахунок" :
                    "поштовий переказ", nz(p.getString("iban")), nz(p.getString("postAddress")),
                hryvnias(p.getLong("amountKopiyky")), Long.toString(p.getLong("amountKopiyky")),
                funding(p.getString("fundingSource")), p.getString("serviceCode"), p.getString("caseId"),
                Long.toString(p.getLong("id"))));
        }
        line(csv, List.of("Разом", register.getString("date"), "виплат: " + register.getInteger("count"), "", "", "",
            "", hryvnias(register.getLong("totalKopiyky")), Long.toString(register.getLong("totalKopiyky")), "", "", "",
            ""));
        return csv.toString();
    }

    /**
     * @param kopiyky an amount.
     * @return "1234,56".
     */
    static String hryvnias(final long kopiyky)
    {
        final long abs = Math.abs(kopiyky);
        return (kopiyky < 0 ? "-" : "") + abs / 100 + "," + (abs % 100 < 10 ? "0" : "") + abs % 100;
    }

    private static String funding(final String source)
    {
        return switch (source)
        {
            case "CITY_BUDGET" -> "бюджет Криворізької міської територіальної громади";
            case "STATE_BUDGET" -> "державний бюджет";
            case "DONOR" -> "кошти донорів";
            default -> source;
        };
    }

    private static String nz(final String value)
    {
        return null == value ? "" : value;
    }

    private static void line(final StringBuilder csv, final List<String> values)
    {
        for (int i = 0; i < values.size(); i++)
        {
            if (i > 0)
            {
                csv.append(';');
            }
            final String v = values.get(i);
            if (v.indexOf(';') >= 0 || v.indexOf('"') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0)
            {
                csv.append('"').append(v.replace("\"", "\"\"")).append('"');
            }
            else
            {
                csv.append(v);
            }
        }
        csv.append("\r\n");
    }
}
