package io.tapswitch.protocol.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.ErrorEncoder;
import io.tapswitch.protocol.FrameHeader;
import io.tapswitch.protocol.LogonMac;
import io.tapswitch.protocol.LogonResultEncoder;
import io.tapswitch.protocol.MessageType;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.protocol.TapResultEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The client against a scripted switch on 127.0.0.1 (a plain socket server written from PROTOCOL.md): the
 * LOGON mac, in-order completion, ERROR answers, and re-sending unanswered requests after a lost connection.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AsyncTerminalClientTest
{
    private static final long TERMINAL_ID = 17;
    private static final byte[] KEY = TerminalClient.demoKey(TERMINAL_ID);

    private final List<byte[]> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile boolean dropFirstTap;
    private volatile boolean answerWrongCorrelation;
    private ServerSocket server;

    @AfterEach
    void stop() throws IOException
    {
        if (null != server)
        {
            server.close();
        }
    }

    @Test
    void shouldSignTheLogonAndCompletePipelinedRequestsInOrder() throws Exception
    {
        startServer();
        try (TerminalClient terminal = TerminalClient.connect(options()))
        {
            final CompletableFuture<TapResult> first = terminal.async().tap(1, 1000001, 1, 1, 0, 5L);
            final CompletableFuture<TapResult> second = terminal.async().tap(2, 1000002, 1, 1, 0, 5L);
            final CompletableFuture<Long> beat = terminal.async().heartbeat(3, 42L);

            assertThat(first.get().correlation()).isEqualTo(1);
            assertThat(second.get().correlation()).isEqualTo(2);
            assertThat(beat.get()).isEqualTo(42L);

            final byte[] logon = received.get(0);
            final LogonMac mac = new LogonMac().key(KEY);
            assertThat(mac.verify(new UnsafeBuffer(logon), 0)).isTrue();
        }
    }

    @Test
    void shouldFailTheRequestAnsweredWithError() throws Exception
    {
        startServer();
        try (TerminalClient terminal = TerminalClient.connect(options()))
        {
            assertThatThrownBy(() -> terminal.balance(9, 1000001))
                .isInstanceOfSatisfying(TerminalErrorException.class, (ex) ->
                {
                    assertThat(ex.code()).isEqualTo(ReasonCode.SYSTEM_ERROR);
                    assertThat(ex.correlation()).isEqualTo(9);
                });
            assertThat(terminal.tap(10, 1000001, 1, 1, 0, 5L).correlation()).isEqualTo(10);
        }
    }

    @Test
    void shouldRefuseAnAnswerWithAnotherCorrelation() throws Exception
    {
        startServer();
        try (TerminalClient terminal = TerminalClient.connect(options()))
        {
            answerWrongCorrelation = true;
            assertThatThrownBy(() -> terminal.async().tap(11, 1000001, 1, 1, 0, 5L).join())
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void shouldLogOnAgainAndResendUnansweredRequestsWithTheSameBytes() throws Exception
    {
        startServer();
        dropFirstTap = true;
        try (TerminalClient terminal = TerminalClient.connect(options().reconnect(true).reconnectDelayMs(10)))
        {
            final TapResult result = terminal.tap(77, 1000005, 2, 1, 0, 123L);

            assertThat(result.correlation()).isEqualTo(77);
            assertThat(connections.get()).isEqualTo(2);
            final List<byte[]> logons = received.stream().filter((f) -> type(f) == MessageType.LOGON).toList();
            final List<byte[]> taps = received.stream().filter((f) -> type(f) == MessageType.TAP).toList();
            assertThat(logons).hasSize(2);
            assertThat(Arrays.copyOfRange(logons.get(0), 24, 40)).isNotEqualTo(Arrays.copyOfRange(logons.get(1), 24, 40));
            assertThat(taps).hasSize(2);
            assertThat(taps.get(1)).isEqualTo(taps.get(0));
        }
    }

    private AsyncTerminalClient.Options options()
    {
        return new AsyncTerminalClient.Options().host("127.0.0.1").port(server.getLocalPort()).terminal(TERMINAL_ID, KEY);
    }

    private static int type(final byte[] frame)
    {
        return frame[FrameHeader.TYPE_OFFSET] & 0xFF;
    }

    private void startServer() throws IOException
    {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final Thread acceptor = new Thread(() ->
        {
            while (!server.isClosed())
            {
                try
                {
                    final Socket socket = server.accept();
                    connections.incrementAndGet();
                    final Thread handler = new Thread(() -> serve(socket), "fake-switch-connection");
                    handler.setDaemon(true);
                    handler.start();
                }
                catch (final IOException ex)
                {
                    return;
                }
            }
        }, "fake-switch-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void serve(final Socket socket)
    {
        try (socket)
        {
            final DataInputStream in = new DataInputStream(socket.getInputStream());
            final OutputStream out = socket.getOutputStream();
            final UnsafeBuffer response = new UnsafeBuffer(new byte[64]);
            while (true)
            {
                final int low = in.read();
                final int high = in.read();
                if (low < 0 || high < 0)
                {
                    return;
                }
                final int length = low | (high << 8);
                final byte[] frame = new byte[length + 2];
                frame[0] = (byte)low;
                frame[1] = (byte)high;
                in.readFully(frame, 2, length);
                received.add(frame);
                final UnsafeBuffer request = new UnsafeBuffer(frame);
                final int correlation = FrameHeader.correlation(request, 0) + (answerWrongCorrelation ? 1 : 0);
                final int responseLength;
                switch (type(frame))
                {
                    case MessageType.LOGON:
                        responseLength = new LogonResultEncoder().wrap(response, 0).correlation(correlation)
                            .result(ReasonCode.OK).heartbeatMs(60_000).serverTimeMs(System.currentTimeMillis())
                            .encodedLength();
                        break;
                    case MessageType.TAP:
                        if (dropFirstTap)
                        {
                            dropFirstTap = false;
                            return;
                        }
                        responseLength = new TapResultEncoder().wrap(response, 0).correlation(correlation)
                            .decision(Decision.APPROVED).reason(ReasonCode.OK).remaining(1).receipt(correlation)
                            .encodedLength();
                        break;
                    case MessageType.HEARTBEAT:
                        response.putBytes(0, frame, 0, frame.length);
                        response.putByte(FrameHeader.TYPE_OFFSET, (byte)MessageType.HEARTBEAT_RESULT);
                        responseLength = frame.length;
                        break;
                    default:
                        responseLength = new ErrorEncoder().wrap(response, 0).correlation(correlation)
                            .code(ReasonCode.SYSTEM_ERROR).detail("").encodedLength();
                        break;
                }
                out.write(response.byteArray(), 0, responseLength);
                out.flush();
            }
        }
        catch (final IOException ex)
        {
            // the client closed: this connection is done
        }
    }
}
