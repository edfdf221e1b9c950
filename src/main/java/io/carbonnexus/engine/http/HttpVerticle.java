package io.carbonnexus.engine.http;

import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.db.Pools;
import io.carbonnexus.engine.shared.Addresses;
import io.carbonnexus.engine.shared.LogText;
import io.carbonnexus.engine.shared.Metrics;
import io.carbonnexus.engine.shared.RuntimeKeys;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.handler.SecurityPolicyHandler;
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
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The engine's HTTP face. It owns no data: every endpoint asks the verticle that owns the answer
 * over the event bus. The REST API is built from {@code openapi.yaml} (vertx-web-openapi-router):
 * each operation's route checks who may call it ({@code x-nexus-access}, before its body is read),
 * reads the body within the operation's limit, validates the request against the contract and
 * hands it to its handler. The SockJS bridge at {@code /eventbus} lets browsers of allowed origins
 * receive the four channels and nothing else; the dashboard is served at {@code /}. Connection
 * limits, timeouts and request framing are enforced by {@link ConnectionGuard} before any route.
 */
public final class HttpVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(HttpVerticle.class);

  static final String CONTRACT = "openapi.yaml";
  /** A health check that takes longer than this reports its part as down. */
  private static final long CHECK_TIMEOUT_MS = 3_000;
  /** Writes and batch replays may take a while on a large database. */
  private static final long WRITE_TIMEOUT_MS = 120_000;
  /** Where the gate leaves the caller for the handlers. */
  static final String PRINCIPAL = "nexus.principal";
  private static final String SUBMIT_EVENTS = "submitEvents";
  private static final String BODY_LIMIT = "nexus.body_limit";
  private static final String BODY_LIMIT_SETTING = "nexus.body_limit_setting";

  private static final String DB_STATUS_SQL = """
    select current_setting('server_version') as version,
           (select count(*) from pg_stat_activity where datname = current_database()) as connections,
           (select version from nexus_schema_history where success and version is not null
             order by installed_rank desc limit 1) as schema_version
    """;

  private Pool pool;
  private HttpServer server;
  private OpenAPIContract contract;
  /** The contract as written, served at /openapi.yaml and, encoded once, at /openapi.json. */
  private Buffer contractYaml;
  private JsonObject contractJson;
  private Buffer contractJsonText;
  private EventSubmission events;
  private MeterRegistry registry;
  private Authenticator authenticator;
  private ConnectionGuard guard;
  private HealthChecks healthChecks;
  /** Reads answer from one query; a concern that takes longer is in trouble. */
  private long readTimeoutMs;
  /** http.cors_origins as a list: a refused preflight names it. */
  private List<String> corsOrigins = List.of();

  @Override
  public Future<?> start() {
    JsonObject conf = config();
    pool = Pools.shared(vertx, conf);
    registry = Metrics.registry(conf);
    readTimeoutMs = ConfigKeys.HTTP_REQUEST_TIMEOUT.get(conf).toMillis();
    authenticator = new Authenticator(vertx, conf);
    String host = ConfigKeys.HTTP_HOST.get(conf);
    int port = ConfigKeys.HTTP_PORT.get(conf);
    return vertx.fileSystem().readFile(CONTRACT)
      .compose(file -> {
        contractYaml = file;
        contractJson = new JsonObject(new Yaml(new SafeConstructor(new LoaderOptions())).<Map<String, Object>>load(
          file.toString(StandardCharsets.UTF_8)));
        contractJsonText = Buffer.buffer(contractJson.encodePrettily());
        return OpenAPIContract.from(vertx, forRouter(contractJson.copy()));
      })
      .recover(err -> Future.failedFuture(new IllegalStateException(
        "the API contract " + CONTRACT + " cannot be read: " + err.getMessage())))
      .compose(c -> {
        contract = c;
        return authenticator.start();
      })
      .compose(v -> {
        events = new EventSubmission(vertx, contractJson);
        // HTTP/1.1 only: an "Upgrade: h2c" (the JDK's HttpClient sends one on its first request)
        // is answered in HTTP/1.1. Cleartext HTTP/2 is not something browsers speak, and a test
        // client hung in its upgrade path; HTTP/2 belongs to the TLS proxy in front, if any.
        HttpServerOptions options = new HttpServerOptions().setHttp2ClearTextEnabled(false)
          .setMaxWebSocketMessageSize(ConnectionGuard.MAX_WEBSOCKET_MESSAGE_BYTES);
        guard = new ConnectionGuard(vertx, conf, options, registry);
        return guard.install(vertx.createHttpServer(options), router(conf)).listen(port, host)
          // No cause chained: the message already says it all, and it is what start-up reports.
          .recover(err -> Future.failedFuture(
            new IllegalStateException("HTTP server cannot listen on " + host + ":" + port + ": " + err.getMessage())));
      })
      .onSuccess(s -> {
        server = s;
        LOG.info("HTTP server listening on http://{}:{} (dashboard: /, API: /openapi.yaml, bridge: /eventbus, "
          + "health: /health, metrics: /metrics); {}", host, s.actualPort(), authenticator.describe());
        warnOnceIfReadsAreOpen(host, s.actualPort());
      });
  }

  /**
   * The contract as the router is given it. vertx-openapi 5.0 refuses a response media type
   * outside its fixed list (text/csv among them) although it never validates responses: in the
   * router's copy such a type reads text/plain. The document served to clients keeps the truth.
   */
  static JsonObject forRouter(JsonObject contract) {
    JsonObject paths = contract.getJsonObject("paths", new JsonObject());
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        if (!(item.getValue(method) instanceof JsonObject op) || !(op.getValue("responses") instanceof JsonObject responses)) {
          continue;
        }
        for (String status : responses.fieldNames()) {
          if (!(responses.getValue(status) instanceof JsonObject response)
            || !(response.getValue("content") instanceof JsonObject content)) {
            continue;
          }
          for (String type : List.copyOf(content.fieldNames())) {
            if (!io.vertx.openapi.contract.MediaType.isMediaTypeSupported(type)) {
              Object declared = content.remove(type);
              if (!content.containsKey(io.vertx.openapi.contract.MediaType.TEXT_PLAIN)) {
                content.put(io.vertx.openapi.contract.MediaType.TEXT_PLAIN, declared);
              }
            }
          }
        }
      }
    }
    return contract;
  }

  @Override
  public Future<?> stop() {
    if (guard != null) {
      guard.stop();
    }
    if (authenticator != null) {
      authenticator.stop();
    }
    return server == null ? Future.succeededFuture() : server.close();
  }

  /** One warning per node (not per instance): anyone who reaches the port reads every figure. */
  private void warnOnceIfReadsAreOpen(String host, int port) {
    String weakness = authenticator.weakness();
    if (weakness != null
      && vertx.sharedData().<String, Boolean>getLocalMap("nexus.http").putIfAbsent("weak-jwt-warned", true) == null) {
      LOG.warn(weakness);
    }
    if (authenticator.jwtRequired()
      || vertx.sharedData().<String, Boolean>getLocalMap("nexus.http").putIfAbsent("open-reads-warned", true) != null) {
      return;
    }
    LOG.warn("Reads are open: anyone who can reach http://{}:{} reads every supplier's emissions and subscribes to "
      + "every channel. Set NEXUS_AUTH_JWT_SECRET or NEXUS_AUTH_JWKS_URL to require a JWT (docs/security.md)", host, port);
  }

  private Router router(JsonObject conf) {
    Router router = Router.router(vertx);
    router.route().handler(HttpVerticle::canonicalRequest);
    corsOrigins = origins(ConfigKeys.HTTP_CORS_ORIGINS.get(conf));
    StaticHandler dashboard = StaticHandler.create("webroot").setCachingEnabled(false).setDirectoryListing(false)
      .setIndexPage("index.html");
    // The dashboard's scripts and styles are served before the origin policy, whatever their Origin:
    // a browser sends Origin when it loads a module script, and behind a TLS proxy the engine cannot
    // see that it is its own. They hold no data; any page may include them with a script tag.
    router.routeWithRegex(HttpMethod.GET, "/(js|vendor)/[^/]+|/style\\.css").handler(dashboard);
    router.route().handler(new OriginPolicy(corsOrigins, registry)::handle);
    // HEAD is GET without the body (the server drops it): every GET answers HEAD too.
    router.route(HttpMethod.HEAD, "/*").handler(ctx -> ctx.reroute(HttpMethod.GET, ctx.request().uri()));
    BridgeGuard bridge = new BridgeGuard(vertx, authenticator, registry);
    // SockJS's fallback transports (xhr_send, jsonp_send) post their frames: they need a body,
    // bounded like every small request (a bridge frame is a register or a ping).
    router.route("/eventbus/*").handler(BodyHandler.create(false)
      .setBodyLimit(ConfigKeys.HTTP_MAX_SMALL_BODY_KB.get(conf) * 1024L));
    router.route("/eventbus/*").subRouter(SockJSHandler.create(vertx, new SockJSHandlerOptions())
      .bridge(bridgeOptions(), bridge::handle));
    router.route("/*").subRouter(api(conf));
    router.route(HttpMethod.GET, "/*").handler(dashboard);
    router.route().last().handler(this::notFound);
    return router;
  }

  /**
   * The REST API: for every operation of the contract, its own chain of handlers on its own route
   * — who may call it, its body within its limit, the contract's validation, its handler — so that
   * what is checked always follows the route that matched.
   */
  private Router api(JsonObject conf) {
    long maxBody = ConfigKeys.HTTP_MAX_BODY_KB.get(conf) * 1024L;
    long maxSmallBody = ConfigKeys.HTTP_MAX_SMALL_BODY_KB.get(conf) * 1024L;
    RouterBuilder builder = RouterBuilder.create(vertx, contract);
    RequestValidator validator = RequestValidator.create(vertx, contract);
    healthChecks = healthChecks();
    Map<String, io.vertx.core.Handler<RoutingContext>> handlers = Map.ofEntries(
      Map.entry("getCurrentEmissions", ctx -> ask(ctx, Addresses.EMISSIONS_CURRENT, new JsonObject(), 200)),
      Map.entry("listHotspots", ctx -> ask(ctx, Addresses.HOTSPOTS_LIST, query(ctx), 200)),
      Map.entry("listAlerts", ctx -> ask(ctx, Addresses.ALERTS_LIST, query(ctx), 200)),
      Map.entry("listNotifications", ctx -> ask(ctx, Addresses.NOTIFICATIONS_LIST, query(ctx), 200)),
      Map.entry("testReceiver", ctx -> ask(ctx, Addresses.RECEIVER_TEST, new JsonObject()
        .put("receiver", validated(ctx).getPathParameters().get("name").getString()), 200)),
      Map.entry("listRecommendations", ctx -> ask(ctx, Addresses.RECOMMENDATIONS_LIST, query(ctx), 200)),
      Map.entry("listBaselines", ctx -> ask(ctx, Addresses.BASELINES_LIST, query(ctx), 200)),
      Map.entry("compareSuppliers", ctx -> ask(ctx, Addresses.SUPPLIERS_COMPARE, query(ctx), 200)),
      Map.entry("listShipmentFootprints", ctx -> ask(ctx, Addresses.FOOTPRINTS_SHIPMENTS, query(ctx), 200)),
      Map.entry("listTransportOperationCategories", ctx -> ask(ctx, Addresses.FOOTPRINTS_TOCS, query(ctx), 200)),
      Map.entry("getEmissionsReport", this::report),
      Map.entry("getEmissionsHistory", ctx -> ask(ctx, Addresses.EMISSIONS_HISTORY, query(ctx), 200)),
      Map.entry("simulate", ctx -> ask(ctx, Addresses.SIMULATE, body(ctx), 200)),
      Map.entry("acknowledgeAlert", ctx -> ask(ctx, Addresses.ALERT_ACKNOWLEDGE,
        body(ctx).put("id", validated(ctx).getPathParameters().get("id").getLong()), 200)),
      Map.entry("createSilence", ctx -> ask(ctx, Addresses.SILENCE, body(ctx), 201)),
      Map.entry("setTarget", ctx -> ask(ctx, Addresses.TARGET_SET, body(ctx), 200)),
      Map.entry("deleteTarget", ctx -> ask(ctx, Addresses.TARGET_DELETE, query(ctx), 204)),
      Map.entry("runBatchDetection", ctx -> ask(ctx, Addresses.DETECTION_BATCH, body(ctx), 200)),
      Map.entry(SUBMIT_EVENTS, ctx -> events.handle(ctx)),
      Map.entry("getHealth", this::health),
      Map.entry("getMetrics", metrics(conf.getString(RuntimeKeys.METRICS_REGISTRY))),
      Map.entry("getOpenApi", this::openApiYaml),
      Map.entry("getOpenApiJson", this::openApiJson));
    Set<String> unused = new java.util.HashSet<>(handlers.keySet());
    for (OpenAPIRoute route : builder.getRoutes()) {
      Operation operation = route.getOperation();
      String id = operation.getOperationId();
      unused.remove(id);
      io.vertx.core.Handler<RoutingContext> handler = handlers.get(id);
      if (handler == null) {
        throw new IllegalStateException("no handler for operation " + id + " of " + CONTRACT);
      }
      long bodyLimit = id.equals(SUBMIT_EVENTS) ? maxBody : maxSmallBody;
      route.setDoSecurity(false).setDoValidation(false)
        .addHandler(gate(Access.of(operation), bodyLimit, (id.equals(SUBMIT_EVENTS) ? ConfigKeys.HTTP_MAX_BODY_KB
          : ConfigKeys.HTTP_MAX_SMALL_BODY_KB).path()))
        .addHandler(BodyHandler.create(false).setBodyLimit(bodyLimit));
      // POST /events validates its (large) body off the event loop, against the same contract schema.
      if (!id.equals(SUBMIT_EVENTS)) {
        route.addHandler(ContractRequests.validation(validator, operation));
      }
      route.addHandler(handler);
    }
    if (!unused.isEmpty()) {
      throw new IllegalStateException("handlers for operations that " + CONTRACT + " does not have: " + unused);
    }
    Router api = builder.createRouter();
    api.route().failureHandler(HttpVerticle::failure);
    return api;
  }

  /**
   * Who may call the operation, decided before its body is read: an unauthorised client cannot
   * make the engine buffer anything. A refused request's connection is closed when its body was
   * not read.
   */
  private SecurityPolicyHandler gate(Access access, long bodyLimit, String bodyLimitSetting) {
    return ctx -> {
      ctx.put(BODY_LIMIT, bodyLimit);
      ctx.put(BODY_LIMIT_SETTING, bodyLimitSetting);
      HttpServerRequest request = ctx.request();
      boolean hasBody = !request.isEnded()
        && (request.headers().contains("Transfer-Encoding") || contentLength(request) > 0);
      if (hasBody) {
        // Until the BodyHandler resumes it: nothing may be lost while the decision is made.
        request.pause();
      }
      authenticator.admit(access, request.getHeader("Authorization")).onComplete(ar -> {
        if (ar.succeeded()) {
          ctx.put(PRINCIPAL, ar.result());
          ctx.next();
          return;
        }
        int status = ar.cause() instanceof Authenticator.Refused r ? r.status() : 500;
        String error = ar.cause() instanceof Authenticator.Refused ? ar.cause().getMessage() : "internal error";
        if (status == 401) {
          ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"" + Authenticator.REALM + "\""
            + (request.getHeader("Authorization") == null ? "" : ", error=\"invalid_token\""));
        }
        if (hasBody) {
          ctx.response().putHeader("Connection", "close");
        }
        HttpErrors.send(ctx, status, error, null);
      });
    };
  }

  private static long contentLength(HttpServerRequest request) {
    try {
      String value = request.getHeader("Content-Length");
      return value == null ? -1 : Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static List<String> origins(String origins) {
    return origins == null ? List.of()
      : Arrays.stream(origins.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  /** Browsers may register on the four channels only and never send or publish anything. */
  private static SockJSBridgeOptions bridgeOptions() {
    SockJSBridgeOptions options = new SockJSBridgeOptions();
    Addresses.BROWSER_CHANNELS.forEach(a -> options.addOutboundPermitted(new PermittedOptions().setAddress(a)));
    return options;
  }

  private HealthChecks healthChecks() {
    HealthChecks checks = HealthChecks.create(vertx).register("database", CHECK_TIMEOUT_MS, this::checkDatabase);
    checks.register("prediction", CHECK_TIMEOUT_MS, p -> concernStatus(Addresses.PREDICTION_STATUS, p));
    checks.register("recommendations", CHECK_TIMEOUT_MS, p -> concernStatus(Addresses.RECOMMENDATION_STATUS, p));
    return checks;
  }

  /**
   * The whole health report for whoever may read, and for everyone while reads are open; with
   * authentication on, an anonymous caller gets only UP or DOWN (a load balancer's liveness
   * probe needs no more, and versions help an attacker).
   */
  private void health(RoutingContext ctx) {
    Authenticator.Principal who = ctx.get(PRINCIPAL);
    if (!authenticator.jwtRequired() || (who != null && !who.anonymous())) {
      HealthCheckHandler.createWithHealthChecks(healthChecks).handle(ctx);
      return;
    }
    healthChecks.checkStatus().onComplete(ar -> {
      boolean up = ar.succeeded() && ar.result().getUp();
      ctx.response().setStatusCode(up ? 200 : 503).putHeader("content-type", "application/json")
        .end(new JsonObject().put("status", up ? "UP" : "DOWN").encode());
    });
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
      .onFailure(err -> {
        // The reason goes to the log, not to whoever asked: it can name hosts and users.
        LOG.warn("Health: the database did not answer: {}", err.getMessage());
        promise.complete(Status.KO(new JsonObject().put("error", "the database did not answer")));
      });
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
      .onFailure(err -> promise.complete(Status.KO(new JsonObject().put("error", "this part of the engine did not answer"))));
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

  /**
   * The emissions report as JSON, or as CSV when {@code format=csv} or the Accept header prefers
   * {@code text/csv} (a spreadsheet's import, curl): the report verticle writes either text.
   */
  private void report(RoutingContext ctx) {
    JsonObject query = query(ctx);
    if (!query.containsKey("format") && prefersCsv(ctx.request().getHeader("Accept"))) {
      query.put("format", "csv");
    }
    boolean csv = "csv".equals(query.getString("format"));
    vertx.eventBus().<Buffer>request(Addresses.EMISSIONS_REPORT, query, new DeliveryOptions().setSendTimeout(readTimeoutMs))
      .onSuccess(reply -> {
        ctx.response().setStatusCode(200).putHeader("content-type", csv ? "text/csv; charset=utf-8" : "application/json");
        if (csv) {
          ctx.response().putHeader("Content-Disposition", "attachment; filename=\"emissions-report.csv\"");
        }
        ctx.response().end(reply.body());
      })
      .onFailure(err -> HttpErrors.fromBus(ctx, err));
  }

  /** Whether an Accept header ranks text/csv above application/json (or lists csv and not json). */
  static boolean prefersCsv(String accept) {
    if (accept == null) {
      return false;
    }
    double csv = 0;
    double json = 0;
    for (String part : accept.split(",")) {
      String[] params = part.split(";");
      String type = params[0].trim().toLowerCase(java.util.Locale.ROOT);
      double q = 1;
      for (int i = 1; i < params.length; i++) {
        String p = params[i].trim();
        if (p.startsWith("q=")) {
          try {
            q = Double.parseDouble(p.substring(2).trim());
          } catch (NumberFormatException e) {
            q = 0;
          }
        }
      }
      if (type.equals("text/csv")) {
        csv = Math.max(csv, q);
      } else if (type.equals("application/json")) {
        json = Math.max(json, q);
      }
    }
    return csv > 0 && csv > json;
  }

  private static void failure(RoutingContext ctx) {
    int status = ctx.statusCode();
    Throwable cause = ctx.failure();
    if (ctx.response().closed() || HttpErrors.clientWentAway(cause)) {
      // The client left: nothing to answer, nothing failed on our side.
      LOG.debug("{} {}: the client went away", ctx.request().method(), ctx.request().path());
      return;
    }
    if (!ctx.request().isEnded()) {
      // The body was not read to its end: the connection cannot carry another request.
      ctx.response().putHeader("Connection", "close");
    }
    if (status == 413) {
      Long limit = ctx.get(BODY_LIMIT);
      HttpErrors.send(ctx, 413, "the request body is larger than " + (limit == null ? "allowed"
        : limit / 1024 + " KiB (" + ctx.get(BODY_LIMIT_SETTING) + ")"), null);
    } else if (status >= 400 && status < 500) {
      HttpErrors.send(ctx, status, HttpErrors.describe(cause));
    } else {
      LOG.warn("{} {} failed", ctx.request().method(), ctx.request().path(), cause);
      HttpErrors.send(ctx, 500, "internal error", null);
    }
  }

  /**
   * Paths are matched exactly: no trailing slash, no empty or dot segment, no percent-encoded
   * character (no path of the API or the dashboard needs one). What a router would quietly
   * normalise is refused here, so every check downstream sees the path that will be served.
   * A query string must be valid percent-encoding.
   */
  private static void canonicalRequest(RoutingContext ctx) {
    String path = ctx.request().path();
    if (path == null || !canonical(path)) {
      HttpErrors.send(ctx, 404, "no such endpoint: " + ctx.request().method() + " " + LogText.safe(path)
        + " (paths are matched exactly: no trailing slash, no empty or dot segment, no percent-encoding)", null);
      return;
    }
    try {
      ctx.queryParams();
      ctx.request().params();
    } catch (IllegalArgumentException | io.vertx.ext.web.handler.HttpException e) {
      HttpErrors.send(ctx, 400, "the query string is not valid percent-encoding", null);
      return;
    }
    ctx.next();
  }

  static boolean canonical(String path) {
    if (path.isEmpty() || path.charAt(0) != '/') {
      return false;
    }
    if (path.equals("/")) {
      return true;
    }
    if (path.endsWith("/") || path.contains("//") || path.contains("%") || path.contains("\\")) {
      return false;
    }
    for (String segment : path.substring(1).split("/")) {
      if (segment.equals(".") || segment.equals("..")) {
        return false;
      }
    }
    return true;
  }

  /** 405 with Allow when the contract has the path with other methods, 404 otherwise. */
  private void notFound(RoutingContext ctx) {
    String path = ctx.normalizedPath();
    List<String> allowed = Arrays.stream(new HttpMethod[] {HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT,
        HttpMethod.DELETE, HttpMethod.PATCH})
      .filter(m -> contract.findOperation(path, m) != null).map(HttpMethod::name).toList();
    if (!allowed.isEmpty() && ctx.request().method() == HttpMethod.OPTIONS) {
      // Only a CORS preflight from an allowed origin is answered (by OriginPolicy); anything else
      // that reaches here is a preflight the engine was not told to accept: say which setting does.
      ctx.response().putHeader("Allow", String.join(", ", allowed));
      HttpErrors.send(ctx, 405, "OPTIONS is answered only as the CORS preflight of a page whose origin is in "
        + "http.cors_origins (NEXUS_HTTP_CORS_ORIGINS), "
        + (corsOrigins.isEmpty() ? "which is unset" : "now " + String.join(", ", corsOrigins))
        + ": add the page's origin (scheme://host:port, e.g. http://localhost:5173), or serve the page from this engine",
        null);
    } else if (!allowed.isEmpty()) {
      ctx.response().putHeader("Allow", String.join(", ", allowed));
      HttpErrors.send(ctx, 405, ctx.request().method() + " is not allowed on " + path + ": use " + String.join(" or ", allowed),
        null);
    } else {
      HttpErrors.send(ctx, 404, "no such endpoint: " + ctx.request().method() + " " + LogText.safe(path), null);
    }
  }
}
