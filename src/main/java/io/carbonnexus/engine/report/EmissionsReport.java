package io.carbonnexus.engine.report;

import io.carbonnexus.engine.shared.EmissionsBasis;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The Scope 3 report (ISO 14083 / GLEC figures per entity and calendar period) as JSON or as CSV
 * for a spreadsheet. Pure: the rows come from {@link ReportSql#REPORT}.
 */
final class EmissionsReport {

  /** One entity over one period; {@code wttKg} and {@code wtwKg} are null when every event was TTW only. */
  record Line(String entity, Instant periodStart, long events, long shipments, double tonneKm, double tonneKmWtw,
              double ttwKg, Double wttKg, Double wtwKg, long ttwOnlyEvents) {

    /** kg CO2e WTW per tonne-km, over the events that have a WTW figure. */
    Double wtwIntensity() {
      return wtwKg == null || tonneKmWtw <= 0 ? null : intensity(wtwKg / tonneKmWtw);
    }

    Double ttwIntensity() {
      return tonneKm <= 0 ? null : intensity(ttwKg / tonneKm);
    }
  }

  /** Columns of the CSV after the entity's, in order; the JSON rows carry the same names. */
  static final List<String> COLUMNS = List.of("period", "period_start", "events", "shipments", "tonne_km",
    "co2e_ttw_kg", "co2e_wtt_kg", "co2e_wtw_kg", "ttw_only_events", "intensity_wtw_kg_per_tkm",
    "intensity_ttw_kg_per_tkm");

  private final ReportRequest request;
  private final EmissionsBasis basis;
  private final List<Line> lines;

  EmissionsReport(ReportRequest request, EmissionsBasis basis, List<Line> lines) {
    this.request = request;
    this.basis = basis;
    this.lines = List.copyOf(lines);
  }

  JsonObject toJson() {
    JsonArray rows = new JsonArray();
    for (Line l : lines) {
      JsonObject row = new JsonObject().put("entity", l.entity());
      List<Object> values = values(l);
      for (int i = 0; i < COLUMNS.size(); i++) {
        row.put(COLUMNS.get(i), values.get(i));
      }
      rows.add(row);
    }
    return new JsonObject()
      .put("from", request.from().toString())
      .put("to", request.to().toString())
      .put("group", request.group().wire())
      .put("period", request.period().wire())
      .put("entity_type", request.filterType() == null ? null : request.filterType().wire())
      .put("entity", request.filterEntity())
      .put("basis", basis.wire())
      .put("rows", rows);
  }

  /**
   * RFC 4180: a header row, CRLF line ends, fields quoted when they hold a quote, a comma or a line
   * break. The first column is named after the group (supplier, route or vehicle_type).
   */
  String toCsv() {
    StringBuilder csv = new StringBuilder();
    List<Object> header = new ArrayList<>();
    header.add(request.group().wire());
    header.addAll(COLUMNS);
    line(csv, header);
    for (Line l : lines) {
      List<Object> row = new ArrayList<>();
      row.add(l.entity());
      row.addAll(values(l));
      line(csv, row);
    }
    return csv.toString();
  }

  private List<Object> values(Line l) {
    List<Object> v = new ArrayList<>();
    v.add(request.period().label(l.periodStart()));
    v.add(l.periodStart().toString());
    v.add(l.events());
    v.add(l.shipments());
    v.add(kg(l.tonneKm()));
    v.add(kg(l.ttwKg()));
    v.add(l.wttKg() == null ? null : kg(l.wttKg()));
    v.add(l.wtwKg() == null ? null : kg(l.wtwKg()));
    v.add(l.ttwOnlyEvents());
    v.add(l.wtwIntensity());
    v.add(l.ttwIntensity());
    return v;
  }

  private static void line(StringBuilder csv, List<Object> fields) {
    for (int i = 0; i < fields.size(); i++) {
      if (i > 0) {
        csv.append(',');
      }
      Object f = fields.get(i);
      csv.append(f == null ? "" : f instanceof String s ? field(s) : f instanceof Double d
        ? BigDecimal.valueOf(d).stripTrailingZeros().toPlainString() : f.toString());
    }
    csv.append("\r\n");
  }

  /**
   * A text field as a spreadsheet should show it: a value that a spreadsheet would run as a
   * formula (it starts with =, +, -, @, a tab or a carriage return) gets a leading apostrophe
   * (OWASP's advice against CSV injection), then RFC 4180 quoting.
   */
  static String field(String text) {
    String safe = !text.isEmpty() && "=+-@\t\r".indexOf(text.charAt(0)) >= 0 ? "'" + text : text;
    return safe.contains("\"") || safe.contains(",") || safe.contains("\n") || safe.contains("\r")
      ? '"' + safe.replace("\"", "\"\"") + '"' : safe;
  }

  /** Kilograms (and tonne-km) to the gram, as every other answer of the API rounds them. */
  private static double kg(double value) {
    return Math.round(value * 1000) / 1000.0;
  }

  private static double intensity(double value) {
    return Math.round(value * 1e6) / 1e6;
  }
}
