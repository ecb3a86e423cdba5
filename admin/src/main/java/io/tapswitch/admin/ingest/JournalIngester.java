package io.tapswitch.admin.ingest;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.formats.journal.IngestedPosition;
import io.tapswitch.formats.journal.JournalDecoder;
import io.tapswitch.formats.journal.JournalReader;
import io.tapswitch.formats.journal.JournalRecord;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tails the switch's journal ({@code <switch-data-dir>/journal}) with the switch's own {@link JournalReader} and
 * writes every TAP and REVERSAL decision into {@code taps}, exactly once: each batch's rows and the journal index
 * of the last excerpt read are written in one transaction, and rows are keyed by receipt
 * ({@code ON CONFLICT DO NOTHING}), so a restart resumes after the last committed excerpt and an overlap cannot
 * duplicate. An excerpt holds one or more records (group commit, {@code switch/JOURNAL.md}); a poll never stops
 * inside one, so the committed index always covers every record of its excerpt and resuming after it skips none. After each commit the ingested index is published to the switch ({@link IngestedPosition}) so
 * journal retention never deletes what was not ingested.
 * <p>
 * Threading: one thread of its own ({@code journal-ingester}) owns the reader; {@link #close()} from the owner.
 */
public final class JournalIngester implements AutoCloseable
{
    /** The {@code ingest_position.source} row of the switch journal. */
    public static final String SOURCE = "switch-journal";
    private static final Logger LOG = LoggerFactory.getLogger(JournalIngester.class);
    private static final long DB_TIMEOUT_MS = 30_000;
    private static final String INSERT = "INSERT INTO taps (receipt, type, decided_at, terminal_id, outlet_id, correlation, card_id, " +
        "holder_id, program_id, quantity, offline, terminal_time, decision, reason, remaining, journal_index) " +
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) ON CONFLICT (receipt) DO NOTHING";

    private final Pool pool;
    private final Path switchDataDir;
    private final Clock clock;
    private final int batch;
    private final long pollIntervalNs;
    private final AtomicLong lagEntries = new AtomicLong();
    private final AtomicLong lagMs = new AtomicLong();
    private final AtomicLong ingestedCount = new AtomicLong();
    private final Counter ingested;
    private final List<Tuple> rows = new ArrayList<>();
    private final MeterRegistry registry;
    private final java.util.Map<Long, Counter> handedOut = new java.util.HashMap<>();
    private JournalReader reader;
    private volatile long storedIndex = JournalReader.NO_INDEX;
    private long entries;
    private long lastTimeMs;
    private volatile boolean running;
    private volatile String failing;
    private volatile Thread thread;

    /**
     * @param pool           the database.
     * @param switchDataDir  the switch data directory.
     * @param clock          the clock (for the lag in seconds).
     * @param batch          most records per transaction.
     * @param pollIntervalMs how long to wait at the end of the journal before looking again.
     * @param registry       where the ingest metrics go.
     */
    public JournalIngester(final Pool pool, final Path switchDataDir, final Clock clock, final int batch,
        final long pollIntervalMs, final MeterRegistry registry)
    {
        this.pool = pool;
        this.switchDataDir = switchDataDir;
        this.clock = clock;
        this.batch = batch;
        this.pollIntervalNs = TimeUnit.MILLISECONDS.toNanos(pollIntervalMs);
        this.registry = registry;
        Gauge.builder("tapswitch_admin_ingest_lag_entries", lagEntries, AtomicLong::get)
            .description("journal excerpts not yet ingested (an excerpt holds one record, or a whole engine batch)")
            .register(registry);
        Gauge.builder("tapswitch_admin_ingest_lag_seconds", lagMs, v -> v.get() / 1000.0)
            .description("age of the oldest journal record not yet ingested (0 when caught up)").register(registry);
        ingested = Counter.builder("tapswitch_admin_ingested")
            .description("tap and reversal decisions written to PostgreSQL").register(registry);
    }

    /**
     * Starts the ingesting thread, which loads the stored position and opens the reader (Chronicle tailers are
     * bound to the thread that uses them).
     */
    public void start()
    {
        running = true;
        final Thread t = new Thread(this::run, "journal-ingester");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    /**
     * Opens the reader at the stored position, on the calling thread (which must then be the only one to call
     * {@link #ingestBatch()}).
     */
    public void open() throws Exception
    {
        final RowSet<Row> position = await(pool.preparedQuery(
            "SELECT queue_index, entries, last_time FROM ingest_position WHERE source = $1").execute(Tuple.of(SOURCE)));
        if (position.size() > 0)
        {
            final Row row = position.iterator().next();
            storedIndex = row.getLong("queue_index");
            entries = row.getLong("entries");
        }
        reader = new JournalReader(switchDataDir);
        if (!reader.moveAfter(storedIndex))
        {
            LOG.warn("journal index {} no longer in the journal; ingesting from its start (receipts already stored are skipped)",
                storedIndex);
            reader.toStart();
        }
    }

    private void run()
    {
        while (running && reader == null)
        {
            try
            {
                open();
            }
            catch (final Exception ex)
            {
                LOG.warn("journal ingester cannot load its position, retrying: {}", ex.toString());
                LockSupport.parkNanos(pollIntervalNs * 10);
            }
        }
        while (running)
        {
            int work = 0;
            try
            {
                work = ingestBatch();
                failing = null;
            }
            catch (final Exception ex)
            {
                failing = ex.toString();
                if (running)
                {
                    LOG.warn("journal ingest failed, retrying from the stored position: {}", ex.toString());
                    reposition();
                    LockSupport.parkNanos(pollIntervalNs * 10);
                }
            }
            if (work == 0 && running)
            {
                LockSupport.parkNanos(pollIntervalNs);
            }
        }
        if (reader != null)
        {
            reader.close();
            reader = null;
        }
    }

    private void reposition()
    {
        if (!reader.moveAfter(storedIndex))
        {
            reader.toStart();
        }
    }

    /**
     * Reads about a batch of records (whole excerpts: more than the batch if the last excerpt needs it) and commits
     * their decisions with the new position.
     *
     * @return the records read (0 at the end of the journal).
     */
    public int ingestBatch() throws Exception
    {
        rows.clear();
        final long[] lastTime = {lastTimeMs};
        final int read = reader.poll((index, record) ->
        {
            lastTime[0] = record.timeMs();
            if (record.type() == JournalRecord.TYPE_TAP || record.type() == JournalRecord.TYPE_REVERSAL)
            {
                rows.add(toTuple(index, record));
            }
        }, batch);
        if (read == 0)
        {
            updateLag();
            return 0;
        }
        final long newIndex = reader.lastReadIndex();
        final long newEntries = entries + read;
        final long lastReceipt = rows.isEmpty() ? 0 : rows.get(rows.size() - 1).getLong(0);
        final OffsetDateTime lastTimeAt = Instant.ofEpochMilli(lastTime[0]).atOffset(ZoneOffset.UTC);
        final List<Tuple> batchRows = new ArrayList<>(rows);
        final boolean[] insertedRows = new boolean[batchRows.size()];
        final int inserted = await(pool.withTransaction(conn ->
            (batchRows.isEmpty() ? Future.succeededFuture(0) :
                conn.preparedQuery(INSERT).executeBatch(batchRows).map(result -> rowCount(result, insertedRows)))
            .compose(count -> conn.preparedQuery("INSERT INTO ingest_position (source, queue_index, entries, last_receipt, last_time, updated_at) " +
                    "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (source) DO UPDATE SET queue_index = $2, entries = $3, " +
                    "last_receipt = GREATEST(ingest_position.last_receipt, $4), last_time = $5, updated_at = $6")
                .execute(Tuple.of(SOURCE, newIndex, newEntries, lastReceipt, lastTimeAt,
                    OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC)))
                .map(count))));
        entries = newEntries;
        lastTimeMs = lastTime[0];
        ingested.increment(inserted);
        ingestedCount.addAndGet(inserted);
        countHandedOut(batchRows, insertedRows);
        IngestedPosition.write(switchDataDir, newIndex);
        // last: whoever sees the new index also sees the counters and the published position
        storedIndex = newIndex;
        updateLag();
        return read;
    }

    private static int rowCount(final RowSet<Row> result, final boolean[] insertedRows)
    {
        int count = 0;
        int i = 0;
        for (RowSet<Row> r = result; r != null; r = r.next())
        {
            final boolean inserted = r.rowCount() > 0;
            if (i < insertedRows.length)
            {
                insertedRows[i++] = inserted;
            }
            count += inserted ? 1 : 0;
        }
        return count;
    }

    /**
     * Counts what newly ingested APPROVED and RECORDED taps handed out, by program and outlet (bounded labels: at
     * most 64 programs, the city's outlets). Replayed receipts were not inserted and are not counted again.
     */
    private void countHandedOut(final List<Tuple> batchRows, final boolean[] insertedRows)
    {
        for (int i = 0; i < batchRows.size(); i++)
        {
            final Tuple row = batchRows.get(i);
            final String decision = row.getString(12);
            if (!insertedRows[i] || !"TAP".equals(row.getString(1)) || "DECLINED".equals(decision))
            {
                continue;
            }
            final int programId = row.getInteger(8);
            final int outletId = row.getInteger(4);
            final long key = ((long)programId << 32) | (outletId & 0xFFFF_FFFFL);
            handedOut.computeIfAbsent(key, k -> Counter.builder("tapswitch_admin_handed_out")
                    .description("quantity handed out by approved or recorded taps, by program and outlet")
                    .tags("program", Integer.toString(programId), "outlet", Integer.toString(outletId))
                    .register(registry))
                .increment(row.getInteger(9));
        }
    }

    private void updateLag()
    {
        final long lag = reader.lagEntries();
        lagEntries.set(lag);
        lagMs.set(lag == 0 || lastTimeMs == 0 ? 0 : Math.max(0, clock.millis() - lastTimeMs));
    }

    private static Tuple toTuple(final long index, final JournalDecoder r)
    {
        final boolean tap = r.type() == JournalRecord.TYPE_TAP;
        final long terminalTimeMs = tap ? r.terminalTimeMs() : 0;
        return Tuple.from(new Object[] {
            r.receipt(), tap ? "TAP" : "REVERSAL", Instant.ofEpochMilli(r.timeMs()).atOffset(ZoneOffset.UTC),
            r.terminalId(), r.outletId(), Integer.toUnsignedLong(r.correlation()), r.cardId(), r.holderId(), r.programId(),
            tap ? r.quantity() : r.restored(), tap && (r.flags() & 1) != 0,
            terminalTimeMs == 0 ? null : Instant.ofEpochMilli(terminalTimeMs).atOffset(ZoneOffset.UTC),
            Decision.name(r.decision()), ReasonCode.name(r.reason()), r.remaining(), index});
    }

    /**
     * @return journal excerpts not yet ingested, as of the last poll (excerpts, not records: a batch excerpt holds
     * many records).
     */
    /**
     * @return the error of the last failed batch while ingesting fails (e.g. PostgreSQL unreachable), null once a batch
     * succeeded.
     */
    public String failing()
    {
        return failing;
    }

    /**
     * @return how far behind the journal's newest entry the last ingested decision is, in milliseconds (0 when
     * nothing waits).
     */
    public long lagMs()
    {
        return lagMs.get();
    }

    public long lagEntries()
    {
        return lagEntries.get();
    }

    /**
     * @return decisions this ingester inserted since it started.
     */
    public long ingestedCount()
    {
        return ingestedCount.get();
    }

    /**
     * @return the journal index of the last excerpt committed (all its records stored).
     */
    public long storedIndex()
    {
        return storedIndex;
    }

    private static <T> T await(final Future<T> future) throws Exception
    {
        return future.toCompletionStage().toCompletableFuture().get(DB_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * Stops the thread (waiting for the batch in hand) and closes the reader.
     */
    @Override
    public void close()
    {
        running = false;
        final Thread t = thread;
        if (t != null)
        {
            LockSupport.unpark(t);
            try
            {
                t.join(10_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        if (reader != null && (t == null || !t.isAlive()))
        {
            reader.close();
        }
    }
}
