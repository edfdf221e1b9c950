package io.carbonnexus.engine.http;

import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.shared.Addresses;
import io.carbonnexus.engine.shared.BusFailure;
import io.carbonnexus.engine.shared.FailureCode;
import io.carbonnexus.engine.support.Http;
import io.carbonnexus.engine.support.TempDirs;
import io.carbonnexus.engine.support.VerticleTestBed;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;


import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HTTP verticle alone, with the parts it asks played by test consumers: a concern that is
 * not running is a 503, one that does not answer in time a 504, and a concern's own failure keeps
 * its status and message.
 */
class HttpFailuresIT extends VerticleTestBed {

  private int port;

  @BeforeEach
  void setUp() {
    port = TempDirs.freePort();
    ConfigKeys.HTTP_PORT.put(config, port);
    ConfigKeys.HTTP_REQUEST_TIMEOUT.put(config, "300ms");
    deploy(new HttpVerticle());
  }

  @Test
  void aConcernThatIsNotRunningIs503() {
    Http.Response r = Http.get(port, "/hotspots");
    assertThat(r.status()).isEqualTo(503);
    assertThat(r.json().getString("error")).contains("not running");
    Http.Response simulate = Http.post(port, "/simulate", "{\"load_change\":1}");
    assertThat(simulate.status()).isEqualTo(503);
  }

  @Test
  void aConcernThatDoesNotAnswerInTimeIs504() {
    MessageConsumer<JsonObject> silent = vertx.eventBus().consumer(Addresses.HOTSPOTS_LIST, m -> { });
    silent.completion().await();
    Http.Response r = Http.get(port, "/hotspots");
    assertThat(r.status()).isEqualTo(504);
    assertThat(r.json().getString("error")).contains("in time");
  }

  @Test
  void aConcernsFailureKeepsItsMeaning() {
    vertx.eventBus().<JsonObject>consumer(Addresses.ALERTS_LIST, m ->
      new BusFailure(FailureCode.STORAGE_FAILED, "the database did not answer: boom", null).replyTo(m)).completion().await();
    vertx.eventBus().<JsonObject>consumer(Addresses.RECOMMENDATIONS_LIST, m ->
      new BusFailure(FailureCode.INVALID_REQUEST, "entity is odd", "entity").replyTo(m)).completion().await();
    vertx.eventBus().<JsonObject>consumer(Addresses.EMISSIONS_CURRENT, m -> m.fail(77, "no idea")).completion().await();

    Http.Response storage = Http.get(port, "/alerts");
    assertThat(storage.status()).isEqualTo(503);
    // The status keeps its meaning; the internal text stays in the log (it can name hosts, users, tables).
    assertThat(storage.body()).doesNotContain("boom");
    assertThat(storage.json().getString("error")).contains("storage did not answer");
    Http.Response invalid = Http.get(port, "/recommendations");
    assertThat(invalid.status()).isEqualTo(400);
    assertThat(invalid.json().getString("details")).isEqualTo("entity");
    assertThat(Http.get(port, "/emissions/current").status()).isEqualTo(500);
  }

  @Test
  void healthIsDownWhenAConcernDoesNotAnswer() {
    Http.Response r = Http.get(port, "/health");
    assertThat(r.status()).isEqualTo(503);
    assertThat(r.json().getString("status")).isEqualTo("DOWN");
    vertx.eventBus().<JsonObject>consumer(Addresses.PREDICTION_STATUS,
      m -> m.reply(new JsonObject().put("model", "ml-engine").put("breaker", "open"))).completion().await();
    vertx.eventBus().<JsonObject>consumer(Addresses.RECOMMENDATION_STATUS,
      m -> m.reply(new JsonObject().put("recommender", "rules"))).completion().await();
    Http.Response up = Http.get(port, "/health");
    // An open breaker is not a failure: the built-in fallback answers.
    assertThat(up.status()).as(up.body()).isEqualTo(200);
    assertThat(up.body()).contains("\"breaker\":\"open\"");
  }
}
