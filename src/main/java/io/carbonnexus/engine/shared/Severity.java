package io.carbonnexus.engine.shared;

import java.util.Arrays;
import java.util.Locale;

/**
 * Hotspot and alert levels, in the seed's spelling. {@code rank} orders them and is explicit, so
 * reordering the constants changes nothing on the wire or in the database.
 */
public enum Severity {
  INFO("info", 1),
  WARN("warn", 2),
  CRITICAL("critical", 3);

  private final String wire;
  private final int rank;

  Severity(String wire, int rank) {
    this.wire = wire;
    this.rank = rank;
  }

  public String wire() {
    return wire;
  }

  public int rank() {
    return rank;
  }

  public boolean above(Severity other) {
    return other == null || rank > other.rank;
  }

  public static Severity of(String wire) {
    String w = wire == null ? "" : wire.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(s -> s.wire.equals(w)).findFirst()
      .orElseThrow(() -> new IllegalArgumentException("unknown severity '" + wire + "': expected "
        + Words.either(Arrays.stream(values()).map(Severity::wire).toList())));
  }
}
