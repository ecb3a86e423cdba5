package io.tapswitch.switching.engine;

import java.nio.file.Path;

import io.tapswitch.formats.Queues;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * The child JVM of {@link JournalKilledMidWriteTest}: opens the engine on a data directory with its real open path
 * (provisioning the demo data on the first run), prints {@code OPENED <last receipt> <header repairs>}, decides
 * batches of taps, each synced before its answers are printed ({@code ANSWERED terminal correlation card receipt
 * decision reason remaining nowMs}: what a terminal was told), writes three more batches without a sync (never
 * answered), then starts one more journal excerpt through Chronicle's own appender and writes part of its bytes
 * (Chronicle 2026.4 writes an excerpt's header only when the excerpt is complete, so the header stays 0 with the bytes
 * behind it), prints {@code MIDWRITE} and waits to be killed with SIGKILL by the test.
 * <p>
 * Arguments: data directory, run number (1, 2, …), batches to answer.
 */
public final class JournalKilledMidWriteChild
{
    private JournalKilledMidWriteChild()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Path dataDir = Path.of(args[0]);
        final int run = Integer.parseInt(args[1]);
        final int batches = Integer.parseInt(args[2]);
        final EngineConfig config = new EngineConfig().dataDir(dataDir).snapshotIntervalMs(0).journalReserveBytes(0)
            .journalSyncToDisk(true);
        final Harness h = new Harness(config);
        System.out.println("OPENED " + h.engine.counters().lastReceipt() + " " +
            h.engine.counters().journalHeaderRepairs());
        if (run == 1)
        {
            h.demo(100, 4);
        }
        long nowMs = JournalKilledMidWriteTest.START + run * 3_600_000L;
        final long terminal = run;
        int correlation = 1;
        for (int b = 0; b < batches; b++)
        {
            nowMs += 1_000;
            final long[][] batch = new long[8][];
            h.engine.beginJournalBatch();
            for (int i = 0; i < batch.length; i++)
            {
                final long card = 1_000_001 + (b * 8 + i) % 40;
                final Harness.Result r = h.tap(nowMs, terminal, correlation, card, JournalKilledMidWriteTest.PROGRAM, 1);
                batch[i] = new long[]{terminal, correlation, card, r.receipt(), r.decision(), r.reason(), r.remaining(),
                    nowMs};
                correlation++;
            }
            h.engine.flushJournal();
            h.engine.syncJournal();
            // durable: the answers leave
            final StringBuilder out = new StringBuilder();
            for (final long[] a : batch)
            {
                out.append("ANSWERED");
                for (final long v : a)
                {
                    out.append(' ').append(v);
                }
                out.append('\n');
            }
            System.out.print(out);
            System.out.flush();
        }
        for (int b = 0; b < 3; b++)
        {
            h.engine.beginJournalBatch();
            for (int i = 0; i < 5; i++)
            {
                h.tap(nowMs, terminal, correlation++, 1_000_001 + i, JournalKilledMidWriteTest.PROGRAM, 1);
            }
            h.engine.flushJournal();
        }
        // one more excerpt written as Chronicle writes one, killed half-way: under its write lock Chronicle leaves the
        // header 0 until the excerpt is complete, so a kill leaves a zero header with part of a batch's bytes behind
        // it (here ten copies of the last batch's records: a batch of 50 TAP records being written)
        final SingleChronicleQueue queue = Queues.openJournal(dataDir, true);
        final byte[] last;
        try (ExcerptTailer tailer = queue.createTailer())
        {
            if (!tailer.moveToIndex(queue.lastIndex()))
            {
                throw new IllegalStateException("cannot read the last excerpt");
            }
            try (DocumentContext read = tailer.readingDocument())
            {
                last = read.wire().bytes().toByteArray();
            }
        }
        final ExcerptAppender appender = queue.createAppender();
        final DocumentContext dc = appender.writingDocument();
        for (int i = 0; i < 10; i++)
        {
            dc.wire().bytes().write(last);
        }
        System.out.println("MIDWRITE");
        System.out.flush();
        Thread.sleep(120_000);
        System.exit(3);
    }
}
