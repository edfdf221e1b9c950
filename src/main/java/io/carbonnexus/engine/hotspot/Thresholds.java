package io.carbonnexus.engine.hotspot;

import io.carbonnexus.engine.shared.Severity;

import java.time.Duration;

/**
 * Severity thresholds as multiples of the baseline (the seed's example: info 0.8, warn 1.0,
 * critical 1.5) and what keeps a value hovering at a threshold from flapping: a hotspot drops
 * below a level only when the ratio falls {@code hysteresis} under that level's threshold, and
 * not before {@code hold} has passed since its readings last reached that level.
 */
public record Thresholds(double info, double warn, double critical, double hysteresis, Duration hold) {

  /**
   * The default hold, a quarter of an hour: most returns of a count hovering at an edge come within
   * it (the benchmark's tuning seeds: 32 false alarms without a hold, 28 with it, 27 with an hour),
   * and a longer one hides a new surge on an entity whose earlier one is ending (the demo's surges:
   * 54 of 56 found with up to 15 minutes, 53 with 20 minutes or more).
   */
  public static final Duration DEFAULT_HOLD = Duration.ofMinutes(15);

  public Thresholds {
    if (!(info > 0 && info < warn && warn < critical)) {
      throw new IllegalArgumentException("thresholds must satisfy 0 < info < warn < critical (got info " + info
        + ", warn " + warn + ", critical " + critical + ")");
    }
    if (!(hysteresis >= 0 && hysteresis < info)) {
      throw new IllegalArgumentException("thresholds.hysteresis must be >= 0 and below thresholds.info (got "
        + hysteresis + ")");
    }
    if (hold == null || hold.isNegative()) {
      throw new IllegalArgumentException("thresholds.hold must be 0 or more (got " + hold + ")");
    }
  }

  /** Thresholds without a hold: a level drops as soon as no reading holds it. */
  public Thresholds(double info, double warn, double critical, double hysteresis) {
    this(info, warn, critical, hysteresis, Duration.ZERO);
  }

  @Override
  public String toString() {
    return "info " + info + ", warn " + warn + ", critical " + critical + " x baseline (hysteresis " + hysteresis
      + ", hold " + hold + ")";
  }

  public static Thresholds defaults() {
    return new Thresholds(0.8, 1.0, 1.5, 0.05, DEFAULT_HOLD);
  }

  public double of(Severity severity) {
    return switch (severity) {
      case INFO -> info;
      case WARN -> warn;
      case CRITICAL -> critical;
    };
  }

  /** The level a ratio reaches with no history: null below {@code info}. */
  public Severity classify(double ratio) {
    if (ratio >= critical) {
      return Severity.CRITICAL;
    }
    if (ratio >= warn) {
      return Severity.WARN;
    }
    if (ratio >= info) {
      return Severity.INFO;
    }
    return null;
  }
}
