package io.carbonnexus.engine.recommendation;

import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.prediction.PredictionVerticle;
import io.carbonnexus.engine.shared.Addresses;
import io.carbonnexus.engine.shared.EntityType;
import io.carbonnexus.engine.shared.Hotspot;
import io.carbonnexus.engine.shared.HotspotChange;
import io.carbonnexus.engine.shared.HotspotStatus;
import io.carbonnexus.engine.shared.Severity;
import io.carbonnexus.engine.support.FakeRag;
import io.carbonnexus.engine.support.FakeRag.Mode;
import io.carbonnexus.engine.support.TestDatabase;
import io.carbonnexus.engine.support.VerticleTestBed;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every hotspot that needs one gets exactly one recommendation, whatever rag-chatbot does. */
class RecommendationVerticleIT extends VerticleTestBed {

  private FakeRag rag;
  private long hotspotId;
  private List<JsonObject> published;

  @BeforeEach
  void setUp() {
    // A supplier with long, light HGV lanes and some diesel vans over the last hours.
    TestDatabase.execute(url, """
      insert into events_normalized (id, occurred_at, supplier, route, vehicle_type, distance_km, load_tonnes,
                                     payload_capacity_tonnes)
      select g, now() - (g || ' minutes')::interval, 'Supplier A', 'R3', case when g <= 10 then 'hgv_diesel' else 'van_diesel' end,
             case when g <= 10 then 650 else 40 end, case when g <= 10 then 8 else 0.8 end, case when g <= 10 then 20 else 1.2 end
        from generate_series(1, 16) g;
      insert into predictions (event_id, occurred_at, supplier, route, vehicle_type, co2_kg, model, model_version)
      select id, occurred_at, supplier, route, vehicle_type,
             distance_km * load_tonnes * case when vehicle_type = 'hgv_diesel' then 0.10163 else 0.6313 end, 'builtin', 't'
        from events_normalized;
      insert into hotspots (entity_type, entity, predicted, baseline, percent_above, severity, opened_at, updated_at)
      values ('supplier', 'Supplier A', 1900, 2000, -5, 'info', now(), now());
      """);
    hotspotId = TestDatabase.queryLong(url, "select id from hotspots");
    ConfigKeys.RECOMMENDATIONS_RETRY.put(config, "100ms");
    ConfigKeys.RAG_TIMEOUT.put(config, "300ms");
    ConfigKeys.RAG_RETRIES.put(config, 0);
    ConfigKeys.RAG_FALLBACK_AFTER.put(config, "1h");
    published = collect(Addresses.RECOMMENDATIONS);
    deploy(new PredictionVerticle());
    rag = FakeRag.start(vertx);
  }

  private String deploy(boolean withRag) {
    JsonObject c = config.copy();
    if (withRag) {
      ConfigKeys.RAG_URL.put(c, rag.url());
    }
    return deploy(new RecommendationVerticle(), c);
  }

  /** What detection does: commit the hotspot's new level, then publish the change. */
  private void change(String change, Severity severity) {
    TestDatabase.execute(url, "update hotspots set severity = '" + severity.wire() + "', predicted = 4200, baseline = 2000,"
      + " percent_above = 110");
    vertx.eventBus().publish(Addresses.HOTSPOTS, new Hotspot(hotspotId, "Supplier A", "supplier", 4200, 2000, 110,
      severity, "open", Instant.now(), Instant.now(), null, change).toJson());
  }

  private long stored(String where) {
    return TestDatabase.queryLong(url, "select count(*) from recommendations where " + where);
  }

  @Test
  void withoutRagTheRulesAnswerFromTheHotspotsFactsAndSaySo() throws Exception {
    deploy(false);
    change("opened", Severity.CRITICAL);
    TestDatabase.waitFor("a recommendation", () -> published.size() == 1, Duration.ofSeconds(5));
    JsonObject r = published.get(0);
    assertThat(r.getString("source")).isEqualTo("rules");
    assertThat(r.getLong("hotspot_id")).isEqualTo(hotspotId);
    assertThat(r.getString("root_cause")).startsWith("Supplier A emitted 4200 kg CO2 over the last 24h, 110% above")
      .contains("from hgv_diesel");
    var titles = r.getJsonArray("actions").stream().map(a -> ((JsonObject) a).getString("title")).toList();
    assertThat(titles).anyMatch(t -> t.contains("to rail")).anyMatch(t -> t.startsWith("Consolidate part-loads"))
      .anyMatch(t -> t.contains("electric vans"));
    assertThat(stored("source = 'rules'")).isEqualTo(1);
  }

