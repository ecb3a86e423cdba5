package io.tapswitch.switching.reliability;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.protocol.client.TapResult;
import io.tapswitch.protocol.client.TerminalClient;
import io.tapswitch.protocol.client.TerminalErrorException;

/**
 * A terminal on one connection tapping one request at a time (TAP, program 2, quantity 1, a card by
 * correlation), recording each answer: a result, or ERROR SYSTEM_ERROR with its correlation. Anything else (a
 * timeout, another error, a closed connection) stops it and is its failure.
 */
final class TappingTerminal
{
    final long terminalId;
    final int port;
    final long firstCard;
    final int cards;
    /** terminalTimeMs of each TAP sent, by correlation (to re-send it byte for byte). */
    final Map<Integer, Long> sentAtMs = new ConcurrentHashMap<>();
    final Map<Integer, TapResult> results = new ConcurrentHashMap<>();
    final Map<Integer, Long> systemErrors = new ConcurrentHashMap<>();
    final AtomicBoolean running = new AtomicBoolean(true);
    volatile long slowestSystemErrorMs;
    volatile Throwable failure;
    private Thread thread;

    TappingTerminal(final long terminalId, final int port, final long firstCard, final int cards)
    {
        this.terminalId = terminalId;
        this.port = port;
        this.firstCard = firstCard;
        this.cards = cards;
    }

    long cardOf(final int correlation)
    {
        return firstCard + (correlation * 7L + terminalId) % cards;
    }

    void start()
    {
        thread = new Thread(this::run, "terminal-" + terminalId);
        thread.start();
    }

    void stop()
    {
        running.set(false);
        if (null != thread)
        {
            try
            {
                thread.join(15_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run()
    {
        try (TerminalClient client = TerminalClient.connect("127.0.0.1", port, terminalId,
            TerminalClient.demoKey(terminalId)))
        {
            int correlation = 1;
            while (running.get())
            {
                final long startNs = System.nanoTime();
                final long sentAt = System.currentTimeMillis();
                sentAtMs.put(correlation, sentAt);
                try
                {
                    results.put(correlation, client.tap(correlation, cardOf(correlation), 2, 1, 0, sentAt));
                }
                catch (final TerminalErrorException ex)
                {
                    final long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
                    if (ex.code() != ReasonCode.SYSTEM_ERROR || ex.correlation() != correlation)
                    {
                        throw ex;
                    }
                    systemErrors.put(correlation, tookMs);
                    slowestSystemErrorMs = Math.max(slowestSystemErrorMs, tookMs);
                }
                correlation++;
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
        catch (final Throwable ex)
        {
            failure = ex;
        }
    }
}
