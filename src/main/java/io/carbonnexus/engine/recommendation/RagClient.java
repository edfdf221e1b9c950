package io.carbonnexus.engine.recommendation;

import io.carbonnexus.engine.shared.JsonService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;

import java.time.Duration;

/**
 * Client of rag-chatbot's contract: {@code POST {url}/recommend} with the seed's request
 * {@code {"entity":"Supplier A","data":{"predicted":120,"baseline":60}}} (plus context fields)
 * answering {@code {"root_cause":"..","actions":[{"title","co2_reduction","cost_impact","feasibility"}]}}.
 * An answer that breaks the contract fails the call, so the breaker counts it.
 */
final class RagClient {

  /** What rag-chatbot said, checked. */
  record Answer(String rootCause, JsonArray actions) {
  }

  private final JsonService service;

  RagClient(WebClient client, String baseUrl, Duration timeout) {
    this.service = new JsonService(client, "rag-chatbot", baseUrl, "/recommend", timeout);
  }

  String url() {
    return service.url();
  }

  Future<Answer> recommend(JsonObject request) {
    return service.post(request).map(response -> parse(service.body(response)));
  }

  static Answer parse(JsonObject body) {
    if (!(body.getValue("root_cause") instanceof String rootCause) || rootCause.isBlank()) {
      throw new IllegalStateException("rag-chatbot's answer has no root_cause");
    }
    if (!(body.getValue("actions") instanceof JsonArray actions)) {
      throw new IllegalStateException("rag-chatbot's answer has no actions array");
    }
    JsonArray checked = new JsonArray();
    for (Object item : actions) {
      if (!(item instanceof JsonObject a) || !(a.getValue("title") instanceof String title) || title.isBlank()
        || !(a.getValue("co2_reduction") instanceof Number) || !(a.getValue("cost_impact") instanceof Number)
        || !(a.getValue("feasibility") instanceof Number)) {
        throw new IllegalStateException("rag-chatbot's answer has an action without title, co2_reduction, cost_impact"
          + " and feasibility");
      }
      checked.add(new JsonObject().put("title", title).put("co2_reduction", a.getValue("co2_reduction"))
        .put("cost_impact", a.getValue("cost_impact")).put("feasibility", a.getValue("feasibility")));
    }
    return new Answer(rootCause.trim(), checked);
  }
}
