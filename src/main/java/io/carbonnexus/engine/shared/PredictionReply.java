package io.carbonnexus.engine.shared;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Reply of {@link Addresses#PREDICT}: one prediction or one error per requested event, and how
 * many predictions were newly stored (events predicted before keep their first prediction).
 */
public record PredictionReply(List<Prediction> predictions, List<PredictionError> errors, int stored) {

  public JsonObject toJson() {
    JsonArray p = new JsonArray(new ArrayList<>(predictions.size()));
    predictions.forEach(x -> p.add(x.toJson()));
    JsonArray e = new JsonArray(new ArrayList<>(errors.size()));
    errors.forEach(x -> e.add(x.toJson()));
    return new JsonObject().put("predictions", p).put("errors", e).put("stored", stored);
  }

  public static PredictionReply fromJson(JsonObject json) {
    List<Prediction> predictions = new ArrayList<>();
    json.getJsonArray("predictions").forEach(o -> predictions.add(Prediction.fromJson((JsonObject) o)));
    List<PredictionError> errors = new ArrayList<>();
    json.getJsonArray("errors").forEach(o -> errors.add(PredictionError.fromJson((JsonObject) o)));
    return new PredictionReply(predictions, errors, json.getInteger("stored", 0));
  }
}
