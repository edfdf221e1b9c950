package io.carbonnexus.engine.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.carbonnexus.engine.config.ConfigException;
import io.carbonnexus.engine.config.ConfigKeys;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.Arrays;
import java.util.List;

/**
 * How a node joins its cluster: Hazelcast through vertx-hazelcast, configured in code from the
 * {@code cluster.*} settings. Vert.x's own map settings come from its default configuration;
 * the network is ours: bound to {@code cluster.host} only, TCP/IP discovery of
 * {@code cluster.members}, no multicast, no cloud auto-detection, no phone-home.
 */
public record ClusterSettings(String name, String host, int port, List<String> members, int busPort) {

  public static ClusterSettings of(JsonObject conf) {
    String members = ConfigKeys.CLUSTER_MEMBERS.get(conf);
    List<String> list = members == null ? List.of()
      : Arrays.stream(members.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    for (String member : list) {
      int colon = member.lastIndexOf(':');
      if (colon <= 0 || !member.substring(colon + 1).matches("[0-9]{1,5}")) {
        throw new ConfigException("cluster.members (NEXUS_CLUSTER_MEMBERS): '" + member + "' is not host:port");
      }
    }
    if (list.isEmpty()) {
      throw new ConfigException("cluster.members (NEXUS_CLUSTER_MEMBERS): give at least one host:port");
    }
    String name = ConfigKeys.CLUSTER_NAME.get(conf);
    String host = ConfigKeys.CLUSTER_HOST.get(conf);
    if (name == null || host == null) {
      throw new ConfigException("cluster.name and cluster.host (NEXUS_CLUSTER_NAME, NEXUS_CLUSTER_HOST) must be set");
    }
    return new ClusterSettings(name, host, ConfigKeys.CLUSTER_PORT.get(conf), list, ConfigKeys.CLUSTER_BUS_PORT.get(conf));
  }

  public HazelcastClusterManager clusterManager() {
    return new HazelcastClusterManager(hazelcastConfig());
  }

  /** Vert.x's default Hazelcast configuration with this node's network. */
  public Config hazelcastConfig() {
    Config hz = ConfigUtil.loadConfig();
    hz.setClusterName(name);
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    hz.setProperty("hazelcast.logging.type", "slf4j");
    // Members find each other in about a second instead of the default five.
    hz.setProperty("hazelcast.wait.seconds.before.join", "1");
    hz.setProperty("hazelcast.socket.bind.any", "false");
    // The engine's own shutdown hook closes Vert.x, which leaves the cluster and stops Hazelcast;
    // Hazelcast's hook would race it.
    hz.setProperty("hazelcast.shutdownhook.enabled", "false");
    // A node that dies is noticed within seconds, so its share of the work moves on quickly.
    hz.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    hz.setProperty("hazelcast.max.no.heartbeat.seconds", "10");
    NetworkConfig network = hz.getNetworkConfig();
    network.setPort(port).setPortAutoIncrement(false).setPublicAddress(host + ":" + port);
    network.getInterfaces().setEnabled(true).setInterfaces(List.of(host));
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(members);
    return hz;
  }

  public EventBusOptions eventBusOptions() {
    return new EventBusOptions().setHost(host).setPort(busPort).setClusterPublicHost(host);
  }

  @Override
  public String toString() {
    return "cluster '" + name + "' as " + host + ":" + port + " (members " + String.join(", ", members) + ")";
  }
}
