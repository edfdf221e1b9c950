package io.carbonnexus.engine;

import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.shared.Addresses;
import io.carbonnexus.engine.support.Http;
import io.carbonnexus.engine.support.TempDirs;
import io.carbonnexus.engine.support.TestDatabase;
import io.carbonnexus.engine.support.TestEngine;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three engines on loopback joined in one Hazelcast cluster, sharing one database, each with
 * its own role: the bus spans the nodes, a detection interval runs once for the cluster, the
 * work moves on when a node dies, and a browser on the HTTP-only node sees what detection on
 * another node found, once.
 */
class ClusterIT {

  private static final Duration INTERVAL = Duration.ofSeconds(2);

  private final List<Engine> engines = new ArrayList<>();
  private String url;
  private Vertx browser;

  @AfterEach
  void stop() {
    if (browser != null) {
      browser.close().await();
    }
    // Last started first: the nodes leave one by one.
    for (int i = engines.size() - 1; i >= 0; i--) {
      engines.get(i).close();
    }
  }

  /** Starts nodes with these verticle lists, all members of one cluster on loopback. */
  private List<Integer> startCluster(String... verticles) {
    url = TestDatabase.get().createDatabase();
    String name = "nexus-test-" + System.nanoTime();
    List<Integer> clusterPorts = new ArrayList<>();
    for (int i = 0; i < verticles.length; i++) {
      clusterPorts.add(TempDirs.freePort());
    }
    String members = String.join(",", clusterPorts.stream().map(p -> "127.0.0.1:" + p).toList());
    List<Integer> httpPorts = new ArrayList<>();
    for (int i = 0; i < verticles.length; i++) {
      TestEngine node = TestEngine.onDatabase(url)
        .with(ConfigKeys.DEMO, "false")
        .with(ConfigKeys.DETECTION_INTERVAL, "2s")
        .with(ConfigKeys.DETECTION_FAST_PATH_DELAY, "50ms")
        .with(ConfigKeys.INGESTION_POLL_INTERVAL, "500ms")
        .with(ConfigKeys.CLUSTER_ENABLED, true)
        .with(ConfigKeys.CLUSTER_NAME, name)
        .with(ConfigKeys.CLUSTER_PORT, clusterPorts.get(i))
        .with(ConfigKeys.CLUSTER_MEMBERS, members)
        .with(ConfigKeys.NODE_VERTICLES, verticles[i]);
      httpPorts.add(node.port());
      engines.add(node.start());
    }
    return httpPorts;
  }

  private void insertEvents(String supplier, int count) {
    TestDatabase.execute(url, "insert into events_normalized (occurred_at, supplier, route, vehicle_type, distance_km,"
      + " load_tonnes) select now() - make_interval(mins => g), '" + supplier + "', 'R1', 'hgv', 100, 10"
      + " from generate_series(1, " + count + ") g");
  }

  private WebSocket bridge(int port, String channel, BlockingQueue<JsonObject> into) {
    browser = Vertx.vertx();
    WebSocket ws = browser.createWebSocketClient().connect(port, "127.0.0.1", "/eventbus/websocket").await();
    ws.handler(buffer -> into.add(new JsonObject(buffer.toString())));
    ws.writeTextMessage(new JsonObject().put("type", "register").put("address", channel).encode()).await();
    return ws;
  }

