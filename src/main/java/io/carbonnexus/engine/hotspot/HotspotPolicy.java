package io.carbonnexus.engine.hotspot;

import io.carbonnexus.engine.shared.HotspotChange;
import io.carbonnexus.engine.shared.Percent;
import io.carbonnexus.engine.shared.Severity;

import java.time.Instant;
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
 *   <b>resolved</b> when none is — but not within {@code hold} of the last evaluation whose
 *   readings reached the current level (without the hysteresis): until then it is updated. The
 *   hysteresis is a share of the baseline, less than one shipment on a quiet hour's count, so a
 *   count at an edge would otherwise drop and reach the level again as each five minutes of
 *   shipments enter and leave its window, an alert each time.</li>
 *   <li>Otherwise an open hotspot is <b>updated</b> (new numbers, same level).</li>
 * </ul>
 * The transition carries the reading that decided it: the one at the level with the highest ratio.
 * A reading is judged on {@link Reading#scale()}: its own numbers, or a lane's for a route.
 */
public final class HotspotPolicy {

  /**
   * The outcome; {@code severity} is the level after it (the last level for a resolution);
   * {@code reachedAt} when the readings last reached that level (null once resolved, or when
   * not known: nothing is held).
   */
  public record Transition(HotspotChange kind, Severity severity, Reading reading, Instant reachedAt) {

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

  /** Without a hold: the evaluation of an entity whose level was never reached at a known time. */
  public static Transition evaluate(Severity current, List<Reading> readings, Thresholds t) {
    return evaluate(current, null, null, readings, t);
  }

  /**
   * @param current the open hotspot's level, or null when the entity has none
   * @param reachedAt when the open hotspot's readings last reached its level (null: not known, nothing held)
   * @param at the time judged (null: no hold)
   * @param readings at least one; readings without a positive baseline are ignored
   */
  public static Transition evaluate(Severity current, Instant reachedAt, Instant at, List<Reading> readings,
                                    Thresholds t) {
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
        ? new Transition(HotspotChange.NONE, null, strongest(readings, null, 0, t), null)
        : new Transition(HotspotChange.OPENED, reached, strongest(readings, reached, 0, t), at);
    }
    if (reached != null && reached.above(current)) {
      return new Transition(HotspotChange.ESCALATED, reached, strongest(readings, reached, 0, t), at);
    }
    Instant lastReached = reached == current ? at : reachedAt;
    boolean holding = lastReached != null && at != null && at.isBefore(lastReached.plus(t.hold()));
    if (held == null && !holding) {
      return new Transition(HotspotChange.RESOLVED, current, strongest(readings, null, 0, t), null);
    }
    if (held != null && current.above(held) && !holding) {
      // The level dropped to is held from now: a dip below it and back is no new alert either.
      return new Transition(HotspotChange.DEESCALATED, held, strongest(readings, held, t.hysteresis(), t), at);
    }
    // Held or not, the reading at the current level if any holds it, else the strongest of all.
    return new Transition(HotspotChange.UPDATED, current, strongest(readings, current, t.hysteresis(), t), lastReached);
  }

  private static Severity max(Severity a, Severity b) {
    return a == null ? b : b == null ? a : b.above(a) ? b : a;
  }

  /** The reading at {@code level} (any, when null) with the highest ratio; the strongest of all when none is at it. */
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
