package io.tapswitch.admin.ingest;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
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
 * Why this file is long: exactly-once ingest is one argument across the reader thread, the COPY streams, their
 * positions, retries and (since V83) the rollup bookkeeping of the batch in hand, which share the batch's state; it is
 * kept in one class so the argument reads in one place (the records, the memory and the COPY format are their own
 * classes: {@link Staged}, {@link RollupMemory}, {@link CopyBinary}).
 * <p>
 * Tails the switch's journal ({@code <switch-data-dir>/journal}) with the switch's own {@link JournalReader} and
 * writes every TAP and REVERSAL decision into {@code taps}, exactly once, with one or more COPY streams.
 * <p>
 * <b>Batches and streams.</b> The reader thread polls about {@code batch × streams} records (whole excerpts: a poll
 * never stops inside one) and splits their rows over {@code streams} streams (see Rollups). Each stream has its own
 * JDBC connection and writes its rows by one {@code COPY ... FROM STDIN (FORMAT binary)} (PgJDBC's
 * {@code CopyManager}; {@link CopyBinary}), their rollup changes, and <em>its own</em> position row in
 * {@code ingest_position} (source {@code switch-journal} for stream 0, {@code switch-journal#k} for stream k), in one
 * transaction; the streams of a batch run at once (stream 0 on the reader thread), and the next batch starts when all
 * of them committed. Each rollup upsert takes its rows in key order, so two streams wait for each other instead of
 * deadlocking (a batch PostgreSQL aborts as a deadlock anyway is written again).
 * <p>
 * <b>Rollups (V83).</b> The streams' sessions set {@code tapswitch.rollups = 'ingester'}, and the taps' rollup trigger
 * leaves their taps alone: the ingester writes what a stream's inserted taps change in {@code tap_day_rollup} itself,
 * one upsert per (day, program, outlet) row, in the stream's transaction, after the COPY and before the position. The
 * persons and households columns come from {@link RollupMemory}, its per-holder and per-household bookkeeping of the
 * open days, built from the committed taps before the first batch and again after any failed batch, and changed only
 * once every stream of a batch committed. The taps the rollups count go to the stream of their household (the row's:
 * from the memory, or the registry's for a holder's first tap of the row, one lookup per batch), the others by holder:
 * no holder's or household's bookkeeping is ever shared by two streams, so a stream that fails leaves no committed
 * count of another stream depending on it. With the trigger disabled (a bulk load) no rollups are kept.
 * <p>
 * <b>People reached (V89).</b> The people-reached trigger ({@code taps_reach}, V87) leaves the streams' taps alone as
 * well: each stream adds its inserted taps' net quantity per (city month, program, outlet, holder) to
 * {@code tap_month_holder}, one upsert of the batch's rows in key order, after the day rollups and before the position.
 * These are deltas in the batch's transaction, needing no memory: a batch rolled back adds nothing, and a batch read
 * again adds only the receipts it inserted. With {@code taps_reach} disabled they are not kept.
 * <p>
 * The per-batch sums use {@link PairIndex} and primitive arrays (no boxed keys or map entries per tap).
 * <p>
 * <b>Exactly once, with a crash between streams.</b> Two rules make it so:
 * <ol>
 * <li>Rows are keyed by receipt ({@code taps} primary key). A stream whose COPY meets a receipt already stored rolls
 * back and writes its rows again through a temporary table with {@code INSERT ... ON CONFLICT (receipt) DO NOTHING}:
 * only the new rows go in (RETURNING their receipts), and only their rollup changes are written. So
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
    /** Days before the newest decision whose rollup bookkeeping is kept: an offline advice is at most 30 × 24 h old. */
    private static final long OPEN_DAYS_MS = 31 * 86_400_000L;
    private static final String ROLLUP_UPSERT = "INSERT INTO tap_day_rollup AS r (day, program_id, outlet_id, taps, " +
        "reversals, quantity, persons, households) SELECT date '1970-01-01' + u.d, u.p, u.o, u.t, u.rv, u.q, u.pe, u.hh " +
        "FROM unnest(?::int[], ?::int[], ?::int[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[]) " +
        "AS u(d, p, o, t, rv, q, pe, hh) ORDER BY 1, 2, 3 ON CONFLICT (day, program_id, outlet_id) DO UPDATE SET " +
        "taps = r.taps + EXCLUDED.taps, reversals = r.reversals + EXCLUDED.reversals, quantity = r.quantity + " +
        "EXCLUDED.quantity, persons = r.persons + EXCLUDED.persons, households = r.households + EXCLUDED.households";

    private static final String REACH_UPSERT = "INSERT INTO tap_month_holder AS x (month, program_id, outlet_id, " +
        "holder_id, quantity) SELECT date '1970-01-01' + u.m, u.p, u.o, u.h, u.q FROM unnest(?::int[], ?::int[], " +
        "?::int[], ?::bigint[], ?::bigint[]) AS u(m, p, o, h, q) ORDER BY 1, 2, 3, 4 ON CONFLICT (month, program_id, " +
        "outlet_id, holder_id) DO UPDATE SET quantity = x.quantity + EXCLUDED.quantity";
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
    /** The records of the batch in hand (reader thread fills, stream threads read during the batch). */
    private final Staged staged = new Staged();
    /** Per-holder and per-household rollup bookkeeping of the open days (reader thread writes between batches). */
    private final RollupMemory memory = new RollupMemory();
    /** False until built from the committed taps, and again after a failed batch (reader thread). */
    private boolean memoryBuilt;
    /** Whether the rollups are kept (the taps' rollup trigger enabled: off during a bulk load); set with the memory. */
    private volatile boolean keepRollups;
    /** Whether {@code tap_month_holder} is kept (its trigger {@code taps_reach} enabled, V87/V89); set with the memory. */
    private volatile boolean keepReach;
    /** The batch's holders not in the memory (reader thread, in {@link #route()}), and their households looked up. */
    private final PairIndex unknownHolders = new PairIndex();
    private long[] lookedUpHousehold = new long[1024];
    /** The batch's (holder, day row) rows new to the memory, and the household each counts in. */
    private final PairIndex newRows = new PairIndex();
    private long[] newRowHousehold = new long[1024];
    private int cachedMonthDay = Integer.MIN_VALUE;
    private int cachedMonth;
    private ZoneId cityZone = ZoneId.of("Europe/Kyiv");
    private long cachedDayStartMs = Long.MAX_VALUE;
    private long cachedDayEndMs = Long.MIN_VALUE;
    private int cachedDay;
    private volatile long openHolderRows;
    private volatile long openHouseholdRows;
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
        if (!memoryBuilt)
        {
            buildMemory();
        }
        for (final Stream stream : streams)
        {
            stream.clear();
        }
        staged.clear();
        batchLastTimeMs = lastTimeMs;
        final int read = reader.poll(this::onRecord, batch * streams.length);
        if (read == 0)
        {
            updateLag();
            return 0;
        }
        route();
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
            // the streams that committed changed the rollups in PostgreSQL but not the memory: built again from the taps
            memoryBuilt = false;
            throw failed;
        }
        for (final Stream stream : streams)
        {
            stream.applyToMemory();
        }
        openHolderRows = memory.holders.size();
        openHouseholdRows = memory.households.size();
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
        if (memoryBuilt)
        {
            final long removed = memory.prune(cityDay(lastTimeMs - OPEN_DAYS_MS));
            openHolderRows = memory.holders.size();
            openHouseholdRows = memory.households.size();
            if (removed > 0)
            {
                LOG.info("journal ingester: {} holder and household rows of closed days removed from the rollup " +
                    "bookkeeping ({} holder rows open)", removed, memory.holders.size());
            }
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
            staged.add(index, record);
        }
    }

    /**
     * Gives each staged record its rollup key and, for the taps the rollups count, the household the holder counts in
     * (the row's, from the memory; for a row new to the memory, the holder's household now, one query per batch), then
     * hands every record to its stream: taps the rollups count by household (so no two streams ever change one
     * holder's or one household's bookkeeping: a stream that fails leaves no other stream's counts depending on it),
     * the others by holder.
     */
    private void route() throws SQLException
    {
        final boolean rollups = keepRollups;
        final boolean reach = keepReach;
        unknownHolders.reset();
        if (rollups || reach)
        {
            for (int i = 0; i < staged.size; i++)
            {
                final boolean tap = staged.tap[i];
                final int decision = staged.decision[i];
                final boolean counted = tap ? decision == Decision.APPROVED || decision == Decision.RECORDED
                    : decision == Decision.APPROVED;
                staged.counted[i] = counted;
                if (!counted)
                {
                    continue;
                }
                final long servedMs = staged.offline[i] && staged.terminalTimeMs[i] != 0 ? staged.terminalTimeMs[i]
                    : staged.timeMs[i];
                final int day = cityDay(servedMs);
                staged.key[i] = RollupMemory.packed(day, staged.program[i], staged.outlet[i]);
                staged.monthKey[i] = RollupMemory.packed(monthOf(day), staged.program[i], staged.outlet[i]);
                if (!rollups)
                {
                    continue;
                }
                final int slot = memory.holders.find(staged.holder[i], staged.key[i]);
                if (slot >= 0)
                {
                    staged.household[i] = memory.holders.value2(slot);
                }
                else
                {
                    staged.household[i] = Long.MIN_VALUE;
                    unknownHolders.add(staged.holder[i], 0);
                }
            }
            if (unknownHolders.size() > 0)
            {
                households();
            }
        }
        // a row new to the memory counts in the household of its first tap: later taps of the row in this batch too
        newRows.reset();
        for (int i = 0; i < staged.size; i++)
        {
            final Stream stream;
            if (rollups && staged.counted[i])
            {
                if (staged.household[i] == Long.MIN_VALUE)
                {
                    final long holder = staged.holder[i];
                    final int before = newRows.size();
                    final int id = newRows.add(holder, staged.key[i]);
                    if (id == before)
                    {
                        if (id == newRowHousehold.length)
                        {
                            newRowHousehold = java.util.Arrays.copyOf(newRowHousehold, Math.max(1024, id * 2));
                        }
                        final int known = unknownHolders.find(holder, 0);
                        newRowHousehold[id] = known >= 0 && lookedUpHousehold[known] != Long.MIN_VALUE
                            ? lookedUpHousehold[known] : -holder;
                    }
                    staged.household[i] = newRowHousehold[id];
                }
                stream = streams[(int)Math.floorMod(staged.household[i], (long)streams.length)];
            }
            else
            {
                if (!reach)
                {
                    staged.counted[i] = false;
                }
                stream = streams[(int)Math.floorMod(staged.holder[i], (long)streams.length)];
            }
            stream.add(i);
        }
    }

    /**
     * Looks up the registered households of {@link #unknownHolders} into {@link #lookedUpHousehold} (by their number;
     * {@link Long#MIN_VALUE} for a holder without one, or not registered): one query.
     */
    private void households() throws SQLException
    {
        final int n = unknownHolders.size();
        if (lookedUpHousehold.length < n)
        {
            lookedUpHousehold = new long[Math.max(n, lookedUpHousehold.length * 2)];
        }
        final long[] ids = new long[n];
        for (int id = 0; id < n; id++)
        {
            ids[id] = unknownHolders.first(id);
            lookedUpHousehold[id] = Long.MIN_VALUE;
        }
        final Connection c = streams[0].connection();
        try (PreparedStatement select = c.prepareStatement(
            "SELECT id, household_id FROM cardholders WHERE id = ANY(?) AND household_id IS NOT NULL"))
        {
            select.setArray(1, array(c, "int8", ids));
            try (ResultSet rs = select.executeQuery())
            {
                while (rs.next())
                {
                    final int id = unknownHolders.find(rs.getLong(1), 0);
                    if (id >= 0)
                    {
                        lookedUpHousehold[id] = rs.getLong(2);
                    }
                }
            }
            c.commit();
        }
        catch (final SQLException ex)
        {
            streams[0].dropConnection();
            throw ex;
        }
    }

    /** The first day of the city month of a city day (days since 1970-01-01). */
    private int monthOf(final int day)
    {
        if (day != cachedMonthDay)
        {
            cachedMonth = (int)LocalDate.ofEpochDay(day).withDayOfMonth(1).toEpochDay();
            cachedMonthDay = day;
        }
        return cachedMonth;
    }

    /** The city day (days since 1970-01-01) of an instant, in the rollups' city zone. */
    private int cityDay(final long epochMs)
    {
        if (epochMs < cachedDayStartMs || epochMs >= cachedDayEndMs)
        {
            final LocalDate day = LocalDate.ofInstant(Instant.ofEpochMilli(epochMs), cityZone);
            cachedDay = (int)day.toEpochDay();
            cachedDayStartMs = day.atStartOfDay(cityZone).toInstant().toEpochMilli();
            cachedDayEndMs = day.plusDays(1).atStartOfDay(cityZone).toInstant().toEpochMilli();
        }
        return cachedDay;
    }

    /**
     * Builds the rollup memory from the committed taps of the open days (the city days from 31 days before the newest
     * tap stored): each (day, program, outlet, holder) row's net quantity and the holder's household now, and each
     * household's holders reached. Reads the city zone and whether the rollups are kept (the taps' trigger enabled).
     */
    private void buildMemory() throws SQLException
    {
        final long started = System.nanoTime();
        memory.clear();
        final Connection c = streams[0].connection();
        try
        {
            try (Statement statement = c.createStatement();
                ResultSet rs = statement.executeQuery("SELECT (SELECT city_zone FROM tap_rollup_settings), " +
                    "(SELECT tgenabled <> 'D' FROM pg_trigger WHERE tgrelid = 'taps'::regclass AND tgname = 'taps_rollups'), " +
                    "(SELECT tgenabled <> 'D' FROM pg_trigger WHERE tgrelid = 'taps'::regclass AND tgname = 'taps_reach'), " +
                    "(SELECT decided_at FROM taps ORDER BY receipt DESC LIMIT 1)"))
            {
                rs.next();
                cityZone = ZoneId.of(rs.getString(1));
                cachedDayStartMs = Long.MAX_VALUE;
                cachedDayEndMs = Long.MIN_VALUE;
                keepRollups = rs.getBoolean(2);
                keepReach = rs.getBoolean(3);
                final java.sql.Timestamp newest = rs.getTimestamp(4);
                if (keepRollups && newest != null)
                {
                    final int firstOpenDay = cityDay(newest.getTime() - OPEN_DAYS_MS);
                    final long fromMs = LocalDate.ofEpochDay(firstOpenDay).atStartOfDay(cityZone).toInstant()
                        .toEpochMilli() - 86_400_000L;
                    loadOpenDays(c, firstOpenDay, fromMs);
                }
            }
            c.commit();
        }
        catch (final SQLException | RuntimeException ex)
        {
            streams[0].dropConnection();
            throw ex;
        }
        memoryBuilt = true;
        openHolderRows = memory.holders.size();
        openHouseholdRows = memory.households.size();
        LOG.info("journal ingester: rollup bookkeeping {} from the taps: {} holder rows, {} household rows of the open " +
                "days in {} ms", keepRollups ? "built" : "off (the taps' rollup trigger is disabled)",
            memory.holders.size(), memory.households.size(), (System.nanoTime() - started) / 1_000_000);
    }

    private void loadOpenDays(final Connection c, final int firstOpenDay, final long fromMs) throws SQLException
    {
        try (PreparedStatement select = c.prepareStatement(
            "SELECT t.day - date '1970-01-01', t.program_id, t.outlet_id, t.holder_id, " +
                "COALESCE(h.household_id, -t.holder_id), t.quantity " +
                "FROM (SELECT ((CASE WHEN offline AND terminal_time IS NOT NULL THEN terminal_time ELSE decided_at END) " +
                "AT TIME ZONE ?)::date AS day, program_id, outlet_id, holder_id, " +
                "sum(CASE WHEN type = 'TAP' THEN quantity ELSE -quantity END)::bigint AS quantity " +
                "FROM taps WHERE decided_at >= ? AND ((type = 'TAP' AND decision IN ('APPROVED', 'RECORDED')) OR " +
                "(type = 'REVERSAL' AND decision = 'APPROVED')) GROUP BY 1, 2, 3, 4) t " +
                "LEFT JOIN cardholders h ON h.id = t.holder_id WHERE t.day >= date '1970-01-01' + ?"))
        {
            select.setFetchSize(10_000);
            select.setString(1, cityZone.getId());
            select.setObject(2, Instant.ofEpochMilli(fromMs).atOffset(ZoneOffset.UTC));
            select.setInt(3, firstOpenDay);
            try (ResultSet rs = select.executeQuery())
            {
                while (rs.next())
                {
                    final long key = RollupMemory.packed(rs.getInt(1), rs.getInt(2), rs.getInt(3));
                    final long quantity = rs.getLong(6);
                    final long household = rs.getLong(5);
                    memory.holders.put(rs.getLong(4), key, quantity, household);
                    if (quantity > 0)
                    {
                        final int slot = memory.households.find(household, key);
                        memory.households.put(household, key, (slot < 0 ? 0 : memory.households.value1(slot)) + 1, 0);
                    }
                }
            }
        }
    }

    /** A PostgreSQL array of a primitive Java array (PgJDBC encodes {@code int[]} and {@code long[]} unboxed). */
    private static java.sql.Array array(final Connection c, final String type, final Object values) throws SQLException
    {
        return c.unwrap(org.postgresql.jdbc.PgConnection.class).createArrayOf(type, values);
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
    private void countHandedOut(final BatchRows rows, final PairIndex sums, final long[] quantities)
    {
        // summed per program and outlet first (no boxed key per row), then one counter increment per pair
        sums.reset();
        long[] q = quantities;
        for (int i = 0; i < rows.size; i++)
        {
            if (!rows.inserted[i] || !rows.handedOut[i])
            {
                continue;
            }
            final int before = sums.size();
            final int id = sums.add(rows.program[i], rows.outlet[i]);
            if (id == before)
            {
                q[id] = 0;
            }
            q[id] += rows.quantity[i];
        }
        if (sums.size() == 0)
        {
            return;
        }
        synchronized (handedOut)
        {
            for (int id = 0; id < sums.size(); id++)
            {
                final int programId = (int)sums.first(id);
                final int outletId = (int)sums.second(id);
                final long key = ((long)programId << 32) | (outletId & 0xFFFF_FFFFL);
                handedOut.computeIfAbsent(key, k -> Counter.builder("tapswitch_admin_handed_out")
                        .description("quantity handed out by approved or recorded taps, by program and outlet")
                        .tags("program", Integer.toString(programId), "outlet", Integer.toString(outletId))
                        .register(registry))
                    .increment(q[id]);
            }
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
        /** The staged records of the batch in hand that fall to this stream. */
        int[] members = new int[1024];
        int memberCount;
        /** The memory's new values after this stream's commit: holder rows (holder, key, quantity, household). */
        final LongList pendingHolders = new LongList(4);
        /** … and household rows (household, key, persons). */
        final LongList pendingHouseholds = new LongList(3);
        /** The batch's sums (writeRollups): per (holder, day row) quantity and household; per day row taps, reversals,
         * quantity, persons, households; per (household, day row) persons; per (holder, month row) quantity. */
        private final PairIndex holderRows = new PairIndex();
        private long[] holderQuantity = new long[1024];
        private long[] holderHousehold = new long[1024];
        private final PairIndex rollupRows = new PairIndex();
        private final long[][] rollupSums = {new long[64], new long[64], new long[64], new long[64], new long[64]};
        private final PairIndex householdRows = new PairIndex();
        private long[] householdPersons = new long[1024];
        private final PairIndex handedOutSums = new PairIndex();
        private long[] handedOutQuantity = new long[1024];
        private final PairIndex monthRows = new PairIndex();
        private long[] monthQuantity = new long[1024];

        Stream(final int number)
        {
            this.source = number == 0 ? SOURCE : SOURCE + "#" + number;
        }

        void clear()
        {
            rows.clear();
            copy.clear();
            inserted = 0;
            memberCount = 0;
            pendingHolders.clear();
            pendingHouseholds.clear();
        }

        void add(final int i)
        {
            if (memberCount == members.length)
            {
                members = java.util.Arrays.copyOf(members, memberCount * 2);
            }
            members[memberCount++] = i;
            final Staged r = staged;
            final boolean tap = r.tap[i];
            rows.add(r.receipt[i], r.program[i], r.outlet[i], r.quantity[i], tap && r.decision[i] != Decision.DECLINED);
            copy.row(r.index[i], r.receipt[i], tap, r.timeMs[i], r.terminal[i], r.outlet[i], r.correlation[i], r.card[i],
                r.holder[i], r.program[i], r.quantity[i], r.offline[i], r.terminalTimeMs[i], Decision.name(r.decision[i]),
                ReasonCode.name(r.reason[i]), r.remaining[i]);
        }

        /** After every stream of the batch committed: the memory takes this stream's new values (reader thread). */
        void applyToMemory()
        {
            for (int j = 0; j < pendingHolders.size; j++)
            {
                memory.holders.put(pendingHolders.get(j, 0), pendingHolders.get(j, 1), pendingHolders.get(j, 2),
                    pendingHolders.get(j, 3));
            }
            for (int j = 0; j < pendingHouseholds.size; j++)
            {
                memory.households.put(pendingHouseholds.get(j, 0), pendingHouseholds.get(j, 1),
                    pendingHouseholds.get(j, 2), 0);
            }
        }

        /**
         * Writes what this stream's inserted taps change in {@code tap_day_rollup} (one upsert, a row per day, program
         * and outlet, in key order), in the transaction in hand, and keeps the memory's new values for after the
         * commit. The memory is only read here: no other stream reads or writes the holders and households of these
         * taps.
         *
         * @param insertedReceipts the receipts inserted, or null when all were.
         */
        private void writeRollups(final Connection c, final Set<Long> insertedReceipts) throws SQLException
        {
            pendingHolders.clear();
            pendingHouseholds.clear();
            final boolean rollups = keepRollups;
            final boolean reach = keepReach;
            if (!rollups && !reach)
            {
                return;
            }
            final Staged r = staged;
            holderRows.reset();
            rollupRows.reset();
            householdRows.reset();
            monthRows.reset();
            for (int m = 0; m < memberCount; m++)
            {
                final int i = members[m];
                if (!r.counted[i] || insertedReceipts != null && !insertedReceipts.contains(r.receipt[i]))
                {
                    continue;
                }
                final long delta = r.tap[i] ? r.quantity[i] : -r.quantity[i];
                if (reach)
                {
                    final int before = monthRows.size();
                    final int id = monthRows.add(r.holder[i], r.monthKey[i]);
                    if (id == before)
                    {
                        monthQuantity = grown(monthQuantity, id);
                        monthQuantity[id] = 0;
                    }
                    monthQuantity[id] += delta;
                }
                if (!rollups)
                {
                    continue;
                }
                final int before = holderRows.size();
                final int id = holderRows.add(r.holder[i], r.key[i]);
                if (id == before)
                {
                    holderQuantity = grown(holderQuantity, id);
                    holderHousehold = grown(holderHousehold, id);
                    holderQuantity[id] = 0;
                }
                holderQuantity[id] += delta;
                holderHousehold[id] = r.household[i];
                final int rollupsBefore = rollupRows.size();
                final int row = rollupRows.add(r.key[i], 0);
                if (row == rollupsBefore)
                {
                    for (int k = 0; k < 5; k++)
                    {
                        rollupSums[k] = grown(rollupSums[k], row);
                        rollupSums[k][row] = 0;
                    }
                }
                rollupSums[r.tap[i] ? 0 : 1][row]++;
                rollupSums[2][row] += delta;
            }
            if (rollups && holderRows.size() > 0)
            {
                for (int id = 0; id < holderRows.size(); id++)
                {
                    final long holder = holderRows.first(id);
                    final long key = holderRows.second(id);
                    final int slot = memory.holders.find(holder, key);
                    final long before = slot < 0 ? 0 : memory.holders.value1(slot);
                    final long after = before + holderQuantity[id];
                    final int persons = (after > 0 ? 1 : 0) - (before > 0 ? 1 : 0);
                    pendingHolders.add(holder, key, after, holderHousehold[id]);
                    final int row = rollupRows.find(key, 0);
                    rollupSums[3][row] += persons;
                    if (persons != 0)
                    {
                        final int householdsBefore = householdRows.size();
                        final int h = householdRows.add(holderHousehold[id], key);
                        if (h == householdsBefore)
                        {
                            householdPersons = grown(householdPersons, h);
                            householdPersons[h] = 0;
                        }
                        householdPersons[h] += persons;
                    }
                }
                for (int h = 0; h < householdRows.size(); h++)
                {
                    final long household = householdRows.first(h);
                    final long key = householdRows.second(h);
                    final int slot = memory.households.find(household, key);
                    final long before = slot < 0 ? 0 : memory.households.value1(slot);
                    final long after = before + householdPersons[h];
                    pendingHouseholds.add(household, key, after);
                    rollupSums[4][rollupRows.find(key, 0)] += (after > 0 ? 1 : 0) - (before > 0 ? 1 : 0);
                }
                final int n = rollupRows.size();
                final int[] day = new int[n];
                final int[] program = new int[n];
                final int[] outlet = new int[n];
                for (int j = 0; j < n; j++)
                {
                    final long key = rollupRows.first(j);
                    day[j] = RollupMemory.day(key);
                    program[j] = RollupMemory.program(key);
                    outlet[j] = RollupMemory.outlet(key);
                }
                try (PreparedStatement upsert = c.prepareStatement(ROLLUP_UPSERT))
                {
                    upsert.setArray(1, array(c, "int4", day));
                    upsert.setArray(2, array(c, "int4", program));
                    upsert.setArray(3, array(c, "int4", outlet));
                    for (int k = 0; k < 5; k++)
                    {
                        upsert.setArray(4 + k, array(c, "int8", java.util.Arrays.copyOf(rollupSums[k], n)));
                    }
                    upsert.executeUpdate();
                }
            }
            if (reach && monthRows.size() > 0)
            {
                final int n = monthRows.size();
                final int[] month = new int[n];
                final int[] program = new int[n];
                final int[] outlet = new int[n];
                final long[] holder = new long[n];
                for (int j = 0; j < n; j++)
                {
                    final long key = monthRows.second(j);
                    month[j] = RollupMemory.day(key);
                    program[j] = RollupMemory.program(key);
                    outlet[j] = RollupMemory.outlet(key);
                    holder[j] = monthRows.first(j);
                }
                try (PreparedStatement upsert = c.prepareStatement(REACH_UPSERT))
                {
                    upsert.setArray(1, array(c, "int4", month));
                    upsert.setArray(2, array(c, "int4", program));
                    upsert.setArray(3, array(c, "int4", outlet));
                    upsert.setArray(4, array(c, "int8", holder));
                    upsert.setArray(5, array(c, "int8", java.util.Arrays.copyOf(monthQuantity, n)));
                    upsert.executeUpdate();
                }
            }
        }

        private static long[] grown(final long[] values, final int id)
        {
            return id < values.length ? values : java.util.Arrays.copyOf(values, Math.max(1024, id * 2));
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
                    try (Statement statement = c.createStatement())
                    {
                        // the rollup trigger leaves this session's taps to the ingester (V83)
                        statement.execute("SET tapswitch.rollups = 'ingester'");
                    }
                    c.commit();
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
                    handedOutQuantity = grown(handedOutQuantity, rows.size);
                    countHandedOut(rows, handedOutSums, handedOutQuantity);
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
                writeRollups(c, null);
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
                final Set<Long> insertedReceipts = insertNewOnly(c);
                inserted = insertedReceipts.size();
                writeRollups(c, insertedReceipts);
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

        private Set<Long> insertNewOnly(final Connection c) throws SQLException
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
            return insertedReceipts;
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
     * @return the (city day, program, outlet, holder) rows of the open days in the ingester's rollup bookkeeping, as of
     * the last batch.
     */
    public long rollupHolderRows()
    {
        return openHolderRows;
    }

    /**
     * @return the (city day, program, outlet, household) rows of the open days in the ingester's rollup bookkeeping.
     */
    public long rollupHouseholdRows()
    {
        return openHouseholdRows;
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
