package io.carbonnexus.engine.hotspot;

import io.carbonnexus.engine.shared.HotspotChange;
import io.carbonnexus.engine.shared.Percent;
import io.carbonnexus.engine.shared.Severity;

import java.util.List;

/**
 * What happens to an entity's hotspot when its readings (one per window and measure) are
 * compared with their baselines. Pure: the same state, readings and thresholds always give the
 * same transition.
 *
 * <p>A reading reaches a level when predicted ≥ threshold × baseline (info 0.8, warn 1.0,
 * critical 1.5 by default). Info needs one thing more when the baseline is the upper edge of a
 * band: the value must also be in the top fifth of the band (band position ≥ the info
 * threshold), or an entity with a narrow band would sit at info all day while perfectly normal.
 * The entity is at the highest level any reading reaches:
 * <ul>
 *   <li>No hotspot and a level reached: <b>opened</b> at that level.</li>
 *   <li>Open and a higher level reached: <b>escalated</b> at once.</li>
 *   <li>Open and no reading holds the current level with the hysteresis (values raised by
 *   {@code hysteresis} × baseline): <b>de-escalated</b> to the level still held, or
 *   <b>resolved</b> when none is.</li>
 *   <li>Otherwise an open hotspot is <b>updated</b> (new numbers, same level).</li>
 * </ul>
 * The transition carries the reading that decided it: the one at the level with the highest ratio.
 * A reading is judged on {@link Reading#scale()}: its own numbers, or a lane's for a route.
 */
public final class HotspotPolicy {

  /** The outcome; {@code severity} is the level after it (the last level for a resolution). */
  public record Transition(HotspotChange kind, Severity severity, Reading reading) {

    public double predicted() {
      return reading.predicted();
    }

    public double baseline() {
      return reading.baseline();
    }

    public int percentAbove() {
      return HotspotPolicy.percentAbove(reading.predicted(), reading.baseline());
    }
  }

  private HotspotPolicy() {
  }

  /** (predicted − baseline) / baseline × 100, rounded and bounded ({@link Percent}). */
  public static int percentAbove(double predicted, double baseline) {
    return Percent.above(predicted, baseline);
  }

  /**
   * The level one reading reaches, its value raised by {@code lift} × its baseline (the
   * hysteresis), on the numbers it is judged on ({@link Reading#scale()}).
   */
  static Severity level(Reading shown, double lift, Thresholds t) {
    Reading r = shown.scale();
    if (!(r.baseline() > 0)) {
      return null;
    }
    double value = r.predicted() + lift * r.baseline();
    double ratio = value / r.baseline();
    if (ratio >= t.critical()) {
      return Severity.CRITICAL;
    }
    if (ratio >= t.warn()) {
      return Severity.WARN;
    }
    if (ratio >= t.info()) {
      double position = r.bandPosition(value);
      return Double.isNaN(position) || position >= t.info() ? Severity.INFO : null;
    }
    return null;
  }

  /** One window, one measure: the single-reading form (targets, the legacy algorithm, tests). */
  public static Transition evaluate(Severity current, double predicted, double baseline, Thresholds t) {
    return evaluate(current, List.of(new Reading(null, Reading.Measure.EMISSIONS, predicted, Double.NaN, baseline)), t);
  }

  /**
   * @param current the open hotspot's level, or null when the entity has none
   * @param readings at least one; readings without a positive baseline are ignored
   */
  public static Transition evaluate(Severity current, List<Reading> readings, Thresholds t) {
    if (readings.isEmpty()) {
      throw new IllegalArgumentException("no reading to evaluate");
    }
    Severity reached = null;
    Severity held = null;
    for (Reading r : readings) {
      reached = max(reached, level(r, 0, t));
      held = max(held, level(r, t.hysteresis(), t));
    }
    if (current == null) {
      return reached == null
        ? new Transition(HotspotChange.NONE, null, strongest(readings, null, 0, t))
        : new Transition(HotspotChange.OPENED, reached, strongest(readings, reached, 0, t));
    }
    if (reached != null && reached.above(current)) {
      return new Transition(HotspotChange.ESCALATED, reached, strongest(readings, reached, 0, t));
    }
    if (held == null) {
      return new Transition(HotspotChange.RESOLVED, current, strongest(readings, null, 0, t));
    }
    if (current.above(held)) {
      return new Transition(HotspotChange.DEESCALATED, held, strongest(readings, held, t.hysteresis(), t));
    }
    return new Transition(HotspotChange.UPDATED, current, strongest(readings, current, t.hysteresis(), t));
  }

  private static Severity max(Severity a, Severity b) {
    return a == null ? b : b == null ? a : b.above(a) ? b : a;
  }

  /** The reading at {@code level} (any, when null) with the highest ratio. */
  private static Reading strongest(List<Reading> readings, Severity level, double lift, Thresholds t) {
    Reading best = null;
    for (Reading r : readings) {
      if (!(r.scale().baseline() > 0)) {
        continue;
      }
      if (level != null && level(r, lift, t) != level) {
        continue;
      }
      if (best == null || r.scale().ratio() > best.scale().ratio()) {
        best = r;
      }
    }
    if (best == null) {
      for (Reading r : readings) {
        if (best == null || (r.scale().baseline() > 0
          && (!(best.scale().baseline() > 0) || r.scale().ratio() > best.scale().ratio()))) {
          best = r;
        }
      }
    }
    return best;
  }
}