  /**
   * Route R3's hotspot of the last 30 minutes, read through Supplier B's lane on it. R3 also carries
   * Supplier A's sixteen shipments of the last 16 minutes; Supplier B has four diesel vans in the
   * last half hour and two heavy, long HGV runs three hours ago.
   */
  private long laneHotspot() {
    TestDatabase.execute(url, """
      insert into events_normalized (id, occurred_at, supplier, route, vehicle_type, distance_km, load_tonnes,
                                     payload_capacity_tonnes)
      select 200 + g, now() - case when g <= 4 then (5 * g || ' minutes') else '3 hours' end::interval, 'Supplier B',
             'R3', case when g <= 4 then 'van_diesel' else 'hgv_diesel' end, case when g <= 4 then 40 else 650 end,
             case when g <= 4 then 0.8 else 18 end, case when g <= 4 then 1.2 else 20 end
        from generate_series(1, 6) g;
      insert into predictions (event_id, occurred_at, supplier, route, vehicle_type, co2_kg, model, model_version)
      select id, occurred_at, supplier, route, vehicle_type,
             distance_km * load_tonnes * case when vehicle_type = 'hgv_diesel' then 0.10163 else 0.6313 end, 'builtin', 't'
        from events_normalized where supplier = 'Supplier B';
      insert into hotspots (entity_type, entity, predicted, baseline, percent_above, severity, opened_at, updated_at,
                            "window", kind, lane_supplier)
      values ('route', 'R3', 900, 400, 125, 'critical', now(), now(), '30m', 'emissions', 'Supplier B');
      """);
    long id = TestDatabase.queryLong(url, "select id from hotspots where entity = 'R3'");
    vertx.eventBus().publish(Addresses.HOTSPOTS, new Hotspot(id, "R3", EntityType.ROUTE, 900, 400, 125, Severity.CRITICAL,
      HotspotStatus.OPEN, Instant.now(), Instant.now(), null, HotspotChange.OPENED, "30m", "emissions", 350.0,
      "Supplier B").toJson());
    return id;
  }

  @Test
  void theRulesOfARouteReadThroughOneLaneLookAtThatSuppliersShipmentsOfTheWindowThatFired() throws Exception {
    deploy(false);
    laneHotspot();
    TestDatabase.waitFor("a recommendation", () -> published.size() == 1, Duration.ofSeconds(5));
    // Not Supplier A's ten HGVs on the same route, nor Supplier B's HGV runs of three hours ago.
    assertThat(published.get(0).getString("root_cause"))
      .startsWith("R3 emitted 900 kg CO2 over the last 30m, 125% above its baseline of 400 kg; from Supplier B's"
        + " shipments on it: 100% of theirs from van_diesel (4 shipments");
    var titles = published.get(0).getJsonArray("actions").stream().map(a -> ((JsonObject) a).getString("title")).toList();
    assertThat(titles).anyMatch(t -> t.contains("electric vans")).noneMatch(t -> t.contains("to rail"));
  }

  @Test
  void rulesThatAnswerLateStillReadTheWindowThatFiredNotTheOneEndingNow() throws Exception {
    // Three hours later (rag-chatbot was down, or the engine restarted): the burst's half hour is long past.
    deploy(new RecommendationVerticle(Clock.offset(Clock.systemUTC(), Duration.ofHours(3))), config.copy());
    laneHotspot();
    TestDatabase.waitFor("a recommendation", () -> published.size() == 1, Duration.ofSeconds(5));
    assertThat(published.get(0).getString("root_cause")).contains("from Supplier B's shipments on it: 100% of theirs"
      + " from van_diesel (4 shipments");
  }

  @Test
  void aVehicleTypesRulesNameTheSupplierWithMostOfItsCo2() throws Exception {
    // van_diesel over the last half hour: Supplier A's six vans (setUp) and Supplier C's two, all alike.
    TestDatabase.execute(url, """
      insert into events_normalized (id, occurred_at, supplier, route, vehicle_type, distance_km, load_tonnes,
                                     payload_capacity_tonnes)
      select 300 + g, now() - (g || ' minutes')::interval, 'Supplier C', 'R4', 'van_diesel', 40, 0.8, 1.2
        from generate_series(1, 2) g;
      insert into predictions (event_id, occurred_at, supplier, route, vehicle_type, co2_kg, model, model_version)
      select id, occurred_at, supplier, route, vehicle_type, distance_km * load_tonnes * 0.6313, 'builtin', 't'
        from events_normalized where supplier = 'Supplier C';
      insert into hotspots (entity_type, entity, predicted, baseline, percent_above, severity, opened_at, updated_at,
                            "window", kind)
      values ('vehicle_type', 'van_diesel', 162, 100, 62, 'warn', now(), now(), '30m', 'emissions');
      """);
    long id = TestDatabase.queryLong(url, "select id from hotspots where entity = 'van_diesel'");
    deploy(false);
    vertx.eventBus().publish(Addresses.HOTSPOTS, new Hotspot(id, "van_diesel", EntityType.VEHICLE_TYPE, 162, 100, 62,
      Severity.WARN, HotspotStatus.OPEN, Instant.now(), Instant.now(), null, HotspotChange.OPENED, "30m", "emissions",
      90.0).toJson());
    TestDatabase.waitFor("a recommendation", () -> published.size() == 1, Duration.ofSeconds(5));
    assertThat(published.get(0).getString("root_cause")).isEqualTo("van_diesel emitted 162 kg CO2 over the last 30m, 62%"
      + " above its baseline of 100 kg; 8 shipments, average load factor 67%, 40 km on average; 75% of it from"
      + " Supplier A's shipments (6).");
  }

