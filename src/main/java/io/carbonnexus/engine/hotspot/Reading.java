package io.carbonnexus.engine.hotspot;

import java.util.Locale;

/**
 * One comparison of an entity with its normal: over which window, of what (its CO2, or its kg CO2
 * per tonne-km), the value seen, the value expected, and the baseline — the upper edge of normal
 * (or an operator's target) that the severity thresholds multiply. {@code expected} is NaN when
 * the baseline is not a band around an expectation (a target, the legacy statistic).
 *
 * <p>{@code through}, when set, holds the numbers the reading is judged on where they are not the
 * ones it shows: a route's reading taken through one of its lanes shows the route's kg and is
 * judged on the lane's own (its kg against its own band), so that the thresholds, the info band
 * and the hysteresis mean for a lane what they mean for any entity; a supplier's air-share
 * reading shows its kg per tonne-km and is judged on its surprise flights against their band
 * (then without a supplier, and with {@code expected} NaN).
 */
public record Reading(String window, Measure measure, double predicted, double expected, double baseline,
                      Through through) {

  /** What a reading is judged on: a lane's own reading and its supplier, or (supplier null) a supplier's flights. */
  public record Through(String supplier, Reading own) {
  }

  /** A reading judged on its own numbers. */
  public Reading(String window, Measure measure, double predicted, double expected, double baseline) {
    this(window, measure, predicted, expected, baseline, null);
  }

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

  /** The numbers the severity is judged on: the lane's it was taken through, or this reading's own. */
  public Reading scale() {
    return through == null ? this : through.own();
  }

  /** The supplier whose lane this reading was taken through, or null. */
  public String laneSupplier() {
    return through == null ? null : through.supplier();
  }

  /** Where the value sits in the band: 0 at the expectation, 1 at the upper edge; NaN without a band. */
  double bandPosition(double value) {
    return Double.isNaN(expected) || !(baseline > expected) ? Double.NaN : (value - expected) / (baseline - expected);
  }
}
