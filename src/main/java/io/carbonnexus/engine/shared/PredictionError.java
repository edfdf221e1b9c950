package io.carbonnexus.engine.shared;

import io.vertx.core.json.JsonObject;

/** An event that could not be predicted, and why (e.g. an unknown vehicle type). */
public record PredictionError(long eventId, String reason) {

  public JsonObject toJson() {
    return new JsonObject().put("id", eventId).put("reason", reason);
  }

  public static PredictionError fromJson(JsonObject json) {
    return new PredictionError(json.getLong("id"), json.getString("reason"));
  }
}
