package io.carbonnexus.engine.shared;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Body of {@link Addresses#PREDICT}: events to predict, whether to store the predictions
 * (ingestion stores; a what-if simulation does not), and whether to use the built-in model only
 * (checking a submitted batch: fast and independent of ml-engine's health).
 */
public record PredictionRequest(List<ShipmentEvent> events, boolean persist, boolean builtinOnly) {

  public PredictionRequest(List<ShipmentEvent> events, boolean persist) {
    this(events, persist, false);
  }

  public JsonObject toJson() {
    JsonArray array = new JsonArray(new ArrayList<>(events.size()));
    events.forEach(e -> array.add(e.toJson()));
    return new JsonObject().put("events", array).put("persist", persist).put("builtin_only", builtinOnly);
  }

  public static PredictionRequest fromJson(JsonObject json) {
    JsonArray array = json.getJsonArray("events");
    if (array == null) {
      throw new IllegalArgumentException("a prediction request needs an \"events\" array");
    }
    List<ShipmentEvent> events = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      Object item = array.getValue(i);
      if (!(item instanceof JsonObject event)) {
        throw new IllegalArgumentException("events[" + i + "] is not an object");
      }
      events.add(ShipmentEvent.fromJson(event));
    }
    return new PredictionRequest(events, json.getBoolean("persist", false), json.getBoolean("builtin_only", false));
  }
}
