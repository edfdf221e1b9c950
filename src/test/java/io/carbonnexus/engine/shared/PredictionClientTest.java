package io.carbonnexus.engine.shared;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The typed client of the prediction address ({@link PredictionRequest#ask}), against a stand-in
 * for the prediction verticle: a typed reply, or a typed failure whatever went wrong on the bus.
 */
class PredictionClientTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final PredictionRequest REQUEST = new PredictionRequest(List.of(new ShipmentEvent(7,
    Instant.parse("2026-01-05T10:00:00Z"), "Acme", "R1", "HGV", 100.0, 10.0, null)), false, true);

  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  private void predictionAnswers(Consumer<Message<JsonObject>> answer) {
    vertx.eventBus().<JsonObject>consumer(Addresses.PREDICT, answer::accept).completion().await();
  }

  private BusFailure.Received failureOf(PredictionRequest request, Duration timeout) {
    try {
      request.ask(vertx, timeout).await();
    } catch (BusFailure.Received e) {
      return e;
    }
    throw new AssertionError("the request did not fail");
  }

  @Test
  void theReplyIsTyped() {
    Prediction p = Prediction.of(7, "builtin", "defra-2025", "load_factor", 80, 20, "defra-2025", EmissionsBasis.WTW);
    predictionAnswers(m -> {
      PredictionRequest asked = PredictionRequest.fromJson(m.body());
      m.reply(new PredictionReply(List.of(p), List.of(), asked.events().size()).toJson());
    });
    PredictionReply reply = REQUEST.ask(vertx, TIMEOUT).await();
    assertThat(reply.predictions()).containsExactly(p);
    assertThat(reply.stored()).isEqualTo(1);
  }

  @Test
  void aFailureTheVerticleAnsweredIsTypedWithItsCodeAndText() {
    predictionAnswers(m -> new BusFailure(FailureCode.INVALID_REQUEST, "events[0] is not an object", null).replyTextTo(m));
    BusFailure.Received e = failureOf(REQUEST, TIMEOUT);
    assertThat(e.answered()).isTrue();
    assertThat(e.failure()).isEqualTo(new BusFailure(FailureCode.INVALID_REQUEST, "events[0] is not an object", null));
    assertThat(e.getMessage()).isEqualTo("events[0] is not an object");
  }

  @Test
  void aFailureWithDetailsKeepsThem() {
    JsonArray details = new JsonArray().add(new JsonObject().put("index", 0).put("reason", "unknown vehicle type"));
    predictionAnswers(m -> new BusFailure(FailureCode.STORAGE_FAILED, "predictions could not be stored", details)
      .replyTo(m));
    BusFailure.Received e = failureOf(REQUEST, TIMEOUT);
    assertThat(e.failure().code()).isEqualTo(FailureCode.STORAGE_FAILED);
    assertThat(e.failure().details()).isEqualTo(details);
  }

  @Test
  void aFailureCodeOutsideTheContractReadsAsUnavailable() {
    predictionAnswers(m -> m.fail(99, "something odd"));
    BusFailure.Received e = failureOf(REQUEST, TIMEOUT);
    assertThat(e.answered()).isTrue();
    assertThat(e.failure().code()).isEqualTo(FailureCode.UNAVAILABLE);
    assertThat(e.failure().error()).isEqualTo("something odd");
  }

  @Test
  void noPredictionVerticleIsUnavailableAndSaysSo() {
    BusFailure.Received e = failureOf(REQUEST, TIMEOUT);
    assertThat(e.answered()).isFalse();
    assertThat(e.failure().code()).isEqualTo(FailureCode.UNAVAILABLE);
    assertThat(e.getMessage()).contains(Addresses.PREDICT);
  }

  @Test
  void noAnswerInTimeIsUnavailable() {
    predictionAnswers(m -> { });
    BusFailure.Received e = failureOf(REQUEST, Duration.ofMillis(200));
    assertThat(e.answered()).isFalse();
    assertThat(e.failure().code()).isEqualTo(FailureCode.UNAVAILABLE);
  }

  @Test
  void aReplyThatIsNotAPredictionReplyFailsTheRequest() {
    predictionAnswers(m -> m.reply(new JsonObject().put("predictions", "none")));
    assertThatThrownBy(() -> REQUEST.ask(vertx, TIMEOUT).await()).isInstanceOf(RuntimeException.class);
  }
}
