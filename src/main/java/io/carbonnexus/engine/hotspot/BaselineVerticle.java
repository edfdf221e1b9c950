package io.carbonnexus.engine.hotspot;

import io.carbonnexus.engine.config.ConfigKey;
import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.db.Pools;
import io.carbonnexus.engine.shared.Addresses;
import io.carbonnexus.engine.shared.BusFailure;
import io.carbonnexus.engine.shared.EventsIngested;
import io.carbonnexus.engine.shared.FailureCode;
import io.carbonnexus.engine.shared.Hotspot;
import io.carbonnexus.engine.shared.ListQuery;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Recomputes every entity's baseline from its past window totals, every {@code baselines.interval}
 * and at start. The windows are the {@code history_windows} windows of {@code detection.window}
 * before the current one; an entity with emissions in fewer than {@code min_windows} of them gets
 * no computed baseline yet, and so is not flagged. Targets (source {@code target}) are never
 * touched here: they win over the computed value in detection.
 */
public final class BaselineVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(BaselineVerticle.class);

  private final Clock clock;
  private Pool pool;
  private BaselineStatistic statistic;
  private Duration window;
  private int historyWindows;
  private int minWindows;
  private long timerId = -1;
  private int lastComputed = -1;
  private boolean running;
  private long retryTimer = -1;

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
      statistic = BaselineStatistic.parse(ConfigKeys.BASELINES_STATISTIC.get(conf));
    } catch (IllegalArgumentException e) {
      return Future.failedFuture("baselines.statistic (NEXUS_BASELINES_STATISTIC): " + e.getMessage());
    }
    window = ConfigKeys.DETECTION_WINDOW.get(conf);
    historyWindows = ConfigKeys.BASELINES_HISTORY_WINDOWS.get(conf);
    minWindows = ConfigKeys.BASELINES_MIN_WINDOWS.get(conf);
    pool = Pools.shared(vertx, conf);
    // Until the first computation finds history (a fresh database filling up), ingested events
    // trigger a recomputation instead of waiting for the next interval.
    Future<Void> listening = vertx.eventBus().consumer(Addresses.EVENTS_INGESTED, m -> {
      if (lastComputed <= 0 && retryTimer < 0) {
        retryTimer = vertx.setTimer(2_000, id -> {
          retryTimer = -1;
          recompute();
        });
      }
    }).completion();
    long interval = ConfigKeys.BASELINES_INTERVAL.get(conf).toMillis();
    var bus = vertx.eventBus();
    return Future.all(listening,
      bus.<JsonObject>consumer(Addresses.BASELINES_LIST, m -> BusFailure.answer(m, this::list)).completion(),
      bus.<JsonObject>consumer(Addresses.TARGET_SET, m -> BusFailure.answer(m, this::setTarget)).completion(),
      bus.<JsonObject>consumer(Addresses.TARGET_DELETE, m -> BusFailure.answer(m, this::deleteTarget)).completion())
      .onSuccess(v -> {
      timerId = vertx.setPeriodic(0, interval, id -> recompute());
      LOG.info("Baselines: {} of the last {} windows of {}, every {} (at least {} windows of history)", statistic,
        historyWindows, ConfigKey.formatDuration(window), ConfigKey.formatDuration(ConfigKeys.BASELINES_INTERVAL.get(conf)),
        minWindows);
    });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timerId);
    vertx.cancelTimer(retryTimer);
    return Future.succeededFuture();
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
    Entity entity = entity(request);
    Object value = request.getValue("baseline");
    if (!(value instanceof Number n) || !(n.doubleValue() > 0) || Double.isInfinite(n.doubleValue())) {
      throw new IllegalArgumentException("baseline must be a number above 0 (kg CO2 per detection window)");
    }
    return pool.preparedQuery(HotspotSql.UPSERT_TARGET).execute(Tuple.of(entity.type(), entity.name(), n.doubleValue()))
      .map(rows -> {
        LOG.info("Target for {} {} set to {} kg", entity.type(), entity.name(), n.doubleValue());
        baselinesChanged("target set", null);
        return baselineJson(rows.iterator().next());
      });
  }

  private Future<JsonObject> deleteTarget(JsonObject request) {
    Entity entity = entity(request);
    return pool.preparedQuery(HotspotSql.DELETE_TARGET).execute(Tuple.of(entity.type(), entity.name()))
      .compose(rows -> {
        if (rows.rowCount() == 0) {
          return Future.failedFuture(new BusFailure(FailureCode.NOT_FOUND,
            "no target for " + entity.type() + " " + entity.name(), null).asException());
        }
        LOG.info("Target for {} {} removed", entity.type(), entity.name());
        baselinesChanged("target removed", null);
        return Future.succeededFuture(new JsonObject().put("deleted", true));
      });
  }

  private record Entity(String type, String name) {
  }

  private static Entity entity(JsonObject request) {
    String type = ListQuery.text(request, "entity_type");
    String name = ListQuery.text(request, "entity");
    if (type == null || !EventsIngested.entityTypes().contains(type)) {
      throw new IllegalArgumentException("entity_type must be one of " + EventsIngested.entityTypes());
    }
    if (name == null || name.isEmpty() || name.length() > 500) {
      throw new IllegalArgumentException("entity must be 1 to 500 characters");
    }
    return new Entity(type, name);
  }

  private static JsonObject baselineJson(Row r) {
    return new JsonObject()
      .put("entity_type", r.getString("entity_type"))
      .put("entity", r.getString("entity"))
      .put("baseline", Hotspot.round(r.getDouble("baseline")))
      .put("source", r.getString("source"))
      .put("computed_at", r.getOffsetDateTime("computed_at").toInstant().toString())
      .put("statistic", r.getString("statistic"))
      .put("samples", r.getInteger("samples"));
  }

  private void baselinesChanged(String why, Integer computed) {
    vertx.eventBus().publish(Addresses.BASELINES_UPDATED, new JsonObject().put("why", why).put("computed", computed)
      .put("at", clock.instant().toString()));
  }

  /** Recomputes now; the reply-less result is published on {@link Addresses#BASELINES_UPDATED}. */
  Future<Integer> recompute() {
    if (running) {
      return Future.succeededFuture(0);
    }
    running = true;
    Instant now = clock.instant();
    Instant end = now.minus(window);
    return pool.preparedQuery(HotspotSql.PAST_WINDOW_TOTALS)
      .execute(Tuple.of(OffsetDateTime.ofInstant(end, ZoneOffset.UTC), (double) window.toSeconds(), historyWindows))
      .compose(rows -> {
        Map<String, List<Double>> totals = new HashMap<>();
        for (Row r : rows) {
          totals.computeIfAbsent(r.getString(0) + '\u0000' + r.getString(1), k -> new ArrayList<>()).add(r.getDouble(3));
        }
        List<Tuple> upserts = new ArrayList<>();
        OffsetDateTime at = OffsetDateTime.ofInstant(now, ZoneOffset.UTC);
        totals.forEach((key, values) -> {
          if (values.size() < minWindows) {
            return;
          }
          double baseline = statistic.of(values.stream().mapToDouble(Double::doubleValue).toArray());
          if (baseline > 0) {
            String[] parts = key.split("\u0000", 2);
            upserts.add(Tuple.of(parts[0], parts[1], baseline, at, statistic.name(), values.size(), window.toSeconds()));
          }
        });
        Future<?> write = upserts.isEmpty()
          ? Future.succeededFuture()
          : pool.preparedQuery(HotspotSql.UPSERT_COMPUTED_BASELINE).executeBatch(upserts);
        return write.map(v -> {
          LOG.info("Baselines recomputed: {} entities with at least {} windows of history ({} more without enough)",
            upserts.size(), minWindows, totals.size() - upserts.size());
          lastComputed = upserts.size();
          baselinesChanged("recomputed", upserts.size());
          return upserts.size();
        });
      })
      .onFailure(err -> LOG.warn("Baselines could not be recomputed (next try at the next interval): {}", err.getMessage()))
      .eventually(() -> {
        running = false;
        return Future.succeededFuture();
      });
  }
}
