package io.carbonnexus.engine.bench;

import io.carbonnexus.engine.Engine;
import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.db.Pools;
import io.carbonnexus.engine.hotspot.HotspotQueriesForBench;
import io.carbonnexus.engine.ingestion.IngestionQueriesForBench;
import io.carbonnexus.engine.shared.Addresses;
import io.carbonnexus.engine.shared.Hotspot;
import io.carbonnexus.engine.support.Http;
import io.carbonnexus.engine.support.TempDirs;
import io.carbonnexus.engine.support.TestEngine;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.openapi.router.OpenAPIRoute;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The REST API under load, next to the best a Vert.x JSON route can do on the same machine in the
 * same run. Run with {@code benchmarks/http}.
 *
 * <p>This JVM runs a whole engine (embedded PostgreSQL, demo data, every verticle) and, on the
 * engine's own Vert.x instance, a bare vertx-web server whose one route answers a fixed small
 * JSON array. A load generator in a JVM of its own ({@link HttpLoadGenerator}) measures
 * {@code GET /hotspots}, {@code GET /emissions/current} and the bare route in turns. While each
 * window is measured, this JVM accounts for the CPU used by itself, by PostgreSQL, by the load
 * generator and by the rest of the machine ({@link CpuAccount}).
 *
 * <p>With {@code -Dbench.diagnose=true} the bare server also answers routes that take the engine's
 * {@code /hotspots} apart: the same bytes from memory, the same SQL without the bus, and the same
 * bus request without the OpenAPI router.
 */
public final class HttpBenchmark {

  private static final boolean DIAGNOSE = Boolean.getBoolean("bench.diagnose");
  private static final Duration DATA_WAIT = Duration.ofMinutes(10);
  /** The fixed answer of the bare route: small, like one short list. */
  private static final JsonArray SMALL = new JsonArray()
    .add(new JsonObject().put("id", 1).put("entity", "Acme Freight").put("severity", "warn"))
    .add(new JsonObject().put("id", 2).put("entity", "R12").put("severity", "info"));

