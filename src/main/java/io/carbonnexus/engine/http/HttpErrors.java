package io.carbonnexus.engine.http;

import io.carbonnexus.engine.shared.BusFailure;
import io.carbonnexus.engine.shared.FailureCode;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Every error the HTTP layer answers is {@code {"error": "...", "details": ...}} with a status that
 * says whose fault it is: 4xx for the request, 503 when a concern is unavailable, 504 when it did
 * not answer in time.
 */
final class HttpErrors {

  private HttpErrors() {
  }

  static void send(RoutingContext ctx, int status, String error, Object details) {
    send(ctx, status, new JsonObject().put("error", error).put("details", details));
  }

  static void send(RoutingContext ctx, int status, JsonObject body) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
  }

  /** A failed bus request, as HTTP. */
  static void fromBus(RoutingContext ctx, Throwable err) {
    if (!(err instanceof ReplyException re)) {
      send(ctx, 500, "internal error", null);
      return;
    }
    switch (re.failureType()) {
      case TIMEOUT -> send(ctx, 504, "the engine did not answer in time", null);
      case NO_HANDLERS -> send(ctx, 503, "this part of the engine is not running on this node", null);
      default -> send(ctx, status(re.failureCode()), BusFailure.body(re));
    }
  }

  static int status(int failureCode) {
    try {
      return switch (FailureCode.of(failureCode)) {
        case INVALID_REQUEST -> 400;
        case NOT_FOUND -> 404;
        case STORAGE_FAILED, UNAVAILABLE -> 503;
      };
    } catch (IllegalArgumentException e) {
      return 500;
    }
  }
}
