package io.tapswitch.switching.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.protocol.client.LogonResult;
import io.tapswitch.protocol.client.TapResult;
import io.tapswitch.protocol.client.TerminalClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Terminals whose clocks are off by hours, days or years (and absurd timestamps: 0, negative, the largest u64) log on
 * over real TCP while an honest terminal taps without pause: each gets STALE_LOGON and a closed connection, never a
 * crash or a silent session; the honest terminal's taps are all answered; afterwards each of them logs on with a
 * correct clock. Fewer stale LOGONs than the per-address throttle's threshold (20 within 10 s) are sent from the test's
 * address, so none is refused by the throttle (see RELIABILITY.md, fault matrix, on a whole shop with a wrong clock).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClockSkewTest
{
    private static final long HOUR = 3_600_000L;
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    static Path dataDir;

    private static TestSwitch testSwitch;

    @BeforeAll
    static void startSwitch() throws Exception
    {
        testSwitch = TestSwitch.start(dataDir);
    }

    @AfterAll
    static void stopSwitch()
    {
        if (null != testSwitch)
        {
            testSwitch.close();
        }
    }

    private static byte[] nonce()
    {
        final byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        return nonce;
    }

    @Test
    void shouldAnswerStaleLogonToATerminalWhoseClockIsOffByHoursWhileOthersAreServed() throws Exception
    {
        // offsets from the clock at the moment each LOGON is stamped (the switch allows ±300 s), then absolute stamps
        final long[] offsets = {-HOUR, HOUR, -3 * HOUR, 3 * HOUR, -25 * HOUR, 25 * HOUR, -366L * 24 * HOUR, 366L * 24 * HOUR,
            -310_000, 310_000};
        final long[] absolute = {0L, -1L, Long.MAX_VALUE, Long.MIN_VALUE};
        final int count = offsets.length + absolute.length;
        final AtomicBoolean tapping = new AtomicBoolean(true);
        final AtomicLong answered = new AtomicLong();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread honest = new Thread(() ->
        {
            try (TerminalClient terminal = testSwitch.terminal(1))
            {
                long card = 1_000_001;
                while (tapping.get())
                {
                    final TapResult result = terminal.tap(card, 2, 1);
                    assertThat(result.decision()).isNotNull();
                    answered.incrementAndGet();
                    card = card == 1_000_900 ? 1_000_001 : card + 1;
                }
            }
            catch (final Throwable ex)
            {
                failure.set(ex);
            }
        }, "honest-terminal");
        honest.start();
        final List<String> seen = new ArrayList<>();
        try
        {
            for (int i = 0; i < count; i++)
            {
                final long terminalId = 10 + i;
                try (TerminalClient terminal = testSwitch.openUnlogged(terminalId))
                {
                    final long now = System.currentTimeMillis();
                    final long stamp = i < offsets.length ? now + offsets[i] : absolute[i - offsets.length];
                    final LogonResult result = terminal.logon(stamp, nonce());
                    seen.add((i < offsets.length ? (offsets[i] > 0 ? "+" : "") + offsets[i] / 1000 + " s" : Long.toString(stamp)) +
                        "→" + result.result());
                    assertThat(result.result()).as("LOGON stamped %d (now %d)", stamp, now).isEqualTo(ReasonCode.STALE_LOGON);
                    assertThat(terminal.awaitClosed(5_000)).as("connection closed after STALE_LOGON").isTrue();
                }
            }
            for (int i = 0; i < count; i++)
            {
                try (TerminalClient terminal = testSwitch.openUnlogged(10 + i))
                {
                    assertThat(terminal.logon(System.currentTimeMillis(), nonce()).ok())
                        .as("terminal %d with its clock set right", 10 + i).isTrue();
                    assertThat(terminal.tap(1_000_950 + i, 2, 1).decision()).isNotNull();
                }
            }
        }
        finally
        {
            tapping.set(false);
            honest.join(10_000);
        }
        assertThat(failure.get()).as("the honest terminal's taps").isNull();
        assertThat(answered.get()).isPositive();
        System.out.println("ClockSkewTest: " + count + " skewed LOGONs answered STALE_LOGON " + seen + "; honest terminal: " +
            answered.get() + " taps answered meanwhile");
    }
}
