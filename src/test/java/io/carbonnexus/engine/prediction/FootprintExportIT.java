package io.carbonnexus.engine.prediction;

import io.carbonnexus.engine.support.EngineUnderTest;
import io.carbonnexus.engine.support.Http;
import io.carbonnexus.engine.support.TestDatabase;
import io.carbonnexus.engine.support.TestEngine;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The iLEAP export of a whole engine on a real database: what {@code /footprints/shipments} and
 * {@code /footprints/tocs} answer validates against the published iLEAP 1.1.0 schemas (draft-07,
 * copied in {@code src/test/resources/ileap}), and carries the stored predictions.
 */
class FootprintExportIT {

  private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofHours(6));

  @RegisterExtension
  static final EngineUnderTest ENGINE = new EngineUnderTest(TestEngine.onNewDatabase());

  private static Validator footprintSchema;
  private static Validator tocSchema;

  @BeforeAll
  static void loadSchemasAndInsertEvents() throws Exception {
    footprintSchema = validator("shipment-footprint.json");
    tocSchema = validator("toc.json");
    // The three legs of SHP-3 are written out of time order: the export orders them by time.
    insert("Acme Haulage", "van", 40, 2.0, 180, "SHP-3");
    insert("Acme Haulage", "hgv", 120, 10.0, 0, "SHP-3");
    insert("Borealis Freight", "rail", 300, 9.5, 60, "SHP-3");
    insert("Borealis Freight", "ship", 5000, 20.0, 30, null);
    insert("Cobalt Lines", "ev", 80, 3.0, 120, "SHP-E");
    TestDatabase.waitFor("all events predicted",
      () -> TestDatabase.queryLong(ENGINE.dbUrl(), "select count(*) from predictions") == 5, Duration.ofSeconds(10));
  }

  private static void insert(String supplier, String vehicle, double km, double tonnes, int minutesAfterT0, String shipment) {
    TestDatabase.execute(ENGINE.dbUrl(), "insert into events_normalized (occurred_at, supplier, route, vehicle_type, distance_km,"
      + " load_tonnes, shipment_id) values ('" + T0.plus(Duration.ofMinutes(minutesAfterT0)) + "', '" + supplier
      + "', 'R1', '" + vehicle + "', " + km + ", " + tonnes + ", " + (shipment == null ? "null" : "'" + shipment + "'") + ")");
  }

  private static Validator validator(String file) throws Exception {
    JsonObject schema = new JsonObject(Files.readString(Path.of("src/test/resources/ileap", file)));
    assertThat(schema.getString("$schema")).isEqualTo("http://json-schema.org/draft-07/schema#");
    return Validator.create(JsonSchema.of(schema), new JsonSchemaOptions().setDraft(Draft.DRAFT7)
      .setBaseUri("https://github.com/sine-fdn/impact-protocols/").setOutputFormat(OutputFormat.Basic));
  }

  private static List<String> problems(Validator validator, JsonObject instance) {
    OutputUnit result = validator.validate(instance);
    if (Boolean.TRUE.equals(result.getValid())) {
      return List.of();
    }
    List<String> problems = new ArrayList<>();
    result.getErrors().forEach(e -> problems.add(e.getInstanceLocation() + ": " + e.getError()));
    return problems.isEmpty() ? List.of("invalid") : problems;
  }

  private static JsonArray get(String pathAndQuery) {
    Http.Response r = Http.get(ENGINE.port(), pathAndQuery);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return new JsonArray(r.body());
  }

  private static List<JsonObject> objects(JsonArray array) {
    return array.stream().map(JsonObject.class::cast).toList();
  }

  private static JsonObject shipment(JsonArray footprints, String id) {
    return objects(footprints).stream().filter(f -> f.getString("shipmentId").equals(id)).findFirst().orElseThrow();
  }

  private static String q(Instant t) {
    return URLEncoder.encode(t.toString(), StandardCharsets.UTF_8);
  }

  @Test
  void everyShipmentFootprintValidatesAgainstTheIleapSchema() {
    JsonArray footprints = get("/footprints/shipments");
    assertThat(footprints).hasSize(3);
    for (JsonObject f : objects(footprints)) {
      assertThat(problems(footprintSchema, f)).as(f.encodePrettily()).isEmpty();
    }
  }

  @Test
  void theThreeLegsOfOneShipmentAreOneFootprintWithTheirTcesChainedInTimeOrder() {
    JsonObject shp = shipment(get("/footprints/shipments"), "SHP-3");
    assertThat(problems(footprintSchema, shp)).isEmpty();
    List<JsonObject> tces = objects(shp.getJsonArray("tces"));
    assertThat(tces).extracting(t -> t.getString("tocId")).containsExactly("hgv_diesel", "rail", "van_diesel");
    assertThat(tces).extracting(t -> t.getString("departureAt"))
      .containsExactly(T0.toString(), T0.plus(Duration.ofMinutes(60)).toString(), T0.plus(Duration.ofMinutes(180)).toString());
    assertThat(tces.get(0).containsKey("prevTceIds")).isFalse();
    assertThat(tces.get(1).getJsonArray("prevTceIds")).containsExactly(tces.get(0).getString("tceId"));
    assertThat(tces.get(2).getJsonArray("prevTceIds")).containsExactly(tces.get(1).getString("tceId"));
    assertThat(tces).allSatisfy(t -> assertThat(t.getString("shipmentId")).isEqualTo("SHP-3"));
    assertThat(new BigDecimal(shp.getString("mass"))).isEqualByComparingTo("10000");
  }

  @Test
  void aTceCarriesItsEventsFiguresInIleapUnits() {
    JsonObject hgv = objects(shipment(get("/footprints/shipments"), "SHP-3").getJsonArray("tces")).get(0);
    long id = Long.parseLong(hgv.getString("tceId"));
    assertThat(TestDatabase.queryLong(ENGINE.dbUrl(), "select count(*) from events_normalized where id = " + id
      + " and vehicle_type = 'hgv'")).isEqualTo(1);
    assertThat(new BigDecimal(hgv.getString("mass"))).isEqualByComparingTo("10000");
    assertThat(new BigDecimal(hgv.getJsonObject("distance").getString("actual"))).isEqualByComparingTo("120");
    assertThat(new BigDecimal(hgv.getString("transportActivity")).doubleValue()).isCloseTo(1200, within(1e-9));
    assertThat(new BigDecimal(hgv.getString("co2eWTW")).doubleValue()).isCloseTo(
      TestDatabase.queryDouble(ENGINE.dbUrl(), "select co2e_wtw_kg from predictions where event_id = " + id), within(5e-7));
    assertThat(new BigDecimal(hgv.getString("co2eTTW")).doubleValue()).isCloseTo(
      TestDatabase.queryDouble(ENGINE.dbUrl(), "select co2e_ttw_kg from predictions where event_id = " + id), within(5e-7));
    assertThat(new BigDecimal(hgv.getString("co2eWTW"))).isGreaterThan(new BigDecimal(hgv.getString("co2eTTW")));
  }

  @Test
  void decimalsKeepSixPlacesWithoutTheNoiseOfBinaryFractions() {
    assertThat(IleapExport.decimal(3463.3920000000003)).isEqualTo("3463.392");
    assertThat(IleapExport.decimal(0.00365)).isEqualTo("0.00365");
    assertThat(IleapExport.decimal(1e-9)).isEqualTo("0");
    assertThat(IleapExport.decimal(16780.0)).isEqualTo("16780");
  }

  @Test
  void anEventWithoutAShipmentIdIsAShipmentNamedByItsId() {
    long id = TestDatabase.queryLong(ENGINE.dbUrl(), "select id from events_normalized where shipment_id is null");
    JsonObject single = shipment(get("/footprints/shipments"), Long.toString(id));
    assertThat(objects(single.getJsonArray("tces"))).singleElement()
      .satisfies(t -> assertThat(t.getString("tceId")).isEqualTo(Long.toString(id)));
  }

  @Test
  void aBatteryElectricLegHasNoTankToWheelEmissions() {
    JsonObject tce = objects(shipment(get("/footprints/shipments"), "SHP-E").getJsonArray("tces")).get(0);
    assertThat(new BigDecimal(tce.getString("co2eTTW"))).isEqualByComparingTo("0");
    assertThat(new BigDecimal(tce.getString("co2eWTW"))).isPositive();
  }

  @Test
  void everyTocValidatesAgainstTheIleapSchemaAndEveryTcePointsAtOne() {
    JsonArray tocs = get("/footprints/tocs");
    assertThat(tocs).hasSize(EmissionFactorTable.builtin().factors().size());
    for (JsonObject toc : objects(tocs)) {
      assertThat(problems(tocSchema, toc)).as(toc.encodePrettily()).isEmpty();
    }
    Set<String> tocIds = objects(tocs).stream().map(t -> t.getString("tocId")).collect(Collectors.toSet());
    Set<String> pointedAt = objects(get("/footprints/shipments")).stream()
      .flatMap(f -> objects(f.getJsonArray("tces")).stream()).map(t -> t.getString("tocId")).collect(Collectors.toSet());
    assertThat(tocIds).containsAll(pointedAt);
  }

  @Test
  void aTocCarriesItsVehicleTypesModeCarrierAndIntensities() {
    EmissionFactor rail = EmissionFactorTable.builtin().find("rail").orElseThrow();
    EmissionFactor ev = EmissionFactorTable.builtin().find("ev").orElseThrow();
    List<JsonObject> tocs = objects(get("/footprints/tocs"));
    JsonObject railToc = tocs.stream().filter(t -> t.getString("tocId").equals("rail")).findFirst().orElseThrow();
    assertThat(railToc.getString("mode")).isEqualTo("Rail");
    assertThat(new BigDecimal(railToc.getString("co2eIntensityWTW")).doubleValue()).isCloseTo(rail.wtwKgPerTonneKm(), within(1e-12));
    assertThat(new BigDecimal(railToc.getString("co2eIntensityTTW")).doubleValue()).isCloseTo(rail.ttwKgPerTonneKm(), within(1e-12));
    JsonObject evToc = tocs.stream().filter(t -> t.getString("tocId").equals(ev.vehicleType())).findFirst().orElseThrow();
    assertThat(evToc.getString("mode")).isEqualTo("Road");
    assertThat(evToc.getJsonArray("energyCarriers").getJsonObject(0).getString("energyCarrier")).isEqualTo("Electric");
    assertThat(new BigDecimal(evToc.getString("co2eIntensityTTW"))).isEqualByComparingTo("0");
  }

  @Test
  void pagesFollowEachOtherByKeyWithoutRepeatOrGap() {
    List<String> all = objects(get("/footprints/shipments")).stream().map(f -> f.getString("shipmentId")).toList();
    List<String> paged = new ArrayList<>();
    String after = null;
    for (int i = 0; i < 10; i++) {
      JsonArray page = get("/footprints/shipments?limit=1" + (after == null ? "" : "&after=" + URLEncoder.encode(after, StandardCharsets.UTF_8)));
      if (page.isEmpty()) {
        break;
      }
      assertThat(page).hasSize(1);
      after = page.getJsonObject(0).getString("shipmentId");
      paged.add(after);
    }
    assertThat(paged).isEqualTo(all).hasSize(3);
    JsonArray tocPage = get("/footprints/tocs?limit=2&after=rail");
    assertThat(objects(tocPage)).hasSize(2).allSatisfy(t -> assertThat(t.getString("tocId")).isGreaterThan("rail"));
  }

  @Test
  void aShipmentBelongsToThePeriodOfItsFirstLegWithAllItsLegs() {
    JsonArray firstHour = get("/footprints/shipments?from=" + q(T0) + "&to=" + q(T0.plus(Duration.ofMinutes(1))));
    assertThat(objects(firstHour)).extracting(f -> f.getString("shipmentId")).containsExactly("SHP-3");
    assertThat(firstHour.getJsonObject(0).getJsonArray("tces")).hasSize(3);
    JsonArray later = get("/footprints/shipments?from=" + q(T0.plus(Duration.ofMinutes(1))));
    assertThat(objects(later)).extracting(f -> f.getString("shipmentId")).doesNotContain("SHP-3").hasSize(2);
  }

  @Test
  void aSupplierFilterKeepsOnlyThatSuppliersLegs() {
    JsonArray borealis = get("/footprints/shipments?supplier=" + URLEncoder.encode("Borealis Freight", StandardCharsets.UTF_8));
    assertThat(borealis).hasSize(2);
    JsonObject shp = shipment(borealis, "SHP-3");
    assertThat(objects(shp.getJsonArray("tces"))).singleElement()
      .satisfies(t -> assertThat(t.getString("tocId")).isEqualTo("rail"));
    assertThat(problems(footprintSchema, shp)).isEmpty();
  }

  @Test
  void aBadQueryValueIsA400ThatNamesTheParameter() {
    for (String[] bad : new String[][] {{"from=yesterday", "from"}, {"to=2026-13-01T00:00:00Z", "to"}, {"limit=0", "limit"},
        {"from=" + q(T0) + "&to=" + q(T0), "from"}}) {
      Http.Response r = Http.get(ENGINE.port(), "/footprints/shipments?" + bad[0]);
      assertThat(r.status()).as(bad[0] + " -> " + r.body()).isEqualTo(400);
      assertThat(r.json().getString("error")).as(bad[0]).contains(bad[1]);
    }
    Http.Response r = Http.get(ENGINE.port(), "/footprints/tocs?limit=5000");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().getString("error")).contains("limit");
  }

  @Test
  void theSchemaCheckRefusesANumberWhereIleapWantsADecimalString() {
    JsonObject footprint = shipment(get("/footprints/shipments"), "SHP-3");
    footprint.getJsonArray("tces").getJsonObject(0).put("co2eWTW", 12.5);
    assertThat(problems(footprintSchema, footprint)).isNotEmpty();
  }
}
