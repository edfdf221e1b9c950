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
 * Replays detection over a past range, in memory, as the live engine would have run it: every
 * entity at every {@code step} (the live cycle) and, between two steps, at the end of every bucket
 * of its timeline in which it shipped (the live fast path, which judges an entity as its events
 * arrive: a step longer than the buckets does not delay an opening to the next step). Each
 * judgement takes the entity's readings from its model of that hour — learnt, like the live
 * engine's, from its hours before that hour only, a route's also through its lanes' models of that
 * hour and a supplier's through its lanes' flights of that hour ({@link SeasonalModel#flights}, what
 * the live engine reads of the lanes' stored models) — through the same {@link Evaluator} and
 * {@link HotspotPolicy}, from a state with no
 * hotspot at the start of a warm-up before the range (nothing reported before it). Nothing after a
 * moment can change what happened at it. Pure; the live hotspots are not read or touched.
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

    /** The first bucket edge after {@code ms}. */
    long edgeAfter(long ms) {
      return originMs + (Math.floorDiv(ms - originMs, bucketMs) + 1) * bucketMs;
    }

    /** Whether the bucket ending at {@code edgeMs} (a bucket edge) had a shipment. */
    boolean shippedBefore(long edgeMs) {
      int i = (int) ((edgeMs - originMs) / bucketMs);
      return i >= 1 && i < cumulative.length && cumulative[i].events() > cumulative[i - 1].events();
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
    return run(timelines, lanes, from, to, step, Duration.ZERO, settings, thresholds, targets);
  }

  /**
   * @param timelines per entity, covering at least [{@link #origin}, to)
   * @param warmUp how long before {@code from} the replay starts, on the same step grid, reporting
   *     nothing before {@code from}: the live engine came to {@code from} with hotspots already open,
   *     and an entity hot since before it was not "opened" at {@code from}
   */
  public static List<Change> run(Map<EntityKey, Timeline> timelines, Map<Lane, Timeline> lanes, Instant from, Instant to,
                                 Duration step, Duration warmUp, DetectionSettings settings, Thresholds thresholds,
                                 Map<EntityKey, Map<Duration, Double>> targets) {
    List<Change> changes = new ArrayList<>();
    Instant start = start(from, step, warmUp);
    Map<EntityKey, List<Lane>> lanesByEntity = new HashMap<>();
    for (Lane lane : new TreeMap<>(lanes).keySet()) {
      lane.judged().forEach(k -> lanesByEntity.computeIfAbsent(k, x -> new ArrayList<>()).add(lane));
    }
    long steps = Duration.between(start, to).toMillis() / step.toMillis();
    long stepMs = step.toMillis();
    for (Map.Entry<EntityKey, Timeline> entry : new TreeMap<>(timelines).entrySet()) {
      EntityKey key = entry.getKey();
      Timeline timeline = entry.getValue();
      List<Lane> ownLanes = settings.laneLengths(key.type()).isEmpty() ? List.of()
        : lanesByEntity.getOrDefault(key, List.of());
      Walk walk = new Walk(key, timeline, ownLanes.stream().map(lanes::get).toList(), ownLanes,
        targets.getOrDefault(key, Map.of()), settings, thresholds, from, changes);
      boolean fastPath = timeline.bucketMs < stepMs;
      long at = start.toEpochMilli();
      for (long s = 0; s <= steps; s++, at += stepMs) {
        if (s > 0 && fastPath) {
          walk.whereItShipped(at - stepMs, at);
        }
        walk.judge(Instant.ofEpochMilli(at));
      }
      // After the last step, the fast path up to the end of the range.
      if (fastPath) {
        walk.whereItShipped(at - stepMs, to.toEpochMilli() + 1);
      }
    }
    changes.sort(Comparator.comparing(Change::at).thenComparing(Change::entity));
    return changes;
  }

  /** Where a replay from {@code from} with this warm-up starts: on the step grid, at least {@code warmUp} before it. */
  public static Instant start(Instant from, Duration step, Duration warmUp) {
    if (warmUp.isNegative()) {
      throw new IllegalArgumentException("a warm-up cannot be negative: " + warmUp);
    }
    long warmSteps = (warmUp.toMillis() + step.toMillis() - 1) / step.toMillis();
    return from.minusMillis(warmSteps * step.toMillis());
  }

  /**
   * The hour the timelines of such a replay must begin at: the models judged at its start learn
   * from the history, and the gap of the longest window, before that start's hour.
   */
  public static Instant origin(Instant from, Duration step, Duration warmUp, DetectionSettings settings) {
    Instant earliest = start(from, step, warmUp).minus(settings.history()).minus(settings.longestWindow())
      .minus(Duration.ofHours(1));
    return Instant.ofEpochSecond(Math.floorDiv(earliest.getEpochSecond(), 3600) * 3600);
  }

  /** One entity's way through a replay: its state, and its models (and its lanes') of the hour judged. */
  private static final class Walk {
    private final EntityKey key;
    private final Timeline timeline;
    private final List<Timeline> laneTimelines;
    private final List<Lane> lanes;
    private final Map<Duration, Double> targets;
    private final DetectionSettings settings;
    private final Thresholds thresholds;
    private final Instant reportFrom;
    private final List<Change> changes;
    private final List<Duration> lengths;
    private final List<Duration> laneLengths;
    /** Each lane's normal of the hour judged (a view without observations), null where it has none. */
    private final Evaluator.LaneView[] laneNormals;
    private Severity state;
    private Reading last;
    /** When the readings last reached the hotspot's level ({@link HotspotPolicy}: it is held that long). */
    private Instant reachedAt;
    private Instant modelHour;
    private EntityModel model;

    Walk(EntityKey key, Timeline timeline, List<Timeline> laneTimelines, List<Lane> lanes, Map<Duration, Double> targets,
         DetectionSettings settings, Thresholds thresholds, Instant reportFrom, List<Change> changes) {
      this.key = key;
      this.timeline = timeline;
      this.laneTimelines = laneTimelines;
      this.lanes = lanes;
      this.targets = targets;
      this.settings = settings;
      this.thresholds = thresholds;
      this.reportFrom = reportFrom;
      this.changes = changes;
      this.lengths = settings.observedLengths();
      this.laneLengths = settings.laneLengths(key.type());
      this.laneNormals = new Evaluator.LaneView[lanes.size()];
    }

    /**
     * A lane's normal at {@code hour}, as the live engine reads it of the lane's stored model: its
     * model for a route; for a supplier only its flights, learnt without the rest (only routes read
     * lanes' rhythms). Null where the lane has none.
     */
    private Evaluator.LaneView laneNormal(Lane lane, Hours hours, Instant hour) {
      if (key.type() == EntityType.SUPPLIER) {
        SeasonalModel.Flights flights = SeasonalModel.flights(hour, hours, settings.model());
        return flights == null ? null : new Evaluator.LaneView(lane, null, flights, Map.of());
      }
      EntityModel m = EntityModel.learn(hour, hours, settings);
      return m == null || m.seasonal() == null ? null : new Evaluator.LaneView(lane, m.seasonal(), Map.of());
    }

    /** The fast path: judges the entity at every bucket edge in (afterMs, beforeMs) whose bucket had a shipment. */
    void whereItShipped(long afterMs, long beforeMs) {
      for (long tick = timeline.edgeAfter(afterMs); tick < beforeMs; tick += timeline.bucketMs) {
        if (timeline.shippedBefore(tick)) {
          judge(Instant.ofEpochMilli(tick));
        }
      }
    }

    /** Judges the entity at {@code at} with the models of that hour, and records any change. */
    void judge(Instant at) {
      Instant hour = Instant.ofEpochSecond(Math.floorDiv(at.getEpochSecond(), 3600) * 3600);
      if (!hour.equals(modelHour)) {
        model = EntityModel.learn(hour, timeline.hours(), settings);
        for (int i = 0; i < laneNormals.length; i++) {
          laneNormals[i] = laneNormal(lanes.get(i), laneTimelines.get(i).hours(), hour);
        }
        modelHour = hour;
      }
      Map<Duration, Evaluator.Observation> observations = observe(timeline, lengths, at);
      List<Evaluator.LaneView> views = new ArrayList<>();
      for (int i = 0; i < laneNormals.length; i++) {
        if (laneNormals[i] != null) {
          views.add(laneNormals[i].seeing(observe(laneTimelines.get(i), laneLengths, at)));
        }
      }
      Transition t = decide(state, reachedAt, last, at, Evaluator.readings(key, model, observations, targets, settings,
        views), thresholds);
      if (t == null) {
        return;
      }
      last = t.reading();
      reachedAt = t.reachedAt();
      if (t.kind().isTransition() && !at.isBefore(reportFrom)) {
        changes.add(new Change(at, key, t));
      }
      state = t.kind() == HotspotChange.RESOLVED || t.kind() == HotspotChange.NONE ? null : t.severity();
    }
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
   * is still hot — and otherwise nothing happens (null). {@code reachedAt} and {@code at} are for
   * the hold ({@link HotspotPolicy#evaluate(Severity, Instant, Instant, List, Thresholds)}).
   */
  public static Transition decide(Severity current, Instant reachedAt, Reading last, Instant at, List<Reading> readings,
                                  Thresholds thresholds) {
    if (readings.isEmpty()) {
      return current == null ? null : new Transition(HotspotChange.RESOLVED, current, last == null
        ? new Reading(null, Reading.Measure.EMISSIONS, 0, Double.NaN, Double.NaN) : last, null);
    }
    return HotspotPolicy.evaluate(current, reachedAt, at, readings, thresholds);
  }
}
