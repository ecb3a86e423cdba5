// Why this file is long (845 lines): see the class comment; the connection, the batches sent, the answers back and the
// local BUSY/SYSTEM_ERROR answers share one ring of outstanding batches owned by this thread. A split by role is next.
package io.tapswitch.switching.cluster;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import io.aeron.Publication;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.aeron.logbuffer.Header;
import io.tapswitch.protocol.FrameHeader;
import io.tapswitch.protocol.MessageType;
import io.tapswitch.protocol.Messages;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.switching.engine.Engine;
import io.tapswitch.switching.journal.CommandQueueTailer;
import io.tapswitch.switching.journal.JournalSyncer;
import io.tapswitch.switching.metrics.Counters;
import io.tapswitch.switching.pipeline.CommitStage;
import io.tapswitch.switching.pipeline.HandoffRecords;
import io.tapswitch.switching.pipeline.LocalAnswers;
import io.tapswitch.formats.command.Commands;
import org.agrona.BitUtil;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replicated switch's {@link CommitStage} ({@link Durability#QUORUM}: commit, then decide), a member's front end
 * to the cluster in place of the single-node engine thread: reads the requests the event loops queue
 * ({@link HandoffRecords}), sends them to the cluster as ingress in batches (one message carries up to {@code batchSize}
 * request records with this member's id and their connection ids), and writes the answers that come back as egress to
 * the response rings of the event loops, which release them in per-connection order. It also forwards the admin
 * commands queued in this member's {@code <data-dir>/commands} (the service skips a command id it applied already).
 * <p>
 * Every batch sent waits for its answer. Batches are committed and answered in the order they were sent, so an
 * answer to a batch means every batch sent before it that is still unanswered was lost (sent to a leader that died
 * before it was committed, or committed but its answer lost with the leader): their requests are answered ERROR
 * SYSTEM_ERROR at once (LOGON_RESULT 18 for a LOGON), as are those of a batch unanswered for {@link
 * #ANSWER_TIMEOUT_NS}. Such a request may have been decided; a terminal that retries it (PROTOCOL.md rule 14) gets
 * that decision and its receipt from the idempotency table, never a second one. A late answer to a batch already
 * answered so is dropped. A batch that cannot be sent (no leader during an election) for {@link #SEND_TIMEOUT_NS} is
 * answered BUSY: it was never decided. Meanwhile the request ring fills and the event loops answer BUSY.
 * <p>
 * Not thread-safe: one thread under an {@link org.agrona.concurrent.AgentRunner}; the other methods from any thread.
 * <p>
 * Why this file is long: the connection (and its leader checks), the sending of batches, the answers that come back
 * and the local BUSY/SYSTEM_ERROR answers all work on one ring of outstanding batches (slots, head, count) owned by
 * this thread; split into classes they would share that mutable state across objects, which is harder to follow.
 */
public final class ClusterFrontEnd implements CommitStage, EgressListener
{
    private static final Logger LOGGER = LoggerFactory.getLogger(ClusterFrontEnd.class);
    static final long ANSWER_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    static final long SEND_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long KEEP_ALIVE_NS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long RECONNECT_DELAY_NS = TimeUnit.MILLISECONDS.toNanos(50);
    /** How long the client may miss a new leader this member's own log already shows before it starts over. */
    private static final long STALE_LEADER_NS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final int MAX_OUTSTANDING = 64;
    /** A batch message at most (ingress term length / 8 must exceed it). */
    static final int MAX_BATCH_BYTES = 128 * 1024;
    private static final int REQUEST_BATCH_BYTES = 60 * 1024;
    private static final int MAX_REQUEST_RECORD =
        BitUtil.align(HandoffRecords.REQUEST_FRAME_OFFSET + FrameHeader.MAX_FRAME_BYTES, BitUtil.SIZE_OF_LONG);

    private final int memberId;
    private final Supplier<AeronCluster.Context> clientContext;
    private final TapClusteredService service;
    private final Path dataDir;
    private final ManyToOneRingBuffer requests;
    private final OneToOneRingBuffer[] responses;
    private final Runnable[] wakers;
    private final Counters counters;
    private final int batchSize;
    private final boolean[] touched;
    private final CompletableFuture<Long> started = new CompletableFuture<>();
    private final IdleStrategy responseFullIdle = new BackoffIdleStrategy(10, 10, 1_000, 100_000);
    private final LocalAnswers localAnswers = new LocalAnswers();
    private final UnsafeBuffer out = new UnsafeBuffer(ByteBuffer.allocateDirect(MAX_REQUEST_RECORD + 64));
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer command = new UnsafeBuffer(new byte[Commands.MAX_COMMAND_BYTES]);
    private final MessageHandler collector = this::collect;

    /** Batches sent (or being sent, at the tail) and not answered yet, oldest first. */
    private final UnsafeBuffer[] slotBuffers = new UnsafeBuffer[MAX_OUTSTANDING];
    private final long[] slotBatch = new long[MAX_OUTSTANDING];
    private final int[] slotKind = new int[MAX_OUTSTANDING];
    private final int[] slotLength = new int[MAX_OUTSTANDING];
    private final long[] slotSentNs = new long[MAX_OUTSTANDING];
    private final long[] slotCommandBefore = new long[MAX_OUTSTANDING];
    private int head;
    private int count;
    /** The batch at the tail slot is built and not sent yet (since {@link #unsentSinceNs}). */
    private boolean unsent;
    private long unsentSinceNs;
    private long nextBatchId = 1;

    private AeronCluster client;
    private AeronCluster.AsyncConnect connecting;
    private long nextConnectNs;
    private boolean memberStartPending = true;
    private long lastSentNs;
    private CommandQueueTailer commands;
    /** Queue index of the last command sent (-1: none). */
    private long commandsSentThrough = -1;
    private long commandsForwarded;
    private boolean commandsCaughtUp;
    private volatile boolean paused;
    private volatile boolean running = true;
    private Runnable onFatal = () -> { };
    private long staleLeaderSinceNs;
    private boolean staleLeader;
    private long nowNs;

    private final AtomicLong lostBatches = new AtomicLong();
    private final AtomicLong systemErrorAnswers = new AtomicLong();
    private final AtomicLong busyAnswers = new AtomicLong();
    private final AtomicLong lateAnswers = new AtomicLong();
    private final AtomicLong connects = new AtomicLong();

    /**
     * @param memberId      this member.
     * @param clientContext a new cluster client context each call (ingress endpoints, egress channel, the member's
     *                      media driver); this front end sets its egress listener.
     * @param service       this member's clustered service (its engine for the metrics).
     * @param dataDir       the member's data directory (its command queue).
     * @param requests      the ring the event loops write requests to.
     * @param responses     one response ring per event loop, by loop index.
     * @param wakers        one task per event loop that schedules its response drain.
     * @param counters      counters the network metrics read.
     * @param batchSize     requests per ingress message at most.
     */
    public ClusterFrontEnd(
        final int memberId,
        final Supplier<AeronCluster.Context> clientContext,
        final TapClusteredService service,
        final Path dataDir,
        final ManyToOneRingBuffer requests,
        final OneToOneRingBuffer[] responses,
        final Runnable[] wakers,
        final Counters counters,
        final int batchSize)
    {
        this.memberId = memberId;
        this.clientContext = clientContext;
        this.service = service;
        this.dataDir = dataDir;
        this.requests = requests;
        this.responses = responses;
        this.wakers = wakers;
        this.counters = counters;
        this.batchSize = batchSize;
        this.touched = new boolean[responses.length];
        for (int i = 0; i < MAX_OUTSTANDING; i++)
        {
            slotBuffers[i] = new UnsafeBuffer(ByteBuffer.allocateDirect(MAX_BATCH_BYTES));
        }
    }

    @Override
    public String roleName()
    {
        return "tapswitch-cluster-front-end";
    }

    @Override
    public void onStart()
    {
        commands = new CommandQueueTailer(dataDir);
    }

    @Override
    public int doWork()
    {
        nowNs = System.nanoTime();
        int work = 0;
        if (null == client)
        {
            work += connect();
        }
        else if (client.isClosed())
        {
            LOGGER.warn("cluster member {}: the cluster client closed (session lost); reconnecting", memberId);
            onClientLost();
        }
        else
        {
            work += client.pollEgress();
            work += checkLeader();
        }
        work += expire();
        if (!paused)
        {
            work += send();
        }
        if (null != client && nowNs - lastSentNs > KEEP_ALIVE_NS && !client.isClosed())
        {
            if (client.sendKeepAlive())
            {
                lastSentNs = nowNs;
            }
        }
        wakeTouchedLoops();
        return work;
    }

    // ------------------------------------------------------------------------------------------ connection

    private int connect()
    {
        if (null == connecting)
        {
            if (nowNs - nextConnectNs < 0)
            {
                return 0;
            }
            connecting = AeronCluster.asyncConnect(clientContext.get().egressListener(this));
        }
        try
        {
            final AeronCluster connected = connecting.poll();
            if (null == connected)
            {
                return 0;
            }
            client = connected;
            connecting = null;
            connects.incrementAndGet();
            LOGGER.info("cluster member {}: connected to the cluster (leader member {}, session {})", memberId,
                connected.leaderMemberId(), connected.clusterSessionId());
            return 1;
        }
        catch (final RuntimeException ex)
        {
            LOGGER.debug("cluster member {}: connecting to the cluster failed, retrying: {}", memberId, ex.toString());
            CloseHelper.quietClose(connecting);
            connecting = null;
            nextConnectNs = nowNs + RECONNECT_DELAY_NS;
            return 0;
        }
    }

    /**
     * This member's own log shows a newer leadership term with another leader than the one the cluster client sends
     * to, and no new-leader event reached the client within {@link #STALE_LEADER_NS} (seen when the old leader was
     * paused, not killed: the client kept sending to it until its publication timed out, 5 s): start over with the
     * new leader. A member catching up applies old terms, never newer ones than the client knows, so it never
     * triggers this.
     */
    private int checkLeader()
    {
        final long term = service.termSeen();
        final int leader = service.termLeader();
        if (term > client.leadershipTermId() && leader >= 0 && leader != client.leaderMemberId())
        {
            if (!staleLeader)
            {
                staleLeader = true;
                staleLeaderSinceNs = nowNs;
            }
            else if (nowNs - staleLeaderSinceNs > STALE_LEADER_NS)
            {
                staleLeader = false;
                LOGGER.warn("cluster member {}: the log has leader member {} in term {}, the cluster client still " +
                    "sends to member {} (term {}): reconnecting", memberId, leader, term, client.leaderMemberId(),
                    client.leadershipTermId());
                onClientLost();
                nextConnectNs = nowNs;
                return 1;
            }
        }
        else
        {
            staleLeader = false;
        }
        return 0;
    }

    private void onClientLost()
    {
        CloseHelper.quietClose(client);
        client = null;
        nextConnectNs = nowNs + RECONNECT_DELAY_NS;
        // Their answers would come to the closed session: they are lost for this member.
        while (count > 0)
        {
            resolveLost(head);
            pop();
        }
    }

    // ------------------------------------------------------------------------------------------------ sending

    private int send()
    {
        if (unsent)
        {
            if (!offerTail())
            {
                if (nowNs - unsentSinceNs > SEND_TIMEOUT_NS || null == client)
                {
                    dropUnsent();
                    return 1;
                }
                return 0;
            }
        }
        if (null == client)
        {
            // not connected: nothing can be decided now
            if (started.isDone() && count < MAX_OUTSTANDING && buildRequests())
            {
                dropUnsent();
                return 1;
            }
            return 0;
        }
        int work = 0;
        if (memberStartPending && count < MAX_OUTSTANDING)
        {
            // first of all, once per process: the sessions of this member's earlier life are forgotten cluster-wide
            // (connection ids start again with a new process); resent until answered
            memberStartPending = false;
            stageTail(ClusterMessages.MEMBER_START, ClusterMessages.HEADER_LENGTH);
            work++;
            if (!offerTail())
            {
                return work;
            }
        }
        if (count < MAX_OUTSTANDING && buildCommands())
        {
            work++;
            if (!offerTail())
            {
                return work;
            }
        }
        if (!commandsCaughtUp && 0 == count && !memberStartPending && service.started().isDone())
        {
            // Every command queued at start was applied by the cluster: serve terminals from now on.
            commandsCaughtUp = true;
            started.complete(commandsForwarded);
        }
        if (started.isDone() && count < MAX_OUTSTANDING && buildRequests())
        {
            work++;
            offerTail();
        }
        return work;
    }

    /**
     * Reads admin commands from this member's queue into a COMMANDS batch at the tail slot.
     *
     * @return true when a batch was built.
     */
    private boolean buildCommands()
    {
        final int tail = tail();
        final UnsafeBuffer buffer = slotBuffers[tail];
        int length = ClusterMessages.HEADER_LENGTH;
        final long before = commandsSentThrough;
        while (true)
        {
            final long available = commands.next(command);
            if (available < 0)
            {
                break;
            }
            final int commandLength = (int)Math.min(available, command.capacity());
            final int entryLength = ClusterMessages.COMMAND_HEADER + commandLength;
            buffer.putInt(length + ClusterMessages.ENTRY_LENGTH_OFFSET, entryLength);
            buffer.putInt(length + ClusterMessages.ENTRY_TYPE_OFFSET, 0);
            buffer.putLong(length + ClusterMessages.COMMAND_QUEUE_INDEX_OFFSET, commands.index());
            buffer.putBytes(length + ClusterMessages.COMMAND_HEADER, command, 0, commandLength);
            length += BitUtil.align(entryLength, BitUtil.SIZE_OF_LONG);
            commandsSentThrough = commands.index();
            commandsForwarded++;
            if (length + ClusterMessages.COMMAND_HEADER + Commands.MAX_COMMAND_BYTES > MAX_BATCH_BYTES)
            {
                break;
            }
        }
        if (length == ClusterMessages.HEADER_LENGTH)
        {
            return false;
        }
        slotCommandBefore[tail] = before;
        stageTail(ClusterMessages.COMMANDS, length);
        return true;
    }

    private int building;

    /**
     * Reads requests from the ring into a REQUESTS batch at the tail slot.
     *
     * @return true when a batch was built.
     */
    private boolean buildRequests()
    {
        final int tail = tail();
        building = ClusterMessages.HEADER_LENGTH;
        int read = 0;
        while (read < batchSize)
        {
            final int room = (REQUEST_BATCH_BYTES - building) / (MAX_REQUEST_RECORD + ClusterMessages.ENTRY_HEADER);
            if (room <= 0)
            {
                break;
            }
            final int n = requests.read(collector, Math.min(room, batchSize - read));
            if (0 == n)
            {
                break;
            }
            read += n;
        }
        if (0 == read)
        {
            return false;
        }
        stageTail(ClusterMessages.REQUESTS, building);
        return slotLength[tail] > 0;
    }

    private void collect(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final UnsafeBuffer slot = slotBuffers[tail()];
        final int entryLength = ClusterMessages.ENTRY_HEADER + length;
        slot.putInt(building + ClusterMessages.ENTRY_LENGTH_OFFSET, entryLength);
        slot.putInt(building + ClusterMessages.ENTRY_TYPE_OFFSET, msgTypeId);
        slot.putBytes(building + ClusterMessages.ENTRY_HEADER, buffer, index, length);
        building += BitUtil.align(entryLength, BitUtil.SIZE_OF_LONG);
    }

    private void stageTail(final int kind, final int length)
    {
        final int tail = tail();
        final UnsafeBuffer buffer = slotBuffers[tail];
        final long batchId = nextBatchId++;
        buffer.putInt(ClusterMessages.KIND_OFFSET, kind);
        buffer.putInt(ClusterMessages.MEMBER_OFFSET, memberId);
        buffer.putLong(ClusterMessages.BATCH_OFFSET, batchId);
        slotBatch[tail] = batchId;
        slotKind[tail] = kind;
        slotLength[tail] = length;
        unsent = true;
        unsentSinceNs = nowNs;
    }

    /**
     * Offers the batch at the tail slot; once sent it waits for its answer.
     *
     * @return true when sent.
     */
    private boolean offerTail()
    {
        if (null == client)
        {
            return false;
        }
        final int tail = tail();
        final long result = client.offer(slotBuffers[tail], 0, slotLength[tail]);
        if (result > 0)
        {
            unsent = false;
            slotSentNs[tail] = nowNs;
            lastSentNs = nowNs;
            count++;
            return true;
        }
        if (Publication.CLOSED == result || Publication.MAX_POSITION_EXCEEDED == result)
        {
            LOGGER.warn("cluster member {}: ingress publication {}; reconnecting", memberId,
                Publication.errorString(result));
            onClientLost();
        }
        return false;
    }

    /**
     * The batch at the tail could not be sent in time: nothing of it was decided; requests are answered BUSY, commands
     * are read again later.
     */
    private void dropUnsent()
    {
        final int tail = tail();
        unsent = false;
        if (ClusterMessages.REQUESTS == slotKind[tail])
        {
            answerLocally(tail, true);
        }
        else if (ClusterMessages.MEMBER_START == slotKind[tail])
        {
            memberStartPending = true;
        }
        else
        {
            rewindCommands(slotCommandBefore[tail]);
        }
    }

    private int tail()
    {
        return (head + count) % MAX_OUTSTANDING;
    }

    private void pop()
    {
        head = (head + 1) % MAX_OUTSTANDING;
        count--;
    }

    // ------------------------------------------------------------------------------------------------ answers

    @Override
    public void onMessage(
        final long clusterSessionId, final long timestamp, final DirectBuffer buffer, final int offset,
        final int length, final Header header)
    {
        if (length < ClusterMessages.HEADER_LENGTH ||
            ClusterMessages.ANSWERS != buffer.getInt(offset + ClusterMessages.KIND_OFFSET))
        {
            return;
        }
        final long batchId = buffer.getLong(offset + ClusterMessages.BATCH_OFFSET);
        if (0 == batchId)
        {
            deliver(buffer, offset, length);
            return;
        }
        while (count > 0 && slotBatch[head] < batchId)
        {
            // sent before the batch answered now and not answered: lost
            resolveLost(head);
            pop();
        }
        if (count > 0 && slotBatch[head] == batchId)
        {
            deliver(buffer, offset, length);
            pop();
        }
        else
        {
            lateAnswers.incrementAndGet();
        }
    }

    /**
     * A new leader: the batches sent to the old one are answered by nobody (committed ones were decided by the new
     * leader as a follower, which sends no answer): SYSTEM_ERROR at once instead of after the answer timeout.
     */
    @Override
    public void onNewLeader(
        final long clusterSessionId, final long leadershipTermId, final int leaderMemberId, final String ingressEndpoints)
    {
        LOGGER.info("cluster member {}: new leader member {} (term {}); {} batch(es) sent to the old leader answered " +
            "SYSTEM_ERROR", memberId, leaderMemberId, leadershipTermId, count);
        while (count > 0)
        {
            resolveLost(head);
            pop();
        }
    }

    private void deliver(final DirectBuffer buffer, final int offset, final int length)
    {
        int entry = offset + ClusterMessages.HEADER_LENGTH;
        final int end = offset + length;
        final long releasedNs = System.nanoTime();
        while (entry + ClusterMessages.ENTRY_HEADER <= end)
        {
            final int entryLength = buffer.getInt(entry + ClusterMessages.ENTRY_LENGTH_OFFSET);
            final int type = buffer.getInt(entry + ClusterMessages.ENTRY_TYPE_OFFSET);
            if (entryLength < ClusterMessages.ENTRY_HEADER + HandoffRecords.CONTROL_LENGTH || entry + entryLength > end)
            {
                break;
            }
            final int record = entry + ClusterMessages.ENTRY_HEADER;
            final int recordLength = entryLength - ClusterMessages.ENTRY_HEADER;
            out.putBytes(0, buffer, record, recordLength);
            if (HandoffRecords.RESPONSE == type)
            {
                out.putLong(HandoffRecords.RESPONSE_RELEASED_NS_OFFSET, releasedNs);
                count(HandoffRecords.RESPONSE_FRAME_OFFSET);
            }
            else if (HandoffRecords.CLOSE == type)
            {
                counters.increment(Counters.SESSIONS_REPLACED);
            }
            release(type, HandoffRecords.loopIndex(out.getLong(HandoffRecords.CONNECTION_ID_OFFSET)), out,
                recordLength);
            entry += BitUtil.align(entryLength, BitUtil.SIZE_OF_LONG);
        }
    }

    private void count(final int frame)
    {
        final int responseType = out.getByte(frame + FrameHeader.TYPE_OFFSET) & 0xFF;
        if (MessageType.LOGON_RESULT == responseType)
        {
            counters.onLogon(out.getByte(frame + FrameHeader.BODY_OFFSET + Messages.LogonResult.RESULT_OFFSET) & 0xFF);
        }
        else if (MessageType.ERROR != responseType)
        {
            counters.onResult(responseType, out.getByte(frame + FrameHeader.BODY_OFFSET) & 0xFF,
                out.getByte(frame + FrameHeader.BODY_OFFSET + 1) & 0xFF);
        }
        counters.increment(Counters.REQUESTS_DECIDED);
    }

    /**
     * The answers of a sent batch will never come: its requests are answered SYSTEM_ERROR (they may have been
     * decided), its commands are sent again.
     */
    private void resolveLost(final int slot)
    {
        lostBatches.incrementAndGet();
        if (ClusterMessages.REQUESTS == slotKind[slot])
        {
            answerLocally(slot, false);
        }
        else if (ClusterMessages.MEMBER_START == slotKind[slot])
        {
            memberStartPending = true;
        }
        else
        {
            rewindCommands(slotCommandBefore[slot]);
        }
    }

    private void rewindCommands(final long before)
    {
        if (before < commandsSentThrough)
        {
            commands.positionAfter(before);
            commandsSentThrough = before;
        }
    }

    /**
     * Answers every request of a batch here: BUSY (never decided) or SYSTEM_ERROR (perhaps decided).
     */
    private void answerLocally(final int slot, final boolean busy)
    {
        final UnsafeBuffer buffer = slotBuffers[slot];
        int entry = ClusterMessages.HEADER_LENGTH;
        final int end = slotLength[slot];
        final long releasedNs = System.nanoTime();
        while (entry + ClusterMessages.ENTRY_HEADER <= end)
        {
            final int entryLength = buffer.getInt(entry + ClusterMessages.ENTRY_LENGTH_OFFSET);
            final int type = buffer.getInt(entry + ClusterMessages.ENTRY_TYPE_OFFSET);
            final int record = entry + ClusterMessages.ENTRY_HEADER;
            entry += BitUtil.align(entryLength, BitUtil.SIZE_OF_LONG);
            if (HandoffRecords.REQUEST != type)
            {
                continue;
            }
            final long connectionId = buffer.getLong(record + HandoffRecords.CONNECTION_ID_OFFSET);
            final int frame = record + HandoffRecords.REQUEST_FRAME_OFFSET;
            final int requestType = FrameHeader.type(buffer, frame);
            final int correlation = FrameHeader.correlation(buffer, frame);
            final long nowMs = buffer.getLong(record + HandoffRecords.REQUEST_NOW_MS_OFFSET);
            final int frameOut = HandoffRecords.RESPONSE_FRAME_OFFSET;
            final int frameLength;
            if (busy)
            {
                frameLength = localAnswers.busy(out, frameOut, requestType, correlation, nowMs);
                counters.onBusy(MessageType.responseOf(requestType));
                busyAnswers.incrementAndGet();
            }
            else
            {
                frameLength = MessageType.LOGON == requestType ?
                    localAnswers.logonFailed(out, frameOut, correlation, ReasonCode.SYSTEM_ERROR, nowMs) :
                    localAnswers.error(out, frameOut, correlation, ReasonCode.SYSTEM_ERROR);
                systemErrorAnswers.incrementAndGet();
            }
            out.putLong(HandoffRecords.CONNECTION_ID_OFFSET, connectionId);
            out.putLong(HandoffRecords.RECEIVED_NS_OFFSET, buffer.getLong(record + HandoffRecords.RECEIVED_NS_OFFSET));
            out.putInt(HandoffRecords.RESPONSE_SEQ_OFFSET, buffer.getInt(record + HandoffRecords.REQUEST_SEQ_OFFSET));
            out.putInt(HandoffRecords.RESPONSE_SEQ_OFFSET + BitUtil.SIZE_OF_INT, 0);
            out.putLong(HandoffRecords.RESPONSE_RELEASED_NS_OFFSET, releasedNs);
            release(HandoffRecords.RESPONSE, HandoffRecords.loopIndex(connectionId), out, frameOut + frameLength);
        }
    }

    /**
     * Answers SYSTEM_ERROR to the batches unanswered for longer than {@link #ANSWER_TIMEOUT_NS}.
     */
    private int expire()
    {
        int expired = 0;
        while (count > 0 && nowNs - slotSentNs[head] > ANSWER_TIMEOUT_NS)
        {
            resolveLost(head);
            pop();
            expired++;
        }
        return expired;
    }

    private void release(final int msgTypeId, final int loopIndex, final DirectBuffer buffer, final int length)
    {
        final OneToOneRingBuffer ring = responses[loopIndex];
        touched[loopIndex] = true;
        if (ring.write(msgTypeId, buffer, 0, length))
        {
            return;
        }
        // The loop is behind: wait for it (the request ring fills meanwhile and sheds BUSY); never drop.
        counters.increment(Counters.RESPONSE_RING_FULL);
        responseFullIdle.reset();
        while (!ring.write(msgTypeId, buffer, 0, length))
        {
            if (!running)
            {
                return;
            }
            wakers[loopIndex].run();
            responseFullIdle.idle();
        }
    }

    private void wakeTouchedLoops()
    {
        for (int i = 0; i < touched.length; i++)
        {
            if (touched[i])
            {
                touched[i] = false;
                wakers[i].run();
            }
        }
    }

    @Override
    public void onClose()
    {
        running = false;
        CloseHelper.quietClose(connecting);
        CloseHelper.quietClose(client);
        CloseHelper.quietClose(commands);
    }

    // ----------------------------------------------------------------------------------------------- CommitStage

    @Override
    public Durability durability()
    {
        return Durability.QUORUM;
    }

    @Override
    public CompletableFuture<Long> started()
    {
        return started;
    }

    @Override
    public Engine engine()
    {
        return service.engine();
    }

    @Override
    public boolean journalWritable()
    {
        return null != client && !client.isClosed();
    }

    @Override
    public JournalSyncer syncer()
    {
        return null;
    }

    @Override
    public void onFatal(final Runnable onFatal)
    {
        this.onFatal = onFatal;
    }

    @Override
    public void pause()
    {
        paused = true;
    }

    @Override
    public void resume()
    {
        paused = false;
    }

    @Override
    public void stopWaiting()
    {
        running = false;
    }

    /**
     * @return batches whose answers never came (answered SYSTEM_ERROR here).
     */
    public long lostBatches()
    {
        return lostBatches.get();
    }

    public long systemErrorAnswers()
    {
        return systemErrorAnswers.get();
    }

    public long busyAnswers()
    {
        return busyAnswers.get();
    }

    public long lateAnswers()
    {
        return lateAnswers.get();
    }

    public long connects()
    {
        return connects.get();
    }
}
