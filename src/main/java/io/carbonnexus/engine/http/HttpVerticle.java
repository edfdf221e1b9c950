package io.carbonnexus.engine.http;

import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.db.Pools;
import io.carbonnexus.engine.shared.Addresses;
import io.carbonnexus.engine.shared.Metrics;
import io.carbonnexus.engine.shared.RuntimeKeys;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.BridgeEventType;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.CorsHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.handler.sockjs.BridgeEvent;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.ext.web.openapi.router.OpenAPIRoute;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The engine's HTTP face. It owns no data: every endpoint asks the verticle that owns the answer
 * over the event bus. The REST API is built from {@code openapi.yaml} (vertx-web-openapi-router),
 * which also validates every request; the SockJS bridge at {@code /eventbus} lets browsers
 * receive the four channels and nothing else; the dashboard is served at {@code /}.
 */
public final class HttpVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(HttpVerticle.class);

  static final String CONTRACT = "openapi.yaml";
  /** A health check that takes longer than this reports its part as down. */
  private static final long CHECK_TIMEOUT_MS = 3_000;
  /** Writes and batch replays may take a while on a large database. */
  private static final long WRITE_TIMEOUT_MS = 120_000;

  private static final String DB_STATUS_SQL = """
    select current_setting('server_version') as version,
           (select count(*) from pg_stat_activity where datname = current_database()) as connections,
           (select version from nexus_schema_history where success and version is not null
             order by installed_rank desc limit 1) as schema_version
    """;

  private Pool pool;
  private HttpServer server;
  private String apiToken;
  private OpenAPIContract contract;
  /** The contract as written, served at /openapi.yaml and, encoded once, at /openapi.json. */
  private Buffer contractYaml;
  private JsonObject contractJson;
  private Buffer contractJsonText;
  private EventSubmission events;
  private MeterRegistry registry;
  /** Reads answer from one query; a concern that takes longer is in trouble. */
  private long readTimeoutMs;

  @Override
  public Future<?> start() {
    JsonObject conf = config();
    pool = Pools.shared(vertx, conf);
    registry = Metrics.registry(conf);
    apiToken = ConfigKeys.API_TOKEN.get(conf);
    readTimeoutMs = ConfigKeys.HTTP_REQUEST_TIMEOUT.get(conf).toMillis();
    String host = ConfigKeys.HTTP_HOST.get(conf);
    int port = ConfigKeys.HTTP_PORT.get(conf);
    return vertx.fileSystem().readFile(CONTRACT)
      .compose(file -> {
        contractYaml = file;
        contractJson = new JsonObject(new Yaml(new SafeConstructor(new LoaderOptions())).<Map<String, Object>>load(
          file.toString(StandardCharsets.UTF_8)));
        contractJsonText = Buffer.buffer(contractJson.encodePrettily());
        return OpenAPIContract.from(vertx, contractJson.copy());
      })
      .recover(err -> Future.failedFuture(new IllegalStateException(
        "the API contract " + CONTRACT + " cannot be read: " + err.getMessage())))
      .compose(c -> {
        contract = c;
        events = new EventSubmission(vertx, contractJson);
        // HTTP/1.1 only: an "Upgrade: h2c" (the JDK's HttpClient sends one on its first request)
        // is answered in HTTP/1.1. Cleartext HTTP/2 is not something browsers speak, and a test
        // client hung in its upgrade path; HTTP/2 belongs to the TLS proxy in front, if any.
        return vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false))
          .requestHandler(router(conf)).listen(port, host)
          // No cause chained: the message already says it all, and it is what start-up reports.
          .recover(err -> Future.failedFuture(
            new IllegalStateException("HTTP server cannot listen on " + host + ":" + port + ": " + err.getMessage())));
      })
      .onSuccess(s -> {
        server = s;
        LOG.info("HTTP server listening on http://{}:{} (dashboard: /, API: /openapi.yaml, bridge: /eventbus, "
          + "health: /health, metrics: /metrics)", host, s.actualPort());
      });
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private Router router(JsonObject conf) {
    long maxBody = ConfigKeys.HTTP_MAX_BODY_KB.get(conf) * 1024L;
    Router router = Router.router(vertx);
    router.route().handler(HttpVerticle::decodableQuery);
    CorsHandler cors = cors(ConfigKeys.HTTP_CORS_ORIGINS.get(conf));
    if (cors != null) {
      router.route().handler(cors);
    }
    // The bridge first: SockJS transports read their own bodies.
    router.route("/eventbus/*").subRouter(SockJSHandler.create(vertx, new SockJSHandlerOptions())
      .bridge(bridgeOptions(), this::bridgeEvent));
    // The token is checked before the body is read: an unauthorised client cannot make us buffer it.
    router.route("/*").handler(this::authorize);
    router.route("/*").subRouter(api(maxBody, conf));
    router.route(HttpMethod.GET, "/*").handler(StaticHandler.create("webroot").setCachingEnabled(false)
      .setDirectoryListing(false).setIndexPage("index.html"));
    router.route().last().handler(this::notFound);
    return router;
  }

  /** The REST API: one handler per operation of the contract, each request validated against it first. */
  private Router api(long maxBody, JsonObject conf) {
    RouterBuilder builder = RouterBuilder.create(vertx, contract, new LiteralQueryExtractor());
    builder.rootHandler(BodyHandler.create(false).setBodyLimit(maxBody));
    Map<String, io.vertx.core.Handler<RoutingContext>> handlers = Map.ofEntries(
      Map.entry("getCurrentEmissions", ctx -> ask(ctx, Addresses.EMISSIONS_CURRENT, new JsonObject(), 200)),
      Map.entry("listHotspots", ctx -> ask(ctx, Addresses.HOTSPOTS_LIST, query(ctx), 200)),
      Map.entry("listAlerts", ctx -> ask(ctx, Addresses.ALERTS_LIST, query(ctx), 200)),
      Map.entry("listRecommendations", ctx -> ask(ctx, Addresses.RECOMMENDATIONS_LIST, query(ctx), 200)),
      Map.entry("listBaselines", ctx -> ask(ctx, Addresses.BASELINES_LIST, query(ctx), 200)),
      Map.entry("compareSuppliers", ctx -> ask(ctx, Addresses.SUPPLIERS_COMPARE, query(ctx), 200)),
      Map.entry("simulate", ctx -> ask(ctx, Addresses.SIMULATE, body(ctx), 200)),
      Map.entry("acknowledgeAlert", ctx -> ask(ctx, Addresses.ALERT_ACKNOWLEDGE,
        body(ctx).put("id", validated(ctx).getPathParameters().get("id").getLong()), 200)),
      Map.entry("createSilence", ctx -> ask(ctx, Addresses.SILENCE, body(ctx), 201)),
      Map.entry("setTarget", ctx -> ask(ctx, Addresses.TARGET_SET, body(ctx), 200)),
      Map.entry("deleteTarget", ctx -> ask(ctx, Addresses.TARGET_DELETE, query(ctx), 204)),
      Map.entry("runBatchDetection", ctx -> ask(ctx, Addresses.DETECTION_BATCH, body(ctx), 200)),
      Map.entry("submitEvents", ctx -> events.handle(ctx)),
      Map.entry("getHealth", HealthCheckHandler.createWithHealthChecks(healthChecks())),
      Map.entry("getMetrics", metrics(conf.getString(RuntimeKeys.METRICS_REGISTRY))),
      Map.entry("getOpenApi", this::openApiYaml),
      Map.entry("getOpenApiJson", this::openApiJson));
    Set<String> unused = new java.util.HashSet<>(handlers.keySet());
    for (OpenAPIRoute route : builder.getRoutes()) {
      String id = route.getOperation().getOperationId();
      unused.remove(id);
      io.vertx.core.Handler<RoutingContext> handler = handlers.get(id);
      if (handler == null) {
        throw new IllegalStateException("no handler for operation " + id + " of " + CONTRACT);
      }
      // Security is checked by authorize (a bearer token compared in constant time), not per scheme.
      route.setDoSecurity(false).addHandler(handler);
    }
    if (!unused.isEmpty()) {
      throw new IllegalStateException("handlers for operations that " + CONTRACT + " does not have: " + unused);
    }
    // POST /events validates its (large) body off the event loop, against the same contract schema.
    builder.getRoute("submitEvents").setDoValidation(false);
    Router api = builder.createRouter();
    api.route().failureHandler(ctx -> failure(ctx, maxBody));
    return api;
  }

  private static CorsHandler cors(String origins) {
    if (origins == null || origins.isBlank()) {
      return null;
    }
    return CorsHandler.create()
      .addOrigins(Arrays.stream(origins.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList())
      .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE))
      .allowedHeaders(Set.of("Content-Type", "Authorization", "Idempotency-Key"))
      .maxAgeSeconds(600);
  }

  /** Browsers may register on the four channels only and never send or publish anything. */
  private static SockJSBridgeOptions bridgeOptions() {
    SockJSBridgeOptions options = new SockJSBridgeOptions();
    Addresses.BROWSER_CHANNELS.forEach(a -> options.addOutboundPermitted(new PermittedOptions().setAddress(a)));
    return options;
  }

  private void bridgeEvent(BridgeEvent event) {
    BridgeEventType type = event.type();
    if (type == BridgeEventType.SEND || type == BridgeEventType.PUBLISH) {
      // No inbound permit exists, so the bridge would refuse it anyway; refusing here too makes it
      // independent of the options and countable.
      refused(type);
      event.complete(false);
      return;
    }
    if (type == BridgeEventType.REGISTER) {
      String address = event.getRawMessage() == null ? null : event.getRawMessage().getString("address");
      if (!Addresses.BROWSER_CHANNELS.contains(address)) {
        refused(type);
        event.complete(false);
        return;
      }
    }
    event.complete(true);
  }

  private void refused(BridgeEventType type) {
    Counter.builder("nexus_bridge_refused_total").tag("type", type.name().toLowerCase(java.util.Locale.ROOT))
      .description("Browser messages the SockJS bridge refused").register(registry).increment();
  }

  private HealthChecks healthChecks() {
    HealthChecks checks = HealthChecks.create(vertx).register("database", CHECK_TIMEOUT_MS, this::checkDatabase);
    checks.register("prediction", CHECK_TIMEOUT_MS, p -> concernStatus(Addresses.PREDICTION_STATUS, p));
    checks.register("recommendations", CHECK_TIMEOUT_MS, p -> concernStatus(Addresses.RECOMMENDATION_STATUS, p));
    return checks;
  }

  private void checkDatabase(Promise<Status> promise) {
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

  /**
   * A concern with an external service reports which model or recommender answers and its
   * breaker's state. An open breaker is not a failure (the built-in fallback answers); a concern
   * that does not answer is.
   */
  private void concernStatus(String address, Promise<Status> promise) {
    vertx.eventBus().<JsonObject>request(address, new JsonObject(),
        new DeliveryOptions().setSendTimeout(CHECK_TIMEOUT_MS - 500))
      .onSuccess(reply -> promise.complete(Status.OK(reply.body())))
      .onFailure(err -> promise.complete(Status.KO(new JsonObject().put("error", err.getMessage()))));
  }

  private io.vertx.core.Handler<RoutingContext> metrics(String registryName) {
    return registryName == null ? PrometheusScrapingHandler.create() : PrometheusScrapingHandler.create(registryName);
  }

  /** The media type the contract declares for it: vertx-openapi 5.0 refuses application/yaml there. */
  private void openApiYaml(RoutingContext ctx) {
    ctx.response().putHeader("content-type", "text/plain; charset=utf-8").end(contractYaml);
  }

  private void openApiJson(RoutingContext ctx) {
    ctx.response().putHeader("content-type", "application/json").end(contractJsonText);
  }

  /** State-changing operations (x-nexus-access: write in the contract) need the bearer token when one is configured. */
  private void authorize(RoutingContext ctx) {
    if (apiToken == null || !secured(ctx)) {
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

  private boolean secured(RoutingContext ctx) {
    Operation op = contract.findOperation(ctx.normalizedPath(), ctx.request().method());
    return op != null && "write".equals(op.getOpenAPIModel().getValue("x-nexus-access"));
  }

  private static ValidatedRequest validated(RoutingContext ctx) {
    return ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
  }

  /** The validated query parameters as one JSON object: strings, numbers, and arrays for repeated ones. */
  private static JsonObject query(RoutingContext ctx) {
    JsonObject json = new JsonObject();
    validated(ctx).getQuery().forEach((name, value) -> {
      if (value != null && !value.isNull()) {
        json.put(name, value.get());
      }
    });
    return json;
  }

  /** The validated JSON body, or {} when the operation has an optional body and none came. */
  private static JsonObject body(RoutingContext ctx) {
    RequestParameter body = validated(ctx).getBody();
    return body == null || body.isNull() || body.isEmpty() ? new JsonObject() : body.getJsonObject().copy();
  }

  private void ask(RoutingContext ctx, String address, JsonObject request, int status) {
    long timeout = ctx.request().method() == HttpMethod.GET ? readTimeoutMs : WRITE_TIMEOUT_MS;
    vertx.eventBus().request(address, request, new DeliveryOptions().setSendTimeout(timeout))
      .onSuccess(reply -> {
        if (status == 204) {
          ctx.response().setStatusCode(204).end();
        } else {
          Object body = reply.body();
          Buffer json = body instanceof Buffer b ? b : body instanceof JsonObject o ? o.toBuffer()
            : body instanceof JsonArray a ? a.toBuffer() : Buffer.buffer(String.valueOf(body));
          ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(json);
        }
      })
      .onFailure(err -> HttpErrors.fromBus(ctx, err));
  }

  private static void failure(RoutingContext ctx, long maxBody) {
    int status = ctx.statusCode();
    Throwable cause = ctx.failure();
    if (status == 413) {
      HttpErrors.send(ctx, 413, "the request body is larger than " + maxBody / 1024 + " KiB", null);
    } else if (status >= 400 && status < 500) {
      HttpErrors.send(ctx, status, HttpErrors.describe(cause));
    } else {
      LOG.warn("{} {} failed", ctx.request().method(), ctx.request().path(), cause);
      HttpErrors.send(ctx, 500, "internal error", null);
    }
  }

  /** A query string that is not valid percent-encoding is the client's mistake, not a failure deep in a handler. */
  private static void decodableQuery(RoutingContext ctx) {
    try {
      ctx.queryParams();
    } catch (IllegalArgumentException e) {
      HttpErrors.send(ctx, 400, "the query string is not valid percent-encoding", e.getMessage());
      return;
    }
    ctx.next();
  }

  /** 405 with Allow when the contract has the path with other methods, 404 otherwise. */
  private void notFound(RoutingContext ctx) {
    String path = ctx.normalizedPath();
    List<String> allowed = Arrays.stream(new HttpMethod[] {HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT,
        HttpMethod.DELETE, HttpMethod.PATCH})
      .filter(m -> contract.findOperation(path, m) != null).map(HttpMethod::name).toList();
    if (!allowed.isEmpty()) {
      ctx.response().putHeader("Allow", String.join(", ", allowed));
      HttpErrors.send(ctx, 405, ctx.request().method() + " is not allowed on " + path + ": use " + String.join(" or ", allowed),
        null);
    } else {
      HttpErrors.send(ctx, 404, "no such endpoint: " + ctx.request().method() + " " + path, null);
    }
  }
}
