package io.carbonnexus.engine.shared;

import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.util.function.Function;

/**
 * A failed bus reply that carries the same {@code {"error": .., "details": ..}} an HTTP client
 * gets: the code says what kind of failure it is, the message says what exactly is wrong.
 *
 * <p>Every consumer that answers requests replies through {@link #answer}, and every typed client
 * reads a failure with {@link #received}: one mapping of failures to codes, whoever answers. On
 * the wire a failure is the JSON object {@code {"error","details"}}, except on the prediction
 * address, which has always failed with its error text ({@link #answerInText}); {@link #body}
 * reads either.
 */
public record BusFailure(FailureCode code, String error, Object details) {

  /** What a storage failure says when the handler names nothing more precise. */
  public static final String DATABASE_DID_NOT_ANSWER = "the database did not answer";

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

  /**
   * A request to another concern that failed: what it answered, or, when nothing answered (no
   * consumer, no reply in time), {@link FailureCode#UNAVAILABLE} with Vert.x's reason. It is that
   * concern's verdict, not this one's: {@link #answer} replies it as a failure of its own
   * ({@link FailureCode#STORAGE_FAILED}), never passes its code on.
   */
  public static final class Received extends RuntimeException {
    private final BusFailure failure;
    private final boolean answered;

    Received(BusFailure failure, boolean answered, Throwable cause) {
      super(failure.error(), cause, false, false);
      this.failure = failure;
      this.answered = answered;
    }

    public BusFailure failure() {
      return failure;
    }

    /** Whether the other concern answered with a failure (false: nothing answered). */
    public boolean answered() {
      return answered;
    }
  }

  public Failed asException() {
    return new Failed(this);
  }

  /** Fails the message with this failure as JSON: {@code {"error","details"}}. */
  public void replyTo(Message<?> message) {
    message.fail(code.code(), new JsonObject().put("error", error).put("details", details).encode());
  }

  /** Fails the message with this failure's error text (its details, if any, are not sent). */
  public void replyTextTo(Message<?> message) {
    message.fail(code.code(), error);
  }

  /** {@link #answer(Message, String, Function)} for a handler whose failures are the database's. */
  public static void answer(Message<JsonObject> message, Function<JsonObject, Future<?>> handler) {
    answer(message, DATABASE_DID_NOT_ANSWER, handler);
  }

  /**
   * Replies what {@code handler} answers for the message's body (an empty object when it has
   * none), or its failure, thrown or failed:
   * <ul>
   *   <li>a {@link Failed} as it is (the handler chose the code: not found, key reused, ...);</li>
   *   <li>a bad request ({@link IllegalArgumentException}) as {@link FailureCode#INVALID_REQUEST}
   *   with its message;</li>
   *   <li>anything else as {@link FailureCode#STORAGE_FAILED}, {@code "<storage>: <message>"}.</li>
   * </ul>
   *
   * @param storage what failed when the handler fails for any other reason ("silence not stored")
   */
  public static void answer(Message<JsonObject> message, String storage, Function<JsonObject, Future<?>> handler) {
    run(message, handler).onSuccess(message::reply).onFailure(err -> of(err, storage).replyTo(message));
  }

  /**
   * {@link #answer(Message, String, Function)} for the prediction address, whose failures have
   * always been their error text: other teams' consumers read {@code getMessage()} as it is
   * (PredictionBusContractIT).
   */
  public static void answerInText(Message<JsonObject> message, String storage,
                                  Function<JsonObject, Future<?>> handler) {
    run(message, handler).onSuccess(message::reply).onFailure(err -> of(err, storage).replyTextTo(message));
  }

  private static Future<?> run(Message<JsonObject> message, Function<JsonObject, Future<?>> handler) {
    try {
      return handler.apply(message.body() == null ? new JsonObject() : message.body());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** How {@link #answer} replies a handler's failure. */
  static BusFailure of(Throwable err, String storage) {
    if (err instanceof Failed f) {
      return f.failure();
    }
    if (err instanceof IllegalArgumentException) {
      return new BusFailure(FailureCode.INVALID_REQUEST, err.getMessage(), null);
    }
    return new BusFailure(FailureCode.STORAGE_FAILED, storage + ": " + err.getMessage(), null);
  }

  /**
   * A failed request as its typed client fails: what the other concern answered (code, error and
   * details), or {@link FailureCode#UNAVAILABLE} when nothing answered or the code is not one of
   * {@link FailureCode}'s.
   */
  public static Received received(Throwable err) {
    if (err instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
      JsonObject body = body(re);
      FailureCode code;
      try {
        code = FailureCode.of(re.failureCode());
      } catch (IllegalArgumentException unknown) {
        code = FailureCode.UNAVAILABLE;
      }
      return new Received(new BusFailure(code, body.getString("error"), body.getValue("details")), true, re);
    }
    return new Received(new BusFailure(FailureCode.UNAVAILABLE, String.valueOf(err.getMessage()), null), false, err);
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
