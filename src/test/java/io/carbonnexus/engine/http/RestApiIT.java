package io.carbonnexus.engine.http;

import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.prediction.EmissionModel;
import io.carbonnexus.engine.shared.ShipmentEvent;
import io.carbonnexus.engine.support.EngineUnderTest;
import io.carbonnexus.engine.support.Http;
import io.carbonnexus.engine.support.TestDatabase;
import io.carbonnexus.engine.support.TestEngine;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The REST API as the frontend and operators see it: a whole engine on a real database, events
 * written into events_normalized as data-core writes them, every endpoint's answer checked
 * against the database or the built-in model, and its error paths.
 */
class RestApiIT {

  private static final String TOKEN = "api-test-token";
  private static final String[] AUTH = {"Authorization", "Bearer " + TOKEN};
  private static final EmissionModel MODEL = EmissionModel.builtin();

  /** supplier, route, vehicle type, km, tonnes, capacity (null: unknown). */
  private static final Object[][] EVENTS = {
    {"Acme Haulage", "R-SIM", "hgv", 120.0, 10.0, 20.0},
    {"Acme Haulage", "R-SIM", "van", 40.0, 1.0, null},
    {"Borealis Freight", "R-SIM", "rail", 300.0, 25.0, null},
    {"Borealis Freight", "R-OTHER", "hgv", 80.0, 12.0, 24.0},
    {"Cobalt Lines", "R-OTHER", "van", 25.0, 0.5, null},
  };

  @RegisterExtension
  static final EngineUnderTest ENGINE = new EngineUnderTest(TestEngine.onNewDatabase()
    .with(ConfigKeys.API_TOKEN, TOKEN)
    .with(ConfigKeys.HTTP_MAX_BODY_KB, 16)
    .with(ConfigKeys.HTTP_CORS_ORIGINS, "https://dash.example.com, http://127.0.0.1:3000")
    .with(ConfigKeys.DETECTION_FAST_PATH_DELAY, "50ms"));

  @BeforeAll
  static void insertPredictedEvents() throws Exception {
    StringBuilder sql = new StringBuilder("insert into events_normalized (occurred_at, supplier, route, vehicle_type,"
      + " distance_km, load_tonnes, payload_capacity_tonnes) values ");
    for (int i = 0; i < EVENTS.length; i++) {
      Object[] e = EVENTS[i];
      sql.append(i == 0 ? "" : ", ").append("(now() - interval '").append(10 + i).append(" minutes', '")
        .append(e[0]).append("', '").append(e[1]).append("', '").append(e[2]).append("', ").append(e[3]).append(", ")
        .append(e[4]).append(", ").append(e[5]).append(")");
    }
    TestDatabase.execute(ENGINE.dbUrl(), sql.toString());
    TestDatabase.waitFor("all events predicted",
      () -> TestDatabase.queryLong(ENGINE.dbUrl(), "select count(*) from predictions") == EVENTS.length, Duration.ofSeconds(10));
  }

  private static double co2(Object[] e, String vehicleType, double distanceFactor, double loadFactor, boolean keepCapacity) {
    ShipmentEvent event = new ShipmentEvent(1, Instant.now(), (String) e[0], (String) e[1], vehicleType,
      (Double) e[3] * distanceFactor, (Double) e[4] * loadFactor, keepCapacity ? (Double) e[5] : null);
    return ((EmissionModel.Predicted) MODEL.predict(event)).prediction().co2Kg();
  }

  private static double stored(String where) {
    return TestDatabase.queryDouble(ENGINE.dbUrl(), "select coalesce(sum(co2_kg), 0) from predictions where " + where);
  }

  /** Makes a supplier hot: a target at its window total divided by {@code ratio}. */
  private static long hotspotFor(String supplier, double ratio) throws Exception {
    double total = stored("supplier = '" + supplier + "'");
    Http.Response r = Http.send(ENGINE.port(), "PUT", "/targets", new JsonObject().put("entity_type", "supplier")
      .put("entity", supplier).put("baseline", total / ratio).encode(), AUTH);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    TestDatabase.waitFor("hotspot for " + supplier, () -> TestDatabase.queryLong(ENGINE.dbUrl(),
      "select count(*) from hotspots where status = 'open' and entity = '" + supplier + "'") == 1, Duration.ofSeconds(10));
    return TestDatabase.queryLong(ENGINE.dbUrl(), "select id from hotspots where status = 'open' and entity = '" + supplier + "'");
  }

