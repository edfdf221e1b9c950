package io.carbonnexus.engine.http;

import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.db.Pools;
import io.carbonnexus.engine.shared.Addresses;
import io.carbonnexus.engine.shared.RuntimeKeys;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * The engine's HTTP face: health and metrics now, the REST API and the SockJS bridge as the
 * other concerns arrive. Its start completes only once the server listens.
 */
public final class HttpVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(HttpVerticle.class);

  /** A health check that takes longer than this reports the database as down. */
  private static final long DB_CHECK_TIMEOUT_MS = 3_000;

  private static final String DB_STATUS_SQL = """
    select current_setting('server_version') as version,
           (select count(*) from pg_stat_activity where datname = current_database()) as connections,
           (select version from nexus_schema_history where success and version is not null
             order by installed_rank desc limit 1) as schema_version
    """;

  private static final String IDEMPOTENCY_KEY = "Idempotency-Key";
  /** Same bound as the schema's maxItems, checked before the schema so a huge array costs nothing. */
  private static final int MAX_EVENTS_PER_POST = 10_000;
  /** Writes and batch replays may take a while on a large database. */
  private static final long BUS_TIMEOUT_MS = 120_000;

  private Pool pool;
  private HttpServer server;
  private Validator eventBatch;
  private String apiToken;

  @Override
  public Future<?> start() {
    JsonObject conf = config();
    pool = Pools.shared(vertx, conf);
    String metricsRegistry = conf.getString(RuntimeKeys.METRICS_REGISTRY);

    HealthChecks checks = HealthChecks.create(vertx)
      .register("database", DB_CHECK_TIMEOUT_MS, this::checkDatabase);

    apiToken = ConfigKeys.API_TOKEN.get(conf);
    long maxBody = ConfigKeys.HTTP_MAX_BODY_KB.get(conf) * 1024L;

    Router router = Router.router(vertx);
    router.get("/health").handler(HealthCheckHandler.createWithHealthChecks(checks));
    // The token is checked before the body is read: an unauthorised client cannot make us buffer it.
    router.post("/events").handler(this::authorize);
    router.post("/events").handler(BodyHandler.create(false).setBodyLimit(maxBody)).handler(this::postEvents);
    router.post("/alerts/:id/acknowledge").handler(this::authorize);
    router.post("/alerts/:id/acknowledge").handler(BodyHandler.create(false).setBodyLimit(maxBody)).handler(this::acknowledge);
    router.post("/silences").handler(this::authorize);
    router.post("/silences").handler(BodyHandler.create(false).setBodyLimit(maxBody)).handler(this::silence);
    router.post("/detection/batch").handler(this::authorize);
    router.post("/detection/batch").handler(BodyHandler.create(false).setBodyLimit(maxBody)).handler(this::batchDetection);
    router.get("/metrics").handler(metricsRegistry == null
      ? PrometheusScrapingHandler.create()
      : PrometheusScrapingHandler.create(metricsRegistry));
    router.route().last().handler(HttpVerticle::notFound);
    router.route().failureHandler(ctx -> failure(ctx, maxBody));

    String host = ConfigKeys.HTTP_HOST.get(conf);
    int port = ConfigKeys.HTTP_PORT.get(conf);
    return vertx.fileSystem().readFile("schemas/event-batch.json")
      .map(schema -> eventBatch = Validator.create(JsonSchema.of(new JsonObject(schema)), new JsonSchemaOptions()
        .setDraft(Draft.DRAFT202012).setBaseUri("https://carbon-nexus.invalid/").setOutputFormat(OutputFormat.Basic)))
      .compose(v -> vertx.createHttpServer().requestHandler(router).listen(port, host)
        // No cause chained: the message already says it all, and it is what start-up reports.
        .recover(err -> Future.failedFuture(
          new IllegalStateException("HTTP server cannot listen on " + host + ":" + port + ": " + err.getMessage()))))
      .onSuccess(s -> {
        server = s;
        LOG.info("HTTP server listening on http://{}:{} (health: /health, metrics: /metrics)", host, s.actualPort());
      });
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void checkDatabase(io.vertx.core.Promise<Status> promise) {
    long t0 = System.nanoTime();
    pool.query(DB_STATUS_SQL).execute()
      .onSuccess(rows -> {
        Row row = rows.iterator().next();
        promise.complete(Status.OK(new JsonObject()
          .put("server_version", row.getString("version"))
          .put("schema_version", row.getString("schema_version"))
          .put("connections", row.getLong("connections"))
          .put("latency_ms", (System.nanoTime() - t0) / 1_000_000)));
      })
      .onFailure(err -> promise.complete(Status.KO(new JsonObject()
        .put("error", err.getMessage() == null ? err.getClass().getSimpleName() : err.getMessage()))));
  }

  /** State-changing endpoints need the bearer token when one is configured. */
  private void authorize(RoutingContext ctx) {
    if (apiToken == null) {
      ctx.next();
      return;
    }
    String header = ctx.request().getHeader("Authorization");
    byte[] expected = ("Bearer " + apiToken).getBytes(StandardCharsets.UTF_8);
    if (header != null && MessageDigest.isEqual(expected, header.getBytes(StandardCharsets.UTF_8))) {
      ctx.next();
    } else {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      HttpErrors.send(ctx, 401, "this endpoint needs Authorization: Bearer <NEXUS_API_TOKEN>", null);
    }
  }

  /**
   * POST /events: a JSON array of events in the events_normalized shape, checked against
   * schemas/event-batch.json, then handed to ingestion, which inserts all or none.
   */
  private void postEvents(RoutingContext ctx) {
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
    // Validating thousands of events takes a while: off the event loop, so health and reads stay responsive.
    vertx.executeBlocking(() -> eventBatch.validate(events), false).onComplete(validated -> {
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
          JsonObject answer = reply.body();
          boolean replayed = answer.getBoolean("replayed", false);
          ctx.response().setStatusCode(replayed ? 200 : 201).putHeader("content-type", "application/json")
            .end(answer.encode());
        })
        .onFailure(err -> HttpErrors.fromBus(ctx, err));
    });
  }

  /** POST /alerts/{id}/acknowledge {"by"}: stops the repeats of that hotspot's firing alert. */
  private void acknowledge(RoutingContext ctx) {
    long id;
    try {
      id = Long.parseLong(ctx.pathParam("id"));
    } catch (NumberFormatException e) {
      HttpErrors.send(ctx, 400, "the alert id must be a number", ctx.pathParam("id"));
      return;
    }
    JsonObject body = jsonObjectOrEmpty(ctx);
    if (body == null) {
      return;
    }
    vertx.eventBus().<JsonObject>request(Addresses.ALERT_ACKNOWLEDGE, new JsonObject().put("id", id).put("by", body.getValue("by")))
      .onSuccess(reply -> ctx.response().putHeader("content-type", "application/json").end(reply.body().encode()))
      .onFailure(err -> HttpErrors.fromBus(ctx, err));
  }

  /** POST /silences {"entity_type","entity","duration","reason","by"}: no alerts for the entity meanwhile. */
  private void silence(RoutingContext ctx) {
    JsonObject body = jsonObjectOrEmpty(ctx);
    if (body == null) {
      return;
    }
    vertx.eventBus().<JsonObject>request(Addresses.SILENCE, body)
      .onSuccess(reply -> ctx.response().setStatusCode(201).putHeader("content-type", "application/json")
        .end(reply.body().encode()))
      .onFailure(err -> HttpErrors.fromBus(ctx, err));
  }

  /** The body as a JSON object ({} when empty), or null after answering 400. */
  private static JsonObject jsonObjectOrEmpty(RoutingContext ctx) {
    if (ctx.body().buffer() == null || ctx.body().buffer().length() == 0) {
      return new JsonObject();
    }
    try {
      Object parsed = Json.decodeValue(ctx.body().buffer());
      if (parsed instanceof JsonObject o) {
        return o;
      }
      HttpErrors.send(ctx, 400, "the request body must be a JSON object", null);
    } catch (DecodeException e) {
      HttpErrors.send(ctx, 400, "the request body is not valid JSON", e.getMessage());
    }
    return null;
  }

  /** POST /detection/batch {"from","to","step"}: a replay of a past range; live hotspots untouched. */
  private void batchDetection(RoutingContext ctx) {
    JsonObject body = jsonObjectOrEmpty(ctx);
    if (body == null) {
      return;
    }
    for (String field : new String[] {"from", "to", "step"}) {
      if (body.containsKey(field) && !(body.getValue(field) instanceof String)) {
        HttpErrors.send(ctx, 400, field + " must be a string", null);
        return;
      }
    }
    vertx.eventBus().<JsonObject>request(Addresses.DETECTION_BATCH, body,
        new DeliveryOptions().setSendTimeout(BUS_TIMEOUT_MS))
      .onSuccess(reply -> ctx.response().putHeader("content-type", "application/json").end(reply.body().encode()))
      .onFailure(err -> HttpErrors.fromBus(ctx, err));
  }

  private static void failure(RoutingContext ctx, long maxBody) {
    int status = ctx.statusCode();
    if (status == 413) {
      HttpErrors.send(ctx, 413, "the request body is larger than " + maxBody / 1024 + " KiB", null);
    } else if (status >= 400 && status < 500) {
      HttpErrors.send(ctx, status, "bad request", ctx.failure() == null ? null : ctx.failure().getMessage());
    } else {
      LOG.warn("{} {} failed", ctx.request().method(), ctx.request().path(), ctx.failure());
      HttpErrors.send(ctx, 500, "internal error", null);
    }
  }

  private static void notFound(RoutingContext ctx) {
    HttpErrors.send(ctx, 404, "no such endpoint: " + ctx.request().method() + " " + ctx.request().path(), null);
  }
}
