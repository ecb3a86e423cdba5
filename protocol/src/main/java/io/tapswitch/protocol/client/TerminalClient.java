package io.tapswitch.protocol.client;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.tapswitch.protocol.ReasonCode;

/**
 * A blocking terminal for tests and scripts, over {@link AsyncTerminalClient}: each call sends one request and
 * waits (bounded) for its answer. Correlations are chosen from a random start and increase, unless given.
 * <pre>
 * try (TerminalClient terminal = TerminalClient.connect("127.0.0.1", 7700, 1, TerminalClient.demoKey(1)))
 * {
 *     TapResult result = terminal.tap(1000001, 1, 1);
 * }
 * </pre>
 * Thread-safe, but meant for one caller thread at a time.
 */
public final class TerminalClient implements AutoCloseable
{
    /** How long a blocking call waits for its answer. */
    public static final long DEFAULT_TIMEOUT_MS = 10_000;

    private final AsyncTerminalClient client;
    private final long timeoutMs;
    private int nextCorrelation = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE / 2);

    public TerminalClient(final AsyncTerminalClient client, final long timeoutMs)
    {
        this.client = client;
        this.timeoutMs = timeoutMs;
    }

    /**
     * Connects and logs on.
     *
     * @throws LogonFailedException when the LOGON_RESULT is not OK.
     */
    public static TerminalClient connect(final String host, final int port, final long terminalId, final byte[] key)
    {
        return connect(new AsyncTerminalClient.Options().host(host).port(port).terminal(terminalId, key));
    }

    /**
     * Connects and logs on with the given options.
     *
     * @throws LogonFailedException when the LOGON_RESULT is not OK.
     */
    public static TerminalClient connect(final AsyncTerminalClient.Options options)
    {
        final TerminalClient terminal = new TerminalClient(new AsyncTerminalClient(options), DEFAULT_TIMEOUT_MS);
        try
        {
            final LogonResult result = terminal.await(terminal.client.connectAndLogon());
            if (!result.ok())
            {
                throw new LogonFailedException(result);
            }
            return terminal;
        }
        catch (final RuntimeException ex)
        {
            terminal.close();
            throw ex;
        }
    }

    /**
     * Opens a connection without logging on (to send a LOGON explicitly, or anything else).
     */
    public static TerminalClient open(final String host, final int port, final long terminalId, final byte[] key)
    {
        final TerminalClient terminal = new TerminalClient(new AsyncTerminalClient(
            new AsyncTerminalClient.Options().host(host).port(port).terminal(terminalId, key).autoHeartbeat(false)),
            DEFAULT_TIMEOUT_MS);
        try
        {
            terminal.await(terminal.client.connect());
            return terminal;
        }
        catch (final RuntimeException ex)
        {
            terminal.close();
            throw ex;
        }
    }

    /**
     * @param terminalId a demo terminal id.
     * @return its demo key: SHA-256 of the UTF-8 text {@code tapswitch-demo-<terminalId>}.
     */
    public static byte[] demoKey(final long terminalId)
    {
        try
        {
            return MessageDigest.getInstance("SHA-256")
                .digest(("tapswitch-demo-" + terminalId).getBytes(StandardCharsets.UTF_8));
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is not available in this JVM", ex);
        }
    }

    public AsyncTerminalClient async()
    {
        return client;
    }

    /**
     * @return the correlation the next call without an explicit one will use.
     */
    public int nextCorrelation()
    {
        return nextCorrelation;
    }

    /**
     * Logs on with the current time and a random nonce.
     */
    public LogonResult logon()
    {
        final byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        return logon(System.currentTimeMillis(), nonce);
    }

    public LogonResult logon(final long timestampMs, final byte[] nonce)
    {
        return await(client.logon(timestampMs, nonce));
    }

    public TapResult tap(final long cardId, final long programId, final int quantity)
    {
        return tap(nextCorrelation++, cardId, programId, quantity, 0, System.currentTimeMillis());
    }

    public TapResult tap(
        final int correlation,
        final long cardId,
        final long programId,
        final int quantity,
        final int flags,
        final long terminalTimeMs)
    {
        return await(client.tap(correlation, cardId, programId, quantity, flags, terminalTimeMs));
    }

    public TapResult reversal(final int originalCorrelation, final long cardId)
    {
        return reversal(nextCorrelation++, originalCorrelation, cardId);
    }

    public TapResult reversal(final int correlation, final int originalCorrelation, final long cardId)
    {
        return await(client.reversal(correlation, originalCorrelation, cardId));
    }

    public BalanceResult balance(final long cardId)
    {
        return balance(nextCorrelation++, cardId);
    }

    public BalanceResult balance(final int correlation, final long cardId)
    {
        return await(client.balance(correlation, cardId));
    }

    /**
     * @return the echoed timestamp.
     */
    public long heartbeat()
    {
        return heartbeat(nextCorrelation++, System.currentTimeMillis());
    }

    public long heartbeat(final int correlation, final long timestampMs)
    {
        return await(client.heartbeat(correlation, timestampMs));
    }

    /**
     * Writes raw bytes and waits for the next response frame.
     *
     * @return the response frame bytes.
     */
    public byte[] exchangeRaw(final byte[] bytes)
    {
        return await(client.sendRaw(bytes));
    }

    /**
     * Waits until the switch (or this client) closed the connection.
     *
     * @return true when closed within the timeout.
     */
    public boolean awaitClosed(final long waitMs)
    {
        try
        {
            client.channelCloseFuture().get(waitMs, TimeUnit.MILLISECONDS);
            return true;
        }
        catch (final TimeoutException ex)
        {
            return false;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
        catch (final ExecutionException ex)
        {
            return true;
        }
    }

    public void close()
    {
        client.close();
    }

    private <T> T await(final CompletableFuture<T> future)
    {
        try
        {
            return future.get(timeoutMs, TimeUnit.MILLISECONDS);
        }
        catch (final ExecutionException ex)
        {
            if (ex.getCause() instanceof RuntimeException)
            {
                throw (RuntimeException)ex.getCause();
            }
            throw new IllegalStateException(ex.getCause());
        }
        catch (final TimeoutException ex)
        {
            throw new IllegalStateException("no answer within " + timeoutMs + " ms", ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ex);
        }
    }

    /**
     * The LOGON was answered with a failure code.
     */
    public static final class LogonFailedException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        private final LogonResult result;

        public LogonFailedException(final LogonResult result)
        {
            super("LOGON failed: " + ReasonCode.name(result.result()));
            this.result = result;
        }

        public LogonResult result()
        {
            return result;
        }
    }
}
