package io.carbonnexus.engine;

import io.carbonnexus.engine.config.ConfigException;
import io.carbonnexus.engine.config.ConfigKey;
import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.config.EngineConfig;
import io.carbonnexus.engine.notify.NotifySettings;
import io.carbonnexus.engine.shared.Addresses;
import io.carbonnexus.engine.shared.RuntimeKeys;
import io.vertx.config.ConfigRetriever;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Re-reads a node's configuration every {@code config.scan_period}; a valid change is published
 * on {@link Addresses#CONFIG_CHANGED} for the verticles with live settings (thresholds). An invalid
 * one is logged and ignored: the engine keeps running on the last good configuration.
 */
final class ConfigWatcher {

  private static final Logger LOG = LoggerFactory.getLogger(ConfigWatcher.class);

  /** The last good configuration, with the node's runtime keys and effective database URL. */
  private volatile JsonObject current;

  private ConfigWatcher(JsonObject initial) {
    this.current = initial;
  }

  /**
   * Starts watching from {@code initial}, the configuration the verticles were deployed with;
   * returns once the first read has completed.
   */
  static ConfigWatcher start(Vertx vertx, Engine.Options options, JsonObject initial) {
    ConfigWatcher watcher = new ConfigWatcher(initial);
    long period = ConfigKeys.CONFIG_SCAN_PERIOD.get(initial).toMillis();
    ConfigRetriever retriever = EngineConfig.retriever(vertx, options.configFile(), options.configFileRequired(),
      options.env(), options.overrides(), period);
    retriever.getConfig().await();
    retriever.listen(change -> watcher.changed(vertx, change.getNewConfiguration()));
    return watcher;
  }

  JsonObject current() {
    return current;
  }

  private void changed(Vertx vertx, JsonObject next) {
    try {
      EngineConfig.validate(next);
      NotifySettings.of(next);
    } catch (ConfigException e) {
      LOG.error("Ignoring the changed configuration: {}", e.getMessage());
      return;
    }
    JsonObject previous = current;
    // What the node added at start-up stays: it is not in the files and cannot change while it runs.
    JsonObject merged = next.copy()
      .put(RuntimeKeys.METRICS_REGISTRY, previous.getString(RuntimeKeys.METRICS_REGISTRY))
      .put(RuntimeKeys.EMBEDDED_DATABASE, previous.getBoolean(RuntimeKeys.EMBEDDED_DATABASE))
      .put(RuntimeKeys.NODE_ID, previous.getString(RuntimeKeys.NODE_ID));
    ConfigKeys.DB_URL.put(merged, ConfigKeys.DB_URL.get(previous));
    List<String> changed = EngineConfig.changedKeys(previous, merged);
    if (changed.isEmpty()) {
      return;
    }
    current = merged;
    LOG.info("Configuration changed: {} (thresholds and notify.* apply now; other settings at the next start)", changed);
    // Only the live settings cross the bus (and the cluster): never the database URL and its password.
    vertx.eventBus().publish(Addresses.CONFIG_CHANGED, liveSettings(merged));
    if (changed.stream().anyMatch(key -> key.startsWith("notify."))) {
      // Receivers hold secrets: to this node's notify verticle only (every node reads its own file).
      vertx.eventBus().publish(Addresses.NOTIFY_SETTINGS, merged.getJsonObject("notify", new JsonObject()),
        new DeliveryOptions().setLocalOnly(true));
    }
  }

  /** The settings that apply without a restart: the thresholds. */
  static JsonObject liveSettings(JsonObject config) {
    JsonObject live = new JsonObject();
    for (ConfigKey<?> key : List.of(ConfigKeys.THRESHOLDS_INFO, ConfigKeys.THRESHOLDS_WARN, ConfigKeys.THRESHOLDS_CRITICAL,
      ConfigKeys.THRESHOLDS_HYSTERESIS, ConfigKeys.THRESHOLDS_HOLD)) {
      key.put(live, key.get(config));
    }
    return live;
  }
}
