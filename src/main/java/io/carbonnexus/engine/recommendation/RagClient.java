package io.carbonnexus.engine.recommendation;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
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

  private final WebClient client;
  private final String url;
  private final long timeoutMs;

  RagClient(WebClient client, String baseUrl, Duration timeout) {
    this.client = client;
    this.url = baseUrl.replaceAll("/+$", "") + "/recommend";
    this.timeoutMs = timeout.toMillis();
  }

  String url() {
    return url;
  }

  Future<Answer> recommend(JsonObject request) {
    return client.postAbs(url).timeout(timeoutMs).putHeader("accept", "application/json")
      .sendJsonObject(request)
      .map(RagClient::parse);
  }

  static Answer parse(HttpResponse<Buffer> response) {
    if (response.statusCode() != 200) {
      throw new IllegalStateException("rag-chatbot answered HTTP " + response.statusCode());
    }
    JsonObject body;
    try {
      body = response.body() == null ? null : new JsonObject(response.body());
    } catch (DecodeException | ClassCastException e) {
      throw new IllegalStateException("rag-chatbot answered something that is not a JSON object");
    }
    if (body == null) {
      throw new IllegalStateException("rag-chatbot answered an empty body");
    }
    return parse(body);
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
