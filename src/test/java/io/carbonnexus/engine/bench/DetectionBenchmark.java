package io.carbonnexus.engine.bench;

import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.db.DatabaseUrl;
import io.carbonnexus.engine.db.EmbeddedDatabase;
import io.carbonnexus.engine.db.Migrations;
import io.carbonnexus.engine.demo.DemoEvent;
import io.carbonnexus.engine.hotspot.DetectionVerticle;
import io.carbonnexus.engine.ingestion.IngestionVerticle;
import io.carbonnexus.engine.prediction.PredictionVerticle;
import io.carbonnexus.engine.shared.Addresses;
import io.carbonnexus.engine.support.TempDirs;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.pubsub.PgSubscriber;

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
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Two measurements of the detection path, each next to its pure-SQL floor on the same embedded
 * PostgreSQL in the same run. Run with {@code benchmarks/detection}.
 *
 * <ol>
 *   <li><b>Throughput</b>: N events (default 1,000,000) inserted by a producer into
 *   events_normalized, until their hotspots are committed: ingestion (NOTIFY), prediction,
 *   detection. Floor: the same insert, then the prediction arithmetic and the hotspot selection as
 *   two SQL statements.</li>
 *   <li><b>Latency</b>: single events inserted one at a time, each raising one entity's window
 *   total; time from the insert's commit to the hotspot update published on the bus (fast path).
 *   Floor: commit to the NOTIFY arriving at a LISTEN connection, the least any push can take.</li>
 * </ol>
 */
public final class DetectionBenchmark {

