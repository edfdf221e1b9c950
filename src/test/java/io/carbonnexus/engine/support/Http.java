package io.carbonnexus.engine.support;

import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A blocking HTTP client for tests that drive a running engine from outside, as a user would. */
public final class Http {

  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public record Response(int status, String body) {
    public JsonObject json() {
      return new JsonObject(body);
    }
  }

  private Http() {
  }

  public static Response get(int port, String path) {
    try {
      HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.body());
    } catch (Exception e) {
      throw new IllegalStateException("GET " + path + " failed: " + e, e);
    }
  }
}
