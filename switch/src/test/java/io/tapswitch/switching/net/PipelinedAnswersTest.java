package io.tapswitch.switching.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.tapswitch.protocol.FrameHeader;
import io.tapswitch.protocol.HeartbeatEncoder;
import io.tapswitch.protocol.HeartbeatResultDecoder;
import io.tapswitch.protocol.MessageType;
import io.tapswitch.protocol.Messages;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.protocol.TapEncoder;
import io.tapswitch.protocol.client.TerminalClient;
import io.tapswitch.switching.reliability.RawConnection;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many connections pipelining at once over real sockets: every connection gets every answer exactly once and in
 * request order, with HEARTBEATs (answered on the event loop) interleaved between requests the engine answers,
 * so a local answer is ready before the engine answers that precede it, and bursts longer than max-in-flight.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PipelinedAnswersTest
{
    private static final int CONNECTIONS = 16;
    private static final int BURST = 45; // more than max-in-flight (32): the rest of the burst waits unread
    private static final int ROUNDS = 3;
    private static final long FIRST_CARD = 1_000_001;
    private static final long READ_TIMEOUT_MS = 20_000;

    @TempDir
    static Path dataDir;

    private static TestSwitch testSwitch;

    @BeforeAll
    static void startSwitch() throws Exception
    {
        testSwitch = TestSwitch.start(dataDir);
    }

    /** tapswitch_authorization_latency_seconds_count as a scrape shows it. */
    private static long latencyCount()
    {
        for (final String line : testSwitch.launcher().metrics().registry().scrape().split("\n"))
        {
            if (line.startsWith("tapswitch_authorization_latency_seconds_count "))
            {
                return (long)Double.parseDouble(line.substring(line.indexOf(' ') + 1).trim());
            }
        }
        throw new AssertionError("no tapswitch_authorization_latency_seconds_count in the scrape");
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
    void shouldAnswerEveryPipelinedRequestOfEveryConnectionOnceAndInOrder() throws Exception
    {
        final List<Socket> sockets = new ArrayList<>();
        try
        {
            final List<InputStream> inputs = new ArrayList<>();
            for (int c = 0; c < CONNECTIONS; c++)
            {
                final Socket socket = connect();
                sockets.add(socket);
                inputs.add(new BufferedInputStream(socket.getInputStream(), 65_536));
                final long terminalId = c + 1;
                socket.getOutputStream().write(
                    RawConnection.logonFrame(terminalId, TerminalClient.demoKey(terminalId), 1));
                final UnsafeBuffer logonResult = new UnsafeBuffer(readFrame(inputs.get(c)));
                assertThat(FrameHeader.type(logonResult, 0)).isEqualTo(MessageType.LOGON_RESULT);
                assertThat(logonResult.getByte(FrameHeader.BODY_OFFSET + Messages.LogonResult.RESULT_OFFSET))
                    .isEqualTo((byte)ReasonCode.OK);
            }

            final long latencyCountBefore = latencyCount();
            int engineAnswered = 0;
            for (int round = 0; round < ROUNDS; round++)
            {
                // Round 0 is sent while the engine is paused: each burst's HEARTBEAT answers are ready on the
                // event loop long before the engine answers the requests ahead of them.
                final boolean paused = 0 == round;
                if (paused)
                {
                    testSwitch.launcher().server().pauseEngine();
                }
                for (int c = 0; c < CONNECTIONS; c++)
                {
                    sockets.get(c).getOutputStream().write(burst(round, c));
                }
                if (paused)
                {
                    testSwitch.launcher().server().resumeEngine();
                }
                for (int c = 0; c < CONNECTIONS; c++)
                {
                    for (int i = 0; i < BURST; i++)
                    {
                        final int correlation = correlation(round, i);
                        final UnsafeBuffer answer = new UnsafeBuffer(readFrame(inputs.get(c)));
                        assertThat(FrameHeader.correlation(answer, 0))
                            .as("connection %d round %d answer %d", c, round, i).isEqualTo(correlation);
                        final int expectedType = expectedType(i);
                        assertThat(FrameHeader.type(answer, 0))
                            .as("connection %d round %d answer %d", c, round, i).isEqualTo(expectedType);
                        if (MessageType.HEARTBEAT_RESULT == expectedType)
                        {
                            assertThat(new HeartbeatResultDecoder().wrap(answer, 0).timestampMs())
                                .isEqualTo(heartbeatTimestamp(c, correlation));
                        }
                        else
                        {
                            engineAnswered++;
                        }
                    }
                }
            }

            // Nothing more than one answer per request: the next frame of each connection answers the next request.
            for (int c = 0; c < CONNECTIONS; c++)
            {
                sockets.get(c).getOutputStream().write(heartbeatFrame(999_999, 4242));
                final UnsafeBuffer answer = new UnsafeBuffer(readFrame(inputs.get(c)));
                assertThat(FrameHeader.correlation(answer, 0)).isEqualTo(999_999);
                assertThat(new HeartbeatResultDecoder().wrap(answer, 0).timestampMs()).isEqualTo(4242);
            }
            // Every engine answer was timed once.
            assertThat(latencyCount() - latencyCountBefore).isEqualTo(engineAnswered);
        }
        finally
        {
            for (final Socket socket : sockets)
            {
                socket.close();
            }
        }
    }

    @Test
    void shouldWriteAFailedLogonsAnswerAloneAndCloseThoughLaterAnswersWereReadyFirst() throws Exception
    {
        try (Socket socket = connect())
        {
            final InputStream in = new BufferedInputStream(socket.getInputStream());
            final ByteArrayOutputStream burst = new ByteArrayOutputStream();
            // wrong key: BAD_CREDENTIALS, then the switch closes
            burst.write(RawConnection.logonFrame(7, new byte[32], 1));
            for (int i = 0; i < 5; i++)
            {
                burst.write(heartbeatFrame(2 + i, 1_000 + i));
            }

            // Paused engine: the HEARTBEAT answers are ready, and parked, before the LOGON is decided.
            testSwitch.launcher().server().pauseEngine();
            try
            {
                socket.getOutputStream().write(burst.toByteArray());
            }
            finally
            {
                testSwitch.launcher().server().resumeEngine();
            }

            final UnsafeBuffer logonResult = new UnsafeBuffer(readFrame(in));
            assertThat(FrameHeader.type(logonResult, 0)).isEqualTo(MessageType.LOGON_RESULT);
            assertThat(FrameHeader.correlation(logonResult, 0)).isEqualTo(1);
            assertThat(logonResult.getByte(FrameHeader.BODY_OFFSET + Messages.LogonResult.RESULT_OFFSET))
                .isEqualTo((byte)ReasonCode.BAD_CREDENTIALS);
            assertThat(in.read()).as("closed after the failed LOGON's answer").isEqualTo(-1);
        }
    }

    @Test
    void shouldWriteEarlierLocalAnswersThenNotLoggedOnAndClose() throws Exception
    {
        try (Socket socket = connect())
        {
            final InputStream in = new BufferedInputStream(socket.getInputStream());
            final ByteArrayOutputStream burst = new ByteArrayOutputStream();
            burst.write(heartbeatFrame(1, 11));
            burst.write(heartbeatFrame(2, 22));
            burst.write(tapFrame(3, FIRST_CARD)); // before any LOGON: NOT_LOGGED_ON, then the switch closes
            burst.write(heartbeatFrame(4, 44));
            socket.getOutputStream().write(burst.toByteArray());

            for (int correlation = 1; correlation <= 2; correlation++)
            {
                final UnsafeBuffer answer = new UnsafeBuffer(readFrame(in));
                assertThat(FrameHeader.correlation(answer, 0)).isEqualTo(correlation);
                assertThat(new HeartbeatResultDecoder().wrap(answer, 0).timestampMs()).isEqualTo(correlation * 11L);
            }
            final UnsafeBuffer error = new UnsafeBuffer(readFrame(in));
            assertThat(FrameHeader.type(error, 0)).isEqualTo(MessageType.ERROR);
            assertThat(FrameHeader.correlation(error, 0)).isEqualTo(3);
            assertThat(error.getShort(FrameHeader.BODY_OFFSET, java.nio.ByteOrder.LITTLE_ENDIAN))
                .isEqualTo((short)ReasonCode.NOT_LOGGED_ON);
            assertThat(in.read()).as("closed after NOT_LOGGED_ON").isEqualTo(-1);
        }
    }

    private static int correlation(final int round, final int i)
    {
        return 100 + round * 1_000 + i;
    }

    /** Every fifth request from the third on is a HEARTBEAT, every seventh a BALANCE, the others TAPs. */
    private static int expectedType(final int i)
    {
        if (i % 5 == 2)
        {
            return MessageType.HEARTBEAT_RESULT;
        }
        return i % 7 == 3 ? MessageType.BALANCE_RESULT : MessageType.TAP_RESULT;
    }

    private static long heartbeatTimestamp(final int connection, final int correlation)
    {
        return connection * 1_000_000L + correlation;
    }

    private static byte[] burst(final int round, final int connection) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < BURST; i++)
        {
            final int correlation = correlation(round, i);
            final long card = FIRST_CARD + (connection * BURST + i) % TestSwitch.DEMO_CARDS;
            switch (expectedType(i))
            {
                case MessageType.HEARTBEAT_RESULT:
                    bytes.write(heartbeatFrame(correlation, heartbeatTimestamp(connection, correlation)));
                    break;
                case MessageType.BALANCE_RESULT:
                    bytes.write(RawConnection.balanceFrame(correlation, card));
                    break;
                default:
                    bytes.write(tapFrame(correlation, card));
                    break;
            }
        }
        return bytes.toByteArray();
    }

    private static Socket connect() throws IOException
    {
        final Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout((int)READ_TIMEOUT_MS);
        socket.connect(new InetSocketAddress("127.0.0.1", testSwitch.port()), 5_000);
        return socket;
    }

    private static byte[] readFrame(final InputStream in) throws IOException
    {
        final byte[] lengthField = in.readNBytes(FrameHeader.LENGTH_FIELD_BYTES);
        assertThat(lengthField).as("connection closed").hasSize(FrameHeader.LENGTH_FIELD_BYTES);
        final int length = (lengthField[0] & 0xFF) | ((lengthField[1] & 0xFF) << 8);
        final byte[] frame = Arrays.copyOf(lengthField, FrameHeader.LENGTH_FIELD_BYTES + length);
        final int read = in.readNBytes(frame, FrameHeader.LENGTH_FIELD_BYTES, length);
        assertThat(read).as("connection closed inside a frame").isEqualTo(length);
        return frame;
    }

    private static byte[] tapFrame(final int correlation, final long card)
    {
        final byte[] frame = new byte[TapEncoder.FRAME_LENGTH];
        new TapEncoder().wrap(new UnsafeBuffer(frame), 0).correlation(correlation).cardId(card).programId(1)
            .quantity(1).flags(0).terminalTimeMs(System.currentTimeMillis());
        return frame;
    }

    private static byte[] heartbeatFrame(final int correlation, final long timestampMs)
    {
        final byte[] frame = new byte[HeartbeatEncoder.FRAME_LENGTH];
        new HeartbeatEncoder().wrap(new UnsafeBuffer(frame), 0).correlation(correlation).timestampMs(timestampMs);
        return frame;
    }
}
