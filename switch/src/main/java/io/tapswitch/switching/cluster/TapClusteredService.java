package io.tapswitch.switching.cluster;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.ImageFragmentAssembler;
import io.aeron.cluster.codecs.CloseReason;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.logbuffer.Header;
import io.tapswitch.protocol.FrameHeader;
import io.tapswitch.protocol.MessageType;
import io.tapswitch.protocol.Messages;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.switching.engine.Engine;
import io.tapswitch.switching.pipeline.HandoffRecords;
import io.tapswitch.switching.pipeline.LocalAnswers;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine as the replicated state machine of an Aeron Cluster: every member runs this service and decides the
 * committed log in log order, so every member holds the same tables and writes the same journal. Only the leader's
 * service sends answers (a follower's {@link ClientSession#offer} sends nothing).
 * <p>
 * The state is the engine's tables, idempotency window and nonce memory plus the session table (which connection of
 * which member is logged on as which terminal: the rule "one session per terminal" holds cluster-wide) and the
 * cluster session of each member's front end. Time is the cluster time of each log message, never a clock.
 * <p>
 * Snapshots ({@link #onTakeSnapshot}) carry the engine's state in the {@code snapshot} package's file layout
 * ({@link Engine#saveState}) and the session table; {@link #onStart} loads them, then the cluster replays the log
 * after the snapshot. The member's Chronicle Queue journal is an output: records it already holds are not written
 * again ({@link Engine#openReplica}).
 * <p>
 * Runs on the cluster's service thread; {@link #isLeader()}, {@link #started()} and {@link #engine()} from any.
 */
public final class TapClusteredService implements ClusteredService
{
    private static final Logger LOGGER = LoggerFactory.getLogger(TapClusteredService.class);
    private static final long NO_SESSION = 0;
    private static final int SNAPSHOT_CHUNK = 8 * 1024;
    private static final int PART_ENGINE = 1;
    private static final int PART_SESSIONS = 2;
    private static final int PART_END = 3;
    private static final int EGRESS_CAPACITY = 4 << 20;
    /** Journal space allocated ahead needed to decide a message (a batch writes far less). */
    static final long DECIDE_HEADROOM_BYTES = 1L << 20;
    private static final int OFFER_ATTEMPTS = 1_000;
    private static final long SPACE_WAIT_NS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);

    private final int memberId;
    private final Supplier<Engine> engineFactory;
    private final Path stateDir;
    private final Runnable onFatal;
    private final CompletableFuture<Engine> started = new CompletableFuture<>();
    private final LocalAnswers localAnswers = new LocalAnswers();
    private final UnsafeBuffer egress = new UnsafeBuffer(ByteBuffer.allocateDirect(EGRESS_CAPACITY));
    private final UnsafeBuffer control = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
    private final UnsafeBuffer chunk = new UnsafeBuffer(ByteBuffer.allocateDirect(SNAPSHOT_CHUNK + 8));
    private final Long2LongHashMap terminalBySession = new Long2LongHashMap(NO_SESSION);
    private final Long2LongHashMap sessionByTerminal = new Long2LongHashMap(NO_SESSION);
    /** Cluster session id of each member's front end, by member id (0: none seen). */
    private final long[] memberSessions = new long[ClusterMessages.MAX_MEMBERS];
    private Cluster cluster;
    private IdleStrategy idle;
    private volatile Engine engine;
    private volatile boolean leader;
    private volatile long decided;
    /** Leadership term and leader of the last new-term event this member's service applied (-1: none yet). */
    private volatile long termSeen = -1;
    private volatile int termLeader = -1;
    private boolean fatal;

    /**
     * @param memberId      this member (for the log).
     * @param engineFactory opens the engine ({@link Engine#openReplica}) on the service thread.
     * @param stateDir      where snapshot state files are written and read (temporary files).
     * @param onFatal       run once when this member cannot go on (its journal cannot take a decision): it must stop
     *                      the process; the other members go on, this one catches up when restarted.
     */
    public TapClusteredService(
        final int memberId, final Supplier<Engine> engineFactory, final Path stateDir, final Runnable onFatal)
    {
        this.memberId = memberId;
        this.engineFactory = engineFactory;
        this.stateDir = stateDir;
        this.onFatal = onFatal;
    }

    /**
     * @return completes with the engine once it is open and the cluster's snapshot (if any) is loaded.
     */
    public CompletableFuture<Engine> started()
    {
        return started;
    }

    public Engine engine()
    {
        return engine;
    }

    /**
     * @return true while this member's service is the leader's (it sends the answers).
     */
    public boolean isLeader()
    {
        return leader;
    }

    /**
     * @return the leadership term of the last new-term event this member's service applied, -1 before the first.
     */
    public long termSeen()
    {
        return termSeen;
    }

    /**
     * @return the leader of {@link #termSeen()} (read the term first).
     */
    public int termLeader()
    {
        return termLeader;
    }

    /**
     * @return requests decided by this member's service (all members decide all requests).
     */
    public long decided()
    {
        return decided;
    }

    @Override
    public void onStart(final Cluster cluster, final Image snapshotImage)
    {
        this.cluster = cluster;
        this.idle = cluster.idleStrategy();
        try
        {
            Files.createDirectories(stateDir);
            engine = engineFactory.get();
            if (null != snapshotImage)
            {
                loadSnapshot(snapshotImage);
            }
            LOGGER.info("cluster member {}: engine open, sequence {} (journal holds up to {})", memberId,
                engine.lastSequence(), engine.journalHeldThrough());
            started.complete(engine);
        }
        catch (final IOException ex)
        {
            started.completeExceptionally(ex);
            throw new UncheckedIOException(ex);
        }
        catch (final RuntimeException | Error ex)
        {
            started.completeExceptionally(ex);
            throw ex;
        }
    }

    @Override
    public void onSessionOpen(final ClientSession session, final long timestamp)
    {
    }

    @Override
    public void onSessionClose(final ClientSession session, final long timestamp, final CloseReason closeReason)
    {
        for (int i = 0; i < memberSessions.length; i++)
        {
            if (memberSessions[i] == session.id())
            {
                memberSessions[i] = 0;
            }
        }
    }

    @Override
    public void onSessionMessage(
        final ClientSession session, final long timestamp, final DirectBuffer buffer, final int offset,
        final int length, final Header header)
    {
        if (length < ClusterMessages.HEADER_LENGTH || fatal)
        {
            return;
        }
        final int kind = buffer.getInt(offset + ClusterMessages.KIND_OFFSET);
        final int sender = buffer.getInt(offset + ClusterMessages.MEMBER_OFFSET);
        final long batchId = buffer.getLong(offset + ClusterMessages.BATCH_OFFSET);
        if (sender < 0 || sender >= ClusterMessages.MAX_MEMBERS)
        {
            return;
        }
        memberSessions[sender] = session.id();
        if (!awaitJournalSpace())
        {
            // Every member must decide every message the same way: a member that cannot journal a decision stops
            // (and catches up from the others' log when it is back); it never answers differently.
            fatal = true;
            LOGGER.error("cluster member {}: the journal cannot take a decision (space allocated ahead: {} bytes): " +
                "this member stops; the others go on", memberId, engine.journalHeadroom());
            onFatal.run();
            return;
        }
        switch (kind)
        {
            case ClusterMessages.REQUESTS:
                onRequests(session, timestamp, sender, batchId, buffer, offset, length);
                break;
            case ClusterMessages.COMMANDS:
                onCommands(session, timestamp, sender, batchId, buffer, offset, length);
                break;
            case ClusterMessages.MEMBER_START:
                forgetMember(sender);
                startAnswers(sender, batchId);
                offer(session, egress, ClusterMessages.HEADER_LENGTH);
                break;
            default:
                break;
        }
    }

    /**
     * Waits (bounded: {@link #SPACE_WAIT_NS}) for the journal space allocated ahead to reach what a message needs: at
     * start, and on a day's new cycle file, the reserver allocates it in the background.
     *
     * @return true when there is space.
     */
    private boolean awaitJournalSpace()
    {
        if (engine.journalHeadroom() >= DECIDE_HEADROOM_BYTES)
        {
            return true;
        }
        final long startNs = System.nanoTime();
        while (System.nanoTime() - startNs < SPACE_WAIT_NS)
        {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            if (engine.journalHeadroom() >= DECIDE_HEADROOM_BYTES)
            {
                return true;
            }
        }
        return false;
    }

    private void onRequests(
        final ClientSession session, final long timestamp, final int memberId, final long batchId,
        final DirectBuffer buffer, final int offset, final int length)
    {
        startAnswers(memberId, batchId);
        int egressLength = ClusterMessages.HEADER_LENGTH;
        engine.beginJournalBatch();
        int entry = offset + ClusterMessages.HEADER_LENGTH;
        final int end = offset + length;
        while (entry + ClusterMessages.ENTRY_HEADER <= end)
        {
            final int entryLength = buffer.getInt(entry + ClusterMessages.ENTRY_LENGTH_OFFSET);
            final int type = buffer.getInt(entry + ClusterMessages.ENTRY_TYPE_OFFSET);
            if (entryLength < ClusterMessages.ENTRY_HEADER + HandoffRecords.CONTROL_LENGTH || entry + entryLength > end)
            {
                break;
            }
            final int record = entry + ClusterMessages.ENTRY_HEADER;
            final long key = ClusterMessages.sessionKey(memberId,
                buffer.getLong(record + HandoffRecords.CONNECTION_ID_OFFSET));
            if (HandoffRecords.DISCONNECT == type)
            {
                onDisconnect(key);
            }
            else if (HandoffRecords.REQUEST == type)
            {
                egressLength = decide(timestamp, memberId, key, buffer, record,
                    entryLength - ClusterMessages.ENTRY_HEADER, egressLength);
            }
            entry += BitUtil.align(entryLength, BitUtil.SIZE_OF_LONG);
        }
        if (!flush())
        {
            return;
        }
        offer(session, egress, egressLength);
    }

    /**
     * Writes the message's journal records. A member whose journal cannot take them stops (its tables hold decisions
     * its journal does not); the others go on, and it catches up from the log when restarted.
     *
     * @return true when written.
     */
    private boolean flush()
    {
        try
        {
            engine.flushJournal();
            return true;
        }
        catch (final Throwable ex)
        {
            fatal = true;
            LOGGER.error("cluster member {}: journal write failed: this member stops; the others go on",
                memberId, ex);
            onFatal.run();
            return false;
        }
    }

    private void startAnswers(final int memberId, final long batchId)
    {
        egress.putInt(ClusterMessages.KIND_OFFSET, ClusterMessages.ANSWERS);
        egress.putInt(ClusterMessages.MEMBER_OFFSET, memberId);
        egress.putLong(ClusterMessages.BATCH_OFFSET, batchId);
    }

    /**
     * Decides one request and appends its RESPONSE entry (and CLOSE entries of the sessions it replaces on this
     * member) to the egress message.
     *
     * @return the egress message's length.
     */
    private int decide(
        final long nowMs, final int memberId, final long key, final DirectBuffer buffer, final int record,
        final int recordLength, final int egressOffset)
    {
        final int frameOffset = record + HandoffRecords.REQUEST_FRAME_OFFSET;
        final int type = FrameHeader.type(buffer, frameOffset);
        final long sessionTerminalId = terminalBySession.get(key);
        final int entry = egressOffset;
        final int out = entry + ClusterMessages.ENTRY_HEADER;
        final int frameOut = out + HandoffRecords.RESPONSE_FRAME_OFFSET;
        if (frameOut + FrameHeader.MAX_FRAME_BYTES > EGRESS_CAPACITY)
        {
            return egressOffset;
        }

        int responseLength;
        if (MessageType.LOGON != type && NO_SESSION == sessionTerminalId)
        {
            responseLength = localAnswers.error(egress, frameOut, FrameHeader.correlation(buffer, frameOffset),
                ReasonCode.NOT_LOGGED_ON);
        }
        else
        {
            try
            {
                responseLength = engine.onRequest(nowMs, sessionTerminalId, buffer, frameOffset, egress, frameOut);
            }
            catch (final RuntimeException ex)
            {
                LOGGER.error("engine failed on a request; answered SYSTEM_ERROR", ex);
                responseLength = localAnswers.error(egress, frameOut, FrameHeader.correlation(buffer, frameOffset),
                    ReasonCode.SYSTEM_ERROR);
            }
        }
        decided++;

        egress.putLong(out + HandoffRecords.CONNECTION_ID_OFFSET,
            buffer.getLong(record + HandoffRecords.CONNECTION_ID_OFFSET));
        egress.putLong(out + HandoffRecords.RECEIVED_NS_OFFSET, buffer.getLong(record + HandoffRecords.RECEIVED_NS_OFFSET));
        egress.putInt(out + HandoffRecords.RESPONSE_SEQ_OFFSET, buffer.getInt(record + HandoffRecords.REQUEST_SEQ_OFFSET));
        egress.putInt(out + HandoffRecords.RESPONSE_SEQ_OFFSET + BitUtil.SIZE_OF_INT, 0);
        egress.putLong(out + HandoffRecords.RESPONSE_RELEASED_NS_OFFSET, 0);
        final int entryLength = ClusterMessages.ENTRY_HEADER + HandoffRecords.RESPONSE_FRAME_OFFSET + responseLength;
        egress.putInt(entry + ClusterMessages.ENTRY_LENGTH_OFFSET, entryLength);
        egress.putInt(entry + ClusterMessages.ENTRY_TYPE_OFFSET, HandoffRecords.RESPONSE);
        int next = entry + BitUtil.align(entryLength, BitUtil.SIZE_OF_LONG);

        if (MessageType.LOGON_RESULT == (egress.getByte(frameOut + FrameHeader.TYPE_OFFSET) & 0xFF))
        {
            next = onLogonResult(key, sessionTerminalId, buffer, frameOffset, frameOut, next);
        }
        return next;
    }

    private int onLogonResult(
        final long key, final long sessionTerminalId, final DirectBuffer frame, final int frameOffset,
        final int resultFrame, final int egressOffset)
    {
        final int result = egress.getByte(resultFrame + FrameHeader.BODY_OFFSET + Messages.LogonResult.RESULT_OFFSET) &
            0xFF;
        if (ReasonCode.OK != result && NO_SESSION != sessionTerminalId)
        {
            // a failed second LOGON closes the connection (PROTOCOL.md rule 2)
            onDisconnect(key);
            return egressOffset;
        }
        if (ReasonCode.OK != result || NO_SESSION != sessionTerminalId)
        {
            return egressOffset;
        }
        final long terminalId = frame.getLong(
            frameOffset + FrameHeader.BODY_OFFSET + Messages.Logon.TERMINAL_ID_OFFSET, LITTLE_ENDIAN);
        terminalBySession.put(key, terminalId);
        final long older = sessionByTerminal.put(terminalId, key);
        if (NO_SESSION == older || older == key)
        {
            return egressOffset;
        }
        // One session per terminal, cluster-wide: the older connection, on whichever member, is closed.
        terminalBySession.remove(older);
        final int olderMember = ClusterMessages.memberOf(older);
        if (olderMember == ClusterMessages.memberOf(key))
        {
            egress.putInt(egressOffset + ClusterMessages.ENTRY_LENGTH_OFFSET,
                ClusterMessages.ENTRY_HEADER + HandoffRecords.CONTROL_LENGTH);
            egress.putInt(egressOffset + ClusterMessages.ENTRY_TYPE_OFFSET, HandoffRecords.CLOSE);
            egress.putLong(egressOffset + ClusterMessages.ENTRY_HEADER + HandoffRecords.CONNECTION_ID_OFFSET,
                ClusterMessages.connectionOf(older));
            return egressOffset + ClusterMessages.ENTRY_HEADER + HandoffRecords.CONTROL_LENGTH;
        }
        final ClientSession olderSession = 0 == memberSessions[olderMember] ? null :
            cluster.getClientSession(memberSessions[olderMember]);
        if (null != olderSession)
        {
            control.putInt(ClusterMessages.KIND_OFFSET, ClusterMessages.ANSWERS);
            control.putInt(ClusterMessages.MEMBER_OFFSET, olderMember);
            control.putLong(ClusterMessages.BATCH_OFFSET, 0);
            final int entry = ClusterMessages.HEADER_LENGTH;
            control.putInt(entry + ClusterMessages.ENTRY_LENGTH_OFFSET,
                ClusterMessages.ENTRY_HEADER + HandoffRecords.CONTROL_LENGTH);
            control.putInt(entry + ClusterMessages.ENTRY_TYPE_OFFSET, HandoffRecords.CLOSE);
            control.putLong(entry + ClusterMessages.ENTRY_HEADER + HandoffRecords.CONNECTION_ID_OFFSET,
                ClusterMessages.connectionOf(older));
            offer(olderSession, control, entry + ClusterMessages.ENTRY_HEADER + HandoffRecords.CONTROL_LENGTH);
        }
        return egressOffset;
    }

    private void onDisconnect(final long key)
    {
        final long terminalId = terminalBySession.remove(key);
        if (NO_SESSION != terminalId && sessionByTerminal.get(terminalId) == key)
        {
            sessionByTerminal.remove(terminalId);
        }
    }

    private void forgetMember(final int memberId)
    {
        final LongArrayList keys = new LongArrayList();
        terminalBySession.forEachLong((key, terminal) ->
        {
            if (ClusterMessages.memberOf(key) == memberId)
            {
                keys.addLong(key);
            }
        });
        for (int i = 0; i < keys.size(); i++)
        {
            onDisconnect(keys.getLong(i));
        }
        if (!keys.isEmpty())
        {
            LOGGER.info("cluster member {} restarted: its {} earlier sessions are gone", memberId, keys.size());
        }
    }

    private void onCommands(
        final ClientSession session, final long timestamp, final int memberId, final long batchId,
        final DirectBuffer buffer, final int offset, final int length)
    {
        int entry = offset + ClusterMessages.HEADER_LENGTH;
        final int end = offset + length;
        engine.beginJournalBatch();
        while (entry + ClusterMessages.COMMAND_HEADER <= end)
        {
            final int entryLength = buffer.getInt(entry + ClusterMessages.ENTRY_LENGTH_OFFSET);
            if (entryLength < ClusterMessages.COMMAND_HEADER || entry + entryLength > end)
            {
                break;
            }
            engine.applyCommand(timestamp, buffer, entry + ClusterMessages.COMMAND_HEADER,
                entryLength - ClusterMessages.COMMAND_HEADER,
                buffer.getLong(entry + ClusterMessages.COMMAND_QUEUE_INDEX_OFFSET));
            entry += BitUtil.align(entryLength, BitUtil.SIZE_OF_LONG);
        }
        if (!flush())
        {
            return;
        }
        startAnswers(memberId, batchId);
        offer(session, egress, ClusterMessages.HEADER_LENGTH);
    }

    /**
     * Sends an egress message (the leader only; a follower's session sends nothing). A front end that does not take
     * it in time (a dead member, a full egress) misses it: its requests are answered SYSTEM_ERROR by its own timeout
     * (they may have been decided: a retry gets the decision and its receipt).
     */
    private void offer(final ClientSession session, final DirectBuffer buffer, final int length)
    {
        if (null == session || session.isClosing())
        {
            return;
        }
        idle.reset();
        for (int attempt = 0; attempt < OFFER_ATTEMPTS; attempt++)
        {
            final long result = session.offer(buffer, 0, length);
            if (result > 0)
            {
                return;
            }
            if (result == io.aeron.Publication.NOT_CONNECTED || result == io.aeron.Publication.CLOSED ||
                result == io.aeron.Publication.MAX_POSITION_EXCEEDED)
            {
                return;
            }
            idle.idle();
        }
    }

    @Override
    public void onTimerEvent(final long correlationId, final long timestamp)
    {
    }

    // --------------------------------------------------------------------------------------------- snapshots

    @Override
    public void onTakeSnapshot(final ExclusivePublication publication)
    {
        try
        {
            final Path file = engine.saveState(stateDir);
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
            {
                final ByteBuffer bytes = chunk.byteBuffer();
                while (true)
                {
                    bytes.clear().position(8).limit(8 + SNAPSHOT_CHUNK);
                    final int read = channel.read(bytes);
                    if (read <= 0)
                    {
                        break;
                    }
                    chunk.putInt(0, PART_ENGINE);
                    chunk.putInt(4, read);
                    offerSnapshot(publication, chunk, 8 + read);
                }
            }
            finally
            {
                Files.deleteIfExists(file);
            }
            final ExpandableDirectByteBuffer sessions = new ExpandableDirectByteBuffer(1024);
            int position = 0;
            sessions.putInt(position, memberSessions.length);
            position += 4;
            for (final long memberSession : memberSessions)
            {
                sessions.putLong(position, memberSession);
                position += 8;
            }
            sessions.putInt(position, terminalBySession.size());
            position += 4;
            final Long2LongHashMap.EntryIterator it = terminalBySession.entrySet().iterator();
            while (it.hasNext())
            {
                it.next();
                sessions.putLong(position, it.getLongKey());
                sessions.putLong(position + 8, it.getLongValue());
                position += 16;
            }
            for (int from = 0; from < position; from += SNAPSHOT_CHUNK)
            {
                final int n = Math.min(SNAPSHOT_CHUNK, position - from);
                chunk.putInt(0, PART_SESSIONS);
                chunk.putInt(4, n);
                chunk.putBytes(8, sessions, from, n);
                offerSnapshot(publication, chunk, 8 + n);
            }
            chunk.putInt(0, PART_END);
            chunk.putInt(4, 0);
            offerSnapshot(publication, chunk, 8);
            LOGGER.info("cluster member {}: snapshot taken at sequence {}", memberId, engine.lastSequence());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write the engine state for a snapshot", ex);
        }
    }

    private void offerSnapshot(final ExclusivePublication publication, final DirectBuffer buffer, final int length)
    {
        idle.reset();
        while (true)
        {
            final long result = publication.offer(buffer, 0, length);
            if (result > 0)
            {
                return;
            }
            if (result == io.aeron.Publication.CLOSED || result == io.aeron.Publication.MAX_POSITION_EXCEEDED)
            {
                throw new IllegalStateException("snapshot publication failed: " + result);
            }
            idle.idle();
        }
    }

    private void loadSnapshot(final Image image) throws IOException
    {
        final Path file = stateDir.resolve("loading.bin");
        final ExpandableDirectByteBuffer sessions = new ExpandableDirectByteBuffer(1024);
        final int[] sessionBytes = {0};
        final boolean[] done = {false};
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING))
        {
            final ImageFragmentAssembler assembler = new ImageFragmentAssembler((buffer, offset, length, header) ->
            {
                final int part = buffer.getInt(offset);
                final int n = buffer.getInt(offset + 4);
                if (PART_ENGINE == part)
                {
                    final byte[] bytes = new byte[n];
                    buffer.getBytes(offset + 8, bytes);
                    try
                    {
                        final ByteBuffer wrapped = ByteBuffer.wrap(bytes);
                        while (wrapped.hasRemaining())
                        {
                            channel.write(wrapped);
                        }
                    }
                    catch (final IOException ex)
                    {
                        throw new UncheckedIOException(ex);
                    }
                }
                else if (PART_SESSIONS == part)
                {
                    sessions.putBytes(sessionBytes[0], buffer, offset + 8, n);
                    sessionBytes[0] += n;
                }
                else if (PART_END == part)
                {
                    done[0] = true;
                }
            });
            idle.reset();
            while (!done[0])
            {
                final int fragments = image.poll(assembler, 16);
                if (0 == fragments)
                {
                    if (image.isEndOfStream() || image.isClosed())
                    {
                        break;
                    }
                    idle.idle();
                }
            }
        }
        if (!done[0])
        {
            throw new IOException("the cluster snapshot ended early");
        }
        engine.loadState(file);
        Files.deleteIfExists(file);
        int position = 0;
        final int members = sessions.getInt(position);
        position += 4;
        for (int i = 0; i < members; i++)
        {
            final long memberSession = sessions.getLong(position);
            position += 8;
            if (i < memberSessions.length)
            {
                memberSessions[i] = memberSession;
            }
        }
        final int count = sessions.getInt(position);
        position += 4;
        terminalBySession.clear();
        sessionByTerminal.clear();
        for (int i = 0; i < count; i++)
        {
            final long key = sessions.getLong(position);
            final long terminal = sessions.getLong(position + 8);
            position += 16;
            terminalBySession.put(key, terminal);
            sessionByTerminal.put(terminal, key);
        }
        LOGGER.info("cluster member {}: snapshot loaded, sequence {}, {} sessions", memberId,
            engine.lastSequence(), count);
    }

    @Override
    public void onNewLeadershipTermEvent(
        final long leadershipTermId, final long logPosition, final long timestamp, final long termBaseLogPosition,
        final int leaderMemberId, final int logSessionId, final java.util.concurrent.TimeUnit timeUnit,
        final int appVersion)
    {
        termLeader = leaderMemberId;
        termSeen = leadershipTermId;
        LOGGER.info("cluster member {}: leadership term {}, leader member {}, log position {}", memberId,
            leadershipTermId, leaderMemberId, logPosition);
    }

    @Override
    public void onRoleChange(final Cluster.Role newRole)
    {
        leader = Cluster.Role.LEADER == newRole;
        LOGGER.info("cluster member {}: role {}", memberId, newRole);
    }

    @Override
    public void onTerminate(final Cluster cluster)
    {
        closeEngine();
    }

    /**
     * Closes the engine (its journal); on the service thread at termination, or by the member's shutdown.
     */
    void closeEngine()
    {
        final Engine engine = this.engine;
        if (null != engine)
        {
            this.engine = null;
            engine.close();
        }
    }
}
