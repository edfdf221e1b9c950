package io.carbonnexus.engine.config;

import io.vertx.core.json.JsonObject;

/** A dotted setting path ({@code notify.smtp.host}) read from and written into the nested configuration tree. */
final class ConfigPath {

  private ConfigPath() {
  }

  /** The value at {@code path}, or null when it or an object on the way is absent. */
  static Object get(JsonObject config, String path) {
    JsonObject node = config;
    String[] parts = path.split("\\.");
    for (int i = 0; i < parts.length - 1; i++) {
      if (!(node.getValue(parts[i]) instanceof JsonObject child)) {
        return null;
      }
      node = child;
    }
    return node.getValue(parts[parts.length - 1]);
  }

  /** Writes {@code value} at {@code path}, creating the objects on the way; returns {@code config}. */
  static JsonObject put(JsonObject config, String path, Object value) {
    JsonObject node = config;
    String[] parts = path.split("\\.");
    for (int i = 0; i < parts.length - 1; i++) {
      Object child = node.getValue(parts[i]);
      if (!(child instanceof JsonObject)) {
        child = new JsonObject();
        node.put(parts[i], child);
      }
      node = (JsonObject) child;
    }
    node.put(parts[parts.length - 1], value);
    return config;
  }
}
