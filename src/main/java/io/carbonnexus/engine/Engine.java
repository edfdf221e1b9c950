package io.carbonnexus.engine;

import io.carbonnexus.engine.cluster.ClusterSettings;
import io.carbonnexus.engine.cluster.NodePlan;
import io.carbonnexus.engine.config.ConfigException;
import io.carbonnexus.engine.config.ConfigKey;
import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.config.EngineConfig;
import io.carbonnexus.engine.db.DatabaseUrl;
import io.carbonnexus.engine.db.EmbeddedDatabase;
import io.carbonnexus.engine.db.Migrations;
import io.carbonnexus.engine.prediction.EmissionsBasisSync;
import io.carbonnexus.engine.notify.NotifySettings;
import io.carbonnexus.engine.shared.Addresses;
import io.carbonnexus.engine.shared.RuntimeKeys;
import io.vertx.config.ConfigRetriever;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.flywaydb.core.api.FlywayException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One running engine node: configuration read, database up and migrated, verticles deployed.
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
  private volatile JsonObject config;
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
      throw new StartupException("cannot join " + cluster + ": " + rootMessage(e), e);
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
      Duration connectTimeout = ConfigKeys.DB_CONNECT_TIMEOUT.get(loaded);
      String url = ConfigKeys.DB_URL.get(loaded);
      if (url == null) {
        synchronized (databaseLifecycle) {
          if (closed.get()) {
            throw new StartupException("stopped during start-up", null);
          }
          embedded = startEmbedded(loaded);
        }
        url = embedded.url();
      }
      DatabaseUrl db = parseUrl(url);
      checkConnection(db, connectTimeout);
      migrate(db, connectTimeout);
      checkEngineClient(db);
      EmissionsBasisSync.run(vertx, db.connectOptions(), ConfigKeys.EMISSIONS_BASIS.get(loaded));

      JsonObject verticleConfig = loaded.copy()
        .put(RuntimeKeys.METRICS_REGISTRY, registry)
        .put(RuntimeKeys.EMBEDDED_DATABASE, embedded != null)
        .put(RuntimeKeys.NODE_ID, nodeId);
      ConfigKeys.DB_URL.put(verticleConfig, url);
      config = verticleConfig;
      deploy();
      watchConfig();
    } catch (RuntimeException | Error e) {
      close();
      throw e instanceof StartupException se ? se : new StartupException(describe(e), e);
    }
  }

  /** The configuration every verticle of this node was deployed with (the effective database URL included). */
  public JsonObject config() {
    return config.copy();
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

  /**
   * Re-reads the configuration every {@code config.scan_period}; a valid change is published on
   * {@link Addresses#CONFIG_CHANGED} for the verticles with live settings (thresholds). An invalid
   * one is logged and ignored: the engine keeps running on the last good configuration.
   */
  private void watchConfig() {
    long period = ConfigKeys.CONFIG_SCAN_PERIOD.get(config).toMillis();
    ConfigRetriever retriever = EngineConfig.retriever(vertx, options.configFile(), options.configFileRequired(),
      options.env(), options.overrides(), period);
    retriever.getConfig().await();
    retriever.listen(change -> {
      JsonObject next = change.getNewConfiguration();
      try {
        EngineConfig.validate(next);
        NotifySettings.of(next);
      } catch (ConfigException e) {
        LOG.error("Ignoring the changed configuration: {}", e.getMessage());
        return;
      }
      JsonObject previous = config;
      JsonObject merged = next.copy()
        .put(RuntimeKeys.METRICS_REGISTRY, registry)
        .put(RuntimeKeys.EMBEDDED_DATABASE, previous.getBoolean(RuntimeKeys.EMBEDDED_DATABASE))
        .put(RuntimeKeys.NODE_ID, nodeId);
      ConfigKeys.DB_URL.put(merged, ConfigKeys.DB_URL.get(previous));
      List<String> changed = EngineConfig.changedKeys(previous, merged);
      if (changed.isEmpty()) {
        return;
      }
      config = merged;
      LOG.info("Configuration changed: {} (thresholds and notify.* apply now; other settings at the next start)", changed);
      // Only the live settings cross the bus (and the cluster): never the database URL and its password.
      vertx.eventBus().publish(Addresses.CONFIG_CHANGED, liveSettings(merged));
      if (changed.stream().anyMatch(key -> key.startsWith("notify."))) {
        // Receivers hold secrets: to this node's notify verticle only (every node reads its own file).
        vertx.eventBus().publish(Addresses.NOTIFY_SETTINGS, merged.getJsonObject("notify", new JsonObject()),
          new io.vertx.core.eventbus.DeliveryOptions().setLocalOnly(true));
      }
    });
  }

  /** The settings that apply without a restart: the thresholds. */
  static JsonObject liveSettings(JsonObject config) {
    JsonObject live = new JsonObject();
    for (ConfigKey<?> key : List.of(ConfigKeys.THRESHOLDS_INFO, ConfigKeys.THRESHOLDS_WARN, ConfigKeys.THRESHOLDS_CRITICAL,
      ConfigKeys.THRESHOLDS_HYSTERESIS)) {
      key.put(live, key.get(config));
    }
    return live;
  }

  static boolean demoEnabled(JsonObject config) {
    String demo = ConfigKeys.DEMO.get(config);
    return switch (demo == null ? "auto" : demo.toLowerCase(java.util.Locale.ROOT)) {
      case "true", "yes", "on" -> true;
      case "false", "no", "off" -> false;
      case "auto" -> config.getBoolean(RuntimeKeys.EMBEDDED_DATABASE, false);
      default -> throw new ConfigException("demo (NEXUS_DEMO): '" + demo + "' is not auto, true or false");
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
      throw new StartupException("cannot start the " + verticle.label() + " verticle: " + rootMessage(e), e);
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

  private static EmbeddedDatabase startEmbedded(JsonObject config) {
    Path dir = Path.of(ConfigKeys.DB_EMBEDDED_DATA_DIR.get(config));
    try {
      return EmbeddedDatabase.start(dir, ConfigKeys.DB_EMBEDDED_PORT.get(config), Duration.ofSeconds(60));
    } catch (Exception e) {
      throw new StartupException("cannot start the embedded PostgreSQL in " + dir.toAbsolutePath() + ": "
        + rootMessage(e) + " (is another engine using this data directory? set NEXUS_DB_EMBEDDED_DATA_DIR "
        + "to use another one, or NEXUS_DB_URL to use an external PostgreSQL)", e);
    }
  }

  private static DatabaseUrl parseUrl(String url) {
    try {
      return DatabaseUrl.parse(url);
    } catch (ConfigException e) {
      throw new StartupException("NEXUS_DB_URL / db.url: " + e.getMessage(), e);
    }
  }

  private static void checkConnection(DatabaseUrl db, Duration timeout) {
    LOG.info("Connecting to PostgreSQL at {}", db.describe());
    DriverManager.setLoginTimeout((int) Math.max(1, timeout.toSeconds()));
    try (var c = DriverManager.getConnection(db.jdbcUrl(timeout), db.user(), db.password())) {
      LOG.info("Connected to PostgreSQL {}", c.getMetaData().getDatabaseProductVersion());
    } catch (SQLException e) {
      throw new StartupException("cannot connect to PostgreSQL at " + db.describe() + ": " + e.getMessage()
        + " (check NEXUS_DB_URL)", e);
    }
  }

  /**
   * The verticles use vertx-pg-client, not JDBC: check that it connects too (TLS settings are
   * applied by each client separately), so a node never says "ready" while its verticles cannot
   * reach the database.
   */
  private void checkEngineClient(DatabaseUrl db) {
    try {
      PgConnection connection = PgConnection.connect(vertx, db.connectOptions()).await();
      try {
        connection.query("select 1").execute().await();
      } finally {
        connection.close().await();
      }
    } catch (RuntimeException e) {
      throw new StartupException("PostgreSQL at " + db.describe() + " accepts Flyway's connection but not the engine's: "
        + rootMessage(e) + " (check sslmode and sslrootcert in NEXUS_DB_URL)", e);
    }
  }

  private static void migrate(DatabaseUrl db, Duration timeout) {
    try {
      Migrations.migrate(db, timeout);
    } catch (FlywayException e) {
      throw new StartupException("database migration failed on " + db.describe() + ": " + rootMessage(e), e);
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
    return rootMessage(e);
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t && !(t instanceof ConfigException)) {
      t = t.getCause();
    }
    String message = t.getMessage();
    return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
  }
}
