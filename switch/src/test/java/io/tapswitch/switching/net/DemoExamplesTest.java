package io.tapswitch.switching.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;

import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.protocol.client.BalanceResult;
import io.tapswitch.protocol.client.LogonResult;
import io.tapswitch.protocol.client.TapResult;
import io.tapswitch.protocol.client.TerminalClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every example of DEMO-DATA.md and the LOGON failures of PROTOCOL.md, through a switch started with {@code --demo}
 * on a fresh data directory, over loopback sockets.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DemoExamplesTest
{
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

    @Test
    void shouldApproveAHouseholdFoodKitOnceAndDeclineTheSecondMember()
    {
        try (TerminalClient terminal = testSwitch.terminal(1))
        {
            final TapResult first = terminal.tap(1000001, 1, 1);
            assertThat(first.decision()).isEqualTo(Decision.APPROVED);
            assertThat(first.reason()).isEqualTo(ReasonCode.OK);
            assertThat(first.remaining()).isZero();
            assertThat(first.receipt()).isNotZero();

            final TapResult second = terminal.tap(1000002, 1, 1);
            assertThat(second.decision()).isEqualTo(Decision.DECLINED);
            assertThat(second.reason()).isEqualTo(ReasonCode.QUOTA_EXHAUSTED);
            assertThat(second.receipt()).isGreaterThan(first.receipt());
        }
    }

    @Test
    void shouldDeclineAnAidProgramAtACanteen()
    {
        try (TerminalClient terminal = testSwitch.terminal(6))
        {
            final TapResult result = terminal.tap(1000001, 1, 1);
            assertThat(result.decision()).isEqualTo(Decision.DECLINED);
            assertThat(result.reason()).isEqualTo(ReasonCode.OUTLET_NOT_ALLOWED);
        }
    }

    @Test
    void shouldDeclineBlockedExpiredNotEnrolledAndUnknownCards()
    {
        try (TerminalClient terminal = testSwitch.terminal(2))
        {
            assertDeclined(terminal.tap(1000099, 2, 1), ReasonCode.CARD_BLOCKED);
            assertDeclined(terminal.tap(1000098, 2, 1), ReasonCode.CARD_EXPIRED);
            assertDeclined(terminal.tap(1000097, 2, 1), ReasonCode.NO_ENTITLEMENT);
            assertDeclined(terminal.tap(999, 2, 1), ReasonCode.UNKNOWN_CARD);
        }
    }

    @Test
    void shouldDeclineTheWinterKitOutsideItsDates()
    {
        try (TerminalClient terminal = testSwitch.terminal(3))
        {
            final TapResult result = terminal.tap(1000010, 5, 1);
            assertThat(result.decision()).isEqualTo(Decision.DECLINED);
            assertThat(result.reason()).isEqualTo(ReasonCode.OUTSIDE_WINDOW);
        }
    }

    @Test
    void shouldListEveryProgramInTheBalance()
    {
        try (TerminalClient terminal = testSwitch.terminal(4))
        {
            final BalanceResult balance = terminal.balance(1000031);
            assertThat(balance.decision()).isEqualTo(Decision.APPROVED);
            assertThat(balance.entries()).extracting(BalanceResult.Entry::programId)
                .containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L);
            assertThat(balance.entry(2).quota()).isEqualTo(2);
        }
    }

    @Test
    void shouldRefuseAWrongMacAndClose()
    {
        final byte[] wrongKey = TerminalClient.demoKey(5);
        wrongKey[0] ^= 1;
        assertThatThrownBy(() -> TerminalClient.connect("127.0.0.1", testSwitch.port(), 5, wrongKey))
            .isInstanceOfSatisfying(TerminalClient.LogonFailedException.class, (ex) ->
            {
                assertThat(ex.result().result()).isEqualTo(ReasonCode.BAD_CREDENTIALS);
                assertThat(ex.result().heartbeatMs()).isZero();
                assertThat(ex.result().serverTimeMs()).isCloseTo(System.currentTimeMillis(),
                    org.assertj.core.data.Offset.offset(60_000L));
            });
        try (TerminalClient terminal = TerminalClient.open("127.0.0.1", testSwitch.port(), 5, wrongKey))
        {
            assertThat(terminal.logon().result()).isEqualTo(ReasonCode.BAD_CREDENTIALS);
            assertThat(terminal.awaitClosed(5_000)).isTrue();
        }
    }

    @Test
    void shouldRefuseAnUnknownTerminal()
    {
        final long unknown = TestSwitch.DEMO_TERMINALS + 1_000;
        try (TerminalClient terminal = testSwitch.openUnlogged(unknown))
        {
            assertThat(terminal.logon().result()).isEqualTo(ReasonCode.BAD_CREDENTIALS);
            assertThat(terminal.awaitClosed(5_000)).isTrue();
        }
    }

    @Test
    void shouldRefuseAStaleTimestamp()
    {
        try (TerminalClient terminal = testSwitch.openUnlogged(7))
        {
            final LogonResult result = terminal.logon(System.currentTimeMillis() - 400_000, nonce());
            assertThat(result.result()).isEqualTo(ReasonCode.STALE_LOGON);
            assertThat(terminal.awaitClosed(5_000)).isTrue();
        }
    }

    @Test
    void shouldRefuseAReusedNonceWithoutDisturbingTheTerminalsSession()
    {
        final byte[] nonce = nonce();
        try (TerminalClient first = testSwitch.openUnlogged(8))
        {
            assertThat(first.logon(System.currentTimeMillis(), nonce).ok()).isTrue();
            try (TerminalClient replay = testSwitch.openUnlogged(8))
            {
                assertThat(replay.logon(System.currentTimeMillis(), nonce).result()).isEqualTo(ReasonCode.STALE_LOGON);
                assertThat(replay.awaitClosed(5_000)).isTrue();
            }
            // The failed LOGON did not close the terminal's logged-on connection.
            assertThat(first.tap(1000040, 2, 1).receipt()).isNotZero();
        }
    }

    private static void assertDeclined(final TapResult result, final int reason)
    {
        assertThat(result.decision()).isEqualTo(Decision.DECLINED);
        assertThat(result.reason()).as(ReasonCode.name(result.reason())).isEqualTo(reason);
        assertThat(result.remaining()).isEqualTo(-1);
        assertThat(result.receipt()).isNotZero();
    }

    private static byte[] nonce()
    {
        final byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        return nonce;
    }
}
