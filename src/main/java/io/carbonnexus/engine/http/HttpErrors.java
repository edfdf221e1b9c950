package io.carbonnexus.engine.http;

import io.carbonnexus.engine.shared.BusFailure;
import io.carbonnexus.engine.shared.FailureCode;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.validation.SchemaValidationException;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

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

  /**
   * A 4xx failure of the router or of contract validation as {@code {"error", "details"}}: the
   * validator's message names the parameter or body; the details list each schema error with
   * where it is, most specific first.
   */
  static JsonObject describe(Throwable cause) {
    if (cause instanceof HttpException he && he.getCause() != null) {
      cause = he.getCause(); // the router wraps the validator's exception
    }
    if (cause == null) {
      return new JsonObject().put("error", "bad request").put("details", (Object) null);
    }
    JsonArray details = null;
    String error = cause.getMessage() == null ? "bad request" : cause.getMessage();
    if (cause instanceof SchemaValidationException sve && sve.getOutputUnit() != null) {
      List<OutputUnit> units = new ArrayList<>();
      collect(sve.getOutputUnit(), units);
      // The deepest error is the specific one ("-120 is less than -100"); the shallow ones only
      // say that a property as a whole did not match.
      units.sort(Comparator.comparingInt((OutputUnit u) -> depth(u.getKeywordLocation())).reversed());
      details = new JsonArray();
      for (OutputUnit u : units.subList(0, Math.min(units.size(), 10))) {
        details.add(new JsonObject().put("at", u.getInstanceLocation()).put("problem", u.getError()));
      }
      if (!units.isEmpty() && sve.getMessage() != null && sve.getMessage().contains("Reason:")) {
        OutputUnit first = units.get(0);
        error = sve.getMessage().substring(0, sve.getMessage().indexOf("Reason:")) + "Reason: " + first.getError()
          + (first.getInstanceLocation() == null || first.getInstanceLocation().isEmpty()
          ? "" : " at " + first.getInstanceLocation());
      }
    }
    return new JsonObject().put("error", error).put("details", details);
  }

  private static void collect(OutputUnit unit, List<OutputUnit> into) {
    if (unit.getError() != null) {
      into.add(unit);
    }
    if (unit.getErrors() != null) {
      unit.getErrors().forEach(u -> collect(u, into));
    }
  }

  private static int depth(String location) {
    return location == null ? 0 : location.split("/").length;
  }

  static int status(int failureCode) {
    try {
      return switch (FailureCode.of(failureCode)) {
        case INVALID_REQUEST -> 400;
        case NOT_FOUND -> 404;
        case IDEMPOTENCY_KEY_REUSED -> 422;
        case STORAGE_FAILED, UNAVAILABLE -> 503;
      };
    } catch (IllegalArgumentException e) {
      return 500;
    }
  }
}
