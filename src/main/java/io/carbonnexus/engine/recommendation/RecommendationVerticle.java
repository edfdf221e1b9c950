package io.carbonnexus.engine.recommendation;

import io.carbonnexus.engine.config.ConfigKey;
import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.db.Pools;
import io.carbonnexus.engine.shared.Addresses;
import io.carbonnexus.engine.shared.Breakers;
import io.carbonnexus.engine.shared.BusFailure;
import io.carbonnexus.engine.shared.EntityType;
import io.carbonnexus.engine.shared.Hotspot;
import io.carbonnexus.engine.shared.HotspotChange;
import io.carbonnexus.engine.shared.ListQuery;
import io.carbonnexus.engine.shared.Metrics;
import io.carbonnexus.engine.shared.PredictionRequest;
import io.carbonnexus.engine.shared.Recommendation;
import io.carbonnexus.engine.shared.Severity;
import io.carbonnexus.engine.shared.ShipmentEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.carbonnexus.engine.db.SqlTime.at;

/**
 * Root cause and ranked actions for every hotspot that opens or escalates: from rag-chatbot when
 * {@code rag.url} is set (behind a circuit breaker), from the built-in {@link RuleRecommender}
 * otherwise, or when rag-chatbot has failed a hotspot for longer than {@code rag.fallback_after}.
 * Requests wait in a table, not in memory: a failed one is retried with a doubling wait, a
 * restart loses nothing, and each hotspot and severity gets exactly one stored recommendation,
 * published on {@code recommendations}.
 */
public final class RecommendationVerticle extends VerticleBase {

  public static final String SOURCE_RAG = "rag";
  public static final String SOURCE_RULES = "rules";

  private static final Logger LOG = LoggerFactory.getLogger(RecommendationVerticle.class);
  /** One request at a time: its lease covers its own attempt, never a queue of others before it. */
  private static final int CLAIM = 1;
  /** How often open hotspots are checked for a missing request. */
  private static final long RECONCILE_MS = 30_000;
  private static final Duration MAX_RETRY = Duration.ofMinutes(5);
  /** The alternatives' predictions: the bus's default timeout, which they always had. */
  private static final Duration PREDICT_TIMEOUT = Duration.ofSeconds(30);

  private final Clock clock;
  private Pool pool;
  private RagClient rag;
  private CircuitBreaker breaker;
  private Duration timeout;
  private Duration fallbackAfter;
  private Duration retry;
  private Duration window;
  private long timerId = -1;
  private long reconcileTimer = -1;
  private boolean working;
  private Future<Void> current = Future.succeededFuture();
  private MeterRegistry registry;
  private Severity minLevel;

  /**
   * A claimed request, as read from the queue; {@code window}, {@code kind}, {@code laneSupplier}
   * and {@code measuredAt} are what the hotspot measured and when (window and time null only on a
   * request whose hotspot had none).
   */
  private record Request(long hotspotId, String severity, String entityType, String entity, double predicted,
                         double baseline, int percentAbove, int attempts, Instant firstAttemptAt, String window,
                         String kind, String laneSupplier, Instant measuredAt) {
  }

  /** An answer from either source. */
  private record Answer(String rootCause, JsonArray actions, String source) {
  }

  public RecommendationVerticle() {
    this(Clock.systemUTC());
  }

