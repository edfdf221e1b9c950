package io.carbonnexus.engine.http;

import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.support.EngineUnderTest;
import io.carbonnexus.engine.support.Http;
import io.carbonnexus.engine.support.TestDatabase;
import io.carbonnexus.engine.support.TestEngine;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@code GET /reports/emissions} on a real database: predictions with known TTW, WTT and WTW
 * figures are written straight into the tables (only the report and HTTP verticles run, so
 * nothing re-predicts them), and every figure of the report is checked against hand arithmetic.
 */
class EmissionsReportApiIT {

  private static final String RANGE = "from=2025-01-01&to=2025-03-01";
  private static final String FORMULA = "=cmd|' /C calc'!A0";
  private static final String QUOTED = "Borealis, \"North\"";

  /** id, occurred_at, supplier, route, vehicle type, shipment_id, tonne-km, TTW, WTT (null: TTW only). */
  private static final Object[][] ROWS = {
    {1, "2025-01-10T08:00:00Z", "Acme Haulage", "R1", "hgv", "S1", 1000.0, 80.0, 20.0},
    {2, "2025-01-31T23:59:59Z", "Acme Haulage", "R1", "hgv", "S1", 500.0, 40.0, 10.0},
    {3, "2025-02-01T00:00:00Z", "Acme Haulage", "R2", "rail", null, 2000.0, 30.0, 6.0},
    {4, "2025-02-14T12:00:00Z", "Acme Haulage", "R2", "hgv", "S4", 400.0, 50.0, null},
    {5, "2025-01-15T09:00:00Z", FORMULA, "R3", "van", null, 100.0, 10.0, 2.0},
    {6, "2025-01-20T09:00:00Z", QUOTED, "R3", "van", null, 200.0, 20.0, 5.0},
    // Outside [2025-01-01, 2025-03-01): the range's ends are UTC instants, to excluded.
    {7, "2024-12-31T23:59:59Z", "Acme Haulage", "R1", "hgv", null, 999.0, 999.0, 99.0},
    {8, "2025-03-01T00:00:00Z", "Acme Haulage", "R1", "hgv", null, 999.0, 999.0, 99.0},
  };

  @RegisterExtension
  static final EngineUnderTest ENGINE = new EngineUnderTest(TestEngine.onNewDatabase()
    .with(ConfigKeys.NODE_VERTICLES, "reports,http"));

  @BeforeAll
  static void insertRows() {
    String url = ENGINE.dbUrl();
    for (Object[] r : ROWS) {
      String shipment = r[5] == null ? "null" : "'" + r[5] + "'";
      String supplier = ((String) r[2]).replace("'", "''");
      // distance x load = the row's tonne-km.
      TestDatabase.execute(url, "insert into events_normalized (id, occurred_at, supplier, route, vehicle_type,"
        + " distance_km, load_tonnes, shipment_id) values (" + r[0] + ", '" + r[1] + "', '" + supplier + "', '" + r[3]
        + "', '" + r[4] + "', " + r[6] + ", 1, " + shipment + ")");
      Double wtt = (Double) r[8];
      String wtw = wtt == null ? "null" : String.valueOf((Double) r[7] + wtt);
      TestDatabase.execute(url, "insert into predictions (event_id, occurred_at, supplier, route, vehicle_type, co2_kg,"
        + " model, model_version, method, tonne_km, co2e_ttw_kg, co2e_wtt_kg, co2e_wtw_kg, factor_set, basis) values ("
        + r[0] + ", '" + r[1] + "', '" + supplier + "', '" + r[3] + "', '" + r[4] + "', "
        + (wtt == null ? r[7] : wtw) + ", " + (wtt == null ? "'ml-engine'" : "'builtin'") + ", 'test', 'tonne_km', "
        + r[6] + ", " + r[7] + ", " + (wtt == null ? "null" : wtt) + ", " + wtw + ", 'defra-2025', 'wtw')");
    }
  }

  private static JsonObject row(JsonArray rows, String entity, String period) {
    return rows.stream().map(JsonObject.class::cast)
      .filter(o -> o.getString("entity").equals(entity) && o.getString("period").equals(period))
      .findFirst().orElseThrow(() -> new AssertionError("no row " + entity + " " + period + " in " + rows.encode()));
  }

  @Test
  void aSuppliersReportByRouteHoldsOnlyThatSuppliersPredictions() {
    Http.Response r = Http.get(ENGINE.port(), "/reports/emissions?" + RANGE
      + "&group=route&period=month&entity_type=supplier&entity=Acme%20Haulage");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    JsonObject report = r.json();
    assertThat(report.getString("entity")).isEqualTo("Acme Haulage");
    JsonArray rows = report.getJsonArray("rows");
    // Acme: R1 in January (rows 1 and 2), R2 in February (3 and 4); R3 is other suppliers' only.
    assertThat(rows.stream().map(o -> ((JsonObject) o).getString("entity") + " " + ((JsonObject) o).getString("period")))
      .containsExactly("R1 2025-01", "R2 2025-02");
    assertThat(row(rows, "R1", "2025-01").getDouble("co2e_wtw_kg")).isCloseTo(100 + 50, within(1e-9));
  }