  @Test
  void nodesWithDifferentRolesActAsOneEngine() throws Exception {
    // A: the pipeline without HTTP; B: HTTP only; C: everything but demo data.
    List<Integer> http = startCluster(
      "prediction,alerting,recommendation,detection,baselines,queries,simulation,ingestion",
      "http",
      "prediction,alerting,recommendation,detection,baselines,queries,simulation,ingestion,http");
    Engine a = engines.get(0);
    Engine b = engines.get(1);

    // A request crosses nodes: B has no consumer of its own.
    a.vertx().eventBus().<JsonObject>consumer("test.ping", m -> m.reply(new JsonObject().put("from", a.nodeId())))
      .completion().await();
    assertThat(b.vertx().eventBus().<JsonObject>request("test.ping", new JsonObject()).await().body().getString("from"))
      .isEqualTo(a.nodeId());

    // The HTTP-only node answers from the other nodes' verticles.
    assertThat(Http.get(http.get(1), "/hotspots").status()).isEqualTo(200);
    assertThat(Http.get(http.get(1), "/health").status()).isEqualTo(200);

    // A browser on B sees the hotspot that detection on A or C opens, once.
    BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
    bridge(http.get(1), "hotspots", frames);
    insertEvents("Cluster Freight", 5);
    TestDatabase.waitFor("predicted", () -> TestDatabase.queryLong(url, "select count(*) from predictions") == 5,
      Duration.ofSeconds(15));
    Http.Response target = Http.send(http.get(1), "PUT", "/targets",
      "{\"entity_type\":\"supplier\",\"entity\":\"Cluster Freight\",\"baseline\":100}");
    assertThat(target.status()).as(target.body()).isEqualTo(200);
    JsonObject opened = null;
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (opened == null && System.nanoTime() < deadline) {
      JsonObject frame = frames.poll(500, TimeUnit.MILLISECONDS);
      if (frame != null && "opened".equals(frame.getJsonObject("body").getString("change"))
        && "Cluster Freight".equals(frame.getJsonObject("body").getString("entity"))) {
        opened = frame.getJsonObject("body");
      }
    }
    assertThat(opened).as("the opened hotspot reached the browser on the HTTP-only node").isNotNull();
    assertThat(opened.getString("severity")).isEqualTo("critical");
    long hotspotId = opened.getLong("id");

    // Every alerting and recommendation verticle of the cluster heard it: still one of each.
    TestDatabase.waitFor("recommendation", () -> TestDatabase.queryLong(url,
      "select count(*) from recommendations where hotspot_id = " + hotspotId) >= 1, Duration.ofSeconds(15));
    Thread.sleep(3 * INTERVAL.toMillis());
    assertThat(TestDatabase.queryLong(url, "select count(*) from hotspots where entity = 'Cluster Freight'")).isEqualTo(1);
    assertThat(TestDatabase.queryLong(url, "select count(*) from alerts where hotspot_id = " + hotspotId)).isEqualTo(1);
    assertThat(TestDatabase.queryLong(url, "select count(*) from recommendations where hotspot_id = " + hotspotId))
      .isEqualTo(1);
    assertThat(TestDatabase.queryLong(url, "select count(*) from predictions")).isEqualTo(5);
    long openedFrames = frames.stream().filter(f -> "opened".equals(f.getJsonObject("body").getString("change"))).count();
    assertThat(openedFrames).as("no second 'opened' for the same hotspot").isZero();

    // New thresholds from one node's configuration reach detection on the others: 5x the
    // baseline is no longer critical when critical starts at 10x.
    JsonObject live = new JsonObject();
    ConfigKeys.THRESHOLDS_INFO.put(live, 0.8);
    ConfigKeys.THRESHOLDS_WARN.put(live, 1.0);
    ConfigKeys.THRESHOLDS_CRITICAL.put(live, 10.0);
    ConfigKeys.THRESHOLDS_HYSTERESIS.put(live, 0.05);
    b.vertx().eventBus().publish(Addresses.CONFIG_CHANGED, live);
    TestDatabase.waitFor("de-escalated by the new thresholds", () -> "warn".equals(TestDatabase.queryString(url,
      "select severity from hotspots where id = " + hotspotId)), Duration.ofSeconds(10));
  }

  @Test
  void eachIntervalRunsOnceAndTheWorkMovesOnWhenANodeDies() throws Exception {
    startCluster("prediction,detection,baselines,ingestion", "prediction,detection,baselines,ingestion");
    // Intervals are claimed on the database's clock; wait until a few have run.
    TestDatabase.waitFor("three intervals", () -> TestDatabase.queryLong(url, "select count(*) from detection_runs") >= 3,
      Duration.ofSeconds(20));
    List<String> nodes = engines.stream().map(Engine::nodeId).toList();
    assertThat(TestDatabase.queryLong(url, "select count(distinct node) from detection_runs where node not in ('"
      + nodes.get(0) + "', '" + nodes.get(1) + "')")).isZero();
    // No interval was skipped while both nodes lived: consecutive starts are one interval apart.
    assertThat(TestDatabase.queryLong(url, "select count(*) from (select interval_start - lag(interval_start)"
      + " over (order by interval_start) as gap from detection_runs) g where gap > interval '2 seconds'")).isZero();

    // The node that ran the latest interval and the one that reads events_normalized die.
    String last = TestDatabase.queryString(url, "select node from detection_runs order by interval_start desc limit 1");
    Engine leader = engines.stream().filter(e -> e.nodeId().equals(last)).findFirst().orElseThrow();
    leader.close();
    engines.remove(leader);
    Engine survivor = engines.get(0);
    long rowsAtKill = TestDatabase.queryLong(url, "select count(*) from detection_runs");

    // Within about one interval the survivor runs them, and it ingests what arrives now.
    TestDatabase.waitFor("intervals after the kill", () -> TestDatabase.queryLong(url,
      "select count(*) from detection_runs where node = '" + survivor.nodeId() + "' and started_at > now() - interval '3 seconds'")
      >= 1 && TestDatabase.queryLong(url, "select count(*) from detection_runs") >= rowsAtKill + 2, Duration.ofSeconds(10));
    insertEvents("After The Kill", 3);
    TestDatabase.waitFor("events predicted by the survivor", () -> TestDatabase.queryLong(url,
      "select count(*) from predictions where supplier = 'After The Kill'") == 3, Duration.ofSeconds(10));
  }
}
