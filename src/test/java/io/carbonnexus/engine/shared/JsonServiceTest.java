package io.carbonnexus.engine.shared;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The checks ml-engine's and rag-chatbot's answers share, against a real HTTP server told what to answer. */
class JsonServiceTest {

  private static Vertx vertx;
  private static HttpServer server;
  private static JsonService service;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    // The path says what to answer: /ok, /status-503, /array, /empty; the request's body comes back under "echo".
    server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      switch (req.path()) {
        case "/ok" -> req.response().end(new JsonObject().put("echo", body.toJsonObject()).encode());
        case "/status-503" -> req.response().setStatusCode(503).end("{}");
        case "/array" -> req.response().end("[1, 2]");
        default -> req.response().end();
      }
    })).listen(0, "127.0.0.1").await();
    service = at("/ok");
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  private static JsonService at(String path) {
    return new JsonService(WebClient.create(vertx), "the service", "http://127.0.0.1:" + server.actualPort() + "//",
      path, Duration.ofSeconds(5));
  }

  private static JsonObject call(JsonService s) {
    return s.post(new JsonObject().put("q", 1)).map(s::body).await();
  }

  @Test
  void theOperationIsAppendedToTheBaseUrlWhateverSlashesItEndsWith() {
    assertThat(service.url()).isEqualTo("http://127.0.0.1:" + server.actualPort() + "/ok");
  }

  @Test
  void aJsonObjectWithStatus200IsTheAnswer() {
    assertThat(call(service).getJsonObject("echo")).isEqualTo(new JsonObject().put("q", 1));
  }

  @Test
  void anotherStatusIsAnHttpStatusFailureNamingTheService() {
    assertThatThrownBy(() -> call(at("/status-503"))).isInstanceOfSatisfying(JsonService.Failure.class, f -> {
      assertThat(f.reason()).isEqualTo("http_status");
      assertThat(f.getMessage()).isEqualTo("the service answered HTTP 503");
    });
  }

  @Test
  void somethingOtherThanAJsonObjectIsMalformed() {
    assertThatThrownBy(() -> call(at("/array"))).isInstanceOfSatisfying(JsonService.Failure.class, f -> {
      assertThat(f.reason()).isEqualTo("malformed");
      assertThat(f.getMessage()).isEqualTo("the service answered something that is not a JSON object");
    });
  }

  @Test
  void anEmptyBodyIsMalformed() {
    assertThatThrownBy(() -> call(at("/empty"))).isInstanceOfSatisfying(JsonService.Failure.class, f -> {
      assertThat(f.reason()).isEqualTo("malformed");
      assertThat(f.getMessage()).isEqualTo("the service answered an empty body");
    });
  }
}
