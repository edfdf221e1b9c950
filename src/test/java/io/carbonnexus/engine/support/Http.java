package io.carbonnexus.engine.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A blocking HTTP client for tests that drive a running engine from outside, as a user would. */
public final class Http {

  /** HTTP/1.1 as browsers and curl speak it to a plain-HTTP server; timeouts bound every request. */
  private static final HttpClient CLIENT = newClient();

  private static HttpClient newClient() {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  }

  public record Response(int status, String body, Map<String, List<String>> headers) {
    public Response(int status, String body) {
      this(status, body, Map.of());
    }

    public JsonObject json() {
      return new JsonObject(body);
    }

    public JsonArray array() {
      return new JsonArray(body);
    }

    /** The first value of a header (names are lower case), or null. */
    public String header(String name) {
      List<String> values = headers.get(name);
      return values == null || values.isEmpty() ? null : values.get(0);
    }
  }

  private Http() {
  }

  /** POST with a raw body and header pairs (name, value, name, value, ...). */
  public static Response post(int port, String path, String body, String... headers) {
    return send(port, "POST", path, body, headers);
  }

  /** Any method, with a raw body (null: none) and header pairs (name, value, ...). */
  public static Response send(int port, String method, String path, String body, String... headers) {
    return send(CLIENT, port, method, path, body, headers);
  }

  private static Response send(HttpClient client, int port, String method, String path, String body,
                               String... headers) {
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
      if (body != null) {
        b.header("content-type", "application/json");
      }
      for (int i = 0; i + 1 < headers.length; i += 2) {
        b.header(headers[i], headers[i + 1]);
      }
      HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.body(), r.headers().map());
    } catch (Exception e) {
      throw new IllegalStateException(method + " " + path + " failed: " + e, e);
    }
  }

  /**
   * POST on a connection of its own. SockJS's xhr transport closes the connection after each
   * answer without saying so ({@code Connection: close}); a browser or curl sends the next request
   * again on a new connection when a reused one turns out closed, the JDK's client does not for a
   * POST, so a test of that transport would fail whenever it reused one.
   */
  public static Response postOnNewConnection(int port, String path, String body) {
    // A client of its own, whose pool holds no other connection (HttpClient is not closeable before Java 21).
    return send(newClient(), port, "POST", path, body);
  }

  /** PUT with a JSON body: the operator calls (targets). */
  public static Response put(int port, String path, String body) {
    return send(port, "PUT", path, body);
  }

  public static Response get(int port, String path) {
    try {
      HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.body(), r.headers().map());
    } catch (Exception e) {
      throw new IllegalStateException("GET " + path + " failed: " + e, e);
    }
  }
}
