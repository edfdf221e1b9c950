package io.carbonnexus.engine.hotspot;

import io.carbonnexus.engine.config.ConfigKey;
import io.carbonnexus.engine.hotspot.Reading.Measure;
import io.carbonnexus.engine.shared.EntityKey;
import io.carbonnexus.engine.shared.EntityType;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An entity's readings at one time: what it did over each window, against what is normal for
 * that window at that time. Pure; live detection and the replay call the same method.
 *
 * <p>Per window, up to three emissions tests, and the reading keeps the one further out:
 * <ul>
 *   <li><b>volume</b>: the shipment count against the upper edge of its normal count — the
 *   sharpest test for a burst of shipments (a dozen extra shipments at night are many counts
 *   above normal, but few kg against the spread of kg), when the window's CO2 is also above what
 *   was expected. In kg, its baseline is the upper edge of the count times the window's own CO2
 *   per shipment: "these shipments, at the most shipments normal for this hour". A few heavy
 *   shipments cannot pass it (they are few); many light ones that add no CO2 are not looked at.
 *   Windows up to 6 h (bursts) run this test only.</li>
 *   <li><b>CO2</b> (longer windows): the window's kg against the upper edge of its normal kg;</li>
 *   <li><b>CO2 per shipment</b> (suppliers, longer windows, with enough shipments): the window's kg against
 *   its shipments times the upper edge of the usual kg per shipment — heavier loads or longer
 *   lanes at the usual volume, immune to busy and quiet days;</li>
 *   <li><b>tonne-km per shipment</b> (suppliers, longer windows, with enough shipments, when each shipment
 *   also emits more than usual): the same for the load carried, apart from the mix of modes — a
 *   few flown shipments among many vans make kg per shipment too varied to show heavier loads,
 *   not tonne-km. In kg: the window's kg at the upper edge of the usual tonne-km.</li>
 * </ul>
 * And over the intensity window, with enough shipments, kg CO2 per tonne-km against the usual
 * intensity (a move to a dirtier mode at the same volume). An operator's target for a window
 * replaces that window's emissions baseline.
 */
public final class Evaluator {

  /** What an entity did over [from, to). */
  public record Observation(Duration length, Instant from, Instant to, Activity activity) {
  }

  private Evaluator() {
  }

  /**
   * A lane's model, its usual flights, and what it did over each of its windows
   * ({@link DetectionSettings#laneLengths(io.carbonnexus.engine.shared.EntityType)}). A route reads the
   * model; a supplier only the flights, which a replay learns without the rest
   * ({@link SeasonalModel#flights}): then the model is null.
   */
  public record LaneView(Lane lane, SeasonalModel model, SeasonalModel.Flights flights,
                         Map<Duration, Observation> observations) {

    /** A lane with its whole model. */
    public LaneView(Lane lane, SeasonalModel model, Map<Duration, Observation> observations) {
      this(lane, model, model == null ? null : model.flights(), observations);
    }

    /** The same lane's normal, seeing these observations. */
    LaneView seeing(Map<Duration, Observation> seen) {
      return new LaneView(lane, model, flights, seen);
    }
  }

  /**
   * A lane's burst windows need this many more spreads than the entity's: a route is judged
   * through each of its lanes as well as on its own, so each lane is one more chance of a false
   * alarm (measured on the tuning seeds 1–6 with a prototype: at the same k, false alarms rose
   * from 0.37 to 0.51 per entity per 30 days, at k + 0.25 to 0.39, at k + 0.5 they did not move;
   * docs/benchmarks.md has this code's figures).
   */
  static final double LANE_EXTRA_K = 0.5;

  /** The readings of either algorithm; {@code model} null when the entity has none yet (then only targets apply). */
  public static List<Reading> readings(EntityKey entity, EntityModel model, Map<Duration, Observation> observations,
                                       Map<Duration, Double> targets, DetectionSettings s) {
    return readings(entity, model, observations, targets, s, List.of());
  }

