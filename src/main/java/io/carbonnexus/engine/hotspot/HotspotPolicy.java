package io.carbonnexus.engine.hotspot;

import io.carbonnexus.engine.shared.Percent;
import io.carbonnexus.engine.shared.Severity;

/**
 * What happens to an entity's hotspot when its predicted emissions are compared with its
 * baseline. Pure: the same state, numbers and thresholds always give the same transition.
 *
 * <ul>
 *   <li>No hotspot and ratio ≥ info: <b>opened</b> at the level reached.</li>
 *   <li>Open and the ratio reaches a higher level: <b>escalated</b> at once.</li>
 *   <li>Open and the ratio is below the current level's threshold by more than the hysteresis:
 *   <b>de-escalated</b> to the level it still holds with the hysteresis, or <b>resolved</b> when
 *   that is none.</li>
 *   <li>Otherwise an open hotspot is <b>updated</b> (new numbers, same level).</li>
 * </ul>
 */
public final class HotspotPolicy {

  public enum Kind {
    NONE, OPENED, UPDATED, ESCALATED, DEESCALATED, RESOLVED;

    public String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Changes of level, which alerting and the change history care about; an update is not one. */
    public boolean isTransition() {
      return this == OPENED || this == ESCALATED || this == DEESCALATED || this == RESOLVED;
    }
  }

  /** The outcome; {@code severity} is the level after it (the last level for a resolution). */
  public record Transition(Kind kind, Severity severity, double predicted, double baseline, int percentAbove) {
  }

  private HotspotPolicy() {
  }

  /** (predicted − baseline) / baseline × 100, rounded and bounded ({@link Percent}). */
  public static int percentAbove(double predicted, double baseline) {
    return Percent.above(predicted, baseline);
  }

  /**
   * @param current the open hotspot's level, or null when the entity has none
   * @param baseline must be &gt; 0 (an entity without a baseline is not evaluated)
   */
  public static Transition evaluate(Severity current, double predicted, double baseline, Thresholds t) {
    if (!(baseline > 0)) {
      throw new IllegalArgumentException("baseline must be > 0, was " + baseline);
    }
    double ratio = predicted / baseline;
    int percent = percentAbove(predicted, baseline);
    Severity reached = t.classify(ratio);
    if (current == null) {
      return reached == null
        ? new Transition(Kind.NONE, null, predicted, baseline, percent)
        : new Transition(Kind.OPENED, reached, predicted, baseline, percent);
    }
    if (reached != null && reached.above(current)) {
      return new Transition(Kind.ESCALATED, reached, predicted, baseline, percent);
    }
    // Falling: a level is kept until the ratio is `hysteresis` below its threshold.
    Severity held = t.classify(ratio + t.hysteresis());
    if (held == null) {
      return new Transition(Kind.RESOLVED, current, predicted, baseline, percent);
    }
    if (current.above(held)) {
      return new Transition(Kind.DEESCALATED, held, predicted, baseline, percent);
    }
    return new Transition(Kind.UPDATED, current, predicted, baseline, percent);
  }
}
