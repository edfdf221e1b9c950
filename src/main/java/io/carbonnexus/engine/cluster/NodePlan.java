package io.carbonnexus.engine.cluster;

import io.carbonnexus.engine.Verticles;
import io.carbonnexus.engine.config.ConfigException;
import io.carbonnexus.engine.config.ConfigKeys;
import io.vertx.core.json.JsonObject;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which verticles this node runs and how many instances of each, from {@code node.verticles}
 * and {@code node.instances}. Every node of a cluster may run a different plan (an HTTP-only
 * node, a detection-only node); together they should run each verticle somewhere.
 */
public record NodePlan(Map<String, Integer> instances) {

  /**
   * Every verticle a node can run, in deployment order (listeners before the producers they hear):
   * the names of the engine's catalogue, {@link Verticles}.
   */
  public static final List<String> VERTICLES = Verticles.NAMES;

  /** The HTTP verticle runs one instance per core unless told otherwise (see {@link Verticles#HTTP}). */
  static final int DEFAULT_HTTP_INSTANCES = Verticles.HTTP.defaultInstances();

  public static NodePlan of(JsonObject conf) {
    String verticles = ConfigKeys.NODE_VERTICLES.get(conf);
    String list = verticles == null ? "" : verticles.trim().toLowerCase(Locale.ROOT);
    List<String> chosen = list.isEmpty() || list.equals("all") ? VERTICLES
      : list.equals("none") ? List.of() : names(verticles, "node.verticles (NEXUS_NODE_VERTICLES)");
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (Verticles v : Verticles.values()) {
      if (chosen.contains(v.label())) {
        counts.put(v.label(), v.defaultInstances());
      }
    }
    String instances = ConfigKeys.NODE_INSTANCES.get(conf);
    if (instances != null && !instances.isBlank()) {
      for (String item : instances.split(",")) {
        String[] parts = item.trim().split("=", 2);
        String what = "node.instances (NEXUS_NODE_INSTANCES): '" + item.trim() + "'";
        if (parts.length != 2 || parts[0].isBlank() || !parts[1].trim().matches("[0-9]{1,3}")
          || Integer.parseInt(parts[1].trim()) < 1) {
          throw new ConfigException(what + " is not verticle=count with a count from 1 to 999");
        }
        String name = names(parts[0], what).get(0);
        if (!counts.containsKey(name)) {
          throw new ConfigException(what + ": this node does not run " + name + " (node.verticles)");
        }
        counts.put(name, Integer.parseInt(parts[1].trim()));
      }
    }
    return new NodePlan(counts);
  }

  private static List<String> names(String list, String what) {
    List<String> names = Arrays.stream(list.split(",")).map(s -> s.trim().toLowerCase(Locale.ROOT))
      .filter(s -> !s.isEmpty()).toList();
    for (String name : names) {
      if (!VERTICLES.contains(name)) {
        throw new ConfigException(what + ": unknown verticle '" + name + "'; known: all, " + String.join(", ", VERTICLES));
      }
    }
    return names;
  }

  /** A node that runs no verticle: it only hosts the embedded database (and migrates it) for other nodes. */
  public boolean databaseOnly() {
    return instances.isEmpty();
  }

  public boolean runs(String verticle) {
    return instances.containsKey(verticle);
  }

  public int instancesOf(String verticle) {
    return instances.getOrDefault(verticle, 0);
  }

  @Override
  public String toString() {
    if (instances.isEmpty()) {
      return "no verticles (database only)";
    }
    StringBuilder s = new StringBuilder();
    instances.forEach((v, n) -> s.append(s.length() == 0 ? "" : ", ").append(v).append(n > 1 ? " x" + n : ""));
    return s.toString();
  }
}
