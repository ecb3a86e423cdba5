package io.tapswitch.switching.pipeline;

import java.util.concurrent.CompletableFuture;

import io.tapswitch.switching.engine.Engine;
import io.tapswitch.switching.journal.JournalSyncer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

/**
 * What the network layer hands its requests to and takes its answers from: the agent that reads the request ring
 * ({@link HandoffRecords}) and writes each event loop's response ring. The single-node switch runs the
 * {@link EngineAgent} (the engine on this thread); the replicated switch runs a cluster front end
 * ({@code io.tapswitch.switching.cluster.ClusterFrontEnd}: the requests go to the cluster, the answers come back).
 * Runs on one thread under an {@link org.agrona.concurrent.AgentRunner}; the other methods from any thread.
 */
public interface EngineSide extends Agent
{
    /**
     * Creates the engine side once the rings exist.
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
        EngineSide create(ManyToOneRingBuffer requests, OneToOneRingBuffer[] responses, Runnable[] wakers,
            io.tapswitch.switching.metrics.Counters counters);
    }

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
