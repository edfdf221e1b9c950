package io.carbonnexus.engine.shared;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Body of {@link Addresses#PREDICT}: events to predict, whether to store the predictions
 * (ingestion stores; a what-if simulation does not), whether to use the built-in model only
 * (checking a submitted batch: fast and independent of ml-engine's health), and the plausible
 * event times (null: any), outside which an event is rejected like any other bad row.
 */
public record PredictionRequest(List<ShipmentEvent> events, boolean persist, boolean builtinOnly,
                                EventTimeWindow window) {

  public PredictionRequest(List<ShipmentEvent> events, boolean persist) {
    this(events, persist, false, null);
  }

  public PredictionRequest(List<ShipmentEvent> events, boolean persist, boolean builtinOnly) {
    this(events, persist, builtinOnly, null);
  }

  /**
   * The typed client of {@link Addresses#PREDICT}: the prediction verticle's reply, or a failed
   * future with a {@link BusFailure.Received} (what it answered, or that nothing answered in time).
   */
  public Future<PredictionReply> ask(Vertx vertx, Duration timeout) {
    return BusClient.ask(vertx, Addresses.PREDICT, toJson(), timeout).map(PredictionReply::fromJson);
  }

  public JsonObject toJson() {
    JsonArray array = new JsonArray(new ArrayList<>(events.size()));
    events.forEach(e -> array.add(e.toJson()));
    JsonObject json = new JsonObject().put("events", array).put("persist", persist).put("builtin_only", builtinOnly);
    if (window != null) {
      json.put("time_window", window.toJson());
    }
    return json;
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
    JsonObject window = json.getJsonObject("time_window");
    return new PredictionRequest(events, json.getBoolean("persist", false), json.getBoolean("builtin_only", false),
      window == null ? null : EventTimeWindow.fromJson(window));
  }
}
