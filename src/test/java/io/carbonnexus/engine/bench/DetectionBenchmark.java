package io.carbonnexus.engine.bench;

import io.carbonnexus.engine.Engine;
import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.config.EngineConfig;
import io.carbonnexus.engine.db.DatabaseUrl;
import io.carbonnexus.engine.db.EmbeddedDatabase;
import io.carbonnexus.engine.db.Migrations;
import io.carbonnexus.engine.demo.DemoEvent;
import io.carbonnexus.engine.shared.Addresses;
import io.carbonnexus.engine.shared.EventsIngested;
import io.carbonnexus.engine.support.TempDirs;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.pubsub.PgSubscriber;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * Two measurements of the detection path of a whole engine (every verticle, as {@code scripts/run}
 * starts it, on an external database: the benchmark's embedded PostgreSQL), each next to its
 * pure-SQL floor on the same database in the same run. Run with {@code benchmarks/detection}.
 *
 * <ol>
 *   <li><b>Throughput</b>: N events (default 1,000,000) inserted by a producer into
 *   events_normalized, until every target supplier's hotspot is committed with the total of all
 *   of them: ingestion (NOTIFY), prediction, detection. Floor: the same insert, then the
 *   prediction arithmetic and the hotspot selection as two SQL statements. The engine's hotspots
 *   must carry the floor's totals and severities, so both did the same work. Floor and engine
 *   take turns for {@code bench.rounds} rounds (3); the medians are compared.</li>
 *   <li><b>Latency</b>: single events inserted one at a time, each by a supplier of its own whose
 *   target it exceeds, so that each insert opens a warn hotspot (a change of level: published at
 *   once, and alerted). From the insert's commit to (a) the hotspot {@code opened} on the
 *   {@code hotspots} address, (b) its alert arriving at a bridge client (a WebSocket on
 *   {@code /eventbus/websocket} registered on {@code alerts}), and (c) the hotspot arriving at
 *   the same client. New numbers of a hotspot that stays at its level ({@code updated}) are
 *   throttled to one per 5 s by design: a measurement built on them measures the throttle. Floor:
 *   commit to the NOTIFY arriving at a LISTEN connection, the least any push can take.</li>
 * </ol>
 */
public final class DetectionBenchmark {

  private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
  private static final int LATENCY_EVENTS = Integer.getInteger("bench.latency.events", 300);
  private static final int LATENCY_WARMUP = Integer.getInteger("bench.latency.warmup", 20);
  private static final long LATENCY_GAP_MS = Long.getLong("bench.latency.gap", 50);
  /** Every supplier's target in the throughput run, kg per 24 h: far below what N events make, so all are hot. */
  private static final double THROUGHPUT_TARGET_KG = 1000;
  /** The latency suppliers' target: one event (100 km x 1 t by diesel van, 63.13 kg) makes 126 %, a warn. */
  private static final double LATENCY_TARGET_KG = 50;
  private static final String LATENCY_SUPPLIER = "Latency Freight %04d";
  private static final long PING_MS = 5_000;

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : 1_000_000;
    Path dir = Files.createTempDirectory("nexus-bench-detection");
    try (EmbeddedDatabase pg = EmbeddedDatabase.start(dir.resolve("pg"), 0, Duration.ofSeconds(60), false, Map.of())) {
      String url = pg.url();
      Migrations.migrate(DatabaseUrl.parse(url), Duration.ofSeconds(10));
      try (Connection c = BenchSupport.jdbc(url); Statement st = c.createStatement()) {
        BenchSupport.createFactorTable(st);
        st.execute("create table predictions_sql (like predictions including all)");
        st.execute("create table hotspots_sql (like hotspots including all)");
      }
      List<DemoEvent> events = pastDay(n);
      Set<String> suppliers = new TreeSet<>();
      events.forEach(e -> suppliers.add(e.supplier()));
      System.out.printf(Locale.ROOT, "PostgreSQL (embedded), %,d events over the last 24 h, %d suppliers with a target of %.0f kg%n",
        events.size(), suppliers.size(), THROUGHPUT_TARGET_KG);

      // Floor and engine take turns, so that both meet the same neighbours on a shared machine.
      List<Double> floors = new ArrayList<>();
      List<Double> engines = new ArrayList<>();
      List<Double> ratios = new ArrayList<>();
      for (int round = 1; round <= ROUNDS; round++) {
        System.out.printf(Locale.ROOT, "round %d%n", round);
        reset(url);
        double floor = throughputFloor(url, events, suppliers);
        Map<String, double[]> expected = floorHotspots(url);
        reset(url);
        double engine = throughputEngine(url, events, suppliers, expected);
        floors.add(floor);
        engines.add(engine);
        ratios.add(engine / floor);
        System.out.printf(Locale.ROOT, "round %d: floor %.2f s, engine %.2f s, %.2f x the floor%n", round, floor, engine,
          engine / floor);
      }
      double floor = BenchSupport.median(floors);
      double engine = BenchSupport.median(engines);
      System.out.printf(Locale.ROOT, "throughput, pure SQL floor (insert + predict + hotspots), median of %d: %.2f s (%,.0f events/s)%n",
        ROUNDS, floor, n / floor);
      System.out.printf(Locale.ROOT, "throughput, engine (insert -> NOTIFY -> ingest -> predict -> detect), median of %d: %.2f s "
        + "(%,.0f events/s), %.2f x the floor's median; median of the rounds' ratios %.2f (target: at most 2 x)%n",
        ROUNDS, engine, n / engine, engine / floor, BenchSupport.median(ratios));

      reset(url);
      latency(url);
    } finally {
      TempDirs.deleteRecursively(dir);
    }
  }

  /**
   * N demo events between 23 h and 1 h ago, so that all of them count in the detection window
   * and none lies ahead of it: the demo's quiet nights and weekends stretch N events over more
   * hours than N / rate, so the rate goes up until they fit.
   */
  private static List<DemoEvent> pastDay(int n) {
    Instant from = Instant.now().minus(Duration.ofHours(23));
    Instant to = Instant.now().minus(Duration.ofHours(1));
    double perDay = n * 1.5;
    while (true) {
      List<DemoEvent> events = BenchSupport.events(n, from, perDay);
      if (events.get(events.size() - 1).occurredAt().isBefore(to)) {
        return events;
      }
      perDay *= 1.3;
    }
  }

  /** An operator's targets (kg CO2 per detection.window, 24 h), set before any event arrives. */
  private static void targets(String url, Set<String> suppliers, double kg) throws Exception {
    try (Connection c = BenchSupport.jdbc(url);
         PreparedStatement insert = c.prepareStatement(
           "insert into baselines (entity_type, entity, baseline, source, statistic, window_seconds)"
             + " values ('supplier', ?, ?, 'target', 'target', 86400)")) {
      for (String supplier : suppliers) {
        insert.setString(1, supplier);
        insert.setDouble(2, kg);
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }

  private static double throughputFloor(String url, List<DemoEvent> events, Set<String> suppliers) throws Exception {
    targets(url, suppliers, THROUGHPUT_TARGET_KG);
    long t0 = System.nanoTime();
    BenchSupport.insert(url, events, 10_000);
    long inserted = System.nanoTime();
    try (Connection c = BenchSupport.jdbc(url); Statement st = c.createStatement()) {
      st.executeUpdate(BenchSupport.pureSqlPredictions("predictions_sql", true));
      long predicted = System.nanoTime();
      System.out.printf(Locale.ROOT, "pure SQL floor: insert %.2f s, predict %.2f s", (inserted - t0) / 1e9,
        (predicted - inserted) / 1e9);
      st.executeUpdate("""
        insert into hotspots_sql (entity_type, entity, predicted, baseline, percent_above, severity, status, opened_at,
                                  updated_at, "window", kind)
        select t.entity_type, t.entity, t.predicted, b.baseline, round((t.predicted - b.baseline) / b.baseline * 100),
               case when t.predicted >= 1.5 * b.baseline then 'critical' when t.predicted >= b.baseline then 'warn' else 'info' end,
               'open', now(), now(), '24h', 'emissions'
          from (select x.entity_type, x.entity, sum(p.co2_kg) as predicted
                  from predictions_sql p
                  cross join lateral (values ('supplier', p.supplier), ('route', p.route), ('vehicle_type', p.vehicle_type))
                    as x(entity_type, entity)
                 where p.occurred_at > now() - interval '24 hours'
                 group by 1, 2) t
          join baselines b on b.entity_type = t.entity_type and b.entity = t.entity and b.source = 'target'
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

  /** The floor's hotspots: entity → {predicted, severity rank}. */
  private static Map<String, double[]> floorHotspots(String url) throws Exception {
    Map<String, double[]> out = new HashMap<>();
    try (Connection c = BenchSupport.jdbc(url); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("select entity_type || '/' || entity, predicted, severity from hotspots_sql")) {
      while (rs.next()) {
        out.put(rs.getString(1), new double[] {rs.getDouble(2), rank(rs.getString(3))});
      }
    }
    return out;
  }

  private static int rank(String severity) {
    return List.of("info", "warn", "critical").indexOf(severity);
  }

  /**
   * The whole engine on the benchmark's database: no demo feed, no periodic pass during the run
   * (detection.interval 1 h), HTTP on a free port. The environment is not read.
   */
  private static Engine startEngine(String url, String pollInterval) {
    JsonObject overrides = new JsonObject();
    ConfigKeys.DB_URL.put(overrides, url);
    ConfigKeys.DEMO.put(overrides, "false");
    ConfigKeys.HTTP_PORT.put(overrides, TempDirs.freePort());
    ConfigKeys.DETECTION_INTERVAL.put(overrides, "1h");
    ConfigKeys.INGESTION_POLL_INTERVAL.put(overrides, pollInterval);
    return Engine.start(new Engine.Options(EngineConfig.DEFAULT_FILE, false, Map.of(), overrides));
  }

  /**
   * From the producer's first insert until every hotspot the floor found is open in the engine
   * with the floor's total (to 1e-9 of it) and severity, and no other: the last fast-path
   * evaluation has committed the effect of every event.
   */
  private static double throughputEngine(String url, List<DemoEvent> events, Set<String> suppliers,
                                         Map<String, double[]> expected) throws Exception {
    targets(url, suppliers, THROUGHPUT_TARGET_KG);
    try (Engine engine = startEngine(url, "1s");
         Connection c = BenchSupport.jdbc(url); Statement st = c.createStatement()) {
      long t0 = System.nanoTime();
      BenchSupport.insert(url, events, 10_000);
      System.out.printf(Locale.ROOT, "engine run: the producer's insert took %.2f s (the engine running meanwhile)%n",
        (System.nanoTime() - t0) / 1e9);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
      long predictedAt = -1;
      String mismatch = "";
      while (System.nanoTime() < deadline) {
        if (predictedAt < 0 && watermark(st) >= events.size()) {
          predictedAt = System.nanoTime();
        }
        mismatch = mismatch(st, expected);
        if (mismatch.isEmpty()) {
          break;
        }
        Thread.sleep(10);
      }
      long done = System.nanoTime();
      if (!mismatch.isEmpty()) {
        throw new IllegalStateException("the engine's hotspots did not reach the floor's within 300 s: " + mismatch);
      }
      System.out.printf(Locale.ROOT, "engine run: every prediction stored after %.2f s, every hotspot committed after %.2f s%n",
        ((predictedAt < 0 ? done : predictedAt) - t0) / 1e9, (done - t0) / 1e9);
      try (ResultSet rs = st.executeQuery("select (select count(*) from predictions), (select count(*) from hotspots where status = 'open')")) {
        rs.next();
        System.out.printf(Locale.ROOT, "engine stored %,d predictions and has %d open hotspots, totals and severities equal to the floor's%n",
          rs.getLong(1), rs.getLong(2));
      }
      // Not timed: the recommendations of those hotspots, so that the engine stops with no work in flight.
      long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (System.nanoTime() < settle && count(st, "select count(*) from hotspots h where status = 'open'"
        + " and not exists (select 1 from recommendations r where r.hotspot_id = h.id)") > 0) {
        Thread.sleep(50);
      }
      return (done - t0) / 1e9;
    }
  }

  private static long count(Statement st, String sql) throws Exception {
    try (ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** The highest event id whose prediction ingestion has stored (ids start at 1 after a reset). */
  private static long watermark(Statement st) throws Exception {
    try (ResultSet rs = st.executeQuery("select last_event_id from ingestion_state")) {
      return rs.next() ? rs.getLong(1) : -1;
    }
  }

  /** What still differs between the engine's open hotspots and the floor's; empty when nothing does. */
  private static String mismatch(Statement st, Map<String, double[]> expected) throws Exception {
    Map<String, double[]> open = new HashMap<>();
    try (ResultSet rs = st.executeQuery(
      "select entity_type || '/' || entity, predicted, severity from hotspots where status = 'open'")) {
      while (rs.next()) {
        open.put(rs.getString(1), new double[] {rs.getDouble(2), rank(rs.getString(3))});
      }
    }
    if (!open.keySet().equals(expected.keySet())) {
      return "open " + new TreeSet<>(open.keySet()) + ", floor " + new TreeSet<>(expected.keySet());
    }
    for (Map.Entry<String, double[]> e : expected.entrySet()) {
      double[] got = open.get(e.getKey());
      double[] want = e.getValue();
      if (Math.abs(got[0] - want[0]) > 1e-9 * want[0] || got[1] != want[1]) {
        return e.getKey() + ": " + got[0] + " kg (severity " + (int) got[1] + ") against " + want[0] + " (" + (int) want[1] + ")";
      }
    }
    return "";
  }

  /** What one latency event's pushes were seen at (System.nanoTime), by the supplier that sent it. */
  private static final class Arrivals {
    final Map<String, Long> ingested = new ConcurrentHashMap<>();
    final Map<String, Long> published = new ConcurrentHashMap<>();
    final Map<String, Long> bridgeHotspot = new ConcurrentHashMap<>();
    final Map<String, Long> bridgeAlert = new ConcurrentHashMap<>();
    final ConcurrentLinkedQueue<Long> notified = new ConcurrentLinkedQueue<>();
  }

  /** A day of traffic in the window, then single inserts, each opening a hotspot of its own supplier. */
  private static void latency(String url) throws Exception {
    // A realistic window: a day of demo traffic (about 15,000 events), predicted.
    List<DemoEvent> day = pastDay(15_000);
    BenchSupport.insert(url, day, 5_000);
    try (Connection c = BenchSupport.jdbc(url); Statement st = c.createStatement()) {
      st.executeUpdate(BenchSupport.pureSqlPredictions("predictions", true));
      st.execute("update ingestion_state set last_event_id = (select max(id) from events_normalized)");
    }
    int total = LATENCY_WARMUP + LATENCY_EVENTS;
    Set<String> suppliers = new TreeSet<>();
    for (int i = 1; i <= total; i++) {
      suppliers.add(String.format(Locale.ROOT, LATENCY_SUPPLIER, i));
    }
    targets(url, suppliers, LATENCY_TARGET_KG);

    Arrivals seen = new Arrivals();
    Vertx client = Vertx.vertx();
    try (Engine engine = startEngine(url, "10s")) {
      engine.vertx().eventBus().<JsonObject>consumer(Addresses.HOTSPOTS, m -> {
        long now = System.nanoTime();
        if ("opened".equals(m.body().getString("change"))) {
          seen.published.putIfAbsent(m.body().getString("entity"), now);
        }
      }).completion().await();
      // Where the time goes: the prediction stored, ingestion telling detection which entities it touched.
      engine.vertx().eventBus().<JsonObject>consumer(Addresses.EVENTS_INGESTED, m -> {
        long now = System.nanoTime();
        EventsIngested.fromJson(m.body()).suppliers().forEach(s -> seen.ingested.putIfAbsent(s, now));
      }).completion().await();
      WebSocket socket = client.createWebSocketClient()
        .connect(ConfigKeys.HTTP_PORT.get(engine.config()), "127.0.0.1", "/eventbus/websocket").await();
      socket.handler(frame -> {
        long now = System.nanoTime();
        JsonObject f = new JsonObject(frame);
        JsonObject body = f.getJsonObject("body");
        if (!"rec".equals(f.getString("type")) || body == null || body.getString("entity") == null) {
          return;
        }
        if (Addresses.ALERTS.equals(f.getString("address"))) {
          seen.bridgeAlert.putIfAbsent(body.getString("entity"), now);
        } else if (Addresses.HOTSPOTS.equals(f.getString("address")) && "opened".equals(body.getString("change"))) {
          seen.bridgeHotspot.putIfAbsent(body.getString("entity"), now);
        }
      });
      for (String channel : List.of(Addresses.ALERTS, Addresses.HOTSPOTS)) {
        socket.writeTextMessage(new JsonObject().put("type", "register").put("address", channel).encode()).await();
      }
      // As the official client does: the bridge closes a socket that stays silent for 10 s.
      client.setPeriodic(PING_MS, id -> socket.writeTextMessage("{\"type\":\"ping\"}"));
      PgSubscriber listener = PgSubscriber.subscriber(client, DatabaseUrl.parse(url).connectOptions());
      listener.channel("nexus_events").handler(p -> seen.notified.add(System.nanoTime()));
      listener.connect().await();

      List<Double> floor = new ArrayList<>();
      List<Double> ingested = new ArrayList<>();
      List<Double> published = new ArrayList<>();
      List<Double> bridgeHotspot = new ArrayList<>();
      List<Double> bridgeAlert = new ArrayList<>();
      try (Connection c = BenchSupport.jdbc(url);
           PreparedStatement insert = c.prepareStatement("insert into events_normalized (occurred_at, supplier, route,"
             + " vehicle_type, distance_km, load_tonnes) values (now(), ?, 'RL', 'van_diesel', 100, 1)")) {
        for (int i = 1; i <= total; i++) {
          String supplier = String.format(Locale.ROOT, LATENCY_SUPPLIER, i);
          int notifiedBefore = seen.notified.size();
          insert.setString(1, supplier);
          insert.executeUpdate();
          long committed = System.nanoTime();
          // The first one also waits for the bridge registrations, which the bridge does not acknowledge.
          long deadline = committed + TimeUnit.SECONDS.toNanos(i == 1 ? 15 : 5);
          while (!(seen.published.containsKey(supplier) && seen.bridgeHotspot.containsKey(supplier)
            && seen.bridgeAlert.containsKey(supplier) && seen.notified.size() > notifiedBefore)
            && System.nanoTime() < deadline) {
            Thread.sleep(0, 200_000);
          }
          if (seen.notified.size() <= notifiedBefore || !seen.published.containsKey(supplier)
            || !seen.bridgeHotspot.containsKey(supplier) || !seen.bridgeAlert.containsKey(supplier)) {
            throw new IllegalStateException(String.format(Locale.ROOT, "event %d (%s) within %d s: NOTIFY %s, hotspot opened"
              + " on the bus %s, on the bridge %s, alert on the bridge %s", i, supplier, i == 1 ? 15 : 5,
              seen.notified.size() > notifiedBefore, seen.published.containsKey(supplier),
              seen.bridgeHotspot.containsKey(supplier), seen.bridgeAlert.containsKey(supplier)));
          }
          if (i > LATENCY_WARMUP) {
            Long[] times = seen.notified.toArray(Long[]::new);
            floor.add((times[notifiedBefore] - committed) / 1e6);
            ingested.add((seen.ingested.getOrDefault(supplier, -1L) - committed) / 1e6);
            published.add((seen.published.get(supplier) - committed) / 1e6);
            bridgeHotspot.add((seen.bridgeHotspot.get(supplier) - committed) / 1e6);
            bridgeAlert.add((seen.bridgeAlert.get(supplier) - committed) / 1e6);
          }
          Thread.sleep(LATENCY_GAP_MS);
        }
      }
      System.out.printf(Locale.ROOT, "latency (%d events after %d not counted, %d ms apart), from the insert's commit:%n",
        LATENCY_EVENTS, LATENCY_WARMUP, LATENCY_GAP_MS);
      System.out.printf(Locale.ROOT, "  floor, NOTIFY at a LISTEN client:        %s%n", BenchSupport.describe(floor));
      System.out.printf(Locale.ROOT, "  engine, its prediction stored:          %s%n", BenchSupport.describe(ingested));
      System.out.printf(Locale.ROOT, "  engine, hotspot opened on 'hotspots':   %s (target p99 <= 100 ms)%n",
        BenchSupport.describe(published));
      System.out.printf(Locale.ROOT, "  engine, that hotspot at a bridge client: %s%n", BenchSupport.describe(bridgeHotspot));
      System.out.printf(Locale.ROOT, "  engine, its alert at a bridge client:    %s%n", BenchSupport.describe(bridgeAlert));
      socket.close().await();
      listener.close().await();
    } finally {
      client.close().await();
    }
  }

  private static void reset(String url) throws Exception {
    try (Connection c = BenchSupport.jdbc(url); Statement st = c.createStatement()) {
      st.execute("truncate events_normalized, predictions, prediction_errors, predictions_sql, hotspot_changes, hotspots,"
        + " hotspots_sql, baselines, baseline_bands, entity_models, lane_models, detection_runs, entity_minute_totals, alerts,"
        + " recommendations, recommendation_requests restart identity cascade");
      st.execute("update ingestion_state set last_event_id = 0");
      st.execute("checkpoint");
    }
  }

  private DetectionBenchmark() {
  }
}