  @Test
  void anEntityTypeWithoutAnEntityIsRefusedNamingTheMissingOne() {
    Http.Response r = Http.get(ENGINE.port(), "/reports/emissions?" + RANGE + "&entity_type=supplier");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().getString("error")).startsWith("entity:");
  }

  @Test
  void eachSupplierAndMonthHasItsTankToWheelWellToTankAndWellToWheelTotals() {
    Http.Response r = Http.get(ENGINE.port(), "/reports/emissions?" + RANGE + "&group=supplier&period=month");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.header("content-type")).startsWith("application/json");
    JsonObject report = r.json();
    assertThat(report.getString("basis")).isEqualTo("wtw");
    assertThat(report.getString("from")).isEqualTo("2025-01-01T00:00:00Z");
    assertThat(report.getString("to")).isEqualTo("2025-03-01T00:00:00Z");
    JsonArray rows = report.getJsonArray("rows");
    // Acme in two months, the two other suppliers in January; rows 7 and 8 are outside the range.
    assertThat(rows).hasSize(4);

    JsonObject january = row(rows, "Acme Haulage", "2025-01");
    assertThat(january.getString("period_start")).isEqualTo("2025-01-01T00:00:00Z");
    assertThat(january.getLong("events")).isEqualTo(2);
    assertThat(january.getLong("shipments")).as("two legs of shipment S1").isEqualTo(1);
    assertThat(january.getDouble("tonne_km")).isCloseTo(1000 + 500, within(1e-9));
    assertThat(january.getDouble("co2e_ttw_kg")).isCloseTo(80 + 40, within(1e-9));
    assertThat(january.getDouble("co2e_wtt_kg")).isCloseTo(20 + 10, within(1e-9));
    assertThat(january.getDouble("co2e_wtw_kg")).isCloseTo(100 + 50, within(1e-9));
    assertThat(january.getLong("ttw_only_events")).isZero();
    assertThat(january.getDouble("intensity_wtw_kg_per_tkm")).isCloseTo(150.0 / 1500, within(1e-6));
    assertThat(january.getDouble("intensity_ttw_kg_per_tkm")).isCloseTo(120.0 / 1500, within(1e-6));

    JsonObject february = row(rows, "Acme Haulage", "2025-02");
    assertThat(february.getLong("events")).isEqualTo(2);
    assertThat(february.getLong("shipments")).isEqualTo(2);
    assertThat(february.getDouble("tonne_km")).isCloseTo(2000 + 400, within(1e-9));
    assertThat(february.getDouble("co2e_ttw_kg")).isCloseTo(30 + 50, within(1e-9));
    assertThat(february.getDouble("co2e_wtt_kg")).as("the TTW-only event adds no WTT").isCloseTo(6, within(1e-9));
    assertThat(february.getDouble("co2e_wtw_kg")).isCloseTo(36, within(1e-9));
    assertThat(february.getLong("ttw_only_events")).isEqualTo(1);
    assertThat(february.getDouble("intensity_wtw_kg_per_tkm")).as("WTW over the tonne-km that have WTW")
      .isCloseTo(36.0 / 2000, within(1e-6));
    assertThat(february.getDouble("intensity_ttw_kg_per_tkm")).isCloseTo(80.0 / 2400, within(1e-6));
  }

  @Test
  void aGroupWhoseEventsAreAllTankToWheelOnlyHasNoWellToTankRatherThanZero() {
    Http.Response r = Http.get(ENGINE.port(), "/reports/emissions?" + RANGE + "&group=vehicle_type");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().getString("group")).isEqualTo("vehicle_type");
    JsonObject hgvFebruary = row(r.json().getJsonArray("rows"), "hgv", "2025-02");
    assertThat(hgvFebruary.getDouble("co2e_ttw_kg")).isCloseTo(50, within(1e-9));
    assertThat(hgvFebruary.containsKey("co2e_wtt_kg")).isTrue();
    assertThat(hgvFebruary.getValue("co2e_wtt_kg")).isNull();
    assertThat(hgvFebruary.getValue("co2e_wtw_kg")).isNull();
    assertThat(hgvFebruary.getValue("intensity_wtw_kg_per_tkm")).isNull();
    assertThat(hgvFebruary.getLong("ttw_only_events")).isEqualTo(1);
  }

  @Test
  void weeksStartOnMondayAndDaysAreUtcDays() {
    JsonArray weeks = Http.get(ENGINE.port(), "/reports/emissions?" + RANGE + "&group=route&period=week").json()
      .getJsonArray("rows");
    // 2025-01-31 (a Friday) and 2025-02-01 (a Saturday) are in the week of Monday 2025-01-27.
    assertThat(row(weeks, "R1", "2025-01-27").getLong("events")).isEqualTo(1);
    assertThat(row(weeks, "R2", "2025-01-27").getLong("events")).isEqualTo(1);
    JsonArray days = Http.get(ENGINE.port(), "/reports/emissions?" + RANGE + "&group=route&period=day").json()
      .getJsonArray("rows");
    assertThat(row(days, "R1", "2025-01-31").getDouble("co2e_ttw_kg")).isCloseTo(40, within(1e-9));
    assertThat(row(days, "R2", "2025-02-01").getDouble("co2e_ttw_kg")).isCloseTo(30, within(1e-9));
  }

  @Test
  void csvHasAHeaderRowQuotesByRfc4180AndDisarmsFormulas() {
    Http.Response r = Http.send(ENGINE.port(), "GET", "/reports/emissions?" + RANGE, null, "Accept", "text/csv");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.header("content-type")).isEqualTo("text/csv; charset=utf-8");
    List<String> lines = List.of(r.body().split("\r\n", -1));
    assertThat(lines.get(0)).isEqualTo("supplier,period,period_start,events,shipments,tonne_km,co2e_ttw_kg,"
      + "co2e_wtt_kg,co2e_wtw_kg,ttw_only_events,intensity_wtw_kg_per_tkm,intensity_ttw_kg_per_tkm");
    assertThat(lines).hasSize(1 + 4 + 1).last().isEqualTo("");
    assertThat(lines).contains("'" + FORMULA + ",2025-01,2025-01-01T00:00:00Z,1,1,100,10,2,12,0,0.12,0.1");
    assertThat(lines).contains("\"Borealis, \"\"North\"\"\",2025-01,2025-01-01T00:00:00Z,1,1,200,20,5,25,0,0.125,0.1");
    assertThat(lines).contains("Acme Haulage,2025-02,2025-02-01T00:00:00Z,2,2,2400,80,6,36,1,0.018,0.033333");
    assertThat(r.body()).doesNotContain("\n=").doesNotContain(",=");
  }

  @Test
  void formatCsvGivesTheSameCsvWithoutAnAcceptHeader() {
    Http.Response byParameter = Http.get(ENGINE.port(), "/reports/emissions?" + RANGE + "&format=csv");
    Http.Response byAccept = Http.send(ENGINE.port(), "GET", "/reports/emissions?" + RANGE, null, "Accept", "text/csv");
    assertThat(byParameter.header("content-type")).isEqualTo("text/csv; charset=utf-8");
    assertThat(byParameter.body()).isEqualTo(byAccept.body());
  }

  @Test
  void aBadGroupIsA400NamingTheParameter() {
    Http.Response r = Http.get(ENGINE.port(), "/reports/emissions?" + RANGE + "&group=customer");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.header("content-type")).startsWith("application/json");
    assertThat(r.json().getString("error")).contains("group");
  }

  @Test
  void aRangeWithOneEndOrTheEndsSwappedOrTooLongIsA400NamingTheParameter() {
    Http.Response onlyFrom = Http.get(ENGINE.port(), "/reports/emissions?from=2025-01-01");
    assertThat(onlyFrom.status()).isEqualTo(400);
    assertThat(onlyFrom.json().getString("error")).startsWith("to:");
    Http.Response swapped = Http.get(ENGINE.port(), "/reports/emissions?from=2025-03-01&to=2025-01-01");
    assertThat(swapped.status()).isEqualTo(400);
    assertThat(swapped.json().getString("error")).startsWith("to:");
    Http.Response tooLong = Http.get(ENGINE.port(), "/reports/emissions?from=2020-01-01&to=2025-01-01");
    assertThat(tooLong.status()).isEqualTo(400);
    assertThat(tooLong.json().getString("error")).contains("1096 days");
    Http.Response daysTooLong = Http.get(ENGINE.port(), "/reports/emissions?from=2024-01-01&to=2025-03-01&period=day");
    assertThat(daysTooLong.status()).isEqualTo(400);
    assertThat(daysTooLong.json().getString("error")).startsWith("period:");
    Http.Response notADay = Http.get(ENGINE.port(), "/reports/emissions?from=2025-13-01&to=2026-01-01");
    assertThat(notADay.status()).isEqualTo(400);
    assertThat(notADay.json().getString("error")).startsWith("from:");
  }
}