  /**
   * The readings of either algorithm, with a route's lanes ({@link #laneReadings}); {@code model}
   * null when the entity has none yet (then only targets and lanes apply).
   */
  public static List<Reading> readings(EntityKey entity, EntityModel model, Map<Duration, Observation> observations,
                                       Map<Duration, Double> targets, DetectionSettings s, List<LaneView> lanes) {
    if (!s.legacy()) {
      List<Reading> readings = seasonal(model == null ? null : model.seasonal(), oneShipper(entity), observations,
        targets, s);
      // Through its lanes only where the route itself is judged against its normal: with a
      // model, and for windows without an operator's target (a target is the whole baseline).
      if (entity.type() == EntityType.ROUTE && model != null && !lanes.isEmpty()) {
        readings.addAll(laneReadings(observations, lanes, targets, s));
      }
      // A supplier's mix of modes, through its lanes.
      if (entity.type() == EntityType.SUPPLIER && model != null && s.intensityWindow() != null && !lanes.isEmpty()) {
        Reading air = airShare(observations.get(s.intensityWindow()), lanes, s.intensityWindow(), s.intensityK(),
          s.intensityMinEvents());
        if (air != null) {
          readings.add(air);
        }
      }
      return readings;
    }
    Observation o = observations.get(s.legacyWindow());
    if (o == null) {
      return List.of();
    }
    Double target = targets.get(s.legacyWindow());
    double baseline = target != null ? target : model == null ? Double.NaN : model.legacyBaseline();
    return Double.isNaN(baseline) ? List.of()
      : List.of(new Reading(label(s.legacyWindow()), Measure.EMISSIONS, o.activity().co2(), Double.NaN, baseline));
  }

  /**
   * Whether all of the entity's shipments are one shipper's, so that their mix moves only when
   * that shipper's does: a supplier. A route or a vehicle type mixes suppliers, and a surge of one
   * supplier with heavier or longer shipments moves its kg and tonne-km per shipment without any
   * load getting heavier: a day-long alarm that would hide the next surge there, and false alarms
   * (measured: demo recall 91 % instead of 89 %; false alarms 0.33 instead of 0.38 per entity per
   * 30 days on the unseen benchmark seeds). Their total kg is still judged.
   */
  static boolean oneShipper(EntityKey entity) {
    return entity.type() == EntityType.SUPPLIER;
  }

  /**
   * @param model null when the entity has no model yet (then only targets apply)
   * @param oneShipper whether kg and tonne-km per shipment are judged ({@link #oneShipper(EntityKey)})
   * @param observations by window length
   * @param targets by window length: an operator's baseline in kg for that window
   */
  public static List<Reading> seasonal(SeasonalModel model, boolean oneShipper, Map<Duration, Observation> observations,
                                       Map<Duration, Double> targets, DetectionSettings s) {
    List<Reading> readings = new ArrayList<>();
    for (WindowSpec w : s.windows()) {
      Observation o = observations.get(w.length());
      if (o == null) {
        continue;
      }
      Double target = targets.get(w.length());
      if (target != null) {
        readings.add(new Reading(w.label(), Measure.EMISSIONS, o.activity().co2(), Double.NaN, target));
      } else if (model != null) {
        Reading r = emissions(model, o, w, s.intensityMinEvents(), oneShipper);
        if (r != null) {
          readings.add(r);
        }
      }
    }
    targets.forEach((length, target) -> {
      if (s.windows().stream().noneMatch(w -> w.length().equals(length)) && observations.containsKey(length)) {
        readings.add(new Reading(label(length), Measure.EMISSIONS, observations.get(length).activity().co2(), Double.NaN,
          target));
      }
    });
    if (model != null && s.intensityWindow() != null) {
      Observation o = observations.get(s.intensityWindow());
      if (o != null && o.activity().events() >= s.intensityMinEvents()) {
        double[] band = model.intensityBand(o.activity().events(), o.activity().tkm(), s.intensityK());
        if (band != null) {
          readings.add(new Reading(label(s.intensityWindow()), Measure.INTENSITY, o.activity().co2() / o.activity().tkm(),
            band[0], band[1]));
        }
      }
    }
    return readings;
  }

