package io.carbonnexus.engine.recommendation;

import io.carbonnexus.engine.shared.Hotspot;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The built-in recommender, used when no RAG service is configured or it stays down: root cause
 * and ranked actions from the hotspot's own facts (its vehicle mix over the window, load factors,
 * lane distances). The CO2 of an alternative comes from the prediction model (asked over the bus
 * by the caller), never from numbers of its own. Pure.
 */
public final class RuleRecommender {

  /**
   * What the hotspot measured: its entity, value and baseline (kg CO2 over the window, or kg CO2
   * per tonne-km when {@code kind} is {@code intensity}) and how far above it is (the hotspot's own
   * figure, as its alert says it), the window that fired, and on a route read through one
   * supplier's lane, that supplier — whose shipments on the route the mix then is.
   */
  public record Subject(String entity, double predicted, double baseline, int percentAbove, String window, String kind,
                        String laneSupplier) {
    boolean intensity() {
      return Hotspot.INTENSITY.equals(kind);
    }
  }

  /**
   * The supplier with the most of a vehicle type's CO2 over the window: for a vehicle type, whose
   * shipments say more than its own name does.
   */
  public record TopSupplier(String supplier, double co2Kg, int events, double totalKg) {

    /** The largest of a mix grouped by supplier (each {@link Mix#name()} a supplier), or null for none. */
    public static TopSupplier of(List<Mix> bySupplier) {
      double total = bySupplier.stream().mapToDouble(Mix::co2Kg).sum();
      return bySupplier.stream()
        .max(Comparator.comparingDouble(Mix::co2Kg).thenComparing(Mix::name, Comparator.reverseOrder()))
        .map(top -> new TopSupplier(top.name(), top.co2Kg(), top.events(), total)).orElse(null);
    }
  }

  /**
   * An entity's emissions over the window for one vehicle type ({@code name}); for a vehicle
   * type's root cause, the same facts per supplier ({@code name} the supplier).
   */
  public record Mix(String name, double co2Kg, double tonneKm, double averageDistanceKm, Double averageLoadFactor,
                    int events) {
  }

  /** A change of vehicle type to evaluate: the caller predicts {@code tonneKm} on {@code alternative}. */
  public record Shift(String from, String alternative, String title, int costImpact, int feasibility) {
  }

  /** One ranked action, in the seed's shape. */
  public record Action(String title, int co2Reduction, int costImpact, int feasibility) {
  }

  /** Below this average load factor a road type's loads are worth consolidating. */
  static final double CONSOLIDATION_BELOW = 0.6;
  /** The load factor consolidation aims at. */
  static final double CONSOLIDATION_TARGET = 0.85;
  /**
   * Share of a truck's per-km emissions that does not shrink with its load: an empty HGV still
   * emits about 65% of a full one (DEFRA: 0.65975 vs 1.01203 kg/km).
   */
  static final double FIXED_SHARE_PER_KM = 0.65;
  /** Lanes at least this long suit rail. */
  static final double RAIL_FROM_KM = 300;

  private RuleRecommender() {
  }

  /** Which vehicle-type changes make sense for this mix. */
  public static List<Shift> shifts(List<Mix> mix) {
    List<Shift> shifts = new ArrayList<>();
    for (Mix m : mix) {
      String t = m.name().toLowerCase(Locale.ROOT);
      if (t.startsWith("air")) {
        shifts.add(m.averageDistanceKm() > 2_000
          ? new Shift(m.name(), "ship", "Move air freight to sea on lanes over 2,000 km", 3, 5)
          : new Shift(m.name(), "rail", "Move short-haul air freight to rail", 4, 5));
      } else if (t.startsWith("hgv") && m.averageDistanceKm() >= RAIL_FROM_KM) {
        shifts.add(new Shift(m.name(), "rail", "Move long road lanes (" + Math.round(m.averageDistanceKm())
          + " km on average) from " + m.name() + " to rail", 4, 6));
      } else if (t.startsWith("hgv")) {
        shifts.add(new Shift(m.name(), "truck_electric", "Replace " + m.name()
          + " on short lanes with electric trucks", 8, 4));
      } else if (t.equals("van_diesel") || t.equals("van")) {
        shifts.add(new Shift(m.name(), "van_electric", "Switch diesel vans to electric vans", 6, 7));
      }
    }
    return shifts;
  }

