package io.carbonnexus.engine.prediction;

import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.db.Pools;
import io.carbonnexus.engine.shared.Addresses;
import io.carbonnexus.engine.shared.Breakers;
import io.carbonnexus.engine.shared.BusFailure;
import io.carbonnexus.engine.shared.JsonService;
import io.carbonnexus.engine.shared.Metrics;
import io.carbonnexus.engine.shared.Prediction;
import io.carbonnexus.engine.shared.PredictionError;
import io.carbonnexus.engine.shared.PredictionReply;
import io.carbonnexus.engine.shared.PredictionRequest;
import io.carbonnexus.engine.shared.ShipmentEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.circuitbreaker.TimeoutException;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The only place that predicts. Answers {@link Addresses#PREDICT}: ml-engine when
 * {@code ml.url} is set, in batches behind a circuit breaker, and the built-in emission-factor
 * model for every batch ml-engine cannot answer (down, slow, garbage, breaker open) or when it is
 * not configured. Each prediction says which model made it. With {@code persist}, predictions
 * are stored once per event in one statement per request.
 */
public final class PredictionVerticle extends VerticleBase {

  public static final String ML_MODEL = "ml-engine";
  public static final String ML_METHOD = "ml";

  private static final Logger LOG = LoggerFactory.getLogger(PredictionVerticle.class);

  private EmissionModel model;
  private Pool pool;
  private MlEngineClient ml;
  private CircuitBreaker breaker;
  private final Map<String, Counter> predictionCounters = new HashMap<>();
  private static final long REJECTIONS_LOG_EVERY_MS = 30_000;
  private final Map<String, Integer> rejectedByReason = new TreeMap<>();
  private long rejectedExample = -1;
  private long lastRejectionLog;
  private long rejectionTimer = -1;
  private int batchSize;
  private MeterRegistry registry;
  private Counter rejected;

  @Override
  public Future<?> start() {
    JsonObject conf = config();
    model = EmissionModel.builtin(ConfigKeys.EMISSIONS_BASIS.get(conf));
    pool = Pools.shared(vertx, conf);
    registry = Metrics.registry(conf);
    rejected = Counter.builder("nexus_prediction_rejected_total")
      .description("Events no model could predict (skipped, with the reason in prediction_errors)")
      .register(registry);
    String mlUrl = ConfigKeys.ML_URL.get(conf);
    batchSize = Math.max(1, ConfigKeys.ML_BATCH_SIZE.get(conf));
    if (mlUrl != null) {
      ml = new MlEngineClient(WebClient.create(vertx), mlUrl, ConfigKeys.ML_TIMEOUT.get(conf));
      breaker = Breakers.create(vertx, ML_MODEL, new Breakers.Settings(
        ConfigKeys.ML_TIMEOUT.get(conf), ConfigKeys.ML_RETRIES.get(conf),
        ConfigKeys.ML_BREAKER_MAX_FAILURES.get(conf), ConfigKeys.ML_BREAKER_RESET_TIMEOUT.get(conf)), registry);
      LOG.info("Predictions by ml-engine at {} in batches of {}, built-in model {} as fallback",
        ml.predictUrl(), batchSize, model.version());
    } else {
      LOG.info("Predictions by the built-in emission-factor model {} (NEXUS_ML_URL is not set)", model.version());
    }
    MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer(Addresses.PREDICT,
      m -> BusFailure.answerInText(m, "predictions could not be stored", this::answer));
    // The iLEAP export reads what this concern owns: the predictions and the factor table.
    return Future.all(consumer.completion(),
      new FootprintQueries(vertx, pool, EmissionFactorTable.builtin()).register(),
      vertx.eventBus().<JsonObject>consumer(Addresses.PREDICTION_STATUS, m -> BusFailure.answer(m,
        body -> Future.succeededFuture(new JsonObject()
          .put("model", ml == null ? "builtin" : ML_MODEL)
          .put("fallback", "builtin " + model.version())
          .put("breaker", breaker == null ? null : Breakers.state(breaker))))).completion());
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(rejectionTimer);
    flushRejections();
    return Future.succeededFuture();
  }

  private Future<JsonObject> answer(JsonObject body) {
    PredictionRequest request = request(body);
    Batch batch = new Batch(request);
    return predict(batch)
      .compose(v -> request.persist() ? store(batch) : Future.succeededFuture(0))
      .map(stored -> new PredictionReply(batch.predictions, batch.errors, stored).toJson())
      .onFailure(err -> LOG.warn("Predictions for {} events could not be stored: {}", request.events().size(),
        err.getMessage()));
  }

  /** The request, or a bad request whatever is wrong with the body (an "events" that is not a list, ...). */
  private static PredictionRequest request(JsonObject body) {
    try {
      return PredictionRequest.fromJson(body);
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /** The working state of one request: events still to predict, and what is known so far. */
  private static final class Batch {
    final PredictionRequest request;
    final List<ShipmentEvent> valid = new ArrayList<>();
    final List<Prediction> predictions = new ArrayList<>();
    final List<PredictionError> errors = new ArrayList<>();

    Batch(PredictionRequest request) {
      this.request = request;
      for (ShipmentEvent e : request.events()) {
        String problem = EmissionModel.validate(e);
        if (problem == null && request.window() != null) {
          problem = request.window().problem(e.occurredAt());
        }
        if (problem == null && request.persist() && (e.occurredAt() == null || e.supplier() == null || e.route() == null)) {
          problem = "occurred_at, supplier and route are needed to store a prediction";
        }
        if (problem == null) {
          valid.add(e);
        } else {
          errors.add(new PredictionError(e.id(), problem));
        }
      }
    }
  }

  private Future<Void> predict(Batch batch) {
    if (ml == null || batch.request.builtinOnly()) {
      batch.valid.forEach(e -> builtin(batch, e));
      return Future.succeededFuture();
    }
    Future<Void> chain = Future.succeededFuture();
    for (int from = 0; from < batch.valid.size(); from += batchSize) {
      List<ShipmentEvent> chunk = batch.valid.subList(from, Math.min(batch.valid.size(), from + batchSize));
      chain = chain.compose(v -> predictWithMl(batch, chunk));
    }
    return chain;
  }

  /** Never fails: whatever ml-engine does, the built-in model answers for what it did not. */
  private Future<Void> predictWithMl(Batch batch, List<ShipmentEvent> chunk) {
    return breaker.<MlEngineClient.Answer>execute(() -> ml.predict(chunk))
      .map(answer -> {
        int missing = 0;
        for (ShipmentEvent e : chunk) {
          MlEngineClient.Figures figures = answer.co2ById().get(e.id());
          if (figures == null) {
            missing++;
            builtin(batch, e);
          } else {
            batch.predictions.add(fromMl(e, figures, answer.modelVersion()));
            countPrediction(ML_MODEL);
          }
        }
        if (missing > 0) {
          LOG.warn("ml-engine left out {} of {} events: the built-in model answered for them", missing, chunk.size());
        }
        return (Void) null;
      })
      .recover(err -> {
        String reason = failureReason(err);
        Counter.builder("nexus_ml_engine_failures_total").tag("reason", reason)
          .description("ml-engine batches answered by the built-in model instead, by reason").register(registry)
          .increment();
        if (!(err instanceof OpenCircuitException)) {
          LOG.warn("ml-engine failed for a batch of {} events ({}): the built-in model answered", chunk.size(),
            err.getMessage());
        }
        chunk.forEach(e -> builtin(batch, e));
        return Future.succeededFuture();
      });
  }

  /**
   * ml-engine's figures completed from the tables: its well-to-wheel when it sent one, else its
   * tank-to-wheel plus the tables' well-to-tank for the vehicle; tank-to-wheel only when neither
   * is known (a vehicle type the tables do not have).
   */
  private Prediction fromMl(ShipmentEvent e, MlEngineClient.Figures figures, String version) {
    Double wtt = figures.wtwKg() != null ? Double.valueOf(figures.wtwKg() - figures.ttwKg()) : model.wellToTank(e);
    return wtt == null
      ? Prediction.ttwOnly(e.id(), ML_MODEL, version, ML_METHOD, figures.ttwKg(), model.basis())
      : Prediction.of(e.id(), ML_MODEL, version, ML_METHOD, figures.ttwKg(), wtt,
      figures.wtwKg() != null ? ML_MODEL : EmissionFactorTable.FACTOR_SET, model.basis());
  }

  private void builtin(Batch batch, ShipmentEvent event) {
    EmissionModel.Outcome outcome = model.predict(event);
    if (outcome instanceof EmissionModel.Predicted p) {
      batch.predictions.add(p.prediction());
      countPrediction(EmissionModel.MODEL);
    } else if (outcome instanceof EmissionModel.Rejected r) {
      batch.errors.add(r.error());
    }
  }

  private Future<Integer> store(Batch batch) {
    if (!batch.errors.isEmpty()) {
      rejected.increment(batch.errors.size());
      logRejections(batch.errors);
    }
    Tuple predictions = predictionColumns(batch);
    Tuple errors = errorColumns(batch.errors);
    return pool.withTransaction(conn -> conn.preparedQuery(PredictionSql.INSERT_PREDICTIONS).execute(predictions)
      .compose(inserted -> (batch.errors.isEmpty()
        ? Future.succeededFuture()
        : conn.preparedQuery(PredictionSql.INSERT_ERRORS).execute(errors))
        .map(v -> inserted.rowCount())));
  }

  private void countPrediction(String modelName) {
    predictionCounters.computeIfAbsent(modelName, m -> Counter.builder("nexus_predictions_total").tag("model", m)
      .description("Predictions made, by the model that made them").register(registry)).increment();
  }

  private static String failureReason(Throwable err) {
    if (err instanceof OpenCircuitException) {
      return "breaker_open";
    }
    if (err instanceof TimeoutException) {
      return "timeout";
    }
    if (err instanceof JsonService.Failure e) {
      return e.reason();
    }
    return "other";
  }

  /**
   * Bad rows are logged at most once per {@link #REJECTIONS_LOG_EVERY_MS}, with what was skipped
   * since the last line: a producer sending a bad row in every batch must not flood the log.
   */
  private void logRejections(List<PredictionError> errors) {
    errors.forEach(e -> rejectedByReason.merge(e.reason(), 1, Integer::sum));
    if (rejectedExample < 0) {
      rejectedExample = errors.get(0).eventId();
    }
    long wait = lastRejectionLog + REJECTIONS_LOG_EVERY_MS - System.currentTimeMillis();
    if (wait <= 0) {
      flushRejections();
    } else if (rejectionTimer < 0) {
      rejectionTimer = vertx.setTimer(wait, id -> {
        rejectionTimer = -1;
        flushRejections();
      });
    }
  }

  private void flushRejections() {
    if (rejectedByReason.isEmpty()) {
      return;
    }
    int total = rejectedByReason.values().stream().mapToInt(Integer::intValue).sum();
    LOG.warn("{} events skipped (see prediction_errors), e.g. event {}: {}", total, rejectedExample, rejectedByReason);
    rejectedByReason.clear();
    rejectedExample = -1;
    lastRejectionLog = System.currentTimeMillis();
  }

  private static Tuple predictionColumns(Batch batch) {
    Map<Long, ShipmentEvent> events = new HashMap<>(batch.valid.size() * 2);
    batch.valid.forEach(e -> events.put(e.id(), e));
    int n = batch.predictions.size();
    Long[] ids = new Long[n];
    OffsetDateTime[] occurredAt = new OffsetDateTime[n];
    String[] supplier = new String[n];
    String[] route = new String[n];
    String[] vehicleType = new String[n];
    Double[] co2 = new Double[n];
    String[] modelName = new String[n];
    String[] version = new String[n];
    String[] method = new String[n];
    Double[] tonneKm = new Double[n];
    Double[] ttw = new Double[n];
    Double[] wtt = new Double[n];
    Double[] wtw = new Double[n];
    String[] factorSet = new String[n];
    String[] basis = new String[n];
    for (int i = 0; i < n; i++) {
      Prediction p = batch.predictions.get(i);
      ShipmentEvent e = events.get(p.eventId());
      ids[i] = p.eventId();
      occurredAt[i] = OffsetDateTime.ofInstant(e.occurredAt(), ZoneOffset.UTC);
      supplier[i] = e.supplier();
      route[i] = e.route();
      vehicleType[i] = e.vehicleType();
      co2[i] = p.co2Kg();
      modelName[i] = p.model();
      version[i] = p.modelVersion();
      method[i] = p.method();
      tonneKm[i] = e.distanceKm() == null || e.loadTonnes() == null ? null : e.distanceKm() * e.loadTonnes();
      ttw[i] = p.ttwKg();
      wtt[i] = p.wttKg();
      wtw[i] = p.wtwKg();
      factorSet[i] = p.factorSet();
      basis[i] = p.basis().wire();
    }
    return Tuple.tuple().addArrayOfLong(ids).addArrayOfOffsetDateTime(occurredAt).addArrayOfString(supplier)
      .addArrayOfString(route).addArrayOfString(vehicleType).addArrayOfDouble(co2).addArrayOfString(modelName)
      .addArrayOfString(version).addArrayOfString(method).addArrayOfDouble(tonneKm).addArrayOfDouble(ttw)
      .addArrayOfDouble(wtt).addArrayOfDouble(wtw).addArrayOfString(factorSet).addArrayOfString(basis);
  }

  private static Tuple errorColumns(List<PredictionError> errors) {
    Long[] ids = new Long[errors.size()];
    String[] reasons = new String[errors.size()];
    for (int i = 0; i < errors.size(); i++) {
      ids[i] = errors.get(i).eventId();
      reasons[i] = errors.get(i).reason();
    }
    return Tuple.tuple().addArrayOfLong(ids).addArrayOfString(reasons);
  }
}
