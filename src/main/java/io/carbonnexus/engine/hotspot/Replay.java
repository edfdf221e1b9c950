package io.carbonnexus.engine.hotspot;

import io.carbonnexus.engine.shared.HotspotChange;
import io.carbonnexus.engine.hotspot.HotspotPolicy.Transition;
import io.carbonnexus.engine.shared.EntityKey;
import io.carbonnexus.engine.shared.EntityType;
import io.carbonnexus.engine.shared.Severity;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Replays detection over a past range, in memory, as the live engine would have run it at every
 * {@code step}: at each step, each entity's readings from its model of that hour — learnt, like
 * the live engine's, from its hours before that hour only, and a route's also through its lanes'
 * models of that hour — through the same {@link Evaluator}
 * and {@link HotspotPolicy}, from a state with no hotspot. Nothing after a step can change what
 * happened at it. Pure; the live hotspots are not read or touched.
 */
public final class Replay {

  /** One change the replay found. */
  public record Change(Instant at, EntityKey entity, Transition transition) {
  }

  /**
   * An entity's activity in buckets of {@code bucket} from {@code origin} (an hour boundary; the
   * bucket divides an hour), kept as running sums so that any window's total is one subtraction.
   */
  public static final class Timeline {
    private final long originMs;
    private final long bucketMs;
    private final Activity[] cumulative;
    private final Hours hours;

    public Timeline(Instant origin, Duration bucket, Activity[] buckets) {
      this.originMs = origin.toEpochMilli();
      this.bucketMs = bucket.toMillis();
      if (originMs % 3_600_000L != 0 || 3_600_000L % bucketMs != 0) {
        throw new IllegalArgumentException("buckets start on an hour and divide it");
      }
      cumulative = new Activity[buckets.length + 1];
      cumulative[0] = Activity.NONE;
      int perHour = (int) (3_600_000L / bucketMs);
      hours = new Hours(origin, (buckets.length + perHour - 1) / perHour);
      for (int i = 0; i < buckets.length; i++) {
        Activity b = buckets[i] == null ? Activity.NONE : buckets[i];
        cumulative[i + 1] = cumulative[i].plus(b);
        hours.add(i / perHour, b);
      }
    }

    /** Activity over [from, to), both on bucket edges. */
    public Activity between(Instant from, Instant to) {
      int a = index(from);
      int b = index(to);
      return cumulative[b].minus(cumulative[a]).clamped();
    }

    private int index(Instant at) {
      long i = Math.floorDiv(at.toEpochMilli() - originMs, bucketMs);
      return (int) Math.max(0, Math.min(cumulative.length - 1, i));
    }

    public Hours hours() {
      return hours;
    }
  }

  private Replay() {
  }

  /**
   * @param timelines per entity, covering at least [from − history − longest window, to)
   * @param targets per entity, an operator's baseline per window length (today's targets: like
   *     thresholds, they are settings, not data)
   */
  public static List<Change> run(Map<EntityKey, Timeline> timelines, Instant from, Instant to, Duration step,
                                 DetectionSettings settings, Thresholds thresholds,
                                 Map<EntityKey, Map<Duration, Double>> targets) {
    return run(timelines, Map.of(), from, to, step, settings, thresholds, targets);
  }

  /**
   * @param lanes per lane, over the same range as the entities: a route is judged through its
   *     lanes too, each lane with its own model of the hour learnt by the same rule
   */
  public static List<Change> run(Map<EntityKey, Timeline> timelines, Map<Lane, Timeline> lanes, Instant from, Instant to,
                                 Duration step, DetectionSettings settings, Thresholds thresholds,
                                 Map<EntityKey, Map<Duration, Double>> targets) {
    List<Change> changes = new ArrayList<>();
    List<Duration> lengths = settings.observedLengths();
    List<Duration> laneLengths = settings.laneLengths();
    Map<String, List<Lane>> lanesByRoute = new HashMap<>();
    new TreeMap<>(lanes).keySet().forEach(lane -> lanesByRoute.computeIfAbsent(lane.route(), r -> new ArrayList<>()).add(lane));
    long steps = Duration.between(from, to).toMillis() / step.toMillis();
    for (Map.Entry<EntityKey, Timeline> entry : new TreeMap<>(timelines).entrySet()) {
      EntityKey key = entry.getKey();
      Timeline timeline = entry.getValue();
      Map<Duration, Double> entityTargets = targets.getOrDefault(key, Map.of());
      List<Lane> routeLanes = key.type() == EntityType.ROUTE && !laneLengths.isEmpty()
        ? lanesByRoute.getOrDefault(key.entity(), List.of()) : List.of();
      EntityModel[] laneModels = new EntityModel[routeLanes.size()];
      Severity state = null;
      Reading last = null;
      Instant modelHour = null;
      EntityModel model = null;
      for (long s = 0; s <= steps; s++) {
        Instant at = from.plusMillis(s * step.toMillis());
        Instant hour = Instant.ofEpochSecond(Math.floorDiv(at.getEpochSecond(), 3600) * 3600);
        if (!hour.equals(modelHour)) {
          model = EntityModel.learn(hour, timeline.hours(), settings);
          for (int i = 0; i < laneModels.length; i++) {
            laneModels[i] = EntityModel.learn(hour, lanes.get(routeLanes.get(i)).hours(), settings);
          }
          modelHour = hour;
        }
        Map<Duration, Evaluator.Observation> observations = observe(timeline, lengths, at);
        List<Evaluator.LaneView> views = new ArrayList<>();
        for (int i = 0; i < laneModels.length; i++) {
          if (laneModels[i] != null && laneModels[i].seasonal() != null) {
            views.add(new Evaluator.LaneView(routeLanes.get(i), laneModels[i].seasonal(),
              observe(lanes.get(routeLanes.get(i)), laneLengths, at)));
          }
        }
        Transition t = decide(state, last, Evaluator.readings(key, model, observations, entityTargets, settings, views),
          thresholds);
        if (t == null) {
          continue;
        }
        last = t.reading();
        if (t.kind().isTransition()) {
          changes.add(new Change(at, key, t));
        }
        state = t.kind() == HotspotChange.RESOLVED || t.kind() == HotspotChange.NONE ? null : t.severity();
      }
    }
    changes.sort(Comparator.comparing(Change::at).thenComparing(Change::entity));
    return changes;
  }

  /** What a timeline did over each window of these lengths ending at {@code at}. */
  private static Map<Duration, Evaluator.Observation> observe(Timeline timeline, List<Duration> lengths, Instant at) {
    Map<Duration, Evaluator.Observation> observations = new HashMap<>();
    for (Duration length : lengths) {
      Instant start = at.minus(length);
      observations.put(length, new Evaluator.Observation(length, start, at, timeline.between(start, at)));
    }
    return observations;
  }

  /**
   * The transition for an entity in state {@code current} given its readings. With no reading at
   * all (no model, no target), an open hotspot is resolved on its last reading — nothing says it
   * is still hot — and otherwise nothing happens (null).
   */
  public static Transition decide(Severity current, Reading last, List<Reading> readings, Thresholds thresholds) {
    if (readings.isEmpty()) {
      return current == null ? null : new Transition(HotspotChange.RESOLVED, current, last == null
        ? new Reading(null, Reading.Measure.EMISSIONS, 0, Double.NaN, Double.NaN) : last);
    }
    return HotspotPolicy.evaluate(current, readings, thresholds);
  }
}
