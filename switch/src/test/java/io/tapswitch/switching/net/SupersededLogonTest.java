package io.tapswitch.switching.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
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
                try (Raw older = Raw.open(testSwitch.port()))
                {
                    logOn(older);
                    older.write(balances(1_000, OLDER_PIPELINED));
                    try (Raw newer = Raw.open(testSwitch.port()))
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
                final Raw older = Raw.open(testSwitch.port());
                logOn(older);
                older.write(balances(1_000, OLDER_PIPELINED));
                older.close(); // like the fleet at the end of a shape: its answers may still be in the engine's queue
                try (Raw newer = Raw.open(testSwitch.port()))
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

    private static void logOn(final Raw connection) throws IOException
    {
        connection.write(logonFrame(1));
        final byte[] result = connection.readFrame(ANSWER_TIMEOUT_MS);
        assertThat(result).isNotNull();
        assertThat(type(result)).isEqualTo(MessageType.LOGON_RESULT);
        assertThat(result[FrameHeader.BODY_OFFSET] & 0xFF).isEqualTo(ReasonCode.OK);
    }

    private static void assertAnsweredInOrder(final Raw newer, final int round) throws IOException
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

    private static void roundTrips(final Raw newer, final int round) throws IOException
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

    /**
     * A blocking loopback socket: raw bytes out, whole frames in. Not thread-safe.
     */
    private static final class Raw implements AutoCloseable
    {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        private Raw(final Socket socket) throws IOException
        {
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream(), 65_536);
            this.out = socket.getOutputStream();
        }

        static Raw open(final int port) throws IOException
        {
            final Socket socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            return new Raw(socket);
        }

        void write(final byte[] bytes) throws IOException
        {
            out.write(bytes);
            out.flush();
        }

        /**
         * @return the next whole frame, or null when the connection ended or nothing arrived within the timeout.
         */
        byte[] readFrame(final long timeoutMs) throws IOException
        {
            socket.setSoTimeout((int)timeoutMs);
            try
            {
                final byte[] lengthField = readFully(FrameHeader.LENGTH_FIELD_BYTES);
                if (null == lengthField)
                {
                    return null;
                }
                final int length = (lengthField[0] & 0xFF) | ((lengthField[1] & 0xFF) << 8);
                final byte[] frame = new byte[FrameHeader.LENGTH_FIELD_BYTES + length];
                System.arraycopy(lengthField, 0, frame, 0, FrameHeader.LENGTH_FIELD_BYTES);
                final byte[] rest = readFully(length);
                if (null == rest)
                {
                    return null;
                }
                System.arraycopy(rest, 0, frame, FrameHeader.LENGTH_FIELD_BYTES, length);
                return frame;
            }
            catch (final SocketTimeoutException ex)
            {
                return null;
            }
        }

        /**
         * @return true when the switch closed the connection (EOF or reset) within the timeout.
         */
        boolean awaitClosedBySwitch(final long timeoutMs)
        {
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            final byte[] sink = new byte[4096];
            try
            {
                while (true)
                {
                    final long leftMs = TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime());
                    if (leftMs <= 0)
                    {
                        return false;
                    }
                    socket.setSoTimeout((int)leftMs);
                    if (in.read(sink) < 0)
                    {
                        return true;
                    }
                }
            }
            catch (final SocketTimeoutException ex)
            {
                return false;
            }
            catch (final IOException ex)
            {
                return true;
            }
        }

        private byte[] readFully(final int lengthBytes) throws IOException
        {
            final byte[] bytes = new byte[lengthBytes];
            int read = 0;
            while (read < lengthBytes)
            {
                final int count = in.read(bytes, read, lengthBytes - read);
                if (count < 0)
                {
                    return null;
                }
                read += count;
            }
            return bytes;
        }

        @Override
        public void close()
        {
            try
            {
                socket.close();
            }
            catch (final IOException ignored)
            {
                // closing anyway
            }
        }
    }
}
