package io.tapswitch.switching.net;

import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.ErrorDecoder;
import io.tapswitch.protocol.FrameHeader;
import io.tapswitch.protocol.MessageType;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.protocol.TapEncoder;
import io.tapswitch.protocol.client.AsyncTerminalClient;
import io.tapswitch.protocol.client.TapResult;
import io.tapswitch.protocol.client.TerminalClient;
import io.tapswitch.protocol.client.TerminalErrorException;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Session rules, framing errors and ordering of PROTOCOL.md, over real loopback sockets with the terminal client.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SessionRulesTest
{
    private static final long CARD = 1000001;

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
    void shouldAnswerHeartbeatBeforeLogon()
    {
        try (TerminalClient terminal = testSwitch.openUnlogged(3))
        {
            assertThat(terminal.heartbeat(77, 123_456_789L)).isEqualTo(123_456_789L);
            assertThat(terminal.logon().ok()).isTrue();
            assertThat(terminal.heartbeat(78, 42L)).isEqualTo(42L);
        }
    }

    @Test
    void shouldDecideARequestPipelinedRightAfterTheLogonAfterItsOutcome()
    {
        try (TerminalClient terminal = testSwitch.openUnlogged(10))
        {
            final byte[] nonce = new byte[16];
            nonce[3] = (byte)System.nanoTime();
            final CompletableFuture<io.tapswitch.protocol.client.LogonResult> logon =
                terminal.async().logon(System.currentTimeMillis(), nonce);
            final CompletableFuture<byte[]> tap = terminal.async().sendRaw(tapFrame(1_000_010));

            assertThat(logon.join().ok()).isTrue();
            final UnsafeBuffer response = new UnsafeBuffer(tap.join());
            assertThat(FrameHeader.type(response, 0)).isEqualTo(MessageType.TAP_RESULT);
            assertThat(new io.tapswitch.protocol.TapResultDecoder().wrap(response, 0).receipt()).isNotZero();
        }
    }

    @Test
    void shouldAnswerNotLoggedOnAndCloseWhenRequestPrecedesLogon()
    {
        try (TerminalClient terminal = testSwitch.openUnlogged(4))
        {
            assertThatThrownBy(() -> terminal.tap(5, CARD, 1, 1, 0, System.currentTimeMillis()))
                .isInstanceOfSatisfying(TerminalErrorException.class, (ex) ->
                {
                    assertThat(ex.code()).isEqualTo(ReasonCode.NOT_LOGGED_ON);
                    assertThat(ex.correlation()).isEqualTo(5);
                });
            assertThat(terminal.awaitClosed(5_000)).isTrue();
        }
    }

    @Test
    void shouldAnswerMalformedFrameWithItsCorrelationAndClose()
    {
        try (TerminalClient terminal = testSwitch.openUnlogged(5))
        {
            final byte[] frame = tapFrame(0x0A0B0C0D);
            frame[FrameHeader.VERSION_OFFSET] = 2;
            final byte[] response = terminal.exchangeRaw(frame);

            final ErrorDecoder error = new ErrorDecoder().wrap(new UnsafeBuffer(response), 0);
            assertThat(FrameHeader.type(new UnsafeBuffer(response), 0)).isEqualTo(MessageType.ERROR);
            assertThat(error.code()).isEqualTo(ReasonCode.MALFORMED_FRAME);
            assertThat(error.correlation()).isEqualTo(0x0A0B0C0D);
            assertThat(terminal.awaitClosed(5_000)).isTrue();
        }
    }

    @Test
    void shouldAnswerOutOfRangeLengthWithCorrelationZeroAndClose()
    {
        try (TerminalClient terminal = testSwitch.openUnlogged(5))
        {
            final byte[] frame = tapFrame(99);
            new UnsafeBuffer(frame).putShort(0, (short)5000, LITTLE_ENDIAN);
            final byte[] response = terminal.exchangeRaw(frame);

            final ErrorDecoder error = new ErrorDecoder().wrap(new UnsafeBuffer(response), 0);
            assertThat(error.code()).isEqualTo(ReasonCode.MALFORMED_FRAME);
            assertThat(error.correlation()).isZero();
            assertThat(terminal.awaitClosed(5_000)).isTrue();
        }
    }

    @Test
    void shouldAnswerMalformedFrameAfterTheValidFramesBeforeIt()
    {
        try (TerminalClient terminal = testSwitch.terminal(6))
        {
            final CompletableFuture<TapResult> first = terminal.async().tap(600_001, CARD + 10, 2, 1, 0,
                System.currentTimeMillis());
            final byte[] unknownType = AsyncTerminalClient.heartbeatFrame(600_002, 1L);
            unknownType[FrameHeader.TYPE_OFFSET] = 0x06;
            final CompletableFuture<byte[]> second = terminal.async().sendRaw(unknownType);

            assertThat(first.join().receipt()).isNotZero();
            final ErrorDecoder error = new ErrorDecoder().wrap(new UnsafeBuffer(second.join()), 0);
            assertThat(error.code()).isEqualTo(ReasonCode.MALFORMED_FRAME);
            assertThat(error.correlation()).isEqualTo(600_002);
            assertThat(terminal.awaitClosed(5_000)).isTrue();
        }
    }

    @Test
    void shouldAnswerPipelinedRequestsInRequestOrder()
    {
        try (TerminalClient terminal = testSwitch.terminal(7))
        {
            final List<CompletableFuture<?>> futures = new ArrayList<>();
            final List<Integer> correlations = new ArrayList<>();
            final long nowMs = System.currentTimeMillis();
            for (int i = 0; i < 100; i++)
            {
                final int correlation = 700_000 + i;
                correlations.add(correlation);
                if (i % 5 == 4)
                {
                    futures.add(terminal.async().heartbeat(correlation, i));
                }
                else if (i % 5 == 3)
                {
                    futures.add(terminal.async().balance(correlation, CARD + 20 + i));
                }
                else
                {
                    futures.add(terminal.async().tap(correlation, CARD + 20 + i, 2, 1, 0, nowMs));
                }
            }
            CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).join();

            // The client matches answers to requests in arrival order and checks each correlation.
            final List<Integer> answered = new ArrayList<>();
            for (int i = 0; i < futures.size(); i++)
            {
                final Object result = futures.get(i).join();
                if (result instanceof TapResult)
                {
                    answered.add(((TapResult)result).correlation());
                    assertThat(((TapResult)result).receipt()).isNotZero();
                }
                else if (result instanceof io.tapswitch.protocol.client.BalanceResult)
                {
                    answered.add(((io.tapswitch.protocol.client.BalanceResult)result).correlation());
                }
                else
                {
                    assertThat(result).isEqualTo((long)(i));
                    answered.add(correlations.get(i));
                }
            }
            assertThat(answered).containsExactlyElementsOf(correlations);
        }
    }

    @Test
    void shouldCloseTheOlderConnectionWhenTheSameTerminalLogsOnAgain()
    {
        try (TerminalClient older = testSwitch.terminal(8); TerminalClient newer = testSwitch.terminal(8))
        {
            assertThat(older.awaitClosed(5_000)).isTrue();
            assertThat(newer.heartbeat(1, 5L)).isEqualTo(5L);
            assertThat(newer.tap(CARD + 3, 2, 1).decision()).isNotEqualTo(Decision.DECLINED + 10);
        }
    }

    @Test
    void shouldAnswerASecondLogonOnTheSameConnectionInvalidRequestAndCloseTheConnection()
    {
        final int pipelinedCorrelation = 900_001;
        try (TerminalClient terminal = testSwitch.terminal(9))
        {
            final byte[] nonce = new byte[16];
            nonce[5] = (byte)System.nanoTime();
            final CompletableFuture<io.tapswitch.protocol.client.LogonResult> second =
                terminal.async().logon(System.currentTimeMillis(), nonce);
            // pipelined right behind the failed LOGON: must decide nothing
            final CompletableFuture<byte[]> tap = terminal.async().sendRaw(tapFrame(pipelinedCorrelation));

            assertThat(second.join().result()).isEqualTo(ReasonCode.INVALID_REQUEST);
            assertThat(second.join().heartbeatMs()).isZero();
            assertThat(terminal.awaitClosed(5_000)).as("connection closed after the failed second LOGON").isTrue();
            // the channel closes before the client fails what was pending on it: wait for that, bounded
            assertThat(tap).failsWithin(java.time.Duration.ofSeconds(5));
        }

        // The terminal logs on again; the TAP pipelined behind the failed LOGON was never decided: the same
        // correlation with another body is a fresh decision, not DUPLICATE_CORRELATION.
        try (TerminalClient terminal = testSwitch.terminal(9))
        {
            final TapResult result = terminal.tap(pipelinedCorrelation, CARD + 90, 2, 1, 0, System.currentTimeMillis());
            assertThat(result.reason()).isNotEqualTo(ReasonCode.DUPLICATE_CORRELATION);
            assertThat(result.receipt()).isNotZero();
            assertThat(terminal.heartbeat(3, 9L)).isEqualTo(9L);
        }
    }

    static byte[] tapFrame(final int correlation)
    {
        final byte[] frame = new byte[TapEncoder.FRAME_LENGTH];
        new TapEncoder().wrap(new UnsafeBuffer(frame), 0).correlation(correlation).cardId(CARD).programId(1)
            .quantity(1).flags(0).terminalTimeMs(System.currentTimeMillis());
        return frame;
    }

    static Map<String, String> none()
    {
        return Map.of();
    }
}
