package io.carbonnexus.engine.hotspot;

import io.carbonnexus.engine.config.ConfigKey;
import io.carbonnexus.engine.shared.EntityKey;
import io.carbonnexus.engine.shared.Hotspot;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.carbonnexus.engine.db.SqlTime.at;

/**
 * {@code POST /detection/batch}: what the live engine would have done at every step of a past
 * range. The range's activity and the history before it are read once, in buckets; then
 * {@link Replay} evaluates each step (the live cycle), and between steps each entity at the end of
 * every bucket in which it shipped (the live fast path), with models learnt from data strictly
 * before that hour — the live engine's own rule — and today's thresholds and targets. It starts
 * one longest window before the range (the warm-up) and reports from the range's start. Nothing
 * is stored.
 */
final class ReplayRequest {

  private static final Logger LOG = LoggerFactory.getLogger(ReplayRequest.class);

  /** The most steps, and buckets, one request may replay: bounds the work a single request can ask for. */
  static final int MAX_STEPS = 30_000;
  /** The longest range one request may replay (the history before it is read as well). */
  static final Duration MAX_RANGE = Duration.ofDays(92);

  record Parsed(Instant from, Instant to, Duration step) {
  }

  private ReplayRequest() {
  }

  static Parsed parse(JsonObject body, Duration defaultStep, Instant now) {
    Instant from;
    Instant to;
    try {
      from = Instant.parse(body.getString("from", ""));
      to = Instant.parse(body.getString("to", ""));
    } catch (DateTimeParseException | ClassCastException e) {
      throw new IllegalArgumentException("from and to must be RFC 3339 instants such as 2026-11-01T00:00:00Z");
    }
    Duration step;
    try {
      step = body.getString("step") == null ? defaultStep : ConfigKey.parseDurationText(body.getString("step"));
    } catch (ClassCastException e) {
      throw new IllegalArgumentException("step must be a duration such as 15m");
    }
    if (!from.isBefore(to)) {
      throw new IllegalArgumentException("from must be before to");
    }
    if (to.isAfter(now)) {
      throw new IllegalArgumentException("to is in the future");
    }
    if (step.toMillis() < 60_000 || step.toMillis() % 60_000 != 0 || Duration.ofDays(1).toMillis() % step.toMillis() != 0) {
      throw new IllegalArgumentException("step must be whole minutes dividing a day (1m, 5m, 15m, 1h, ...)");
    }
    if (from.getEpochSecond() % 60 != 0 || from.getNano() != 0) {
      throw new IllegalArgumentException("from must be on a whole minute");
    }
    if (Duration.between(from, to).compareTo(MAX_RANGE) > 0) {
      throw new IllegalArgumentException("at most " + MAX_RANGE.toDays() + " days per request: split the range");
    }
    if (Duration.between(from, to).toMillis() / step.toMillis() > MAX_STEPS) {
      throw new IllegalArgumentException("at most " + MAX_STEPS + " steps per request: shorten the range or lengthen the step");
    }
    // The fast path judges a busy entity at every bucket whatever the step: that is the work to bound.
    Duration bucket = bucket(step);
    if (Duration.between(from, to).toMillis() / bucket.toMillis() > MAX_STEPS) {
      throw new IllegalArgumentException("at most " + MAX_STEPS + " buckets of " + ConfigKey.formatDuration(bucket)
        + " per request (between two steps the replay judges an entity at the end of each bucket in which it shipped,"
        + " as the live fast path would): shorten the range");
    }
    return new Parsed(from, to, step);
  }

  /**
   * The coarsest grain of the live fast path in a replay: between two steps an entity is judged
   * again at the end of every bucket in which it shipped, as the live engine judges it when its
   * events arrive, so that a coarse step does not delay what the replay says by up to a step.
   */
  static final Duration FAST_PATH_GRAIN = Duration.ofMinutes(5);

  /**
   * Buckets: the largest whole number of minutes, at most {@link #FAST_PATH_GRAIN}, dividing both
   * the step and an hour (5 minutes for any step that is a multiple of 5 minutes, 4 for 12m).
   */
  static Duration bucket(Duration step) {
    long common = gcd(step.toMinutes(), 60);
    long minutes = FAST_PATH_GRAIN.toMinutes();
    while (common % minutes != 0) {
      minutes--;
    }
    return Duration.ofMinutes(minutes);
  }

