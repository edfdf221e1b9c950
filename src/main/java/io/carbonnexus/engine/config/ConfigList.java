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
    Object raw = ConfigPath.get(config, path);
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
    return ConfigPath.put(config, path, value);
  }


  @Override
  public String toString() {
    return path;
  }
}
