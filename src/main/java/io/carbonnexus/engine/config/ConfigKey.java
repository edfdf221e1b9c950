package io.carbonnexus.engine.config;

import io.carbonnexus.engine.shared.Severity;
import io.carbonnexus.engine.shared.Words;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One configuration setting: its dotted path in {@code conf/config.yaml}, its default and how its
 * value is read. The environment variable that overrides it is derived from the path, as the
 * design fixes it: {@code NEXUS_} + the path in upper case with {@code _} for {@code .}.
 */
public final class ConfigKey<T extends Comparable<? super T>> {

  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

  private final String path;
  private final T defaultValue;
  private final String description;
  private final String typeName;
  private final Function<Object, T> parser;
  private final T min;
  private final T max;
  private final Object defaultJson;

  private ConfigKey(String path, T defaultValue, String description, String typeName, Function<Object, T> parser,
                    T min, T max, Object defaultJson) {
    this.path = Objects.requireNonNull(path);
    this.defaultValue = defaultValue;
    this.defaultJson = defaultJson;
    this.description = Objects.requireNonNull(description);
    this.typeName = typeName;
    this.parser = parser;
    this.min = min;
    this.max = max;
  }

  private ConfigKey(String path, T defaultValue, String description, String typeName, Function<Object, T> parser) {
    this(path, defaultValue, description, typeName, parser, null, null, defaultValue);
  }

  /** The same key, refusing values outside [min, max] (either bound may be null for none). */
  public ConfigKey<T> within(T min, T max) {
    return new ConfigKey<>(path, defaultValue, description, typeName, parser, min, max, defaultJson);
  }

  public T min() {
    return min;
  }

  public T max() {
    return max;
  }

  public static ConfigKey<Integer> integer(String path, int defaultValue, String description) {
    return new ConfigKey<>(path, defaultValue, description, "integer", ConfigKey::parseInteger);
  }

  public static ConfigKey<Double> decimal(String path, double defaultValue, String description) {
    return new ConfigKey<>(path, defaultValue, description, "number", ConfigKey::parseDecimal);
  }

  public static ConfigKey<Boolean> bool(String path, boolean defaultValue, String description) {
    return new ConfigKey<>(path, defaultValue, description, "boolean", ConfigKey::parseBoolean);
  }

  /** A text setting; a {@code null} default means "unset" (an empty value also reads as unset). */
  public static ConfigKey<String> text(String path, String defaultValue, String description) {
    return new ConfigKey<>(path, defaultValue, description, "text", ConfigKey::parseText);
  }

  /**
   * One word of a fixed set, read once here so a bad value stops start-up. {@code words} maps
   * every accepted spelling (lower case) to the word it stands for, so that readers see one
   * spelling only; an empty value is the default.
   */
  public static ConfigKey<String> choice(String path, String defaultValue, Map<String, String> words, String description) {
    List<String> shown = words.values().stream().distinct().toList();
    String expected = Words.either(shown);
    return new ConfigKey<>(path, defaultValue, description, "text", raw -> {
      String text = raw.toString().trim().toLowerCase(Locale.ROOT);
      if (text.isEmpty()) {
        return defaultValue;
      }
      String word = words.get(text);
      if (word == null) {
        throw new IllegalArgumentException("'" + raw + "' is not " + expected);
      }
      return word;
    });
  }

  /** A severity ({@code info}, {@code warn}, {@code critical}), read once here so a bad value stops start-up. */
  public static ConfigKey<Severity> severity(String path, String defaultValue, String description) {
    return new ConfigKey<>(path, Severity.of(defaultValue), description, "severity",
      raw -> Severity.of(raw.toString()), null, null, defaultValue);
  }

  /** An emissions basis ({@code wtw} or {@code ttw}), read once here so a bad value stops start-up. */
  public static ConfigKey<io.carbonnexus.engine.shared.EmissionsBasis> basis(String path, String defaultValue,
                                                                          String description) {
    return new ConfigKey<>(path, io.carbonnexus.engine.shared.EmissionsBasis.parse(defaultValue), description, "basis",
      raw -> io.carbonnexus.engine.shared.EmissionsBasis.parse(raw.toString()), null, null, defaultValue);
  }

  /** A duration written as {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 2d} or ISO-8601 {@code PT5M}. */
  public static ConfigKey<Duration> duration(String path, String defaultValue, String description) {
    return new ConfigKey<>(path, parseDuration(defaultValue), description, "duration", ConfigKey::parseDuration,
      null, null, defaultValue);
  }

  public String path() {
    return path;
  }

  public String envName() {
    return "NEXUS_" + path.toUpperCase(Locale.ROOT).replace('.', '_');
  }

  public T defaultValue() {
    return defaultValue;
  }

