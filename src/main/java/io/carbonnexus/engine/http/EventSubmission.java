package io.carbonnexus.engine.http;

import io.carbonnexus.engine.shared.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;

import java.util.List;

/**
 * POST /events: a JSON array of events in the events_normalized shape, checked against the
 * contract's {@code EventBatch} schema off the event loop (thousands of events take a while), then
 * handed to ingestion, which inserts all or none.
 */
final class EventSubmission {

  private static final String IDEMPOTENCY_KEY = "Idempotency-Key";
  /** Same bound as the schema's maxItems, checked before the schema so a huge array costs nothing. */
  private static final int MAX_EVENTS_PER_POST = 10_000;
  private static final long BUS_TIMEOUT_MS = 120_000;

  private final Vertx vertx;
  private final Validator validator;

  EventSubmission(Vertx vertx, JsonObject contract) {
    this.vertx = vertx;
    JsonObject schema = contract.getJsonObject("components").getJsonObject("schemas").getJsonObject("EventBatch");
    this.validator = Validator.create(JsonSchema.of(schema.copy()), new JsonSchemaOptions()
      .setDraft(Draft.DRAFT202012).setBaseUri("https://carbon-nexus.invalid/").setOutputFormat(OutputFormat.Basic));
  }

  void handle(RoutingContext ctx) {
    Object body;
    try {
      body = ctx.body().buffer() == null ? null : Json.decodeValue(ctx.body().buffer());
    } catch (DecodeException e) {
      HttpErrors.send(ctx, 400, "the request body is not valid JSON", e.getMessage());
      return;
    }
    if (!(body instanceof JsonArray events)) {
      HttpErrors.send(ctx, 400, "the request body must be a JSON array of events", null);
      return;
    }
    if (events.size() > MAX_EVENTS_PER_POST) {
      HttpErrors.send(ctx, 400, "at most " + MAX_EVENTS_PER_POST + " events per request, got " + events.size(), null);
      return;
    }
    String key = ctx.request().getHeader(IDEMPOTENCY_KEY);
    if (key != null && (key.isBlank() || key.length() > 200)) {
      HttpErrors.send(ctx, 400, IDEMPOTENCY_KEY + " must be 1 to 200 characters", null);
      return;
    }
    vertx.executeBlocking(() -> validator.validate(events), false).onComplete(validated -> {
      if (validated.failed()) {
        HttpErrors.send(ctx, 400, "the events could not be checked against the event schema", validated.cause().getMessage());
        return;
      }
      OutputUnit result = validated.result();
      if (!Boolean.TRUE.equals(result.getValid())) {
        JsonArray details = new JsonArray();
        List<OutputUnit> errors = result.getErrors() == null ? List.of() : result.getErrors();
        errors.stream().limit(50).forEach(e -> details.add(new JsonObject()
          .put("at", e.getInstanceLocation()).put("problem", e.getError())));
        HttpErrors.send(ctx, 400, "the events do not match the event schema", details);
        return;
      }
      vertx.eventBus().<JsonObject>request(Addresses.SUBMIT_EVENTS,
          new JsonObject().put("events", events).put("idempotency_key", key),
          new DeliveryOptions().setSendTimeout(BUS_TIMEOUT_MS))
        .onSuccess(reply -> {
          boolean replayed = reply.body().getBoolean("replayed", false);
          ctx.response().setStatusCode(replayed ? 200 : 201).putHeader("content-type", "application/json")
            .end(reply.body().encode());
        })
        .onFailure(err -> HttpErrors.fromBus(ctx, err));
    });
  }
}
