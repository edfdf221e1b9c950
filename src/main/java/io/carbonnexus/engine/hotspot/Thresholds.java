package io.carbonnexus.engine.hotspot;

import io.carbonnexus.engine.shared.Severity;

/**
 * Severity thresholds as multiples of the baseline (the seed's example: info 0.8, warn 1.0,
 * critical 1.5) and the hysteresis that keeps a value hovering at a threshold from flapping: a
 * hotspot drops below a level only when the ratio falls {@code hysteresis} under that level's
 * threshold.
 */
public record Thresholds(double info, double warn, double critical, double hysteresis) {

  public Thresholds {
    if (!(info > 0 && info < warn && warn < critical)) {
      throw new IllegalArgumentException("thresholds must satisfy 0 < info < warn < critical (got info " + info
        + ", warn " + warn + ", critical " + critical + ")");
    }
    if (!(hysteresis >= 0 && hysteresis < info)) {
      throw new IllegalArgumentException("thresholds.hysteresis must be >= 0 and below thresholds.info (got "
        + hysteresis + ")");
    }
  }

  @Override
  public String toString() {
    return "info " + info + ", warn " + warn + ", critical " + critical + " x baseline (hysteresis " + hysteresis + ")";
  }

  public static Thresholds defaults() {
    return new Thresholds(0.8, 1.0, 1.5, 0.05);
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
