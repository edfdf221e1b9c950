package io.carbonnexus.engine.prediction;

import io.carbonnexus.engine.shared.JsonService;
import io.carbonnexus.engine.shared.ShipmentEvent;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Client of ml-engine's batch contract: {@code POST {url}/predict} with {@code {"events":[..]}}
 * answering {@code {"model_version":"..","predictions":[{"id":..,"co2_kg":..}]}} ({@code co2_kg} is taken as
 * tank-to-wheel; an ml-engine that knows better may send {@code co2e_ttw_kg} and {@code co2e_wtw_kg}). One HTTP call
 * per batch. An answer that breaks the contract fails the call like an HTTP error does, so the
 * circuit breaker counts it.
 */
final class MlEngineClient {

  /** What ml-engine said; events it left out are absent from {@code co2ById}. */
  record Answer(String modelVersion, Map<Long, Figures> co2ById) {
  }

  /** Why a call failed, as counted in {@code nexus_ml_engine_failures_total{reason}}. */
  static final class MlEngineException extends JsonService.Failure {
    MlEngineException(String reason, String message) {
      super(reason, message);
    }
  }

  private final JsonService service;

  MlEngineClient(WebClient client, String baseUrl, Duration timeout) {
    this.service = new JsonService(client, "ml-engine", baseUrl, "/predict", timeout);
  }

  String predictUrl() {
    return service.url();
  }

  Future<Answer> predict(List<ShipmentEvent> events) {
    JsonArray array = new JsonArray(new ArrayList<>(events.size()));
    Set<Long> requested = new HashSet<>();
    for (ShipmentEvent e : events) {
      array.add(e.toJson());
      requested.add(e.id());
    }
    return service.post(new JsonObject().put("events", array))
      .recover(err -> Future.failedFuture(new MlEngineException("unreachable", "ml-engine unreachable: " + err.getMessage())))
      .map(response -> parse(service.body(response), requested));
  }

  /**
   * One event's figures as ml-engine gave them: tank-to-wheel ({@code co2e_ttw_kg}, else
   * {@code co2_kg}) and, when it sends it, well-to-wheel; the engine completes the rest from its tables.
   */
  record Figures(double ttwKg, Double wtwKg) {
  }

  /** A non-negative finite number under {@code field}, null when absent; anything else is a malformed answer. */
  private static Double figure(JsonObject p, String field, Number id) {
    Object raw = p.getValue(field);
    if (raw == null) {
      return null;
    }
    if (!(raw instanceof Number n) || !Double.isFinite(n.doubleValue()) || n.doubleValue() < 0) {
      throw new MlEngineException("malformed", "ml-engine predicted " + field + " " + raw + " for event " + id);
    }
    return n.doubleValue();
  }

  static Answer parse(JsonObject body, Set<Long> requested) {
    Object version = body.getValue("model_version");
    if (!(version instanceof String v) || v.isBlank()) {
      throw new MlEngineException("malformed", "ml-engine's answer has no model_version");
    }
    Object predictions = body.getValue("predictions");
    if (!(predictions instanceof JsonArray list)) {
      throw new MlEngineException("malformed", "ml-engine's answer has no predictions array");
    }
    Map<Long, Figures> co2ById = new HashMap<>(list.size() * 2);
    for (Object item : list) {
      if (!(item instanceof JsonObject p) || !(p.getValue("id") instanceof Number id)) {
        throw new MlEngineException("malformed", "ml-engine's answer has a prediction without numeric id");
      }
      Double ttw = figure(p, "co2e_ttw_kg", id);
      Double wtw = figure(p, "co2e_wtw_kg", id);
      Double co2 = figure(p, "co2_kg", id);
      if (ttw == null) {
        ttw = co2;
      }
      if (ttw == null) {
        throw new MlEngineException("malformed", "ml-engine's prediction for event " + id + " has no numeric co2_kg");
      }
      if (wtw != null && wtw < ttw) {
        throw new MlEngineException("malformed", "ml-engine predicted co2e_wtw_kg " + wtw + " below co2e_ttw_kg " + ttw
          + " for event " + id);
      }
      if (!requested.contains(id.longValue())) {
        throw new MlEngineException("malformed", "ml-engine answered for event " + id + ", which was not asked");
      }
      co2ById.put(id.longValue(), new Figures(ttw, wtw));
    }
    return new Answer(((String) version).trim(), co2ById);
  }
}