  private static long gcd(long a, long b) {
    return b == 0 ? a : gcd(b, a % b);
  }

  static Future<JsonObject> run(Vertx vertx, Pool pool, Parsed p, DetectionSettings s, Thresholds thresholds) {
    long started = System.nanoTime();
    Duration bucket = bucket(p.step());
    // The live engine came to `from` with hotspots open: the replay starts one longest window
    // earlier and reports from `from` (an entity hot since before it is not "opened" at it).
    Duration warmUp = s.longestWindow();
    Instant origin = Replay.origin(p.from(), p.step(), warmUp, s);
    int count = (int) (Duration.between(origin, p.to()).toMillis() / bucket.toMillis()) + 1;
    Tuple range = Tuple.of(at(origin), (double) bucket.toSeconds(), at(p.to()));
    Future<Map<EntityKey, Map<Duration, Double>>> targets = ModelStore.targets(pool, s.legacyWindow());
    Future<RowSet<Row>> entities = pool.preparedQuery(HotspotSql.BUCKET_ACTIVITY).execute(range);
    Future<RowSet<Row>> lanes = !s.judgesLanes() ? Future.succeededFuture(null)
      : pool.preparedQuery(HotspotSql.LANE_BUCKET_ACTIVITY).execute(range);
    return Future.all(targets, entities, lanes)
      // Replaying is CPU work proportional to entities × steps: off the event loop.
      .compose(v -> vertx.executeBlocking(() -> {
        Map<EntityKey, Replay.Timeline> timelines = new HashMap<>();
        ModelStore.buckets(entities.result(), count)
          .forEach((k, series) -> timelines.put(k, new Replay.Timeline(origin, bucket, series)));
        Map<Lane, Replay.Timeline> laneTimelines = new HashMap<>();
        if (lanes.result() != null) {
          ModelStore.laneBuckets(lanes.result(), count)
            .forEach((k, series) -> laneTimelines.put(k, new Replay.Timeline(origin, bucket, series)));
        }
        long read = System.nanoTime();
        List<Replay.Change> changes = Replay.run(timelines, laneTimelines, p.from(), p.to(), p.step(), warmUp, s,
          thresholds, targets.result());
        // A long replay is the one heavy request an operator can make: say what it cost.
        LOG.info("Replayed {} .. {} every {} (buckets of {}): {} entities and {} lanes, {} changes; read in {} ms,"
            + " judged in {} ms", p.from(), p.to(), ConfigKey.formatDuration(p.step()), ConfigKey.formatDuration(bucket),
          timelines.size(), laneTimelines.size(), changes.size(), (read - started) / 1_000_000,
          (System.nanoTime() - read) / 1_000_000);
        return changes;
      }, false))
      .map(changes -> answer(p, s, bucket, changes));
  }

  private static JsonObject answer(Parsed p, DetectionSettings s, Duration bucket, List<Replay.Change> replayed) {
    JsonArray changes = new JsonArray();
    for (Replay.Change c : replayed) {
      Reading r = c.transition().reading();
      boolean numbers = r.baseline() > 0;
      changes.add(new JsonObject().put("at", c.at().toString()).put("entity_type", c.entity().type().wire())
        .put("entity", c.entity().entity()).put("change", c.transition().kind().wire())
        .put("severity", c.transition().severity().wire())
        .put("window", r.window()).put("kind", r.measure().wire())
        .put("predicted", Hotspot.roundFigure(r.predicted()))
        .put("expected", Double.isNaN(r.expected()) ? null : Hotspot.roundFigure(r.expected()))
        .put("baseline", numbers ? Hotspot.roundFigure(r.baseline()) : null)
        .put("percent_above", numbers ? HotspotPolicy.percentAbove(r.predicted(), r.baseline()) : null)
        .put("lane_supplier", r.laneSupplier()));
    }
    return new JsonObject().put("from", p.from().toString()).put("to", p.to().toString())
      .put("step", ConfigKey.formatDuration(p.step()))
      .put("algorithm", s.algorithm())
      .put("windows", s.legacy() ? ConfigKey.formatDuration(s.legacyWindow()) : WindowSpec.format(s.windows()))
      .put("evaluations", Duration.between(p.from(), p.to()).toMillis() / p.step().toMillis() + 1)
      .put("buckets", ConfigKey.formatDuration(bucket))
      .put("changes", changes);
  }

}
