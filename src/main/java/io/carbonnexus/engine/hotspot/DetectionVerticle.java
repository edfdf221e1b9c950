package io.carbonnexus.engine.hotspot;

import io.carbonnexus.engine.config.ConfigKey;
import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.db.Pools;
import io.carbonnexus.engine.hotspot.HotspotPolicy.Kind;
import io.carbonnexus.engine.hotspot.HotspotPolicy.Transition;
import io.carbonnexus.engine.shared.Addresses;
import io.carbonnexus.engine.shared.BusFailure;
import io.carbonnexus.engine.shared.FailureCode;
import io.carbonnexus.engine.shared.EventsIngested;
import io.carbonnexus.engine.shared.Hotspot;
import io.carbonnexus.engine.shared.Metrics;
import io.carbonnexus.engine.shared.RuntimeKeys;
import io.carbonnexus.engine.shared.Severity;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Compares every entity's predicted emissions over the window with its baseline and keeps its
 * hotspot state: the full cycle every {@code detection.interval} (one run per interval across all
 * engines on the database), a fast path for the entities that newly ingested events touch, and a
 * full pass whenever baselines change. Every evaluation runs in one transaction under a
 * PostgreSQL advisory lock, reading the open hotspots inside it: two engines never evaluate at the
 * same time, and a retried evaluation finds the state the first one committed. Changes are
 * published on {@code hotspots} after commit, then the snapshot on {@code emissions}.
 */
