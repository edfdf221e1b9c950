package io.carbonnexus.engine.shared;

import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * A shipment event as it travels on the bus and to ml-engine: the {@code events_normalized}
 * columns in snake_case. Numbers are nullable because rows from other producers can be wrong;
 * whoever uses an event validates it and reports what is wrong.
 */
public record ShipmentEvent(
  long id,
  Instant occurredAt,
  String supplier,
  String route,
  String vehicleType,
  Double distanceKm,
  Double loadTonnes,
  Double payloadCapacityTonnes) {

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("id", id)
      .put("vehicle_type", vehicleType)
      .put("distance_km", distanceKm)
      .put("load_tonnes", loadTonnes);
    if (payloadCapacityTonnes != null) {
      json.put("payload_capacity_tonnes", payloadCapacityTonnes);
    }
    if (occurredAt != null) {
      json.put("occurred_at", occurredAt.toString());
    }
    if (supplier != null) {
      json.put("supplier", supplier);
    }
    if (route != null) {
      json.put("route", route);
    }
    return json;
  }

  /** Reads leniently: a field of the wrong type reads as missing, for the validator to report. */
  public static ShipmentEvent fromJson(JsonObject json) {
    Object id = json.getValue("id");
    if (!(id instanceof Number n)) {
      throw new IllegalArgumentException("event without a numeric id: " + json.encode());
    }
    return new ShipmentEvent(
      n.longValue(),
      instant(json.getValue("occurred_at")),
      text(json.getValue("supplier")),
      text(json.getValue("route")),
      text(json.getValue("vehicle_type")),
      number(json.getValue("distance_km")),
      number(json.getValue("load_tonnes")),
      number(json.getValue("payload_capacity_tonnes")));
  }

  private static Double number(Object value) {
    return value instanceof Number n ? n.doubleValue() : null;
  }

  private static String text(Object value) {
    return value instanceof String s ? s : null;
  }

  private static Instant instant(Object value) {
    if (value instanceof Instant i) {
      return i;
    }
    if (value instanceof String s) {
      try {
        // RFC 3339 with any offset ("2026-11-27T10:00:00+01:00"), not only "Z".
        return java.time.OffsetDateTime.parse(s).toInstant();
      } catch (DateTimeParseException e) {
        return null;
      }
    }
    return null;
  }
}
