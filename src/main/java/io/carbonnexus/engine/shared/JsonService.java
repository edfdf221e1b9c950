package io.carbonnexus.engine.shared;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

import java.time.Duration;

/**
 * An external service with one JSON operation called by POST (ml-engine's {@code /predict},
 * rag-chatbot's {@code /recommend}): where it is, the call with its timeout, and what every answer
 * must be before the service's own contract is read — HTTP 200 with a JSON object. The caller
 * wraps the call in its breaker ({@link Breakers}) and reads the object.
 */
public final class JsonService {

  /** An answer that is not a JSON object with HTTP 200; {@code reason} is the failure counters' tag. */
  public static class Failure extends RuntimeException {
    private final String reason;

    public Failure(String reason, String message) {
      super(message);
      this.reason = reason;
    }

    public String reason() {
      return reason;
    }
  }

  private final WebClient client;
  private final String name;
  private final String url;
  private final long timeoutMs;

  /**
   * @param name how the service is named in failures ("ml-engine answered HTTP 500")
   * @param path the operation, appended to {@code baseUrl} whatever slashes it ends with
   */
  public JsonService(WebClient client, String name, String baseUrl, String path, Duration timeout) {
    this.client = client;
    this.name = name;
    this.url = baseUrl.replaceAll("/+$", "") + path;
    this.timeoutMs = timeout.toMillis();
  }

  public String url() {
    return url;
  }

  /** The call; it fails as the connection does (unreachable, timed out), its answer is not checked yet. */
  public Future<HttpResponse<Buffer>> post(JsonObject body) {
    return client.postAbs(url).timeout(timeoutMs).putHeader("accept", "application/json").sendJsonObject(body);
  }

  /** The answer's JSON object; anything else is a {@link Failure} ({@code http_status} or {@code malformed}). */
  public JsonObject body(HttpResponse<Buffer> response) {
    if (response.statusCode() != 200) {
      throw new Failure("http_status", name + " answered HTTP " + response.statusCode());
    }
    JsonObject body;
    try {
      body = response.body() == null ? null : new JsonObject(response.body());
    } catch (DecodeException | ClassCastException e) {
      throw new Failure("malformed", name + " answered something that is not a JSON object");
    }
    if (body == null) {
      throw new Failure("malformed", name + " answered an empty body");
    }
    return body;
  }
}
