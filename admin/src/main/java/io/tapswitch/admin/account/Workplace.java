package io.tapswitch.admin.account;

/**
 * Where an official works, as the Ministry of Social Policy's order No. 45, annex 2, rows 1-3 count officials whose
 * workplaces are connected to the system ({@code shared/seeds/004_a77ad7fa0843dd66.txt}).
 */
public enum Workplace
{
    /** Структурний підрозділ з питань соціального захисту населення (row 1 «у структурному підрозділі», row 2). */
    SOCIAL_PROTECTION_UNIT,
    /** Центр надання адміністративних послуг (row 1 «у ЦНАП»). */
    CNAP,
    /** Старостинський округ (row 1 «у старостинському окрузі»). */
    STAROSTA_DISTRICT,
    /** Орган соціального захисту населення облдержадміністрації (row 3). */
    OBLAST_SOCIAL_PROTECTION,
    /** Not counted by annex 2: donors, the education department, operations staff. */
    OTHER
}