  @Test
  void currentEmissionsAreTheWindowsStoredPredictions() throws Exception {
    // A read may be up to a second old: the snapshot follows the stored predictions within that.
    TestDatabase.waitFor("the snapshot of the stored predictions", () -> Math.abs(
      Http.get(ENGINE.port(), "/emissions/current").json().getDouble("total") - stored("true")) < 0.01, Duration.ofSeconds(5));
    Http.Response r = Http.get(ENGINE.port(), "/emissions/current");
    assertThat(r.status()).isEqualTo(200);
    JsonObject snapshot = r.json();
    assertThat(snapshot.getDouble("total")).isCloseTo(stored("true"), within(0.01));
    assertThat(snapshot.getLong("window_seconds")).isEqualTo(86_400L);
    JsonObject suppliers = snapshot.getJsonObject("by_entity_type").getJsonObject("supplier");
    assertThat(suppliers.getDouble("total")).isCloseTo(stored("true"), within(0.01));
    JsonArray top = suppliers.getJsonArray("top");
    assertThat(top).hasSize(3);
    JsonObject acme = top.stream().map(JsonObject.class::cast)
      .filter(o -> o.getString("entity").equals("Acme Haulage")).findFirst().orElseThrow();
    assertThat(acme.getDouble("predicted")).isCloseTo(stored("supplier = 'Acme Haulage'"), within(0.001));
    assertThat(snapshot.getJsonObject("by_entity_type").getJsonObject("route").getDouble("total"))
      .isCloseTo(stored("true"), within(0.01));
  }

  @Test
  void currentEmissionsGiveTonneKmAndIntensityBesideEveryTotalAndTheBasis() throws Exception {
    TestDatabase.waitFor("the snapshot of the stored predictions", () -> Math.abs(
      Http.get(ENGINE.port(), "/emissions/current").json().getDouble("total") - stored("true")) < 0.01, Duration.ofSeconds(5));
    JsonObject snapshot = Http.get(ENGINE.port(), "/emissions/current").json();
    assertThat(snapshot.getString("basis")).isEqualTo("wtw");
    double tonneKm = 0;
    for (Object[] e : EVENTS) {
      tonneKm += (Double) e[3] * (Double) e[4];
    }
    assertThat(snapshot.getDouble("tonne_km")).isCloseTo(tonneKm, within(0.001));
    assertThat(snapshot.getDouble("intensity_kg_per_tkm")).isCloseTo(stored("true") / tonneKm, within(1e-6));
    JsonObject vehicles = snapshot.getJsonObject("by_entity_type").getJsonObject("vehicle_type");
    assertThat(vehicles.getDouble("tonne_km")).isCloseTo(tonneKm, within(0.001));
    JsonObject other = snapshot.getJsonObject("by_entity_type").getJsonObject("route").getJsonArray("top").stream()
      .map(JsonObject.class::cast).filter(o -> o.getString("entity").equals("R-OTHER")).findFirst().orElseThrow();
    double otherTonneKm = 80.0 * 12 + 25.0 * 0.5;
    assertThat(other.getDouble("tonne_km")).isCloseTo(otherTonneKm, within(0.001));
    assertThat(other.getDouble("intensity_kg_per_tkm"))
      .isCloseTo(stored("route = 'R-OTHER'") / otherTonneKm, within(1e-6));
  }

