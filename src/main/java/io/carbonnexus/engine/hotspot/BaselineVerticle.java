package io.carbonnexus.engine.hotspot;

import io.carbonnexus.engine.config.ConfigKey;
import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.db.Pools;
import io.carbonnexus.engine.shared.Addresses;
import io.carbonnexus.engine.shared.BusFailure;
import io.carbonnexus.engine.shared.EntityKey;
import io.carbonnexus.engine.shared.EntityType;
import io.carbonnexus.engine.shared.FailureCode;
import io.carbonnexus.engine.shared.Hotspot;
import io.carbonnexus.engine.shared.ListQuery;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.carbonnexus.engine.db.SqlTime.at;

/**
 * Learns every entity's normal from its history and keeps the baselines table: at start once
 * ingestion has caught up with its backlog (never from half-predicted history), on every
 * {@code baselines.interval} boundary, and again whenever ingestion drains a backlog. Each
 * entity's model (seasonal, or the legacy statistic) is stored in {@code entity_models} for the
 * detection verticles of every node; the baselines table gets, per entity, window and kind, the
 * upper edge of normal at that moment. Operators' targets (source {@code target}, kg CO2 per
 * window) are set and removed here and never overwritten.
 */
public final class BaselineVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(BaselineVerticle.class);
  /** A node without ingestion hears no caught-up notice: it learns anyway after this. */
  private static final long FIRST_LEARNING_AT_THE_LATEST_MS = 60_000;

  private final Clock clock;
  private Pool pool;
  private DetectionSettings settings;
  private Duration targetWindow;
  private long intervalMs;
  private long timerId = -1;
  private long fallbackTimer = -1;
  private boolean learnt;
  private Future<Integer> running;
  private boolean again;

  public BaselineVerticle() {
    this(Clock.systemUTC());
  }

  public BaselineVerticle(Clock clock) {
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    JsonObject conf = config();
    try {
      settings = DetectionSettingsReader.read(conf);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e.getMessage());
    }
    targetWindow = ConfigKeys.DETECTION_WINDOW.get(conf);
    intervalMs = ConfigKeys.BASELINES_INTERVAL.get(conf).toMillis();
    pool = Pools.shared(vertx, conf);
    var bus = vertx.eventBus();
    return Future.all(
      bus.<JsonObject>consumer(Addresses.INGESTION_CAUGHT_UP, m -> learnSoon("ingestion caught up with "
        + m.body().getLong("events", 0L) + " events")).completion(),
      bus.<JsonObject>consumer(Addresses.BASELINES_LIST, m -> BusFailure.answer(m, this::list)).completion(),
      bus.<JsonObject>consumer(Addresses.TARGET_SET, m -> BusFailure.answer(m, this::setTarget)).completion(),
      bus.<JsonObject>consumer(Addresses.TARGET_DELETE, m -> BusFailure.answer(m, this::deleteTarget)).completion())
      .onSuccess(v -> {
        fallbackTimer = vertx.setTimer(FIRST_LEARNING_AT_THE_LATEST_MS, id -> {
          if (!learnt) {
            learnSoon("no word from ingestion within " + FIRST_LEARNING_AT_THE_LATEST_MS / 1000 + " s of start");
          }
        });
        scheduleNext();
        LOG.info("Baselines: {} learnt every {} (on its boundaries) and whenever ingestion drains a backlog",
          settings.legacy() ? "legacy " + settings.legacyStatistic() + " of " + settings.legacyHistoryWindows() + " windows"
            : "seasonal normals of " + ConfigKey.formatDuration(settings.history()) + " of history, windows "
            + WindowSpec.format(settings.windows()),
          ConfigKey.formatDuration(Duration.ofMillis(intervalMs)));
      });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timerId);
    vertx.cancelTimer(fallbackTimer);
    return running == null ? Future.succeededFuture() : running.otherwiseEmpty();
  }

  /** The next learning on the next interval boundary (a few seconds after, for the last minute's events). */
  private void scheduleNext() {
    long now = clock.millis();
    long next = (Math.floorDiv(now, intervalMs) + 1) * intervalMs + Math.min(5_000, intervalMs / 10);
    timerId = vertx.setTimer(Math.max(1, next - now), id -> {
      learnSoon("interval");
      scheduleNext();
    });
  }

  /** One learning at a time; a request during one makes one more after it. */
  private void learnSoon(String why) {
    if (running != null) {
      again = true;
      return;
    }
    running = learn(why).onComplete(ar -> {
      running = null;
      if (again) {
        again = false;
        learnSoon("requested during the last learning");
      }
    });
  }

  private Future<JsonArray> list(JsonObject request) {
    ListQuery q = ListQuery.of(request);
    return pool.preparedQuery(HotspotSql.LIST_BASELINES).execute(Tuple.of(q.entityType(), q.entity(), q.limit()))
      .map(rows -> {
        JsonArray out = new JsonArray();
        rows.forEach(r -> out.add(baselineJson(r)));
        return out;
      });
  }

  /** An operator's target: stored, then every entity is evaluated again (a target may open or resolve a hotspot). */
  private Future<JsonObject> setTarget(JsonObject request) {
    EntityKey entity = entity(request);
    Duration window = targetWindow;
    Object value = request.getValue("baseline");
    if (!(value instanceof Number n) || !(n.doubleValue() > 0) || Double.isInfinite(n.doubleValue())) {
      throw new IllegalArgumentException("baseline must be a number above 0 (kg CO2 per window)");
    }
    return pool.preparedQuery(HotspotSql.UPSERT_TARGET)
      .execute(Tuple.of(entity.type().wire(), entity.entity(), n.doubleValue(), window.toSeconds()))
      .map(rows -> {
        LOG.info("Target for {} set to {} kg per {}", entity, n.doubleValue(),
          ConfigKey.formatDuration(window));
        baselinesChanged("target set", null, entity);
        return baselineJson(rows.iterator().next());
      });
  }

  private Future<JsonObject> deleteTarget(JsonObject request) {
    EntityKey entity = entity(request);
    return pool.preparedQuery(HotspotSql.DELETE_TARGET).execute(Tuple.of(entity.type().wire(), entity.entity()))
      .compose(rows -> {
        if (rows.rowCount() == 0) {
          return Future.failedFuture(new BusFailure(FailureCode.NOT_FOUND,
            "no target for " + entity, null).asException());
        }
        LOG.info("Target for {} removed", entity);
        baselinesChanged("target removed", null, entity);
        return Future.succeededFuture(new JsonObject().put("deleted", true));
      });
  }

  private static EntityKey entity(JsonObject request) {
    String type = ListQuery.text(request, "entity_type");
    String name = ListQuery.text(request, "entity");
    EntityType known = EntityType.find(type)
      .orElseThrow(() -> new IllegalArgumentException("entity_type must be one of " + EntityType.wires()));
    if (name == null || name.isEmpty() || name.length() > 500) {
      throw new IllegalArgumentException("entity must be 1 to 500 characters");
    }
    return new EntityKey(known, name);
  }

  private static JsonObject baselineJson(Row r) {
    Double expected = r.getDouble("expected");
    Long windowSeconds = r.getLong("window_seconds");
    JsonArray bands = new JsonArray();
    Object raw = r.getValue("bands");
    JsonArray stored = raw instanceof JsonArray a ? a : raw == null ? new JsonArray() : new JsonArray(raw.toString());
    for (Object o : stored) {
      JsonObject b = (JsonObject) o;
      bands.add(new JsonObject()
        .put("window", ConfigKey.formatDuration(Duration.ofSeconds(b.getLong("window_seconds"))))
        .put("kind", b.getString("kind"))
        .put("expected", round(b.getDouble("expected")))
        .put("baseline", round(b.getDouble("baseline"))));
    }
    return new JsonObject()
      .put("entity_type", r.getString("entity_type"))
      .put("entity", r.getString("entity"))
      .put("baseline", round(r.getDouble("baseline")))
      .put("expected", expected == null ? null : round(expected))
      .put("window", windowSeconds == null ? null : ConfigKey.formatDuration(Duration.ofSeconds(windowSeconds)))
      .put("source", r.getString("source"))
      .put("computed_at", r.getOffsetDateTime("computed_at").toInstant().toString())
      .put("statistic", r.getString("statistic"))
      .put("samples", r.getInteger("samples"))
      .put("bands", bands);
  }

  /** kg to the gram; intensities (kg per tonne-km, often 0.0x) to six places. */
  private static double round(double value) {
    return Math.abs(value) < 10 ? Math.round(value * 1e6) / 1e6 : Hotspot.round(value);
  }

  private void baselinesChanged(String why, Integer computed) {
    baselinesChanged(why, computed, null);
  }

  /** @param target the entity whose target was set or removed; null when the normals were learnt */
  private void baselinesChanged(String why, Integer computed, EntityKey target) {
    JsonObject message = new JsonObject().put("why", why).put("computed", computed).put("target_changed", target != null);
    if (target != null) {
      message.put("entity_type", target.type().wire()).put("entity", target.entity());
    }
    vertx.eventBus().publish(Addresses.BASELINES_UPDATED, message.put("at", clock.instant().toString()));
  }

  /**
   * Learns every entity's normal from its hours before the current hour, stores the models and
   * the baselines of this moment, and tells detection; resolves to the number of entities with a
   * model.
   */
  Future<Integer> learn(String why) {
    learnt = true;
    vertx.cancelTimer(fallbackTimer);
    Instant now = clock.instant();
    Instant hour = Instant.ofEpochSecond(Math.floorDiv(now.getEpochSecond(), 3600) * 3600);
    Instant from = hour.minus(settings.history());
    long t0 = System.nanoTime();
    Tuple hours = Tuple.of(at(from), 3600.0, at(hour));
    Future<RowSet<Row>> entities = pool.preparedQuery(HotspotSql.hourlyActivity(from, hour)).execute(hours);
    Future<RowSet<Row>> lanes = !settings.judgesLanes() ? Future.succeededFuture(null)
      : pool.preparedQuery(HotspotSql.LANE_BUCKET_ACTIVITY).execute(hours);
    return Future.all(entities, lanes)
      .compose(v -> vertx.executeBlocking(() -> ModelStore.learnAll(entities.result(), lanes.result(), from, hour, now,
        settings), false))
      .compose(learnt -> ModelStore.save(pool, learnt, hour, now, settings).map(count -> {
        LOG.info("Normals learnt ({}): {} entities and {} lanes with a model, from {} of history, in {} ms", why, count,
          learnt.lanes().size(), ConfigKey.formatDuration(settings.history()), (System.nanoTime() - t0) / 1_000_000);
        baselinesChanged("learnt: " + why, count);
        return count;
      }))
      .onFailure(err -> LOG.warn("Normals could not be learnt (next try at the next interval): {}", err.getMessage()));
  }

}
