package io.tapswitch.switching.reliability;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;

import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.protocol.client.AsyncTerminalClient;
import io.tapswitch.protocol.client.LogonResult;
import io.tapswitch.protocol.client.TapResult;
import io.tapswitch.protocol.client.TerminalClient;
import io.tapswitch.protocol.client.TerminalErrorException;

/**
 * A terminal of a replicated switch as a careful client runs it: one request at a time (TAP, program 2, quantity 1,
 * a card by correlation), each retried byte for byte (same correlation, same terminal time: PROTOCOL.md rule 14)
 * until it has a receipt — after a BUSY, an ERROR SYSTEM_ERROR (caught in an election), or a connection that went
 * away with its member or had no answer for {@link #ANSWER_WAIT_MS} (a paused member), in which case the terminal
 * moves to the next member's port and logs on there. So every
 * request it started ends with exactly one decision it knows: {@link #results} by correlation. An answer of any
 * other kind stops it and is its {@link #failure}.
 * <p>
 * Thread-safe for the readers: runs on its own thread.
 */
final class MovingTerminal
{
    private static final long GIVE_UP_NS = TimeUnit.SECONDS.toNanos(60);
    /** A request unanswered this long is sent again on the next member (a paused member answers nothing). */
    private static final long ANSWER_WAIT_MS = 3_000;

    final long terminalId;
    final AtomicIntegerArray ports;
    final long firstCard;
    final int cards;
    final Map<Integer, TapResult> results = new ConcurrentHashMap<>();
    final AtomicInteger systemErrors = new AtomicInteger();
    final AtomicInteger busy = new AtomicInteger();
    final AtomicInteger moves = new AtomicInteger();
    private volatile boolean running = true;
    private volatile int endpoint;
    volatile Throwable failure;
    private Thread thread;

    /**
     * @param ports the members' terminal ports, read at each move (a restarted member may have a new one).
     * @param first index of the member to start on.
     */
    MovingTerminal(final long terminalId, final AtomicIntegerArray ports, final int first, final long firstCard, final int cards)
    {
        this.terminalId = terminalId;
        this.ports = ports;
        this.endpoint = first;
        this.firstCard = firstCard;
        this.cards = cards;
    }

    void start()
    {
        thread = new Thread(this::run, "moving-terminal-" + terminalId);
        thread.start();
    }

    /**
     * Stops after the request under way has its receipt (bounded), so the terminal knows every decision taken for it.
     */
    void stop() throws InterruptedException
    {
        running = false;
        if (null != thread)
        {
            thread.join(90_000);
        }
    }

    private void run()
    {
        int correlation = 1;
        long sentAtMs = System.currentTimeMillis();
        boolean pending = false;
        TerminalClient client = null;
        try
        {
            while (running || pending)
            {
                if (!pending)
                {
                    sentAtMs = System.currentTimeMillis();
                    pending = true;
                }
                if (null == client)
                {
                    client = connect();
                    if (null == client)
                    {
                        throw new IllegalStateException("no member took terminal " + terminalId + " for 60 s");
                    }
                }
                try
                {
                    final TapResult result = client.tap(correlation, cardOf(correlation), 2, 1, 0, sentAtMs);
                    if (result.receipt() > 0)
                    {
                        results.put(correlation, result);
                        correlation++;
                        pending = false;
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                    }
                    else
                    {
                        busy.incrementAndGet();
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                    }
                }
                catch (final TerminalErrorException ex)
                {
                    if (ex.code() != ReasonCode.SYSTEM_ERROR || ex.correlation() != correlation)
                    {
                        throw ex;
                    }
                    systemErrors.incrementAndGet();
                }
                catch (final RuntimeException ex)
                {
                    // the connection went away with its member (or timed out): the same request on the next member
                    client.close();
                    client = null;
                    move();
                }
            }
        }
        catch (final Throwable ex)
        {
            failure = ex;
        }
        finally
        {
            if (null != client)
            {
                client.close();
            }
        }
    }

    private TerminalClient connect()
    {
        final long deadlineNs = System.nanoTime() + GIVE_UP_NS;
        while (System.nanoTime() - deadlineNs < 0)
        {
            final TerminalClient client = new TerminalClient(new AsyncTerminalClient(new AsyncTerminalClient.Options()
                .host("127.0.0.1").port(ports.get(endpoint)).terminal(terminalId, TerminalClient.demoKey(terminalId))),
                ANSWER_WAIT_MS);
            try
            {
                client.async().connect().get(ANSWER_WAIT_MS, TimeUnit.MILLISECONDS);
                final LogonResult logon = client.logon();
                if (logon.ok())
                {
                    return client;
                }
                client.close();
            }
            catch (final Exception ex)
            {
                client.close();
            }
            // refused (member dead), no answer (member paused), or LOGON answered SYSTEM_ERROR/BUSY during an
            // election: the next member
            move();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        return null;
    }

    private void move()
    {
        endpoint = (endpoint + 1) % ports.length();
        moves.incrementAndGet();
    }

    long cardOf(final int correlation)
    {
        return firstCard + (correlation * 7L + terminalId) % cards;
    }
}