  public String description() {
    return description;
  }

  public String typeName() {
    return typeName;
  }

  /** The default as written in YAML and JSON (durations as text such as {@code 5m}). */
  public Object defaultAsJson() {
    return defaultJson;
  }

  /**
   * Reads this setting from a merged configuration. A missing value gives the default; a value
   * that cannot be read fails with a message naming the key and its environment variable.
   */
  public T get(JsonObject config) {
    Object raw = rawValue(config);
    if (raw == null) {
      return defaultValue;
    }
    try {
      return checked(parser.apply(raw), raw);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(path + " (" + envName() + "): " + e.getMessage());
    }
  }

  private T checked(T value, Object raw) {
    if (value == null) {
      return null;
    }
    if (min != null && value.compareTo(min) < 0) {
      throw new IllegalArgumentException("'" + raw + "' is below the minimum " + shown(min));
    }
    if (max != null && value.compareTo(max) > 0) {
      throw new IllegalArgumentException("'" + raw + "' is above the maximum " + shown(max));
    }
    return value;
  }

  private static String shown(Object bound) {
    return bound instanceof Duration d ? formatDuration(d) : String.valueOf(bound);
  }

  /** Converts an environment variable's text into the JSON value this key stores. */
  Object fromEnv(String text) {
    try {
      T value = checked(parser.apply(text), text);
      // JSON keeps numbers, booleans and text; anything richer (durations, severities) as written.
      return value == null || value instanceof Number || value instanceof Boolean || value instanceof String
        ? value : text.trim();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(envName() + ": " + e.getMessage());
    }
  }

  Object rawValue(JsonObject config) {
    return ConfigPath.get(config, path);
  }


  /** Writes {@code value} at this key's path, creating the intermediate objects. */
  public JsonObject put(JsonObject config, Object value) {
    // JSON has no duration: written as the configuration spells one ("1h"), which get() reads back.
    return ConfigPath.put(config, path, value instanceof Duration d ? formatDuration(d) : value);
  }


  @Override
  public String toString() {
    return path;
  }

  private static Integer parseInteger(Object raw) {
    if (raw instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
      return n.intValue();
    }
    try {
      return Integer.valueOf(raw.toString().trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + raw + "' is not an integer");
    }
  }

  private static Double parseDecimal(Object raw) {
    if (raw instanceof Number n) {
      return n.doubleValue();
    }
    try {
      double value = Double.parseDouble(raw.toString().trim());
      if (!Double.isFinite(value)) {
        throw new NumberFormatException();
      }
      return value;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + raw + "' is not a number");
    }
  }

  private static Boolean parseBoolean(Object raw) {
    if (raw instanceof Boolean b) {
      return b;
    }
    String text = raw.toString().trim().toLowerCase(Locale.ROOT);
    return switch (text) {
      case "true", "yes", "on", "1" -> true;
      case "false", "no", "off", "0" -> false;
      default -> throw new IllegalArgumentException("'" + raw + "' is not true or false");
    };
  }

  private static String parseText(Object raw) {
    String text = raw.toString().trim();
    return text.isEmpty() ? null : text;
  }

  static Duration parseDuration(Object raw) {
    if (raw instanceof Number n) {
      throw new IllegalArgumentException("'" + n + "' has no unit: write e.g. 30s, 5m or 1h");
    }
    String text = raw.toString().trim().toLowerCase(Locale.ROOT);
    Matcher m = DURATION.matcher(text);
    Duration value;
    if (m.matches()) {
      long amount = Long.parseLong(m.group(1));
      value = switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        case "h" -> Duration.ofHours(amount);
        default -> Duration.ofDays(amount);
      };
    } else {
      try {
        value = Duration.parse(raw.toString().trim());
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("'" + raw + "' is not a duration: write e.g. 500ms, 30s, 5m, 1h or 2d");
      }
    }
    if (value.isNegative()) {
      throw new IllegalArgumentException("'" + raw + "' is negative");
    }
    return value;
  }

  /** Reads a duration written as in the configuration ({@code 5m}, {@code 30s}, ...). */
  public static Duration parseDurationText(String text) {
    return parseDuration(text);
  }

  public static String formatDuration(Duration d) {
    long ms = d.toMillis();
    // A day reads better as 24h; whole days from two on.
    if (ms % 86_400_000 == 0 && ms >= 2 * 86_400_000L) return ms / 86_400_000 + "d";
    if (ms % 3_600_000 == 0 && ms > 0) return ms / 3_600_000 + "h";
    if (ms % 60_000 == 0 && ms > 0) return ms / 60_000 + "m";
    if (ms % 1_000 == 0) return ms / 1_000 + "s";
    return ms + "ms";
  }
}
