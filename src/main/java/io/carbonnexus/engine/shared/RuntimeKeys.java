package io.carbonnexus.engine.shared;

/**
 * Fields the engine adds to each verticle's configuration at deployment: facts of this running
 * node, not settings a user writes (they are not in {@code conf/config.yaml}).
 */
public final class RuntimeKeys {

  /** Name of this node's Micrometer registry (unique per engine, so several engines can share a JVM). */
  public static final String METRICS_REGISTRY = "runtime_metrics_registry";

  /** true when this engine runs its own embedded PostgreSQL. */
  public static final String EMBEDDED_DATABASE = "runtime_embedded_database";

  /** This node's id: its cluster member id when clustered, a random one otherwise (logs, detection_runs.node). */
  public static final String NODE_ID = "runtime_node_id";

  private RuntimeKeys() {
  }
}
