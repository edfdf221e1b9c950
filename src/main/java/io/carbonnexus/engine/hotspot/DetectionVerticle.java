package io.carbonnexus.engine.hotspot;

import io.carbonnexus.engine.config.ConfigKey;
import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.db.Pools;
import io.carbonnexus.engine.hotspot.HotspotPolicy.Transition;
import io.carbonnexus.engine.shared.Addresses;
import io.carbonnexus.engine.shared.BusFailure;
import io.carbonnexus.engine.shared.EmissionsBasis;
import io.carbonnexus.engine.shared.EntityKey;
import io.carbonnexus.engine.shared.EntityType;
import io.carbonnexus.engine.shared.EventsIngested;
import io.carbonnexus.engine.shared.Hotspot;
import io.carbonnexus.engine.shared.HotspotChange;
import io.carbonnexus.engine.shared.Metrics;
import io.carbonnexus.engine.shared.RuntimeKeys;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static io.carbonnexus.engine.db.SqlTime.at;

/**
 * Keeps every entity's hotspot state: compares what each entity did over each window with its
 * normal for that window at that time ({@link Evaluator}, {@link HotspotPolicy}), with the models
 * the baselines verticle learns. The full cycle every {@code detection.interval} (one run per
 * interval across all engines on the database), a fast path for the entities that newly ingested
 * events touch, and a full pass whenever models or targets change. Every evaluation runs in one
 * transaction under a PostgreSQL advisory lock, reading the open hotspots inside it: two engines
 * never evaluate at the same time, and a retried evaluation finds the state the first one
 * committed. Changes are published on {@code hotspots} after commit, then the snapshot on
 * {@code emissions}. {@code POST /detection/batch} replays a past range ({@link ReplayRequest}).
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

    boolean contains(EntityKey k) {
      return all() || switch (k.type()) {
        case SUPPLIER -> suppliers.contains(k.entity());
        case ROUTE -> routes.contains(k.entity());
        case VEHICLE_TYPE -> vehicleTypes.contains(k.entity());
      };
    }
  }

  private final Clock clock;
  private String node;
  private Pool pool;
  private volatile Thresholds thresholds;
  /**
   * Holds to release at the next evaluation ({@link Thresholds#hold()}): all of them after a change
   * of thresholds, an entity's after a change of its target. A level reached under other rules is
   * not held, so the change reclassifies at once; released in the evaluation's transaction, so
   * every engine sharing the database sees it, and kept for the next one if that fails.
   */
  private boolean releaseAll;
  private final Set<EntityKey> releases = new HashSet<>();
  private DetectionSettings settings;
  private Duration snapshotWindow;
  private EmissionsBasis basis;
  private Duration interval;
  private long fastPathDelayMs;
  private long timerId = -1;
  /** Entities the last full evaluation saw, recorded with its interval. */
  private int lastEntities;
  /** Each entity's normal as the baselines verticle last learnt it. */
  private Map<EntityKey, EntityModel> models = Map.of();
  /** Each lane's normal, learnt with the entities' (seasonal only). */
  private Map<Lane, EntityModel> laneModels = Map.of();
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
      settings = DetectionSettingsReader.read(conf);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e.getMessage());
    }
    snapshotWindow = ConfigKeys.DETECTION_WINDOW.get(conf);
    basis = ConfigKeys.EMISSIONS_BASIS.get(conf);
    interval = ConfigKeys.DETECTION_INTERVAL.get(conf);
    node = conf.getString(RuntimeKeys.NODE_ID, UUID.randomUUID().toString().substring(0, 8));
    fastPathDelayMs = ConfigKeys.DETECTION_FAST_PATH_DELAY.get(conf).toMillis();
    pool = Pools.shared(vertx, conf);
    registry = Metrics.registry(conf);
    var bus = vertx.eventBus();
    Future<Void> ready = Future.all(
      bus.<JsonObject>consumer(Addresses.EVENTS_INGESTED, m -> touched(EventsIngested.fromJson(m.body()))).completion(),
      bus.<JsonObject>consumer(Addresses.BASELINES_UPDATED, m -> {
        if (m.body().getBoolean("target_changed", false)) {
          EntityKey.known(m.body().getString("entity_type"), m.body().getString("entity"))
            .ifPresentOrElse(releases::add, () -> releaseAll = true);
        }
        reload().onComplete(ar -> enqueue(Scope.ALL, "normals or targets changed"));
      }).completion(),
      bus.<JsonObject>consumer(Addresses.CONFIG_CHANGED, m -> reconfigure(m.body())).completion(),
      bus.<JsonObject>consumer(Addresses.DETECTION_BATCH, this::batch).completion()).mapEmpty();
    return ready.compose(v -> reload().otherwiseEmpty()).onSuccess(v -> {
      timerId = vertx.setPeriodic(delayToMiddleOfInterval(), interval.toMillis(), id -> periodic());
      LOG.info("Detection every {} ({}: {}; fast path after {} ms), thresholds {}", ConfigKey.formatDuration(interval),
        settings.algorithm(), settings.legacy() ? ConfigKey.formatDuration(settings.legacyWindow())
          : "windows " + WindowSpec.format(settings.windows()) + ", intensity over "
          + ConfigKey.formatDuration(settings.intensityWindow()), fastPathDelayMs, thresholds);
    });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timerId);
    vertx.cancelTimer(pendingTimer);
    next = null;
    return current.otherwiseEmpty();
  }

  /** The models in force, from the database (every node reads the same). */
  private Future<Void> reload() {
    Future<Map<EntityKey, EntityModel>> entities = ModelStore.load(pool, settings);
    Future<Map<Lane, EntityModel>> lanes = ModelStore.loadLanes(pool, settings);
    return Future.all(entities, lanes)
      .onSuccess(v -> {
        models = entities.result();
        laneModels = lanes.result();
      })
      .onFailure(err -> LOG.warn("Models could not be read (keeping the last ones): {}", err.getMessage()))
      .mapEmpty();
  }

  /** Batch detection: a replay of a past range, answered to the caller, never stored. */
  private void batch(Message<JsonObject> message) {
    BusFailure.answer(message, "batch detection failed", body -> ReplayRequest.run(vertx, pool,
      ReplayRequest.parse(body, interval, clock.instant()), settings, thresholds));
  }

  static Thresholds thresholds(JsonObject conf) {
    return new Thresholds(ConfigKeys.THRESHOLDS_INFO.get(conf), ConfigKeys.THRESHOLDS_WARN.get(conf),
      ConfigKeys.THRESHOLDS_CRITICAL.get(conf), ConfigKeys.THRESHOLDS_HYSTERESIS.get(conf),
      ConfigKeys.THRESHOLDS_HOLD.get(conf));
  }

  /** Live thresholds: the next evaluation uses them; an impossible set is refused and logged. */
  private void reconfigure(JsonObject conf) {
    try {
      Thresholds next = thresholds(conf);
      if (!next.equals(thresholds)) {
        LOG.info("Thresholds changed from {} to {}", thresholds, next);
        thresholds = next;
        releaseAll = true;
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
    boolean releasingAll = releaseAll;
    Set<EntityKey> releasing = Set.copyOf(releases);
    return pool.withTransaction(conn -> conn.query(HotspotSql.LOCK).execute()
        .compose(v -> HotspotStore.releaseHolds(conn, releasingAll, releasing))
        .compose(v -> evaluateLocked(conn, scope, now, changed)))
      .map(count -> {
        if (releasingAll) {
          releaseAll = false;
        }
        releases.removeAll(releasing);
        long nowMs = System.currentTimeMillis();
        for (Hotspot h : changed) {
          if (h.change() == HotspotChange.UPDATED) {
            Long last = updatePublishedAt.get(h.id());
            if (last != null && nowMs - last < UPDATED_EVERY_MS) {
              continue;
            }
          }
          if (h.change() == HotspotChange.RESOLVED) {
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
    Instant end = DetectionSettingsReader.liveEnd(now);
    Map<EntityKey, Map<Duration, Evaluator.Observation>> observations = new HashMap<>();
    Future<Void> read = Future.succeededFuture();
    for (Duration length : settings.observedLengths()) {
      Instant start = end.minus(length);
      Tuple args = scope.all()
        ? Tuple.of(at(start), at(end), null, null, null)
        : Tuple.of(at(start), at(end), scope.suppliers().toArray(String[]::new), scope.routes().toArray(String[]::new),
          scope.vehicleTypes().toArray(String[]::new));
      read = read.compose(v -> conn.preparedQuery(HotspotSql.WINDOW_ACTIVITY).execute(args)).map(rows -> {
        for (Row r : rows) {
          EntityKey k = EntityKey.known(r.getString("entity_type"), r.getString("entity")).orElse(null);
          if (k != null && scope.contains(k)) {
            observations.computeIfAbsent(k, x -> new HashMap<>())
              .put(length, new Evaluator.Observation(length, start, end, ModelStore.activity(r)));
          }
        }
        return null;
      });
    }
    // The lanes of a route (its burst windows) and of a supplier (its flights), by the entity judged through them.
    Map<EntityKey, Map<Lane, Map<Duration, Evaluator.Observation>>> lanes = new HashMap<>();
    for (Duration length : settings.allLaneLengths()) {
      Instant start = end.minus(length);
      if (scope.all()) {
        read = read.compose(v -> readLanes(conn, HotspotSql.LANE_WINDOW_ACTIVITY, Tuple.of(at(start), at(end)), length,
          start, end, lanes));
        continue;
      }
      // The fast path reads a window's lanes only for the entities in scope judged through them over it.
      if (settings.laneLengths(EntityType.ROUTE).contains(length) && !scope.routes().isEmpty()) {
        Tuple args = Tuple.of(at(start), at(end), scope.routes().toArray(String[]::new));
        read = read.compose(v -> readLanes(conn, HotspotSql.ROUTE_LANES_WINDOW_ACTIVITY, args, length, start, end, lanes));
      }
      if (settings.laneLengths(EntityType.SUPPLIER).contains(length) && !scope.suppliers().isEmpty()) {
        Tuple args = Tuple.of(at(start), at(end), scope.suppliers().toArray(String[]::new));
        read = read.compose(v -> readLanes(conn, HotspotSql.SUPPLIER_LANES_WINDOW_ACTIVITY, args, length, start, end,
          lanes));
      }
    }
    // Targets are read at every evaluation: an operator may write one straight into the table.
    Map<EntityKey, Map<Duration, Double>> targets = new HashMap<>();
    return read.compose(v -> ModelStore.targets(conn, settings.legacyWindow())).compose(t -> {
      targets.putAll(t);
      return HotspotStore.open(conn);
    }).compose(open -> {
      if (scope.all()) {
        lastEntities = observations.size();
      }
      Map<EntityKey, Transition> transitions = decide(scope, end, observations, lanes, open, targets);
      return HotspotStore.apply(conn, transitions, open, now, changed)
        .map(x -> (int) changed.stream().filter(h -> h.change() != HotspotChange.UPDATED).count());
    });
  }

  /** Every entity in scope with activity in a window, and every open hotspot in scope (its activity may have stopped). */
  private Map<EntityKey, Transition> decide(Scope scope, Instant end, Map<EntityKey, Map<Duration, Evaluator.Observation>> seen,
                                            Map<EntityKey, Map<Lane, Map<Duration, Evaluator.Observation>>> lanes,
                                            Map<EntityKey, HotspotStore.Open> open,
                                            Map<EntityKey, Map<Duration, Double>> targets) {
    Set<EntityKey> candidates = new HashSet<>(seen.keySet());
    open.keySet().stream().filter(scope::contains).forEach(candidates::add);
    Map<EntityKey, Transition> transitions = new LinkedHashMap<>();
    Thresholds t = thresholds;
    for (EntityKey k : candidates) {
      Map<Duration, Evaluator.Observation> observations = new HashMap<>(seen.getOrDefault(k, Map.of()));
      for (Duration length : settings.observedLengths()) {
        observations.putIfAbsent(length, new Evaluator.Observation(length, end.minus(length), end, Activity.NONE));
      }
      HotspotStore.Open current = open.get(k);
      List<Evaluator.LaneView> laneViews = new ArrayList<>();
      if (!settings.laneLengths(k.type()).isEmpty()) {
        lanes.getOrDefault(k, Map.of()).forEach((lane, o) -> {
          EntityModel m = laneModels.get(lane);
          if (m != null) {
            laneViews.add(new Evaluator.LaneView(lane, m.seasonal(), o));
          }
        });
      }
      List<Reading> readings = Evaluator.readings(k, models.get(k), observations, targets.getOrDefault(k, Map.of()), settings,
        laneViews);
      // No model and no target (history expired, target deleted): an open hotspot is resolved, not left open for ever.
      Transition tr = Replay.decide(current == null ? null : current.severity(), current == null ? null : current.reachedAt(),
        current == null ? null : current.reading(), end, readings, t);
      if (tr != null && tr.kind() != HotspotChange.NONE && !HotspotStore.unchanged(tr, current)) {
        transitions.put(k, tr);
      }
    }
    return transitions;
  }

  /** Reads what lanes did over [start, end) into {@code lanes}, under each entity judged through them. */
  private static Future<Void> readLanes(SqlConnection conn, String sql, Tuple args, Duration length, Instant start,
                                        Instant end, Map<EntityKey, Map<Lane, Map<Duration, Evaluator.Observation>>> lanes) {
    return conn.preparedQuery(sql).execute(args).map(rows -> {
      for (Row r : rows) {
        Lane lane = ModelStore.lane(r);
        Evaluator.Observation o = new Evaluator.Observation(length, start, end, ModelStore.activity(r));
        lane.judged().forEach(k -> lanes.computeIfAbsent(k, x -> new HashMap<>()).computeIfAbsent(lane, x -> new HashMap<>())
          .put(length, o));
      }
      return null;
    });
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
    vertx.setTimer(Math.max(1, wait), id -> HotspotQueryVerticle.currentSnapshot(pool, snapshotWindow, basis, clock.instant())
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