  private static final int LATENCY_EVENTS = Integer.getInteger("bench.latency.events", 300);
  private static final long LATENCY_GAP_MS = Long.getLong("bench.latency.gap", 50);

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : 1_000_000;
    Path dir = Files.createTempDirectory("nexus-bench-detection");
    try (EmbeddedDatabase pg = EmbeddedDatabase.start(dir.resolve("pg"), 0, Duration.ofSeconds(60), false, java.util.Map.of())) {
      String url = pg.url();
      Migrations.migrate(DatabaseUrl.parse(url), Duration.ofSeconds(10));
      try (Connection c = BenchSupport.jdbc(url); Statement st = c.createStatement()) {
        BenchSupport.createFactorTable(st);
        st.execute("create table predictions_sql (like predictions including all)");
        st.execute("create table hotspots_sql (like hotspots including all)");
      }
      // Events in the last 24 h, so that all of them count in the detection window.
      Instant start = Instant.now().minus(Duration.ofHours(23));
      List<DemoEvent> events = BenchSupport.events(n, start, n * 1.5);
      System.out.printf(Locale.ROOT, "PostgreSQL (embedded), %,d events over the last 24 h%n", events.size());

      double floor = throughputFloor(url, events);
      reset(url);
      double engine = throughputEngine(url, events);
      System.out.printf(Locale.ROOT, "throughput, pure SQL floor (insert + predict + hotspots): %.2f s (%,.0f events/s)%n",
        floor, n / floor);
      System.out.printf(Locale.ROOT, "throughput, engine (insert -> NOTIFY -> ingest -> predict -> detect): %.2f s (%,.0f events/s), %.2f x the floor (target >= 100,000 events/s)%n",
        engine, n / engine, engine / floor);

      reset(url);
      latency(url);
    } finally {
      TempDirs.deleteRecursively(dir);
    }
  }

  /** Targets for every supplier: some above, some below, so that hotspots open. */
  private static void targets(String url, List<DemoEvent> events) throws Exception {
    try (Connection c = BenchSupport.jdbc(url); Statement st = c.createStatement()) {
      st.execute("delete from baselines");
      st.execute("""
        insert into baselines (entity_type, entity, baseline, source)
        select 'supplier', supplier, 1000, 'target' from (select distinct supplier from events_normalized) s""");
    }
  }

  private static double throughputFloor(String url, List<DemoEvent> events) throws Exception {
    long t0 = System.nanoTime();
    BenchSupport.insert(url, events, 10_000);
    long inserted = System.nanoTime();
    try (Connection c = BenchSupport.jdbc(url); Statement st = c.createStatement()) {
      targets(url, events);
      st.executeUpdate(BenchSupport.pureSqlPredictions("predictions_sql", true));
      long predicted = System.nanoTime();
      System.out.printf(Locale.ROOT, "pure SQL floor: insert %.2f s, predict %.2f s", (inserted - t0) / 1e9,
        (predicted - inserted) / 1e9);
      st.executeUpdate("""
        insert into hotspots_sql (entity_type, entity, predicted, baseline, percent_above, severity, status, opened_at, updated_at)
        select t.entity_type, t.entity, t.predicted, b.baseline, round((t.predicted - b.baseline) / b.baseline * 100),
               case when t.predicted >= 1.5 * b.baseline then 'critical' when t.predicted >= b.baseline then 'warn' else 'info' end,
               'open', now(), now()
          from (select x.entity_type, x.entity, sum(p.co2_kg) as predicted
                  from predictions_sql p
                  cross join lateral (values ('supplier', p.supplier), ('route', p.route), ('vehicle_type', p.vehicle_type))
                    as x(entity_type, entity)
                 where p.occurred_at > now() - interval '24 hours'
                 group by 1, 2) t
          join baselines b on b.entity_type = t.entity_type and b.entity = t.entity
         where t.predicted >= 0.8 * b.baseline""");
      double seconds = (System.nanoTime() - t0) / 1e9;
      try (ResultSet rs = st.executeQuery("select count(*) from hotspots_sql")) {
        rs.next();
        System.out.printf(Locale.ROOT, ", hotspots %.2f s: %d hotspots%n", (System.nanoTime() - predicted) / 1e9,
          rs.getLong(1));
      }
      return seconds;
    }
  }

  private static double throughputEngine(String url, List<DemoEvent> events) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      JsonObject config = ConfigKeys.DB_URL.put(new JsonObject(), url);
      ConfigKeys.DETECTION_INTERVAL.put(config, "1h");
      ConfigKeys.INGESTION_POLL_INTERVAL.put(config, "1s");
      for (var verticle : List.<java.util.function.Supplier<io.vertx.core.Deployable>>of(
        PredictionVerticle::new, DetectionVerticle::new, IngestionVerticle::new)) {
        vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(config)).await();
      }
      long maxId = -1;
      long t0 = System.nanoTime();
      BenchSupport.insert(url, events, 10_000);
      System.out.printf(Locale.ROOT, "engine run: the producer's insert took %.2f s (ingestion running meanwhile)%n",
        (System.nanoTime() - t0) / 1e9);
      targets(url, events);
      try (Connection c = BenchSupport.jdbc(url); Statement st = c.createStatement()) {
        try (ResultSet rs = st.executeQuery("select max(id) from events_normalized")) {
          rs.next();
          maxId = rs.getLong(1);
        }
        while (true) {
          try (ResultSet rs = st.executeQuery("select last_event_id from ingestion_state")) {
            rs.next();
            if (rs.getLong(1) >= maxId) {
              break;
            }
          }
          Thread.sleep(20);
        }
      }
      // Every event is predicted: one full evaluation commits the hotspots of all of them.
      CountDownLatch evaluated = new CountDownLatch(1);
      vertx.eventBus().consumer(Addresses.EMISSIONS, m -> evaluated.countDown());
      vertx.eventBus().publish(Addresses.BASELINES_UPDATED, new JsonObject());
      if (!evaluated.await(120, TimeUnit.SECONDS)) {
        throw new IllegalStateException("no detection pass within 120 s");
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      try (Connection c = BenchSupport.jdbc(url); Statement st = c.createStatement();
           ResultSet rs = st.executeQuery("select (select count(*) from predictions), (select count(*) from hotspots where status = 'open')")) {
        rs.next();
        System.out.printf(Locale.ROOT, "engine stored %,d predictions and opened %d hotspots%n", rs.getLong(1), rs.getLong(2));
      }
      return seconds;
    } finally {
      vertx.close().await();
    }
  }

  /** One entity made hot, then single inserts: commit -> hotspot published; floor commit -> NOTIFY received. */
  private static void latency(String url) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      // A realistic window: a day of demo traffic (about 15,000 events), predicted, and one hot entity.
      List<DemoEvent> day = BenchSupport.events(15_000, Instant.now().minus(Duration.ofHours(23)), 15_000);
      BenchSupport.insert(url, day, 5_000);
      try (Connection c = BenchSupport.jdbc(url); Statement st = c.createStatement()) {
        st.executeUpdate(BenchSupport.pureSqlPredictions("predictions", true));
        st.execute("update ingestion_state set last_event_id = (select max(id) from events_normalized)");
        st.execute("insert into baselines (entity_type, entity, baseline, source) values ('supplier', 'Latency Freight', 1, 'target')");
      }
      JsonObject config = ConfigKeys.DB_URL.put(new JsonObject(), url);
      ConfigKeys.DETECTION_INTERVAL.put(config, "1h");
      ConfigKeys.INGESTION_POLL_INTERVAL.put(config, "10s");
      for (var verticle : List.<java.util.function.Supplier<io.vertx.core.Deployable>>of(
        PredictionVerticle::new, DetectionVerticle::new, IngestionVerticle::new)) {
        vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(config)).await();
      }
      // Each event adds 100 km x 1 t x 0.6313 kg/tkm (a diesel van) to Latency Freight's total.
      double perEvent = 63.13;
      ConcurrentLinkedQueue<double[]> published = new ConcurrentLinkedQueue<>();
      vertx.eventBus().<JsonObject>consumer(Addresses.HOTSPOTS, m -> {
        if ("Latency Freight".equals(m.body().getString("entity"))) {
          published.add(new double[] {System.nanoTime(), m.body().getDouble("predicted")});
        }
      });
      ConcurrentLinkedQueue<Long> notified = new ConcurrentLinkedQueue<>();
      PgSubscriber listener = PgSubscriber.subscriber(vertx, DatabaseUrl.parse(url).connectOptions());
      listener.channel("nexus_events").handler(p -> notified.add(System.nanoTime()));
      listener.connect().await();

      List<Double> engine = new ArrayList<>();
      List<Double> floor = new ArrayList<>();
      try (Connection c = BenchSupport.jdbc(url);
           var insert = c.prepareStatement("insert into events_normalized (occurred_at, supplier, route, vehicle_type,"
             + " distance_km, load_tonnes) values (now(), 'Latency Freight', 'RL', 'van_diesel', 100, 1)")) {
        for (int i = 1; i <= LATENCY_EVENTS; i++) {
          int notifiedBefore = notified.size();
          insert.executeUpdate();
          long committed = System.nanoTime();
          double expected = i * perEvent - 1e-6;
          long deadline = committed + TimeUnit.SECONDS.toNanos(5);
          Double seenAt = null;
          while (seenAt == null && System.nanoTime() < deadline) {
            for (double[] p : published) {
              if (p[1] >= expected) {
                seenAt = p[0];
                break;
              }
            }
            if (seenAt == null) {
              Thread.sleep(0, 200_000);
            }
          }
          if (seenAt == null) {
            throw new IllegalStateException("event " + i + " reached no published hotspot within 5 s");
          }
          engine.add((seenAt - committed) / 1e6);
          while (notified.size() <= notifiedBefore && System.nanoTime() < deadline) {
            Thread.sleep(0, 100_000);
          }
          Long[] times = notified.toArray(Long[]::new);
          floor.add((times[times.length - 1] - committed) / 1e6);
          Thread.sleep(LATENCY_GAP_MS);
        }
      }
      System.out.printf(Locale.ROOT, "latency, floor (commit -> NOTIFY at a LISTEN client): %s%n", BenchSupport.describe(floor));
      System.out.printf(Locale.ROOT, "latency, engine (commit -> hotspot published, fast path): %s (target p99 <= 100 ms)%n",
        BenchSupport.describe(engine));
    } finally {
      vertx.close().await();
    }
  }

  private static void reset(String url) throws Exception {
    try (Connection c = BenchSupport.jdbc(url); Statement st = c.createStatement()) {
      st.execute("truncate events_normalized, predictions, prediction_errors, predictions_sql, hotspot_changes, hotspots,"
        + " hotspots_sql, baselines, detection_runs, entity_minute_totals restart identity cascade");
      st.execute("update ingestion_state set last_event_id = 0");
      st.execute("checkpoint");
    }
  }

  private DetectionBenchmark() {
  }
}
