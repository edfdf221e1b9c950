package io.carbonnexus.engine.hotspot;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;

/** A {@link SeasonalModel} as JSON, the way {@code entity_models} keeps it for every node. */
final class ModelJson {

  private ModelJson() {
  }

  static JsonObject toJson(SeasonalModel m) {
    JsonObject json = new JsonObject().put("built_at", m.builtAt().toString()).put("seasonal", m.seasonal())
      .put("phi", m.phi()).put("count_dispersion", m.countDispersion()).put("co2_dispersion", m.co2Dispersion())
      .put("intensity", m.intensity()).put("shipment_variance", m.shipmentVariance())
      .put("intensity_dispersion", m.intensityDispersion()).put("shipment_mean", m.co2PerShipment().mean())
      .put("shipment_co2_variance", m.co2PerShipment().variance())
      .put("shipment_dispersion", m.co2PerShipment().dispersion())
      .put("shipment_tkm", m.tkmPerShipment().mean()).put("shipment_tkm_variance", m.tkmPerShipment().variance())
      .put("shipment_tkm_dispersion", m.tkmPerShipment().dispersion())
      .put("days", m.days()).put("weekday_levels", row(m.weekdayLevels())).put("hour_dispersion", m.hourDispersion())
      .put("samples", new JsonArray().add(m.samples()[0]).add(m.samples()[1]).add(m.samples()[2]))
      .put("shipments", m.flights().shipments()).put("flown", m.flights().flown())
      .put("flight_dispersion", m.flights().dispersion());
    json.put("co2", matrix(m.co2())).put("events", matrix(m.events())).put("tkm", matrix(m.tkm()));
    return json;
  }

  static SeasonalModel fromJson(JsonObject json) {
    JsonArray s = json.getJsonArray("samples");
    return new SeasonalModel(Instant.parse(json.getString("built_at")), json.getBoolean("seasonal"),
      matrix(json.getJsonArray("co2")), matrix(json.getJsonArray("events")), matrix(json.getJsonArray("tkm")),
      new int[] {s.getInteger(0), s.getInteger(1), s.getInteger(2)}, json.getDouble("phi"),
      json.getDouble("count_dispersion"), json.getDouble("co2_dispersion"), json.getDouble("intensity"),
      json.getDouble("shipment_variance"), json.getDouble("intensity_dispersion"),
      new SeasonalModel.PerShipment(json.getDouble("shipment_mean"), json.getDouble("shipment_co2_variance"),
        json.getDouble("shipment_dispersion")),
      // Models stored before tonne-km per shipment was learnt have none: that test waits for the next learning.
      json.containsKey("shipment_tkm") ? new SeasonalModel.PerShipment(json.getDouble("shipment_tkm"),
        json.getDouble("shipment_tkm_variance"), json.getDouble("shipment_tkm_dispersion")) : SeasonalModel.PerShipment.NONE,
      json.getInteger("days"),
      // Models stored before weekday levels were learnt treat every weekday alike until the next learning.
      weekdayLevels(json.getJsonArray("weekday_levels")),
      // Models stored before the hour-level dispersion was learnt have arrival noise only until the next learning.
      hourDispersion(json.getValue("hour_dispersion")),
      // Models stored before flights were counted know no air share until the next learning.
      flights(json.getValue("shipments"), json.getValue("flown"), json.getValue("flight_dispersion")));
  }

  /**
   * Counts that make sense (flown within shipped; a dispersion of 1 or more, 1 where none is
   * stored), or none: for models stored before flights were counted, or mangled by hand.
   */
  private static SeasonalModel.Flights flights(Object shipments, Object flown, Object dispersion) {
    double c = dispersion == null ? 1 : dispersion instanceof Number d ? d.doubleValue() : Double.NaN;
    return shipments instanceof Number n && flown instanceof Number f && f.doubleValue() >= 0
      && f.doubleValue() <= n.doubleValue() && c >= 1
      ? new SeasonalModel.Flights(n.doubleValue(), f.doubleValue(), c) : SeasonalModel.Flights.NONE;
  }

  /** A dispersion from 0 to 1, or 0: for models stored before it was learnt, or mangled by hand. */
  private static double hourDispersion(Object stored) {
    return stored instanceof Number n && n.doubleValue() >= 0 && n.doubleValue() <= 1 ? n.doubleValue() : 0;
  }

  /** Five positive levels, or a flat week: for models stored before levels were learnt, or mangled by hand. */
  private static double[] weekdayLevels(JsonArray stored) {
    if (stored == null || stored.size() != 5) {
      return SeasonalModel.FLAT_WEEK;
    }
    for (int i = 0; i < 5; i++) {
      if (!(stored.getValue(i) instanceof Number)) {
        return SeasonalModel.FLAT_WEEK;
      }
    }
    double[] levels = row(stored);
    return SeasonalModel.usable(levels) ? levels : SeasonalModel.FLAT_WEEK;
  }

  private static JsonArray matrix(double[][] m) {
    JsonArray rows = new JsonArray();
    for (double[] row : m) {
      rows.add(row(row));
    }
    return rows;
  }

  private static JsonArray row(double[] values) {
    JsonArray r = new JsonArray();
    for (double v : values) {
      r.add(Math.round(v * 1e6) / 1e6);
    }
    return r;
  }

  private static double[][] matrix(JsonArray rows) {
    double[][] m = new double[rows.size()][];
    for (int i = 0; i < rows.size(); i++) {
      m[i] = row(rows.getJsonArray(i));
    }
    return m;
  }

  private static double[] row(JsonArray values) {
    double[] r = new double[values.size()];
    for (int j = 0; j < values.size(); j++) {
      r[j] = values.getDouble(j);
    }
    return r;
  }

}
