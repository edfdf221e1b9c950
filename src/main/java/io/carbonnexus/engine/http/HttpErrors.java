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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every error the HTTP layer answers is {@code {"error": "...", "details": ...}} with a status that
 * says whose fault it is: 4xx for the request, 503 when a concern is unavailable, 504 when it did
 * not answer in time.
 */
final class HttpErrors {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HttpErrors.class);
  /** The property a failed {@code required} names: {@code Instance does not have required property "x"}. */
  private static final Pattern QUOTED = Pattern.compile("\"([^\"]+)\"");

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

  /**
   * A failed bus request, as HTTP. A 4xx carries the owner's explanation (it is about the
   * request); a 5xx never carries internal text (a database message can name hosts, users or
   * tables): it is logged here and the client gets a fixed sentence.
   */
  static void fromBus(RoutingContext ctx, Throwable err) {
    if (!(err instanceof ReplyException re)) {
      LOG.warn("{} {}: {}", ctx.request().method(), ctx.request().path(), err.toString());
      send(ctx, 500, "internal error", null);
      return;
    }
    switch (re.failureType()) {
      case TIMEOUT -> send(ctx, 504, "the engine did not answer in time", null);
      case NO_HANDLERS -> send(ctx, 503, "this part of the engine is not running on this node", null);
      default -> {
        int status = status(re.failureCode());
        if (status >= 500) {
          LOG.warn("{} {} answered {}: {}", ctx.request().method(), ctx.request().path(), status,
            BusFailure.body(re).getString("error"));
          send(ctx, status, status == 503 ? "the engine's storage did not answer; try again shortly" : "internal error",
            null);
        } else {
          send(ctx, status, BusFailure.body(re));
        }
      }
    }
  }

  /** A failure that only means the client closed its connection (not a server error, not worth a warning). */
  static boolean clientWentAway(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof io.vertx.core.http.HttpClosedException || t instanceof java.nio.channels.ClosedChannelException
        || (t.getMessage() != null && (t.getMessage().contains("Connection was closed")
          || t.getMessage().contains("Connection reset")))) {
        return true;
      }
    }
    return false;
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
      List<OutputUnit> collected = new ArrayList<>();
      collect(sve.getOutputUnit(), collected);
      List<OutputUnit> units = atLeastOneOf(collected);
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

  /**
   * The contract says "at least one of these fields" as an anyOf of {@code required}s. Reported
   * as is, the deepest error would be "does not have required property vehicle_type", which reads
   * as if that one field were required; this replaces the anyOf and its branches by one error that
   * names the rule. An anyOf whose branches failed for anything else is left as it is.
   */
  private static List<OutputUnit> atLeastOneOf(List<OutputUnit> units) {
    List<OutputUnit> result = new ArrayList<>(units);
    for (OutputUnit anyOf : units) {
      String at = anyOf.getKeywordLocation();
      if (at == null || !at.endsWith("/anyOf")) {
        continue;
      }
      List<OutputUnit> branches = units.stream()
        .filter(u -> u.getKeywordLocation() != null && u.getKeywordLocation().startsWith(at + "/")).toList();
      List<String> names = new ArrayList<>();
      for (OutputUnit branch : branches) {
        Matcher m = branch.getKeywordLocation().matches(Pattern.quote(at) + "/[0-9]+/required")
          ? QUOTED.matcher(branch.getError()) : null;
        if (m == null || !m.find()) {
          names = null;
          break;
        }
        names.add(m.group(1));
      }
      if (names == null || names.isEmpty()) {
        continue;
      }
      String list = names.size() == 1 ? names.get(0)
        : String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
      result.removeAll(branches);
      result.set(result.indexOf(anyOf), new OutputUnit(anyOf.getInstanceLocation(),
        anyOf.getAbsoluteKeywordLocation(), at, "give at least one of " + list, anyOf.getErrorType()));
    }
    return result;
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
