package io.tapswitch.switching.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class CardTableTest
{
    @Test
    void findsEveryCardWithItsRecordAcrossGrowthAndNothingElse()
    {
        final CardTable table = new CardTable(16);
        final Map<Long, Long> model = new HashMap<>();
        final SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 50_000; i++)
        {
            final long key = 1 + random.nextLong(Long.MAX_VALUE - 1);
            if (model.containsKey(key))
            {
                continue;
            }
            final int card = table.add(key);
            assertThat(table.get(key)).isEqualTo(card);
            final long info = random.nextLong();
            table.info(card, info);
            model.put(key, info);
        }
        assertThat(table.size()).isEqualTo(model.size());
        assertThat(table.capacity()).isGreaterThanOrEqualTo(model.size());
        for (final Map.Entry<Long, Long> e : model.entrySet())
        {
            final int card = table.get(e.getKey());
            assertThat(card).isNotEqualTo(CardTable.MISSING);
            assertThat(table.info(card)).isEqualTo(e.getValue());
        }
        for (int i = 0; i < 10_000; i++)
        {
            final long absent = 1 + random.nextLong(Long.MAX_VALUE - 1);
            if (!model.containsKey(absent))
            {
                assertThat(table.get(absent)).isEqualTo(CardTable.MISSING);
            }
        }
        assertThat(table.get(0)).isEqualTo(CardTable.MISSING);
        // insertion order kept for the digest
        int i = 0;
        final SplittableRandom again = new SplittableRandom(7);
        while (i < table.size())
        {
            final long key = 1 + again.nextLong(Long.MAX_VALUE - 1);
            again.nextLong();
            assertThat(table.key(i)).isEqualTo(key);
            i++;
        }
    }

    @Test
    void consecutiveIdsSpreadOverTheLines()
    {
        // the demo's ids are consecutive: one probe line for most of them
        final CardTable table = new CardTable(1 << 16);
        for (long id = 1_000_001; id < 1_000_001 + (1 << 16); id++)
        {
            table.info(table.add(id), id);
        }
        int sameLine = 0;
        for (long id = 1_000_001; id < 1_000_001 + (1 << 16); id++)
        {
            final int card = table.get(id);
            assertThat(table.info(card)).isEqualTo(id);
            if (isFirstLine(table, id, card))
            {
                sameLine++;
            }
        }
        assertThat(sameLine).as("cards found in the line they hash to").isGreaterThan((1 << 16) * 7 / 10);
    }

    private static boolean isFirstLine(final CardTable table, final long id, final int card)
    {
        final int line = (int)(((LongIndex.mix(id) >>> 32) * table.lines()) >>> 32);
        return card / 4 == line;
    }

    @Test
    void refusesCardZero()
    {
        assertThatThrownBy(() -> new CardTable(16).add(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void slotsStartOnACacheLineOfARegionAlignedArray()
    {
        assertThat((sun.misc.Unsafe.ARRAY_LONG_BASE_OFFSET + 8 * CardTable.PAD) % 64).isZero();
        assertThat((sun.misc.Unsafe.ARRAY_LONG_BASE_OFFSET + 8 * Tables.HOLDER_PAD) % 64).isZero();
    }

    @Test
    void loadsSavedSlotsAsTheyAreOrInsertsAgainForAnotherCapacity()
    {
        final CardTable saved = new CardTable(1024);
        for (long id = 1; id <= 900; id++)
        {
            saved.info(saved.add(id * 31), id);
        }
        final long[] slots = saved.slots().clone();

        final CardTable same = new CardTable(1024);
        same.load(saved.keys().clone(), saved.size(), slots, saved.lines(), saved.capacity());
        assertThat(same.slots()).isSameAs(slots);

        final CardTable larger = new CardTable(8192);
        larger.load(java.util.Arrays.copyOf(saved.keys(), saved.size()), saved.size(), slots, saved.lines(),
            saved.capacity());
        assertThat(larger.capacity()).isEqualTo(8192);
        assertThat(larger.lines()).isGreaterThan(saved.lines());
        for (final CardTable t : new CardTable[] {same, larger})
        {
            assertThat(t.size()).isEqualTo(900);
            for (long id = 1; id <= 900; id++)
            {
                assertThat(t.info(t.get(id * 31))).isEqualTo(id);
                assertThat(t.key((int)id - 1)).isEqualTo(id * 31);
            }
            assertThat(t.get(31 * 901)).isEqualTo(CardTable.MISSING);
            // and it keeps growing from there
            for (long id = 901; id <= 20_000; id++)
            {
                t.info(t.add(id * 31), id);
            }
            for (long id = 1; id <= 20_000; id++)
            {
                assertThat(t.info(t.get(id * 31))).isEqualTo(id);
            }
        }
    }

    @Test
    void loadsRecordsByInsertionIndex()
    {
        final CardTable t = new CardTable(16);
        final long[] keys = {5, 9, 13, 2, 77};
        final long[] infos = {50, 90, 130, 20, 770};
        t.load(keys, 5, infos);
        for (int i = 0; i < keys.length; i++)
        {
            assertThat(t.info(t.get(keys[i]))).isEqualTo(infos[i]);
            assertThat(t.key(i)).isEqualTo(keys[i]);
        }
    }
}
