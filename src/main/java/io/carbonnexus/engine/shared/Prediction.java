package io.carbonnexus.engine.shared;

import io.vertx.core.json.JsonObject;

/**
 * The CO2 of one event and who computed it: {@code model} is {@code builtin} for the built-in
 * emission-factor model or {@code ml-engine}; {@code method} says how ({@code tonne_km},
 * {@code load_factor}, or {@code ml} for ml-engine).
 */
public record Prediction(long eventId, double co2Kg, String model, String modelVersion, String method) {

  public JsonObject toJson() {
    return new JsonObject()
      .put("id", eventId)
      .put("co2_kg", co2Kg)
      .put("model", model)
      .put("model_version", modelVersion)
      .put("method", method);
  }

  public static Prediction fromJson(JsonObject json) {
    return new Prediction(json.getLong("id"), json.getDouble("co2_kg"), json.getString("model"),
      json.getString("model_version"), json.getString("method"));
  }
}