public final class DetectionVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(DetectionVerticle.class);
  private static final long SNAPSHOT_EVERY_MS = 1_000;
  /**
   * New numbers of a hotspot that stays at its level are published at most this often (changes
   * of level always at once): every fast-path evaluation makes new numbers, and browsers, alerting
   * and recommendations do not need each of them.
   */
  static final long UPDATED_EVERY_MS = 5_000;

  /** An entity: (entity_type, entity). */
  record Key(String type, String entity) {
  }

  /** Which entities an evaluation looks at: all, or those touched by new events. */
  private record Scope(Set<String> suppliers, Set<String> routes, Set<String> vehicleTypes) {
    static final Scope ALL = new Scope(null, null, null);

    boolean all() {
      return suppliers == null;
    }

    Scope merge(Scope other) {
      if (all() || other.all()) {
        return ALL;
      }
      Set<String> s = new HashSet<>(suppliers);
      s.addAll(other.suppliers());
      Set<String> r = new HashSet<>(routes);
      r.addAll(other.routes());
      Set<String> v = new HashSet<>(vehicleTypes);
      v.addAll(other.vehicleTypes());
      return new Scope(s, r, v);
    }

    boolean contains(Key k) {
      return all() || switch (k.type()) {
        case "supplier" -> suppliers.contains(k.entity());
        case "route" -> routes.contains(k.entity());
        case "vehicle_type" -> vehicleTypes.contains(k.entity());
        default -> false;
      };
    }
  }

  private record OpenHotspot(long id, Severity severity, Instant openedAt, double predicted, double baseline) {
  }

  private final Clock clock;
  private String node;
  private Pool pool;
  private volatile Thresholds thresholds;
  private Duration window;
  private Duration interval;
  private long fastPathDelayMs;
  private long timerId = -1;
  /** Entities the last full evaluation saw, recorded with its interval. */
  private int lastEntities;
  /** The emissions snapshot is published at most once per second, computed from the database. */
  private long lastSnapshotAt;
  private boolean snapshotPending;
  /** When each open hotspot's last {@code updated} was published. */
  private final Map<Long, Long> updatePublishedAt = new HashMap<>();
  private Scope pending;
  private long pendingTimer = -1;
  private Scope next;
  private String nextWhy;
  private Promise<Integer> nextDone;
  private boolean evaluating;
  private Future<Void> current = Future.succeededFuture();
  private MeterRegistry registry;

  public DetectionVerticle() {
    this(Clock.systemUTC());
  }

  public DetectionVerticle(Clock clock) {
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    JsonObject conf = config();
    try {
      thresholds = thresholds(conf);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e.getMessage());
    }
    window = ConfigKeys.DETECTION_WINDOW.get(conf);
    interval = ConfigKeys.DETECTION_INTERVAL.get(conf);
    node = conf.getString(RuntimeKeys.NODE_ID, UUID.randomUUID().toString().substring(0, 8));
    fastPathDelayMs = ConfigKeys.DETECTION_FAST_PATH_DELAY.get(conf).toMillis();
    pool = Pools.shared(vertx, conf);
    registry = Metrics.registry(conf);
    var bus = vertx.eventBus();
    Future<Void> ready = Future.all(
      bus.<JsonObject>consumer(Addresses.EVENTS_INGESTED, m -> touched(EventsIngested.fromJson(m.body()))).completion(),
      bus.<JsonObject>consumer(Addresses.BASELINES_UPDATED, m -> enqueue(Scope.ALL, "baselines updated")).completion(),
      bus.<JsonObject>consumer(Addresses.CONFIG_CHANGED, m -> reconfigure(m.body())).completion(),
      bus.<JsonObject>consumer(Addresses.DETECTION_BATCH, this::batch).completion()).mapEmpty();
    return ready.onSuccess(v -> {
      timerId = vertx.setPeriodic(delayToMiddleOfInterval(), interval.toMillis(), id -> periodic());
      LOG.info("Detection every {} over a {} window (fast path after {} ms), thresholds {}",
        ConfigKey.formatDuration(interval), ConfigKey.formatDuration(window), fastPathDelayMs, thresholds);
    });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timerId);
    vertx.cancelTimer(pendingTimer);
    next = null;
    return current.otherwiseEmpty();
  }

  /** The most steps one batch request may replay: bounds the work a single request can ask for. */
  static final int MAX_BATCH_STEPS = 20_000;

  /** Batch detection: a replay of a past range, answered to the caller, never stored. */
  private void batch(Message<JsonObject> message) {
    Instant from;
    Instant to;
    Duration step;
    try {
      JsonObject body = message.body();
      from = Instant.parse(body.getString("from", ""));
      to = Instant.parse(body.getString("to", ""));
      step = body.getString("step") == null ? interval : ConfigKey.parseDurationText(body.getString("step"));
      if (!from.isBefore(to)) {
        throw new IllegalArgumentException("from must be before to");
      }
      if (to.isAfter(clock.instant())) {
        throw new IllegalArgumentException("to is in the future");
      }
      if (step.toMillis() < 1_000 || step.toMillis() % 1_000 != 0) {
        throw new IllegalArgumentException("step must be a whole number of seconds, at least 1s");
      }
      if (window.toMillis() % step.toMillis() != 0) {
        throw new IllegalArgumentException("step must be a divisor of the detection window (" + window + ")");
      }
      if (Duration.between(from, to).toMillis() / step.toMillis() > MAX_BATCH_STEPS) {
        throw new IllegalArgumentException("at most " + MAX_BATCH_STEPS + " steps per request: shorten the range or lengthen the step");
      }
    } catch (RuntimeException e) {
      String reason = e instanceof java.time.format.DateTimeParseException
        ? "from and to must be RFC 3339 instants such as 2026-11-01T00:00:00Z" : e.getMessage();
      new BusFailure(FailureCode.INVALID_REQUEST, reason, null).replyTo(message);
      return;
    }
    Instant origin = from.minus(window);
    Thresholds t = thresholds;
    Map<String, Map<Integer, Double>> buckets = new HashMap<>();
    Map<String, Double> baselines = new HashMap<>();
    pool.preparedQuery(HotspotSql.BUCKET_TOTALS)
      .execute(Tuple.of(OffsetDateTime.ofInstant(origin, ZoneOffset.UTC), (double) step.toSeconds(),
        OffsetDateTime.ofInstant(to, ZoneOffset.UTC)))
      .compose(rows -> {
        rows.forEach(r -> buckets.computeIfAbsent(r.getString(0) + '\u0000' + r.getString(1), k -> new HashMap<>())
          .put(r.getInteger(2), r.getDouble(3)));
        return pool.query(HotspotSql.EFFECTIVE_BASELINES).execute();
      })
      .compose(rows -> {
        rows.forEach(r -> baselines.put(r.getString(0) + '\u0000' + r.getString(1), r.getDouble(2)));
        // The replay is CPU work proportional to entities x steps: off the event loop.
        return vertx.executeBlocking(() -> BatchDetection.replay(from, to, step, window, buckets, baselines, t), false);
      })
      .map(replayed -> {
        JsonArray changes = new JsonArray();
        for (BatchDetection.Change c : replayed) {
          changes.add(new JsonObject().put("at", c.at().toString()).put("entity_type", c.entityType())
            .put("entity", c.entity()).put("change", c.transition().kind().wire())
            .put("severity", c.transition().severity().wire())
            .put("predicted", Math.round(c.transition().predicted() * 1000) / 1000.0)
            .put("baseline", Math.round(c.transition().baseline() * 1000) / 1000.0)
            .put("percent_above", c.transition().percentAbove()));
        }
        return new JsonObject().put("from", from.toString()).put("to", to.toString())
          .put("step", ConfigKey.formatDuration(step))
          .put("evaluations", Duration.between(from, to).toMillis() / step.toMillis() + 1)
          .put("changes", changes);
      })
      .onSuccess(message::reply)
      .onFailure(err -> new BusFailure(FailureCode.STORAGE_FAILED, "batch detection failed: " + err.getMessage(), null)
        .replyTo(message));
  }

  static Thresholds thresholds(JsonObject conf) {
    return new Thresholds(ConfigKeys.THRESHOLDS_INFO.get(conf), ConfigKeys.THRESHOLDS_WARN.get(conf),
      ConfigKeys.THRESHOLDS_CRITICAL.get(conf), ConfigKeys.THRESHOLDS_HYSTERESIS.get(conf));
  }

  /** Live thresholds: the next evaluation uses them; an impossible set is refused and logged. */
  private void reconfigure(JsonObject conf) {
    try {
      Thresholds next = thresholds(conf);
      if (!next.equals(thresholds)) {
        LOG.info("Thresholds changed from {} to {}", thresholds, next);
        thresholds = next;
        enqueue(Scope.ALL, "thresholds changed");
      }
    } catch (IllegalArgumentException e) {
      LOG.error("Keeping thresholds {}: {}", thresholds, e.getMessage());
    }
  }

  /** Fast path: gather the entities new events touch for a moment, then evaluate them together. */
  private void touched(EventsIngested ingested) {
    if (ingested.predicted() == 0) {
      return;
    }
    if (pending == null) {
      pending = new Scope(new HashSet<>(), new HashSet<>(), new HashSet<>());
      pendingTimer = vertx.setTimer(Math.max(1, fastPathDelayMs), id -> {
        Scope scope = pending;
        pending = null;
        pendingTimer = -1;
        enqueue(scope, "new events");
      });
    }
    pending.suppliers().addAll(ingested.suppliers());
    pending.routes().addAll(ingested.routes());
    pending.vehicleTypes().addAll(ingested.vehicleTypes());
  }

  /**
   * The periodic cycle runs only on the engine that claims this interval first. The interval is
   * the database's (one clock for every engine); ticks fire in the middle of an interval, far from
   * the boundaries where clock differences between engines would matter.
   */
  private void periodic() {
    pool.preparedQuery(HotspotSql.CLAIM_INTERVAL).execute(Tuple.of((double) interval.toSeconds(), node))
      .onSuccess(claim -> {
        if (claim.rowCount() == 0) {
          LOG.debug("This interval is run by another engine");
          return;
        }
        List<OffsetDateTime> claimed = new ArrayList<>();
        claim.forEach(r -> claimed.add(r.getOffsetDateTime(0)));
        claimed.sort(null);
        if (claimed.size() > 1) {
          LOG.info("Detection interval {} had no run (a late tick): it runs now with {}", claimed.get(0).toInstant(),
            claimed.get(claimed.size() - 1).toInstant());
        }
        OffsetDateTime current = claimed.get(claimed.size() - 1);
        enqueue(Scope.ALL, "interval " + current.toInstant())
          .compose(changes -> Future.all(claimed.stream().map(start -> pool.preparedQuery(HotspotSql.FINISH_INTERVAL)
            .execute(Tuple.of(start, lastEntities, changes))).toList()))
          .onFailure(err -> LOG.warn("Detection interval {} did not finish: {}", current.toInstant(), err.getMessage()));
      })
      .onFailure(err -> LOG.warn("Detection interval not claimed: {}", err.getMessage()));
  }

  private long delayToMiddleOfInterval() {
    long ms = interval.toMillis();
    long into = Math.floorMod(System.currentTimeMillis(), ms);
    return Math.floorMod(ms / 2 - into, ms) + 1;
  }

  /**
   * Evaluations run one at a time on this verticle (the advisory lock orders them across
   * engines). Requests that arrive meanwhile are merged into one next evaluation, so a burst of
   * ingested batches costs one evaluation per round, not one each.
   */
  Future<Integer> enqueue(Scope scope, String why) {
    next = next == null ? scope : next.merge(scope);
    nextWhy = nextWhy == null ? why : nextWhy;
    if (nextDone == null) {
      nextDone = Promise.promise();
    }
    Future<Integer> result = nextDone.future();
    if (!evaluating) {
      runNext();
    }
    return result;
  }

  private void runNext() {
    Scope scope = next;
    String why = nextWhy;
    Promise<Integer> done = nextDone;
    next = null;
    nextWhy = null;
    nextDone = null;
    evaluating = true;
    current = evaluate(scope, why).onComplete(ar -> {
      evaluating = false;
      done.handle(ar);
      if (next != null) {
        runNext();
      }
    }).mapEmpty();
  }

  private Future<Integer> evaluate(Scope scope, String why) {
    Instant now = clock.instant();
    List<Hotspot> changed = new ArrayList<>();
    return pool.withTransaction(conn -> conn.query(HotspotSql.LOCK).execute()
        .compose(v -> evaluateLocked(conn, scope, now, changed)))
      .map(count -> {
        long nowMs = System.currentTimeMillis();
        for (Hotspot h : changed) {
          if ("updated".equals(h.change())) {
            Long last = updatePublishedAt.get(h.id());
            if (last != null && nowMs - last < UPDATED_EVERY_MS) {
              continue;
            }
          }
          if ("resolved".equals(h.change())) {
            updatePublishedAt.remove(h.id());
          } else {
            updatePublishedAt.put(h.id(), nowMs);
          }
          vertx.eventBus().publish(Addresses.HOTSPOTS, h.toJson());
        }
        // After every evaluation, not only after changes: the dashboard's totals follow new events.
        publishSnapshot();
        // New numbers on open hotspots happen at every evaluation: only changes of level are worth a line.
        if (count > 0) {
          LOG.info("Detection ({}): {} hotspots opened, escalated, de-escalated or resolved", why, count);
        }
        Counter.builder("nexus_detection_runs_total").tag("scope", scope.all() ? "all" : "touched")
          .description("Detection evaluations").register(registry).increment();
        return count;
      })
      .onFailure(err -> LOG.warn("Detection ({}) failed, the next evaluation retries: {}", why, err.getMessage()));
  }

  private Future<Integer> evaluateLocked(SqlConnection conn, Scope scope, Instant now, List<Hotspot> changed) {
    OffsetDateTime to = OffsetDateTime.ofInstant(now, ZoneOffset.UTC);
    OffsetDateTime from = to.minus(window);
    Tuple totalsArgs = scope.all()
      ? Tuple.of(from, to, null, null, null)
      : Tuple.of(from, to, scope.suppliers().toArray(String[]::new), scope.routes().toArray(String[]::new),
        scope.vehicleTypes().toArray(String[]::new));
    Map<Key, Double> totals = new HashMap<>();
    Map<Key, Double> baselines = new HashMap<>();
    Map<Key, OpenHotspot> open = new HashMap<>();
    return conn.preparedQuery(HotspotSql.WINDOW_TOTALS).execute(totalsArgs)
      .compose(rows -> {
        for (Row r : rows) {
          Key k = new Key(r.getString(0), r.getString(1));
          if (scope.contains(k)) {
            totals.put(k, r.getDouble(2));
          }
        }
        return conn.query(HotspotSql.EFFECTIVE_BASELINES).execute();
      })
      .compose(rows -> {
        rows.forEach(r -> baselines.put(new Key(r.getString(0), r.getString(1)), r.getDouble(2)));
        return conn.query(HotspotSql.OPEN_HOTSPOTS).execute();
      })
      .compose(rows -> {
        rows.forEach(r -> open.put(new Key(r.getString(1), r.getString(2)),
          new OpenHotspot(r.getLong(0), Severity.of(r.getString(3)), r.getOffsetDateTime(4).toInstant(), r.getDouble(5),
            r.getDouble(6))));
        remember(scope, totals);
        return apply(conn, decide(scope, totals, baselines, open), open, now, changed);
      });
  }

  /** Every entity in scope with a baseline, and every open hotspot in scope (its emissions may have dropped to 0). */
  private Map<Key, Transition> decide(Scope scope, Map<Key, Double> totals, Map<Key, Double> baselines,
                                      Map<Key, OpenHotspot> open) {
    Set<Key> candidates = new HashSet<>(totals.keySet());
    open.keySet().stream().filter(scope::contains).forEach(candidates::add);
    Map<Key, Transition> transitions = new LinkedHashMap<>();
    Thresholds t = thresholds;
    for (Key k : candidates) {
      Double baseline = baselines.get(k);
      OpenHotspot current = open.get(k);
      if (baseline == null || !(baseline > 0)) {
        if (current != null) {
          // Its baseline is gone (target deleted, history expired): nothing to compare with, so
          // the hotspot is resolved rather than left open for ever.
          double predicted = totals.getOrDefault(k, 0.0);
          transitions.put(k, new Transition(Kind.RESOLVED, current.severity(), predicted, current.baseline(),
            HotspotPolicy.percentAbove(predicted, current.baseline())));
        }
        continue; // not enough history yet and no target: not flagged
      }
      Transition tr = HotspotPolicy.evaluate(current == null ? null : current.severity(), totals.getOrDefault(k, 0.0),
        baseline, t);
      boolean unchanged = tr.kind() == Kind.UPDATED && Math.abs(tr.predicted() - current.predicted()) < 1e-9
        && tr.baseline() == current.baseline();
      if (tr.kind() != Kind.NONE && !unchanged) {
        transitions.put(k, tr);
      }
    }
    return transitions;
  }

  private Future<Integer> apply(SqlConnection conn, Map<Key, Transition> transitions, Map<Key, OpenHotspot> open,
                                Instant now, List<Hotspot> changed) {
    OffsetDateTime at = OffsetDateTime.ofInstant(now, ZoneOffset.UTC);
    Future<Void> chain = Future.succeededFuture();
    for (Map.Entry<Key, Transition> e : transitions.entrySet()) {
      Key k = e.getKey();
      Transition tr = e.getValue();
      OpenHotspot current = open.get(k);
      chain = chain.compose(v -> switch (tr.kind()) {
        case OPENED -> conn.preparedQuery(HotspotSql.INSERT_HOTSPOT)
          .execute(Tuple.of(k.type(), k.entity(), tr.predicted(), tr.baseline(), tr.percentAbove(), tr.severity().wire(), at))
          .compose(rows -> {
            long id = rows.iterator().next().getLong(0);
            changed.add(hotspot(id, k, tr, "open", now, now, null));
            return change(conn, id, tr, at);
          });
        case RESOLVED -> conn.preparedQuery(HotspotSql.RESOLVE_HOTSPOT)
          .execute(Tuple.of(current.id(), tr.predicted(), tr.baseline(), tr.percentAbove(), at))
          .compose(r -> {
            changed.add(hotspot(current.id(), k, tr, "resolved", current.openedAt(), now, now));
            return change(conn, current.id(), tr, at);
          });
        default -> conn.preparedQuery(HotspotSql.UPDATE_HOTSPOT)
          .execute(Tuple.of(current.id(), tr.predicted(), tr.baseline(), tr.percentAbove(), tr.severity().wire(), at))
          .compose(r -> {
            changed.add(hotspot(current.id(), k, tr, "open", current.openedAt(), now, null));
            return tr.kind().isTransition() ? change(conn, current.id(), tr, at) : Future.succeededFuture();
          });
      });
    }
    return chain.map(v -> (int) changed.stream().filter(h -> !"updated".equals(h.change())).count());
  }

  private static Future<Void> change(SqlConnection conn, long hotspotId, Transition tr, OffsetDateTime at) {
    return conn.preparedQuery(HotspotSql.INSERT_CHANGE)
      .execute(Tuple.of(hotspotId, tr.kind().wire(), tr.severity().wire(), tr.predicted(), tr.baseline(),
        tr.percentAbove(), at))
      .mapEmpty();
  }

  private static Hotspot hotspot(long id, Key k, Transition tr, String status, Instant openedAt, Instant updatedAt,
                                 Instant resolvedAt) {
    return new Hotspot(id, k.entity(), k.type(), tr.predicted(), tr.baseline(), tr.percentAbove(), tr.severity(), status,
      openedAt, updatedAt, resolvedAt, tr.kind().wire());
  }

  private void remember(Scope scope, Map<Key, Double> totals) {
    if (scope.all()) {
      lastEntities = totals.size();
    }
  }

  /**
   * Publishes the current snapshot on {@code emissions}, computed from the database so that every
   * node publishes the same numbers; bursts of evaluations give one snapshot per second.
   */
  private void publishSnapshot() {
    if (snapshotPending) {
      return;
    }
    long wait = lastSnapshotAt + SNAPSHOT_EVERY_MS - System.currentTimeMillis();
    snapshotPending = true;
    vertx.setTimer(Math.max(1, wait), id -> HotspotQueryVerticle.currentSnapshot(pool, window, clock.instant())
      .onComplete(ar -> {
        snapshotPending = false;
        lastSnapshotAt = System.currentTimeMillis();
        if (ar.succeeded()) {
          vertx.eventBus().publish(Addresses.EMISSIONS, ar.result().toJson());
        } else {
          LOG.debug("No emissions snapshot this time: {}", ar.cause().getMessage());
        }
      }));
  }

}
