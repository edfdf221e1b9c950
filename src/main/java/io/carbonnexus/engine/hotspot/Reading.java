package io.carbonnexus.engine.hotspot;

import java.util.Locale;

/**
 * One comparison of an entity with its normal: over which window, of what (its CO2, or its kg CO2
 * per tonne-km), the value seen, the value expected, and the baseline — the upper edge of normal
 * (or an operator's target) that the severity thresholds multiply. {@code expected} is NaN when
 * the baseline is not a band around an expectation (a target, the legacy statistic).
 */
public record Reading(String window, Measure measure, double predicted, double expected, double baseline) {

  /** What is compared: {@code kind} on hotspots. */
  public enum Measure {
    EMISSIONS, INTENSITY;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Measure of(String wire) {
      return valueOf(wire.toUpperCase(Locale.ROOT));
    }
  }

  public double ratio() {
    return predicted / baseline;
  }

  /** Where the value sits in the band: 0 at the expectation, 1 at the upper edge; NaN without a band. */
  double bandPosition(double value) {
    return Double.isNaN(expected) || !(baseline > expected) ? Double.NaN : (value - expected) / (baseline - expected);
  }
}
