package io.tapswitch.switching.pipeline;

/**
 * Layouts of the records that cross between the event loops and the engine thread. Two kinds of ring:
 * one many-to-one request ring (event loops write, the engine thread reads) and one one-to-one response
 * ring per event loop (the engine thread writes, that event loop reads). All fields native order.
 * <pre>
 * request ring, type {@link #REQUEST}:
 *   0:8  connectionId   8:8 receivedNs   16:8 nowMs   24:4 seq   28:4 pad   32:… request frame
 * request ring, type {@link #DISCONNECT}:
 *   0:8  connectionId
 * response ring, type {@link #RESPONSE}:
 *   0:8  connectionId   8:8 receivedNs   16:4 seq   20:4 pad   24:… response frame
 * response ring, type {@link #CLOSE}:
 *   0:8  connectionId   (another connection logged on as the same terminal)
 * </pre>
 * Constants and static helpers only; thread-safe.
 */
public final class HandoffRecords
{
    public static final int REQUEST = 1;
    public static final int DISCONNECT = 2;
    public static final int RESPONSE = 3;
    public static final int CLOSE = 4;

    public static final int CONNECTION_ID_OFFSET = 0;
    public static final int RECEIVED_NS_OFFSET = 8;
    public static final int REQUEST_NOW_MS_OFFSET = 16;
    public static final int REQUEST_SEQ_OFFSET = 24;
    public static final int REQUEST_FRAME_OFFSET = 32;

    public static final int RESPONSE_SEQ_OFFSET = 16;
    /** When the engine thread released the response to the ring ({@code System.nanoTime()}). */
    public static final int RESPONSE_RELEASED_NS_OFFSET = 24;
    public static final int RESPONSE_FRAME_OFFSET = 32;

    public static final int CONTROL_LENGTH = 8;

    /** Bits of a connection id that name its event loop; the rest is a per-loop sequence. */
    public static final int LOOP_BITS = 8;
    public static final int MAX_LOOPS = 1 << LOOP_BITS;

    private HandoffRecords()
    {
    }

    public static long connectionId(final long sequence, final int loopIndex)
    {
        return (sequence << LOOP_BITS) | loopIndex;
    }

    public static int loopIndex(final long connectionId)
    {
        return (int)(connectionId & (MAX_LOOPS - 1));
    }
}
