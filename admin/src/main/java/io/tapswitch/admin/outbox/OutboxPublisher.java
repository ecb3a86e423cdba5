package io.tapswitch.admin.outbox;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
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
import io.tapswitch.formats.command.CommandEncoder;
import io.tapswitch.formats.command.CommandPublisher;
import io.tapswitch.formats.command.Commands;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes committed outbox rows to the switch's command queue ({@code <switch-data-dir>/commands}) in
 * id order (= commit order), through the switch's own {@link CommandPublisher}, with the row id as the
 * command id; then marks them published. Only committed rows are visible to it, so nothing is sent
 * before its transaction commits.
 * <p>
 * Exactly once: a crash after the append but before the mark leaves rows pending; on the next pass the
 * {@link CommandPublisher} refuses ids not above the last id in the queue ({@code NOT_INCREASING}), so the
 * row is marked {@code ALREADY_IN_QUEUE} without a second excerpt, and the switch applies each id once
 * anyway.
 * <p>
 * Threading: one thread of its own ({@code outbox-publisher}) owns the queue appender; {@link #wake()}
 * may be called from any thread (after a commit) and {@link #close()} from the owner.
 */
public final class OutboxPublisher implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(OutboxPublisher.class);
    private static final int BATCH = 512;
    private static final long DB_TIMEOUT_MS = 30_000;
    private static final long STATS_INTERVAL_MS = 1_000;

    private final Pool pool;
    private final KeySealer sealer;
    private final Clock clock;
    private final long pollIntervalNs;
    private final CommandPublisher publisher;
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[Commands.MAX_COMMAND_BYTES]);
    private final AtomicLong depth = new AtomicLong();
    private final AtomicLong oldestAgeMs = new AtomicLong();
    private final AtomicLong publishedCount = new AtomicLong();
    private final Counter published;
    private volatile boolean running;
    private volatile String failing;
    private volatile Thread thread;
    private long lastStatsMs;

    /**
     * @param pool           the database.
     * @param switchDataDir  the switch data directory (its {@code commands/} queue is opened here).
     * @param sealer         opens sealed bodies.
     * @param clock          the clock.
     * @param pollIntervalMs how long to wait for a {@link #wake()} before looking again.
     * @param registry       where the outbox metrics go.
     */
    public OutboxPublisher(final Pool pool, final Path switchDataDir, final KeySealer sealer, final Clock clock,
        final long pollIntervalMs, final MeterRegistry registry)
    {
        this.pool = pool;
        this.sealer = sealer;
        this.clock = clock;
        this.pollIntervalNs = TimeUnit.MILLISECONDS.toNanos(pollIntervalMs);
        this.publisher = new CommandPublisher(switchDataDir);
        Gauge.builder("tapswitch_admin_outbox_depth", depth, AtomicLong::get)
            .description("commands committed but not yet on the switch's command queue").register(registry);
        Gauge.builder("tapswitch_admin_outbox_oldest_age_seconds", oldestAgeMs, v -> v.get() / 1000.0)
            .description("age of the oldest unpublished command").register(registry);
        published = Counter.builder("tapswitch_admin_commands_published")
            .description("commands appended to the switch's command queue").register(registry);
    }

    /**
     * Aligns the outbox ids with the queue: when another writer (e.g. a switch provisioned with {@code --demo})
     * already put higher command ids in the queue, the outbox identity restarts above them, so the next
     * commands are not refused as already applied. Called once before {@link #start()}.
     */
    public void prepare() throws Exception
    {
        final long lastInQueue = publisher.lastCommandId();
        final Row row = await(pool.query("SELECT COALESCE(max(id), 0) AS max_id, " +
            "COALESCE(max(id) FILTER (WHERE published_at IS NULL), 0) AS max_pending FROM outbox").execute()).iterator().next();
        final long maxId = row.getLong("max_id");
        if (lastInQueue > maxId)
        {
            if (row.getLong("max_pending") > 0)
            {
                LOG.error("the command queue holds ids up to {} written by another publisher, above pending outbox rows; " +
                    "those rows will be marked ALREADY_IN_QUEUE without reaching the switch", lastInQueue);
            }
            await(pool.query("ALTER TABLE outbox ALTER COLUMN id RESTART WITH " + (lastInQueue + 1)).execute());
            LOG.info("outbox ids continue after command id {} found in the queue", lastInQueue);
        }
    }

    /**
     * Starts the publishing thread.
     */
    public void start()
    {
        running = true;
        final Thread t = new Thread(this::run, "outbox-publisher");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    /**
     * Asks the publisher to look for new rows now (call after a commit that appended commands).
     */
    public void wake()
    {
        final Thread t = thread;
        if (t != null)
        {
            LockSupport.unpark(t);
        }
    }

    /**
     * @return commands this publisher appended since it opened.
     */
    /**
     * @return the error of the last failed round while publishing fails (e.g. PostgreSQL unreachable), null once a
     * round succeeded.
     */
    public String failing()
    {
        return failing;
    }

    /**
     * @return commands committed but not yet on the switch's command queue (as of the last round).
     */
    public long depth()
    {
        return depth.get();
    }

    /**
     * @return age of the oldest unpublished command in milliseconds (as of the last round).
     */
    public long oldestAgeMs()
    {
        return oldestAgeMs.get();
    }

    public long publishedCount()
    {
        return publishedCount.get();
    }

    /**
     * @return the last command id in the switch's queue.
     */
    public long lastCommandIdInQueue()
    {
        return publisher.lastCommandId();
    }

    private void run()
    {
        while (running)
        {
            int work = 0;
            try
            {
                work = publishBatch(BATCH, true);
                final long nowMs = clock.millis();
                if (nowMs - lastStatsMs >= STATS_INTERVAL_MS || work > 0)
                {
                    lastStatsMs = nowMs;
                    refreshStats();
                }
                failing = null;
            }
            catch (final Exception ex)
            {
                failing = ex.toString();
                if (running)
                {
                    LOG.warn("outbox publishing failed, retrying: {}", ex.toString());
                    LockSupport.parkNanos(pollIntervalNs * 10);
                }
            }
            if (work == 0 && running)
            {
                LockSupport.parkNanos(pollIntervalNs);
            }
        }
    }

    /**
     * Publishes up to {@code limit} pending rows in id order. Called by the publishing thread; tests call
     * it directly on a publisher that was not {@link #start()}ed.
     *
     * @param limit       most rows to publish.
     * @param markRows    false to leave the rows pending after appending them (simulates a crash between
     *                    the append and the mark).
     * @return the rows handled.
     */
    public int publishBatch(final int limit, final boolean markRows) throws Exception
    {
        final RowSet<Row> rows = await(pool.preparedQuery(
                "SELECT id, type, body, sealed FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1")
            .execute(Tuple.of(limit)));
        if (rows.size() == 0)
        {
            return 0;
        }
        final List<Tuple> marks = new ArrayList<>(rows.size());
        final OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
        for (final Row row : rows)
        {
            final long id = row.getLong("id");
            final String outcome = append(id, row.getShort("type"), row.getBuffer("body"), row.getBoolean("sealed"));
            marks.add(Tuple.of(now, outcome, id));
        }
        if (markRows)
        {
            await(pool.preparedQuery("UPDATE outbox SET published_at = $1, outcome = $2, " +
                "body = CASE WHEN sealed THEN NULL ELSE body END WHERE id = $3").executeBatch(marks));
        }
        return rows.size();
    }

    private String append(final long id, final int type, final Buffer storedBody, final boolean sealed)
    {
        if (storedBody == null)
        {
            LOG.error("outbox row {} has no body; skipped", id);
            return "MALFORMED";
        }
        final byte[] body = sealed ?
            sealer.open(storedBody.toString(StandardCharsets.US_ASCII)) : storedBody.getBytes();
        CommandEncoder.header(buffer, 0, id, type, body.length);
        buffer.putBytes(Commands.BODY_OFFSET, body);
        final int length = Commands.BODY_OFFSET + body.length;
        final long result = publisher.publish(buffer, 0, length);
        buffer.setMemory(0, length, (byte)0);
        if (sealed)
        {
            java.util.Arrays.fill(body, (byte)0);
        }
        if (result >= 0)
        {
            published.increment();
            publishedCount.incrementAndGet();
            return "APPENDED";
        }
        if (result == CommandPublisher.NOT_INCREASING)
        {
            return "ALREADY_IN_QUEUE";
        }
        LOG.error("outbox row {} (type {}) refused by the command check; skipped", id, type);
        return "MALFORMED";
    }

    private void refreshStats() throws Exception
    {
        final Row row = await(pool.query(
                "SELECT count(*) AS n, min(created_at) AS oldest FROM outbox WHERE published_at IS NULL").execute())
            .iterator().next();
        depth.set(row.getLong("n"));
        final OffsetDateTime oldest = row.getOffsetDateTime("oldest");
        oldestAgeMs.set(oldest == null ? 0 :
            Math.max(0, Duration.between(oldest.toInstant(), clock.instant()).toMillis()));
    }

    private static <T> T await(final Future<T> future) throws Exception
    {
        return future.toCompletionStage().toCompletableFuture().get(DB_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * Stops the thread (waiting for the batch in hand) and closes the queue.
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
        publisher.close();
    }
}
