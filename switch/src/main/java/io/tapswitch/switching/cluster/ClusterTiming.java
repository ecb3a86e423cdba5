package io.tapswitch.switching.cluster;

import java.util.concurrent.TimeUnit;

/**
 * The timeouts of a replicated switch, from the two settings {@code cluster-leader-timeout-ms} and
 * {@code cluster-election-timeout-ms} (switch/CLUSTER.md, "Failover time"). A leader's death is noticed after the
 * leader timeout; the survivors then canvass (their positions every {@link #electionStatusIntervalNs()}), one
 * nominates itself after a random delay below half the election timeout, and its ballot lasts the election timeout
 * (in full when a member is down: only a unanimous vote ends it early). So the failover takes about
 * {@code leader timeout + 0.25 · election timeout + election timeout} plus the new leader's first heartbeats and the
 * front ends' reconnection to it. Immutable.
 *
 * @param leaderTimeoutNs   a leader silent this long is replaced.
 * @param electionTimeoutNs how long a ballot waits for votes.
 */
public record ClusterTiming(long leaderTimeoutNs, long electionTimeoutNs)
{
    /** The defaults of the settings: failover in well under 1 s on loopback (BENCHMARKS.md). */
    public static final ClusterTiming DEFAULT = ofMillis(500, 150);

    public ClusterTiming
    {
        if (leaderTimeoutNs < TimeUnit.MILLISECONDS.toNanos(50) || electionTimeoutNs < TimeUnit.MILLISECONDS.toNanos(10))
        {
            throw new IllegalArgumentException("cluster timeouts too short: leader " + leaderTimeoutNs + " ns, election " +
                electionTimeoutNs + " ns");
        }
    }

    /**
     * @param leaderTimeoutMs   {@code cluster-leader-timeout-ms}.
     * @param electionTimeoutMs {@code cluster-election-timeout-ms}.
     * @return the timing.
     */
    public static ClusterTiming ofMillis(final long leaderTimeoutMs, final long electionTimeoutMs)
    {
        return new ClusterTiming(TimeUnit.MILLISECONDS.toNanos(leaderTimeoutMs),
            TimeUnit.MILLISECONDS.toNanos(electionTimeoutMs));
    }

    /**
     * @return the leader's heartbeat period: a tenth of the leader timeout (nine heartbeats may be lost or late).
     */
    public long leaderHeartbeatIntervalNs()
    {
        return leaderTimeoutNs / 10;
    }

    /**
     * @return how often a member publishes its position during an election: a fifth of the election timeout, at
     * most Aeron's default of 100 ms.
     */
    public long electionStatusIntervalNs()
    {
        return Math.min(TimeUnit.MILLISECONDS.toNanos(100), electionTimeoutNs / 5);
    }

    /**
     * @return how long the cluster client of a front end waits for a new leader after its old one went silent before
     * it starts over (twice the leader timeout plus the election: Aeron's rule with the election added).
     */
    public long newLeaderTimeoutNs()
    {
        return 2 * leaderTimeoutNs + 2 * electionTimeoutNs;
    }
}
