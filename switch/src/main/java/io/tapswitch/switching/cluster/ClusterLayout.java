package io.tapswitch.switching.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * Where the members of a replicated switch live: member {@code I} of {@code hosts} uses the UDP ports
 * {@code basePort + 10·I + offset}:
 * <pre>
 *   +0 ingress    the cluster clients (every member's front end) send requests to the leader here
 *   +1 consensus  members to members (votes, appends, commit positions)
 *   +2 log        the replicated log, leader to followers
 *   +3 catch-up   a member that is behind receives the log it missed here
 *   +4 archive    control of the member's Aeron Archive (log recording, replays, snapshot replication)
 *   +5 egress     answers of the leader's service to this member's front end
 * </pre>
 * Log and snapshot replication use ephemeral UDP ports besides these. Files: {@code <data-dir>/cluster/consensus}
 * (cluster mark file, recording log, snapshots' index), {@code <data-dir>/cluster/archive} (the recorded log and the
 * snapshots); the Aeron media driver's directory is {@code /dev/shm/tapswitch-aeron-<basePort>-<I>} (in memory;
 * {@code <data-dir>/cluster/driver} where there is no /dev/shm). Immutable.
 */
public final class ClusterLayout
{
    public static final int PORTS_PER_MEMBER = 10;
    public static final int INGRESS = 0;
    public static final int CONSENSUS = 1;
    public static final int LOG = 2;
    public static final int CATCHUP = 3;
    public static final int ARCHIVE = 4;
    public static final int EGRESS = 5;

    private final int memberId;
    private final List<String> hosts;
    private final int basePort;
    private final Path dataDir;

    /**
     * @param memberId this member, 0 .. hosts.size() - 1.
     * @param hosts    every member's host (name or address), by member id; 3 for a fault-tolerant cluster.
     * @param basePort the first port of member 0.
     * @param dataDir  this member's data directory.
     */
    public ClusterLayout(final int memberId, final List<String> hosts, final int basePort, final Path dataDir)
    {
        if (hosts.isEmpty() || hosts.size() > ClusterMessages.MAX_MEMBERS)
        {
            throw new IllegalArgumentException("cluster-hosts: 1 to " + ClusterMessages.MAX_MEMBERS + " hosts, got " +
                hosts.size());
        }
        if (memberId < 0 || memberId >= hosts.size())
        {
            throw new IllegalArgumentException("cluster-member " + memberId + " is not one of the " + hosts.size() +
                " cluster-hosts (0 .. " + (hosts.size() - 1) + ")");
        }
        if (basePort < 1 || basePort + PORTS_PER_MEMBER * hosts.size() > 65535)
        {
            throw new IllegalArgumentException("cluster-base-port " + basePort + ": the ports of " + hosts.size() +
                " members must fit below 65536");
        }
        this.memberId = memberId;
        this.hosts = List.copyOf(hosts);
        this.basePort = basePort;
        this.dataDir = dataDir;
    }

    public int memberId()
    {
        return memberId;
    }

    public Path dataDir()
    {
        return dataDir;
    }

    public int memberCount()
    {
        return hosts.size();
    }

    public String host()
    {
        return hosts.get(memberId);
    }

    public int port(final int member, final int offset)
    {
        return basePort + PORTS_PER_MEMBER * member + offset;
    }

    /**
     * @return the consensus module's member list: {@code id,ingress,consensus,log,catchup,archive|...}.
     */
    public String clusterMembers()
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < hosts.size(); i++)
        {
            final String host = hosts.get(i);
            sb.append(i)
                .append(',').append(host).append(':').append(port(i, INGRESS))
                .append(',').append(host).append(':').append(port(i, CONSENSUS))
                .append(',').append(host).append(':').append(port(i, LOG))
                .append(',').append(host).append(':').append(port(i, CATCHUP))
                .append(',').append(host).append(':').append(port(i, ARCHIVE))
                .append('|');
        }
        sb.setLength(sb.length() - 1);
        return sb.toString();
    }

    /**
     * @return the cluster client's ingress endpoints: {@code 0=host:port,1=host:port,...}.
     */
    public String ingressEndpoints()
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < hosts.size(); i++)
        {
            if (i > 0)
            {
                sb.append(',');
            }
            sb.append(i).append('=').append(hosts.get(i)).append(':').append(port(i, INGRESS));
        }
        return sb.toString();
    }

    public String archiveControlChannel()
    {
        return "aeron:udp?endpoint=" + host() + ":" + port(memberId, ARCHIVE);
    }

    public String egressChannel()
    {
        return "aeron:udp?endpoint=" + host() + ":" + port(memberId, EGRESS);
    }

    /**
     * @return a UDP channel on this member's host with an ephemeral port (replication).
     */
    public String ephemeralChannel()
    {
        return "aeron:udp?endpoint=" + host() + ":0";
    }

    public Path clusterDir()
    {
        return dataDir.resolve("cluster").resolve("consensus");
    }

    public Path archiveDir()
    {
        return dataDir.resolve("cluster").resolve("archive");
    }

    /**
     * @return the media driver's directory: in memory under /dev/shm where there is one.
     */
    public String aeronDir()
    {
        final Path shm = Paths.get("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm))
        {
            return shm.resolve("tapswitch-aeron-" + basePort + "-" + memberId).toString();
        }
        return dataDir.resolve("cluster").resolve("driver").toString();
    }

    /**
     * @return a temporary directory for state files written and read by the service (snapshots).
     */
    public Path stateDir()
    {
        return dataDir.resolve("cluster").resolve("state");
    }
}
