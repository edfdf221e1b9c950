package io.carbonnexus.engine.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Objects;

/**
 * A setting whose value is a list of objects (the notification receivers and routes). Lists have
 * no environment variable: a list does not fit in one, so the concern that reads it offers a
 * few single-valued keys for the common case instead. Only the shape is checked here; the
 * concern that owns the entries checks their fields, naming the entry.
 */
public final class ConfigList {

  private final String path;
  private final String description;

  private ConfigList(String path, String description) {
    this.path = Objects.requireNonNull(path);
    this.description = Objects.requireNonNull(description);
  }

  public static ConfigList of(String path, String description) {
    return new ConfigList(path, description);
  }

  public String path() {
    return path;
  }

  public String description() {
    return description;
  }

  /** The entries, each an object; an absent or null value is the empty list. */
  public JsonArray get(JsonObject config) {
    JsonObject node = config;
    String[] parts = path.split("\\.");
    for (int i = 0; i < parts.length - 1; i++) {
      if (!(node.getValue(parts[i]) instanceof JsonObject child)) {
        return new JsonArray();
      }
      node = child;
    }
    Object raw = node.getValue(parts[parts.length - 1]);
    if (raw == null) {
      return new JsonArray();
    }
    if (!(raw instanceof JsonArray array)) {
      throw new ConfigException(path + ": must be a list (write [] for none), not '" + raw + "'");
    }
    for (int i = 0; i < array.size(); i++) {
      if (!(array.getValue(i) instanceof JsonObject)) {
        throw new ConfigException(path + "[" + i + "]: must be an object of name: value fields");
      }
    }
    return array;
  }

  /** Writes {@code value} at this list's path, creating the intermediate objects. */
  public JsonObject put(JsonObject config, JsonArray value) {
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

  @Override
  public String toString() {
    return path;
  }
}
