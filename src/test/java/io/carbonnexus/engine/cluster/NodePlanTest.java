package io.carbonnexus.engine.cluster;

import io.carbonnexus.engine.config.ConfigException;
import io.carbonnexus.engine.config.ConfigKeys;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NodePlanTest {

  private static NodePlan plan(String verticles, String instances) {
    JsonObject conf = new JsonObject();
    ConfigKeys.NODE_VERTICLES.put(conf, verticles);
    ConfigKeys.NODE_INSTANCES.put(conf, instances);
    return NodePlan.of(conf);
  }

  @Test
  void allIsEveryVerticleOnceInDeploymentOrder() {
    NodePlan all = plan("all", null);
    assertThat(all.instances().keySet()).containsExactlyElementsOf(NodePlan.VERTICLES);
    all.instances().forEach((v, n) -> assertThat(n).as(v).isEqualTo(v.equals("http") ? NodePlan.DEFAULT_HTTP_INSTANCES : 1));
    assertThat(plan(null, null).instances()).isEqualTo(all.instances());
  }

  @Test
  void aListKeepsDeploymentOrderAndInstancesApply() {
    NodePlan p = plan(" HTTP, detection ,prediction", "http=3, prediction=2");
    assertThat(p.instances().keySet()).containsExactly("prediction", "detection", "http");
    assertThat(p.instancesOf("http")).isEqualTo(3);
    assertThat(p.instancesOf("prediction")).isEqualTo(2);
    assertThat(p.instancesOf("detection")).isEqualTo(1);
    assertThat(p.runs("ingestion")).isFalse();
    assertThat(p.toString()).isEqualTo("prediction x2, detection, http x3");
    assertThat(plan("http", null).instancesOf("http")).isEqualTo(NodePlan.DEFAULT_HTTP_INSTANCES);
  }

  @Test
  void noneIsADatabaseOnlyNode() {
    assertThat(plan("none", null).databaseOnly()).isTrue();
    assertThat(plan("all", null).databaseOnly()).isFalse();
  }

  @Test
  void mistakesNameTheSettingAndTheValue() {
    assertThatThrownBy(() -> plan("http,detecton", null)).isInstanceOf(ConfigException.class)
      .hasMessageContaining("NEXUS_NODE_VERTICLES").hasMessageContaining("detecton");
    for (String bad : List.of("http", "http=0", "http=x", "ingestion=2", "=2")) {
      assertThatThrownBy(() -> plan("http,detection", bad)).as(bad).isInstanceOf(ConfigException.class)
        .hasMessageContaining("NEXUS_NODE_INSTANCES");
    }
  }

  @Test
  void clusterMembersMustBeHostAndPort() {
    JsonObject conf = new JsonObject();
    ConfigKeys.CLUSTER_MEMBERS.put(conf, "127.0.0.1:5701, 10.0.0.2:5702");
    ClusterSettings ok = ClusterSettings.of(conf);
    assertThat(ok.members()).containsExactly("127.0.0.1:5701", "10.0.0.2:5702");
    assertThat(ok.host()).isEqualTo("127.0.0.1");
    ConfigKeys.CLUSTER_MEMBERS.put(conf, "127.0.0.1");
    assertThatThrownBy(() -> ClusterSettings.of(conf)).isInstanceOf(ConfigException.class)
      .hasMessageContaining("NEXUS_CLUSTER_MEMBERS");
  }

  @Test
  void theHazelcastConfigurationStaysOnTheGivenInterfaceWithoutMulticast() {
    JsonObject conf = new JsonObject();
    ConfigKeys.CLUSTER_PORT.put(conf, 5799);
    ClusterSettings settings = ClusterSettings.of(conf);
    var network = settings.hazelcastConfig().getNetworkConfig();
    assertThat(network.getJoin().getMulticastConfig().isEnabled()).isFalse();
    assertThat(network.getJoin().getAutoDetectionConfig().isEnabled()).isFalse();
    assertThat(network.getJoin().getTcpIpConfig().getMembers()).containsExactly("127.0.0.1:5701");
    assertThat(network.getInterfaces().getInterfaces()).containsExactly("127.0.0.1");
    assertThat(network.getPort()).isEqualTo(5799);
    assertThat(settings.hazelcastConfig().getProperty("hazelcast.phone.home.enabled")).isEqualTo("false");
    // Vert.x's own structures keep their settings.
    assertThat(settings.hazelcastConfig().getMultiMapConfigs()).containsKey("__vertx.subs");
  }
}
