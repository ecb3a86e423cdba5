package io.tapswitch.bench.cluster;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.protocol.client.TapResult;
import io.tapswitch.protocol.client.TerminalClient;
import io.tapswitch.protocol.client.TerminalErrorException;

/**
 * One terminal on one member tapping one request at a time (a demo card, program 0: the balance is never exhausted),
 * reconnecting to the same member when its connection is gone. It remembers when it last got a decided answer (a
 * receipt) to a request sent after a given moment, and when it last got any answer: the failover time is read from
 * the probes of the surviving members.
 * <p>
 * Thread-safe: runs on its own thread; the readers read volatile/atomic fields.
 */
final class Probe
{
    private final long terminalId;
    private final int port;
    private final long firstCard;
    private final int cards;
    private volatile boolean running = true;
    private Thread thread;
    /** nanoTime the last request was sent (its answer pending), 0 when none is pending. */
    private final AtomicLong decidedAfter = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong firstDecidedNs = new AtomicLong();
    private final AtomicLong firstAnswerNs = new AtomicLong();
    private final AtomicLong decided = new AtomicLong();
    private final AtomicLong systemErrors = new AtomicLong();
    private final AtomicLong busy = new AtomicLong();

    Probe(final long terminalId, final int port, final long firstCard, final int cards)
    {
        this.terminalId = terminalId;
        this.port = port;
        this.firstCard = firstCard;
        this.cards = cards;
    }

    void start()
    {
        thread = new Thread(this::run, "probe-" + terminalId);
        thread.setDaemon(true);
        thread.start();
    }

    void stop() throws InterruptedException
    {
        running = false;
        if (null != thread)
        {
            thread.join(15_000);
        }
    }

    /**
     * From now on, watch for the first decided answer to a request sent at or after {@code sinceNs}, and the first
     * answer of any kind received after it.
     */
    void watch(final long sinceNs)
    {
        firstDecidedNs.set(0);
        firstAnswerNs.set(0);
        decidedAfter.set(sinceNs);
    }

    /** @return nanoTime of the first decided answer to a request sent since {@link #watch}, 0 while none. */
    long firstDecidedNs()
    {
        return firstDecidedNs.get();
    }

    /** @return nanoTime of the first answer (any) received since {@link #watch}, 0 while none. */
    long firstAnswerNs()
    {
        return firstAnswerNs.get();
    }

    long decided()
    {
        return decided.get();
    }

    long systemErrors()
    {
        return systemErrors.get();
    }

    long busy()
    {
        return busy.get();
    }

    private void run()
    {
        int correlation = 1;
        while (running)
        {
            try (TerminalClient client = TerminalClient.connect("127.0.0.1", port, terminalId,
                TerminalClient.demoKey(terminalId)))
            {
                while (running)
                {
                    final long sentNs = System.nanoTime();
                    boolean decidedNow = false;
                    try
                    {
                        final TapResult result = client.tap(correlation, firstCard + Math.floorMod(
                            correlation * 7919L + terminalId, cards), 0, 1, 0, System.currentTimeMillis());
                        if (result.receipt() > 0)
                        {
                            decided.incrementAndGet();
                            decidedNow = true;
                        }
                        else
                        {
                            busy.incrementAndGet();
                        }
                    }
                    catch (final TerminalErrorException ex)
                    {
                        if (ex.code() != ReasonCode.SYSTEM_ERROR)
                        {
                            throw ex;
                        }
                        systemErrors.incrementAndGet();
                    }
                    final long answeredNs = System.nanoTime();
                    final long since = decidedAfter.get();
                    if (answeredNs - since >= 0)
                    {
                        firstAnswerNs.compareAndSet(0, answeredNs);
                        if (decidedNow && sentNs - since >= 0)
                        {
                            firstDecidedNs.compareAndSet(0, answeredNs);
                        }
                    }
                    correlation++;
                    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
                }
            }
            catch (final RuntimeException ex)
            {
                // the member is gone (killed, stopped) or not serving yet: try again shortly
                correlation += 1_000;
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
        }
    }
}