  @Test
  void ragIsToldWhichWindowFiredWhatItMeasuredAndWhoseLaneItWas() throws Exception {
    deploy(true);
    long id = laneHotspot();
    TestDatabase.waitFor("a recommendation", () -> published.size() == 1, Duration.ofSeconds(5));
    JsonObject request = rag.requests().get(0);
    assertThat(request.getLong("hotspot_id")).isEqualTo(id);
    assertThat(request.getString("entity")).isEqualTo("R3");
    assertThat(request.getString("window")).isEqualTo("30m");
    assertThat(request.getString("kind")).isEqualTo("emissions");
    assertThat(request.getString("lane_supplier")).isEqualTo("Supplier B");
  }

  @Test
  void onTheTankToWheelBasisTheRulesStillWeighAnElectricVanByItsWellToWheelEmissions() throws Exception {
    for (String id : vertx.deploymentIDs()) {
      vertx.undeploy(id).await();
    }
    ConfigKeys.EMISSIONS_BASIS.put(config, "ttw");
    vertx.deployVerticle(new PredictionVerticle(), new DeploymentOptions().setConfig(config)).await();
    // Supplier V: ten diesel vans of 32 tkm each, stored on the tank-to-wheel basis as the engine would.
    TestDatabase.execute(url, """
      insert into events_normalized (id, occurred_at, supplier, route, vehicle_type, distance_km, load_tonnes)
      select 100 + g, now() - (g || ' minutes')::interval, 'Supplier V', 'R9', 'van_diesel', 40, 0.8
        from generate_series(1, 10) g;
      insert into predictions (event_id, occurred_at, supplier, route, vehicle_type, co2_kg, model, model_version,
                               co2e_ttw_kg, co2e_wtt_kg, co2e_wtw_kg, basis)
      select id, occurred_at, supplier, route, vehicle_type, 32 * 0.6313, 'builtin', 't', 32 * 0.6313, 32 * 0.15095,
             32 * (0.6313 + 0.15095), 'ttw'
        from events_normalized where supplier = 'Supplier V';
      insert into hotspots (entity_type, entity, predicted, baseline, percent_above, severity, opened_at, updated_at)
      values ('supplier', 'Supplier V', 202, 100, 102, 'critical', now(), now());
      """);
    long id = TestDatabase.queryLong(url, "select id from hotspots where entity = 'Supplier V'");
    deploy(false);
    vertx.eventBus().publish(Addresses.HOTSPOTS, new Hotspot(id, "Supplier V", "supplier", 202, 100, 102,
      Severity.CRITICAL, "open", Instant.now(), Instant.now(), null, "opened").toJson());
    TestDatabase.waitFor("a recommendation", () -> published.size() == 1, Duration.ofSeconds(5));
    JsonObject electric = published.get(0).getJsonArray("actions").stream().map(a -> (JsonObject) a)
      .filter(a -> a.getString("title").contains("electric vans")).findFirst().orElseThrow();
    // WTW per tkm: diesel van 0.6313 + 0.15095 = 0.78225, electric van 0.21992 + 0.05633 = 0.27625:
    // (0.78225 - 0.27625) / 0.78225 = 64.7 %. On tank-to-wheel the electric van would be free: 100 %.
    assertThat(electric.getInteger("co2_reduction")).isEqualTo(65);
  }

  @Test
  void aHealthyRagAnswersAndTheSeedsRequestIsSent() throws Exception {
    deploy(true);
    change("opened", Severity.CRITICAL);
    change("opened", Severity.CRITICAL); // heard twice: one request, one recommendation
    TestDatabase.waitFor("a recommendation", () -> published.size() == 1, Duration.ofSeconds(5));
    Thread.sleep(300);
    assertThat(published.get(0).getString("source")).isEqualTo("rag");
    assertThat(published.get(0).getString("root_cause")).isEqualTo(FakeRag.ROOT_CAUSE);
    assertThat(published.get(0).getJsonArray("actions").getJsonObject(0).getInteger("co2_reduction")).isEqualTo(18);
    JsonObject request = rag.requests().get(0);
    assertThat(request.getString("entity")).isEqualTo("Supplier A");
    assertThat(request.getJsonObject("data").getDouble("predicted")).isEqualTo(4200.0);
    assertThat(request.getJsonObject("data").getDouble("baseline")).isEqualTo(2000.0);
    assertThat(stored("true")).isEqualTo(1);
  }

