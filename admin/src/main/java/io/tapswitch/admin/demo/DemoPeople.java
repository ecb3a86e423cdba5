package io.tapswitch.admin.demo;

import java.time.LocalDate;

/**
 * The people of the demo dataset ({@code shared/DEMO-DATA.md}, section People): every holder gets a synthetic
 * Ukrainian name, birth date and tax number derived from its card id {@code c} and household {@code h}; households
 * with {@code h mod 5 = 0} are displaced persons (category IDP, certificate {@code 0101-<h>}, guest cards). The
 * demo's households are spread over the seven districts of Kryvyi Rih by {@code (h - 1) mod 7}, so district scope has
 * something to limit. Stateless.
 */
public final class DemoPeople
{
    /** Family names, by {@code (h - 1) mod 24}. */
    public static final String[] FAMILY = {"Шевченко", "Коваленко", "Бондаренко", "Ткаченко", "Кравченко", "Олійник", "Шевчук",
        "Поліщук", "Бойко", "Ковальчук", "Мельник", "Ткачук", "Савченко", "Марченко", "Руденко", "Лисенко", "Мороз", "Петренко",
        "Клименко", "Павленко", "Гончаренко", "Іваненко", "Харченко", "Гаврилюк"};
    /** Given names, by {@code (c - 1000001) mod 12}. */
    public static final String[] GIVEN = {"Олена", "Іван", "Марія", "Петро", "Оксана", "Андрій", "Наталія", "Юрій", "Тетяна",
        "Сергій", "Ірина", "Ґалина"};
    /** The districts of Kryvyi Rih, by {@code (h - 1) mod 7}. */
    public static final String[] DISTRICTS = {"Довгинцівський", "Інгулецький", "Металургійний", "Покровський", "Саксаганський",
        "Тернівський", "Центрально-Міський"};
    private static final LocalDate BIRTH_BASE = LocalDate.of(1940, 1, 1);

    private DemoPeople()
    {
    }

    public static String familyName(final long household)
    {
        return FAMILY[(int)((household - 1) % FAMILY.length)];
    }

    public static String givenName(final long card)
    {
        return GIVEN[(int)((card - 1_000_001L) % GIVEN.length)];
    }

    public static LocalDate birthDate(final long card)
    {
        return BIRTH_BASE.plusDays((card * 7919L) % 29000L);
    }

    public static String taxNumber(final long card)
    {
        return String.format("%010d", (card * 7_919L + 1_234_567_891L) % 10_000_000_000L);
    }

    public static boolean displaced(final long household)
    {
        return household % 5 == 0;
    }

    /**
     * @return the IDP certificate of a displaced household's members (dated 2022-03-15), or null.
     */
    public static String idpCertificate(final long household)
    {
        return displaced(household) ? "0101-" + household : null;
    }

    public static String district(final long household)
    {
        return DISTRICTS[(int)((household - 1) % DISTRICTS.length)];
    }
}
