package io.carbonnexus.engine.prediction;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/**
 * Stored predictions as iLEAP 1.1.0 objects (the logistics extension of PACT, built on ISO 14083
 * and the GLEC Framework): a shipment's legs become the transport chain elements (TCEs) of one
 * {@code ShipmentFootprint}, and each vehicle type of the factor table is a transport operation
 * category (TOC) that the TCEs point at. Units are iLEAP's: mass in kg, distance in km, transport
 * activity in tonne-km, emissions in kg CO2e; every number is a decimal string, as iLEAP requires.
 */
final class IleapExport {

  static final String SPEC_VERSION = "1.1.0";
  private static final String ACTIVE = "Active";

  /** One event with its prediction, as the export needs it. */
  record Leg(long eventId, String shipmentId, OffsetDateTime occurredAt, String vehicleType, double distanceKm,
             double loadTonnes, double tonneKm, double ttwKg, double wtwKg) {
  }

  /**
   * iLEAP's mode enum has Road, Rail, Air, Sea and InlandWaterway; the factor table's modes are
   * the first four in lower case. A mode it does not know is refused at start, not exported wrong.
   */
  private static final Map<String, String> MODES = Map.of("road", "Road", "rail", "Rail", "sea", "Sea", "air", "Air");

  /**
   * The factor table's energy carriers in iLEAP's vocabulary. Kerosene is iLEAP's "Aviation fuel"
   * and heavy fuel oil its "HFO". DEFRA's rail freight factor averages diesel and electric
   * traction without publishing the split: iLEAP wants one share per carrier, so rail is given as
   * Diesel, the traction of most UK rail freight (the TOC's description says so); its
   * intensities are DEFRA's average either way.
   */
  private static final Map<String, String> CARRIERS = Map.of("diesel", "Diesel", "electricity", "Electric",
    "hfo", "HFO", "kerosene", "Aviation fuel", "diesel_electric_mix", "Diesel");

  private IleapExport() {
  }

  /**
   * The footprints of {@code legs}, which come ordered by shipment, then time: one footprint per
   * shipment, its TCEs in time order, each after the first naming the one before in
   * {@code prevTceIds}. A shipment's mass is its heaviest leg's (the same freight, weighed per leg).
   */
  static JsonArray footprints(List<Leg> legs, EmissionFactorTable table) {
    JsonArray footprints = new JsonArray();
    JsonObject current = null;
    String previousTce = null;
    double mass = 0;
    for (Leg leg : legs) {
      if (current == null || !current.getString("shipmentId").equals(leg.shipmentId())) {
        if (current != null) {
          footprints.add(current.put("mass", decimal(mass)));
        }
        current = new JsonObject().put("specVersion", SPEC_VERSION).put("status", ACTIVE)
          .put("shipmentId", leg.shipmentId()).put("tces", new JsonArray());
        previousTce = null;
        mass = 0;
      }
      String tceId = Long.toString(leg.eventId());
      double kg = leg.loadTonnes() * 1000;
      mass = Math.max(mass, kg);
      JsonObject tce = new JsonObject()
        .put("tceId", tceId)
        .put("shipmentId", leg.shipmentId())
        .put("mass", decimal(kg))
        .put("distance", new JsonObject().put("actual", decimal(leg.distanceKm())))
        .put("transportActivity", decimal(leg.tonneKm()))
        .put("co2eWTW", decimal(leg.wtwKg()))
        .put("co2eTTW", decimal(leg.ttwKg()))
        .put("departureAt", DateTimeFormatter.ISO_INSTANT.format(leg.occurredAt().withOffsetSameInstant(ZoneOffset.UTC)));
      table.find(leg.vehicleType()).ifPresent(f -> tce.put("tocId", f.vehicleType()));
      if (previousTce != null) {
        tce.put("prevTceIds", new JsonArray().add(previousTce));
      }
      current.getJsonArray("tces").add(tce);
      previousTce = tceId;
    }
    if (current != null) {
      footprints.add(current.put("mass", decimal(mass)));
    }
    return footprints;
  }

  /**
   * The TOC of one vehicle type: its mode, its energy carrier, and its well-to-wheel and
   * tank-to-wheel intensities per tonne-km at average load (tank-to-wheel zero for a
   * battery-electric vehicle, ISO 14083). The carrier's own factors per litre or kWh are left
   * out: the tables are per tonne-km and per vehicle-km, not per unit of energy.
   */
  static JsonObject toc(EmissionFactor factor, String factorSet) {
    String mode = MODES.get(factor.mode());
    String carrier = CARRIERS.get(factor.energy());
    if (mode == null || carrier == null) {
      throw new IllegalArgumentException("vehicle type " + factor.vehicleType() + ": mode '" + factor.mode()
        + "' or energy '" + factor.energy() + "' has no iLEAP equivalent");
    }
    String description = factor.vehicleType() + ", " + factorSet + " average laden intensities"
      + (factor.energy().equals("diesel_electric_mix")
        ? " (rail freight average of diesel and electric traction; the split is not published, the carrier is given as Diesel)"
        : "");
    return new JsonObject()
      .put("specVersion", SPEC_VERSION)
      .put("status", ACTIVE)
      .put("tocId", factor.vehicleType())
      .put("description", description)
      .put("mode", mode)
      .put("energyCarriers", new JsonArray().add(new JsonObject().put("energyCarrier", carrier).put("relativeShare", "1")))
      .put("co2eIntensityWTW", decimal(factor.wtwKgPerTonneKm()))
      .put("co2eIntensityTTW", decimal(factor.ttwKgPerTonneKm()))
      .put("transportActivityUnit", "tkm");
  }

  /** Decimal places kept: a gram of CO2e, a metre, a kilogram-km; beyond that a double's noise (3463.3920000000003). */
  static final int SCALE = 6;

  /** A number as iLEAP's Decimal: plain digits, no exponent, no trailing zeros ({@code ^-?\d+(\.\d+)?$}). */
  static String decimal(double value) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException("not a finite number: " + value);
    }
    String text = BigDecimal.valueOf(value).setScale(SCALE, java.math.RoundingMode.HALF_EVEN).stripTrailingZeros()
      .toPlainString();
    return text.equals("-0") ? "0" : text;
  }
}
