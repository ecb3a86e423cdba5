package io.tapswitch.admin.ingest;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tails the switch's journal ({@code <switch-data-dir>/journal}) with the switch's own {@link JournalReader} and
 * writes every TAP and REVERSAL decision into {@code taps}, exactly once, with one or more COPY streams.
 * <p>
 * <b>Batches and streams.</b> The reader thread polls about {@code batch × streams} records (whole excerpts: a poll
 * never stops inside one) and splits their rows over {@code streams} streams by holder ({@code holder_id mod streams}:
 * no two streams ever write the same holder's rollup row). Each stream has its own JDBC connection and writes its rows
 * by one {@code COPY ... FROM STDIN (FORMAT binary)} (PgJDBC's {@code CopyManager}; {@link CopyBinary}) and <em>its own</em> position row in
 * {@code ingest_position} (source {@code switch-journal} for stream 0, {@code switch-journal#k} for stream k), in one
 * transaction; the streams of a batch run at once (stream 0 on the reader thread), and the next batch starts when all
 * of them committed. The rollups of the aid and meals reports are updated in each stream's transaction by the taps'
 * statement trigger ({@code V75__tap_rollups.sql}; {@code V81} makes it lock shared rollup rows in key order, so two
 * streams wait for each other instead of deadlocking; a batch PostgreSQL aborts as a deadlock anyway is written again).
 * <p>
 * <b>Exactly once, with a crash between streams.</b> Two rules make it so:
 * <ol>
 * <li>Rows are keyed by receipt ({@code taps} primary key). A stream whose COPY meets a receipt already stored rolls
 * back and writes its rows again through a temporary table with {@code INSERT ... ON CONFLICT (receipt) DO NOTHING}:
 * only the new rows go in, and only they reach the rollup trigger (its transition table holds the rows inserted). So
 * reading part of the journal twice cannot apply a tap twice.</li>
 * <li>A stream's position row says: every row of this stream with a journal index at or below it is stored. The
 * ingester resumes after the <em>lowest</em> position of all streams, which no stream has passed without its rows: a
 * crash after stream 0 committed a batch and before stream 1 did leaves stream 0's position ahead; the batch is read
 * again, stream 1's rows go in, stream 0's are found stored (rule 1) and skipped. At start the position rows are set
 * to that lowest position and to exactly the configured number of streams, in one transaction, before the first batch
 * (rows of streams no longer configured are removed; a stream that never wrote one gets one): a partition of the
 * holders by another number of streams then starts from a position every old stream had reached. With one stream and
 * no position row yet nothing is written at start (the first batch writes it).</li>
 * </ol>
 * A lost position (the row deleted or set back) only costs reading again: receipts already stored are skipped.
 * <p>
 * A failed stream (PostgreSQL down, a connection cut mid-COPY) is rolled back whole: its connection is dropped, the
 * reader goes back to the lowest committed position, and the batch is read and written again once PostgreSQL answers
 * (the streams that had committed it find their receipts stored). An excerpt holds one or more records (group commit,
 * {@code switch/JOURNAL.md}); positions are excerpt indexes and always cover every record of their excerpt. After each
 * batch the lowest position is published to the switch ({@link IngestedPosition}) so journal retention never deletes
 * what was not ingested.
 * <p>
 * Threading: one thread of its own ({@code journal-ingester}) owns the reader and stream 0's connection; streams 1..k
 * run on {@code journal-ingester-k} threads, each the only user of its connection, handed a batch and awaited by the
 * reader thread. {@link #close()} from the owner.
 */
public final class JournalIngester implements AutoCloseable
{
    /** The {@code ingest_position.source} row of the switch journal. */
    public static final String SOURCE = "switch-journal";
    private static final Logger LOG = LoggerFactory.getLogger(JournalIngester.class);
    /** Longest wait for PostgreSQL inside a batch (the JDBC connection's network timeout). */
    private static final int DB_TIMEOUT_MS = 30_000;
    private static final String UNIQUE_VIOLATION = "23505";
    /** Deadlock detected and serialization failure: PostgreSQL aborted the transaction, writing it again may succeed. */
    private static final Set<String> RETRY_AT_ONCE = Set.of("40P01", "40001");
    private static final int RETRIES_AT_ONCE = 5;
    private static final String COLUMNS = "(receipt, type, decided_at, terminal_id, outlet_id, correlation, card_id, " +
        "holder_id, program_id, quantity, offline, terminal_time, decision, reason, remaining, journal_index)";
    private static final String POSITION = "INSERT INTO ingest_position (source, queue_index, entries, last_receipt, " +
        "last_time, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (source) DO UPDATE SET queue_index = EXCLUDED.queue_index, " +
        "entries = EXCLUDED.entries, last_receipt = GREATEST(ingest_position.last_receipt, EXCLUDED.last_receipt), " +
        "last_time = EXCLUDED.last_time, updated_at = EXCLUDED.updated_at";

    /**
     * Opens a JDBC connection to the admin's database (blocking).
     */
    @FunctionalInterface
    public interface JdbcSource
    {
        Connection open() throws SQLException;
    }

    private final JdbcSource jdbc;
    private final Path switchDataDir;
    private final Clock clock;
    private final int batch;
    private final long pollIntervalNs;
    private final AtomicLong lagEntries = new AtomicLong();
    private final AtomicLong lagMs = new AtomicLong();
    private final AtomicLong ingestedCount = new AtomicLong();
    private final Counter ingested;
    private final MeterRegistry registry;
    private final java.util.Map<Long, Counter> handedOut = new java.util.HashMap<>();
    private final Stream[] streams;
    private final ExecutorService streamThreads;
    private JournalReader reader;
    private volatile long storedIndex = JournalReader.NO_INDEX;
    private long entries;
    private long lastTimeMs;
    private long batchLastTimeMs;
    /** The UTC day (of journal time) of the last prune of closed days' rollup rows; the reader thread only. */
    private long prunedDay = Long.MIN_VALUE;
    private volatile boolean running;
    private volatile String failing;
    private volatile Thread thread;

    /**
     * @param jdbc           opens connections to the database (one is kept, and opened again after a failure).
     * @param switchDataDir  the switch data directory.
     * @param clock          the clock (for the lag in seconds).
     * @param batch          most records per transaction (a poll finishes the excerpt it started).
     * @param pollIntervalMs how long to wait at the end of the journal before looking again.
     * @param registry       where the ingest metrics go.
     */
    public JournalIngester(final JdbcSource jdbc, final Path switchDataDir, final Clock clock, final int batch,
        final long pollIntervalMs, final MeterRegistry registry)
    {
        this(jdbc, switchDataDir, clock, batch, 1, pollIntervalMs, registry);
    }

    /**
     * @param jdbc           opens connections to the database (one per stream is kept, and opened again after a failure).
     * @param switchDataDir  the switch data directory.
     * @param clock          the clock (for the lag in seconds).
     * @param batch          records per stream per transaction (a poll finishes the excerpt it started).
     * @param streams        COPY streams written at once, each on its own connection (1..64).
     * @param pollIntervalMs how long to wait at the end of the journal before looking again.
     * @param registry       where the ingest metrics go.
     */
    public JournalIngester(final JdbcSource jdbc, final Path switchDataDir, final Clock clock, final int batch,
        final int streams, final long pollIntervalMs, final MeterRegistry registry)
    {
        if (streams < 1 || streams > 64)
        {
            throw new IllegalArgumentException("streams must be 1..64: " + streams);
        }
        this.streams = new Stream[streams];
        for (int i = 0; i < streams; i++)
        {
            this.streams[i] = new Stream(i);
        }
        final AtomicInteger threadNumber = new AtomicInteger();
        this.streamThreads = streams == 1 ? null : Executors.newFixedThreadPool(streams - 1, r ->
        {
            final Thread t = new Thread(r, "journal-ingester-" + threadNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.jdbc = jdbc;
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
     * Loads the stored position (the lowest of the streams'), sets every stream's position row to it when they differ
     * or do not match the configured streams, and opens the reader after it, on the calling thread (which must then be
     * the only one to call {@link #ingestBatch()}).
     */
    public void open() throws Exception
    {
        final Connection c = streams[0].connection();
        final java.util.Map<String, long[]> stored = new java.util.TreeMap<>();
        try (PreparedStatement select = c.prepareStatement(
            "SELECT source, queue_index, entries FROM ingest_position WHERE source = ? OR source LIKE ?"))
        {
            select.setString(1, SOURCE);
            select.setString(2, SOURCE + "#%");
            try (ResultSet rs = select.executeQuery())
            {
                while (rs.next())
                {
                    stored.put(rs.getString(1), new long[] {rs.getLong(2), rs.getLong(3)});
                }
            }
        }
        long lowest = JournalReader.NO_INDEX;
        long lowestEntries = 0;
        boolean first = true;
        for (final long[] position : stored.values())
        {
            if (first || position[0] < lowest)
            {
                lowest = position[0];
                lowestEntries = position[1];
                first = false;
            }
        }
        final Set<String> expected = new HashSet<>();
        for (final Stream stream : streams)
        {
            expected.add(stream.source);
        }
        boolean aligned = stored.keySet().equals(expected) || streams.length == 1 && stored.isEmpty();
        for (final long[] position : stored.values())
        {
            aligned &= position[0] == lowest;
        }
        if (!aligned)
        {
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM ingest_position WHERE source LIKE ?"))
            {
                delete.setString(1, SOURCE + "#%");
                delete.executeUpdate();
            }
            for (final Stream stream : streams)
            {
                writePosition(c, stream.source, lowest, lowestEntries, 0, lastTimeMs);
            }
            LOG.info("journal ingester: {} stream position(s) {} set to the lowest, {}, for {} stream(s)", stored.size(),
                stored.keySet(), lowest, streams.length);
        }
        c.commit();
        storedIndex = lowest;
        entries = lowestEntries;
        for (final Stream stream : streams)
        {
            stream.committedIndex = lowest;
        }
        reader = new JournalReader(switchDataDir);
        if (!reader.moveAfter(lowest))
        {
            LOG.warn("journal index {} no longer in the journal; ingesting from its start (receipts already stored are skipped)",
                lowest);
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
                streams[0].dropConnection();
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
                    LOG.warn("journal ingest failed, retrying from the lowest stored position: {}", ex.toString());
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
        for (final Stream stream : streams)
        {
            stream.dropConnection();
        }
    }

    /** Back to the lowest position any stream committed (a failed batch is read again whole). */
    private void reposition()
    {
        long lowest = Long.MAX_VALUE;
        for (final Stream stream : streams)
        {
            lowest = Math.min(lowest, stream.committedIndex);
        }
        storedIndex = lowest;
        if (!reader.moveAfter(lowest))
        {
            reader.toStart();
        }
    }

    /**
     * Reads about {@code batch × streams} records (whole excerpts), and commits each stream's decisions with its new
     * position, in one transaction per stream, the streams at once.
     *
     * @return the records read (0 at the end of the journal).
     */
    public int ingestBatch() throws Exception
    {
        for (final Stream stream : streams)
        {
            stream.clear();
        }
        batchLastTimeMs = lastTimeMs;
        final int read = reader.poll(this::onRecord, batch * streams.length);
        if (read == 0)
        {
            updateLag();
            return 0;
        }
        final long newIndex = reader.lastReadIndex();
        final long newEntries = entries + read;
        final java.util.List<Future<?>> others = new java.util.ArrayList<>(streams.length - 1);
        for (int i = 1; i < streams.length; i++)
        {
            final Stream stream = streams[i];
            others.add(streamThreads.submit(() ->
            {
                stream.write(newIndex, newEntries);
                return null;
            }));
        }
        Exception failed = null;
        try
        {
            streams[0].write(newIndex, newEntries);
        }
        catch (final Exception ex)
        {
            failed = ex;
        }
        for (final Future<?> other : others)
        {
            try
            {
                other.get();
            }
            catch (final ExecutionException ex)
            {
                if (failed == null)
                {
                    failed = ex.getCause() instanceof Exception e ? e : ex;
                }
            }
        }
        if (failed != null)
        {
            throw failed;
        }
        entries = newEntries;
        lastTimeMs = batchLastTimeMs;
        pruneClosedDays();
        IngestedPosition.write(switchDataDir, newIndex);
        // last: whoever sees the new index also sees the counters and the published position
        storedIndex = newIndex;
        updateLag();
        return read;
    }

    /**
     * Once per UTC day of journal time (and at the first batch after start), removes the per-holder and per-household
     * rollup rows of the city days no decision can reach any more ({@code V82__tap_rollups_prune.sql}: more than 31
     * days before the newest decision stored). Its own transaction on stream 0's connection, between batches; a
     * failure is logged and tried again with the next batch (the rows only wait longer).
     */
    private void pruneClosedDays()
    {
        final long day = Math.floorDiv(lastTimeMs, 86_400_000L);
        if (lastTimeMs == 0 || day == prunedDay)
        {
            return;
        }
        try
        {
            final Connection c = streams[0].connection();
            try (PreparedStatement prune = c.prepareStatement("SELECT tap_rollups_prune(?)"))
            {
                prune.setObject(1, Instant.ofEpochMilli(lastTimeMs).atOffset(ZoneOffset.UTC));
                try (ResultSet rs = prune.executeQuery())
                {
                    rs.next();
                    final long removed = rs.getLong(1);
                    c.commit();
                    if (removed > 0)
                    {
                        LOG.info("journal ingester: {} holder and household rollup rows of closed days removed", removed);
                    }
                }
            }
            prunedDay = day;
        }
        catch (final SQLException ex)
        {
            LOG.warn("journal ingester: pruning closed days' rollup rows failed, trying again later: {}", ex.toString());
            streams[0].dropConnection();
        }
    }

    private void onRecord(final long index, final JournalDecoder record)
    {
        batchLastTimeMs = record.timeMs();
        if (record.type() == JournalRecord.TYPE_TAP || record.type() == JournalRecord.TYPE_REVERSAL)
        {
            final boolean tap = record.type() == JournalRecord.TYPE_TAP;
            final int quantity = tap ? record.quantity() : record.restored();
            final String decision = Decision.name(record.decision());
            final Stream stream = streams[(int)Math.floorMod(record.holderId(), (long)streams.length)];
            stream.rows.add(record.receipt(), record.programId(), record.outletId(), quantity,
                tap && !"DECLINED".equals(decision));
            stream.copy.row(index, record, tap, quantity, decision, ReasonCode.name(record.reason()));
        }
    }

    private void writePosition(final Connection c, final String source, final long newIndex, final long newEntries,
        final long lastReceipt, final long lastTime) throws SQLException
    {
        try (PreparedStatement position = c.prepareStatement(POSITION))
        {
            position.setString(1, source);
            position.setLong(2, newIndex);
            position.setLong(3, newEntries);
            position.setLong(4, lastReceipt);
            position.setObject(5, lastTime == 0 ? null : Instant.ofEpochMilli(lastTime).atOffset(ZoneOffset.UTC));
            position.setObject(6, OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC));
            position.executeUpdate();
        }
    }

    /**
     * Counts what newly ingested APPROVED and RECORDED taps handed out, by program and outlet (bounded labels: at
     * most 64 programs, the city's outlets). Replayed receipts were not inserted and are not counted again. Called by
     * each stream after its commit (synchronized: the counters' map is shared).
     */
    private synchronized void countHandedOut(final BatchRows rows)
    {
        for (int i = 0; i < rows.size; i++)
        {
            if (!rows.inserted[i] || !rows.handedOut[i])
            {
                continue;
            }
            final int programId = rows.program[i];
            final int outletId = rows.outlet[i];
            final long key = ((long)programId << 32) | (outletId & 0xFFFF_FFFFL);
            handedOut.computeIfAbsent(key, k -> Counter.builder("tapswitch_admin_handed_out")
                    .description("quantity handed out by approved or recorded taps, by program and outlet")
                    .tags("program", Integer.toString(programId), "outlet", Integer.toString(outletId))
                    .register(registry))
                .increment(rows.quantity[i]);
        }
    }

    /**
     * One COPY stream: its connection, the rows of the batch in hand that fall to it, and the position it committed
     * last. Used by one thread at a time (the reader thread hands it a batch and waits for it).
     */
    private final class Stream
    {
        final String source;
        final CopyBinary copy = new CopyBinary();
        final BatchRows rows = new BatchRows();
        Connection conn;
        /** The position this stream committed last (all its rows at or below it are stored). */
        volatile long committedIndex = JournalReader.NO_INDEX;
        /** Rows of the batch in hand actually inserted (receipts already stored are not). */
        int inserted;

        Stream(final int number)
        {
            this.source = number == 0 ? SOURCE : SOURCE + "#" + number;
        }

        void clear()
        {
            rows.clear();
            copy.clear();
            inserted = 0;
        }

        Connection connection() throws SQLException
        {
            if (conn == null)
            {
                final Connection c = jdbc.open();
                try
                {
                    c.setAutoCommit(false);
                    c.setNetworkTimeout(Runnable::run, DB_TIMEOUT_MS);
                }
                catch (final SQLException ex)
                {
                    c.close();
                    throw ex;
                }
                conn = c;
            }
            return conn;
        }

        void dropConnection()
        {
            final Connection c = conn;
            conn = null;
            if (c != null)
            {
                try
                {
                    c.rollback();
                }
                catch (final SQLException ex)
                {
                    // the connection is broken already
                }
                try
                {
                    c.close();
                }
                catch (final SQLException ex)
                {
                    // nothing more to release
                }
            }
        }

        /** Writes this stream's rows and its new position in one transaction; on failure drops the connection. */
        void write(final long newIndex, final long newEntries) throws SQLException
        {
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    writeOnce(newIndex, newEntries);
                    committedIndex = newIndex;
                    // counted at once: a batch whose other stream fails is read again, and these rows then found stored
                    ingested.increment(inserted);
                    ingestedCount.addAndGet(inserted);
                    countHandedOut(rows);
                    return;
                }
                catch (final SQLException ex)
                {
                    if (attempt < RETRIES_AT_ONCE && RETRY_AT_ONCE.contains(ex.getSQLState()))
                    {
                        LOG.info("journal ingest stream {}: {} ({}), writing the batch again", source, ex.getMessage(),
                            ex.getSQLState());
                        rollbackQuietly();
                        continue;
                    }
                    dropConnection();
                    throw ex;
                }
                catch (final RuntimeException ex)
                {
                    dropConnection();
                    throw ex;
                }
            }
        }

        private void writeOnce(final long newIndex, final long newEntries) throws SQLException
        {
            final Connection c = connection();
            final long lastReceipt = rows.size == 0 ? 0 : rows.receipt[rows.size - 1];
            try
            {
                inserted = rows.size == 0 ? 0 : (int)copyIn(c, "COPY taps " + COLUMNS + " FROM STDIN (FORMAT binary)");
                writePosition(c, source, newIndex, newEntries, lastReceipt, batchLastTimeMs);
                c.commit();
                rows.markAllInserted();
            }
            catch (final SQLException ex)
            {
                if (!UNIQUE_VIOLATION.equals(ex.getSQLState()))
                {
                    throw ex;
                }
                // receipts already stored (the journal read again from an earlier point): only the new ones go in
                c.rollback();
                inserted = insertNewOnly(c);
                writePosition(c, source, newIndex, newEntries, lastReceipt, batchLastTimeMs);
                c.commit();
            }
        }

        private void rollbackQuietly()
        {
            try
            {
                if (conn != null)
                {
                    conn.rollback();
                }
            }
            catch (final SQLException ex)
            {
                dropConnection();
            }
        }

        private long copyIn(final Connection c, final String sql) throws SQLException
        {
            final CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
            try
            {
                copy.finish();
                in.writeToCopy(copy.bytes(), 0, copy.length());
                return in.endCopy();
            }
            finally
            {
                if (in.isActive())
                {
                    in.cancelCopy();
                }
            }
        }

        private int insertNewOnly(final Connection c) throws SQLException
        {
            try (Statement statement = c.createStatement())
            {
                statement.execute("CREATE TEMP TABLE IF NOT EXISTS taps_incoming (LIKE taps) ON COMMIT DELETE ROWS");
            }
            copyIn(c, "COPY taps_incoming " + COLUMNS + " FROM STDIN (FORMAT binary)");
            final Set<Long> insertedReceipts = new HashSet<>();
            try (Statement statement = c.createStatement();
                ResultSet rs = statement.executeQuery("INSERT INTO taps SELECT * FROM taps_incoming " +
                    "ON CONFLICT (receipt) DO NOTHING RETURNING receipt"))
            {
                while (rs.next())
                {
                    insertedReceipts.add(rs.getLong(1));
                }
            }
            rows.markInserted(insertedReceipts);
            return insertedReceipts.size();
        }
    }

    private void updateLag()
    {
        final long lag = reader.lagEntries();
        lagEntries.set(lag);
        lagMs.set(lag == 0 || lastTimeMs == 0 ? 0 : Math.max(0, clock.millis() - lastTimeMs));
    }

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

    /**
     * @return journal excerpts not yet ingested, as of the last poll (excerpts, not records: a batch excerpt holds
     * many records).
     */
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
        if (t == null || !t.isAlive())
        {
            if (reader != null)
            {
                reader.close();
                reader = null;
            }
            for (final Stream stream : streams)
            {
                stream.dropConnection();
            }
        }
        if (streamThreads != null)
        {
            streamThreads.shutdownNow();
        }
    }
}
