package io.carbonnexus.engine.prediction;

import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.shared.Addresses;
import io.carbonnexus.engine.shared.FailureCode;
import io.carbonnexus.engine.shared.PredictionReply;
import io.carbonnexus.engine.shared.PredictionRequest;
import io.carbonnexus.engine.shared.ShipmentEvent;
import io.carbonnexus.engine.support.TestDatabase;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The prediction address as other concerns see it: what they send, what comes back, how it fails. */
@ExtendWith(VertxExtension.class)
class PredictionBusContractIT {

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext ctx) {
    JsonObject config = ConfigKeys.DB_URL.put(new JsonObject(), TestDatabase.get().createDatabase());
    vertx.deployVerticle(new PredictionVerticle(), new DeploymentOptions().setConfig(config))
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aWhatIfEventIsPredictedByTheBuiltinModel(Vertx vertx, VertxTestContext ctx) {
    ShipmentEvent event = new ShipmentEvent(7, null, null, null, "HGV", 100.0, 10.0, 20.0);
    vertx.eventBus().<JsonObject>request(Addresses.PREDICT, new PredictionRequest(List.of(event), false).toJson())
      .onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
        PredictionReply r = PredictionReply.fromJson(reply.body());
        assertThat(r.predictions()).hasSize(1);
        assertThat(r.predictions().get(0).co2Kg()).isCloseTo(103.3235, within(1e-9)); // DEFRA load-factor method, TTW 83.589 + WTT 19.7345
        assertThat(r.predictions().get(0).method()).isEqualTo("load_factor");
        assertThat(r.errors()).isEmpty();
        ctx.completeNow();
      })));
  }

  @Test
  void anEventsFieldThatIsNotAListFailsWithTheInvalidRequestCode(Vertx vertx, VertxTestContext ctx) {
    vertx.eventBus().request(Addresses.PREDICT, new JsonObject().put("events", new JsonArray().add("not an event")))
      .onComplete(ctx.failing(err -> ctx.verify(() -> {
        assertThat(err).isInstanceOf(ReplyException.class);
        assertThat(((ReplyException) err).failureCode()).isEqualTo(FailureCode.INVALID_REQUEST.code());
        assertThat(err.getMessage()).isEqualTo("events[0] is not an object");
        ctx.completeNow();
      })));
  }
}
