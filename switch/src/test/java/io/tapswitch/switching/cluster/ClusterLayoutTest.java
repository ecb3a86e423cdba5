package io.tapswitch.switching.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The ports and endpoints each member derives from {@code --cluster-member I --cluster-hosts H0,H1,H2
 * --cluster-base-port B} (README, switch/CLUSTER.md): B + 10·I + 0 ingress, 1 consensus, 2 log, 3 catch-up,
 * 4 archive, 5 egress; bad values are refused with the setting's name.
 */
class ClusterLayoutTest
{
    private static final List<String> HOSTS = List.of("h0", "h1", "h2");

    @Test
    void shouldDeriveEveryMembersPortsFromTheBasePort()
    {
        final ClusterLayout layout = new ClusterLayout(1, HOSTS, 9100, Path.of("/data"));

        assertThat(layout.clusterMembers()).isEqualTo(
            "0,h0:9100,h0:9101,h0:9102,h0:9103,h0:9104|" +
            "1,h1:9110,h1:9111,h1:9112,h1:9113,h1:9114|" +
            "2,h2:9120,h2:9121,h2:9122,h2:9123,h2:9124");
        assertThat(layout.ingressEndpoints()).isEqualTo("0=h0:9100,1=h1:9110,2=h2:9120");
        assertThat(layout.archiveControlChannel()).isEqualTo("aeron:udp?endpoint=h1:9114");
        assertThat(layout.egressChannel()).isEqualTo("aeron:udp?endpoint=h1:9115");
        assertThat(layout.host()).isEqualTo("h1");
        assertThat(layout.clusterDir()).isEqualTo(Path.of("/data/cluster/consensus"));
        assertThat(layout.archiveDir()).isEqualTo(Path.of("/data/cluster/archive"));
    }

    @Test
    void shouldRefuseAMemberOutsideTheHostsOrPortsPast65535()
    {
        assertThatThrownBy(() -> new ClusterLayout(3, HOSTS, 9100, Path.of("/data")))
            .hasMessageContaining("cluster-member 3");
        assertThatThrownBy(() -> new ClusterLayout(-1, HOSTS, 9100, Path.of("/data")))
            .hasMessageContaining("cluster-member -1");
        assertThatThrownBy(() -> new ClusterLayout(0, HOSTS, 65_510, Path.of("/data")))
            .hasMessageContaining("cluster-base-port 65510");
        assertThatThrownBy(() -> new ClusterLayout(0, List.of(), 9100, Path.of("/data")))
            .hasMessageContaining("cluster-hosts");
    }

    @Test
    void shouldKeyASessionByMemberAndConnection()
    {
        final long connection = (123_456_789L << 8) | 3;
        final long key = ClusterMessages.sessionKey(2, connection);
        assertThat(ClusterMessages.memberOf(key)).isEqualTo(2);
        assertThat(ClusterMessages.connectionOf(key)).isEqualTo(connection);
        assertThat(key).isNotEqualTo(ClusterMessages.sessionKey(1, connection));
    }
}
