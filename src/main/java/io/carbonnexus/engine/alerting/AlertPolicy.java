package io.carbonnexus.engine.alerting;

import io.carbonnexus.engine.shared.Hotspot;
import io.carbonnexus.engine.shared.HotspotChange;
import io.carbonnexus.engine.shared.Severity;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Which notification a hotspot change deserves, in the spirit of Prometheus Alertmanager. Pure:
 * the same change, state and settings always give the same decision.
 *
 * <ul>
 *   <li>An alert <b>fires</b> when a hotspot reaches the minimum level: opened, escalated, or
 *   still hot when a silence ends.</li>
 *   <li>It is <b>deduplicated</b> while nothing worth telling changes: a change to a level at or
 *   below the one already firing says nothing new (a critical alert inhibits warn and info for
 *   the same entity).</li>
 *   <li>It <b>repeats</b> after the repeat interval while the hotspot stays hot, unless an
 *   operator acknowledged it.</li>
 *   <li>A <b>resolved</b> notification follows when the hotspot resolves or falls below the
 *   minimum level — only for an alert that fired, so a flap under the minimum stays quiet.</li>
 *   <li>A silenced entity gets nothing until the silence ends.</li>
 * </ul>
 */
public final class AlertPolicy {

  /** What is sent: the {@code kind} of an alert; {@link #NONE} is "nothing" and never stored. */
  public enum Kind {
    FIRING, REPEAT, RESOLVED, NONE;

    /** The kinds an alert can have, by their wire names: {@code firing, repeat, resolved}. */
    public static final List<String> SENT = List.of(FIRING.wire(), REPEAT.wire(), RESOLVED.wire());

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Minimum level that alerts at all, and how often a still-firing alert is sent again. */
  public record Settings(Severity minLevel, Duration repeatInterval) {
  }

  /**
   * What was last sent for a hotspot: the level firing (null when none is, or after a resolved
   * notification), when, and whether an operator acknowledged it.
   */
  public record State(Severity firingLevel, Instant lastSentAt, boolean acknowledged) {
    public static final State NONE = new State(null, null, false);
  }

  /** The decision; {@code reason} says why nothing is sent when {@code kind} is NONE. */
  public record Decision(Kind kind, Severity level, String reason) {
    static Decision none(String reason) {
      return new Decision(Kind.NONE, null, reason);
    }
  }

  private AlertPolicy() {
  }

  /**
   * @param severity the hotspot's level after the change (its last level when resolved)
   * @param silencedUntil end of a silence on the entity, or null
   */
  public static Decision decide(HotspotChange change, Severity severity, State state, Instant silencedUntil,
                                Settings settings, Instant now) {
    if (silencedUntil != null && now.isBefore(silencedUntil)) {
      return Decision.none("silenced");
    }
    boolean firing = state.firingLevel() != null;
    boolean hot = change != HotspotChange.RESOLVED && !settings.minLevel().above(severity);
    if (!hot) {
      return firing ? new Decision(Kind.RESOLVED, state.firingLevel(), null) : Decision.none("below the minimum level");
    }
    if (!firing) {
      return new Decision(Kind.FIRING, severity, null);
    }
    // Worse than what fires, or worse again after a de-escalation: both are news.
    if (severity.above(state.firingLevel()) || change == HotspotChange.ESCALATED) {
      return new Decision(Kind.FIRING, severity, null);
    }
    if (state.acknowledged()) {
      return Decision.none("acknowledged");
    }
    if (state.lastSentAt() != null && !now.isBefore(state.lastSentAt().plus(settings.repeatInterval()))) {
      return new Decision(Kind.REPEAT, severity, null);
    }
    return Decision.none(severity == state.firingLevel() ? "deduplicated" : "inhibited by the " + state.firingLevel().wire() + " alert");
  }

  /**
   * The message of a hotspot's alert: the seed's sentence for its emissions over the main window
   * ({@code detection.window}); for another window, which one ("... by 340% in the last 1h"); for
   * intensity, what was compared ("Supplier A's CO2 per tonne-km exceeded its normal by 160% in
   * the last 24h"); for a route read through one supplier's lane, whose ("... in the last 1h,
   * from Supplier B's shipments on it").
   */
  public static String message(Kind kind, String entity, int percentAbove, String window, String measure,
                               String mainWindow, String laneSupplier) {
    String message = message(kind, entity, percentAbove, window, measure, mainWindow);
    return laneSupplier == null || kind == Kind.RESOLVED ? message : message + ", " + Hotspot.laneCause(laneSupplier);
  }

  private static String message(Kind kind, String entity, int percentAbove, String window, String measure,
                                String mainWindow) {
    String base = message(kind, entity, percentAbove);
    if (Hotspot.INTENSITY.equals(measure)) {
      String when = window == null ? "" : " in the last " + window;
      return kind == Kind.RESOLVED
        ? entity + "'s CO2 per tonne-km is back within its normal" + when
        : entity + "'s CO2 per tonne-km exceeded its normal by " + Math.max(0, percentAbove) + "%" + when;
    }
    return window == null || window.equals(mainWindow) || kind == Kind.RESOLVED ? base : base + " in the last " + window;
  }

  /** The seed's message: "Supplier A exceeded emissions by 120%". */
  public static String message(Kind kind, String entity, int percentAbove) {
    if (kind == Kind.RESOLVED) {
      return entity + " is back within its emissions baseline (" + (percentAbove >= 0 ? percentAbove + "% above" : -percentAbove + "% below") + ")";
    }
    return entity + (percentAbove >= 0 ? " exceeded emissions by " + percentAbove + "%"
      : " is at " + (100 + percentAbove) + "% of its emissions baseline");
  }
}
