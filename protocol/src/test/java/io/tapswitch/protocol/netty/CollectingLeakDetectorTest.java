package io.tapswitch.protocol.netty;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;

class CollectingLeakDetectorTest
{
    @Test
    void shouldBeInstalledForThisModulesTests()
    {
        assertThat(CollectingLeakDetector.isInstalled()).isTrue();
    }

    @Test
    void shouldReportABufferThatWasNeverReleased()
    {
        CollectingLeakDetector.collectLeaks();
        leakOneBuffer();

        final List<String> leaks = new ArrayList<>();
        final long deadlineMs = System.currentTimeMillis() + 5_000;
        while (leaks.isEmpty() && System.currentTimeMillis() - deadlineMs < 0)
        {
            leaks.addAll(CollectingLeakDetector.collectLeaks());
        }

        assertThat(leaks).isNotEmpty();
        assertThat(leaks.get(0)).contains("leakOneBuffer");
    }

    private static void leakOneBuffer()
    {
        final ByteBuf leaked = ByteBufAllocator.DEFAULT.directBuffer(16);
        leaked.writeLong(42L);
    }
}