  @Test
  void simulateReplacesVehicleAndLoadOnTheRoutesEventsAsTheModelWould() {
    Http.Response r = Http.post(ENGINE.port(), "/simulate", "{\"vehicle_type\":\"ev\",\"route\":\"R-SIM\",\"load_change\":-20}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    JsonObject s = r.json();
    double old = 0;
    double changed = 0;
    for (Object[] e : EVENTS) {
      if (e[1].equals("R-SIM")) {
        old += co2(e, (String) e[2], 1, 1, true);
        changed += co2(e, "ev", 1, 0.8, false);
      }
    }
    assertThat(s.getInteger("events")).isEqualTo(3);
    assertThat(s.getDouble("old_value")).isCloseTo(old, within(0.001));
    assertThat(s.getDouble("old_value")).isCloseTo(stored("route = 'R-SIM'"), within(0.001));
    assertThat(s.getDouble("new_value")).isCloseTo(changed, within(0.001));
    assertThat(s.getDouble("delta")).isCloseTo(changed - old, within(0.002));
    assertThat(s.getDouble("percent_change")).isCloseTo((changed - old) / old * 100, within(0.06));
    assertThat(s.getString("model")).isEqualTo("builtin");
    assertThat(s.getString("basis")).as("the figures are well-to-wheel by default").isEqualTo("wtw");
    // Nothing stored by a what-if.
    assertThat(TestDatabase.queryLong(ENGINE.dbUrl(), "select count(*) from predictions")).isEqualTo(EVENTS.length);
  }

  @Test
  void simulateWithSupplierFilterAndDistanceChangeKeepsTheVehicle() {
    Http.Response r = Http.post(ENGINE.port(), "/simulate",
      "{\"supplier\":\"Borealis Freight\",\"distance_change\":50}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    double old = 0;
    double changed = 0;
    for (Object[] e : EVENTS) {
      if (e[0].equals("Borealis Freight")) {
        old += co2(e, (String) e[2], 1, 1, true);
        changed += co2(e, (String) e[2], 1.5, 1, true);
      }
    }
    assertThat(r.json().getInteger("events")).isEqualTo(2);
    assertThat(r.json().getDouble("new_value")).isCloseTo(changed, within(0.001));
    assertThat(r.json().getDouble("old_value")).isCloseTo(old, within(0.001));
  }

  @Test
  void simulateRefusesWhatMakesNoSense() {
    Http.Response unknownRoute = Http.post(ENGINE.port(), "/simulate", "{\"route\":\"R-404\",\"load_change\":-20}");
    assertThat(unknownRoute.status()).isEqualTo(404);
    assertThat(unknownRoute.json().getString("error")).contains("R-404");

    Http.Response tooLow = Http.post(ENGINE.port(), "/simulate", "{\"route\":\"R-SIM\",\"load_change\":-101}");
    assertThat(tooLow.status()).isEqualTo(400);
    assertThat(tooLow.json().getString("error")).contains("load_change").contains("-100");

    Http.Response unknownType = Http.post(ENGINE.port(), "/simulate", "{\"route\":\"R-SIM\",\"vehicle_type\":\"zeppelin\"}");
    assertThat(unknownType.status()).isEqualTo(400);
    assertThat(unknownType.json().getString("error")).startsWith("vehicle_type").contains("zeppelin");

    // The contract's rule, named as a rule rather than as one missing field.
    for (String noChange : List.of("{\"route\":\"R-SIM\"}", "{}")) {
      Http.Response res = Http.post(ENGINE.port(), "/simulate", noChange);
      assertThat(res.status()).as(noChange).isEqualTo(400);
      assertThat(res.json().getString("error")).as(noChange)
        .contains("at least one of vehicle_type, load_change or distance_change");
    }

    for (String bad : List.of("{\"load_change\":\"x\"}", "{\"route\":5,\"load_change\":1}", "[]", "{", "",
      "{\"route\":\"R-SIM\",\"load_change\":1,\"drop_table\":1}", "{\"load_change\":1e400}")) {
      Http.Response res = Http.post(ENGINE.port(), "/simulate", bad);
      assertThat(res.status()).as(bad + " -> " + res.body()).isEqualTo(400);
      assertThat(res.json().getString("error")).isNotBlank();
    }
  }

  @Test
  void aHotspotRowOfATypeNoEntityHasIsSkippedNotAClientError() throws Exception {
    Instant now = Instant.now();
    // Resolved, so that detection leaves the known one alone; the unknown one open, which detection must skip too.
    String insert = "insert into hotspots (entity_type, entity, predicted, baseline, percent_above, severity, status,"
      + " opened_at, updated_at, resolved_at) values ('%s', '%s', 150, 60, 150, 'critical', '%s', '" + now + "', '" + now
      + "', %s)";
    TestDatabase.execute(ENGINE.dbUrl(), insert.formatted("supplier", "Listed by hand", "resolved", "'" + now + "'"));
    TestDatabase.execute(ENGINE.dbUrl(), insert.formatted("depot", "Written by hand", "open", "null"));
    try {
      Http.Response r = Http.get(ENGINE.port(), "/hotspots?limit=500");
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(r.array().stream().map(o -> ((JsonObject) o).getString("entity")))
        .contains("Listed by hand").doesNotContain("Written by hand");
    } finally {
      TestDatabase.execute(ENGINE.dbUrl(), "delete from hotspots where entity like '% by hand'");
    }
  }

  @Test
  void hotspotsAreListedNewestFirstAndFiltered() throws Exception {
    long critical = hotspotFor("Acme Haulage", 2.0);
    long warn = hotspotFor("Cobalt Lines", 1.2);

    JsonArray all = Http.get(ENGINE.port(), "/hotspots?entity_type=supplier").array();
    assertThat(all.stream().map(o -> ((JsonObject) o).getString("entity")))
      .contains("Acme Haulage", "Cobalt Lines");
    JsonArray criticalOnly = Http.get(ENGINE.port(), "/hotspots?severity=critical&entity_type=supplier").array();
    assertThat(criticalOnly.stream().map(o -> ((JsonObject) o).getLong("id"))).contains(critical).doesNotContain(warn);
    JsonObject h = Http.get(ENGINE.port(), "/hotspots?entity=Cobalt%20Lines").array().getJsonObject(0);
    assertThat(h.getLong("id")).isEqualTo(warn);
    assertThat(h.getString("severity")).isEqualTo("warn");
    assertThat(h.getString("status")).isEqualTo("open");
    assertThat(h.getInteger("percent_above")).isEqualTo(20);
    assertThat(h.fieldNames()).contains("id", "entity", "entity_type", "predicted", "baseline", "percent_above",
      "severity", "status", "opened_at", "updated_at");
    assertThat(Http.get(ENGINE.port(), "/hotspots?severity=warn&severity=critical&entity_type=supplier").array()).hasSizeGreaterThanOrEqualTo(2);
    assertThat(Http.get(ENGINE.port(), "/hotspots?limit=1").array()).hasSize(1);
    assertThat(Http.get(ENGINE.port(), "/hotspots?status=resolved&entity=Cobalt%20Lines").array()).isEmpty();
    assertThat(Http.get(ENGINE.port(), "/hotspots?since=2999-01-01T00:00:00Z").array()).isEmpty();
    JsonArray newestFirst = Http.get(ENGINE.port(), "/hotspots").array();
    for (int i = 1; i < newestFirst.size(); i++) {
      assertThat(Instant.parse(newestFirst.getJsonObject(i - 1).getString("updated_at")))
        .isAfterOrEqualTo(Instant.parse(newestFirst.getJsonObject(i).getString("updated_at")));
    }

    // The alert for the critical hotspot, and its recommendation from the built-in recommender.
    TestDatabase.waitFor("alert", () -> Http.get(ENGINE.port(), "/alerts?hotspot_id=" + critical).array().size() == 1,
      Duration.ofSeconds(10));
    JsonObject alert = Http.get(ENGINE.port(), "/alerts?entity=Acme%20Haulage&severity=critical&kind=firing").array().getJsonObject(0);
    assertThat(alert.getLong("hotspot_id")).isEqualTo(critical);
    assertThat(alert.getString("message")).contains("Acme Haulage");
    assertThat(Http.get(ENGINE.port(), "/alerts?severity=info").array()).isEmpty();
    TestDatabase.waitFor("recommendation",
      () -> Http.get(ENGINE.port(), "/recommendations?hotspot_id=" + critical).array().size() == 1, Duration.ofSeconds(10));
    JsonObject rec = Http.get(ENGINE.port(), "/recommendations?source=rules&entity=Acme%20Haulage").array().getJsonObject(0);
    assertThat(rec.getLong("hotspot_id")).isEqualTo(critical);
    assertThat(rec.getString("source")).isEqualTo("rules");
    assertThat(rec.getString("entity_type")).isEqualTo("supplier");
    assertThat(rec.getJsonArray("actions")).isNotEmpty();
    assertThat(Http.get(ENGINE.port(), "/recommendations?source=rag").array()).isEmpty();

    // Acknowledge: needs the token, a number, an existing alert.
    long alertId = alert.getLong("id");
    assertThat(Http.post(ENGINE.port(), "/alerts/" + alertId + "/acknowledge", "{}").status()).isEqualTo(401);
    assertThat(Http.post(ENGINE.port(), "/alerts/abc/acknowledge", "{}", AUTH).status()).isEqualTo(400);
    Http.Response missing = Http.post(ENGINE.port(), "/alerts/999999/acknowledge", "{}", AUTH);
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.json().getString("error")).contains("999999");
    Http.Response ack = Http.post(ENGINE.port(), "/alerts/" + alertId + "/acknowledge", "{\"by\":\"ops\"}", AUTH);
    assertThat(ack.status()).isEqualTo(200);
    assertThat(ack.json().getString("acknowledged_at")).isNotNull();
    assertThat(TestDatabase.queryString(ENGINE.dbUrl(), "select acknowledged_by from alerts where id = " + alertId)).isEqualTo("ops");
  }

  @Test
  void listFiltersThatMakeNoSenseAre400sNamingTheParameter() {
    for (String path : List.of("/hotspots?limit=0", "/hotspots?limit=1001", "/hotspots?limit=x",
      "/hotspots?severity=fatal", "/hotspots?status=closed", "/hotspots?since=yesterday", "/hotspots?entity_type=port",
      "/alerts?kind=loud", "/alerts?hotspot_id=-1", "/recommendations?source=oracle", "/baselines?limit=-5")) {
      Http.Response r = Http.get(ENGINE.port(), path);
      assertThat(r.status()).as(path + " -> " + r.body()).isEqualTo(400);
      String parameter = path.substring(path.indexOf('?') + 1, path.indexOf('='));
      assertThat(r.json().getString("error")).as(path).contains(parameter);
    }
  }

  @Test
  void targetsAreSetListedAndRemovedWithTheToken() {
    String body = new JsonObject().put("entity_type", "route").put("entity", "R-OTHER").put("baseline", 5000).encode();
    assertThat(Http.send(ENGINE.port(), "PUT", "/targets", body).status()).isEqualTo(401);
    Http.Response set = Http.send(ENGINE.port(), "PUT", "/targets", body, AUTH);
    assertThat(set.status()).as(set.body()).isEqualTo(200);
    assertThat(set.json().getString("source")).isEqualTo("target");
    JsonObject listed = Http.get(ENGINE.port(), "/baselines?entity_type=route&entity=R-OTHER").array().getJsonObject(0);
    assertThat(listed.getDouble("baseline")).isEqualTo(5000.0);
    assertThat(listed.getString("source")).isEqualTo("target");

    assertThat(Http.send(ENGINE.port(), "PUT", "/targets", "{\"entity_type\":\"route\",\"entity\":\"R-OTHER\",\"baseline\":0}", AUTH)
      .status()).isEqualTo(400);
    assertThat(Http.send(ENGINE.port(), "PUT", "/targets", "{\"entity_type\":\"planet\",\"entity\":\"x\",\"baseline\":1}", AUTH)
      .status()).isEqualTo(400);
    assertThat(TestDatabase.queryDouble(ENGINE.dbUrl(), "select baseline from baselines where entity = 'R-OTHER'")).isEqualTo(5000.0);

    String query = "/targets?entity_type=route&entity=R-OTHER";
    assertThat(Http.send(ENGINE.port(), "DELETE", query, null).status()).isEqualTo(401);
    assertThat(Http.send(ENGINE.port(), "DELETE", query, null, AUTH).status()).isEqualTo(204);
    assertThat(Http.send(ENGINE.port(), "DELETE", query, null, AUTH).status()).isEqualTo(404);
    assertThat(Http.get(ENGINE.port(), "/baselines?entity=R-OTHER").array()).isEmpty();
  }

  @Test
  void entityNamesAreTakenLiterallyWhateverTheyContain() {
    for (String name : List.of("Quote \"Q\" Ltd", "Back\\slash\\b", "12.5", "-5", "{}", "[1]", "Acme, Inc.", "true",
      "Ünïcødé 货运")) {
      String body = new JsonObject().put("entity_type", "route").put("entity", name).put("baseline", 42).encode();
      assertThat(Http.send(ENGINE.port(), "PUT", "/targets", body, AUTH).status()).as(name).isEqualTo(200);
      String encoded = java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8);
      Http.Response listed = Http.get(ENGINE.port(), "/baselines?entity_type=route&entity=" + encoded);
      assertThat(listed.status()).as(name + " -> " + listed.body()).isEqualTo(200);
      assertThat(listed.array()).as(name).hasSize(1);
      assertThat(listed.array().getJsonObject(0).getString("entity")).isEqualTo(name);
      assertThat(Http.send(ENGINE.port(), "DELETE", "/targets?entity_type=route&entity=" + encoded, null, AUTH).status())
        .as(name).isEqualTo(204);
    }
    Http.Response compared = Http.get(ENGINE.port(), "/suppliers/compare?supplier=Acme%2C%20Inc.&supplier=Acme%20Haulage");
    assertThat(compared.status()).isEqualTo(404);
    assertThat(compared.json().getJsonArray("details")).containsExactly("Acme, Inc.");
  }

