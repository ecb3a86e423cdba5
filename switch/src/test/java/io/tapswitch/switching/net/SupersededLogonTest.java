package io.tapswitch.switching.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.tapswitch.protocol.BalanceEncoder;
import io.tapswitch.protocol.FrameHeader;
import io.tapswitch.protocol.LogonEncoder;
import io.tapswitch.protocol.LogonMac;
import io.tapswitch.protocol.MessageType;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.protocol.client.TerminalClient;
import io.tapswitch.switching.reliability.RawConnection;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * PROTOCOL.md rules 2, 4 and 11 when a terminal logs on again while its older connection still has requests in the
 * engine's queue (the benchmark's round-trip shape right after the pipelined one): the older connection is closed,
 * and every request sent on the newer connection right behind its LOGON gets exactly one answer, in order.
 */
class SupersededLogonTest
{
    private static final long TERMINAL_ID = 1;
    private static final long CARD_ID = 1_000_001L;
    private static final int OLDER_PIPELINED = 512;
    private static final int NEWER_PIPELINED = 64;
    private static final int ROUND_TRIPS = 500;
    private static final int ROUNDS = 12;
    private static final long ANSWER_TIMEOUT_MS = 5_000;

    @TempDir
    Path dataDir;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldAnswerEveryRequestOfTheNewerConnectionWhileTheOlderOneIsStillOpen() throws Exception
    {
        try (TestSwitch testSwitch = TestSwitch.start(dataDir))
        {
            for (int round = 0; round < ROUNDS; round++)
            {
                try (RawConnection older = RawConnection.open(testSwitch.port(), 0))
                {
                    logOn(older);
                    older.write(balances(1_000, OLDER_PIPELINED));
                    try (RawConnection newer = RawConnection.open(testSwitch.port(), 0))
                    {
                        newer.write(concat(logonFrame(7), balances(5_000, NEWER_PIPELINED)));
                        assertAnsweredInOrder(newer, round);
                        assertThat(older.awaitClosedBySwitch(ANSWER_TIMEOUT_MS))
                            .as("round %d: the older connection is closed by the newer LOGON", round).isTrue();
                        roundTrips(newer, round);
                    }
                }
            }
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldAnswerEveryRequestOfTheNewerConnectionRightAfterTheOlderOneClosed() throws Exception
    {
        try (TestSwitch testSwitch = TestSwitch.start(dataDir))
        {
            for (int round = 0; round < ROUNDS; round++)
            {
                final RawConnection older = RawConnection.open(testSwitch.port(), 0);
                logOn(older);
                older.write(balances(1_000, OLDER_PIPELINED));
                older.close(); // like the fleet at the end of a shape: its answers may still be in the engine's queue
                try (RawConnection newer = RawConnection.open(testSwitch.port(), 0))
                {
                    newer.write(concat(logonFrame(7), balances(5_000, NEWER_PIPELINED)));
                    assertAnsweredInOrder(newer, round);
                    roundTrips(newer, round);
                }
            }
            // The switch still serves the terminal normally afterwards.
            try (TerminalClient client = testSwitch.terminal(TERMINAL_ID))
            {
                assertThat(client.balance(CARD_ID)).isNotNull();
            }
        }
    }

    private static void logOn(final RawConnection connection) throws IOException
    {
        connection.write(logonFrame(1));
        final byte[] result = connection.readFrame(ANSWER_TIMEOUT_MS);
        assertThat(result).isNotNull();
        assertThat(type(result)).isEqualTo(MessageType.LOGON_RESULT);
        assertThat(result[FrameHeader.BODY_OFFSET] & 0xFF).isEqualTo(ReasonCode.OK);
    }

    private static void assertAnsweredInOrder(final RawConnection newer, final int round) throws IOException
    {
        final byte[] logonResult = newer.readFrame(ANSWER_TIMEOUT_MS);
        assertThat(logonResult).as("round %d: LOGON_RESULT", round).isNotNull();
        assertThat(type(logonResult)).isEqualTo(MessageType.LOGON_RESULT);
        assertThat(logonResult[FrameHeader.BODY_OFFSET] & 0xFF).as("round %d: logon result", round)
            .isEqualTo(ReasonCode.OK);
        for (int i = 0; i < NEWER_PIPELINED; i++)
        {
            final byte[] answer = newer.readFrame(ANSWER_TIMEOUT_MS);
            assertThat(answer).as("round %d: answer %d of %d", round, i, NEWER_PIPELINED).isNotNull();
            assertThat(type(answer)).as("round %d: answer %d type", round, i).isEqualTo(MessageType.BALANCE_RESULT);
            assertThat(correlation(answer)).as("round %d: answer %d in order", round, i).isEqualTo(5_000 + i);
        }
    }

    private static void roundTrips(final RawConnection newer, final int round) throws IOException
    {
        for (int i = 0; i < ROUND_TRIPS; i++)
        {
            final int correlation = 100_000 + i;
            newer.write(balances(correlation, 1));
            final byte[] answer = newer.readFrame(ANSWER_TIMEOUT_MS);
            assertThat(answer).as("round %d: round trip %d answered", round, i).isNotNull();
            assertThat(correlation(answer)).isEqualTo(correlation);
            assertThat(type(answer)).isEqualTo(MessageType.BALANCE_RESULT);
        }
    }

    private static int type(final byte[] frame)
    {
        return frame[FrameHeader.TYPE_OFFSET] & 0xFF;
    }

    private static int correlation(final byte[] frame)
    {
        return new UnsafeBuffer(frame).getInt(FrameHeader.CORRELATION_OFFSET, java.nio.ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] logonFrame(final int correlation)
    {
        final byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        final byte[] frame = new byte[LogonEncoder.FRAME_LENGTH];
        final UnsafeBuffer buffer = new UnsafeBuffer(frame);
        new LogonEncoder().wrap(buffer, 0).correlation(correlation).terminalId(TERMINAL_ID)
            .timestampMs(System.currentTimeMillis()).nonce(nonce, 0);
        new LogonMac().key(TerminalClient.demoKey(TERMINAL_ID)).sign(buffer, 0);
        return frame;
    }

    private static byte[] balances(final int firstCorrelation, final int count)
    {
        final byte[] frames = new byte[BalanceEncoder.FRAME_LENGTH * count];
        final UnsafeBuffer buffer = new UnsafeBuffer(frames);
        final BalanceEncoder encoder = new BalanceEncoder();
        for (int i = 0; i < count; i++)
        {
            encoder.wrap(buffer, i * BalanceEncoder.FRAME_LENGTH).correlation(firstCorrelation + i).cardId(CARD_ID);
        }
        return frames;
    }

    private static byte[] concat(final byte[] first, final byte[] second)
    {
        final byte[] bytes = new byte[first.length + second.length];
        System.arraycopy(first, 0, bytes, 0, first.length);
        System.arraycopy(second, 0, bytes, first.length, second.length);
        return bytes;
    }
}
