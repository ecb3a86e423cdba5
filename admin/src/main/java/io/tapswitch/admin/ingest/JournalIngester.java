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
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tails the switch's journal ({@code <switch-data-dir>/journal}) with the switch's own {@link JournalReader} and
 * writes every TAP and REVERSAL decision into {@code taps}, exactly once: each batch's rows go in by one
 * {@code COPY ... FROM STDIN} (PgJDBC's {@code CopyManager}), and they and the journal index of the last excerpt read
 * are written in one transaction, so a restart resumes after the last committed excerpt. Rows are keyed by receipt: a
 * batch some of whose receipts are already stored (the journal read again after a lost position) is rolled back and
 * written again through a temporary table with {@code INSERT ... ON CONFLICT (receipt) DO NOTHING}, so an overlap
 * cannot duplicate. The rollups of the aid and meals reports are updated in the same transaction by the taps'
 * statement trigger ({@code V75__tap_rollups.sql}). An excerpt holds one or more records (group commit,
 * {@code switch/JOURNAL.md}); a poll never stops inside one, so the committed index always covers every record of its
 * excerpt and resuming after it skips none. After each commit the ingested index is published to the switch
 * ({@link IngestedPosition}) so journal retention never deletes what was not ingested.
 * <p>
 * A failed batch (PostgreSQL down, a connection cut mid-COPY) is rolled back whole: the connection is dropped, the
 * reader goes back to the stored position, and the batch is read and written again once PostgreSQL answers.
 * <p>
 * Threading: one thread of its own ({@code journal-ingester}) owns the reader and its JDBC connection;
 * {@link #close()} from the owner.
 */
public final class JournalIngester implements AutoCloseable
{
    /** The {@code ingest_position.source} row of the switch journal. */
    public static final String SOURCE = "switch-journal";
    private static final Logger LOG = LoggerFactory.getLogger(JournalIngester.class);
    /** Longest wait for PostgreSQL inside a batch (the JDBC connection's network timeout). */
    private static final int DB_TIMEOUT_MS = 30_000;
    private static final String UNIQUE_VIOLATION = "23505";
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
    private final CopyText copy = new CopyText();
    private final BatchRows rows = new BatchRows();
    private Connection conn;
    private JournalReader reader;
    private volatile long storedIndex = JournalReader.NO_INDEX;
    private long entries;
    private long lastTimeMs;
    private long batchLastTimeMs;
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
     * Opens the reader at the stored position, on the calling thread (which must then be the only one to call
     * {@link #ingestBatch()}).
     */
    public void open() throws Exception
    {
        final Connection c = connection();
        try (PreparedStatement select = c.prepareStatement(
            "SELECT queue_index, entries FROM ingest_position WHERE source = ?"))
        {
            select.setString(1, SOURCE);
            try (ResultSet rs = select.executeQuery())
            {
                if (rs.next())
                {
                    storedIndex = rs.getLong(1);
                    entries = rs.getLong(2);
                }
            }
        }
        c.commit();
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
                dropConnection();
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
                dropConnection();
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
        dropConnection();
    }

    private void reposition()
    {
        if (!reader.moveAfter(storedIndex))
        {
            reader.toStart();
        }
    }

    private Connection connection() throws SQLException
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

    private void dropConnection()
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

    /**
     * Reads about a batch of records (whole excerpts: more than the batch if the last excerpt needs it) and commits
     * their decisions with the new position, in one transaction.
     *
     * @return the records read (0 at the end of the journal).
     */
    public int ingestBatch() throws Exception
    {
        rows.clear();
        copy.clear();
        batchLastTimeMs = lastTimeMs;
        final int read = reader.poll(this::onRecord, batch);
        if (read == 0)
        {
            updateLag();
            return 0;
        }
        final long newIndex = reader.lastReadIndex();
        final long newEntries = entries + read;
        final Connection c = connection();
        int inserted;
        try
        {
            inserted = rows.size == 0 ? 0 : (int)copyIn(c, "COPY taps " + COLUMNS + " FROM STDIN");
            writePosition(c, newIndex, newEntries);
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
            writePosition(c, newIndex, newEntries);
            c.commit();
        }
        entries = newEntries;
        lastTimeMs = batchLastTimeMs;
        ingested.increment(inserted);
        ingestedCount.addAndGet(inserted);
        countHandedOut();
        IngestedPosition.write(switchDataDir, newIndex);
        // last: whoever sees the new index also sees the counters and the published position
        storedIndex = newIndex;
        updateLag();
        return read;
    }

    private void onRecord(final long index, final JournalDecoder record)
    {
        batchLastTimeMs = record.timeMs();
        if (record.type() == JournalRecord.TYPE_TAP || record.type() == JournalRecord.TYPE_REVERSAL)
        {
            final boolean tap = record.type() == JournalRecord.TYPE_TAP;
            final int quantity = tap ? record.quantity() : record.restored();
            final String decision = Decision.name(record.decision());
            rows.add(record.receipt(), record.programId(), record.outletId(), quantity,
                tap && !"DECLINED".equals(decision));
            copy.row(index, record, tap, quantity, decision, ReasonCode.name(record.reason()));
        }
    }

    private long copyIn(final Connection c, final String sql) throws SQLException
    {
        final CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
        try
        {
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
        copyIn(c, "COPY taps_incoming " + COLUMNS + " FROM STDIN");
        final Set<Long> inserted = new HashSet<>();
        try (Statement statement = c.createStatement();
            ResultSet rs = statement.executeQuery("INSERT INTO taps SELECT * FROM taps_incoming " +
                "ON CONFLICT (receipt) DO NOTHING RETURNING receipt"))
        {
            while (rs.next())
            {
                inserted.add(rs.getLong(1));
            }
        }
        rows.markInserted(inserted);
        return inserted.size();
    }

    private void writePosition(final Connection c, final long newIndex, final long newEntries) throws SQLException
    {
        try (PreparedStatement position = c.prepareStatement(POSITION))
        {
            position.setString(1, SOURCE);
            position.setLong(2, newIndex);
            position.setLong(3, newEntries);
            position.setLong(4, rows.size == 0 ? 0 : rows.receipt[rows.size - 1]);
            position.setObject(5, Instant.ofEpochMilli(batchLastTimeMs).atOffset(ZoneOffset.UTC));
            position.setObject(6, OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC));
            position.executeUpdate();
        }
    }

    /**
     * Counts what newly ingested APPROVED and RECORDED taps handed out, by program and outlet (bounded labels: at
     * most 64 programs, the city's outlets). Replayed receipts were not inserted and are not counted again.
     */
    private void countHandedOut()
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
            dropConnection();
        }
    }
}