  public RecommendationVerticle(Clock clock) {
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    JsonObject conf = config();
    pool = Pools.shared(vertx, conf);
    registry = Metrics.registry(conf);
    timeout = ConfigKeys.RAG_TIMEOUT.get(conf);
    fallbackAfter = ConfigKeys.RAG_FALLBACK_AFTER.get(conf);
    retry = ConfigKeys.RECOMMENDATIONS_RETRY.get(conf);
    window = ConfigKeys.DETECTION_WINDOW.get(conf);
    minLevel = ConfigKeys.ALERTING_MIN_LEVEL.get(conf);
    String url = ConfigKeys.RAG_URL.get(conf);
    if (url != null) {
      rag = new RagClient(WebClient.create(vertx), url, timeout);
      breaker = Breakers.create(vertx, "rag-chatbot", new Breakers.Settings(timeout, ConfigKeys.RAG_RETRIES.get(conf),
        ConfigKeys.RAG_BREAKER_MAX_FAILURES.get(conf), ConfigKeys.RAG_BREAKER_RESET_TIMEOUT.get(conf)), registry);
      LOG.info("Recommendations from rag-chatbot at {}, rule-based after {} of failures", rag.url(), fallbackAfter);
    } else {
      LOG.info("Recommendations from the built-in rule-based recommender (NEXUS_RAG_URL is not set)");
    }
    return vertx.eventBus().<JsonObject>consumer(Addresses.HOTSPOTS, m -> {
        Hotspot h = Hotspot.fromMessage(m.body());
        // A hotspot below the alerting level (info: under its baseline) does not need a recommendation.
        boolean needed = h != null && !minLevel.above(h.severity());
        if (needed && (h.change() == HotspotChange.OPENED || h.change() == HotspotChange.ESCALATED)) {
          enqueue(h);
        }
      }).completion()
      .compose(v -> vertx.eventBus().<JsonObject>consumer(Addresses.RECOMMENDATIONS_LIST,
        m -> BusFailure.answer(m, this::list)).completion())
      .compose(v -> vertx.eventBus().<JsonObject>consumer(Addresses.RECOMMENDATION_STATUS,
        m -> BusFailure.answer(m, this::status)).completion())
      .onSuccess(v -> {
        timerId = vertx.setPeriodic(0, Math.min(1_000, retry.toMillis()), id -> work());
        reconcileTimer = vertx.setPeriodic(0, RECONCILE_MS, id -> enqueueMissing());
      });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timerId);
    vertx.cancelTimer(reconcileTimer);
    return current.otherwiseEmpty();
  }

  /** GET /recommendations: newest first, filtered. */
  private Future<JsonArray> list(JsonObject request) {
    ListQuery q = ListQuery.of(request);
    String source = ListQuery.oneOf(request, "source", List.of(SOURCE_RAG, SOURCE_RULES));
    Long hotspotId = ListQuery.number(request, "hotspot_id");
    return pool.preparedQuery(RecommendationSql.LIST)
      .execute(Tuple.of(q.severities(), q.entity(), hotspotId, source, q.since(), q.limit(), q.entityType()))
      .map(rows -> {
        JsonArray out = new JsonArray();
        rows.forEach(r -> out.add(new Recommendation(r.getLong("id"), r.getLong("hotspot_id"), r.getString("entity"),
          r.getString("entity_type"), r.getString("severity"), r.getString("root_cause"), (JsonArray) r.getValue("actions"), r.getString("source"),
          r.getOffsetDateTime("created_at").toInstant()).toJson()));
        return out;
      });
  }

  /** Health: who recommends, the breaker's state, and how many requests wait in the queue. */
  private Future<JsonObject> status(JsonObject request) {
    return pool.query(RecommendationSql.QUEUED).execute().map(rows -> new JsonObject()
      .put("recommender", rag == null ? "rules" : "rag-chatbot")
      .put("breaker", breaker == null ? null : Breakers.state(breaker))
      .put("queued", rows.iterator().next().getLong(0)));
  }

  private void enqueue(Hotspot h) {
    pool.preparedQuery(RecommendationSql.ENQUEUE)
      .execute(Tuple.tuple().addLong(h.id()).addString(h.severity().wire()).addString(h.entityType().wire())
        .addString(h.entity()).addDouble(h.predicted()).addDouble(h.baseline()).addInteger(h.percentAbove())
        .addString(h.window()).addString(h.kind()).addString(h.laneSupplier()).addOffsetDateTime(h.updatedAt() == null ? null : at(h.updatedAt())))
      .onSuccess(v -> work())
      .onFailure(err -> LOG.warn("Recommendation for hotspot {} not queued (detection's next change retries): {}",
        h.id(), err.getMessage()));
  }

  /** Changes lost to a restart or an error between detection's commit and this verticle: queued here. */
  private void enqueueMissing() {
    String[] needed = java.util.Arrays.stream(Severity.values()).filter(s -> !minLevel.above(s)).map(Severity::wire)
      .toArray(String[]::new);
    pool.preparedQuery(RecommendationSql.ENQUEUE_MISSING).execute(Tuple.of((Object) needed))
      .onSuccess(r -> {
        if (r.rowCount() > 0) {
          LOG.info("Queued {} recommendation requests for open hotspots that had none", r.rowCount());
          work();
        }
      })
      .onFailure(err -> LOG.warn("Open hotspots not checked for recommendations (next check retries): {}", err.getMessage()));
  }

  /** One worker at a time per verticle; SKIP LOCKED and the lease share the queue between engines. */
  private void work() {
    if (working) {
      return;
    }
    working = true;
    Instant now = clock.instant();
    Instant lease = now.plus(timeout.multipliedBy(4)).plusSeconds(5);
    current = pool.preparedQuery(RecommendationSql.CLAIM_DUE)
      .execute(Tuple.of(at(now), at(lease), CLAIM))
      .compose(rows -> {
        Future<Void> chain = Future.succeededFuture();
        for (Row r : rows) {
          Request req = new Request(r.getLong(0), r.getString(1), r.getString(2), r.getString(3), r.getDouble(4),
            r.getDouble(5), r.getInteger(6), r.getInteger(7), r.getOffsetDateTime(8).toInstant(), r.getString(9),
            r.getString(10), r.getString(11), r.getOffsetDateTime(12) == null ? null : r.getOffsetDateTime(12).toInstant());
          chain = chain.compose(v -> handle(req));
        }
        return chain.map(v -> rows.size());
      })
      .onComplete(ar -> {
        working = false;
        if (ar.failed()) {
          LOG.warn("Recommendation queue not read (next tick retries): {}", ar.cause().getMessage());
        } else if (ar.result() == CLAIM) {
          work();
        }
      })
      .mapEmpty();
  }

  /** Never fails: a request that gets no answer is put back with its next attempt time. */
  private Future<Void> handle(Request req) {
    return answer(req)
      .compose(answer -> store(req, answer))
      .recover(err -> {
        Duration wait = retry.multipliedBy(1L << Math.min(16, req.attempts() - 1));
        if (wait.compareTo(MAX_RETRY) > 0) {
          wait = MAX_RETRY;
        }
        LOG.warn("No recommendation yet for hotspot {} (attempt {}, next in {} s): {}", req.hotspotId(), req.attempts(),
          wait.toSeconds(), err.getMessage());
        return pool.preparedQuery(RecommendationSql.RETRY_LATER)
          .execute(Tuple.of(req.hotspotId(), req.severity(), at(clock.instant().plus(wait)), String.valueOf(err.getMessage())))
          .<Void>mapEmpty()
          .otherwiseEmpty();
      });
  }

  private Future<Answer> answer(Request req) {
    if (rag == null) {
      return rules(req);
    }
    JsonObject body = new JsonObject()
      .put("entity", req.entity())
      .put("data", new JsonObject().put("predicted", req.predicted()).put("baseline", req.baseline()))
      .put("entity_type", req.entityType())
      .put("severity", req.severity())
      .put("percent_above", req.percentAbove())
      .put("hotspot_id", req.hotspotId())
      .put("window", req.window())
      .put("kind", req.kind())
      .put("lane_supplier", req.laneSupplier());
    return breaker.<RagClient.Answer>execute(() -> rag.recommend(body))
      .map(a -> new Answer(a.rootCause(), a.actions(), SOURCE_RAG))
      .recover(err -> {
        Counter.builder("nexus_rag_failures_total").description("rag-chatbot calls that failed").register(registry).increment();
        if (!clock.instant().isBefore(req.firstAttemptAt().plus(fallbackAfter))) {
          LOG.warn("rag-chatbot has not answered for hotspot {} since {}: the rule-based recommender answers ({})",
            req.hotspotId(), req.firstAttemptAt(), err.getMessage());
          return rules(req);
        }
        return Future.failedFuture(err);
      });
  }

  /**
   * The rules' facts from the database — the shipments of the window that fired, ending when the
   * hotspot measured it (of the lane's supplier only, on a route read through a lane) — the
   * alternatives' CO2 from the prediction model.
   */
  private Future<Answer> rules(Request req) {
    Instant end = req.measuredAt() != null ? req.measuredAt() : clock.instant();
    Duration span = span(req.window());
    RuleRecommender.Subject subject = new RuleRecommender.Subject(req.entity(), req.predicted(), req.baseline(),
      req.percentAbove(), ConfigKey.formatDuration(span), req.kind(), req.laneSupplier());
    Tuple facts = Tuple.of(req.entityType(), req.entity(), at(end.minus(span)), at(end), req.laneSupplier());
    return pool.preparedQuery(RecommendationSql.MIX).execute(facts)
      .map(RecommendationVerticle::mix)
      .compose(mix -> {
        List<RuleRecommender.Shift> shifts = RuleRecommender.shifts(mix);
        Map<Long, RuleRecommender.Shift> byId = new LinkedHashMap<>();
        List<ShipmentEvent> what = new ArrayList<>();
        for (RuleRecommender.Shift s : shifts) {
          double tkm = mix.stream().filter(m -> m.name().equals(s.from())).mapToDouble(RuleRecommender.Mix::tonneKm)
            .sum();
          long id = byId.size();
          byId.put(id, s);
          // The same tonne-km on the alternative vehicle type (tonne-km method: 1 km x tkm tonnes).
          what.add(new ShipmentEvent(id, null, null, null, s.alternative(), 1.0, tkm, null));
        }
        Future<Map<RuleRecommender.Shift, Double>> alternatives = what.isEmpty()
          ? Future.succeededFuture(Map.of())
          : new PredictionRequest(what, false, true).ask(vertx, PREDICT_TIMEOUT)
            .map(reply -> {
              Map<RuleRecommender.Shift, Double> co2 = new LinkedHashMap<>();
              // Well-to-wheel, like the mix: an electric alternative is not free.
              reply.predictions().forEach(p -> co2.put(byId.get(p.eventId()),
                p.wtwKg() != null ? p.wtwKg() : p.co2Kg()));
              return co2;
            })
            // Without predictions the rules still give the root cause and the consolidation advice.
            .otherwise(Map.of());
        return alternatives.compose(co2 -> topSupplier(req, facts).map(top -> {
          JsonArray actions = new JsonArray();
          RuleRecommender.actions(subject, mix, co2).forEach(a -> actions.add(new JsonObject()
            .put("title", a.title()).put("co2_reduction", a.co2Reduction()).put("cost_impact", a.costImpact())
            .put("feasibility", a.feasibility())));
          return new Answer(RuleRecommender.rootCause(subject, mix, top), actions, SOURCE_RULES);
        }));
      });
  }

  /** For a vehicle type, the supplier with most of its CO2 over the window; null for other entities or none. */
  private Future<RuleRecommender.TopSupplier> topSupplier(Request req, Tuple facts) {
    if (!EntityType.VEHICLE_TYPE.wire().equals(req.entityType())) {
      return Future.succeededFuture(null);
    }
    return pool.preparedQuery(RecommendationSql.MIX_BY_SUPPLIER).execute(facts)
      .map(rows -> RuleRecommender.TopSupplier.of(mix(rows)));
  }

  /** Rows of {@link RecommendationSql#MIX} (or by supplier) as the rules' facts. */
  private static List<RuleRecommender.Mix> mix(RowSet<Row> rows) {
    List<RuleRecommender.Mix> mix = new ArrayList<>();
    for (Row r : rows) {
      mix.add(new RuleRecommender.Mix(r.getString(0), r.getDouble(1), r.getDouble(2), r.getDouble(3), r.getDouble(4),
        r.getInteger(5)));
    }
    return mix;
  }

  /** The hotspot's window; {@code detection.window} for a request that does not say or says nonsense. */
  private Duration span(String label) {
    if (label != null) {
      try {
        Duration d = ConfigKey.parseDurationText(label);
        if (!d.isNegative() && !d.isZero()) {
          return d;
        }
      } catch (RuntimeException e) {
        LOG.warn("Window '{}' of a recommendation request is not a duration: the last {} is read", label,
          ConfigKey.formatDuration(window));
      }
    }
    return window;
  }

  private Future<Void> store(Request req, Answer answer) {
    Instant now = clock.instant();
    return pool.withTransaction(conn -> conn.preparedQuery(RecommendationSql.STORE)
        .execute(Tuple.tuple().addLong(req.hotspotId()).addString(req.entity()).addString(req.severity())
          .addString(answer.rootCause()).addValue(answer.actions()).addString(answer.source()).addOffsetDateTime(at(now)))
        .compose(rows -> conn.preparedQuery(RecommendationSql.DONE).execute(Tuple.of(req.hotspotId(), req.severity()))
          .map(v -> rows.size() == 0 ? null : rows.iterator().next().getLong(0))))
      .onSuccess(id -> {
        if (id != null) {
          Counter.builder("nexus_recommendations_total").tag("source", answer.source())
            .description("Recommendations stored, by source").register(registry).increment();
          vertx.eventBus().publish(Addresses.RECOMMENDATIONS, new Recommendation(id, req.hotspotId(), req.entity(),
            req.entityType(), req.severity(), answer.rootCause(), answer.actions(), answer.source(), now).toJson());
        }
      })
      .mapEmpty();
  }

}