  /**
   * Ranked actions: each shift with the CO2 the model predicts for its alternative, plus load
   * consolidation where road loads run light. Reductions are percent of the entity's emissions
   * over the window; ranked by reduction × feasibility / cost.
   *
   * @param alternativeCo2 predicted kg for each shift's tonne-km on its alternative, keyed by shift
   */
  public static List<Action> actions(Subject subject, List<Mix> mix, Map<Shift, Double> alternativeCo2) {
    double whole = whole(subject, mix);
    List<Action> actions = new ArrayList<>();
    Map<String, Mix> byType = new java.util.HashMap<>();
    mix.forEach(m -> byType.put(m.name(), m));
    alternativeCo2.forEach((shift, altKg) -> {
      Mix m = byType.get(shift.from());
      if (m != null && altKg != null && altKg < m.co2Kg()) {
        actions.add(new Action(shift.title(), percent(m.co2Kg() - altKg, whole), shift.costImpact(),
          shift.feasibility()));
      }
    });
    for (Mix m : mix) {
      Double lf = m.averageLoadFactor();
      if (lf != null && lf > 0 && lf < CONSOLIDATION_BELOW) {
        // Fewer, fuller trips: DEFRA's per-km emissions are full x (F + (1 - F) x LF), so the
        // distance driven falls with LF / target while each km costs a little more.
        double after = m.co2Kg() * (lf / CONSOLIDATION_TARGET)
          * perKm(CONSOLIDATION_TARGET) / perKm(lf);
        if (after < m.co2Kg()) {
          actions.add(new Action("Consolidate part-loads on " + m.name() + " (average load factor "
            + Math.round(lf * 100) + "%) towards " + Math.round(CONSOLIDATION_TARGET * 100) + "%",
            percent(m.co2Kg() - after, whole), 2, 8));
        }
      }
    }
    actions.removeIf(a -> a.co2Reduction() <= 0);
    actions.sort(Comparator.comparingDouble((Action a) -> -(double) a.co2Reduction() * a.feasibility() / a.costImpact())
      .thenComparing(Action::title));
    return actions;
  }

  /**
   * The root cause as a sentence from the facts: how far above over which window, whose shipments
   * (a lane's supplier), and what dominates them: the vehicle type of a supplier's or a route's
   * CO2, the supplier of a vehicle type's ({@code topSupplier}, null for other entities).
   */
  public static String rootCause(Subject subject, List<Mix> mix, TopSupplier topSupplier) {
    int above = subject.percentAbove();
    String over = subject.window() == null ? "over the window" : "over the last " + subject.window();
    String side = above >= 0 ? "above" : "below";
    StringBuilder sb = new StringBuilder(subject.intensity()
      ? String.format(Locale.ROOT, "%s emitted %s kg CO2 per tonne-km %s, %d%% %s its baseline of %s kg per tonne-km",
        subject.entity(), fourFigures(subject.predicted()), over, Math.abs(above), side, fourFigures(subject.baseline()))
      : String.format(Locale.ROOT, "%s emitted %.0f kg CO2 %s, %d%% %s its baseline of %.0f kg", subject.entity(),
        subject.predicted(), over, Math.abs(above), side, subject.baseline()));
    if (subject.laneSupplier() != null) {
      sb.append("; ").append(Hotspot.laneCause(subject.laneSupplier()));
    }
    if (topSupplier != null && mix.size() == 1) {
      // A vehicle type's mix is itself: its loads and distances, and whose shipments weigh most.
      Mix own = mix.get(0);
      sb.append(String.format(Locale.ROOT, "; %d shipments", own.events())).append(details(own));
      sb.append(String.format(Locale.ROOT, "; %d%% of it from %s's shipments (%d)",
        percent(topSupplier.co2Kg(), topSupplier.totalKg()), topSupplier.supplier(), topSupplier.events()));
      return sb.append('.').toString();
    }
    mix.stream().max(Comparator.comparingDouble(Mix::co2Kg)).ifPresent(top -> {
      double total = mix.stream().mapToDouble(Mix::co2Kg).sum();
      String of = subject.laneSupplier() != null ? ": %d%% of theirs" : subject.intensity()
        ? "; %d%% of the window's CO2" : "; %d%% of it";
      sb.append(String.format(Locale.ROOT, of + " from %s (%d shipments", percent(top.co2Kg(), total), top.name(),
        top.events())).append(details(top)).append(')');
    });
    return sb.append('.').toString();
  }

  /** ", average load factor 84%, 218 km on average" (no load factor where capacities are unknown). */
  private static String details(Mix m) {
    String load = m.averageLoadFactor() == null ? ""
      : String.format(Locale.ROOT, ", average load factor %d%%", Math.round(m.averageLoadFactor() * 100));
    return load + String.format(Locale.ROOT, ", %.0f km on average", m.averageDistanceKm());
  }

  /** kg per tonne-km run from 0.005 (rail) to 2 (air): four significant figures, not three decimals. */
  private static String fourFigures(double value) {
    return new java.math.BigDecimal(value).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
  }

  /**
   * What reductions are percent of: the entity's emissions over the window. The mix's own total
   * (read now, over the same window) when the mix is the whole entity; when it is one lane of a
   * route, the route's predicted kg (or the lane's total, if more arrived since). The hotspot's
   * value when the mix is empty and it is in kg.
   */
  private static double whole(Subject subject, List<Mix> mix) {
    double total = mix.stream().mapToDouble(Mix::co2Kg).sum();
    if (subject.intensity()) {
      return total;
    }
    if (subject.laneSupplier() != null) {
      return Math.max(total, subject.predicted());
    }
    return total > 0 ? total : subject.predicted();
  }

  private static double perKm(double loadFactor) {
    return FIXED_SHARE_PER_KM + (1 - FIXED_SHARE_PER_KM) * loadFactor;
  }

  private static int percent(double part, double whole) {
    return whole <= 0 ? 0 : (int) Math.round(part / whole * 100);
  }
}
