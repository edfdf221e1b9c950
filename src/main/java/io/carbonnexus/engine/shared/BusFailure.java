package io.carbonnexus.engine.shared;

import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.util.function.Function;

/**
 * A failed bus reply that carries the same {@code {"error": .., "details": ..}} an HTTP client
 * gets: the code says what kind of failure it is, the message says what exactly is wrong.
 */
public record BusFailure(FailureCode code, String error, Object details) {

  /** Carries a failure through a failed Future until it is replied. */
  public static final class Failed extends RuntimeException {
    private final BusFailure failure;

    Failed(BusFailure failure) {
      super(failure.error(), null, false, false);
      this.failure = failure;
    }

    public BusFailure failure() {
      return failure;
    }
  }

  public Failed asException() {
    return new Failed(this);
  }

  public void replyTo(Message<?> message) {
    message.fail(code.code(), new JsonObject().put("error", error).put("details", details).encode());
  }

  /**
   * Replies what {@code query} answers for the message's body: a bad request
   * ({@link IllegalArgumentException}, thrown or failed) is {@link FailureCode#INVALID_REQUEST}, a
   * {@link Failed} is replied as it is, anything else is a storage failure.
   */
  public static void answer(Message<JsonObject> message, Function<JsonObject, Future<?>> query) {
    Future<?> result;
    try {
      result = query.apply(message.body() == null ? new JsonObject() : message.body());
    } catch (IllegalArgumentException e) {
      new BusFailure(FailureCode.INVALID_REQUEST, e.getMessage(), null).replyTo(message);
      return;
    }
    result.onSuccess(message::reply).onFailure(err -> {
      if (err instanceof Failed f) {
        f.failure().replyTo(message);
      } else if (err instanceof IllegalArgumentException) {
        new BusFailure(FailureCode.INVALID_REQUEST, err.getMessage(), null).replyTo(message);
      } else {
        new BusFailure(FailureCode.STORAGE_FAILED, "the database did not answer: " + err.getMessage(), null)
          .replyTo(message);
      }
    });
  }

  /** The error body of a failure: structured when the replier sent one, the plain message otherwise. */
  public static JsonObject body(ReplyException e) {
    String message = e.getMessage() == null ? "" : e.getMessage();
    if (message.startsWith("{")) {
      try {
        return new JsonObject(message);
      } catch (DecodeException ignored) {
        // a message that only looks like JSON
      }
    }
    return new JsonObject().put("error", message).put("details", (Object) null);
  }
}
