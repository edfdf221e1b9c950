package io.carbonnexus.engine.hotspot;

import io.carbonnexus.engine.config.ConfigKey;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * One detection window: its length and how many spreads above its expected value the upper edge
 * of normal lies ({@code k}). Written in {@code detection.windows} as {@code length:k} pairs,
 * e.g. {@code 1h:4.5,24h:3}: a short window for bursts, needing more spreads because it is tried
 * many more times a month; a day for sustained changes.
 */
public record WindowSpec(Duration length, double k) {

  public WindowSpec {
    if (length.toMinutes() < 1 || length.toMinutes() * 60_000 != length.toMillis()) {
      throw new IllegalArgumentException("a window is a whole number of minutes, at least 1m (got " + length + ")");
    }
    if (length.compareTo(Duration.ofDays(7)) > 0) {
      throw new IllegalArgumentException("a window is at most 7d (got " + ConfigKey.formatDuration(length) + ")");
    }
    if (!(k >= 0.5 && k <= 20)) {
      throw new IllegalArgumentException("a window's spreads k is between 0.5 and 20 (got " + k + ")");
    }
  }

  /** The window as hotspots name it: {@code 1h}, {@code 24h}. */
  public String label() {
    return ConfigKey.formatDuration(length);
  }

  /** {@code 1h:4.5,24h:3} → the windows, shortest first; a window named twice is refused. */
  public static List<WindowSpec> parseAll(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("no window: write e.g. 1h:4.5,24h:3");
    }
    List<WindowSpec> windows = new ArrayList<>();
    for (String part : text.split(",")) {
      String p = part.trim().toLowerCase(Locale.ROOT);
      int colon = p.indexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException("'" + part.trim() + "' is not length:k (e.g. 1h:4.5)");
      }
      Duration length;
      double k;
      try {
        length = ConfigKey.parseDurationText(p.substring(0, colon).trim());
        k = Double.parseDouble(p.substring(colon + 1).trim());
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("'" + part.trim() + "' is not length:k (e.g. 1h:4.5): " + e.getMessage());
      }
      WindowSpec w = new WindowSpec(length, k);
      if (windows.stream().anyMatch(x -> x.length().equals(length))) {
        throw new IllegalArgumentException("the window " + w.label() + " is named twice");
      }
      windows.add(w);
    }
    windows.sort(Comparator.comparing(WindowSpec::length));
    return List.copyOf(windows);
  }

  public static String format(List<WindowSpec> windows) {
    StringBuilder b = new StringBuilder();
    for (WindowSpec w : windows) {
      b.append(b.length() == 0 ? "" : ",").append(ConfigKey.formatDuration(w.length())).append(':')
        .append(w.k() == Math.rint(w.k()) ? String.valueOf((long) w.k()) : String.valueOf(w.k()));
    }
    return b.toString();
  }
}
