package io.carbonnexus.engine.hotspot;

import io.carbonnexus.engine.config.ConfigKey;
import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.db.Pools;
import io.carbonnexus.engine.shared.Addresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
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
    return listening.onSuccess(v -> {
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
          vertx.eventBus().publish(Addresses.BASELINES_UPDATED,
            new JsonObject().put("computed", upserts.size()).put("at", now.toString()));
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
