package io.carbonnexus.engine.shared;

import io.vertx.core.json.JsonObject;

/**
 * The CO2e of one event and who computed it: {@code model} is {@code builtin} for the built-in
 * emission-factor model or {@code ml-engine}; {@code method} says how ({@code tonne_km},
 * {@code load_factor}, or {@code ml} for ml-engine).
 *
 * <p>Three figures (ISO 14083): tank-to-wheel, well-to-tank and well-to-wheel (their sum), from
 * the factor set {@code factorSet}; {@code co2Kg} is the one on {@code basis}. {@code wttKg} and
 * {@code wtwKg} are null when no well-to-tank factor is known for the vehicle (an ml-engine
 * prediction for a type the tables do not have): such a prediction is tank-to-wheel only.
 */
public record Prediction(long eventId, double co2Kg, String model, String modelVersion, String method,
                         double ttwKg, Double wttKg, Double wtwKg, String factorSet, EmissionsBasis basis) {

  /** A prediction with all three figures; {@code co2Kg} is the one on {@code basis}. */
  public static Prediction of(long eventId, String model, String modelVersion, String method, double ttwKg,
                              double wttKg, String factorSet, EmissionsBasis basis) {
    double wtw = ttwKg + wttKg;
    return new Prediction(eventId, basis.pick(ttwKg, wtw), model, modelVersion, method, ttwKg, wttKg, wtw, factorSet,
      basis);
  }

  /** Tank-to-wheel only: its {@code co2_kg} is that figure whatever the basis. */
  public static Prediction ttwOnly(long eventId, String model, String modelVersion, String method, double ttwKg,
                                   EmissionsBasis basis) {
    return new Prediction(eventId, ttwKg, model, modelVersion, method, ttwKg, null, null, null, basis);
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("id", eventId)
      .put("co2_kg", co2Kg)
      .put("model", model)
      .put("model_version", modelVersion)
      .put("method", method)
      .put("co2e_ttw_kg", ttwKg)
      .put("co2e_wtt_kg", wttKg)
      .put("co2e_wtw_kg", wtwKg)
      .put("factor_set", factorSet)
      .put("basis", basis.wire());
  }

  public static Prediction fromJson(JsonObject json) {
    return new Prediction(json.getLong("id"), json.getDouble("co2_kg"), json.getString("model"),
      json.getString("model_version"), json.getString("method"), json.getDouble("co2e_ttw_kg"),
      json.getDouble("co2e_wtt_kg"), json.getDouble("co2e_wtw_kg"), json.getString("factor_set"),
      EmissionsBasis.parse(json.getString("basis")));
  }
}
