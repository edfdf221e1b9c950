package io.carbonnexus.engine;

import io.carbonnexus.engine.cluster.ClusterSettings;
import io.carbonnexus.engine.cluster.NodePlan;
import io.carbonnexus.engine.config.ConfigException;
import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.config.EngineConfig;
import io.carbonnexus.engine.db.EmbeddedDatabase;
import io.carbonnexus.engine.notify.NotifySettings;
import io.carbonnexus.engine.shared.RuntimeKeys;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One running engine node: configuration read, database up and migrated ({@link DatabaseBootstrap}),
 * the verticles of its plan deployed from the catalogue ({@link Verticles}), configuration watched
 * ({@link ConfigWatcher}). This class orchestrates those steps and the shutdown.
 * {@link #start} blocks its caller (a plain thread, never an event loop) until the node is ready
 * or has failed; on failure everything it started is stopped again.
 */
public final class Engine implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

  /** Where the configuration comes from; {@link #defaults()} is what {@code scripts/run} uses. */
  public record Options(Path configFile, boolean configFileRequired, Map<String, String> env, JsonObject overrides) {
    public static Options defaults() {
      return new Options(EngineConfig.DEFAULT_FILE, false, System.getenv(), new JsonObject());
    }

    public Options withOverrides(JsonObject overrides) {
      return new Options(configFile, configFileRequired, env, overrides);
    }
  }

  private final Options options;
  private final String registry = "nexus-" + UUID.randomUUID();
  private volatile Vertx vertx;
  private volatile String nodeId = UUID.randomUUID().toString().substring(0, 8);
  private NodePlan plan;
  private final AtomicBoolean closed = new AtomicBoolean();
  /** Starting the embedded database and closing the engine exclude each other: a stop never misses a server. */
  private final Object databaseLifecycle = new Object();
  private volatile EmbeddedDatabase embedded;
  /** The configuration the verticles were deployed with; after start-up, the watcher holds the current one. */
  private volatile JsonObject config;
  private volatile ConfigWatcher watcher;
  /** Deployment ids in deployment order: undeployed in reverse, producers before their consumers. */
  private final List<String> deployments = new java.util.concurrent.CopyOnWriteArrayList<>();

  private Engine(Options options) {
    this.options = options;
  }

  /**
   * This node's Vert.x: alone, or joined to its Hazelcast cluster when {@code cluster.enabled}
   * (the event bus then spans every node, and so do the browser channels).
   */
  private Vertx createVertx(JsonObject conf) {
    VertxOptions vertxOptions = new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions()
      .setEnabled(true)
      .setRegistryName(registry)
      .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)));
    if (!ConfigKeys.CLUSTER_ENABLED.get(conf) || plan.databaseOnly()) {
      return Vertx.builder().with(vertxOptions).withMetrics(new MicrometerMetricsFactory()).build();
    }
    ClusterSettings cluster = ClusterSettings.of(conf);
    LOG.info("Joining {}", cluster);
    try {
      HazelcastClusterManager manager = cluster.clusterManager();
      Vertx clustered = Vertx.builder().with(vertxOptions.setEventBusOptions(cluster.eventBusOptions()))
        .withMetrics(new MicrometerMetricsFactory()).withClusterManager(manager)
        .buildClustered().await();
      nodeId = manager.getNodeId();
      LOG.info("Joined {} as node {}: {} members", cluster, nodeId, manager.getNodes().size());
      return clustered;
    } catch (RuntimeException e) {
      throw new StartupException("cannot join " + cluster + ": " + StartupException.rootMessage(e), e);
    }
  }

  /**
   * An engine not started yet: {@link #close} can already be called (from a shutdown hook) and
   * stops whatever {@link #startNode} has brought up by then.
   */
  public static Engine create(Options options) {
    return new Engine(options);
  }

  /** Creates and starts an engine; on failure everything it started is stopped again. */
  public static Engine start(Options options) {
    Engine engine = create(options);
    engine.startNode();
    return engine;
  }

  /** Brings the node up; blocks until ready. Throws {@link StartupException} after cleaning up. */
  public void startNode() {
    try {
      JsonObject loaded = loadConfig(options);
      plan = NodePlan.of(loaded);
      synchronized (databaseLifecycle) {
        if (closed.get()) {
          throw new StartupException("stopped during start-up", null);
        }
        vertx = createVertx(loaded);
      }
      String url = ConfigKeys.DB_URL.get(loaded);
      if (url == null) {
        synchronized (databaseLifecycle) {
          if (closed.get()) {
            throw new StartupException("stopped during start-up", null);
          }
          embedded = DatabaseBootstrap.startEmbedded(loaded);
        }
        url = embedded.url();
      }
      DatabaseBootstrap.prepare(vertx, url, loaded);

      JsonObject verticleConfig = loaded.copy()
        .put(RuntimeKeys.METRICS_REGISTRY, registry)
        .put(RuntimeKeys.EMBEDDED_DATABASE, embedded != null)
        .put(RuntimeKeys.NODE_ID, nodeId);
      ConfigKeys.DB_URL.put(verticleConfig, url);
      config = verticleConfig;
      deploy();
      watcher = ConfigWatcher.start(vertx, options, config);
    } catch (RuntimeException | Error e) {
      close();
      throw e instanceof StartupException se ? se : new StartupException(describe(e), e);
    }
  }

  /**
   * The configuration every verticle of this node was deployed with (the effective database URL
   * included), or the last valid change to it the watcher has read since.
   */
  public JsonObject config() {
    ConfigWatcher w = watcher;
    return (w == null ? config : w.current()).copy();
  }

  public Vertx vertx() {
    return vertx;
  }

  /** This node's id: its Hazelcast member id when clustered. */
  public String nodeId() {
    return nodeId;
  }

  /** Stops the verticles (closing their pools), then the embedded database. Safe to call twice, and during start-up. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      LOG.info("Shutting down");
      undeployInReverse();
      synchronized (databaseLifecycle) {
        closeQuietly(vertx, embedded);
      }
      LOG.info("Stopped");
    }
  }

  /** The verticles of this node's plan, in the catalogue's order: listeners before the verticles whose messages they need. */
  private void deploy() {
    LOG.info("This node runs: {}", plan);
    for (Verticles verticle : Verticles.values()) {
      if (!plan.runs(verticle.label())) {
        continue;
      }
      if (verticle == Verticles.DEMO && !demoEnabled(config)) {
        LOG.info("Demo data is off");
        continue;
      }
      deploy(verticle, plan.instancesOf(verticle.label()));
    }
  }

  /** Whether the demo feed runs: the {@code demo} key has checked the value; {@code auto} follows the embedded database. */
  static boolean demoEnabled(JsonObject config) {
    return switch (ConfigKeys.DEMO.get(config)) {
      case "true" -> true;
      case "false" -> false;
      default -> config.getBoolean(RuntimeKeys.EMBEDDED_DATABASE, false);
    };
  }

  /**
   * Stops the verticles one by one, last deployed first: the demo feed and ingestion finish what
   * they have in flight while prediction and the database are still there to finish it with.
   */
  private void undeployInReverse() {
    for (int i = deployments.size() - 1; i >= 0; i--) {
      try {
        vertx.undeploy(deployments.get(i)).await();
      } catch (RuntimeException e) {
        LOG.warn("A verticle did not stop cleanly: {}", e.getMessage());
      }
    }
    deployments.clear();
  }

  private void deploy(Verticles verticle, int instances) {
    DeploymentOptions options = new DeploymentOptions().setConfig(config).setInstances(instances)
      .setThreadingModel(verticle.threads());
    try {
      deployments.add(vertx.deployVerticle(verticle.factory(), options).await());
    } catch (RuntimeException e) {
      throw new StartupException("cannot start the " + verticle.label() + " verticle: " + StartupException.rootMessage(e), e);
    }
  }

  /**
   * Reads and checks the configuration on a short-lived Vert.x of its own: the node's Vert.x
   * depends on it (alone or clustered).
   */
  private static JsonObject loadConfig(Options options) {
    Vertx reader = Vertx.vertx();
    try {
      JsonObject config = EngineConfig.load(reader, options.configFile(), options.configFileRequired(), options.env(),
        options.overrides()).await();
      demoEnabled(config);
      // Receivers and routes are checked here, not at the first alert: a bad one stops start-up naming it.
      NotifySettings.of(config);
      return config;
    } finally {
      reader.close().await();
    }
  }

  private static void closeQuietly(Vertx vertx, EmbeddedDatabase embedded) {
    try {
      if (vertx != null) {
        vertx.close().await();
      }
    } catch (RuntimeException e) {
      LOG.warn("Vert.x did not close cleanly: {}", e.getMessage());
    }
    if (embedded != null) {
      try {
        embedded.close();
      } catch (Exception e) {
        LOG.warn("Embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
      }
    }
  }

  private static String describe(Throwable e) {
    if (e instanceof ConfigException) {
      return "configuration error: " + e.getMessage();
    }
    return StartupException.rootMessage(e);
  }
}