  private record Round(String target, int round, long requests, long errors, double seconds, long p50, long p99,
                       long max, long bytes, long maxAt, long over500ms, double[] cores, String busiest) {
    double rps() {
      return requests / seconds;
    }
  }

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("nexus-bench-http");
    TestEngine setup = TestEngine.embedded(dir.resolve("pg")).with(ConfigKeys.DEMO, "true");
    int enginePort = setup.port();
    int barePort = TempDirs.freePort();
    Engine engine = null;
    try {
      long t0 = System.nanoTime();
      engine = setup.start();
      String url = ConfigKeys.DB_URL.get(engine.config());
      waitForData(enginePort, url);
      System.out.printf(Locale.ROOT, "engine up with demo data in %.0f s: %s%n", (System.nanoTime() - t0) / 1e9,
        contents(url));

      Buffer hotspotsBody = Buffer.buffer(Http.get(enginePort, "/hotspots").body());
      engine.vertx().deployVerticle(new BareServer(barePort, hotspotsBody, engine.config())).await();
      int openApiPort = TempDirs.freePort();
      if (DIAGNOSE) {
        engine.vertx().deployVerticle(new BareOpenApiServer(openApiPort, hotspotsBody)).await();
      }

      Map<String, String> targets = new LinkedHashMap<>();
      targets.put("GET /hotspots", "http://127.0.0.1:" + enginePort + "/hotspots");
      targets.put("GET /emissions/current", "http://127.0.0.1:" + enginePort + "/emissions/current");
      targets.put("bare JSON route", "http://127.0.0.1:" + barePort + "/bare");
      if (DIAGNOSE) {
        targets.put("bare: /hotspots bytes from memory", "http://127.0.0.1:" + barePort + "/bare/hotspots-bytes");
        targets.put("bare: OpenAPI router, bytes from memory", "http://127.0.0.1:" + openApiPort + "/hotspots");
        targets.put("bare: hotspot SQL, no bus", "http://127.0.0.1:" + barePort + "/bare/hotspots-sql");
        targets.put("bare: hotspot bus request", "http://127.0.0.1:" + barePort + "/bare/hotspots-bus");
        targets.put("bare: emissions bus request", "http://127.0.0.1:" + barePort + "/bare/emissions-bus");
      }
      for (var t : targets.entrySet()) {
        Http.Response r = Http.get(Integer.parseInt(t.getValue().replaceAll(".*:(\\d+)/.*", "$1")),
          t.getValue().replaceAll("^http://[^/]+", ""));
        if (r.status() != 200) {
          throw new IllegalStateException(t.getKey() + " answered " + r.status() + ": " + r.body());
        }
        System.out.printf(Locale.ROOT, "%-40s %,7d bytes%s%n", t.getKey(), r.body().getBytes(StandardCharsets.UTF_8).length,
          r.body().startsWith("[") ? ", " + new JsonArray(r.body()).size() + " items" : "");
      }
      if (DIAGNOSE) {
        explain(url);
      }
      List<Round> rounds = load(targets, new CpuAccount(dir.resolve("pg")));
      report(targets, rounds);
    } finally {
      if (engine != null) {
        engine.close();
      }
      TempDirs.deleteRecursively(dir);
    }
  }

  /** Until the demo history is written and predicted and detection has opened hotspots. */
  private static void waitForData(int port, String url) throws Exception {
    long deadline = System.nanoTime() + DATA_WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      boolean hotspots = !new JsonArray(Http.get(port, "/hotspots").body()).isEmpty();
      try (Connection c = BenchSupport.jdbc(url); Statement st = c.createStatement();
           ResultSet rs = st.executeQuery("""
             select (select generated_until > now() - interval '1 minute' from demo_feed_state),
                    (select last_event_id from ingestion_state) >= (select coalesce(max(id), 0) from events_normalized)""")) {
        rs.next();
        if (hotspots && rs.getBoolean(1) && rs.getBoolean(2)) {
          // Let the first detection pass and the baselines settle before load starts.
          Thread.sleep(5_000);
          return;
        }
      }
      Thread.sleep(1_000);
    }
    throw new IllegalStateException("no hotspots from the demo data within " + DATA_WAIT.toMinutes() + " minutes");
  }

  private static String contents(String url) throws Exception {
    try (Connection c = BenchSupport.jdbc(url); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("""
           select (select count(*) from events_normalized), (select count(*) from predictions),
                  (select count(*) from entity_minute_totals), (select count(*) from baselines),
                  (select count(*) from hotspots), (select count(*) from hotspots where status = 'open')""")) {
      rs.next();
      return String.format(Locale.ROOT, "%,d events, %,d predictions, %,d per-minute totals, %,d baselines, "
        + "%,d hotspots (%,d open)", rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6));
    }
  }

  /**
   * The plans of the queries behind the two endpoints, and of ingestion's read that runs beside
   * them every few seconds, as the engine's client runs them: named prepared statements, so from
   * the sixth execution on PostgreSQL may switch to a generic plan.
   */
  private static void explain(String url) throws Exception {
    try (Connection c = BenchSupport.jdbc(url); Statement st = c.createStatement()) {
      st.execute("prepare window_totals(timestamptz, timestamptz, text[], text[], text[]) as "
        + HotspotQueriesForBench.WINDOW_ACTIVITY);
      st.execute("prepare list_hotspots(text[], text, text, text, timestamptz, int) as " + HotspotQueriesForBench.LIST_HOTSPOTS);
      st.execute("prepare effective_baselines as " + HotspotQueriesForBench.EFFECTIVE_BASELINES);
      st.execute("prepare next_events(bigint, int) as " + IngestionQueriesForBench.NEXT_EVENTS);
      long lookbackFrom;
      try (ResultSet rs = st.executeQuery("select last_event_id from ingestion_state")) {
        rs.next();
        lookbackFrom = Math.max(0, rs.getLong(1) - ConfigKeys.INGESTION_LOOKBACK_IDS.defaultValue());
      }
      for (String execute : List.of(
        // What ingestion runs at every poll and NOTIFY, beside the API's reads: from the watermark less the lookback.
        "execute next_events(" + lookbackFrom + ", " + ConfigKeys.INGESTION_BATCH_SIZE.defaultValue() + ")",
        "execute window_totals(now() - interval '24 hours', now(), null, null, null)",
        "execute list_hotspots(null, null, null, null, null, 100)",
        "execute effective_baselines")) {
        for (int i = 1; i <= 7; i++) {
          List<String> plan = new ArrayList<>();
          try (ResultSet rs = st.executeQuery("explain (analyze, buffers) " + execute)) {
            while (rs.next()) {
              plan.add(rs.getString(1));
            }
          }
          if (i == 1 || i == 7) {
            System.out.printf(Locale.ROOT, "plan of %s, execution %d:%n  %s%n", execute, i, String.join("\n  ", plan));
          }
        }
      }
    }
  }

  /** Runs the load generator's JVM and reads its lines; samples CPU at the edges of every measured window. */
  private static List<Round> load(Map<String, String> targets, CpuAccount cpu) throws Exception {
    Map<String, String> byKey = new LinkedHashMap<>();
    List<String> args = new ArrayList<>();
    int i = 0;
    for (var t : targets.entrySet()) {
      String key = "t" + i++;
      byKey.put(key, t.getKey());
      args.add(key + "=" + t.getValue());
    }
    Process child = BenchSupport.childJvm(HttpLoadGenerator.class.getName(), List.of("-Xmx1g"), args);
    cpu.child(child);
    List<Round> rounds = new ArrayList<>();
    CpuAccount.Sample start = null;
    double[] cores = null;
    String busiest = null;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        String[] f = line.split(" ");
        switch (f[0]) {
          case "@START" -> start = cpu.sample();
          case "@END" -> {
            CpuAccount.Sample end = cpu.sample();
            cores = CpuAccount.cores(start, end);
            busiest = CpuAccount.busiestThread(start, end);
          }
          case "@RESULT" -> {
            Round r = new Round(byKey.get(f[1]), Integer.parseInt(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]),
              Double.parseDouble(f[5]), Long.parseLong(f[6]), Long.parseLong(f[7]), Long.parseLong(f[8]),
              Long.parseLong(f[9]), Long.parseLong(f[10]), Long.parseLong(f[11]), cores, busiest);
            if (r.round() > 0) {
              rounds.add(r);
            }
            System.out.printf(Locale.ROOT, "%-7s %-40s %,9.0f req/s  p50 %6.2f ms  p99 %6.2f ms  max %7.2f ms (at %s, %d over 500 ms)"
                + "  errors %d  | %s; busiest thread %s%n", r.round() == 0 ? "warm-up" : "round " + r.round(), r.target(),
              r.rps(), r.p50() / 1e6, r.p99() / 1e6, r.max() / 1e6,
              java.time.LocalTime.ofInstant(java.time.Instant.ofEpochMilli(r.maxAt()), java.time.ZoneId.systemDefault()),
              r.over500ms(), r.errors(), CpuAccount.describe(r.cores()), r.busiest());
          }
          default -> System.out.println(line);
        }
      }
    }
    if (child.waitFor() != 0) {
      throw new IllegalStateException("the load generator failed (exit " + child.exitValue() + ")");
    }
    return rounds;
  }

  private static void report(Map<String, String> targets, List<Round> rounds) {
    String bare = "bare JSON route";
    double bareRps = median(rounds, bare, Round::rps);
    System.out.printf(Locale.ROOT, "%nmedians of %d rounds (%d connections, one request in flight each):%n",
      rounds.stream().mapToInt(Round::round).max().orElse(0), Integer.getInteger("bench.connections", 64));
    System.out.printf(Locale.ROOT, "%-40s %10s %8s %8s %9s %8s %11s %11s%n", "target", "req/s", "p50 ms", "p99 ms",
      "max ms", "vs bare", "JVM us/req", "PG us/req");
    for (String target : targets.keySet()) {
      double rps = median(rounds, target, Round::rps);
      System.out.printf(Locale.ROOT, "%-40s %,10.0f %8.2f %8.2f %9.2f %7.1f%% %11.0f %11.0f%n", target, rps,
        median(rounds, target, r -> r.p50() / 1e6), median(rounds, target, r -> r.p99() / 1e6),
        median(rounds, target, r -> r.max() / 1e6), rps / bareRps * 100,
        median(rounds, target, r -> r.cores()[0] / r.rps() * 1e6), median(rounds, target, r -> r.cores()[1] / r.rps() * 1e6));
    }
    for (String target : List.of("GET /hotspots", "GET /emissions/current")) {
      double share = median(rounds, target, Round::rps) / bareRps;
      double p99 = median(rounds, target, r -> r.p99() / 1e6);
      System.out.printf(Locale.ROOT, "%s: %.1f%% of the bare route's req/s (target >= 50%%: %s), p99 %.2f ms "
          + "(target <= 10 ms: %s)%n", target, share * 100, share >= 0.5 ? "met" : "NOT met", p99,
        p99 <= 10 ? "met" : "NOT met");
    }
    long errors = rounds.stream().mapToLong(Round::errors).sum();
    if (errors > 0) {
      System.out.printf(Locale.ROOT, "WARNING: %d requests failed%n", errors);
    }
  }

  private static double median(List<Round> rounds, String target, java.util.function.ToDoubleFunction<Round> f) {
    return BenchSupport.median(rounds.stream().filter(r -> r.target().equals(target)).map(r -> f.applyAsDouble(r)).toList());
  }

  /** The baseline, one instance like the engine's HTTP verticle, and the decomposition routes. */
  private static final class BareServer extends VerticleBase {
    private final int port;
    private final Buffer hotspotsBody;
    private final JsonObject engineConfig;
    private Pool pool;

    BareServer(int port, Buffer hotspotsBody, JsonObject engineConfig) {
      this.port = port;
      this.hotspotsBody = hotspotsBody;
      this.engineConfig = engineConfig;
    }

    @Override
    public Future<?> start() {
      Router router = Router.router(vertx);
      router.get("/bare").handler(ctx -> json(ctx, SMALL.encode()));
      if (DIAGNOSE) {
        // The engine's shared pool: the same connections the hotspot query verticle uses.
        pool = Pools.shared(vertx, engineConfig);
        router.get("/bare/hotspots-bytes").handler(ctx -> ctx.response()
          .putHeader("content-type", "application/json").end(hotspotsBody));
        router.get("/bare/hotspots-sql").handler(ctx -> pool.preparedQuery(HotspotQueriesForBench.LIST_HOTSPOTS)
          .execute(Tuple.of(null, null, null, null, null, 100))
          .onSuccess(rows -> {
            JsonArray list = new JsonArray();
            rows.forEach(r -> list.add(Hotspot.fromRow(r, null).toJson()));
            json(ctx, list.encode());
          })
          .onFailure(ctx::fail));
        router.get("/bare/hotspots-bus").handler(ctx -> vertx.eventBus().request(Addresses.HOTSPOTS_LIST, new JsonObject())
          .onSuccess(m -> json(ctx, m.body().toString()))
          .onFailure(ctx::fail));
        router.get("/bare/emissions-bus").handler(ctx -> vertx.eventBus().request(Addresses.EMISSIONS_CURRENT, new JsonObject())
          .onSuccess(m -> json(ctx, m.body().toString()))
          .onFailure(ctx::fail));
      }
      return vertx.createHttpServer().requestHandler(router).listen(port, "127.0.0.1");
    }

    private static void json(RoutingContext ctx, String body) {
      ctx.response().putHeader("content-type", "application/json").end(body);
    }
  }

  /**
   * The engine's contract through the same RouterBuilder set-up as the HTTP verticle (body handler,
   * validation of every request), each operation answering the /hotspots bytes from memory: what
   * the OpenAPI router costs on its own.
   */
  private static final class BareOpenApiServer extends VerticleBase {
    private final int port;
    private final Buffer body;

    BareOpenApiServer(int port, Buffer body) {
      this.port = port;
      this.body = body;
    }

    @Override
    public Future<?> start() {
      return OpenAPIContract.from(vertx, "openapi.yaml").compose(contract -> {
        RouterBuilder builder = RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler());
        builder.rootHandler(BodyHandler.create(false));
        for (OpenAPIRoute route : builder.getRoutes()) {
          route.setDoSecurity(false).addHandler(ctx -> ctx.response().putHeader("content-type", "application/json").end(body));
        }
        Router router = Router.router(vertx);
        router.route("/*").subRouter(builder.createRouter());
        return vertx.createHttpServer().requestHandler(router).listen(port, "127.0.0.1");
      });
    }
  }

  private HttpBenchmark() {
  }
}
