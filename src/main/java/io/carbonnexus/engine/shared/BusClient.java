package io.carbonnexus.engine.shared;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

import java.time.Duration;

/**
 * Asks another concern over the bus and hands back its reply's body, or a failed future with a
 * {@link BusFailure.Received}: the one request sequence typed clients ({@link PredictionRequest#ask})
 * are built on, so no concern decodes a failure by hand.
 */
public final class BusClient {

  private BusClient() {
  }

  public static Future<JsonObject> ask(Vertx vertx, String address, JsonObject body, Duration timeout) {
    return vertx.eventBus().<JsonObject>request(address, body, new DeliveryOptions().setSendTimeout(timeout.toMillis()))
      .transform(ar -> ar.succeeded()
        ? Future.succeededFuture(ar.result().body())
        : Future.failedFuture(BusFailure.received(ar.cause())));
  }
}
