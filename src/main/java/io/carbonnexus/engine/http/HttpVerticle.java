package io.carbonnexus.engine.http;

import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.db.Pools;
import io.carbonnexus.engine.shared.RuntimeKeys;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
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

  private Pool pool;
  private HttpServer server;

  @Override
  public Future<?> start() {
    JsonObject conf = config();
    pool = Pools.shared(vertx, conf);
    String metricsRegistry = conf.getString(RuntimeKeys.METRICS_REGISTRY);

    HealthChecks checks = HealthChecks.create(vertx)
      .register("database", DB_CHECK_TIMEOUT_MS, this::checkDatabase);

    Router router = Router.router(vertx);
    router.get("/health").handler(HealthCheckHandler.createWithHealthChecks(checks));
    router.get("/metrics").handler(metricsRegistry == null
      ? PrometheusScrapingHandler.create()
      : PrometheusScrapingHandler.create(metricsRegistry));
    router.route().last().handler(HttpVerticle::notFound);

    String host = ConfigKeys.HTTP_HOST.get(conf);
    int port = ConfigKeys.HTTP_PORT.get(conf);
    return vertx.createHttpServer()
      .requestHandler(router)
      .listen(port, host)
      .onSuccess(s -> {
        server = s;
        LOG.info("HTTP server listening on http://{}:{} (health: /health, metrics: /metrics)", host, s.actualPort());
      })
      // No cause chained: the message already says it all, and it is what start-up reports.
      .recover(err -> Future.failedFuture(
        new IllegalStateException("HTTP server cannot listen on " + host + ":" + port + ": " + err.getMessage())));
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

  private static void notFound(RoutingContext ctx) {
    ctx.response().setStatusCode(404).putHeader("content-type", "application/json")
      .end(new JsonObject().put("error", "no such endpoint: " + ctx.request().method() + " " + ctx.request().path())
        .put("details", (Object) null).encode());
  }
}