  @Test
  void suppliersAreComparedSideBySide() {
    Http.Response r = Http.get(ENGINE.port(), "/suppliers/compare?supplier=Borealis%20Freight&supplier=Acme%20Haulage");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    JsonArray suppliers = r.json().getJsonArray("suppliers");
    assertThat(suppliers).hasSize(2);
    JsonObject borealis = suppliers.getJsonObject(0);
    assertThat(borealis.getString("supplier")).isEqualTo("Borealis Freight");
    assertThat(suppliers.getJsonObject(1).getString("supplier")).isEqualTo("Acme Haulage");
    double predicted = stored("supplier = 'Borealis Freight'");
    double tonneKm = 300.0 * 25 + 80.0 * 12;
    assertThat(borealis.getDouble("predicted")).isCloseTo(predicted, within(0.001));
    assertThat(borealis.getInteger("events")).isEqualTo(2);
    assertThat(borealis.getDouble("tonne_km")).isCloseTo(tonneKm, within(0.001));
    assertThat(borealis.getDouble("intensity_kg_per_tkm")).isCloseTo(predicted / tonneKm, within(0.000001));
    assertThat(borealis.getDouble("previous")).isZero();
    assertThat(borealis.getString("trend")).isEqualTo("new");
    assertThat(r.json().getString("basis")).isEqualTo("wtw");

    Http.Response unknown = Http.get(ENGINE.port(), "/suppliers/compare?supplier=Acme%20Haulage&supplier=Nobody");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.json().getJsonArray("details")).containsExactly("Nobody");
    assertThat(Http.get(ENGINE.port(), "/suppliers/compare").status()).isEqualTo(400);
  }

  @Test
  void errorsAreJsonWithTheRightStatus() {
    Http.Response notFound = Http.get(ENGINE.port(), "/no/such/thing");
    assertThat(notFound.status()).isEqualTo(404);
    assertThat(notFound.json().getString("error")).contains("/no/such/thing");
    assertThat(notFound.header("content-type")).startsWith("application/json");

    Http.Response wrongMethod = Http.send(ENGINE.port(), "DELETE", "/hotspots", null);
    assertThat(wrongMethod.status()).isEqualTo(405);
    assertThat(wrongMethod.json().getString("error")).isNotBlank();

    Http.Response tooBig = Http.post(ENGINE.port(), "/simulate", "{\"route\":\"" + "x".repeat(20_000) + "\",\"load_change\":1}");
    assertThat(tooBig.status()).isEqualTo(413);
    assertThat(tooBig.json().getString("error")).contains("16 KiB");
  }

  @Test
  void theContractIsServedAndDescribesEveryEndpoint() {
    Http.Response yaml = Http.get(ENGINE.port(), "/openapi.yaml");
    assertThat(yaml.status()).isEqualTo(200);
    assertThat(yaml.body()).startsWith("openapi: 3.1");
    Http.Response jsonResponse = Http.get(ENGINE.port(), "/openapi.json");
    assertThat(jsonResponse.status()).isEqualTo(200);
    JsonObject json = jsonResponse.json();
    JsonObject paths = json.getJsonObject("paths");
    assertThat(paths.fieldNames()).contains("/emissions/current", "/hotspots", "/alerts",
      "/recommendations", "/simulate", "/suppliers/compare", "/targets", "/baselines", "/alerts/{id}/acknowledge",
      "/silences", "/detection/batch", "/events", "/health", "/metrics", "/openapi.yaml", "/openapi.json",
      "/reports/emissions");
    // Each document is served with the one media type the contract declares for it.
    assertThat(yaml.header("content-type")).isEqualTo(declaredType(paths, "/openapi.yaml"));
    assertThat(jsonResponse.header("content-type")).isEqualTo(declaredType(paths, "/openapi.json"));
  }

  private static String declaredType(JsonObject paths, String path) {
    JsonObject content = paths.getJsonObject(path).getJsonObject("get").getJsonObject("responses")
      .getJsonObject("200").getJsonObject("content");
    assertThat(content.fieldNames()).as(path).hasSize(1);
    return content.fieldNames().iterator().next();
  }

  @Test
  void everyOperationStatesItsAccessLevelAndASecurityThatAgrees() {
    JsonObject paths = Http.get(ENGINE.port(), "/openapi.json").json().getJsonObject("paths");
    Map<String, String> access = new TreeMap<>();
    for (String path : paths.fieldNames()) {
      for (String method : paths.getJsonObject(path).fieldNames()) {
        JsonObject op = paths.getJsonObject(path).getJsonObject(method);
        String level = op.getString("x-nexus-access");
        access.put(method.toUpperCase() + " " + path, level);
        assertThat(op.getJsonArray("security")).as(method + " " + path + " states its security").isNotNull();
        if ("open".equals(level)) {
          assertThat(op.getJsonArray("security")).as(method + " " + path).isEmpty();
        } else {
          assertThat(op.getJsonArray("security")).as(method + " " + path)
            .containsExactly(new JsonObject().put("bearer", new JsonArray()));
        }
      }
    }
    assertThat(access).containsOnly(
      Map.entry("GET /emissions/current", "read"), Map.entry("GET /emissions/history", "read"),
      Map.entry("GET /hotspots", "read"), Map.entry("GET /alerts", "read"),
      Map.entry("GET /recommendations", "read"), Map.entry("GET /suppliers/compare", "read"),
      Map.entry("GET /baselines", "read"), Map.entry("POST /simulate", "read"), Map.entry("GET /metrics", "read"),
      Map.entry("GET /reports/emissions", "read"), Map.entry("GET /footprints/shipments", "read"),
      Map.entry("GET /footprints/tocs", "read"), Map.entry("GET /notifications", "read"),
      Map.entry("PUT /targets", "write"), Map.entry("POST /receivers/{name}/test", "write"), Map.entry("DELETE /targets", "write"), Map.entry("POST /silences", "write"),
      Map.entry("POST /alerts/{id}/acknowledge", "write"), Map.entry("POST /detection/batch", "write"),
      Map.entry("POST /events", "write"),
      Map.entry("GET /health", "open"), Map.entry("GET /openapi.yaml", "open"), Map.entry("GET /openapi.json", "open"));
  }

  @Test
  void anOptionsRequestThatIsNoAllowedPreflightIsToldWhichSettingToChange() {
    Http.Response r = Http.send(ENGINE.port(), "OPTIONS", "/hotspots", null, "Access-Control-Request-Method", "GET");
    assertThat(r.status()).isEqualTo(405);
    assertThat(r.json().getString("error")).contains("http.cors_origins").contains("https://dash.example.com");
  }

  @Test
  void corsAllowsOnlyTheConfiguredOrigins() {
    Http.Response allowed = Http.send(ENGINE.port(), "GET", "/hotspots", null, "Origin", "https://dash.example.com");
    assertThat(allowed.status()).isEqualTo(200);
    assertThat(allowed.header("access-control-allow-origin")).isEqualTo("https://dash.example.com");
    Http.Response preflight = Http.send(ENGINE.port(), "OPTIONS", "/targets", null, "Origin", "http://127.0.0.1:3000",
      "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "authorization,content-type");
    assertThat(preflight.status()).isBetween(200, 204);
    assertThat(preflight.header("access-control-allow-methods")).contains("PUT");
    Http.Response other = Http.send(ENGINE.port(), "GET", "/hotspots", null, "Origin", "https://evil.example.org");
    assertThat(other.header("access-control-allow-origin")).isNull();
  }

  @Test
  void healthReportsDatabaseAndTheExternalServicesFallbacks() {
    Http.Response r = Http.get(ENGINE.port(), "/health");
    assertThat(r.status()).isEqualTo(200);
    JsonObject health = r.json();
    assertThat(health.getString("status")).isEqualTo("UP");
    assertThat(health.getJsonArray("checks").stream().map(c -> ((JsonObject) c).getString("id")))
      .containsExactlyInAnyOrder("database", "prediction", "recommendations");
    JsonObject prediction = health.getJsonArray("checks").stream().map(JsonObject.class::cast)
      .filter(c -> c.getString("id").equals("prediction")).findFirst().orElseThrow();
    assertThat(prediction.getJsonObject("data").getString("model")).isEqualTo("builtin");
    assertThat(Http.get(ENGINE.port(), "/metrics").body()).contains("nexus_detection_runs_total");
  }
}
