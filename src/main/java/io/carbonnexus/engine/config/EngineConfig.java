package io.carbonnexus.engine.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads the engine's configuration with vertx-config. Layers, last wins: the defaults of
 * {@link ConfigKeys}, the YAML file, {@code NEXUS_*} environment variables, then programmatic
 * overrides (tests and embedding applications).
 */
public final class EngineConfig {

  public static final Path DEFAULT_FILE = Path.of("conf", "config.yaml");

  private static final Logger LOG = LoggerFactory.getLogger(EngineConfig.class);

  private EngineConfig() {
  }

  /**
   * Builds a retriever over the layers. The YAML file is optional when it is the default one
   * (the jar runs without it on the defaults) and required when named explicitly.
   */
  public static ConfigRetriever retriever(Vertx vertx, Path file, boolean fileRequired, Map<String, String> env, JsonObject overrides) {
    return retriever(vertx, file, fileRequired, env, overrides, 0);
  }

  /** As above, re-reading the layers every {@code scanPeriodMs} (0: never) and notifying listeners of changes. */
  public static ConfigRetriever retriever(Vertx vertx, Path file, boolean fileRequired, Map<String, String> env,
                                          JsonObject overrides, long scanPeriodMs) {
    if (fileRequired && !Files.isRegularFile(file)) {
      throw new ConfigException("configuration file " + file + " does not exist");
    }
    ConfigRetrieverOptions options = new ConfigRetrieverOptions()
      .setScanPeriod(scanPeriodMs)
      .setIncludeDefaultStores(false)
      .addStore(new ConfigStoreOptions().setType("json").setConfig(ConfigKeys.defaults()))
      .addStore(new ConfigStoreOptions().setType("file").setFormat("yaml").setOptional(!fileRequired)
        .setConfig(new JsonObject().put("path", file.toString())))
      .addStore(new ConfigStoreOptions().setType("json").setConfig(fromEnvironment(env)))
      .addStore(new ConfigStoreOptions().setType("json").setConfig(overrides == null ? new JsonObject() : overrides.copy()));
    return ConfigRetriever.create(vertx, options);
  }

  /** Reads the configuration once and checks every value. */
  public static Future<JsonObject> load(Vertx vertx, Path file, boolean fileRequired, Map<String, String> env, JsonObject overrides) {
    ConfigRetriever retriever;
    try {
      retriever = retriever(vertx, file, fileRequired, env, overrides);
    } catch (ConfigException e) {
      return Future.failedFuture(e);
    }
    return retriever.getConfig()
      .recover(err -> Future.failedFuture(new ConfigException("cannot read " + file + ": " + rootMessage(err))))
      .compose(config -> {
        try {
          return Future.succeededFuture(validate(config));
        } catch (ConfigException e) {
          return Future.failedFuture(e);
        }
      })
      .eventually(retriever::close);
  }

  /** The keys whose value differs between two configurations. */
  public static java.util.List<String> changedKeys(JsonObject before, JsonObject after) {
    java.util.List<String> changed = new ArrayList<>();
    for (ConfigKey<?> key : ConfigKeys.ALL) {
      if (!java.util.Objects.equals(key.get(before), key.get(after))) {
        changed.add(key.path());
      }
    }
    for (ConfigList list : ConfigKeys.LISTS) {
      if (!java.util.Objects.equals(list.get(before), list.get(after))) {
        changed.add(list.path());
      }
    }
    return changed;
  }

  /** Checks that every key reads as its type; warns about keys the engine does not know. */
  public static JsonObject validate(JsonObject config) {
    List<String> problems = new ArrayList<>();
    for (ConfigKey<?> key : ConfigKeys.ALL) {
      try {
        key.get(config);
      } catch (ConfigException e) {
        problems.add(e.getMessage());
      }
    }
    for (ConfigList list : ConfigKeys.LISTS) {
      try {
        list.get(config);
      } catch (ConfigException e) {
        problems.add(e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException("invalid configuration: " + String.join("; ", problems));
    }
    Set<String> unknown = new TreeSet<>();
    collectLeafPaths("", config, unknown);
    ConfigKeys.ALL.forEach(k -> unknown.remove(k.path()));
    ConfigKeys.LISTS.forEach(l -> unknown.remove(l.path()));
    if (!unknown.isEmpty()) {
      LOG.warn("Ignoring unknown configuration keys: {}", unknown);
    }
    return config;
  }

  /** Maps {@code NEXUS_*} variables onto the keys they name; unknown ones are reported, not fatal. */
  static JsonObject fromEnvironment(Map<String, String> env) {
    JsonObject json = new JsonObject();
    Set<String> unused = new TreeSet<>();
    env.forEach((name, value) -> {
      if (name.startsWith("NEXUS_")) {
        unused.add(name);
      }
    });
    for (ConfigKey<?> key : ConfigKeys.ALL) {
      String value = env.get(key.envName());
      if (value != null) {
        key.put(json, key.fromEnv(value));
        unused.remove(key.envName());
      }
    }
    unused.remove("NEXUS_TEST_DB_URL");
    if (!unused.isEmpty()) {
      LOG.warn("Environment variables {} match no configuration key and are ignored", unused);
    }
    return json;
  }

  private static void collectLeafPaths(String prefix, JsonObject node, Set<String> into) {
    for (Map.Entry<String, Object> entry : node) {
      String path = prefix.isEmpty() ? entry.getKey() : prefix + "." + entry.getKey();
      if (entry.getValue() instanceof JsonObject child) {
        collectLeafPaths(path, child, into);
      } else {
        into.add(path);
      }
    }
  }

  private static String rootMessage(Throwable err) {
    Throwable t = err;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }
}
