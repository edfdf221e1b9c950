package io.carbonnexus.engine.prediction;

import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.shared.Addresses;
import io.carbonnexus.engine.shared.FailureCode;
import io.carbonnexus.engine.shared.Prediction;
import io.carbonnexus.engine.shared.PredictionReply;
import io.carbonnexus.engine.shared.PredictionRequest;
import io.carbonnexus.engine.shared.RuntimeKeys;
import io.carbonnexus.engine.shared.ShipmentEvent;
import io.carbonnexus.engine.support.DatabaseExtension;
import io.carbonnexus.engine.support.FakeMlEngine;
import io.carbonnexus.engine.support.FakeMlEngine.Mode;
import io.carbonnexus.engine.support.FreshDatabase;
import io.carbonnexus.engine.support.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.micrometer.backends.BackendRegistries;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Drives the prediction verticle over the bus, against a real PostgreSQL and a fake ml-engine. */
@ExtendWith(DatabaseExtension.class)
class PredictionVerticleIT {

  private static final Instant T0 = Instant.parse("2026-11-20T08:00:00Z");
  private static final EmissionModel BUILTIN = EmissionModel.builtin();

  private final AtomicLong ids = new AtomicLong(1000);
  private Vertx vertx;
  private String registryName;
  private String url;
  private FakeMlEngine ml;

