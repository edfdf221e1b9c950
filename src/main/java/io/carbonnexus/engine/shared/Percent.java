package io.carbonnexus.engine.shared;

/**
 * Percentages of a baseline, the way every answer, message and table states them: computed in
 * floating point, rounded, and bounded so that no arithmetic can wrap. A baseline is a positive
 * number of kg, but nothing stops a target of 0.0001 kg or 1e-300 kg: an entity at more than
 * 10,000 times its baseline reads {@link #MAX} ("1000000 %") rather than a wrapped or infinite
 * value, and its severity is still decided on the exact ratio.
 */
public final class Percent {

  /** 1,000,000 %: ten thousand times the baseline. */
  public static final int MAX = 1_000_000;

  private Percent() {
  }

  /** (value − baseline) / baseline × 100, rounded, within ±{@link #MAX}. */
  public static int above(double value, double baseline) {
    return of(value, baseline) - 100;
  }

  /**
   * value / baseline × 100, rounded, within 0..{@link #MAX} + 100 for non-negative values and never
   * below 100 − {@link #MAX}, so that {@link #above} keeps its bound on both sides.
   */
  public static int of(double value, double baseline) {
    if (!(baseline > 0) || Double.isNaN(value)) {
      return value > 0 ? MAX + 100 : 0;
    }
    double percent = value / baseline * 100;
    if (!(percent < MAX + 100)) {
      return MAX + 100;
    }
    if (!(percent > 100 - MAX)) {
      return 100 - MAX;
    }
    return (int) Math.round(percent);
  }
}