  /**
   * Windows up to this long are about bursts: a burst is more shipments, so they test the count
   * only (a short window's kg are too noisy to add anything but false alarms).
   */
  static final Duration BURST_WINDOW = Duration.ofHours(6);

  static Reading emissions(SeasonalModel model, Observation o, WindowSpec w, int minShipments, boolean oneShipper) {
    SeasonalModel.Expected x = model.expected(o.from(), o.to());
    Activity seen = o.activity();
    double[] count = model.countBand(x, w.k());
    Reading best = volume(x, seen, count, w);
    if (w.length().compareTo(BURST_WINDOW) > 0) {
      double[] co2 = model.co2Band(x, w.k());
      best = stronger(best, new Reading(w.label(), Measure.EMISSIONS, seen.co2(), co2[0], co2[1]));
      // Per shipment, suppliers only ({@link #oneShipper}).
      if (oneShipper && seen.events() >= minShipments) {
        double[] heavier = model.perShipmentBand(seen.events(), w.k());
        if (heavier != null) {
          best = stronger(best, new Reading(w.label(), Measure.EMISSIONS, seen.co2(), heavier[0], heavier[1]));
        }
        // More tonne-km per shipment, while each shipment also emits more than usual: in the kg of
        // these shipments, at the most tonne-km normal for so many.
        double[] tkm = model.tkmPerShipmentBand(seen.events(), w.k());
        if (tkm != null && seen.tkm() > 0 && seen.co2() > seen.events() * model.co2PerShipment().mean()) {
          double kgPerTkm = seen.co2() / seen.tkm();
          best = stronger(best, new Reading(w.label(), Measure.EMISSIONS, seen.co2(), kgPerTkm * tkm[0],
            kgPerTkm * tkm[1]));
        }
      }
    }
    return best;
  }

  /**
   * The volume test: more shipments than normal, and more CO2 than expected, so the count decides,
   * in the kg of these shipments ("these shipments, at the most shipments normal"); null when the
   * window emitted no more than expected.
   */
  private static Reading volume(SeasonalModel.Expected x, Activity seen, double[] count, WindowSpec w) {
    return seen.events() > 0 && seen.co2() > x.co2()
      ? new Reading(w.label(), Measure.EMISSIONS, seen.co2(), seen.co2() / seen.events() * count[0],
        seen.co2() / seen.events() * count[1]) : null;
  }

  /**
   * A route's readings through its lanes: for each burst window without a target, each lane's
   * volume test ({@link #volume}) against the lane's own normal, at {@link #LANE_EXTRA_K} more
   * spreads. Judged on the lane's numbers ({@link Reading#through()}): the thresholds, the info
   * band and the hysteresis mean what they mean for any entity, so critical is a lane at 1.5 times
   * the upper edge of its own normal. Shown in the route's kg: predicted is the route's window,
   * baseline what the route would have emitted had that lane shipped the most shipments normal for
   * it (its other lanes as they were). The strongest lane per window.
   */
  static List<Reading> laneReadings(Map<Duration, Observation> route, List<LaneView> lanes,
                                    Map<Duration, Double> targets, DetectionSettings s) {
    List<Reading> readings = new ArrayList<>();
    for (WindowSpec w : s.burstWindows()) {
      Observation total = route.get(w.length());
      if (total == null || targets.containsKey(w.length())) {
        continue;
      }
      Reading best = null;
      for (LaneView lane : lanes) {
        Observation o = lane.observations().get(w.length());
        if (lane.model() == null || o == null) {
          continue;
        }
        SeasonalModel.Expected x = lane.model().expected(o.from(), o.to());
        Reading own = volume(x, o.activity(), lane.model().countBand(x, w.k() + LANE_EXTRA_K), w);
        if (own != null) {
          double others = Math.max(0, total.activity().co2() - own.predicted());
          best = stronger(best, new Reading(w.label(), Measure.EMISSIONS, total.activity().co2(),
            others + own.expected(), others + own.baseline(), new Reading.Through(lane.lane().supplier(), own)));
        }
      }
      if (best != null) {
        readings.add(best);
      }
    }
    return readings;
  }

