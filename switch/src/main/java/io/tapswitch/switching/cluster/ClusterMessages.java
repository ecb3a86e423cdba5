package io.tapswitch.switching.cluster;

/**
 * Layouts of the messages between a member's front end and the clustered service (all fields native order, which
 * is little-endian on every platform the switch runs on; the entries copy the {@code pipeline.HandoffRecords}
 * records of the rings byte for byte).
 * <pre>
 * every message:        0:4 kind   4:4 memberId   8:8 batchId   16: entries
 * ingress REQUESTS:     entry = 0:4 entryLength (8-aligned, header included) 4:4 recordType (REQUEST / DISCONNECT)
 *                       8: the request-ring record (connectionId, receivedNs, nowMs, seq, pad, frame / connectionId)
 * ingress COMMANDS:     entry = 0:4 entryLength 4:4 pad 8:8 commandQueueIndex 16: the admin command as queued
 * ingress MEMBER_START: no entries (a member process started: the sessions of its earlier life are gone)
 * egress ANSWERS:       entry = 0:4 entryLength 4:4 recordType (RESPONSE / CLOSE) 8: the response-ring record
 *                       (connectionId, receivedNs, seq, pad, releasedNs, frame / connectionId); batchId 0 carries
 *                       only CLOSE records (another member's LOGON replaced a session of this member)
 * </pre>
 * Every REQUESTS and COMMANDS batch is answered by one ANSWERS message with its batchId (empty for COMMANDS), sent
 * by the leader's service to the member that sent it, after the batch was committed and decided.
 */
final class ClusterMessages
{
    static final int KIND_OFFSET = 0;
    static final int MEMBER_OFFSET = 4;
    static final int BATCH_OFFSET = 8;
    static final int HEADER_LENGTH = 16;

    static final int REQUESTS = 1;
    static final int COMMANDS = 2;
    static final int MEMBER_START = 3;
    static final int ANSWERS = 4;

    static final int ENTRY_LENGTH_OFFSET = 0;
    static final int ENTRY_TYPE_OFFSET = 4;
    static final int ENTRY_HEADER = 8;
    static final int COMMAND_QUEUE_INDEX_OFFSET = 8;
    static final int COMMAND_HEADER = 16;

    /** Members at most (a session key keeps the member id in its top bits). */
    static final int MAX_MEMBERS = 16;
    private static final int MEMBER_SHIFT = 58;

    private ClusterMessages()
    {
    }

    /**
     * @return a key naming a connection of a member cluster-wide (connection ids are unique per member process).
     */
    static long sessionKey(final int memberId, final long connectionId)
    {
        return ((long)memberId << MEMBER_SHIFT) | connectionId;
    }

    static int memberOf(final long sessionKey)
    {
        return (int)(sessionKey >>> MEMBER_SHIFT);
    }

    static long connectionOf(final long sessionKey)
    {
        return sessionKey & ((1L << MEMBER_SHIFT) - 1);
    }
}