  @BeforeEach
  void setUp(FreshDatabase db) {
    registryName = "test-" + UUID.randomUUID();
    vertx = Vertx.builder()
      .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
        .setRegistryName(registryName).setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))))
      .withMetrics(new MicrometerMetricsFactory())
      .build();
    url = db.url();
    ml = FakeMlEngine.start(vertx);
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  /**
   * A healthy fake answers in milliseconds, but the first call of a JVM under load (connection,
   * JIT) can take longer than a stall test's short timeout: only the tests that stall the fake use it.
   */
  private static final String STALL_TIMEOUT = "300ms";

  private void deploy(boolean withMl) {
    deploy(withMl, "10s");
  }

  private void deploy(boolean withMl, String mlTimeout) {
    JsonObject config = new JsonObject().put(RuntimeKeys.METRICS_REGISTRY, registryName);
    ConfigKeys.DB_URL.put(config, url);
    if (withMl) {
      ConfigKeys.ML_URL.put(config, ml.url());
    }
    ConfigKeys.ML_BATCH_SIZE.put(config, 3);
    ConfigKeys.ML_TIMEOUT.put(config, mlTimeout);
    ConfigKeys.ML_RETRIES.put(config, 0);
    ConfigKeys.ML_BREAKER_MAX_FAILURES.put(config, 2);
    ConfigKeys.ML_BREAKER_RESET_TIMEOUT.put(config, "1s");
    vertx.deployVerticle(new PredictionVerticle(), new DeploymentOptions().setConfig(config)).await();
  }

  private ShipmentEvent event(String type, double km, double tonnes) {
    return new ShipmentEvent(ids.incrementAndGet(), T0, "Supplier A", "R12", type, km, tonnes, null);
  }

  private List<ShipmentEvent> events(int n) {
    List<ShipmentEvent> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(event(i % 2 == 0 ? "hgv_diesel" : "van", 100 + i, 1 + i));
    }
    return list;
  }

  private PredictionReply predict(List<ShipmentEvent> events, boolean persist) {
    return predict(events, persist, false);
  }

  private PredictionReply predict(List<ShipmentEvent> events, boolean persist, boolean builtinOnly) {
    JsonObject body = vertx.eventBus()
      .<JsonObject>request(Addresses.PREDICT, new PredictionRequest(events, persist, builtinOnly).toJson()).await().body();
    return PredictionReply.fromJson(body);
  }

  private long stored(String where) {
    return TestDatabase.queryLong(url, "select count(*) from predictions where " + where);
  }

  private double counter(String name, String tag, String value) {
    MeterRegistry registry = BackendRegistries.getNow(registryName);
    var counter = registry.find(name).tag(tag, value).counter();
    return counter == null ? 0 : counter.count();
  }

  private double breakerState() {
    return BackendRegistries.getNow(registryName).get("nexus_breaker_state").tag("service", "ml-engine").gauge().value();
  }

  private static double builtinCo2(ShipmentEvent e) {
    return ((EmissionModel.Predicted) BUILTIN.predict(e)).prediction().co2Kg();
  }

  @Test
  void withoutMlEngineTheBuiltinModelPredictsAndEachEventIsStoredOnce() {
    deploy(false);
    List<ShipmentEvent> events = events(5);
    PredictionReply first = predict(events, true);
    assertThat(first.predictions()).hasSize(5).allSatisfy(p -> {
      assertThat(p.model()).isEqualTo("builtin");
      assertThat(p.modelVersion()).isEqualTo(BUILTIN.version());
    });
    assertThat(first.stored()).isEqualTo(5);
    assertThat(first.predictions().get(0).co2Kg()).isEqualTo(builtinCo2(events.get(0)));

    PredictionReply again = predict(events, true);
    assertThat(again.stored()).isZero();
    assertThat(stored("true")).isEqualTo(5);
    assertThat(stored("model = 'builtin' and model_version = '" + BUILTIN.version() + "' and supplier = 'Supplier A'"))
      .isEqualTo(5);
  }

  @Test
  void aMixedBatchStoresTheValidEventsAndReportsEachInvalidOne() {
    deploy(false);
    ShipmentEvent good = event("ev", 120, 10);
    ShipmentEvent unknown = event("zeppelin", 100, 1);
    ShipmentEvent negative = event("van", -3, 1);
    ShipmentEvent noRoute = new ShipmentEvent(ids.incrementAndGet(), T0, "Supplier A", null, "van", 10.0, 1.0, null);
    PredictionReply reply = predict(List.of(good, unknown, negative, noRoute), true);

    assertThat(reply.predictions()).extracting(Prediction::eventId).containsExactly(good.id());
    // battery electric: TTW 0, WTW = 1200 tkm x (0.027 generation + 0.00692 upstream)
    assertThat(reply.predictions().get(0).co2Kg()).isCloseTo(40.704, within(1e-9));
    assertThat(reply.predictions().get(0).ttwKg()).isZero();
    assertThat(reply.errors()).hasSize(3);
    assertThat(reply.errors().stream().filter(e -> e.eventId() == unknown.id()).findFirst().orElseThrow().reason())
      .isEqualTo("unknown vehicle type 'zeppelin'");
    assertThat(TestDatabase.queryLong(url, "select count(*) from prediction_errors")).isEqualTo(3);
    assertThat(stored("true")).isEqualTo(1);
    assertThat(BackendRegistries.getNow(registryName).get("nexus_prediction_rejected_total").counter().count()).isEqualTo(3);
  }

  @Test
  void aHealthyMlEngineAnswersInBatchesAndItsAnswersAreUsedAndMarked() {
    deploy(true);
    List<ShipmentEvent> events = events(7);
    PredictionReply reply = predict(events, true);
    assertThat(ml.batchSizes()).containsExactly(3, 3, 1);
    assertThat(reply.predictions()).hasSize(7).allSatisfy(p -> {
      assertThat(p.model()).isEqualTo("ml-engine");
      assertThat(p.modelVersion()).isEqualTo(FakeMlEngine.MODEL_VERSION);
      assertThat(p.method()).isEqualTo("ml");
    });
    // ml-engine's figure is tank-to-wheel; the tables add well-to-tank for the vehicle
    Prediction last = reply.predictions().get(6);
    assertThat(last.ttwKg()).isEqualTo(FakeMlEngine.co2(106, 7));
    assertThat(last.wttKg()).isEqualTo(BUILTIN.wellToTank(events.get(6))).isPositive();
    assertThat(last.co2Kg()).isEqualTo(last.ttwKg() + last.wttKg());
    assertThat(stored("model = 'ml-engine' and model_version = 'fake-ml-1.0' and basis = 'wtw' and factor_set = 'defra-2025'"
      + " and co2_kg = co2e_wtw_kg and co2e_wtw_kg = co2e_ttw_kg + co2e_wtt_kg")).isEqualTo(7);
    assertThat(counter("nexus_predictions_total", "model", "ml-engine")).isEqualTo(7);
  }

  @Test
  void aFailingMlEngineFallsBackThenOpensTheBreakerThenIsUsedAgainWhenItRecovers() throws Exception {
    deploy(true);
    ml.mode(Mode.FAIL);
    assertThat(predict(events(1), true).predictions().get(0).model()).isEqualTo("builtin");
    assertThat(predict(events(1), true).predictions().get(0).model()).isEqualTo("builtin");
    assertThat(ml.calls()).isEqualTo(2);
    assertThat(breakerState()).isEqualTo(2.0);

    PredictionReply whileOpen = predict(events(2), true);
    assertThat(whileOpen.predictions()).allSatisfy(p -> assertThat(p.model()).isEqualTo("builtin"));
    assertThat(ml.calls()).as("no call while the breaker is open").isEqualTo(2);
    assertThat(counter("nexus_ml_engine_failures_total", "reason", "http_status")).isEqualTo(2);
    assertThat(counter("nexus_ml_engine_failures_total", "reason", "breaker_open")).isEqualTo(1);

    ml.mode(Mode.HEALTHY);
    Thread.sleep(1_200);
    PredictionReply recovered = predict(events(2), true);
    assertThat(recovered.predictions()).allSatisfy(p -> assertThat(p.model()).isEqualTo("ml-engine"));
    assertThat(breakerState()).isEqualTo(0.0);
    assertThat(stored("model = 'builtin'")).isEqualTo(4);
    assertThat(stored("model = 'ml-engine'")).isEqualTo(2);
  }

  @Test
  void aStallingMlEngineOpensTheBreakerToo() {
    deploy(true, STALL_TIMEOUT);
    ml.mode(Mode.STALL);
    predict(events(1), true);
    predict(events(1), true);
    assertThat(ml.calls()).isEqualTo(2);
    assertThat(breakerState()).as("open after 2 stalled calls").isEqualTo(2.0);
    long t0 = System.nanoTime();
    assertThat(predict(events(1), true).predictions().get(0).model()).isEqualTo("builtin");
    assertThat(ml.calls()).isEqualTo(2);
    assertThat((System.nanoTime() - t0) / 1_000_000).as("no wait while open").isLessThan(250);
  }

  @Test
  void aBuiltinOnlyRequestNeverAsksMlEngine() {
    deploy(true);
    PredictionReply reply = predict(List.of(event("van", 10, 1)), false, true);
    assertThat(reply.predictions().get(0).model()).isEqualTo("builtin");
    assertThat(ml.calls()).isZero();
  }

  @Test
  void aStallingMlEngineTimesOutAndTheBuiltinModelAnswers() {
    deploy(true, STALL_TIMEOUT);
    ml.mode(Mode.STALL);
    long t0 = System.nanoTime();
    PredictionReply reply = predict(events(2), true);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(reply.predictions()).hasSize(2).allSatisfy(p -> assertThat(p.model()).isEqualTo("builtin"));
    assertThat(ms).as("answered soon after the 300 ms limit").isLessThan(5_000);
    assertThat(counter("nexus_ml_engine_failures_total", "reason", "timeout")
      + counter("nexus_ml_engine_failures_total", "reason", "unreachable")).isEqualTo(1);
  }

  @Test
  void garbageFromMlEngineIsRefusedAndTheBuiltinModelAnswers() {
    deploy(true);
    ml.mode(Mode.GARBAGE);
    assertThat(predict(events(2), true).predictions()).allSatisfy(p -> assertThat(p.model()).isEqualTo("builtin"));
    ml.mode(Mode.WRONG_SHAPE);
    assertThat(predict(events(2), true).predictions()).allSatisfy(p -> assertThat(p.model()).isEqualTo("builtin"));
    assertThat(counter("nexus_ml_engine_failures_total", "reason", "malformed")).isEqualTo(2);
  }

  @Test
  void eventsMlEngineLeavesOutArePredictedByTheBuiltinModel() {
    deploy(true);
    ml.mode(Mode.PARTIAL);
    List<ShipmentEvent> events = events(3);
    PredictionReply reply = predict(events, true);
    assertThat(reply.predictions()).extracting(Prediction::model).containsExactly("ml-engine", "builtin", "ml-engine");
    assertThat(reply.predictions().get(1).co2Kg()).isEqualTo(builtinCo2(events.get(1)));
  }

  @Test
  void whateverMlEngineDoesEveryEventGetsExactlyOneStoredMarkedPrediction() {
    deploy(true, STALL_TIMEOUT);
    List<ShipmentEvent> all = new ArrayList<>();
    for (Mode mode : new Mode[] {Mode.HEALTHY, Mode.FAIL, Mode.STALL, Mode.GARBAGE, Mode.PARTIAL, Mode.HEALTHY}) {
      ml.mode(mode);
      List<ShipmentEvent> batch = events(4);
      all.addAll(batch);
      predict(batch, true);
      predict(batch, true);
    }
    assertThat(stored("true")).isEqualTo(all.size());
    assertThat(stored("model in ('builtin', 'ml-engine') and model_version is not null and method is not null"))
      .isEqualTo(all.size());
    assertThat(TestDatabase.queryLong(url, "select count(distinct event_id) from predictions")).isEqualTo(all.size());
  }

  @Test
  void aWhatIfRequestPredictsWithoutStoring() {
    deploy(false);
    PredictionReply reply = predict(List.of(new ShipmentEvent(1, null, null, null, "rail", 650.0, 60.0, null)), false);
    assertThat(reply.predictions().get(0).co2Kg()).isCloseTo(1353.3, within(1e-9)); // 39000 tkm x (0.02779 + 0.00691)
    assertThat(reply.stored()).isZero();
    assertThat(stored("true")).isZero();
  }

  @Test
  void aMalformedRequestFailsWithTheInvalidRequestCode() {
    deploy(false);
    assertThatThrownBy(() -> vertx.eventBus().request(Addresses.PREDICT, new JsonObject().put("evts", 1)).await())
      .isInstanceOfSatisfying(ReplyException.class, e -> {
        assertThat(e.failureCode()).isEqualTo(FailureCode.INVALID_REQUEST.code());
        assertThat(e.getMessage()).contains("\"events\" array");
      });
  }
}
