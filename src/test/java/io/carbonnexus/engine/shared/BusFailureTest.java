package io.carbonnexus.engine.shared;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The one way a consumer answers: each kind of failure a handler can have leaves with its code,
 * whether it is thrown or failed, and reads back as the {@code {"error","details"}} HTTP sends.
 */
class BusFailureTest {

  private static Vertx vertx;
  private static final AtomicInteger ADDRESSES = new AtomicInteger();

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  /** Asks a consumer that answers with {@code handler}; the failure, or null when it succeeded. */
  private static ReplyException failureOf(String storage, Function<JsonObject, Future<?>> handler) {
    String address = "test.bus-failure." + ADDRESSES.incrementAndGet();
    vertx.eventBus().<JsonObject>consumer(address, m -> BusFailure.answer(m, storage, handler)).completion().await();
    try {
      vertx.eventBus().request(address, new JsonObject()).await();
      return null;
    } catch (ReplyException e) {
      return e;
    }
  }

  @Test
  void aThrownBadRequestIsAnInvalidRequestWithItsMessage() {
    ReplyException e = failureOf("x", body -> {
      throw new IllegalArgumentException("limit must be a whole number");
    });
    assertThat(e.failureCode()).isEqualTo(FailureCode.INVALID_REQUEST.code());
    assertThat(BusFailure.body(e).getString("error")).isEqualTo("limit must be a whole number");
  }

  @Test
  void aFailedBadRequestIsAnInvalidRequestToo() {
    ReplyException e = failureOf("x", body -> Future.failedFuture(new IllegalArgumentException("to: must be after from")));
    assertThat(e.failureCode()).isEqualTo(FailureCode.INVALID_REQUEST.code());
    assertThat(BusFailure.body(e).getString("error")).isEqualTo("to: must be after from");
  }

  @Test
  void aFailureTheHandlerChoseKeepsItsCodeAndDetails() {
    for (FailureCode code : FailureCode.values()) {
      JsonObject details = new JsonObject().put("field", "route");
      ReplyException e = failureOf("x", body -> Future.failedFuture(new BusFailure(code, "unknown route 'R9'", details)
        .asException()));
      assertThat(e.failureCode()).as(code.name()).isEqualTo(code.code());
      assertThat(BusFailure.body(e)).as(code.name())
        .isEqualTo(new JsonObject().put("error", "unknown route 'R9'").put("details", details));
    }
  }

  @Test
  void aThrownFailureTheHandlerChoseKeepsItsCode() {
    ReplyException e = failureOf("x", body -> {
      throw new BusFailure(FailureCode.IDEMPOTENCY_KEY_REUSED, "Idempotency-Key 'k' was used", new JsonArray().add(1))
        .asException();
    });
    assertThat(e.failureCode()).isEqualTo(FailureCode.IDEMPOTENCY_KEY_REUSED.code());
    assertThat(BusFailure.body(e).getJsonArray("details")).containsExactly(1);
  }

  @Test
  void anyOtherFailureIsAStorageFailureSayingWhatWasNotDone() {
    ReplyException e = failureOf("silence not stored", body -> Future.failedFuture(new RuntimeException("connection reset")));
    assertThat(e.failureCode()).isEqualTo(FailureCode.STORAGE_FAILED.code());
    assertThat(BusFailure.body(e).getString("error")).isEqualTo("silence not stored: connection reset");
  }

  @Test
  void anyOtherThrownFailureIsAStorageFailureAndStillAnswered() {
    ReplyException e = failureOf("events could not be stored", body -> {
      throw new IllegalStateException("pool closed");
    });
    assertThat(e.failureCode()).isEqualTo(FailureCode.STORAGE_FAILED.code());
    assertThat(BusFailure.body(e).getString("error")).isEqualTo("events could not be stored: pool closed");
  }

  @Test
  void withoutAStorageTextTheDatabaseIsNamed() {
    String address = "test.bus-failure." + ADDRESSES.incrementAndGet();
    vertx.eventBus().<JsonObject>consumer(address, m -> BusFailure.answer(m,
      body -> Future.failedFuture(new RuntimeException("timeout")))).completion().await();
    assertThatThrownBy(() -> vertx.eventBus().request(address, new JsonObject()).await())
      .isInstanceOfSatisfying(ReplyException.class, e -> assertThat(BusFailure.body(e).getString("error"))
        .isEqualTo("the database did not answer: timeout"));
  }

  @Test
  void aFailureAskedOfAnotherConcernIsNotPassedOnAsThisOnesVerdict() {
    BusFailure.Received theirs = new BusFailure.Received(new BusFailure(FailureCode.INVALID_REQUEST, "events[0] is not an"
      + " object", null), true, null);
    ReplyException e = failureOf("batch detection failed", body -> Future.failedFuture(theirs));
    assertThat(e.failureCode()).isEqualTo(FailureCode.STORAGE_FAILED.code());
    assertThat(BusFailure.body(e).getString("error")).isEqualTo("batch detection failed: events[0] is not an object");
  }

  @Test
  void aSuccessIsRepliedAsItIsAndAMissingBodyReadsAsEmpty() {
    String address = "test.bus-failure." + ADDRESSES.incrementAndGet();
    vertx.eventBus().<JsonObject>consumer(address, m -> BusFailure.answer(m,
      body -> Future.succeededFuture(new JsonObject().put("asked", body)))).completion().await();
    assertThat(vertx.eventBus().<JsonObject>request(address, null).await().body())
      .isEqualTo(new JsonObject().put("asked", new JsonObject()));
  }

  @Test
  void onTheWireAFailureIsJsonAndOnThePredictionAddressItsText() throws Exception {
    ReplyException json = failureOf("x", body -> Future.failedFuture(new IllegalArgumentException("no alert 7")));
    assertThat(new JsonObject(json.getMessage())).isEqualTo(new JsonObject().put("error", "no alert 7").putNull("details"));
    String address = "test.bus-failure." + ADDRESSES.incrementAndGet();
    vertx.eventBus().<JsonObject>consumer(address, m -> BusFailure.answerInText(m, "x",
      body -> Future.failedFuture(new IllegalArgumentException("events[0] is not an object")))).completion().await();
    assertThatThrownBy(() -> vertx.eventBus().request(address, new JsonObject()).await())
      .isInstanceOfSatisfying(ReplyException.class, e -> {
        assertThat(e.failureCode()).isEqualTo(FailureCode.INVALID_REQUEST.code());
        assertThat(e.getMessage()).isEqualTo("events[0] is not an object");
      });
    // Either form reads back as the same body.
    assertThat(BusFailure.body(json)).isEqualTo(new JsonObject().put("error", "no alert 7").putNull("details"));
  }
}
