package io.tapswitch.switching;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.Test;

/**
 * {@code ./tapswitch switch} turns Netty's leak detection off unless the user chose a level.
 */
class LeakDetectionDefaultTest
{
    private static final String LEVEL_PROPERTY = "io.netty.leakDetection.level";

    @Test
    void shouldKeepALevelTheUserSet()
    {
        final ResourceLeakDetector.Level before = ResourceLeakDetector.getLevel();
        final String property = System.getProperty(LEVEL_PROPERTY);
        System.setProperty(LEVEL_PROPERTY, "paranoid");
        try
        {
            assertThat(SwitchMain.leakDetectionOffUnlessSet()).isFalse();
            assertThat(ResourceLeakDetector.getLevel()).isEqualTo(before);
        }
        finally
        {
            restore(property);
        }
    }

    @Test
    void shouldTurnItOffWhenNoLevelIsSet()
    {
        final ResourceLeakDetector.Level before = ResourceLeakDetector.getLevel();
        final String property = System.getProperty(LEVEL_PROPERTY);
        System.clearProperty(LEVEL_PROPERTY);
        try
        {
            assertThat(SwitchMain.leakDetectionOffUnlessSet()).isTrue();
            assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.DISABLED);
        }
        finally
        {
            ResourceLeakDetector.setLevel(before); // the other tests of this JVM keep their level
            restore(property);
        }
    }

    private static void restore(final String property)
    {
        if (null == property)
        {
            System.clearProperty(LEVEL_PROPERTY);
        }
        else
        {
            System.setProperty(LEVEL_PROPERTY, property);
        }
    }
}