  /**
   * The air-share test: more of a supplier's shipments flew over the window than its lanes' usual
   * shares of air freight explain. Each lane (the supplier on one route) keeps its own share
   * ({@link SeasonalModel.Flights}), nearly always near 0 or near 1, so the flights expected over
   * the window are Σ shipments × share over its lanes, and the ones that are a surprise vary like a
   * Poisson count with variance Σ shipments × share × (1 − share) (a binomial's, widened by the
   * shares' own uncertainty from their history). The edge is the count of flights whose tail under
   * that Poisson is Φ(−k): a supplier that never flies its vans needs three flights on them to
   * stand out (up to four with ten lanes: each adds its half a shipment of prior), whatever its
   * volume, where the same flights move its kg per tonne-km by a few
   * percent (a diesel van emits 0.63 kg per tonne-km, short-haul air 0.76). Judged on the
   * surprise ({@link Reading#through()}: {@code surprise = flown − expected + variance} against
   * the band [variance, edge], so that the flights a lane always makes count for nothing, five
   * surprise flights where three are the edge are critical, and info needs the surprise in the
   * top fifth of that band as for any reading); shown as an intensity, the window's kg per
   * tonne-km, against that intensity scaled by the same ratio ("this intensity, at the most
   * flights normal for these lanes"), as the volume test shows counts in kg; without an expected
   * value (the baseline is no band around one, and the flights' share of the kg is not known). A
   * lane that flies on some days and not on others has its variance widened by its dispersion.
   * Null without enough shipments, tonne-km, or more flights than expected.
   *
   * @param supplier what the supplier did over the window
   * @param lanes the supplier's lanes with their models and what they did over the window
   */
  static Reading airShare(Observation supplier, List<LaneView> lanes, Duration window, double k, int minShipments) {
    if (supplier == null || supplier.activity().events() < minShipments || !(supplier.activity().tkm() > 0)) {
      return null;
    }
    double flown = 0;
    double expected = 0;
    double variance = 0;
    for (LaneView lane : lanes) {
      Observation o = lane.observations().get(window);
      SeasonalModel.Flights usual = lane.flights();
      if (o == null || usual == null) {
        continue;
      }
      double share = usual.share();
      double shipments = o.activity().events();
      if (Double.isNaN(share) || !(shipments > 0)) {
        continue;
      }
      flown += o.activity().air();
      expected += shipments * share;
      variance += shipments * share * (1 - share) * usual.dispersion() * (1 + shipments / usual.shipments());
    }
    // The surprise: flights beyond what is expected, on top of the Poisson's own mean.
    double surprise = flown - expected + variance;
    if (!(flown > expected)) {
      return null;
    }
    double edge = PoissonTail.edge(variance, k);
    double kgPerTkm = supplier.activity().co2() / supplier.activity().tkm();
    Reading flights = new Reading(label(window), Measure.INTENSITY, surprise, variance, edge);
    return new Reading(label(window), Measure.INTENSITY, kgPerTkm, Double.NaN, kgPerTkm * edge / surprise,
      new Reading.Through(null, flights));
  }

  private static Reading stronger(Reading a, Reading b) {
    return a == null || (b != null && b.scale().ratio() > a.scale().ratio()) ? b : a;
  }

  public static String label(Duration length) {
    return ConfigKey.formatDuration(length);
  }
}
