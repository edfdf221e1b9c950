package io.carbonnexus.engine.bench;

import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.db.DatabaseUrl;
import io.carbonnexus.engine.db.EmbeddedDatabase;
import io.carbonnexus.engine.db.Migrations;
import io.carbonnexus.engine.prediction.PredictionVerticle;
import io.carbonnexus.engine.shared.Addresses;
import io.carbonnexus.engine.shared.PredictionRequest;
import io.carbonnexus.engine.shared.ShipmentEvent;
import io.carbonnexus.engine.support.TempDirs;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Predicts and stores N events (default 1,000,000) with the built-in model through the engine's
 * real path — events read from {@code events_normalized} in pages, sent over the event bus to the
 * prediction verticle, predicted, stored with one {@code unnest} insert per page — and, on the
 * same data in the same run, the same arithmetic in pure SQL ({@code INSERT .. SELECT}). Prints
 * each round and the medians. Run it with {@code benchmarks/prediction}.
 */
public final class PredictionBenchmark {

  private static final int PAGE = Integer.getInteger("bench.page", 5_000);
  private static final int IN_FLIGHT = Integer.getInteger("bench.inflight", 4);
  private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
  /**
   * Whether the pure-SQL table keeps the same rollups as predictions (the triggers detection reads
   * from): the same work on both sides. {@code -Dbench.floorRollups=false} compares with a bare table.
   */
  private static final boolean FLOOR_ROLLUPS = Boolean.parseBoolean(System.getProperty("bench.floorRollups", "true"));

  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : 1_000_000;
    Path dir = Files.createTempDirectory("nexus-bench-pg");
    try (EmbeddedDatabase pg = EmbeddedDatabase.start(dir.resolve("pg"), 0, Duration.ofSeconds(60), false, java.util.Map.of())) {
      String url = pg.url();
      Migrations.migrate(DatabaseUrl.parse(url), Duration.ofSeconds(10));
      System.out.printf(Locale.ROOT, "PostgreSQL %s, %d events, page %d, %d pages in flight, %d rounds; pure SQL %s%n",
        "(embedded)", events, PAGE, IN_FLIGHT, ROUNDS,
        FLOOR_ROLLUPS ? "keeps the same rollups (minutes, hours, lanes)" : "into a bare table (no rollups)");
      long t0 = System.nanoTime();
      loadEvents(url, events);
      System.out.printf(Locale.ROOT, "loaded events in %.1f s%n", (System.nanoTime() - t0) / 1e9);
      try (Connection c = jdbc(url); Statement st = c.createStatement()) {
        st.execute("vacuum analyze events_normalized");
        st.execute("create table predictions_sql (like predictions including all)");
        if (FLOOR_ROLLUPS) {
          BenchSupport.addRollupTriggers(st, "predictions_sql");
        }
        BenchSupport.createFactorTable(st);
      }

      truncate(url);
      double warmup = engine(url, events);
      System.out.printf(Locale.ROOT, "warm-up (JIT), not counted: engine %.2f s%n", warmup);

      List<Double> sqlSeconds = new ArrayList<>();
      List<Double> exactSeconds = new ArrayList<>();
      List<Double> engineSeconds = new ArrayList<>();
      for (int round = 1; round <= ROUNDS; round++) {
        truncate(url);
        double exact = pureSql(url, false);
        truncate(url);
        double sql = pureSql(url, true);
        double engine = engine(url, events);
        sqlSeconds.add(sql);
        exactSeconds.add(exact);
        engineSeconds.add(engine);
        System.out.printf(Locale.ROOT, "round %d: pure SQL %.2f s (exact names %.2f s), engine %.2f s, engine/SQL %.2f (exact %.2f)%n",
          round, sql, exact, engine, engine / sql, engine / exact);
      }
      checkSameNumbers(url, events);
      double sql = median(sqlSeconds);
      double exact = median(exactSeconds);
      double engine = median(engineSeconds);
      System.out.printf(Locale.ROOT, "median pure SQL, names normalized as the engine does: %.2f s (%,.0f events/s)%n", sql, events / sql);
      System.out.printf(Locale.ROOT, "median pure SQL, exact names (no alias handling):     %.2f s (%,.0f events/s)%n", exact, events / exact);
      System.out.printf(Locale.ROOT, "median engine (read, bus, predict, store):            %.2f s (%,.0f events/s)%n", engine, events / engine);
      System.out.printf(Locale.ROOT, "engine / pure SQL: %.2f (exact names: %.2f); target <= 2.00%n", engine / sql, engine / exact);
    } finally {
      TempDirs.deleteRecursively(dir);
    }
  }

  /** The engine's path: pages of events over the bus to the prediction verticle, stored by it. */
  private static double engine(String url, int expected) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      JsonObject config = new JsonObject();
      ConfigKeys.DB_URL.put(config, url);
      vertx.deployVerticle(new PredictionVerticle(), new DeploymentOptions().setConfig(config)).await();
      Pool reader = PgBuilder.pool().with(new PoolOptions().setMaxSize(IN_FLIGHT))
        .connectingTo(DatabaseUrl.parse(url).connectOptions()).using(vertx).build();
      long t0 = System.nanoTime();
      Promise<Integer> done = Promise.promise();
      vertx.runOnContext(v -> new Driver(vertx, reader, done).start());
      int stored = done.future().await();
      double seconds = (System.nanoTime() - t0) / 1e9;
      if (stored != expected) {
        throw new IllegalStateException("engine stored " + stored + " predictions, expected " + expected);
      }
      return seconds;
    } finally {
      vertx.close().await();
    }
  }

  /**
   * Reads pages by id (keyset), IN_FLIGHT pages at a time, and asks the prediction verticle to
   * predict and store each — what the ingestion verticle does with a backlog.
   */
  private static final class Driver {
    private final Vertx vertx;
    private final Pool reader;
    private final Promise<Integer> done;
    private long nextAfter;
    private int running;
    private int stored;
    private boolean exhausted;
    private Future<Void> readChain = Future.succeededFuture();

    Driver(Vertx vertx, Pool reader, Promise<Integer> done) {
      this.vertx = vertx;
      this.reader = reader;
      this.done = done;
    }

    void start() {
      for (int i = 0; i < IN_FLIGHT; i++) {
        next();
      }
    }

    private void next() {
      if (exhausted) {
        if (running == 0) {
          done.tryComplete(stored);
        }
        return;
      }
      running++;
      // Pages are read one after the other (each starts after the last id of the previous one);
      // predicting and storing them overlaps.
      readChain = readChain.compose(v -> reader.preparedQuery(READ_PAGE).execute(Tuple.of(nextAfter, PAGE)).map(rows -> {
        List<ShipmentEvent> page = new ArrayList<>(rows.size());
        for (Row r : rows) {
          page.add(new ShipmentEvent(r.getLong(0), r.getOffsetDateTime(1).toInstant(), r.getString(2), r.getString(3),
            r.getString(4), r.getDouble(5), r.getDouble(6), r.getDouble(7)));
        }
        if (page.size() < PAGE) {
          exhausted = true;
        }
        if (!page.isEmpty()) {
          nextAfter = page.get(page.size() - 1).id();
        }
        predict(page);
        return null;
      }));
      readChain.onFailure(done::tryFail);
    }

    private void predict(List<ShipmentEvent> page) {
      if (page.isEmpty()) {
        running--;
        next();
        return;
      }
      vertx.eventBus().<JsonObject>request(Addresses.PREDICT, new PredictionRequest(page, true).toJson())
        .onSuccess(reply -> {
          stored += reply.body().getInteger("stored");
          running--;
          next();
        })
        .onFailure(done::tryFail);
    }
  }

  private static final String READ_PAGE = """
    select id, occurred_at, supplier, route, vehicle_type, distance_km, load_tonnes, payload_capacity_tonnes
      from events_normalized where id > $1 order by id limit $2
    """;

  /** The same arithmetic as EmissionModel, in one statement, aliases and load-factor method included. */
  private static double pureSql(String url, boolean normalizeNames) throws Exception {
    try (Connection c = jdbc(url); Statement st = c.createStatement()) {
      long t0 = System.nanoTime();
      st.executeUpdate(BenchSupport.pureSqlPredictions("predictions_sql", normalizeNames));
      return (System.nanoTime() - t0) / 1e9;
    }
  }

  /** Both paths must agree to the last digit that matters, or the comparison means nothing. */
  private static void checkSameNumbers(String url, int events) throws Exception {
    try (Connection c = jdbc(url); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("""
      select count(*), count(*) filter (where abs(p.co2_kg - s.co2_kg) > 1e-9 * greatest(1, s.co2_kg) or p.method <> s.method)
        from predictions p join predictions_sql s using (event_id)""")) {
      rs.next();
      if (rs.getLong(1) != events || rs.getLong(2) != 0) {
        throw new IllegalStateException("engine and SQL disagree: " + rs.getLong(1) + " joined, " + rs.getLong(2) + " differ");
      }
      System.out.printf(Locale.ROOT, "check: engine and pure SQL give the same co2_kg and method for all %,d events%n", events);
    }
  }

  private static void loadEvents(String url, int n) throws Exception {
    // A dense demo process: all vehicle types, realistic loads and capacities.
    BenchSupport.insert(url, BenchSupport.events(n, Instant.parse("2026-01-05T00:00:00Z"), 200_000), 10_000);
  }

  private static void truncate(String url) throws Exception {
    try (Connection c = jdbc(url); Statement st = c.createStatement()) {
      st.execute("truncate predictions, predictions_sql");
      st.execute("checkpoint");
    }
  }

  private static Connection jdbc(String url) throws Exception {
    return BenchSupport.jdbc(url);
  }

  private static double median(List<Double> values) {
    return BenchSupport.median(values);
  }

  private PredictionBenchmark() {
  }

}