  @Test
  void whateverRagDoesEveryHotspotEndsWithExactlyOneRecommendationOnceItRecovers() throws Exception {
    deploy(true);
    for (Mode mode : new Mode[] {Mode.FAIL, Mode.STALL, Mode.GARBAGE}) {
      rag.mode(mode);
      TestDatabase.execute(url, "delete from recommendations; delete from recommendation_requests");
      published.clear();
      int before = rag.requests().size();
      change("escalated", Severity.CRITICAL);
      TestDatabase.waitFor(mode + ": retried", () -> rag.requests().size() >= before + 3, Duration.ofSeconds(10));
      assertThat(stored("true")).as(mode + ": nothing stored while rag fails").isZero();
      rag.mode(Mode.HEALTHY);
      TestDatabase.waitFor(mode + ": recovered", () -> published.size() == 1, Duration.ofSeconds(40));
      assertThat(stored("source = 'rag'")).isEqualTo(1);
      assertThat(TestDatabase.queryLong(url, "select count(*) from recommendation_requests where status = 'done'"))
        .isEqualTo(1);
    }
  }

  @Test
  void pendingRequestsSurviveARestart() throws Exception {
    rag.mode(Mode.FAIL);
    String first = deploy(true);
    change("opened", Severity.WARN);
    TestDatabase.waitFor("queued and tried", () -> !rag.requests().isEmpty(), Duration.ofSeconds(5));
    vertx.undeploy(first).await();
    assertThat(TestDatabase.queryLong(url, "select count(*) from recommendation_requests where status = 'pending'"))
      .isEqualTo(1);

    rag.mode(Mode.HEALTHY);
    deploy(true);
    TestDatabase.waitFor("answered after the restart", () -> published.size() == 1, Duration.ofSeconds(20));
    assertThat(stored("source = 'rag' and severity = 'warn'")).isEqualTo(1);
  }

  @Test
  void afterTheFallbackWaitTheRulesAnswerWhenRagStaysDown() throws Exception {
    ConfigKeys.RAG_FALLBACK_AFTER.put(config, "1s");
    rag.mode(Mode.FAIL);
    deploy(true);
    change("opened", Severity.CRITICAL);
    TestDatabase.waitFor("a rule-based answer", () -> published.size() == 1, Duration.ofSeconds(20));
    assertThat(published.get(0).getString("source")).isEqualTo("rules");
    assertThat(stored("true")).isEqualTo(1);
  }

  @Test
  void aHotspotBelowTheAlertingLevelNeedsNoRecommendation() throws Exception {
    deploy(true);
    change("opened", Severity.INFO);
    Thread.sleep(500);
    assertThat(rag.requests()).isEmpty();
    assertThat(TestDatabase.queryLong(url, "select count(*) from recommendation_requests")).isZero();
  }

  @Test
  void anOpenHotspotWhoseChangeWasMissedStillGetsItsRecommendation() throws Exception {
    // The hotspot escalated while no recommendation verticle listened (a restart, an error).
    // It is now route R3's, read through Supplier A's lane over the last 30 minutes.
    TestDatabase.execute(url, "update hotspots set severity = 'critical', predicted = 4200, percent_above = 110,"
      + " entity_type = 'route', entity = 'R3', \"window\" = '30m', kind = 'emissions', lane_supplier = 'Supplier A'");
    deploy(true);
    TestDatabase.waitFor("the reconciler's recommendation", () -> published.size() == 1, Duration.ofSeconds(5));
    assertThat(stored("severity = 'critical' and source = 'rag'")).isEqualTo(1);
    // What the hotspot measured reaches rag-chatbot from the table as it does from the channel.
    JsonObject request = rag.requests().get(0);
    assertThat(request.getString("entity")).isEqualTo("R3");
    assertThat(request.getString("window")).isEqualTo("30m");
    assertThat(request.getString("kind")).isEqualTo("emissions");
    assertThat(request.getString("lane_supplier")).isEqualTo("Supplier A");
  }

  @Test
  void anEscalationEarnsASecondRecommendation() throws Exception {
    deploy(true);
    change("opened", Severity.WARN);
    TestDatabase.waitFor("first", () -> published.size() == 1, Duration.ofSeconds(5));
    change("escalated", Severity.CRITICAL);
    TestDatabase.waitFor("second", () -> published.size() == 2, Duration.ofSeconds(5));
    assertThat(stored("severity = 'warn'")).isEqualTo(1);
    assertThat(stored("severity = 'critical'")).isEqualTo(1);
  }
}
