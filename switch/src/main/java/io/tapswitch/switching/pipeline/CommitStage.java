package io.tapswitch.switching.pipeline;

import java.util.concurrent.CompletableFuture;

import io.tapswitch.switching.engine.Engine;
import io.tapswitch.switching.journal.JournalSyncer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

/**
 * The commit stage: the one place where the switch decides when an answer is durable, and so when it may leave. It
 * is the agent between the network layer's rings: it reads the requests the event loops queue ({@link HandoffRecords})
 * and writes an answer to its event loop's response ring only once the outcome is as durable as its
 * {@link #durability()} says; an answer it cannot make durable in time is ERROR SYSTEM_ERROR (PROTOCOL.md rule 14,
 * the terminal may retry the same request), one it never decided may be BUSY. The network layer knows nothing else of
 * it; which one runs is chosen once at start. The three implementations:
 * <table>
 *   <caption>commit stages</caption>
 *   <tr><th>setting</th><th>stage</th><th>an answer leaves once</th><th>it survives</th></tr>
 *   <tr><td>{@code journal-sync=none}</td><td>{@link EngineAgent} with {@link LocalCommit#WRITTEN}</td>
 *       <td>decided here and its record written to the memory-mapped journal</td><td>a process crash</td></tr>
 *   <tr><td>{@code journal-sync=batch} (default)</td><td>{@link EngineAgent} with {@link LocalGroupCommit}</td>
 *       <td>decided here and the journal forced to the disk ({@code fdatasync}, group commit on the
 *       {@link JournalSyncer} thread)</td><td>a power loss</td></tr>
 *   <tr><td>{@code cluster-member} set</td><td>{@code io.tapswitch.switching.cluster.ClusterFrontEnd}</td>
 *       <td>the request committed to the replicated log (held by a majority of members), then decided by the
 *       replicated engine of every member in log order</td><td>the loss of a minority of the machines (one of three)</td></tr>
 * </table>
 * Two shapes: <em>decide, then commit</em> on a single node (the engine decides on this thread, each written batch
 * is committed by a {@link LocalCommit} while the next one is decided, its answers held in {@link HeldAnswers} until
 * then) and <em>commit, then decide</em> when replicated (the requests are committed first, the cluster's service
 * decides them and the answers come back). Either way an answer never leaves before what it reports is durable.
 * <p>
 * Runs on one thread under an {@link org.agrona.concurrent.AgentRunner}; the other methods from any thread.
 */
public interface CommitStage extends Agent
{
    /**
     * What an answered decision survives, by commit stage.
     */
    enum Durability
    {
        /** Written to the memory-mapped journal ({@code journal-sync=none}). */
        WRITTEN("a process crash"),
        /** Forced to this machine's disk ({@code journal-sync=batch}). */
        LOCAL_SYNC("a power loss"),
        /** Held by a majority of the cluster's members (the replicated switch). */
        QUORUM("the loss of a minority of the cluster's machines (one of three)");

        private final String survives;

        Durability(final String survives)
        {
            this.survives = survives;
        }

        /**
         * @return what an answered decision survives, in words (for the start log).
         */
        public String survives()
        {
            return survives;
        }
    }

    /**
     * Creates the commit stage once the rings exist.
     */
    @FunctionalInterface
    interface Factory
    {
        /**
         * @param requests  the ring the event loops write requests to.
         * @param responses one response ring per event loop, by loop index.
         * @param wakers    one task per event loop that schedules its response drain (idempotent).
         * @param counters  the counters the network metrics read.
         * @return the agent, not started.
         */
        CommitStage create(ManyToOneRingBuffer requests, OneToOneRingBuffer[] responses, Runnable[] wakers,
            io.tapswitch.switching.metrics.Counters counters);
    }

    /**
     * @return when an answer of this stage leaves: what it survives.
     */
    Durability durability();

    /**
     * @return completes once requests are served (the engine open, the queued commands applied: their count).
     */
    CompletableFuture<Long> started();

    /**
     * @return the engine whose counters the metrics read, once started (null when the engine runs elsewhere).
     */
    Engine engine();

    /**
     * @return false while requests are answered SYSTEM_ERROR because nothing can be made durable.
     */
    boolean journalWritable();

    /**
     * @return the local journal syncer, or null.
     */
    JournalSyncer syncer();

    /**
     * @param onFatal run once after a fault this process cannot heal; it should stop the process.
     */
    void onFatal(Runnable onFatal);

    void pause();

    void resume();

    /**
     * Lets a response offer that waits for a full response ring give up (at shutdown).
     */
    void stopWaiting();
}
